"""Which trials are best: the one ranking that the tuner, the report and the dashboard share.

A trial is ranked when it has a result (``COMPLETED``, or ``STOPPED`` early by a
pruner or a scheduler, at the score it reached), that score is a finite number,
and it breaks no declared constraint (:func:`tunesmith.constraints.is_feasible`
on its metrics). Ranked trials are ordered by :meth:`Objective.rank_key
<tunesmith.objective.Objective.rank_key>`: the score, then the tie breaker (the
lower loss of the same data), then the earlier trial. Under a
:class:`~tunesmith.Pareto` objective the Pareto front comes first, then the next
front, and so on; within a front, trials are ordered by the objectives in the
order given, then by the earlier trial.

The functions take anything with ``score``, ``metrics``, ``number`` and ``status``
attributes (:class:`~tunesmith.trial.Trial` objects); :func:`rank_records` and
:func:`best_records` take the store's record dicts
(:meth:`Store.trial_records <tunesmith.store.Store.trial_records>`, the dashboard's
JSON trials, rows of a results frame) and give back the same dicts.

Example:
    >>> from tunesmith import Objective
    >>> records = [
    ...     {"trial_id": "a", "number": 0, "status": "COMPLETED", "score": 0.9},
    ...     {"trial_id": "b", "number": 1, "status": "STOPPED", "score": 0.95},
    ...     {"trial_id": "c", "number": 2, "status": "FAILED", "score": None},
    ... ]
    >>> [r["trial_id"] for r in rank_records(records, Objective("val_accuracy", "max"))]
    ['b', 'a']
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any, Generic, Protocol, TypeVar

import numpy as np

from tunesmith.constraints import is_feasible
from tunesmith.objective import Objective, Pareto
from tunesmith.pareto import nondominated_ranks
from tunesmith.trial import TrialStatus

#: The statuses whose trials have a result that can be ranked (as text).
RANKED_STATUSES = tuple(status.value for status in TrialStatus if status.has_result)


class Rankable(Protocol):
    """What ranking reads of a trial."""

    @property
    def score(self) -> float | None: ...

    @property
    def metrics(self) -> Mapping[str, object] | None: ...

    @property
    def number(self) -> int: ...

    @property
    def status(self) -> TrialStatus | str: ...


T = TypeVar("T", bound=Rankable)
R = TypeVar("R", bound=Mapping[str, Any])


def is_ranked(trial: Rankable) -> bool:
    """Whether ``trial`` takes part in the ranking: a result with a finite score."""
    try:
        has_result = TrialStatus(trial.status).has_result
    except ValueError:  # a status this tunesmith does not know
        return False
    return (
        has_result
        and trial.score is not None
        and math.isfinite(trial.score)
        and is_feasible(trial.metrics)
    )


def rank_trials(trials: Iterable[T], objective: Objective) -> list[T]:
    """The ranked trials among ``trials``, best first (see the module's rules).

    Trials without a result or without a finite score are left out.

    Example:
        >>> from tunesmith import HyperParameters, Objective, Trial
        >>> trials = [Trial(HyperParameters(), trial_id=str(n), status="COMPLETED", score=s)
        ...           for n, s in enumerate([0.3, 0.1, 0.1, float("nan")])]
        >>> [t.trial_id for t in rank_trials(trials, Objective("loss", "min"))]
        ['1', '2', '0']
    """
    ranked = [trial for trial in trials if is_ranked(trial)]
    if isinstance(objective, Pareto):
        return _rank_pareto(ranked, objective)
    ranked.sort(key=lambda t: objective.rank_key(t.score, t.metrics or {}, t.number))
    return ranked


def _rank_pareto(ranked: list[T], objective: Pareto) -> list[T]:
    """Fronts first (non-dominated sorting), then the objectives in order, then number.

    A trial missing one of the objectives (an older trial, or a result without it)
    is ranked after every trial that has them all.
    """
    complete = [t for t in ranked if objective.has_value(t.metrics or {})]
    partial = [t for t in ranked if not objective.has_value(t.metrics or {})]
    points = _minimised_points(complete, objective)
    fronts = nondominated_ranks(points) if complete else np.zeros(0, dtype=np.int64)
    order = sorted(
        range(len(complete)),
        key=lambda i: (int(fronts[i]), *points[i].tolist(), complete[i].number),
    )
    partial.sort(key=lambda t: objective.rank_key(t.score, t.metrics or {}, t.number))
    return [complete[i] for i in order] + partial


def _minimised_points(trials: list[T], objective: Pareto) -> np.ndarray:
    """Each trial's objective values as one row, all to minimise."""
    rows = [objective.minimised(_numbers(t.metrics)) for t in trials]
    return np.asarray(rows, dtype=float).reshape(len(rows), len(objective.objectives))


def _numbers(metrics: Mapping[str, object] | None) -> dict[str, float]:
    return {k: float(v) for k, v in (metrics or {}).items() if isinstance(v, (int, float))}


def pareto_front(trials: Iterable[T], objective: Objective) -> list[T]:
    """The ranked trials no other ranked trial dominates, in ranking order.

    For a single objective, the best trial (a front of one). Feasible trials only.

    Example:
        >>> from tunesmith import HyperParameters, Pareto, Trial
        >>> pareto = Pareto(["loss", "model/params"])
        >>> trials = [Trial(HyperParameters(), trial_id=str(n), status="COMPLETED", score=l,
        ...                 metrics={"loss": l, "model/params": p})
        ...           for n, (l, p) in enumerate([(0.1, 900), (0.2, 100), (0.3, 500)])]
        >>> [t.trial_id for t in pareto_front(trials, pareto)]
        ['0', '1']
    """
    if not isinstance(objective, Pareto):
        return rank_trials(trials, objective)[:1]
    complete = [t for t in trials if is_ranked(t) and objective.has_value(t.metrics or {})]
    if not complete:
        return []
    points = _minimised_points(complete, objective)
    fronts = nondominated_ranks(points)  # once: the front is rank 0
    order = sorted(
        (i for i in range(len(complete)) if fronts[i] == 0),
        key=lambda i: (*points[i].tolist(), complete[i].number),
    )
    return [complete[i] for i in order]


def best_trials(trials: Iterable[T], objective: Objective, n: int = 1) -> list[T]:
    """The ``n`` best of :func:`rank_trials`, best first (fewer when fewer are ranked)."""
    return rank_trials(trials, objective)[: max(0, n)]


class RecordTrial(Generic[R]):
    """A record dict read as a trial: ``record["score"]`` as ``.score``, and so on.

    A missing ``metrics`` reads as no metrics (ties then go to the earlier trial).
    """

    __slots__ = ("record",)

    def __init__(self, record: R) -> None:
        self.record = record

    @property
    def score(self) -> float | None:
        score = self.record.get("score")
        return None if score is None else float(score)

    @property
    def metrics(self) -> Mapping[str, object]:
        return self.record.get("metrics") or {}

    @property
    def number(self) -> int:
        return int(self.record["number"])

    @property
    def status(self) -> TrialStatus | str:
        status: TrialStatus | str = self.record["status"]  # a status's text, in a record
        return status


def rank_records(records: Iterable[R], objective: Objective) -> list[R]:
    """:func:`rank_trials` over record dicts; the ranked dicts themselves, best first."""
    return [view.record for view in rank_trials(map(RecordTrial, records), objective)]


def best_records(records: Iterable[R], objective: Objective, n: int = 1) -> list[R]:
    """The ``n`` best of :func:`rank_records`, best first."""
    return rank_records(records, objective)[: max(0, n)]


__all__ = [
    "RANKED_STATUSES",
    "Rankable",
    "RecordTrial",
    "best_records",
    "best_trials",
    "is_ranked",
    "pareto_front",
    "rank_records",
    "rank_trials",
]
