"""What a multi-objective or constrained model learns from: every objective's value
and every constraint's value, per configuration.

Built on :func:`~tunesmith.samplers._observations.configuration_observations` (one
observation per configuration, at one fidelity), it reads the metrics of the trial
each score comes from:

* the objectives, minimised (a :class:`~tunesmith.Pareto`'s maximised ones
  negated; the first is the observation's score, stopped trials floored as for one
  objective). ``inf`` where training failed (imputed later as the worst value);
  ``nan`` where a configuration was never trained (``INFEASIBLE``) or lacks an
  objective's metric: those rows are left out of the objectives' models;
* each ``constraint/*`` value the study stored (feasible at or below 0), ``nan``
  where a configuration has none (it failed before the constraint was evaluated).
  ``INFEASIBLE`` configurations have them: the constraints' models learn where the
  limits are broken from them too;
* whether each configuration is feasible (trained, scored, no constraint broken):
  only those set the incumbent, or the front.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from tunesmith.constraints import CONSTRAINT_PREFIX, is_feasible
from tunesmith.objective import Objective, Pareto
from tunesmith.samplers._observations import Observations
from tunesmith.trial import Trial


@dataclass(frozen=True)
class Outcomes:
    """Every objective's and constraint's value, one row per finished configuration.

    Attributes:
        objectives: ``(configurations, objectives)``, minimised; ``inf`` for a
            failure, ``nan`` where unknown (never trained, metric missing).
        constraints: ``(configurations, constraints)``, ``nan`` where unknown.
        constraint_names: The ``constraint/*`` metric of each column.
        feasible: Scored and breaking no constraint.
    """

    objectives: np.ndarray
    constraints: np.ndarray
    constraint_names: list[str]
    feasible: np.ndarray


def has_constraint_values(trials: Iterable[Trial]) -> bool:
    """Whether any trial holds a ``constraint/*`` metric (the study declared some)."""
    return any(
        name.startswith(CONSTRAINT_PREFIX) for trial in trials for name in (trial.metrics or {})
    )


def outcomes(seen: Observations, objective: Objective) -> Outcomes:
    """The objectives and constraint values of ``seen``'s configurations (see the module).

    Example:
        >>> from tunesmith import Pareto
        >>> from tunesmith.samplers._observations import Observations
        >>> seen = Observations(
        ...     [{"x": 0}, {"x": 1}], np.array([0.5, np.inf]), [], None,
        ...     ({"loss": 0.5, "acc": 0.8, "constraint/g": -1.0}, {"constraint/g": 2.0}),
        ...     np.array([True, False]))
        >>> found = outcomes(seen, Pareto(["loss", "acc"]))
        >>> found.objectives.tolist(), found.constraints.tolist(), found.feasible.tolist()
        ([[0.5, -0.8], [nan, nan]], [[-1.0], [2.0]], [True, False])
    """
    rows = len(seen.finished)
    extra = objective.objectives[1:] if isinstance(objective, Pareto) else []
    values = np.full((rows, 1 + len(extra)), np.nan)
    names = sorted(
        {name for metrics in seen.metrics for name in metrics if name.startswith(CONSTRAINT_PREFIX)}
    )
    constraints = np.full((rows, len(names)), np.nan)
    feasible = np.zeros(rows, dtype=bool)
    for row, (score, metrics, trained) in enumerate(
        zip(seen.scores, seen.metrics, seen.trained, strict=True)
    ):
        for column, name in enumerate(names):
            number = _number(metrics.get(name))
            if number is not None:
                constraints[row, column] = math.inf if math.isnan(number) else number
        if not trained:
            continue  # never trained: nothing is known of its objectives
        values[row, 0] = score
        for column, other in enumerate(extra, start=1):
            number = _number(metrics.get(other.name)) if math.isfinite(score) else math.inf
            if number is not None and not math.isnan(number):
                values[row, column] = number if other.direction == "min" else -number
        feasible[row] = bool(np.all(np.isfinite(values[row])) and is_feasible(metrics))
    return Outcomes(values, constraints, names, feasible)


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def signed_log(values: np.ndarray) -> np.ndarray:
    """Constraint values on a scale a GP can fit, with their sign (so the
    feasibility threshold 0) kept: ``sign(g) log(1 + |g| / s)``, ``s`` the median of
    ``|g|``. Linear near 0, where feasibility is decided; a limit broken by orders of
    magnitude (a model 100 times too large) no longer dominates the fit. Infinite
    values (a constraint function that answered NaN) count as the largest finite one.

    Example:
        >>> signed_log(np.array([-1.0, 0.0, 1.0, 1e6])).round(3).tolist()
        [-0.693, 0.0, 0.693, 13.816]
    """
    values = np.asarray(values, dtype=float)
    finite = np.isfinite(values)
    if not finite.any():
        return np.ones_like(values)
    high, low = float(values[finite].max()), float(values[finite].min())
    values = np.where(np.isposinf(values), high, np.where(np.isneginf(values), low, values))
    scale = float(np.median(np.abs(values)))
    if not scale > 0:
        scale = float(np.max(np.abs(values))) or 1.0
    transformed: np.ndarray = np.sign(values) * np.log1p(np.abs(values) / scale)
    return transformed
