"""The store's rows as plain Python values: trial records, settings, curve points.

Shared by the study's records, the read model and the exports. Every function takes
an open connection (inside a snapshot or transaction of ``_connection.Database``) and
raises ``UndecodableValue`` for a value that cannot be read back, which the snapshot
turns into an error naming the store.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from tunesmith.store import _codec
from tunesmith.store._base import CurvePoint
from tunesmith.store._connection import UndecodableValue
from tunesmith.trial import TrialStatus

#: Every trials row with its space config (``space``).
SELECT_TRIALS = "SELECT t.*, s.config AS space FROM trials AS t JOIN spaces AS s USING (space_id)"


def decode(text: str, what: str) -> Any:
    """The JSON ``text`` of a stored value; ``what`` names it in the error."""
    try:
        return _codec.loads(text)
    except ValueError as exc:
        raise UndecodableValue(f"{what} are not valid JSON ({exc})") from exc


def trial_record(row: sqlite3.Row, with_space: bool) -> dict[str, Any]:
    """A trials row as the fields of a trial (no HyperParameters needed).

    ``values`` holds the hyperparameter values; ``space`` the space config when
    ``with_space``.
    """
    where = f"trial {row['trial_id']!r}"
    try:
        status = TrialStatus(row["status"])
        score = _codec.join_float(row["score"], row["score_flag"])
    except ValueError as exc:
        raise UndecodableValue(f"{where} holds an invalid value ({exc})") from exc
    record = {
        "trial_id": row["trial_id"],
        "number": row["number"],
        "status": status,
        "score": score,
        "best_step": row["best_step"],
        "metrics": decode(row["metrics"], f"the metrics of {where}"),
        "values": decode(row["hp_values"], f"the hyperparameter values of {where}"),
        "started_at": row["started_at"],
        "ended_at": row["ended_at"],
        "error": row["error"],
        "executions": row["executions"],
        "epochs": row["epochs"],
        "attempts": row["attempts"],
    }
    if with_space:
        record["space"] = decode(row["space"], f"the space config of {where}")
    return record


def stored_score(row: sqlite3.Row) -> float | None:
    """The score of a trials row, non-finite values included."""
    try:
        return _codec.join_float(row["score"], row["score_flag"])
    except ValueError as exc:
        raise UndecodableValue(f"trial {row['trial_id']!r} holds an invalid value ({exc})") from exc


def timed_record(row: sqlite3.Row) -> dict[str, Any]:
    """A trial's record with ``updated_at``, the time of its last write."""
    record = trial_record(row, with_space=False)
    record["updated_at"] = row["updated_at"]
    return record


def trial_records(conn: sqlite3.Connection, with_space: bool) -> list[dict[str, Any]]:
    """Every trial's record, ordered by number."""
    rows = conn.execute(SELECT_TRIALS + " ORDER BY t.number").fetchall()
    return [trial_record(row, with_space) for row in rows]


def study_settings(conn: sqlite3.Connection) -> dict[str, Any] | None:
    """The study's settings, or None before the first save."""
    row = conn.execute("SELECT settings FROM study WHERE id = 1").fetchone()
    return None if row is None else decode(row["settings"], "the study settings")


def curve_rows(conn: sqlite3.Connection, trial_id: str | None) -> sqlite3.Cursor:
    """``(trial_id, execution, step, name, value, flag, number)`` of every logged
    metric, of one trial or of all, by trial number, execution, step, logging order."""
    sql = (
        "SELECT c.trial_id, c.execution, c.step, c.name, c.value, c.flag, t.number "
        "FROM curves AS c JOIN trials AS t USING (trial_id)"
    )
    params: tuple[str, ...] = ()
    if trial_id is not None:
        sql += " WHERE c.trial_id = ?"
        params = (trial_id,)
    return conn.execute(sql + " ORDER BY t.number, c.execution, c.step, c.rowid", params)


def group_points(rows: Iterable[Sequence[Any]]) -> list[CurvePoint]:
    """Curve rows ``(trial_id, execution, step, name, value, flag, ...)``, consecutive
    rows of one step together, as one :class:`CurvePoint` per step."""
    points: list[CurvePoint] = []
    for tid, execution, step, name, value, flag, *_ in rows:
        key = (str(tid), int(execution), int(step))
        if not points or (points[-1].trial_id, points[-1].execution, points[-1].step) != key:
            points.append(CurvePoint(*key, {}))
        number = _codec.join_float(value, flag)
        if number is None:  # never written: append_metrics refuses a missing value
            raise UndecodableValue(f"trial {tid!r} holds a metric {name!r} without a value")
        points[-1].metrics[name] = number
    return points


def curve_points(conn: sqlite3.Connection, trial_id: str | None = None) -> list[CurvePoint]:
    """The steps of one trial or of all, in trial order (see ``Storage.curve_points``)."""
    return group_points(curve_rows(conn, trial_id))
