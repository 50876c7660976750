"""What a study's trade-offs look like to a reader: its objectives, the Pareto front,
the hypervolume over trials, and which trials break a constraint.

Plain functions of the store's record dicts (``trial_id``, ``number``, ``status``,
``score``, ``metrics``; the dashboard's JSON trials, :meth:`Store.trial_records
<tunesmith.store.Store.trial_records>`), shared by the study document
(:mod:`tunesmith._study_document`), the report and ``tunesmith summary``, so all three
show the same front. The front is :func:`tunesmith.ranking.pareto_front`'s: feasible
trials only, in the ranking's order (fronts first, then the objectives in order).

The hypervolume is measured on normalised objectives, so that objectives of different
units weigh alike and the number means the same in every study: each objective is
turned to be minimised and scaled to [0, 1] over the feasible trials that have every
objective (0 the best value seen, 1 the worst), and the reference point is
:data:`HYPERVOLUME_REFERENCE` (1.1) in every objective. The largest possible value is
then ``1.1 ** k`` for ``k`` objectives; the values of one study are comparable with
each other (all scaled by the same trials), not with another study's.

Example:
    >>> from tunesmith import Pareto
    >>> pareto = Pareto(["loss", "model/params"])
    >>> records = [
    ...     {"trial_id": "a", "number": 0, "status": "COMPLETED", "score": 0.1,
    ...      "metrics": {"loss": 0.1, "model/params": 900.0}},
    ...     {"trial_id": "b", "number": 1, "status": "COMPLETED", "score": 0.2,
    ...      "metrics": {"loss": 0.2, "model/params": 100.0}},
    ...     {"trial_id": "c", "number": 2, "status": "INFEASIBLE", "score": None,
    ...      "metrics": {"model/params": 5000.0, "constraint/model/params<=1000": 4000.0}},
    ... ]
    >>> front_ids(records, pareto), broken_by_trial(records)
    (['a', 'b'], {'c': ['model/params<=1000']})
    >>> [round(v, 2) for v in hypervolume_progress(records, pareto)["values"]]
    [0.11, 0.21]
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from tunesmith.constraints import CONSTRAINT_PREFIX, broken_constraints, is_feasible
from tunesmith.objective import MODEL_METRIC_PREFIX, Objective, Pareto
from tunesmith.pareto import hypervolume_history
from tunesmith.ranking import RecordTrial, pareto_front
from tunesmith.trial import TrialStatus

#: The reference point of the hypervolume, in every normalised objective.
HYPERVOLUME_REFERENCE = 1.1
#: The model metrics, in the order tables show them (others after, by name).
MODEL_METRICS = ("model/params", "model/bytes", "model/latency_ms")


def objectives_of(objective: Objective) -> list[Objective]:
    """The objectives a study optimises: a Pareto objective's, else the one."""
    return list(objective.objectives) if isinstance(objective, Pareto) else [objective]


def objectives_document(objective: Objective) -> list[dict[str, str]]:
    """``[{"name", "direction"}]`` of every objective, in order."""
    return [{"name": o.name, "direction": o.direction} for o in objectives_of(objective)]


def front_ids(records: Iterable[Mapping[str, Any]], objective: Objective) -> list[str]:
    """The trial ids of the Pareto front (the best trial for one objective), ranked."""
    return [
        str(view.record["trial_id"]) for view in pareto_front(map(RecordTrial, records), objective)
    ]


def broken_by_trial(records: Iterable[Mapping[str, Any]]) -> dict[str, list[str]]:
    """The labels of the constraints each trial breaks, for the trials that break one."""
    out: dict[str, list[str]] = {}
    for record in records:
        broken = broken_constraints(record.get("metrics"))
        if broken:
            out[str(record["trial_id"])] = broken
    return out


def constraint_labels(records: Iterable[Mapping[str, Any]]) -> list[str]:
    """The labels of the constraints the trials were measured against, first seen first."""
    labels: dict[str, None] = {}
    for record in records:
        for name in record.get("metrics") or {}:
            if name.startswith(CONSTRAINT_PREFIX):
                labels[name[len(CONSTRAINT_PREFIX) :]] = None
    return list(labels)


def model_metric_names(records: Iterable[Mapping[str, Any]]) -> list[str]:
    """The ``model/*`` metrics some trial has: the known ones in order, then others."""
    seen = {
        name
        for record in records
        for name in record.get("metrics") or {}
        if name.startswith(MODEL_METRIC_PREFIX)
    }
    return [n for n in MODEL_METRICS if n in seen] + sorted(seen.difference(MODEL_METRICS))


def _has_result(record: Mapping[str, Any]) -> bool:
    try:
        return TrialStatus(record["status"]).has_result
    except ValueError:
        return False


def _finite_values(metrics: Mapping[str, Any], names: Sequence[str]) -> bool:
    return all(
        isinstance(metrics.get(name), (int, float)) and math.isfinite(metrics[name])
        for name in names
    )


def hypervolume_progress(
    records: Iterable[Mapping[str, Any]], objective: Objective
) -> dict[str, Any] | None:
    """The hypervolume of the feasible trials so far after each trial with a result.

    ``{"numbers", "trial_ids", "values", "reference", "best", "worst"}``: the trials in
    number order, the normalised hypervolume after each, the reference point, and the
    values each objective was scaled by (best and worst seen, in its own direction).
    None for a single objective or before a feasible trial has every objective.
    """
    if not isinstance(objective, Pareto):
        return None
    names = objective.names
    chosen = sorted(
        (r for r in records if _has_result(r) and _finite_values(r.get("metrics") or {}, names)),
        key=lambda r: int(r["number"]),
    )
    feasible = [is_feasible(r.get("metrics")) for r in chosen]
    if not any(feasible):
        return None
    points = np.array([objective.minimised(r["metrics"]) for r in chosen], dtype=float)
    kept = points[np.asarray(feasible)]
    low, high = kept.min(axis=0), kept.max(axis=0)
    span = np.where(high > low, high - low, 1.0)
    normalised = (points - low) / span
    reference = np.full(len(names), HYPERVOLUME_REFERENCE)
    signs = np.array([1.0 if o.direction == "min" else -1.0 for o in objective.objectives])
    return {
        "numbers": [int(r["number"]) for r in chosen],
        "trial_ids": [str(r["trial_id"]) for r in chosen],
        "values": hypervolume_history(normalised, reference, feasible),
        "reference": reference.tolist(),
        "best": (low * signs).tolist(),
        "worst": (high * signs).tolist(),
    }


def summary_lines(settings: Mapping[str, Any], records: Sequence[Mapping[str, Any]]) -> list[str]:
    """What ``tunesmith summary`` adds for a study with several objectives, constraints
    or trials it did not run: the objectives, the front, the constraints broken."""
    lines: list[str] = []
    try:
        objective = Objective.from_config(settings["objective"])
    except Exception:
        objective = None
    if isinstance(objective, Pareto):
        listed = ", ".join(f"{o.name} ({o.direction})" for o in objective.objectives)
        front = front_ids(records, objective)
        lines += [f"Objectives: {listed}", f"Pareto front: {len(front)} trial(s)"]
        by_id = {str(r["trial_id"]): r for r in records}
        for trial_id in front:
            metrics = by_id[trial_id].get("metrics") or {}
            values = ", ".join(f"{n}={_number(metrics.get(n))}" for n in objective.names)
            lines.append(f"  trial {trial_id}: {values}")
    labels = constraint_labels(records)
    declared = settings.get("constraints") or []
    if labels or declared:
        broken = broken_by_trial(records)
        untrained = sum(1 for r in records if r["status"] == TrialStatus.INFEASIBLE.value)
        counts: dict[str, int] = {}
        for trial_labels in broken.values():
            for label in trial_labels:
                counts[label] = counts.get(label, 0) + 1
        lines.append(f"Constraints: {', '.join(labels) or f'{len(declared)} declared'}")
        detail = "; ".join(f"{label}: {n}" for label, n in counts.items())
        lines.append(
            f"Infeasible: {len(broken)} trial(s), {untrained} never trained"
            + (f" (broken: {detail})" if detail else "")
        )
    origins = settings.get("origins") or {}
    if origins:
        kinds: dict[str, int] = {}
        for origin in origins.values():
            kind = str(origin).split(":")[0]
            kinds[kind] = kinds.get(kind, 0) + 1
        listed = ", ".join(f"{n} {kind}" for kind, n in kinds.items())
        lines.append(f"Trials not run by this search: {listed}")
    return lines


def _number(value: object) -> str:
    return f"{value:.6g}" if isinstance(value, (int, float)) else "-"


__all__ = [
    "HYPERVOLUME_REFERENCE",
    "MODEL_METRICS",
    "broken_by_trial",
    "constraint_labels",
    "front_ids",
    "hypervolume_progress",
    "model_metric_names",
    "objectives_document",
    "objectives_of",
    "summary_lines",
]
