"""Opening a project's SQLite database, and the one way to read or write it.

Opening checks the file before anything is written (a damaged, foreign or newer file
is refused untouched), creates or migrates the schema for a writer, and opens
readers read-only. :class:`Database` then hands out transactions: a write
transaction for the driver, a read snapshot for everyone, both turning SQLite's
errors into the store's. :meth:`Database.backup` copies a project safely.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

from tunesmith.errors import StoreError
from tunesmith.store import _schema
from tunesmith.store._lock import claim_driver, release_driver
from tunesmith.store._paths import DB_FILENAME, TRIALS_DIRNAME, remove_store_files, sidecars

# Long enough to ride out a reader (e.g. `tunesmith summary` in another shell)
# holding a lock, short enough that a real deadlock surfaces as an error.
BUSY_TIMEOUT_S = 30.0


class UndecodableValue(ValueError):
    """A stored value that cannot be read back. Raised by the functions that decode
    rows; the snapshot they run in turns it into a ``StoreCorruptError`` naming the
    store's file."""


class Database:
    """An open connection to ``<project_dir>/tunesmith.db``, used by one thread at a time.

    The driver may report from a callback thread, so every use takes the lock. A
    read-only database (a reader's) refuses write transactions.
    """

    def __init__(self, project_dir: Path, conn: sqlite3.Connection, read_only: bool = False):
        self.project_dir = project_dir
        self.conn: sqlite3.Connection | None = conn
        self.read_only = read_only
        self.lock = threading.RLock()

    @property
    def path(self) -> Path:
        return self.project_dir / DB_FILENAME

    def connection(self) -> sqlite3.Connection:
        if self.conn is None:
            raise StoreError(f"The store at {self.project_dir} is closed; open it again.")
        return self.conn

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: all of the block is committed, or none of it."""
        with self.lock:
            conn = self.connection()
            if self.read_only:
                raise StoreError(
                    f"The store at {self.project_dir} was opened read-only (by a reader); "
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
            except UndecodableValue as exc:
                raise _schema.corrupt(self.path, str(exc)) from exc

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: the queries of the block see one consistent state."""
        with self.lock:
            conn = self.connection()
            try:
                with conn:
                    conn.execute("BEGIN")
                    yield conn
            except sqlite3.DatabaseError as exc:
                raise self._read_error(exc) from exc
            except UndecodableValue as exc:
                raise _schema.corrupt(self.path, str(exc)) from exc

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

    def close(self) -> None:
        """Close the connection (idempotent); a writer gives back the driver lock."""
        with self.lock:
            if not self.read_only:
                # A reader must not give back the lock a tuner of this process holds.
                release_driver(self.project_dir)
            if self.conn is not None:
                self.conn.close()
                self.conn = None

    def backup(self, destination: Path) -> Path:
        """Copy the database with SQLite's backup API, and the folders of its trials."""
        target_db = destination / DB_FILENAME
        if target_db.exists():
            raise StoreError(
                f"{destination} already holds a store; back up into a new or empty folder."
            )
        destination.mkdir(parents=True, exist_ok=True)
        partial = target_db.with_name("partial." + DB_FILENAME)
        target = sqlite3.connect(partial)
        try:
            with self.lock:
                self.connection().backup(target)
            copied = {row[0] for row in target.execute("SELECT trial_id FROM trials")}
        finally:
            target.close()
        # Only the folders of the trials in the copied database: a trial a running
        # search started after the copy would be a folder the copy has no record of.
        trials = self.project_dir / TRIALS_DIRNAME
        for name in sorted(copied):
            folder = trials / name
            if folder.is_dir():
                shutil.copytree(folder, destination / TRIALS_DIRNAME / name, dirs_exist_ok=True)
        os.replace(partial, target_db)  # the database last: a cut copy is no store
        return destination


def open_writable(project_dir: Path, *, overwrite: bool = False) -> Database:
    """The driver's connection to the store of ``project_dir``, made and migrated as
    needed (see ``Store.open``); every check runs before anything is written."""
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
        db_path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
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
        database = Database(project_dir, conn)
        if version is None:
            with database.transaction() as tx:
                if tx.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                    raise StoreError(
                        f"Another process created {db_path} while it was being "
                        "opened; open it again."
                    )
                _schema.create(tx)
        elif version < _schema.SCHEMA_VERSION:
            with database.transaction() as tx:
                _schema.migrate(tx, version)
    except BaseException:
        conn.close()
        raise
    return database


def open_checked_read_only(project_dir: Path) -> Database:
    """A reader's connection, after checking the file (see ``Store.open_read_only``)."""
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
    return open_read_only(project_dir)


def open_read_only(project_dir: Path) -> Database:
    """A reader's connection to a store already checked (see ``Store.reopen_read_only``)."""
    db_path = project_dir / DB_FILENAME
    wal = sidecars(db_path)[0]
    uri = db_path.resolve().as_uri()
    # Without a log, all the content is in the file: reading it as immutable keeps
    # SQLite from creating the -wal and -shm files it otherwise adds even to read.
    has_log = wal.exists() and wal.stat().st_size > 0
    uri += "?mode=ro" if has_log else "?mode=ro&immutable=1"
    try:
        conn = sqlite3.connect(
            uri,
            uri=True,
            timeout=BUSY_TIMEOUT_S,
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
    return Database(project_dir, conn, read_only=True)


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
        "`tunesmith backup`); or run `tunesmith recover {project_dir}`, which moves "
        "those folders aside and keeps what the database holds; or pass overwrite=True "
        "to start a new study (it deletes every trial)."
    )
