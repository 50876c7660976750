"""The objective's reported values per trial and step, as pruners read them."""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping

from tunesmith.objective import Objective
from tunesmith.store import CurvePoint


class ReportedObjective:
    """``{trial_id: {step: value}}`` of the objective, oriented so lower is better.

    With several executions a step's value is the mean of the executions that
    reported it (the trial's score is a mean over executions too). Kept in memory
    for speed: a pruner reads every trial's curve at every epoch. It is rebuilt from
    the store's curves when an oracle attaches, so a resumed search prunes as the
    interrupted one would have.

    Example:
        >>> from tunesmith.objective import Objective
        >>> reports = ReportedObjective(Objective("val_accuracy", "max"))
        >>> reports.record("00", 0, 0, {"val_accuracy": 0.8})
        True
        >>> reports.record("00", 1, 0, {"val_accuracy": 0.6})
        True
        >>> reports.curve("00")
        {0: -0.7}
    """

    def __init__(self, objective: Objective) -> None:
        self._sign = 1.0 if objective.direction == "min" else -1.0
        self._objective = objective
        self._by_execution: dict[str, dict[int, dict[int, float]]] = {}
        self._means: dict[str, dict[int, float]] = {}

    def record(
        self, trial_id: str, execution: int, step: int, metrics: Mapping[str, float]
    ) -> bool:
        """Remember the objective in ``metrics``; False when it is missing or not finite.

        A list of objectives counts with its combined value, as the trial's score does.
        """
        try:
            value = self._objective.value_from(metrics)
        except ValueError:
            return False
        if not math.isfinite(value):
            return False
        executions = self._by_execution.setdefault(trial_id, {}).setdefault(step, {})
        executions[execution] = self._sign * float(value)
        mean = sum(executions.values()) / len(executions)
        self._means.setdefault(trial_id, {})[step] = mean
        return True

    def curve(self, trial_id: str) -> Mapping[int, float]:
        """``{step: value}`` of one trial (empty when it reported nothing)."""
        return self._means.get(trial_id, {})

    def curves(self) -> Mapping[str, Mapping[int, float]]:
        """Every trial's ``{step: value}`` (the live mapping: read, never change it)."""
        return self._means

    def trial_ids(self) -> list[str]:
        return list(self._means)

    def forget(self, trial_id: str) -> None:
        self._by_execution.pop(trial_id, None)
        self._means.pop(trial_id, None)

    def load(self, points: Iterable[CurvePoint], skip: Collection[str] = ()) -> None:
        """Rebuild from a store's curves, leaving out the trials in ``skip`` (the
        interrupted ones, whose curves are cleared when they run again)."""
        for point in points:
            if point.trial_id not in skip:
                self.record(point.trial_id, point.execution, point.step, point.metrics)
