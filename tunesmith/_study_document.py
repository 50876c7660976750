"""A study as JSON documents, read from a store: what the dashboard serves and the
report embeds, so that both draw their charts from one shape (``web/static/charts.js``).

Every document is strict JSON: non-finite numbers become null (a NaN loss shows as
a gap, and the trial's status says why).
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from tunesmith.store import CurvePoint, Store
from tunesmith.store._codec import strict
from tunesmith.trial import TrialStatus

#: The chart specifications and the charting library (vendored ECharts), shared by
#: the dashboard's page and the report.
STATIC_DIR = Path(__file__).parent / "web" / "static"
CHART_SCRIPTS = (STATIC_DIR / "vendor" / "echarts.min.js", STATIC_DIR / "charts.js")

# A trial's updated_at comes from the writer's clock; asking again from a little
# before the newest one seen never misses a write that shared or raced its time.
CURSOR_OVERLAP_S = 1.0


def trial_document(record: Mapping[str, Any]) -> dict[str, Any]:
    """One trial, as the table and the charts read it."""
    status = record["status"]
    return {
        "id": record["trial_id"],
        "number": record["number"],
        "status": status.value if isinstance(status, TrialStatus) else str(status),
        "score": record["score"],
        "best_step": record["best_step"],
        "epochs": record["epochs"],
        "executions": record["executions"],
        "attempts": record["attempts"],
        "started_at": record["started_at"],
        "ended_at": record["ended_at"],
        "updated_at": record.get("updated_at"),
        "error": record["error"],
        "values": record["values"],
        "metrics": record["metrics"],
    }


def curves_document(points: Iterable[CurvePoint]) -> dict[str, list[list[Any]]]:
    """Per trial id: ``[execution, step, {metric: value}]`` rows in writing order."""
    out: dict[str, list[list[Any]]] = {}
    for point in points:
        out.setdefault(point.trial_id, []).append([point.execution, point.step, point.metrics])
    return out


def _cursor(trials: list[dict[str, Any]], position: int, since: float | None) -> dict[str, Any]:
    stamps = [t["updated_at"] for t in trials if t.get("updated_at") is not None]
    newest = max(stamps, default=since if since is not None else 0.0)
    return {"trials": max(0.0, newest - CURSOR_OVERLAP_S), "curves": position}


def _best(trials: list[dict[str, Any]], direction: str) -> dict[str, Any] | None:
    scored = [
        t
        for t in trials
        if t["status"] == "COMPLETED" and t["score"] is not None and math.isfinite(t["score"])
    ]
    if not scored:
        return None
    sign = 1.0 if direction == "min" else -1.0
    best = min(scored, key=lambda t: (sign * t["score"], t["number"]))  # ties: the first
    return {"id": best["id"], "number": best["number"], "score": best["score"]}


def _objective(settings: Mapping[str, Any]) -> dict[str, str]:
    objective = settings.get("objective") or {}
    if isinstance(objective, Mapping) and "name" in objective:
        return {"name": str(objective["name"]), "direction": str(objective.get("direction", "min"))}
    return {"name": "score", "direction": "min"}


def study_document(
    store: Store,
    key: str,
    running: bool,
    notes: Mapping[str, Any],
    curves_of: Iterable[str] = (),
) -> dict:
    """Everything a study view needs at first paint: curves of the running trials, the
    best one and those in ``curves_of``, not all (the page asks for more).

    The curves position is read before the trials, so the changes asked for next
    overlap this document rather than leave a gap.
    """
    position = store.curve_position()
    settings = store.load_study() or {}
    trials = [trial_document(r) for r in store.trial_records()]
    objective = _objective(settings)
    live = [t["id"] for t in trials if t["status"] == "RUNNING"]
    best = _best(trials, objective["direction"])
    wanted = list(dict.fromkeys([*live, *([best["id"]] if best else []), *curves_of]))
    points = [p for trial_id in wanted for p in store.curve_points(trial_id)]
    return strict(
        {
            "key": key,
            "name": store.project_dir.name,
            "running": running,
            "read_at": time.time(),
            "settings": settings,
            "objective": objective,
            "algorithm": settings.get("algorithm"),
            "space": (settings.get("space") or {}).get("space", []),
            "trials": trials,
            "best": best,
            "curves": curves_document(points),
            "cursor": _cursor(trials, position, None),
            "notes": dict(notes),
        },
        "dashboard study",
    )


def changes_document(
    store: Store, trials_after: float, curves_after: int, running: bool
) -> dict[str, Any]:
    """What was written since a cursor: changed trials and new curve points."""
    points, position = store.curve_points_after(curves_after)
    trials = [trial_document(r) for r in store.trial_records(updated_after=trials_after)]
    return strict(
        {
            "running": running,
            "read_at": time.time(),
            "trials": trials,
            "curves": curves_document(points),
            "cursor": _cursor(trials, position, trials_after + CURSOR_OVERLAP_S),
        },
        "dashboard changes",
    )


def project_card(store: Store, key: str, running: bool) -> dict[str, Any]:
    """A line of the studies list: what a person scans for first."""
    settings = store.load_study() or {}
    trials = [trial_document(r) for r in store.trial_records()]
    objective = _objective(settings)
    stamps = [t["updated_at"] for t in trials if t["updated_at"] is not None]
    return strict(
        {
            "key": key,
            "name": store.project_dir.name,
            "running": running,
            "algorithm": settings.get("algorithm"),
            "objective": objective,
            "trials": len(trials),
            "statuses": dict(Counter(t["status"] for t in trials)),
            "best": _best(trials, objective["direction"]),
            "updated_at": max(stamps, default=None),
            "problem": None,
        },
        "dashboard card",
    )


def problem_card(key: str, name: str, problem: str) -> dict[str, Any]:
    """The card of a project that cannot be read, saying why and what to do."""
    return {"key": key, "name": name, "problem": problem}
