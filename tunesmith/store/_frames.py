"""Store contents as pandas frames and export files.

Kept apart from the store so that pandas is imported only when a frame is asked for.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from tunesmith import _tradeoffs
from tunesmith.constraints import CONSTRAINT_PREFIX, broken_constraints, is_feasible
from tunesmith.store import _codec

if TYPE_CHECKING:
    from tunesmith.trial import Trial

#: The fixed columns of :meth:`Store.results_frame`, before the hyperparameters.
RESULT_COLUMNS = (
    "trial_id",
    "number",
    "status",
    "score",
    "best_step",
    "epochs",
    "executions",
    "seconds",
    "started_at",
    "ended_at",
    "error",
)
CURVE_COLUMNS = ("trial_id", "execution", "step")
HP_PREFIX = "hp:"
METRIC_PREFIX = "metric:"
#: Model metrics that count things: integer columns (nullable) in the frame.
_COUNTS = ("model/params", "model/bytes")
#: The frame's ``attrs`` key listing its hyperparameter columns, in order.
HYPERPARAMETERS_ATTR = "hyperparameters"


def _strings(values: Sequence[object]) -> pd.Series:
    # astype(str) gives the same dtype an inferred non-empty column gets (object in
    # pandas 2, the string dtype in pandas 3), so empty and full frames agree.
    return pd.Series(list(values), dtype=object).astype(str)


def _timestamps(values: Sequence[float | None]) -> pd.Series:
    seconds = pd.Series(list(values), dtype="float64")
    return pd.to_datetime(seconds, unit="s", utc=True)


def last_line(text: str | None) -> str | None:
    """The last non-blank line of a traceback: the exception and its message."""
    if text is None:
        return None
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""


def trial_record(trial: Trial) -> dict[str, Any]:
    """A :class:`~tunesmith.trial.Trial` as the record :func:`results_frame` reads."""
    fields = ("trial_id", "number", "status", "score", "best_step", "epochs", "executions")
    record = {name: getattr(trial, name) for name in fields}
    record.update(
        started_at=trial.started_at,
        ended_at=trial.ended_at,
        error=trial.error,
        values=dict(trial.values),
        metrics=dict(trial.metrics or {}),
    )
    return record


def results_frame(
    records: Sequence[dict[str, Any]], settings: Mapping[str, Any] | None = None
) -> pd.DataFrame:
    """One row per trial record (see ``Store._record``), in the given order.

    After the fixed columns (:data:`RESULT_COLUMNS`) come, where the study has them,
    the columns of its trade-offs (:func:`metric_columns`), then one column per
    hyperparameter (listed in ``frame.attrs["hyperparameters"]``).
    """
    started = [r["started_at"] for r in records]
    ended = [r["ended_at"] for r in records]
    columns: dict[str, pd.Series] = {
        "trial_id": _strings([r["trial_id"] for r in records]),
        "number": pd.Series([r["number"] for r in records], dtype="int64"),
        "status": _strings([r["status"].value for r in records]),
        "score": pd.Series([r["score"] for r in records], dtype="float64"),
        "best_step": pd.Series([r["best_step"] for r in records], dtype="Int64"),
        "epochs": pd.Series([r["epochs"] for r in records], dtype="int64"),
        "executions": pd.Series([r["executions"] for r in records], dtype="int64"),
        "seconds": pd.Series(
            [
                None if s is None or e is None else e - s
                for s, e in zip(started, ended, strict=True)
            ],
            dtype="float64",
        ),
        "started_at": _timestamps(started),
        "ended_at": _timestamps(ended),
        # object keeps None (no error) apart from an empty message.
        "error": pd.Series([last_line(r["error"]) for r in records], dtype=object),
    }
    columns.update(metric_columns(records, settings or {}, set(columns)))
    names: dict[str, None] = {}  # hyperparameter names in order of first appearance
    for record in records:
        names.update(dict.fromkeys(record["values"]))
    hyperparameters = []
    declared = declared_types(settings or {})
    for name in names:
        column = HP_PREFIX + name if name in columns else name
        # Inactive (conditional) hyperparameters are missing from a trial's values.
        values = [r["values"].get(name) for r in records]
        columns[column] = _hyperparameter_series(values, declared.get(name))
        hyperparameters.append(column)
    frame = pd.DataFrame(columns)
    frame.attrs[HYPERPARAMETERS_ATTR] = hyperparameters
    return frame


def declared_types(settings: Mapping[str, Any]) -> dict[str, str]:
    """The type of each hyperparameter the stored space declares, by name
    (``{"units": "Int", "lr": "Float"}``); empty when the settings hold no space.

    Example:
        >>> units = {"class_name": "Int", "config": {"name": "units"}}
        >>> declared_types({"space": {"space": [units]}})
        {'units': 'Int'}
    """
    space = settings.get("space")
    items = space.get("space") if isinstance(space, Mapping) else space
    out: dict[str, str] = {}
    for item in items if isinstance(items, Sequence) else ():
        if isinstance(item, Mapping) and isinstance(item.get("config"), Mapping):
            name = item["config"].get("name")
            if isinstance(name, str):
                out[name] = str(item.get("class_name"))
    return out


def _hyperparameter_series(values: Sequence[object], declared: str | None) -> pd.Series:
    """One hyperparameter's column in its declared type: an ``Int`` stays integer (the
    nullable ``Int64`` where a conditional value is missing, never floats such as
    ``16.0``), a ``Boolean`` stays boolean. Without a declaration (an older store), a
    column whose values are all integers is read as one."""
    present = [v for v in values if v is not None]
    integers = all(isinstance(v, int) and not isinstance(v, bool) for v in present)
    whole = all(
        isinstance(v, (int, float)) and not isinstance(v, bool) and float(v).is_integer()
        for v in present
    )
    if present and (integers or (declared == "Int" and whole)):
        dtype = "int64" if len(present) == len(values) else "Int64"
        numbers = [int(v) if isinstance(v, (int, float)) else None for v in values]
        return pd.Series(numbers, dtype=dtype)
    if present and declared == "Boolean" and all(isinstance(v, bool) for v in present):
        return pd.Series(list(values), dtype="bool" if len(present) == len(values) else "boolean")
    return pd.Series(list(values))


def metric_columns(
    records: Sequence[Mapping[str, Any]], settings: Mapping[str, Any], taken: set[str]
) -> dict[str, pd.Series]:
    """The columns of a study's trade-offs, each where the study has it:

    * every objective of a Pareto study, by its metric name (``metric:<name>`` when
      that is a fixed column's name);
    * the model metrics (``model/params``, ``model/bytes``, ``model/latency_ms``;
      the first two as integers);
    * each constraint's value, ``constraint/<label>`` (``<= 0`` when it holds), and
      ``feasible`` (missing for a trial not measured against them, such as a failed one);
    * ``origin``: how a trial that this search did not run came in (``added``,
      ``keras-tuner: ...``), missing for the trials it ran.
    """
    metrics = [r.get("metrics") or {} for r in records]
    names: list[str] = []
    objective = settings.get("objective")
    if isinstance(objective, Mapping) and objective.get("pareto"):
        names += [str(o["name"]) for o in objective["pareto"]]
    names += [n for n in _tradeoffs.model_metric_names(records) if n not in names]
    labels = _tradeoffs.constraint_labels(records)
    names += [CONSTRAINT_PREFIX + label for label in labels]
    out: dict[str, pd.Series] = {}
    for name in names:
        column = METRIC_PREFIX + name if name in taken else name
        out[column] = _metric_series([m.get(name) for m in metrics], name in _COUNTS)
    if labels or settings.get("constraints"):
        measured = [any(k.startswith(CONSTRAINT_PREFIX) for k in m) for m in metrics]
        out["feasible"] = pd.Series(
            [is_feasible(m) if seen else None for m, seen in zip(metrics, measured, strict=True)],
            dtype="boolean",
        )
        out["broken_constraints"] = pd.Series(
            [", ".join(broken_constraints(m)) or None for m in metrics], dtype=object
        )
    origins = settings.get("origins") or {}
    if origins:
        out["origin"] = pd.Series([origins.get(str(r["trial_id"])) for r in records], dtype=object)
    return out


def _metric_series(values: Sequence[object], counts: bool) -> pd.Series:
    numbers = [float(v) if isinstance(v, (int, float)) else math.nan for v in values]
    present = [v for v in numbers if not math.isnan(v)]
    if counts and all(math.isfinite(v) and v.is_integer() for v in present):
        return pd.Series([None if math.isnan(v) else int(v) for v in numbers], dtype="Int64")
    return pd.Series(numbers, dtype="float64")


def curves_frame(rows: Sequence[tuple[Any, ...]]) -> pd.DataFrame:
    """Wide curves from ``(trial_id, execution, step, name, value, flag, number)`` rows
    ordered by number, execution, step and logging order. A metric named ``trial_id``,
    ``execution`` or ``step`` gets the column ``metric:<name>``."""
    if not rows:
        return pd.DataFrame(
            {
                "trial_id": _strings([]),
                "execution": pd.Series([], dtype="int64"),
                "step": pd.Series([], dtype="int64"),
            }
        )
    trial_ids, executions, steps, names, values, flags, numbers = zip(*rows, strict=True)
    value = np.array(
        [_codec.join_float(v, f) for v, f in zip(values, flags, strict=True)], dtype="float64"
    )
    long = pd.DataFrame(
        {
            "number": np.asarray(numbers, dtype="int64"),
            "trial_id": list(trial_ids),
            "execution": np.asarray(executions, dtype="int64"),
            "step": np.asarray(steps, dtype="int64"),
            "name": list(names),
            "value": value,
        }
    )
    order = list(dict.fromkeys(names))  # metric columns in the order first logged
    wide = long.pivot(
        index=["number", "trial_id", "execution", "step"], columns="name", values="value"
    )
    wide = wide.sort_index().reindex(columns=order)
    # A metric named like an index column (a custom objective logging "step") would
    # collide with it once the index becomes columns.
    wide = wide.rename(columns={n: METRIC_PREFIX + n for n in order if n in CURVE_COLUMNS})
    wide = wide.reset_index().drop(columns="number")
    wide.columns.name = None
    wide["trial_id"] = wide["trial_id"].astype(object).astype(str)
    return wide


def json_document(
    version: int,
    study: dict[str, Any] | None,
    records: Sequence[dict[str, Any]],
    curves: dict[str, list[dict[str, Any]]],
) -> str:
    """The JSON export: strict JSON, non-finite numbers as null.

    Under constraints each trial also says whether it is ``feasible`` (null when not
    measured against them) and which it breaks (``broken_constraints``); where some
    trials were not run by the search, each says its ``origin`` (null for the others).
    """
    origins = (study or {}).get("origins") or {}
    constrained = bool((study or {}).get("constraints")) or bool(
        _tradeoffs.constraint_labels(records)
    )
    trials = []
    for record in records:
        metrics = record["metrics"] or {}
        measured = any(name.startswith(CONSTRAINT_PREFIX) for name in metrics)
        extra: dict[str, Any] = {}
        if constrained:
            extra["feasible"] = is_feasible(metrics) if measured else None
            extra["broken_constraints"] = broken_constraints(metrics)
        if origins:
            extra["origin"] = origins.get(record["trial_id"])
        started, ended = record["started_at"], record["ended_at"]
        trials.append(
            {
                "trial_id": record["trial_id"],
                "number": record["number"],
                "status": record["status"].value,
                "score": record["score"],
                "best_step": record["best_step"],
                "epochs": record["epochs"],
                "executions": record["executions"],
                "attempts": record["attempts"],
                "started_at": started,
                "ended_at": ended,
                "seconds": None if started is None or ended is None else ended - started,
                "error": record["error"],
                "values": record["values"],
                "space": record["space"],
                "metrics": record["metrics"],
                **extra,
                "curves": curves.get(record["trial_id"], []),
            }
        )
    document = {"tunesmith_store_version": version, "study": study, "trials": trials}
    return json.dumps(_codec.strict(document), allow_nan=False, ensure_ascii=False, indent=2) + "\n"


def write_atomically(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` via a temporary file, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
