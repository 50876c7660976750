"""The study's records in SQLite: its settings, its trials and their curves.

Writes take the ``Database`` and are one write transaction each (all of it is
stored, or none); reads take a connection inside the caller's snapshot, so several
of them can see one state.
"""

from __future__ import annotations

import hashlib
import operator
import sqlite3
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from tunesmith.errors import StoreError
from tunesmith.store import _codec, _rows
from tunesmith.store._connection import Database
from tunesmith.store._paths import check_trial_id
from tunesmith.trial import Trial, TrialStatus

if TYPE_CHECKING:
    from tunesmith.space import HyperParameters

_TRIAL_COLUMNS = (
    "trial_id",
    "number",
    "status",
    "score",
    "score_flag",
    "best_step",
    "metrics",
    "hp_values",
    "space_id",
    "started_at",
    "ended_at",
    "error",
    "executions",
    "epochs",
    "attempts",
    "updated_at",
)
_UPSERT_TRIAL = (
    f"INSERT INTO trials ({', '.join(_TRIAL_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in _TRIAL_COLUMNS)}) "
    "ON CONFLICT (trial_id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in _TRIAL_COLUMNS if c != "trial_id")
)


# ----------------------------------------------------------------------- writes
def save_study(db: Database, settings: Mapping[str, Any]) -> None:
    """Replace the study's settings (see ``Store.save_study``)."""
    text = _codec.dumps(dict(settings), "study settings")
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO study (id, settings, updated_at) VALUES (1, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET settings = excluded.settings, "
            "updated_at = excluded.updated_at",
            (text, time.time()),
        )


def save_trial(db: Database, trial: Trial) -> None:
    """Insert or update every field of ``trial`` (see ``Store.save_trial``)."""
    trial_id = check_trial_id(trial.trial_id)
    hp = trial.hyperparameters
    if hp is None:
        raise TypeError(f"Trial {trial_id!r} has no hyperparameters to store.")
    where = f"trial {trial_id!r}"
    values = _codec.dumps(dict(hp.values), f"{where} hyperparameter values")
    config = dict(hp.get_config())
    # The values are kept in their own column (and are what a trial is rebuilt
    # with); without them, trials sampled from the same space share one config row.
    config.pop("values", None)
    space = _codec.dumps(config, f"{where} space config")
    metrics = _codec.dumps(dict(trial.metrics or {}), f"{where} metrics")
    score, score_flag = _codec.split_float(trial.score)
    row = (
        trial_id,
        operator.index(trial.number),
        TrialStatus(trial.status).value,
        score,
        score_flag,
        None if trial.best_step is None else operator.index(trial.best_step),
        metrics,
        values,
        None,  # space_id, set below
        _optional_float(trial.started_at),
        _optional_float(trial.ended_at),
        None if trial.error is None else str(trial.error),
        operator.index(trial.executions),
        operator.index(trial.epochs),
        operator.index(trial.attempts),
        time.time(),
    )
    digest = hashlib.sha256(space.encode("utf-8")).hexdigest()
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO spaces (digest, config) VALUES (?, ?) ON CONFLICT (digest) DO NOTHING",
            (digest, space),
        )
        (space_id,) = conn.execute(
            "SELECT space_id FROM spaces WHERE digest = ?", (digest,)
        ).fetchone()
        try:
            conn.execute(_UPSERT_TRIAL, (*row[:8], space_id, *row[9:]))
        except sqlite3.IntegrityError as exc:
            other = conn.execute(
                "SELECT trial_id FROM trials WHERE number = ?", (row[1],)
            ).fetchone()
            if other is not None and other[0] != trial_id:
                raise StoreError(
                    f"Trial number {row[1]} already belongs to trial {other[0]!r} in "
                    f"{db.path}; trial {trial_id!r} needs another number "
                    "(see next_trial_number())."
                ) from exc
            raise


def append_metrics(
    db: Database, trial_id: str, execution: int, step: int, metrics: Mapping[str, float]
) -> None:
    """Record one step of one execution of a stored trial (see ``Store.append_metrics``)."""
    execution, step = operator.index(execution), operator.index(step)
    rows = []
    for name, value in metrics.items():
        if not isinstance(name, str):
            raise TypeError(f"Metric names must be strings, got {name!r}.")
        if value is None or isinstance(value, (str, bytes)):
            raise TypeError(f"Metric {name!r} of trial {trial_id!r} is {value!r}, not a number.")
        rows.append((trial_id, execution, step, name, *_codec.split_float(value)))
    with db.transaction() as conn:
        known = conn.execute("SELECT 1 FROM trials WHERE trial_id = ?", (trial_id,))
        if known.fetchone() is None:
            raise StoreError(
                f"No trial {trial_id!r} in {db.path}; save_trial() it before appending its metrics."
            )
        conn.execute(
            "DELETE FROM curves WHERE trial_id = ? AND execution = ? AND step = ?",
            (trial_id, execution, step),
        )
        conn.executemany(
            "INSERT INTO curves (trial_id, execution, step, name, value, flag) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            rows,
        )


def clear_metrics(db: Database, trial_id: str) -> None:
    """Forget every step of ``trial_id``."""
    with db.transaction() as conn:
        conn.execute("DELETE FROM curves WHERE trial_id = ?", (trial_id,))


# ------------------------------------------------------------------------ reads
def load_trials(conn: sqlite3.Connection) -> list[Trial]:
    """Every stored trial, ordered by number, hyperparameters rebuilt."""
    rows = conn.execute(_rows.SELECT_TRIALS + " ORDER BY t.number").fetchall()
    return [_trial(row) for row in rows]


def get_trial(conn: sqlite3.Connection, trial_id: str) -> Trial | None:
    """The stored trial ``trial_id``, or None."""
    row = conn.execute(_rows.SELECT_TRIALS + " WHERE t.trial_id = ?", (trial_id,)).fetchone()
    return None if row is None else _trial(row)


def next_trial_number(conn: sqlite3.Connection) -> int:
    """One more than the largest stored trial number (0 for an empty store)."""
    (number,) = conn.execute("SELECT coalesce(max(number) + 1, 0) FROM trials").fetchone()
    return int(number)


def _trial(row: sqlite3.Row) -> Trial:
    record = _rows.trial_record(row, with_space=True)
    hyperparameters = _rebuild_hyperparameters(record.pop("space"), record.pop("values"))
    return Trial(hyperparameters=hyperparameters, **record)


def _optional_float(value: float | None) -> float | None:
    return None if value is None else float(value)


def _rebuild_hyperparameters(space: Mapping[str, Any], values: dict[str, Any]) -> HyperParameters:
    # Imported here: the store must import (and read results) without the space package.
    from tunesmith.space import HyperParameters

    return HyperParameters.from_config(space).with_values(values)
