"""What the dashboard and the report read: records, JSON and cursors over a store.

Plain functions of a connection, to be called inside one snapshot (``Store.snapshot``
or a ``Store`` method that opens one), so a reader can take several of them from one
consistent state. A reader that follows a running search asks for what changed:
trials by the time of their last write (``updated_at``), curve rows by their
position (``rowid``, which only grows).
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from tunesmith.ranking import RANKED_STATUSES
from tunesmith.store import _codec, _rows
from tunesmith.store._base import CurvePoint

# One trials row as the JSON of trial_records() (for rows without non-finite tags; a
# non-finite score is NULL in the table and stays null).
_TRIAL_JSON = (
    "json_object('trial_id', trial_id, 'number', number, 'status', status, 'score', score, "
    "'best_step', best_step, 'metrics', json(metrics), 'values', json(hp_values), "
    "'started_at', started_at, 'ended_at', ended_at, 'error', error, "
    "'executions', executions, 'epochs', epochs, 'attempts', attempts, "
    "'updated_at', updated_at)"
)
# Rows whose stored JSON holds a tagged non-finite float go through Python.
_TAGGED = "(t.hp_values LIKE '%\"$float\"%' OR t.metrics LIKE '%\"$float\"%')"


def trial_metrics(conn: sqlite3.Connection) -> dict[str, dict[str, Any]]:
    """Each trial's metrics at its best step, by trial id (no hyperparameters rebuilt)."""
    rows = conn.execute("SELECT trial_id, metrics FROM trials").fetchall()
    return {
        row["trial_id"]: _rows.decode(row["metrics"], f"the metrics of trial {row['trial_id']!r}")
        for row in rows
    }


def trial_records(
    conn: sqlite3.Connection, updated_after: float | None = None
) -> list[dict[str, Any]]:
    """Every trial as plain values with ``updated_at``, or those written at or after
    ``updated_after`` (see ``Store.trial_records``)."""
    sql = _rows.SELECT_TRIALS
    params: tuple[float, ...] = ()
    if updated_after is not None:
        # >=, not >: two writes can share a timestamp; the reader keeps the newest.
        sql += " WHERE t.updated_at >= ?"
        params = (updated_after,)
    rows = conn.execute(sql + " ORDER BY t.number", params).fetchall()
    return [_rows.timed_record(row) for row in rows]


def trials_json(conn: sqlite3.Connection, updated_after: float | None = None) -> str:
    """:func:`trial_records` as one strict JSON array, mostly written by SQLite itself
    (see ``Store.trials_json``)."""
    since = "1"
    params: tuple[float, ...] = ()
    text: str  # SQLite's JSON array
    if updated_after is not None:
        since, params = "t.updated_at >= ?", (updated_after,)
    try:
        (text,) = conn.execute(
            f"SELECT coalesce(json_group_array(json({_TRIAL_JSON})), '[]') FROM "
            f"(SELECT * FROM trials AS t WHERE {since} AND NOT {_TAGGED} "
            "ORDER BY t.number)",
            params,
        ).fetchone()
        rest = conn.execute(
            f"{_rows.SELECT_TRIALS} WHERE {since} AND {_TAGGED} ORDER BY t.number", params
        ).fetchall()
    except sqlite3.OperationalError as exc:
        if "no such function" not in str(exc):
            raise
        # No JSON functions in this SQLite: every row through Python.
        rest = conn.execute(
            f"{_rows.SELECT_TRIALS} WHERE {since} ORDER BY t.number", params
        ).fetchall()
        text = "[]"
    if not rest:
        return text
    records = [_rows.timed_record(row) for row in rest]
    for record in records:
        record["status"] = record["status"].value
    extra = json.dumps(_codec.strict(records, "trials"), allow_nan=False)
    return extra if text == "[]" else text[:-1] + "," + extra[1:]


def curve_position(conn: sqlite3.Connection) -> int:
    """The position of the newest per-step metric (see :func:`curve_points_after`)."""
    (position,) = conn.execute("SELECT coalesce(max(rowid), 0) FROM curves").fetchone()
    return int(position)


def curve_points_after(conn: sqlite3.Connection, position: int = 0) -> tuple[list[CurvePoint], int]:
    """Per-step metrics written after ``position``, and the position to ask from next
    (see ``Store.curve_points_after``)."""
    rows = conn.execute(
        "SELECT trial_id, execution, step, name, value, flag, rowid FROM curves "
        "WHERE rowid > ? ORDER BY rowid",
        (int(position),),
    ).fetchall()
    if rows:
        position = max(position, max(int(row[6]) for row in rows))
    return _rows.group_points(rows), position


def result_records(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """What ranking reads (``trial_id``, ``number``, ``status`` as text, ``score``,
    ``metrics``) of the trials that have a result, by number: enough to find the best
    trial (``tunesmith.ranking.best_records``) without reading every record."""
    marks = ", ".join("?" for _ in RANKED_STATUSES)
    rows = conn.execute(
        "SELECT trial_id, number, status, score, score_flag, metrics FROM trials "
        f"WHERE status IN ({marks}) ORDER BY number",
        RANKED_STATUSES,
    ).fetchall()
    return [
        {
            "trial_id": row["trial_id"],
            "number": row["number"],
            "status": row["status"],
            "score": _rows.stored_score(row),
            "metrics": _rows.decode(row["metrics"], f"the metrics of trial {row['trial_id']!r}"),
        }
        for row in rows
    ]
