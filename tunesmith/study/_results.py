"""What ``run_trial`` may return, turned into the metrics a trial is scored by.

keras-tuner's rules: a number is the objective's value; a dict holds it among other
metrics; a Keras ``History`` counts at the epoch where the objective was best; a
list (one result per execution) is averaged, metric by metric, and its best step is
the mean of the best steps.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeGuard

import numpy as np

from tunesmith.errors import FatalTypeError, FatalValueError
from tunesmith.objective import Objective, UnnamedObjective


@dataclass
class TrialResult:
    """What one run of a trial produced: the one result type a study is told.

    Attributes:
        metrics: Every metric at the best step, the objective among them.
        best_step: The step (epoch) of the best value.
        executions: How many executions the result averages.
        epochs: Epochs trained in all.
        stopped_early: The study (a pruner, a scheduler) stopped the trial before its
            last step.
        diverged: Why training diverged (a NaN or infinite loss), or None: such a
            trial is INVALID whatever its objective's value.
        infeasible: The model broke a constraint before training (``metrics`` then
            holds what was measured of it): the trial is INFEASIBLE, never trained.
    """

    metrics: dict[str, float] = field(default_factory=dict)
    best_step: int = 0
    executions: int = 1
    epochs: int = 0
    stopped_early: bool = False
    diverged: str | None = None
    infeasible: bool = False


class KerasHistory(Protocol):
    """What is read of a Keras ``History``: each metric's logged values, by epoch."""

    @property
    def history(self) -> Mapping[str, Sequence[object]]: ...


def is_history(value: object) -> TypeGuard[KerasHistory]:
    """Whether ``value`` is a Keras ``History`` (without importing Keras)."""
    return not isinstance(value, Mapping) and isinstance(getattr(value, "history", None), dict)


def to_trial_result(
    results: object, objective: Objective, source: str = "Tuner.run_trial()"
) -> TrialResult:
    """Validate and convert what ``source`` returned, as keras-tuner does.

    Raises :class:`~tunesmith.errors.FatalTypeError` for a value of another type
    (``None`` included: a forgotten ``return``) and
    :class:`~tunesmith.errors.FatalValueError` for a dict without the objective.

    Example:
        >>> from tunesmith import Objective
        >>> result = to_trial_result([{"loss": 1.0}, {"loss": 3.0}], Objective("loss", "min"))
        >>> result.metrics, result.executions
        ({'loss': 2.0}, 2)
    """
    if isinstance(results, (list, tuple)):
        if not results:
            raise FatalValueError(
                f"{source} returned an empty list: return one result per execution."
            )
        parts = [to_trial_result(item, objective, source) for item in results]
        names = dict.fromkeys(name for part in parts for name in part.metrics)
        metrics = {
            name: float(np.mean([p.metrics[name] for p in parts if name in p.metrics]))
            for name in names
        }
        return TrialResult(
            metrics=metrics,
            best_step=int(np.mean([p.best_step for p in parts])),
            executions=len(parts),
            epochs=sum(p.epochs for p in parts),
        )
    if isinstance(results, (int, float, np.floating, np.integer)) and not isinstance(results, bool):
        return TrialResult(metrics={objective.name: float(results)})
    if isinstance(results, Mapping):
        if isinstance(objective, UnnamedObjective):
            raise FatalTypeError(
                f"Expected the return value of {source} to be a single float when "
                f"`objective` is left unspecified; it returned a dict (keys: "
                f"{', '.join(sorted(map(str, results))) or 'none'}). Name the metric to "
                "optimise, e.g. objective='val_loss' or Objective(name, direction), or "
                "return one number."
            )
        floats = {str(k): _as_float(v) for k, v in results.items()}
        metrics = {k: v for k, v in floats.items() if v is not None}
        if objective.name not in metrics:
            try:
                metrics[objective.name] = objective.value_from(metrics)
            except ValueError:
                raise FatalValueError(
                    f"{source} returned a dict without the specified objective {objective.name!r} "
                    f"(keys: {', '.join(sorted(map(str, results))) or 'none'}). Add it, or "
                    "set objective= to one of these names."
                ) from None
        return TrialResult(metrics=metrics)
    if is_history(results):
        return _from_history(results, objective)
    if results is None:
        raise FatalTypeError(
            f"The return value of {source} is None. Did you forget to return the metrics? "
            "Return the objective's value, a dict of metrics, a keras History (model.fit's "
            "return value), or a list of those (one per execution)."
        )
    raise FatalTypeError(
        f"Expected the return value of {source} to be one of: the objective's value (a "
        "float), a dict of metrics, a keras History, or a list of those (one per "
        f"execution). It returned a {type(results).__name__}: {results!r:.60}."
    )


def _from_history(history: KerasHistory, objective: Objective) -> TrialResult:
    epochs = max((len(v) for v in history.history.values()), default=0)
    best_epoch: int = 0
    best_value: float | None = None
    best_metrics: dict[str, float] = {}
    for epoch in range(epochs):
        logs = {
            name: number
            for name, values in history.history.items()
            if epoch < len(values) and (number := _as_float(values[epoch])) is not None
        }
        try:
            value = objective.value_from(logs)
        except ValueError:
            continue
        logs[objective.name] = value
        if best_value is None or (
            math.isfinite(value)
            and (not math.isfinite(best_value) or objective.better(value, best_value))
        ):
            best_epoch, best_value, best_metrics = epoch, value, logs
    if best_value is None:
        logged = ", ".join(sorted(history.history)) or "nothing"
        raise FatalValueError(
            f"The History has no {objective.name!r} (it logged {logged}). Pick one of those "
            "names as objective, or log it (for a 'val_' metric, pass validation_data)."
        )
    recorded = getattr(history, "epoch", None)
    initial = int(recorded[0]) if recorded else 0
    return TrialResult(metrics=best_metrics, best_step=initial + best_epoch, epochs=epochs)


def _as_float(value: Any) -> float | None:
    """``float(value)`` for a value of any type, None when it is not a number."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def numbers_only(metrics: Mapping[str, object]) -> dict[str, float]:
    """The entries of ``metrics`` that are numbers, as floats (strings left out).

    Example:
        >>> numbers_only({"loss": 1, "note": "x", "acc": None})
        {'loss': 1.0}
    """
    clean = {}
    for name, value in metrics.items():
        if isinstance(value, (str, bytes)):
            continue
        number = _as_float(value)
        if number is not None:
            clean[name] = number
    return clean
