"""Per-step metric values of a trial, over one or several executions.

keras-tuner's classes under their names: a :class:`MetricObservation` is the
values one step got (one per execution), a :class:`MetricHistory` one metric's
observations with its direction, a :class:`MetricsTracker` the histories of all
the metrics of a trial. :func:`infer_metric_direction` tells whether a metric
(a name, a Keras metric or loss, a function) is minimised or maximised.

Keras is imported only by :func:`infer_metric_direction`, and only for what the
name lists of :func:`tunesmith.objective.infer_direction` do not settle.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from tunesmith.objective import _DIRECTIONS, _base_name, infer_direction

__all__ = ["MetricHistory", "MetricObservation", "MetricsTracker", "infer_metric_direction"]


def _as_list(value: Any) -> list:
    return list(value) if isinstance(value, (list, tuple)) else [value]


class MetricObservation:
    """The values of one metric at one step, one per execution.

    Example:
        >>> observation = MetricObservation(0.5, step=3)
        >>> observation.append(0.7)
        >>> observation
        MetricObservation(value=[0.5, 0.7], step=3)
        >>> round(float(observation.mean()), 6)
        0.6
    """

    def __init__(self, value: float | list[float], step: int) -> None:
        self.value = _as_list(value)
        self.step = step

    def append(self, value: float | list[float]) -> None:
        """Add the value(s) of further executions at this step."""
        self.value.extend(_as_list(value))

    def mean(self) -> float:
        """The mean over executions."""
        return np.mean(self.value)

    def get_config(self) -> dict[str, Any]:
        return {"value": list(self.value), "step": self.step}

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> MetricObservation:
        return cls(list(config["value"]), config["step"])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MetricObservation):
            return False
        return other.value == self.value and other.step == self.step

    def __repr__(self) -> str:
        return f"MetricObservation(value={self.value}, step={self.step})"


class MetricHistory:
    """One metric's observations by step, and whether lower or higher is better.

    NaN values are skipped when looking for the best; with several executions a
    step counts with the mean of its values.

    Example:
        >>> history = MetricHistory("max")
        >>> for step, value in enumerate([0.6, 0.9, 0.8]):
        ...     history.update(value, step=step)
        >>> history.get_best_value(), history.get_best_step(), history.get_last_value()
        (0.9, 1, 0.8)
    """

    def __init__(self, direction: str = "min") -> None:
        if direction not in _DIRECTIONS:
            raise ValueError(f"`direction` should be one of 'min' or 'max', got {direction!r}.")
        self.direction = _DIRECTIONS[direction]
        self._observations: dict[int, MetricObservation] = {}

    def update(self, value: float | list[float], step: int) -> None:
        """Record ``value`` at ``step``; a step seen before gets one more execution."""
        if step in self._observations:
            self._observations[step].append(value)
        else:
            self._observations[step] = MetricObservation(value, step=step)

    def _best(self) -> MetricObservation | None:
        """The best observation (the earliest on ties), or None when nothing is finite."""
        best = None
        for observation in self.get_history():
            mean = float(observation.mean())
            if math.isnan(mean):
                continue
            if best is None or (mean < best[0] if self.direction == "min" else mean > best[0]):
                best = (mean, observation)
        return None if best is None else best[1]

    def get_best_value(self) -> float | None:
        """The best mean over the steps; None before any update, NaN when all are NaN."""
        if not self._observations:
            return None
        best = self._best()
        return math.nan if best is None else float(best.mean())

    def get_best_step(self) -> int | None:
        """The step of :meth:`get_best_value` (the earliest on ties), or None."""
        best = self._best()
        return None if best is None else best.step

    def get_history(self) -> list[MetricObservation]:
        """The observations, by increasing step."""
        return [self._observations[step] for step in sorted(self._observations)]

    def set_history(self, observations: Iterable[MetricObservation]) -> None:
        """Record every observation (added to the steps already recorded)."""
        for observation in observations:
            self.update(list(observation.value), step=observation.step)

    def get_statistics(self) -> dict[str, float]:
        """min, max, mean, median, var and std of the per-step means (NaN skipped);
        empty before any update."""
        means = [observation.mean() for observation in self.get_history()]
        if not means:
            return {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN gives NaN, quietly
            return {
                "min": float(np.nanmin(means)),
                "max": float(np.nanmax(means)),
                "mean": float(np.nanmean(means)),
                "median": float(np.nanmedian(means)),
                "var": float(np.nanvar(means)),
                "std": float(np.nanstd(means)),
            }

    def get_last_value(self) -> float | None:
        """The mean at the last step, or None before any update."""
        history = self.get_history()
        return float(history[-1].mean()) if history else None

    def get_config(self) -> dict[str, Any]:
        return {
            "direction": self.direction,
            "observations": [observation.get_config() for observation in self.get_history()],
        }

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> MetricHistory:
        history = cls(config["direction"])
        history.set_history(MetricObservation.from_config(c) for c in config["observations"])
        return history


class MetricsTracker:
    """The :class:`MetricHistory` of every metric of a trial, by name.

    ``metrics`` may list metric names or Keras metric objects (their ``name`` is
    used) to register up front; :meth:`update` registers an unknown name itself. A
    direction that cannot be inferred defaults to ``"min"``.

    Example:
        >>> tracker = MetricsTracker()
        >>> tracker.update("val_accuracy", 0.8, step=0)
        True
        >>> tracker.update("val_accuracy", 0.7, step=1)
        False
        >>> tracker.get_direction("val_accuracy"), tracker.get_best_step("val_accuracy")
        ('max', 0)
    """

    def __init__(self, metrics: Iterable[Any] | None = None) -> None:
        self.metrics: dict[str, MetricHistory] = {}
        self.register_metrics(metrics)

    def exists(self, name: str) -> bool:
        return name in self.metrics

    def register_metrics(self, metrics: Iterable[Any] | None = None) -> None:
        """Register each metric (a name, or an object with a ``name``)."""
        for metric in metrics or ():
            name = metric if isinstance(metric, str) else metric.name
            self.register(name, infer_metric_direction(metric))

    def register(self, name: str, direction: str | None = None) -> None:
        """Start tracking ``name``; ``direction`` is inferred when not given."""
        if self.exists(name):
            raise ValueError(f"Metric already exists: {name!r} is tracked already.")
        if direction is None:
            direction = infer_metric_direction(name) or "min"
        self.metrics[name] = MetricHistory(direction)

    def update(self, name: str, value: float, step: int = 0) -> bool:
        """Record ``value`` of ``name`` at ``step``; return whether its best value changed."""
        value = float(value)
        if not self.exists(name):
            self.register(name)
        history = self.metrics[name]
        before = history.get_best_value()
        history.update(value, step=step)
        after = history.get_best_value()
        if before is None or math.isnan(before):
            return after is not None and not math.isnan(after)
        return after != before

    def get_history(self, name: str) -> list[MetricObservation]:
        return self._history(name).get_history()

    def set_history(self, name: str, observations: Iterable[MetricObservation]) -> None:
        """Record ``observations`` of ``name``, registering it when new."""
        if not self.exists(name):
            self.register(name)
        self.metrics[name].set_history(observations)

    def get_best_value(self, name: str) -> float | None:
        return self._history(name).get_best_value()

    def get_best_step(self, name: str) -> int | None:
        return self._history(name).get_best_step()

    def get_statistics(self, name: str) -> dict[str, float]:
        return self._history(name).get_statistics()

    def get_last_value(self, name: str) -> float | None:
        return self._history(name).get_last_value()

    def get_direction(self, name: str) -> str:
        return self._history(name).direction

    def get_config(self) -> dict[str, Any]:
        return {"metrics": {name: history.get_config() for name, history in self.metrics.items()}}

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> MetricsTracker:
        tracker = cls()
        tracker.metrics = {
            name: MetricHistory.from_config(history) for name, history in config["metrics"].items()
        }
        return tracker

    def _history(self, name: str) -> MetricHistory:
        if name not in self.metrics:
            tracked = ", ".join(sorted(self.metrics)) or "nothing yet"
            raise ValueError(f"Unknown metric {name!r}; tracked: {tracked}.")
        return self.metrics[name]


def _names_of(metric: Any) -> list[str]:
    """The names a metric goes by: a function's or class's own name, an object's
    ``name`` and class name, and the function a Keras wrapper holds."""
    if isinstance(metric, str):
        return [metric]
    names = []
    own = getattr(metric, "__name__", None)
    if isinstance(own, str):
        names.append(own)
    else:
        label = getattr(metric, "name", None)
        if isinstance(label, str):
            names.append(label)
        names.append(type(metric).__name__)
        wrapped = getattr(metric, "_fn", None) or getattr(metric, "fn", None)
        wrapped_name = getattr(wrapped, "__name__", None)
        if isinstance(wrapped_name, str):
            names.append(wrapped_name)
    return names


def infer_metric_direction(metric: Any) -> str | None:
    """``"min"``, ``"max"``, or ``None`` when the direction of ``metric`` is unknown.

    ``metric`` is a name as Keras logs it (``val_`` and ``weighted_`` prefixes are
    ignored), a Keras metric or loss object or class, or a metric function. Known
    names settle it without Keras; otherwise, when Keras is importable, a string is
    resolved to Keras' metric or loss of that name, and any other metric or loss
    that Keras ships is taken as minimised.

    Example:
        >>> infer_metric_direction("val_acc"), infer_metric_direction("weighted_ce")
        ('max', 'min')
        >>> infer_metric_direction("my_metric") is None
        True
    """
    for name in _names_of(metric):
        direction = infer_direction(name)
        if direction is not None:
            return direction
    try:
        import keras
    except ImportError:
        return None
    if isinstance(metric, str):
        resolved = _keras_metric(keras, _base_name(metric))
        if resolved is None:
            return None
        return infer_metric_direction(resolved)
    for name in _names_of(metric):
        if hasattr(keras.metrics, name) or hasattr(keras.losses, name):
            return "min"
    return None


def _keras_metric(keras: Any, name: str) -> Any:
    """Keras' metric, else loss, called ``name``; None when Keras knows neither."""
    for module in (keras.metrics, keras.losses):
        try:
            return module.get(name)
        except Exception:  # Keras raises ValueError, or other errors for odd names
            continue
    return None
