"""The :class:`Store`: a project's study, trials and learning curves in one SQLite file.

One public class over small parts: opening, transactions and backup
(``_connection``), the study's records (``_study_records``), and, mixed in from
``_store_reads``, the read model of the dashboard and the report (``_read_model``)
and the exports (``_exports``). Its methods are thin: each opens a transaction or a
snapshot and calls those functions.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from tunesmith.store import _connection, _rows, _study_records
from tunesmith.store._base import CurvePoint, Storage
from tunesmith.store._lock import claim_driver
from tunesmith.store._paths import DB_FILENAME, TRIALS_DIRNAME, check_trial_id
from tunesmith.store._store_reads import StoreReads
from tunesmith.trial import Trial


class Store(StoreReads, Storage):
    """A tuning project on disk: ``<project_dir>/tunesmith.db`` plus ``trials/<id>/``.

    One process (the search driver) writes a store. Every state change is one
    SQLite transaction in WAL mode, so killing the process at any moment loses at
    most the trial in flight and never leaves a half-written trial. Open stores
    with :meth:`open` (the driver) or :meth:`open_read_only` (a reader). Calls may
    come from several threads: they take turns on the one connection.

    Example:
        >>> with Store.open("runs/mnist") as store:          # doctest: +SKIP
        ...     store.save_trial(trial)
        ...     store.append_metrics(trial.trial_id, execution=0, step=0,
        ...                          metrics={"loss": 0.7, "val_loss": 0.8})
        ...     print(store.results_frame())
    """

    def __init__(
        self, project_dir: Path, conn: sqlite3.Connection, *, read_only: bool = False
    ) -> None:
        # Private: Store.open() validates the file before a connection exists.
        self._db = _connection.Database(project_dir, conn, read_only=read_only)

    @classmethod
    def _of(cls, database: _connection.Database) -> Store:
        return cls(database.project_dir, database.connection(), read_only=database.read_only)

    # ------------------------------------------------------------------ opening
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
        return cls._of(_connection.open_writable(project_dir, overwrite=overwrite))

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
        return cls._of(_connection.open_checked_read_only(project_dir))

    @classmethod
    def reopen_read_only(cls, project_dir: Path) -> Store:
        """A read-only connection to a store :meth:`open_read_only` has already checked.

        Cheap (no integrity check), for a reader that visits a store another process
        is writing, briefly and often: the dashboard. Each visit sees the newest
        committed state, and a short visit never holds back the writer's checkpoints.
        """
        return cls._of(_connection.open_read_only(project_dir))

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
        return self._db.backup(Path(destination).expanduser())

    @property
    def read_only(self) -> bool:
        """Opened by a reader (summary, export, report): SQLite read-only, never written."""
        return self._db.read_only

    @read_only.setter
    def read_only(self, value: bool) -> None:
        self._db.read_only = bool(value)

    @property
    def project_dir(self) -> Path:
        """The project folder."""
        return self._db.project_dir

    @property
    def path(self) -> Path:
        """The SQLite database file."""
        return self._db.project_dir / DB_FILENAME

    def trial_dir(self, trial_id: str) -> Path:
        """``<project_dir>/trials/<trial_id>/``, created if missing (for weights, logs...)."""
        path = self.project_dir / TRIALS_DIRNAME / check_trial_id(trial_id)
        if not self.read_only:  # a reader never creates anything
            path.mkdir(parents=True, exist_ok=True)
        return path

    def claim_writer(self) -> None:
        """Make this process the project's only writer (see ``claim_driver``).

        Raises :class:`~tunesmith.errors.StoreLockedError` when another live process
        holds the project; the lock dies with its process, even on SIGKILL.
        """
        claim_driver(self.project_dir)

    def close(self) -> None:
        """Close the database (idempotent). The last close folds the log into the file."""
        self._db.close()

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._db.conn is None

    def __enter__(self) -> Store:
        return self

    def __repr__(self) -> str:
        state = " (closed)" if self.closed else ""
        return f"Store({str(self.project_dir)!r}){state}"

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """A read transaction on this store's connection, for the read-model functions.

        The queries of the block see one committed state; SQLite's errors become
        :class:`~tunesmith.errors.StoreError`. Inside it, call functions that take the
        connection, not this store's methods (each opens a transaction of its own).
        """
        with self._db.snapshot() as conn:
            yield conn

    @property
    def _conn(self) -> sqlite3.Connection | None:
        # The raw connection, for tests that provoke SQLite's own limits.
        return self._db.conn

    # -------------------------------------------------------------------- study
    def save_study(self, settings: Mapping[str, Any]) -> None:
        """Replace the study's settings (one JSON-able document).

        Tuples come back as lists; non-finite floats round trip.

        Example:
            >>> store.save_study({"objective": {"name": "val_loss", "direction": "min"},
            ...                   "algorithm": "random", "max_trials": 20, "seed": 7})
            ...                                               # doctest: +SKIP
        """
        _study_records.save_study(self._db, settings)

    def load_study(self) -> dict[str, Any] | None:
        """The settings last given to :meth:`save_study`, or None before the first."""
        with self._db.snapshot() as conn:
            return _rows.study_settings(conn)

    # ------------------------------------------------------------------- trials
    def save_trial(self, trial: Trial) -> None:
        """Insert or update every field of ``trial``, in one transaction.

        The values and the space config of ``trial.hyperparameters`` are both kept,
        so the trial is rebuilt as it was even after the study's space grew. A
        number another trial holds is refused with :class:`~tunesmith.errors.StoreError`.

        Example:
            >>> trial.status, trial.score = TrialStatus.COMPLETED, 0.12  # doctest: +SKIP
            >>> store.save_trial(trial)                       # doctest: +SKIP
        """
        _study_records.save_trial(self._db, trial)

    def load_trials(self) -> list[Trial]:
        """Every stored trial, ordered by number, hyperparameters rebuilt."""
        with self._db.snapshot() as conn:
            return _study_records.load_trials(conn)

    def get_trial(self, trial_id: str) -> Trial | None:
        """The stored trial ``trial_id``, or None."""
        with self._db.snapshot() as conn:
            return _study_records.get_trial(conn, trial_id)

    def next_trial_number(self) -> int:
        """One more than the largest stored trial number (0 for an empty store)."""
        with self._db.snapshot() as conn:
            return _study_records.next_trial_number(conn)

    # ------------------------------------------------------------------ metrics
    def append_metrics(
        self, trial_id: str, execution: int, step: int, metrics: Mapping[str, float]
    ) -> None:
        """Record the metrics of one step (epoch) of one execution of a stored trial.

        Writing the same ``(trial_id, execution, step)`` again replaces that step's
        metrics as a whole. The trial must have been saved first
        (:class:`~tunesmith.errors.StoreError` otherwise).

        Example:
            >>> store.append_metrics("0003", execution=0, step=4,
            ...                      metrics={"loss": 0.31, "val_loss": 0.35})
            ...                                               # doctest: +SKIP
        """
        _study_records.append_metrics(self._db, trial_id, execution, step, metrics)

    def clear_metrics(self, trial_id: str) -> None:
        """Forget every per-step metric of ``trial_id`` (before running it again)."""
        _study_records.clear_metrics(self._db, trial_id)

    def curve_points(self, trial_id: str | None = None) -> list[CurvePoint]:
        """Per-step metrics as records, of one trial or of all, in trial order.

        Example:
            >>> store.curve_points("0003")[0].metrics             # doctest: +SKIP
            {'loss': 0.52, 'val_loss': 0.61}
        """
        with self._db.snapshot() as conn:
            return _rows.curve_points(conn, trial_id)
