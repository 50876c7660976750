"""Limits a trial must respect to count: on any metric, or a function of the trial.

A constraint gives a trial a value ``g`` that must be ``<= 0`` (optuna's
convention): ``Constraint("model/params", max=100_000)`` gives ``params - 100000``.
A study evaluates its constraints when a trial ends and stores each value among the
trial's metrics as ``constraint/<label>``, so whether a trial is feasible is read
from the trial alone (:func:`is_feasible`), by the ranking, the report and the
dashboard alike, and survives resume. A limit on a model metric (``model/*``, known
right after the build) is checked before training: a configuration beyond it is
stored ``INFEASIBLE`` and never trained.

Example:
    >>> limit = Constraint("model/params", max=100_000)
    >>> limit.label, limit.value({"model/params": 120_000.0})
    ('model/params<=100000', 20000.0)
    >>> values = constraint_values([limit], {"model/params": 50_000.0})
    >>> values, is_feasible(values)
    ({'constraint/model/params<=100000': -50000.0}, True)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from tunesmith.errors import InvalidArgumentError, TunesmithError
from tunesmith.objective import MODEL_METRIC_PREFIX

#: The prefix of a constraint's value among a trial's metrics.
CONSTRAINT_PREFIX = "constraint/"


def _number_text(value: float) -> str:
    return f"{value:g}" if not float(value).is_integer() or abs(value) >= 1e15 else str(int(value))


class Constraint:
    """A limit on one metric: ``min <= metric <= max`` (either side may be left out).

    The metric may be a model metric (``model/params``, ``model/bytes``,
    ``model/latency_ms``: checked right after the build, before any training), a
    trained metric (``val_loss``), or any value a custom ``fit`` or a ``tune()``
    function returns. Its value for a trial is how far past the limit it is
    (``<= 0`` when the limit holds), the larger of the two sides when both are set.

    Example:
        >>> Constraint("val_accuracy", min=0.9).value({"val_accuracy": 0.85})
        0.05...
    """

    def __init__(self, metric: str, *, max: float | None = None, min: float | None = None) -> None:
        if not isinstance(metric, str) or not metric:
            raise InvalidArgumentError(
                f"Constraint takes a metric name, got {metric!r}: e.g. "
                "Constraint('model/params', max=100_000)."
            )
        if max is None and min is None:
            raise InvalidArgumentError(
                f"Constraint({metric!r}) sets no limit: pass max=... and/or min=..."
            )
        for side, bound in (("max", max), ("min", min)):
            if bound is not None and not (
                isinstance(bound, (int, float))
                and not isinstance(bound, bool)
                and math.isfinite(bound)
            ):
                raise InvalidArgumentError(
                    f"Constraint({metric!r}, {side}={bound!r}): the limit must be a finite number."
                )
        if max is not None and min is not None and min > max:
            raise InvalidArgumentError(
                f"Constraint({metric!r}, min={min}, max={max}): min is above max, so no "
                "trial could satisfy it; swap them."
            )
        self.metric = metric
        self.max = None if max is None else float(max)
        self.min = None if min is None else float(min)

    @property
    def label(self) -> str:
        """How the constraint is named in metrics, tables and errors."""
        if self.min is not None and self.max is not None:
            return f"{_number_text(self.min)}<={self.metric}<={_number_text(self.max)}"
        if self.max is not None:
            return f"{self.metric}<={_number_text(self.max)}"
        assert self.min is not None
        return f"{self.metric}>={_number_text(self.min)}"

    @property
    def metrics(self) -> tuple[str, ...]:
        """The metrics the constraint reads."""
        return (self.metric,)

    @property
    def before_training(self) -> bool:
        """Whether the limit is on a model metric, known before any training."""
        return self.metric.startswith(MODEL_METRIC_PREFIX)

    def value(self, metrics: Mapping[str, float], trial: object = None) -> float:
        """How far ``metrics`` are past the limit (``<= 0``: it holds)."""
        measured = float(metrics[self.metric])
        if math.isnan(measured):
            return math.inf
        sides = []
        if self.max is not None:
            sides.append(measured - self.max)
        if self.min is not None:
            sides.append(self.min - measured)
        return max(sides)

    def values(self, metrics: Mapping[str, float], trial: object = None) -> dict[str, float]:
        """``{"constraint/<label>": value}``."""
        return {CONSTRAINT_PREFIX + self.label: self.value(metrics, trial)}

    def get_config(self) -> dict[str, Any]:
        return {"metric": self.metric, "max": self.max, "min": self.min}

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Constraint:
        return cls(config["metric"], max=config.get("max"), min=config.get("min"))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Constraint) and self.get_config() == other.get_config()

    def __hash__(self) -> int:
        return hash(self.label)

    def __repr__(self) -> str:
        parts = [repr(self.metric)]
        if self.min is not None:
            parts.append(f"min={_number_text(self.min)}")
        if self.max is not None:
            parts.append(f"max={_number_text(self.max)}")
        return f"Constraint({', '.join(parts)})"


class ConstraintFunction(Constraint):
    """optuna's style: a function of the ended trial returning values that must be ``<= 0``.

    The function gets the trial (its ``values`` and ``metrics`` at the best step)
    and returns a number or a sequence of numbers, one per constraint. It is
    evaluated after training, so it never stops a trial from training.

    Example:
        >>> from tunesmith import HyperParameters, Trial
        >>> limit = ConstraintFunction(lambda t: [t.metrics["loss"] - 0.5])
        >>> trial = Trial(HyperParameters(), trial_id="0", metrics={"loss": 0.75})
        >>> limit.values(trial.metrics, trial)
        {'constraint/<lambda>[0]': 0.25}
    """

    def __init__(
        self, function: Callable[[Any], float | Sequence[float]], name: str | None = None
    ) -> None:
        if not callable(function):
            raise InvalidArgumentError(f"ConstraintFunction takes a function, got {function!r}.")
        self.function = function
        self.name: str = str(name or getattr(function, "__name__", type(function).__name__))
        self.metric: str = self.name
        self.max, self.min = 0.0, None

    @property
    def label(self) -> str:
        return self.name

    @property
    def metrics(self) -> tuple[str, ...]:
        return ()

    @property
    def before_training(self) -> bool:
        return False

    def value(self, metrics: Mapping[str, float], trial: object = None) -> float:
        return max(self.values(metrics, trial).values(), default=-math.inf)

    def values(self, metrics: Mapping[str, float], trial: object = None) -> dict[str, float]:
        returned = self.function(trial)
        items = [returned] if isinstance(returned, (int, float)) else list(returned)
        try:
            numbers = [float(item) for item in items]
        except (TypeError, ValueError) as exc:
            raise InvalidArgumentError(
                f"The constraint function {self.name!r} returned {returned!r}; it must "
                "return a number or a list of numbers (each <= 0 when satisfied)."
            ) from exc
        return {
            f"{CONSTRAINT_PREFIX}{self.name}[{index}]": (math.inf if math.isnan(number) else number)
            for index, number in enumerate(numbers)
        }

    def get_config(self) -> dict[str, Any]:
        # A function cannot be stored: its name is, and a resumed script passes it again.
        return {"function": self.name}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ConstraintFunction) and other.function is self.function

    def __hash__(self) -> int:
        return hash(self.name)

    def __repr__(self) -> str:
        return f"ConstraintFunction({self.name})"


class InfeasibleTrial(TunesmithError):
    """Raised inside a running trial whose model breaks a limit before training.

    The task that runs the trial turns it into an ``INFEASIBLE`` result with the
    ``metrics`` measured (the model metrics and the constraints' values): the
    configuration is stored, never trained, and the sampler learns from it.
    """

    def __init__(self, metrics: Mapping[str, float], broken: Sequence[str]) -> None:
        self.metrics = dict(metrics)
        self.broken = list(broken)
        super().__init__(f"Infeasible before training: {', '.join(self.broken)}.")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.metrics, self.broken))


def as_constraints(constraints: object) -> list[Constraint]:
    """What a user passed as ``constraints=`` as a list of :class:`Constraint`.

    A ``Constraint``, a function (optuna's ``constraints_func``), or a list of them;
    ``None`` is none.

    Example:
        >>> as_constraints(Constraint("model/params", max=1e5))
        [Constraint('model/params', max=100000)]
    """
    if constraints is None:
        return []
    if isinstance(constraints, Constraint):
        return [constraints]
    if callable(constraints):
        return [ConstraintFunction(constraints)]
    if isinstance(constraints, (list, tuple)):
        parsed: list[Constraint] = []
        for item in constraints:
            if isinstance(item, Constraint):
                parsed.append(item)
            elif callable(item):
                parsed.append(ConstraintFunction(item))
            else:
                raise InvalidArgumentError(_not_understood(item))
        labels = [c.label for c in parsed]
        repeated = sorted({label for label in labels if labels.count(label) > 1})
        if repeated:
            raise InvalidArgumentError(f"constraints= lists {repeated} twice; list each once.")
        return parsed
    raise InvalidArgumentError(_not_understood(constraints))


def _not_understood(item: object) -> str:
    return (
        f"constraints= takes tunesmith.Constraint objects or functions of the trial, got "
        f"{item!r}: e.g. constraints=[tunesmith.Constraint('model/params', max=100_000)]."
    )


def constraint_values(
    constraints: Iterable[Constraint], metrics: Mapping[str, float], trial: object = None
) -> dict[str, float]:
    """Every constraint's value(s) for a trial with ``metrics``, keyed ``constraint/…``.

    A constraint whose metric is missing raises ``KeyError`` naming it; a caller
    that checks only what is known so far passes those constraints alone.
    """
    values: dict[str, float] = {}
    for constraint in constraints:
        values.update(constraint.values(metrics, trial))
    return values


def is_feasible(metrics: Mapping[str, object] | None) -> bool:
    """Whether a trial's metrics hold no constraint value above 0.

    A trial without constraint values (no constraints declared) is feasible.
    """
    for name, value in (metrics or {}).items():
        if name.startswith(CONSTRAINT_PREFIX) and (
            not isinstance(value, (int, float)) or math.isnan(value) or value > 0
        ):
            return False
    return True


def broken_constraints(metrics: Mapping[str, object] | None) -> list[str]:
    """The labels of the constraints a trial's metrics break (empty when feasible)."""
    return [
        name[len(CONSTRAINT_PREFIX) :]
        for name, value in (metrics or {}).items()
        if name.startswith(CONSTRAINT_PREFIX)
        and (not isinstance(value, (int, float)) or math.isnan(value) or value > 0)
    ]


__all__ = [
    "CONSTRAINT_PREFIX",
    "Constraint",
    "ConstraintFunction",
    "InfeasibleTrial",
    "as_constraints",
    "broken_constraints",
    "constraint_values",
    "is_feasible",
]
