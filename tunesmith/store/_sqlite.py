"""The :class:`Store`: a project's study, trials and learning curves in one SQLite file."""

from __future__ import annotations

import contextlib
import hashlib
import json
import operator
import os
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from tunesmith.errors import StoreError
from tunesmith.store import _codec, _schema
from tunesmith.store._lock import claim_driver, release_driver
from tunesmith.store._paths import (
    DB_FILENAME,
    TRIALS_DIRNAME,
    check_trial_id,
    remove_store_files,
)
from tunesmith.store._records import CurvePoint
from tunesmith.trial import Trial, TrialStatus

if TYPE_CHECKING:
    import pandas as pd

    from tunesmith.space import HyperParameters

# Long enough to ride out a reader (e.g. `tunesmith summary` in another shell)
# holding a lock, short enough that a real deadlock surfaces as an error.
_BUSY_TIMEOUT_S = 30.0

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
_SELECT_TRIALS = "SELECT t.*, s.config AS space FROM trials AS t JOIN spaces AS s USING (space_id)"
# One trials row as the JSON of trial_records() (for rows without non-finite tags; a
# non-finite score is NULL in the table and stays null).
_TRIAL_JSON = (
    "json_object('trial_id', trial_id, 'number', number, 'status', status, 'score', score, "
    "'best_step', best_step, 'metrics', json(metrics), 'values', json(hp_values), "
    "'started_at', started_at, 'ended_at', ended_at, 'error', error, "
    "'executions', executions, 'epochs', epochs, 'attempts', attempts, "
    "'updated_at', updated_at)"
)


class Store:
    """A tuning project on disk: ``<project_dir>/tunesmith.db`` plus ``trials/<id>/``.

    One process (the search driver) writes a store. Every state change is one
    SQLite transaction in WAL mode, so killing the process at any moment loses at
    most the trial in flight and never leaves a half-written trial. Open stores
    with :meth:`open`.

    Example:
        >>> with Store.open("runs/mnist") as store:          # doctest: +SKIP
        ...     store.save_trial(trial)
        ...     store.append_metrics(trial.trial_id, execution=0, step=0,
        ...                          metrics={"loss": 0.7, "val_loss": 0.8})
        ...     print(store.results_frame())
    """

    def __init__(self, project_dir: Path, conn: sqlite3.Connection) -> None:
        # Private: Store.open() validates the file before a connection exists.
        self._project_dir = project_dir
        self._conn: sqlite3.Connection | None = conn
        # The driver may report from a callback thread; one connection, one user at a time.
        self._lock = threading.RLock()
        #: Opened by a reader (summary, export, report): SQLite read-only, never written.
        self.read_only = False

    # ------------------------------------------------------------------ opening
    @classmethod
    def open_read_only(cls, project_dir: str | Path) -> Store:
        """Open an existing store to read it, changing nothing on disk.

        SQLite opens the file read-only: no journal mode is set, no log is folded
        into the file or deleted on close, no folder is created, and a read-only
        folder or mount can be read. A log left beside the file (by a running or
        killed search) is read, so the newest trials show. Writing through this store
        raises :class:`~tunesmith.errors.StoreError`.

        Example:
            >>> with Store.open_read_only("runs/mnist") as store:   # doctest: +SKIP
            ...     frame = store.results_frame()
        """
        project_dir = Path(project_dir).expanduser()
        db_path = project_dir / DB_FILENAME
        if not db_path.is_file():
            raise StoreError(
                f"No tunesmith store at {project_dir} (no {DB_FILENAME} there). Give the "
                "folder <directory>/<project_name> that a tuner wrote."
            )
        contents = _schema.inspect(db_path)  # reads only; refuses a damaged or newer file
        if contents is None:
            if _schema.log_is_missing(db_path):
                raise StoreError(
                    f"The store at {project_dir} holds no study: {DB_FILENAME} is only "
                    f"SQLite's header, and its log {DB_FILENAME}-wal, which held every "
                    "trial, is missing (the database was copied or moved without it, or "
                    "it was deleted). Put the -wal file back beside it; copy projects "
                    "with `tunesmith backup`."
                )
            raise StoreError(f"The store at {project_dir} holds no study yet: run a search first.")
        version = contents.version
        if version < _schema.SCHEMA_VERSION:
            raise StoreError(
                f"The store at {project_dir} was written by an older tunesmith (format "
                f"{version}); open it once with a tuner to bring it up to date."
            )
        return cls.reopen_read_only(project_dir)

    @classmethod
    def reopen_read_only(cls, project_dir: Path) -> Store:
        """A read-only connection to a store :meth:`open_read_only` has already checked.

        Cheap (no integrity check), for a reader that visits a store another process
        is writing, briefly and often: the dashboard. Each visit sees the newest
        committed state, and a short visit never holds back the writer's checkpoints.
        """
        db_path = project_dir / DB_FILENAME
        wal = _schema.sidecars(db_path)[0]
        uri = db_path.resolve().as_uri()
        # Without a log, all the content is in the file: reading it as immutable keeps
        # SQLite from creating the -wal and -shm files it otherwise adds even to read.
        has_log = wal.exists() and wal.stat().st_size > 0
        uri += "?mode=ro" if has_log else "?mode=ro&immutable=1"
        try:
            conn = sqlite3.connect(
                uri,
                uri=True,
                timeout=_BUSY_TIMEOUT_S,
                isolation_level=None,
                check_same_thread=False,
            )
            conn.execute("PRAGMA query_only = ON")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.Error as exc:
            raise StoreError(
                f"SQLite cannot read the store at {project_dir} read-only ({exc}). When "
                "the folder is read-only and a -wal file lies beside the database, its "
                "-shm file is needed too: copy the project (all three files) somewhere "
                "writable and read it there."
            ) from exc
        conn.row_factory = sqlite3.Row
        store = cls(project_dir, conn)
        store.read_only = True
        return store

    @classmethod
    def open(cls, project_dir: str | Path, *, overwrite: bool = False) -> Store:
        """Open the store of ``project_dir``, creating the folder and a fresh store if needed.

        With ``overwrite=True`` the database (and its ``-wal``/``-shm`` files) and the
        ``trials/`` folder are deleted first; nothing else in the folder is touched.

        Raises :class:`~tunesmith.errors.StoreVersionError` when a newer tunesmith wrote
        the store, and :class:`~tunesmith.errors.StoreCorruptError` when the file is not
        a readable tunesmith store; in both cases nothing on disk is changed.

        Example:
            >>> store = Store.open("runs/mnist")              # doctest: +SKIP
            >>> store.path                                    # doctest: +SKIP
            PosixPath('runs/mnist/tunesmith.db')
        """
        project_dir = Path(project_dir).expanduser()
        if project_dir.exists() and not project_dir.is_dir():
            raise StoreError(
                f"{project_dir} is a file, not a folder; pass the folder that holds "
                f"(or will hold) {DB_FILENAME}."
            )
        if overwrite:
            # Never pull the files from under a search another process is running.
            if project_dir.is_dir():
                claim_driver(project_dir)
            remove_store_files(project_dir)
        try:
            project_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"Cannot create the project folder {project_dir} ({exc.strerror or exc}): "
                "pass a directory= you can write to, whose parts are folders, not files."
            ) from exc
        db_path = project_dir / DB_FILENAME
        # Every check runs before this code writes anything, so a refused file stays as is.
        contents = _schema.inspect(db_path)
        refuse_untracked_trials(project_dir, contents)
        version = None if contents is None else contents.version

        conn = sqlite3.connect(
            db_path, timeout=_BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
        )
        try:
            # WAL: a commit is one append to the log, readers never block the writer,
            # and a killed process leaves the last committed state. NORMAL skips the
            # fsync per commit: a process crash loses nothing committed; only an OS
            # crash or power cut can lose the last few commits, never consistency.
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.row_factory = sqlite3.Row
            store = cls(project_dir, conn)
            if version is None:
                with store._transaction() as tx:
                    if tx.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                        raise StoreError(
                            f"Another process created {db_path} while it was being "
                            "opened; open it again."
                        )
                    _schema.create(tx)
            elif version < _schema.SCHEMA_VERSION:
                with store._transaction() as tx:
                    _schema.migrate(tx, version)
        except BaseException:
            conn.close()
            raise
        return store

    def backup(self, destination: str | Path) -> Path:
        """Copy the whole project (database and ``trials/``) to a new folder, safely.

        The database is copied with SQLite's backup API, so the copy holds every
        committed trial even while a search runs or after a crash left them in the
        ``-wal`` file (copying ``tunesmith.db`` alone copies none of those). Nothing
        of this store changes. ``destination`` must not hold a store yet.

        Example:
            >>> with Store.open_read_only("runs/w1") as store:   # doctest: +SKIP
            ...     store.backup("backups/w1")
        """
        destination = Path(destination).expanduser()
        target_db = destination / DB_FILENAME
        if target_db.exists():
            raise StoreError(
                f"{destination} already holds a store; back up into a new or empty folder."
            )
        destination.mkdir(parents=True, exist_ok=True)
        partial = target_db.with_name("partial." + DB_FILENAME)
        target = sqlite3.connect(partial)
        try:
            with self._lock:
                self._connection().backup(target)
            copied = {row[0] for row in target.execute("SELECT trial_id FROM trials")}
        finally:
            target.close()
        # Only the folders of the trials in the copied database: a trial a running
        # search started after the copy would be a folder the copy has no record of.
        trials = self._project_dir / TRIALS_DIRNAME
        for name in sorted(copied):
            folder = trials / name
            if folder.is_dir():
                shutil.copytree(folder, destination / TRIALS_DIRNAME / name, dirs_exist_ok=True)
        os.replace(partial, target_db)  # the database last: a cut copy is no store
        return destination

    @property
    def project_dir(self) -> Path:
        """The project folder."""
        return self._project_dir

    @property
    def path(self) -> Path:
        """The SQLite database file."""
        return self._project_dir / DB_FILENAME

    def trial_dir(self, trial_id: str) -> Path:
        """``<project_dir>/trials/<trial_id>/``, created if missing (for weights, logs...)."""
        path = self._project_dir / TRIALS_DIRNAME / check_trial_id(trial_id)
        if not self.read_only:  # a reader never creates anything
            path.mkdir(parents=True, exist_ok=True)
        return path

    def claim_writer(self) -> None:
        """Make this process the project's only writer (see ``claim_driver``).

        Raises :class:`~tunesmith.errors.StoreLockedError` when another live process
        holds the project; the lock dies with its process, even on SIGKILL.
        """
        claim_driver(self._project_dir)

    def close(self) -> None:
        """Close the database (idempotent). The last close folds the log into the file."""
        with self._lock:
            if not self.read_only:
                # A reader must not give back the lock a tuner of this process holds.
                release_driver(self._project_dir)
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._conn is None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = " (closed)" if self.closed else ""
        return f"Store({str(self._project_dir)!r}){state}"

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: all of the block is committed, or none of it."""
        with self._lock:
            conn = self._connection()
            if self.read_only:
                raise StoreError(
                    f"The store at {self._project_dir} was opened read-only (by a reader); "
                    "open it with Store.open to write."
                )
            try:
                with conn:  # commits when the block ends, rolls back if it raises
                    # IMMEDIATE takes the write lock now, so a busy database fails here,
                    # before any statement of the block ran.
                    conn.execute("BEGIN IMMEDIATE")
                    yield conn
            except sqlite3.OperationalError as exc:
                if "full" in str(exc):
                    raise StoreError(
                        f"The disk holding {self.path} is full ({exc}). The store is "
                        "intact: the change being written was rolled back and every "
                        "earlier one is kept. Free some space and run the same search "
                        "again to resume."
                    ) from exc
                if "disk I/O error" in str(exc):
                    raise StoreError(
                        f"SQLite could not write {self.path} ({exc}): a file of the store "
                        "was removed or its disk failed while it was open. The committed "
                        "trials are in the database; check that tunesmith.db and its "
                        "-wal file are in place, then run again to resume."
                    ) from exc
                raise

    @contextlib.contextmanager
    def _snapshot(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: the queries of the block see one consistent state."""
        with self._lock:
            conn = self._connection()
            try:
                with conn:
                    conn.execute("BEGIN")
                    yield conn
            except sqlite3.DatabaseError as exc:
                raise self._read_error(exc) from exc

    def _read_error(self, exc: sqlite3.DatabaseError) -> StoreError:
        """The store's error for what SQLite raised while reading."""
        text = str(exc)
        if "disk I/O error" in text:
            return StoreError(
                f"SQLite could not read {self.path} ({text}): a file of the store was "
                "removed, replaced or became unreadable while it was open. Open the store "
                "again; if tunesmith.db-wal was deleted while the search ran, the trials "
                "it held are gone unless you put it back."
            )
        # Damaged text ("Could not decode to UTF-8"), a malformed page: the file changed
        # under SQLite's checks, and reading it further would mislead.
        return _schema.corrupt(self.path, f"SQLite cannot read part of it ({text})")

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreError(f"The store at {self._project_dir} is closed; open it again.")
        return self._conn

    # -------------------------------------------------------------------- study
    def save_study(self, settings: Mapping[str, Any]) -> None:
        """Replace the study's settings (one JSON-able document).

        Tuples come back as lists; non-finite floats round trip.

        Example:
            >>> store.save_study({"objective": {"name": "val_loss", "direction": "min"},
            ...                   "algorithm": "random", "max_trials": 20, "seed": 7})
            ...                                               # doctest: +SKIP
        """
        text = _codec.dumps(dict(settings), "study settings")
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO study (id, settings, updated_at) VALUES (1, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET settings = excluded.settings, "
                "updated_at = excluded.updated_at",
                (text, time.time()),
            )

    def load_study(self) -> dict[str, Any] | None:
        """The settings last given to :meth:`save_study`, or None before the first."""
        with self._snapshot() as conn:
            return self._study(conn)

    # ------------------------------------------------------------------- trials
    def save_trial(self, trial: Trial) -> None:
        """Insert or update every field of ``trial``, in one transaction.

        The values and the space config of ``trial.hyperparameters`` are both kept,
        so the trial is rebuilt as it was even after the study's space grew.

        Example:
            >>> trial.status, trial.score = TrialStatus.COMPLETED, 0.12  # doctest: +SKIP
            >>> store.save_trial(trial)                       # doctest: +SKIP
        """
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
        with self._transaction() as conn:
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
                        f"{self.path}; trial {trial_id!r} needs another number "
                        "(see next_trial_number())."
                    ) from exc
                raise

    def load_trials(self) -> list[Trial]:
        """Every stored trial, ordered by number, hyperparameters rebuilt."""
        with self._snapshot() as conn:
            rows = conn.execute(_SELECT_TRIALS + " ORDER BY t.number").fetchall()
        return [self._trial(row) for row in rows]

    def get_trial(self, trial_id: str) -> Trial | None:
        """The stored trial ``trial_id``, or None."""
        with self._snapshot() as conn:
            row = conn.execute(_SELECT_TRIALS + " WHERE t.trial_id = ?", (trial_id,)).fetchone()
        return None if row is None else self._trial(row)

    def trial_metrics(self) -> dict[str, dict[str, Any]]:
        """Each trial's metrics at its best step, by trial id (no hyperparameters rebuilt).

        Example:
            >>> store.trial_metrics()["0003"]["val_loss"]     # doctest: +SKIP
            0.35
        """
        with self._snapshot() as conn:
            rows = conn.execute("SELECT trial_id, metrics FROM trials").fetchall()
        return {
            row["trial_id"]: self._decode(
                row["metrics"], f"the metrics of trial {row['trial_id']!r}"
            )
            for row in rows
        }

    def trial_records(self, updated_after: float | None = None) -> list[dict[str, Any]]:
        """Every trial as plain values, or those written after ``updated_after``.

        Each record holds the fields of a :class:`~tunesmith.trial.Trial` with the
        hyperparameter values as a dict (``values``) and ``updated_at``, the time of
        the trial's last write: the cursor of a reader that follows a running search.

        Example:
            >>> fresh = store.trial_records(updated_after=cursor)  # doctest: +SKIP
        """
        sql = _SELECT_TRIALS
        params: tuple[float, ...] = ()
        if updated_after is not None:
            # >=, not >: two writes can share a timestamp; the reader keeps the newest.
            sql += " WHERE t.updated_at >= ?"
            params = (updated_after,)
        with self._snapshot() as conn:
            rows = conn.execute(sql + " ORDER BY t.number", params).fetchall()
        return [self._timed_record(row) for row in rows]

    def _timed_record(self, row: sqlite3.Row) -> dict[str, Any]:
        """A record of :meth:`trial_records`: the trial's fields and ``updated_at``."""
        record = self._record(row, with_space=False)
        record["updated_at"] = row["updated_at"]
        return record

    def trials_json(self, updated_after: float | None = None) -> str:
        """:meth:`trial_records` as one strict JSON array, built by SQLite itself.

        The records' keys, with the status as text and non-finite numbers as null.
        SQLite writes the JSON of every row in C, which for a study of 10 000 trials
        is several times faster than decoding the rows in Python and encoding them
        again; rows whose stored JSON holds a tagged non-finite float (and every row,
        on an SQLite without JSON functions) go through Python instead.

        Example:
            >>> rows = json.loads(store.trials_json())          # doctest: +SKIP
            >>> rows[0]["trial_id"], rows[0]["status"]          # doctest: +SKIP
            ('0000', 'COMPLETED')
        """
        since, params = "1", ()
        if updated_after is not None:
            since, params = "t.updated_at >= ?", (updated_after,)
        tagged = "(t.hp_values LIKE '%\"$float\"%' OR t.metrics LIKE '%\"$float\"%')"
        try:
            with self._snapshot() as conn:
                (text,) = conn.execute(
                    f"SELECT coalesce(json_group_array(json({_TRIAL_JSON})), '[]') FROM "
                    f"(SELECT * FROM trials AS t WHERE {since} AND NOT {tagged} "
                    "ORDER BY t.number)",
                    params,
                ).fetchone()
                rest = conn.execute(
                    f"{_SELECT_TRIALS} WHERE {since} AND {tagged} ORDER BY t.number", params
                ).fetchall()
        except StoreError as exc:
            if "no such function" not in str(exc):
                raise
            # No JSON functions in this SQLite: every row through Python.
            with self._snapshot() as conn:
                rest = conn.execute(
                    f"{_SELECT_TRIALS} WHERE {since} ORDER BY t.number", params
                ).fetchall()
            text = "[]"
        if not rest:
            return text
        records = [self._timed_record(row) for row in rest]
        for record in records:
            record["status"] = record["status"].value
        extra = json.dumps(_codec.strict(records, "trials"), allow_nan=False)
        return extra if text == "[]" else text[:-1] + "," + extra[1:]

    def curve_position(self) -> int:
        """The position of the newest per-step metric (see :meth:`curve_points_after`)."""
        with self._snapshot() as conn:
            (position,) = conn.execute("SELECT coalesce(max(rowid), 0) FROM curves").fetchone()
        return int(position)

    def curve_points_after(self, position: int = 0) -> tuple[list[CurvePoint], int]:
        """Per-step metrics written after ``position``, and the position to ask from next.

        Positions grow with every write, so a reader that follows a running search
        asks for what is new instead of every curve again. A step written twice comes
        back again only when its new rows come after the reader's position; a reader
        that must see rewritten curves reads a trial again when its ``attempts``
        change (a trial run again after a crash clears its curves and starts over).

        Example:
            >>> points, position = store.curve_points_after(0)      # doctest: +SKIP
            >>> newer, position = store.curve_points_after(position)  # doctest: +SKIP
        """
        with self._snapshot() as conn:
            rows = conn.execute(
                "SELECT trial_id, execution, step, name, value, flag, rowid FROM curves "
                "WHERE rowid > ? ORDER BY rowid",
                (int(position),),
            ).fetchall()
        if rows:
            position = max(position, max(int(row[6]) for row in rows))
        return _group_points(rows), position

    def next_trial_number(self) -> int:
        """One more than the largest stored trial number (0 for an empty store)."""
        with self._snapshot() as conn:
            (number,) = conn.execute("SELECT coalesce(max(number) + 1, 0) FROM trials").fetchone()
        return int(number)

    # ------------------------------------------------------------------ metrics
    def append_metrics(
        self, trial_id: str, execution: int, step: int, metrics: Mapping[str, float]
    ) -> None:
        """Record the metrics of one step (epoch) of one execution of a stored trial.

        Writing the same ``(trial_id, execution, step)`` again replaces that step's
        metrics as a whole. The trial must have been saved first.

        Example:
            >>> store.append_metrics("0003", execution=0, step=4,
            ...                      metrics={"loss": 0.31, "val_loss": 0.35})
            ...                                               # doctest: +SKIP
        """
        execution, step = operator.index(execution), operator.index(step)
        rows = []
        for name, value in metrics.items():
            if not isinstance(name, str):
                raise TypeError(f"Metric names must be strings, got {name!r}.")
            if value is None or isinstance(value, (str, bytes)):
                raise TypeError(
                    f"Metric {name!r} of trial {trial_id!r} is {value!r}, not a number."
                )
            rows.append((trial_id, execution, step, name, *_codec.split_float(value)))
        with self._transaction() as conn:
            known = conn.execute("SELECT 1 FROM trials WHERE trial_id = ?", (trial_id,))
            if known.fetchone() is None:
                raise StoreError(
                    f"No trial {trial_id!r} in {self.path}; save_trial() it before "
                    "appending its metrics."
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

    def clear_metrics(self, trial_id: str) -> None:
        """Forget every per-step metric of ``trial_id`` (before running it again)."""
        with self._transaction() as conn:
            conn.execute("DELETE FROM curves WHERE trial_id = ?", (trial_id,))

    def load_curves(self, trial_id: str | None = None) -> pd.DataFrame:
        """Per-step metrics as a wide frame, of one trial or of all.

        Columns: ``trial_id``, ``execution``, ``step``, then one float column per
        metric name in the order they were first logged (``metric:step`` for a metric
        named like one of the first three); rows ordered by trial number, execution,
        step. A metric not logged at a step is NaN there.

        Example:
            >>> curves = store.load_curves("0003")            # doctest: +SKIP
            >>> curves.plot(x="step", y=["loss", "val_loss"])  # doctest: +SKIP
        """
        from tunesmith.store import _frames

        with self._snapshot() as conn:
            rows = [tuple(row) for row in _curve_rows(conn, trial_id)]
        return _frames.curves_frame(rows)

    # ------------------------------------------------------------------ results
    def results_frame(self) -> pd.DataFrame:
        """One row per trial, in creation order (sorting by score is the caller's).

        Columns: ``trial_id``, ``number``, ``status`` (str), ``score``, ``best_step``,
        ``epochs``, ``executions``, ``seconds``, ``started_at``, ``ended_at`` (UTC
        datetimes), ``error`` (last line only), then one column per hyperparameter
        (prefixed ``hp:`` where a name equals one of those columns).

        Example:
            >>> frame = store.results_frame()                 # doctest: +SKIP
            >>> frame.sort_values("score").head()             # doctest: +SKIP
        """
        from tunesmith.store import _frames

        with self._snapshot() as conn:
            records = self._records(conn, with_space=False)
        return _frames.results_frame(records)

    def export(self, path: str | Path, format: Literal["csv", "json"] | None = None) -> Path:
        """Write the results to ``path`` as CSV (:meth:`results_frame`) or JSON (everything).

        ``format`` defaults to the file's suffix. The JSON document is
        ``{"tunesmith_store_version": N, "study": {...}, "trials": [...]}``, each trial
        with all its fields, ``values``, ``space``, ``metrics`` and ``curves``; it is
        strict JSON, with non-finite numbers written as null. The file is replaced
        atomically.

        Example:
            >>> store.export("results.csv")                   # doctest: +SKIP
            PosixPath('results.csv')
        """
        from tunesmith.store import _frames

        path = Path(path).expanduser()
        fmt = (format or path.suffix.lstrip(".")).lower()
        if fmt not in ("csv", "json"):
            raise ValueError(
                f"Cannot export to {path.name!r} as {fmt!r}: pass format='csv' or "
                "format='json' (or a path ending in .csv or .json)."
            )
        return _frames.write_atomically(path, self.export_text(fmt))

    def export_text(self, format: Literal["csv", "json"]) -> str:
        """What :meth:`export` writes, as a string.

        Example:
            >>> print(store.export_text("csv"))               # doctest: +SKIP
            trial_id,number,status,score,...
        """
        from tunesmith.store import _frames

        if format == "csv":
            return self.results_frame().to_csv(index=False)
        if format == "json":
            with self._snapshot() as conn:
                study = self._study(conn)
                records = self._records(conn, with_space=True)
                curves = self._curve_points(conn)
            return _frames.json_document(_schema.SCHEMA_VERSION, study, records, curves)
        raise ValueError(f"Cannot export as {format!r}: pass format='csv' or format='json'.")

    # ---------------------------------------------------------------- internals
    def _decode(self, text: str, what: str) -> Any:
        try:
            return _codec.loads(text)
        except ValueError as exc:
            raise _schema.corrupt(self.path, f"{what} are not valid JSON ({exc})") from exc

    def _record(self, row: sqlite3.Row, with_space: bool) -> dict[str, Any]:
        """A trials row as plain Python values (no HyperParameters needed)."""
        where = f"trial {row['trial_id']!r}"
        try:
            status = TrialStatus(row["status"])
            score = _codec.join_float(row["score"], row["score_flag"])
        except ValueError as exc:
            raise _schema.corrupt(self.path, f"{where} holds an invalid value ({exc})") from exc
        record = {
            "trial_id": row["trial_id"],
            "number": row["number"],
            "status": status,
            "score": score,
            "best_step": row["best_step"],
            "metrics": self._decode(row["metrics"], f"the metrics of {where}"),
            "values": self._decode(row["hp_values"], f"the hyperparameter values of {where}"),
            "started_at": row["started_at"],
            "ended_at": row["ended_at"],
            "error": row["error"],
            "executions": row["executions"],
            "epochs": row["epochs"],
            "attempts": row["attempts"],
        }
        if with_space:
            record["space"] = self._decode(row["space"], f"the space config of {where}")
        return record

    def _study(self, conn: sqlite3.Connection) -> dict[str, Any] | None:
        row = conn.execute("SELECT settings FROM study WHERE id = 1").fetchone()
        return None if row is None else self._decode(row["settings"], "the study settings")

    def _records(self, conn: sqlite3.Connection, with_space: bool) -> list[dict[str, Any]]:
        rows = conn.execute(_SELECT_TRIALS + " ORDER BY t.number").fetchall()
        return [self._record(row, with_space) for row in rows]

    def _trial(self, row: sqlite3.Row) -> Trial:
        record = self._record(row, with_space=True)
        hyperparameters = _rebuild_hyperparameters(record.pop("space"), record.pop("values"))
        return Trial(hyperparameters=hyperparameters, **record)

    def curve_points(self, trial_id: str | None = None) -> list[CurvePoint]:
        """Per-step metrics as records, of one trial or of all, in trial order.

        Example:
            >>> store.curve_points("0003")[0].metrics             # doctest: +SKIP
            {'loss': 0.52, 'val_loss': 0.61}
        """
        with self._snapshot() as conn:
            return self._curve_records(conn, trial_id)

    def _curve_records(
        self, conn: sqlite3.Connection, trial_id: str | None = None
    ) -> list[CurvePoint]:
        return _group_points(_curve_rows(conn, trial_id))

    def _curve_points(self, conn: sqlite3.Connection) -> dict[str, list[dict[str, Any]]]:
        """Per trial id: ``[{"execution", "step", "metrics"}]`` in logging order."""
        out: dict[str, list[dict[str, Any]]] = {}
        for point in self._curve_records(conn):
            out.setdefault(point.trial_id, []).append(
                {"execution": point.execution, "step": point.step, "metrics": point.metrics}
            )
        return out


def _curve_rows(conn: sqlite3.Connection, trial_id: str | None) -> sqlite3.Cursor:
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


def _group_points(rows: Iterable[Sequence[Any]]) -> list[CurvePoint]:
    """Curve rows ``(trial_id, execution, step, name, value, flag, ...)``, consecutive
    rows of one step together, as one :class:`CurvePoint` per step."""
    points: list[CurvePoint] = []
    for tid, execution, step, name, value, flag, *_ in rows:
        key = (str(tid), int(execution), int(step))
        if not points or (points[-1].trial_id, points[-1].execution, points[-1].step) != key:
            points.append(CurvePoint(*key, {}))
        points[-1].metrics[name] = _codec.join_float(value, flag)
    return points


def _optional_float(value: Any) -> float | None:
    return None if value is None else float(value)


def _rebuild_hyperparameters(space: Any, values: dict[str, Any]) -> HyperParameters:
    # Imported here: the store must import (and read results) without the space package.
    from tunesmith.space import HyperParameters

    return HyperParameters.from_config(space).with_values(values)


def untracked_trial_folders(project_dir: Path, contents: _schema.Contents | None) -> list[Path]:
    """Folders of ``trials/`` holding files of trials the database does not know."""
    trials = project_dir / TRIALS_DIRNAME
    if not trials.is_dir():
        return []
    known = frozenset() if contents is None else contents.trial_ids
    return sorted(
        path
        for path in trials.iterdir()
        if path.is_dir() and path.name not in known and any(path.iterdir())
    )


def refuse_untracked_trials(project_dir: Path, contents: _schema.Contents | None) -> None:
    """Refuse to run a study beside ``trials/`` folders its database has no record of.

    A database with fewer trials than the folders beside it lost its data: copied
    without its ``-wal`` (until SQLite folds the log in, the file holds only its
    header), truncated, deleted, or put back from an older copy. Running a study
    there would give new trials the numbers, and folders, of the lost ones,
    overwriting their weights.
    """
    untracked = untracked_trial_folders(project_dir, contents)
    if not untracked:
        return
    names = ", ".join(p.name for p in untracked[:3]) + ("..." if len(untracked) > 3 else "")
    db_path = project_dir / DB_FILENAME
    held = "holds no study" if contents is None else f"holds {len(contents.trial_ids)} trial(s)"
    raise StoreError(
        f"{db_path} {held}, but {project_dir / TRIALS_DIRNAME} holds the files of "
        f"{len(untracked)} trial(s) it has no record of ({names}): the database lost "
        "its data (copied without its -wal file, truncated, deleted, or restored from an "
        "older copy). Nothing was changed. Put back the tunesmith.db that goes with "
        "those trials, with its tunesmith.db-wal beside it (copy projects with "
        f"`tunesmith backup`); or run `tunesmith recover {project_dir}`, which moves "
        "those folders aside and keeps what the database holds; or pass overwrite=True "
        "to start a new study (it deletes every trial)."
    )
