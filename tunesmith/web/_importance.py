"""Hyperparameter importance for the dashboard, computed by the report's method."""

from __future__ import annotations

from typing import Any

from tunesmith.space import HyperParameters
from tunesmith.store import Store


def importance_document(store: Store) -> dict[str, Any]:
    """``{"names", "shares", "trials"}``, or ``{"message"}`` saying why there is none.

    Uses :func:`tunesmith.report.hyperparameter_importance` (a random forest and
    permutation importance), so the dashboard and the report agree.
    """
    try:
        from tunesmith.report.importance import hyperparameter_importance
    except ImportError as exc:
        return {"message": f"{exc} (importance needs the report extra)."}
    settings = store.load_study() or {}
    try:
        space = HyperParameters.from_config(settings["space"])
        direction = settings["objective"]["direction"]
    except (KeyError, TypeError):
        return {"message": "This study stores no search space or objective direction."}
    try:
        shares = hyperparameter_importance(store.results_frame(), space, direction)
    except ValueError as exc:
        return {"message": str(exc)}
    return {
        "names": [str(name) for name in shares.index],
        "shares": [float(share) for share in shares],
        "trials": int(shares.attrs.get("trials", 0)),
    }
