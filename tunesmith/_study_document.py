"""A study as JSON documents, read from a store: what the dashboard serves and the
report embeds, so that both draw their charts from one shape (``web/static/charts.js``).

Every document is strict JSON: non-finite numbers become null (a NaN loss shows as
a gap, and the trial's status says why). A trial in a document is the store's
record (:meth:`~tunesmith.store.Store.trial_records`) with its status as text. The
trials are the bulk of a large study, so their JSON is built by SQLite
(:meth:`~tunesmith.store.Store.trials_json`) and spliced into the document as it is.
Each document is read in one snapshot of the store (the read model's functions), so
its parts agree. The best trial is the tuner's: :func:`tunesmith.ranking.best_records`.

Beside the trials, a study document says what the charts of a study with several
objectives or constraints need (:mod:`tunesmith._tradeoffs`): ``objectives`` (each
``{"name", "direction"}``), ``pareto`` (whether it is a :class:`~tunesmith.Pareto`
study), ``front`` (the front's trial ids, ranked; the best trial alone for one
objective), ``hypervolume`` (its progress over the trials, on normalised objectives;
null for one objective), ``constraints`` (the labels measured), ``broken`` (trial id
→ the labels of the constraints it breaks; a trial not listed is feasible) and
``origins`` (trial id → how a trial the search did not run came in).
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from tunesmith import _tradeoffs
from tunesmith.errors import ObjectiveError
from tunesmith.objective import Objective
from tunesmith.ranking import RecordTrial, best_records, is_ranked
from tunesmith.store import CurvePoint, Store, read_model, strict_json

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
    head = json.dumps(strict_json(document, "study document"), allow_nan=False)
    return head[:-1] + ("," if len(head) > 2 else "") + '"trials":' + trials_text + "}"


def _cursor(trials: list[dict[str, Any]], position: int, since: float | None) -> dict[str, Any]:
    stamps = [t["updated_at"] for t in trials if t.get("updated_at") is not None]
    newest = max(stamps, default=since if since is not None else 0.0)
    return {"trials": max(0.0, newest - CURSOR_OVERLAP_S), "curves": position}


def best_trial(trials: Iterable[Mapping[str, Any]], objective: Objective) -> dict[str, Any] | None:
    """``{"trial_id", "number", "score"}`` of the best trial, as the tuner ranks them
    (:func:`tunesmith.ranking.best_records`), or None before a trial has a score."""
    best = best_records(trials, objective)
    if not best:
        return None
    return {"trial_id": best[0]["trial_id"], "number": best[0]["number"], "score": best[0]["score"]}


def _objective(settings: Mapping[str, Any]) -> dict[str, str]:
    objective = settings.get("objective") or {}
    if isinstance(objective, Mapping) and "name" in objective:
        return {"name": str(objective["name"]), "direction": str(objective.get("direction", "min"))}
    return {"name": "score", "direction": "min"}


def ranking_objective(settings: Mapping[str, Any]) -> Objective:
    """The study's objective, as the tuner ranks its trials with it."""
    try:
        return Objective.from_config(settings["objective"])
    except (KeyError, TypeError, ValueError, ObjectiveError):
        # No objective stored, or one this tunesmith cannot rebuild: rank by its
        # name and direction as the document shows them.
        shown = _objective(settings)
        direction = shown["direction"] if shown["direction"] in ("min", "max") else "min"
        return Objective(shown["name"], direction)


def tradeoffs_document(
    records: list[dict[str, Any]], objective: Objective, settings: Mapping[str, Any]
) -> dict[str, Any]:
    """The objectives, front, hypervolume, constraints, broken ones and origins of a
    study's trials (see the module's docstring)."""
    return {
        "objectives": _tradeoffs.objectives_document(objective),
        "pareto": len(_tradeoffs.objectives_of(objective)) > 1,
        "front": _tradeoffs.front_ids(records, objective),
        "hypervolume": _tradeoffs.hypervolume_progress(records, objective),
        "constraints": _tradeoffs.constraint_labels(records),
        "broken": _tradeoffs.broken_by_trial(records),
        "origins": dict(settings.get("origins") or {}),
    }


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

    Read in one snapshot: the cursor it ends with is where this document's state
    ends, so the changes asked for next leave no gap.
    """
    with store.snapshot() as conn:
        position = read_model.curve_position(conn)
        settings = read_model.study_settings(conn) or {}
        trials_text = read_model.trials_json(conn)
        trials = json.loads(trials_text)
        objective = ranking_objective(settings)
        best = best_trial(trials, objective)
        tradeoffs = tradeoffs_document(trials, objective, settings)
        live = [t["trial_id"] for t in trials if t["status"] == "RUNNING"]
        wanted = list(dict.fromkeys([*live, *([best["trial_id"]] if best else []), *curves_of]))
        points = [p for trial_id in wanted for p in read_model.curve_points(conn, trial_id)]
    document = {
        "key": key,
        "name": store.project_dir.name,
        "running": running,
        "read_at": time.time(),
        "settings": settings,
        "objective": _objective(settings),
        "algorithm": settings.get("algorithm"),
        "space": (settings.get("space") or {}).get("space", []),
        "best": best,
        "curves": curves_document(points),
        "cursor": _cursor(trials, position, None),
        "notes": dict(notes),
        **tradeoffs,
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
    """What was written since a cursor, as JSON text: changed trials, new curve points,
    ``broken`` for the changed trials that break a constraint, and ``best``, ``front``
    and ``hypervolume`` again when a changed trial has a ranked result (they may move).
    """
    with store.snapshot() as conn:
        points, position = read_model.curve_points_after(conn, curves_after)
        trials_text = read_model.trials_json(conn, updated_after=trials_after)
        trials = json.loads(trials_text)
        document: dict[str, Any] = {
            "running": running,
            "read_at": time.time(),
            "curves": curves_document(points),
            "cursor": _cursor(trials, position, trials_after + CURSOR_OVERLAP_S),
            "broken": _tradeoffs.broken_by_trial(trials),
        }
        if any(is_ranked(RecordTrial(t)) for t in trials):
            objective = ranking_objective(read_model.study_settings(conn) or {})
            results = read_model.result_records(conn)
            document["best"] = best_trial(results, objective)
            document["front"] = _tradeoffs.front_ids(results, objective)
            document["hypervolume"] = _tradeoffs.hypervolume_progress(results, objective)
    return _with_trials(document, trials_text)


def project_card(store: Store, key: str, running: bool) -> dict[str, Any]:
    """A line of the studies list: what a person scans for first."""
    with store.snapshot() as conn:
        settings = read_model.study_settings(conn) or {}
        trials = json.loads(read_model.trials_json(conn))
    objective = _objective(settings)
    ranking = ranking_objective(settings)
    stamps = [t["updated_at"] for t in trials if t["updated_at"] is not None]
    return strict_json(
        {
            "key": key,
            "name": store.project_dir.name,
            "running": running,
            "algorithm": settings.get("algorithm"),
            "objective": objective,
            "trials": len(trials),
            "statuses": dict(Counter(t["status"] for t in trials)),
            "best": best_trial(trials, ranking),
            "objectives": _tradeoffs.objectives_document(ranking),
            "front_size": len(_tradeoffs.front_ids(trials, ranking)),
            "infeasible": len(_tradeoffs.broken_by_trial(trials)),
            "updated_at": max(stamps, default=None),
            "problem": None,
        },
        "dashboard card",
    )


def problem_card(key: str, name: str, problem: str) -> dict[str, Any]:
    """The card of a project that cannot be read, saying why and what to do."""
    return {"key": key, "name": name, "problem": problem}
