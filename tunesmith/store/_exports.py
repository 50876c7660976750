"""A store's results as pandas frames, CSV and JSON.

Plain functions of a connection inside one snapshot; the frames themselves are built
by ``_frames`` (which also builds them from trials in memory, without a store).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from tunesmith.store import _frames, _rows, _schema

if TYPE_CHECKING:
    import pandas as pd

ExportFormat = Literal["csv", "json"]


def results_frame(conn: sqlite3.Connection) -> pd.DataFrame:
    """One row per trial, in creation order (see ``Store.results_frame``)."""
    records = _rows.trial_records(conn, with_space=False)
    return _frames.results_frame(records, _rows.study_settings(conn))


def curves_frame(conn: sqlite3.Connection, trial_id: str | None = None) -> pd.DataFrame:
    """Per-step metrics as a wide frame, of one trial or of all (see ``Store.load_curves``)."""
    return _frames.curves_frame([tuple(row) for row in _rows.curve_rows(conn, trial_id)])


def export_format(path: Path, format: str | None) -> ExportFormat:
    """``format``, or the one ``path``'s suffix names; ``ValueError`` for another."""
    fmt = (format or path.suffix.lstrip(".")).lower()
    if fmt not in ("csv", "json"):
        raise ValueError(
            f"Cannot export to {path.name!r} as {fmt!r}: pass format='csv' or "
            "format='json' (or a path ending in .csv or .json)."
        )
    return fmt  # type: ignore[return-value]


def export_text(conn: sqlite3.Connection, format: ExportFormat) -> str:
    """The results as CSV (:func:`results_frame`) or as the JSON document of everything
    (see ``Store.export``)."""
    if format == "csv":
        csv: str = results_frame(conn).to_csv(index=False)
        return csv
    if format == "json":
        study = _rows.study_settings(conn)
        records = _rows.trial_records(conn, with_space=True)
        return _frames.json_document(_schema.SCHEMA_VERSION, study, records, _curves_by_trial(conn))
    raise ValueError(f"Cannot export as {format!r}: pass format='csv' or format='json'.")


def _curves_by_trial(conn: sqlite3.Connection) -> dict[str, list[dict[str, Any]]]:
    """Per trial id: ``[{"execution", "step", "metrics"}]`` in logging order."""
    out: dict[str, list[dict[str, Any]]] = {}
    for point in _rows.curve_points(conn):
        out.setdefault(point.trial_id, []).append(
            {"execution": point.execution, "step": point.step, "metrics": point.metrics}
        )
    return out
