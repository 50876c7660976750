"""Asynchronous successive halving as a pruner (optuna's ``SuccessiveHalvingPruner``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tunesmith.errors import check_count
from tunesmith.pruners._base import Pruner, TrialCurve
from tunesmith.schedulers.rungs import promotion_quota, rung_resource


class SuccessiveHalvingPruner(Pruner):
    """Stops a trial at a rung unless it is in the top ``1 / reduction_factor`` of the
    trials that reached that rung (ASHA's rule, decided at once, never waiting).

    Rung ``k`` is reached after ``min_resource * reduction_factor ** (min_early_stopping_rate
    + k)`` epochs, that is at the step one less (steps count from 0). There the
    trial's value is ranked with the values every other trial had at that rung (the
    first step it reported at or after the rung, whether it went on or not): it goes
    on when it is among the best ``n // reduction_factor`` of the ``n`` values, itself
    included, or the best of all when that is fewer than one, as optuna does.
    Between rungs nothing is stopped.

    Args:
        min_resource: Epochs before the first rung.
        reduction_factor: Keep the best ``1 / reduction_factor`` at each rung.
        min_early_stopping_rate: Skip this many rungs (the first rung then sits at
            ``min_resource * reduction_factor ** min_early_stopping_rate`` epochs).

    Example:
        >>> from tunesmith.pruners import TrialCurve
        >>> from tunesmith.trial import TrialStatus
        >>> others = [TrialCurve({0: v}, TrialStatus.COMPLETED) for v in (0.2, 0.4, 0.6)]
        >>> pruner = SuccessiveHalvingPruner(min_resource=1, reduction_factor=2)
        >>> pruner.should_stop(0, {0: 0.3}, others), pruner.should_stop(0, {0: 0.5}, others)
        (False, True)
    """

    def __init__(
        self, min_resource: int = 1, reduction_factor: int = 3, min_early_stopping_rate: int = 0
    ) -> None:
        self.min_resource = check_count("min_resource", min_resource, 1)
        self.reduction_factor = check_count("reduction_factor", reduction_factor, 2)
        self.min_early_stopping_rate = check_count(
            "min_early_stopping_rate", min_early_stopping_rate, 0
        )

    def rung_step(self, k: int) -> int:
        """The step (from 0) at which rung ``k`` is judged.

        Example:
            >>> [SuccessiveHalvingPruner().rung_step(k) for k in range(4)]
            [0, 2, 8, 26]
        """
        k += self.min_early_stopping_rate
        return rung_resource(k, self.min_resource, self.reduction_factor) - 1

    @property
    def min_step(self) -> int:
        return self.rung_step(0)

    def get_config(self) -> dict[str, Any]:
        return {
            "min_resource": self.min_resource,
            "reduction_factor": self.reduction_factor,
            "min_early_stopping_rate": self.min_early_stopping_rate,
        }

    def _should_stop(
        self, step: int, curve: Mapping[int, float], others: Sequence[TrialCurve]
    ) -> bool:
        earlier = max((s for s in curve if s < step), default=-1)
        value = curve[step]
        k = 0
        # Every rung this report reaches (several when steps were skipped) is judged
        # now and never again, so a trial faces each rung's competition once.
        while (rung := self.rung_step(k)) <= step:
            if rung > earlier:
                rivals = [v for o in others if (v := _value_at_rung(o.values, rung)) is not None]
                if not _goes_on(value, rivals, self.reduction_factor):
                    return True
            k += 1
        return False


def _value_at_rung(values: Mapping[int, float], rung: int) -> float | None:
    """The value at the first reported step at or after ``rung``, or None."""
    steps = [s for s in values if s >= rung]
    return values[min(steps)] if steps else None


def _goes_on(value: float, rivals: list[float], factor: int) -> bool:
    ranked = sorted([*rivals, value])
    keep = max(promotion_quota(len(ranked), factor), 1)
    return value <= ranked[keep - 1]
