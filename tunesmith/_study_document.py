"""A study as JSON documents, read from a store: what the dashboard serves and the
report embeds, so that both draw their charts from one shape (``web/static/charts.js``).

Every document is strict JSON: non-finite numbers become null (a NaN loss shows as
a gap, and the trial's status says why). A trial in a document is the store's
record (:meth:`~tunesmith.store.Store.trial_records`) with its status as text. The
trials are the bulk of a large study, so their JSON is built by SQLite
(:meth:`~tunesmith.store.Store.trials_json`) and spliced into the document as it is.
"""

from __future__ import annotations

import json
import math
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from tunesmith.store import CurvePoint, Store
from tunesmith.store._codec import strict

#: The chart specifications and the charting library (vendored ECharts), shared by
#: the dashboard's page and the report.
STATIC_DIR = Path(__file__).parent / "web" / "static"
CHART_SCRIPTS = (STATIC_DIR / "vendor" / "echarts.min.js", STATIC_DIR / "charts.js")

# A trial's updated_at comes from the writer's clock; asking again from a little
# before the newest one seen never misses a write that shared or raced its time.
CURSOR_OVERLAP_S = 1.0


def curves_document(points: Iterable[CurvePoint]) -> dict[str, list[list[Any]]]:
    """Per trial id: ``[execution, step, {metric: value}]`` rows in writing order."""
    out: dict[str, list[list[Any]]] = {}
    for point in points:
        out.setdefault(point.trial_id, []).append([point.execution, point.step, point.metrics])
    return out


def _with_trials(document: Mapping[str, Any], trials_text: str) -> str:
    """``document`` as JSON with ``"trials"`` last, its JSON text spliced in unparsed."""
    head = json.dumps(strict(document, "study document"), allow_nan=False)
    return head[:-1] + ("," if len(head) > 2 else "") + '"trials":' + trials_text + "}"


def _cursor(trials: list[dict[str, Any]], position: int, since: float | None) -> dict[str, Any]:
    stamps = [t["updated_at"] for t in trials if t.get("updated_at") is not None]
    newest = max(stamps, default=since if since is not None else 0.0)
    return {"trials": max(0.0, newest - CURSOR_OVERLAP_S), "curves": position}


def best_trial(trials: Iterable[Mapping[str, Any]], direction: str) -> dict[str, Any] | None:
    """``{"trial_id", "number", "score"}`` of the best completed trial (ties: the first)."""
    scored = [
        t
        for t in trials
        if t["status"] == "COMPLETED" and t["score"] is not None and math.isfinite(t["score"])
    ]
    if not scored:
        return None
    sign = 1.0 if direction == "min" else -1.0
    best = min(scored, key=lambda t: (sign * t["score"], t["number"]))
    return {"trial_id": best["trial_id"], "number": best["number"], "score": best["score"]}


def _objective(settings: Mapping[str, Any]) -> dict[str, str]:
    objective = settings.get("objective") or {}
    if isinstance(objective, Mapping) and "name" in objective:
        return {"name": str(objective["name"]), "direction": str(objective.get("direction", "min"))}
    return {"name": "score", "direction": "min"}


def study_json(
    store: Store,
    key: str,
    running: bool,
    notes: Mapping[str, Any],
    curves_of: Iterable[str] = (),
) -> str:
    """Everything a study view needs at first paint, as JSON text: the settings, every
    trial, and the curves of the running trials, the best one and those in
    ``curves_of`` (the page asks for others when it needs them).

    The curves position is read before the trials, so the changes asked for next
    overlap this document rather than leave a gap.
    """
    position = store.curve_position()
    settings = store.load_study() or {}
    trials_text = store.trials_json()
    trials = json.loads(trials_text)
    objective = _objective(settings)
    live = [t["trial_id"] for t in trials if t["status"] == "RUNNING"]
    best = best_trial(trials, objective["direction"])
    wanted = list(dict.fromkeys([*live, *([best["trial_id"]] if best else []), *curves_of]))
    points = [p for trial_id in wanted for p in store.curve_points(trial_id)]
    document = {
        "key": key,
        "name": store.project_dir.name,
        "running": running,
        "read_at": time.time(),
        "settings": settings,
        "objective": objective,
        "algorithm": settings.get("algorithm"),
        "space": (settings.get("space") or {}).get("space", []),
        "best": best,
        "curves": curves_document(points),
        "cursor": _cursor(trials, position, None),
        "notes": dict(notes),
    }
    return _with_trials(document, trials_text)


def study_document(
    store: Store,
    key: str,
    running: bool,
    notes: Mapping[str, Any],
    curves_of: Iterable[str] = (),
) -> dict[str, Any]:
    """:func:`study_json` as Python values (what the report embeds and adds to)."""
    return json.loads(study_json(store, key, running, notes, curves_of))


def changes_json(store: Store, trials_after: float, curves_after: int, running: bool) -> str:
    """What was written since a cursor, as JSON text: changed trials, new curve points."""
    points, position = store.curve_points_after(curves_after)
    trials_text = store.trials_json(updated_after=trials_after)
    trials = json.loads(trials_text)
    document = {
        "running": running,
        "read_at": time.time(),
        "curves": curves_document(points),
        "cursor": _cursor(trials, position, trials_after + CURSOR_OVERLAP_S),
    }
    return _with_trials(document, trials_text)


def project_card(store: Store, key: str, running: bool) -> dict[str, Any]:
    """A line of the studies list: what a person scans for first."""
    settings = store.load_study() or {}
    trials = json.loads(store.trials_json())
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
            "best": best_trial(trials, objective["direction"]),
            "updated_at": max(stamps, default=None),
            "problem": None,
        },
        "dashboard card",
    )


def problem_card(key: str, name: str, problem: str) -> dict[str, Any]:
    """The card of a project that cannot be read, saying why and what to do."""
    return {"key": key, "name": name, "problem": problem}
