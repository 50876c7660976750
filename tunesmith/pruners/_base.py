"""What every pruner shares: the decision's inputs, its guards, and its settings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from tunesmith.trial import TrialStatus


class TrialCurve(NamedTuple):
    """Another trial's reported objective, as a pruner sees it.

    Attributes:
        values: ``{step: value}`` of the objective, oriented so that lower is better
            (a maximised objective is negated), averaged over executions.
        status: Where the trial stands (``RUNNING`` while it trains).
    """

    values: Mapping[int, float]
    status: TrialStatus


class Pruner:
    """Decides from reported per-step objective values whether a running trial stops.

    An oracle created with ``pruner=`` calls :meth:`should_stop` at every reported
    step with the trial's own curve and the curves of the other trials; a ``True``
    ends the fit, and the trial is stored ``STOPPED`` with its partial curve (a
    result at the fidelity it reached). Steps are the reported epoch indices, from
    0. Values are oriented so that lower is better.

    Two guards hold for every pruner: nothing is stopped before :attr:`min_step`,
    and nothing is stopped while no other trial has reported a value (the only
    running trial of a study always goes on). Subclasses implement
    :meth:`_should_stop` and :meth:`get_config`.

    Example:
        >>> class Threshold(Pruner):
        ...     def _should_stop(self, step, curve, others):
        ...         return curve[step] > 1.0
        >>> other = TrialCurve({0: 0.5}, TrialStatus.COMPLETED)
        >>> Threshold().should_stop(0, {0: 2.0}, [other]), Threshold().should_stop(0, {0: 2.0}, [])
        (True, False)
    """

    @property
    def min_step(self) -> int:
        """The first step at which this pruner may stop a trial."""
        return 0

    def should_stop(
        self, step: int, curve: Mapping[int, float], others: Sequence[TrialCurve]
    ) -> bool:
        """Whether the trial whose objective so far is ``curve`` should stop at ``step``.

        ``curve`` holds ``step``; ``others`` are the other trials of the study that
        reported at least one value, running ones included.
        """
        if step < self.min_step or step not in curve:
            return False
        if not any(other.values for other in others):
            return False
        return self._should_stop(step, curve, others)

    def _should_stop(
        self, step: int, curve: Mapping[int, float], others: Sequence[TrialCurve]
    ) -> bool:
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        """The constructor's arguments (JSON-ready)."""
        return {}

    def to_settings(self) -> dict[str, Any]:
        """``{"class_name", "config"}``: what a study stores; :func:`make_pruner` reads it."""
        return {"class_name": type(self).__name__, "config": self.get_config()}

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.get_config() == self.get_config()

    def __hash__(self) -> int:
        return hash((type(self).__name__, tuple(sorted(self.get_config().items()))))

    def __repr__(self) -> str:
        arguments = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({arguments})"


class NopPruner(Pruner):
    """Never stops a trial (the same as no pruner, but explicit).

    Example:
        >>> NopPruner().should_stop(5, {5: 1e9}, [TrialCurve({5: 0.0}, TrialStatus.COMPLETED)])
        False
    """

    def _should_stop(
        self, step: int, curve: Mapping[int, float], others: Sequence[TrialCurve]
    ) -> bool:
        return False
