"""The order of a rung's trials under a Pareto objective: NSGA-II's survivor selection.

A scheduler promotes the first trials of this order, so taking the top ``k`` is
NSGA-II's rule (Deb et al., 2002): whole fronts of the non-dominated sorting, best
first, while they fit; the last front that must be split keeps its loneliest trials
by crowding distance, the extreme ones (best in some objective) first. A trial is
placed by the objective vector it reached at the rung's fidelity (its metrics).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from tunesmith.constraints import CONSTRAINT_PREFIX, is_feasible
from tunesmith.objective import Pareto
from tunesmith.pareto import crowding_distance, nondominated_ranks
from tunesmith.trial import Trial


def pareto_rung_order(trials: Sequence[Trial], objective: Pareto) -> list[Trial]:
    """``trials`` (those of one rung, with a result) best first, for promotions.

    1. Feasible trials with every objective: by front of the non-dominated sorting;
       within a front, by crowding distance computed in that front, largest first
       (the extreme points of each objective have an infinite distance, so they go
       first); then by the objectives in the order given, then the earlier trial.
    2. Feasible trials missing an objective (or with a non-finite one): by score.
    3. Trials that break a constraint (a ``constraint/*`` metric above 0), after
       every feasible one: by total violation, smallest first, then the earlier trial.

    The first ``k`` of the order are NSGA-II's ``k`` survivors. The order depends on
    the rung's trials only, never on which were promoted, so a resumed search
    replays the same promotions.

    Example:
        >>> from tunesmith import HyperParameters, Trial
        >>> pareto = Pareto(["error", "cost"], directions=["min", "min"])
        >>> points = [(0.1, 9.0), (0.5, 5.0), (0.6, 6.0), (0.9, 1.0), (0.3, 7.0)]
        >>> trials = [Trial(HyperParameters(), trial_id=str(n), status="COMPLETED", score=e,
        ...                 metrics={"error": e, "cost": c})
        ...           for n, (e, c) in enumerate(points)]
        >>> [t.trial_id for t in pareto_rung_order(trials, pareto)]
        ['0', '3', '1', '4', '2']
    """
    feasible = [t for t in trials if is_feasible(t.metrics)]
    infeasible = [t for t in trials if not is_feasible(t.metrics)]
    complete = [t for t in feasible if _has_finite_values(t.metrics, objective)]
    partial = [t for t in feasible if not _has_finite_values(t.metrics, objective)]

    points = np.array([objective.minimised(t.metrics) for t in complete], dtype=float)
    fronts = nondominated_ranks(points) if complete else np.zeros(0, dtype=np.int64)
    crowding = np.zeros(len(complete))
    for front in np.unique(fronts):
        members = np.flatnonzero(fronts == front)
        crowding[members] = crowding_distance(points[members])
    order = sorted(
        range(len(complete)),
        key=lambda i: (int(fronts[i]), -crowding[i], *points[i].tolist(), complete[i].number),
    )
    partial.sort(key=lambda t: objective.rank_key(t.score, t.metrics, t.number))
    infeasible.sort(key=lambda t: (total_violation(t.metrics), t.number))
    return [complete[i] for i in order] + partial + infeasible


def total_violation(metrics: Mapping[str, object]) -> float:
    """How far ``metrics`` break their constraints: the sum of the ``constraint/*``
    values above 0 (infinite for a non-numeric or NaN one).

    Example:
        >>> total_violation({"constraint/model/params": 120.0, "constraint/latency": -3.0})
        120.0
    """
    total = 0.0
    for name, value in metrics.items():
        if not name.startswith(CONSTRAINT_PREFIX):
            continue
        if not isinstance(value, (int, float)) or math.isnan(value):
            return math.inf
        total += max(0.0, float(value))
    return total


def _has_finite_values(metrics: Mapping[str, float], objective: Pareto) -> bool:
    return objective.has_value(metrics) and all(
        math.isfinite(float(metrics[name])) for name in objective.names
    )
