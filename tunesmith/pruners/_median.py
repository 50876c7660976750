"""The median stopping rule (optuna's ``MedianPruner``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from tunesmith.errors import check_count
from tunesmith.pruners._base import Pruner, TrialCurve
from tunesmith.trial import TrialStatus


class MedianPruner(Pruner):
    """Stops a trial whose best value so far is worse than the median of the completed
    trials' values at the same step.

    The rule and its arguments are optuna's. Nothing is stopped before
    ``n_startup_trials`` trials have completed (pruned ones do not count), during the
    first ``n_warmup_steps`` steps, between decision steps (every ``interval_steps``
    after the warm-up), or when fewer than ``n_min_trials`` completed trials reported
    the step.

    Args:
        n_startup_trials: Completed trials needed before any trial is stopped.
        n_warmup_steps: Steps (epochs, from 0) before which a trial is never stopped.
        interval_steps: Decide every this many steps after the warm-up.
        n_min_trials: Completed trials that must have reported a step to compare at it.

    Example:
        >>> from tunesmith.pruners import TrialCurve
        >>> from tunesmith.trial import TrialStatus
        >>> done = [TrialCurve({0: 1.0, 1: 0.5}, TrialStatus.COMPLETED) for _ in range(3)]
        >>> pruner = MedianPruner(n_startup_trials=3, n_warmup_steps=1)
        >>> pruner.should_stop(0, {0: 9.0}, done), pruner.should_stop(1, {0: 9.0, 1: 8.0}, done)
        (False, True)
    """

    def __init__(
        self,
        n_startup_trials: int = 5,
        n_warmup_steps: int = 0,
        interval_steps: int = 1,
        n_min_trials: int = 1,
    ) -> None:
        self.n_startup_trials = check_count("n_startup_trials", n_startup_trials, 0)
        self.n_warmup_steps = check_count("n_warmup_steps", n_warmup_steps, 0)
        self.interval_steps = check_count("interval_steps", interval_steps, 1)
        self.n_min_trials = check_count("n_min_trials", n_min_trials, 1)

    @property
    def min_step(self) -> int:
        return self.n_warmup_steps

    def get_config(self) -> dict[str, Any]:
        return {
            "n_startup_trials": self.n_startup_trials,
            "n_warmup_steps": self.n_warmup_steps,
            "interval_steps": self.interval_steps,
            "n_min_trials": self.n_min_trials,
        }

    def _should_stop(
        self, step: int, curve: Mapping[int, float], others: Sequence[TrialCurve]
    ) -> bool:
        completed = [o for o in others if o.status is TrialStatus.COMPLETED]
        if len(completed) < self.n_startup_trials or not self._decision_step(step, curve):
            return False
        at_step = [o.values[step] for o in completed if step in o.values]
        if len(at_step) < max(self.n_min_trials, 1):
            return False
        best = min(v for s, v in curve.items() if s <= step)
        return bool(best > float(np.median(at_step)))

    def _decision_step(self, step: int, curve: Mapping[int, float]) -> bool:
        """Whether ``step`` is the first reported step of its interval (a trial that
        reports every other step is still judged once per interval)."""
        interval_start = (
            step - self.n_warmup_steps
        ) // self.interval_steps * self.interval_steps + self.n_warmup_steps
        earlier = [s for s in curve if s < step]
        return not earlier or max(earlier) < interval_start
