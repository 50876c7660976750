"""Hyperparameter importance for the dashboard, computed by the report's method."""

from __future__ import annotations

from typing import Any

from tunesmith.space import HyperParameters
from tunesmith.store import Store

#: Finished trials the importance model is fitted on at most (the most recent):
#: more changes the shares little and costs the dashboard's machine seconds.
MAX_TRIALS = 2000


def importance_document(store: Store) -> dict[str, Any]:
    """``{"names", "shares", "trials", "caveat"}``, or ``{"message"}`` saying why there
    is none. ``caveat``: the report's warning when the shares rest on few trials
    (:data:`tunesmith.report.importance.FEW_TRIALS`), else None.

    Uses :func:`tunesmith.report.hyperparameter_importance` (a random forest and
    permutation importance), so the dashboard and the report agree; on the last
    2 000 finished trials of a larger study.
    """
    try:
        from tunesmith.report.importance import few_trials_caveat, hyperparameter_importance
    except ImportError as exc:
        return {"message": f"{exc} (importance needs the report extra)."}
    settings = store.load_study() or {}
    try:
        space = HyperParameters.from_config(settings["space"])
        direction = settings["objective"]["direction"]
    except (KeyError, TypeError):
        return {"message": "This study stores no search space or objective direction."}
    try:
        results = store.results_frame()
        finished = results[results["status"].isin(["COMPLETED", "STOPPED"])]
        shares = hyperparameter_importance(finished.tail(MAX_TRIALS), space, direction)
    except ValueError as exc:
        return {"message": str(exc)}
    trials = int(shares.attrs.get("trials", 0))
    return {
        "names": [str(name) for name in shares.index],
        "shares": [float(share) for share in shares],
        "trials": trials,
        "caveat": few_trials_caveat(trials),
    }
