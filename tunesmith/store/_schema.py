"""The store's tables, its format version, and the checks made before a file is used.

The format version lives in the ``meta`` table (``schema_version``), next to the
name of the application (``application = 'tunesmith'``) and the tunesmith release
that created or last migrated the file (``written_by``). Opening a file written in
a newer format is refused (:class:`~tunesmith.errors.StoreVersionError`); an older
format is migrated forward, in one transaction, by the steps in ``_MIGRATIONS``.

Every check here reads without writing, so a file that fails one is left exactly as
it was found. Two crash remnants are read the way SQLite must read them: a
write-ahead log left by a killed writer is read through (SQLite may rebuild its
transient ``-shm`` index, never the database or the log), and a hot rollback journal
is played back first, as any SQLite client opening the file would do.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tunesmith._version import __version__
from tunesmith.errors import StoreCorruptError, StoreVersionError
from tunesmith.store._paths import sidecars
from tunesmith.store._wal import find_damage

#: The store format this code writes; it reads this one and every older one.
SCHEMA_VERSION = 1
APPLICATION = "tunesmith"

# Why these shapes:
# * study: one JSON document, because its content (objective, oracle arguments,
#   space config...) belongs to the oracle layer and changes more often than the file
#   format should.
# * spaces: the space config of each trial, deduplicated by digest; trials keep a
#   reference, so a trial is rebuilt with the space it was sampled from even after
#   the study's space grew, without copying the whole config into every row.
# * trials: one row per trial, every field of ``Trial``; a non-finite score is NULL
#   in ``score`` plus 'nan' / 'inf' / '-inf' in ``score_flag``.
# * curves: long format, one row per (trial, execution, step, metric name), so a
#   metric first logged late (or only by some trials) needs no schema change.
_DDL_V1 = """
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE study (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    settings   TEXT NOT NULL,
    updated_at REAL NOT NULL
);
CREATE TABLE spaces (
    space_id INTEGER PRIMARY KEY,
    digest   TEXT NOT NULL UNIQUE,
    config   TEXT NOT NULL
);
CREATE TABLE trials (
    trial_id   TEXT PRIMARY KEY,
    number     INTEGER NOT NULL UNIQUE,
    status     TEXT NOT NULL,
    score      REAL,
    score_flag TEXT,
    best_step  INTEGER,
    metrics    TEXT NOT NULL,
    hp_values  TEXT NOT NULL,
    space_id   INTEGER NOT NULL REFERENCES spaces (space_id),
    started_at REAL,
    ended_at   REAL,
    error      TEXT,
    executions INTEGER NOT NULL,
    epochs     INTEGER NOT NULL,
    attempts   INTEGER NOT NULL,
    updated_at REAL NOT NULL
);
CREATE TABLE curves (
    trial_id  TEXT NOT NULL REFERENCES trials (trial_id) ON DELETE CASCADE,
    execution INTEGER NOT NULL,
    step      INTEGER NOT NULL,
    name      TEXT NOT NULL,
    value     REAL,
    flag      TEXT,
    PRIMARY KEY (trial_id, execution, step, name)
);
"""

# Tables each format version must have; a file missing one is damaged.
_TABLES = {1: frozenset({"meta", "study", "spaces", "trials", "curves"})}

# _MIGRATIONS[v] turns a version-v store into a version-(v + 1) store. Each step runs
# inside the single transaction that also bumps ``schema_version``.
_MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {}

_SQLITE_MAGIC = b"SQLite format 3\x00"
_HEADER_SIZE = 100


def tunesmith_version() -> str:
    """The running tunesmith release, for the ``written_by`` record."""
    return __version__


def corrupt(path: Path, reason: str) -> StoreCorruptError:
    return StoreCorruptError(
        f"{path} is not a usable tunesmith store: {reason}. Nothing was changed. "
        "To keep that file, point tunesmith at another directory or project_name "
        "(or move the file away); to discard it, pass overwrite=True, which deletes "
        f"{path.name} and the trials/ folder beside it and starts a fresh store."
    )


def _nonempty(path: Path) -> bool:
    try:
        return path.stat().st_size > 0
    except FileNotFoundError:
        return False


def log_is_missing(path: Path) -> bool:
    """Whether ``path`` is a database switched to WAL mode whose log is gone.

    Such a file is SQLite's header page alone: everything written after the switch
    (for a store, all of it) lived in the ``-wal`` file.
    """
    try:
        with path.open("rb") as f:
            header = f.read(_HEADER_SIZE)
    except OSError:
        return False
    in_wal_mode = header.startswith(_SQLITE_MAGIC) and header[18:20] == b"\x02\x02"
    return in_wal_mode and not _nonempty(sidecars(path)[0])


def _check_header(path: Path) -> bool:
    """Whether ``path`` holds a database (False: missing or empty); raise if unusable.

    Reads raw bytes only, so a foreign or damaged file is never handed to SQLite in
    a mode that could write to it.
    """
    wal = sidecars(path)[0]
    if not path.exists():
        if _nonempty(wal):
            # Creating a database next to a stray log could replay that log into it.
            raise corrupt(path, f"it is missing but its write-ahead log {wal.name} exists")
        return False
    if not path.is_file():
        raise corrupt(path, "it is not a regular file")
    size = path.stat().st_size
    if size == 0:
        if _nonempty(wal):
            raise corrupt(path, f"it is empty but its write-ahead log {wal.name} is not")
        # What a crash right after creating the file leaves behind: nothing to lose.
        return False
    with path.open("rb") as f:
        header = f.read(_HEADER_SIZE)
    if not header.startswith(_SQLITE_MAGIC):
        raise corrupt(path, "it is not a SQLite database")
    if len(header) < _HEADER_SIZE:
        raise corrupt(path, f"it is truncated ({size} bytes, shorter than a SQLite header)")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        raise corrupt(path, f"its header is damaged (page size {page_size} is not one SQLite uses)")
    page_count = int.from_bytes(header[28:32], "big")
    # The header's page count is only meaningful when its "version-valid-for" field
    # matches the change counter; while a write-ahead log or a rollback journal holds
    # pages not yet played back, the file may legitimately be shorter, so only judge a
    # file without either.
    size_is_valid = header[24:28] == header[92:96] and page_count > 0
    journal = sidecars(path)[2]
    if size_is_valid and not _nonempty(wal) and not _nonempty(journal):
        expected = page_count * page_size
        if size < expected or (page_size and size % page_size):
            raise corrupt(
                path, f"it is truncated ({size} bytes where its header announces {expected})"
            )
    return True


@dataclass(frozen=True)
class Contents:
    """What :func:`inspect` found in a usable store."""

    #: The store format version of the file.
    version: int
    #: The ids of the trials it holds (for checking the ``trials/`` folder beside it).
    trial_ids: frozenset[str]


def inspect(path: Path) -> Contents | None:
    """The format version and trial ids of the store at ``path``, or None if there is none.

    ``None`` means the file is missing, empty, or an SQLite database without any
    table: a fresh store may be created there. Raises
    :class:`~tunesmith.errors.StoreCorruptError` or
    :class:`~tunesmith.errors.StoreVersionError`, having changed nothing.
    """
    if not _check_header(path):
        return None
    wal, _, journal = sidecars(path)
    uri = path.resolve().as_uri()
    if _nonempty(journal):
        # A rollback journal left by a crash (while a file was switched to WAL, or by a
        # non-WAL writer): the file is only consistent once the journal is played
        # back, which SQLite does on the first read of a writable connection, as any
        # SQLite client opening the file would.
        pass
    elif _nonempty(wal):
        # A log left by a crash holds committed data: read it the normal way, once it
        # is known that SQLite will not skip any of it.
        refuse_damaged_log(path)
        uri += "?mode=ro"
    else:
        # All the content is in the file itself. Reading it as immutable keeps SQLite
        # from creating the -wal and -shm files it otherwise adds even when reading.
        uri += "?mode=ro&immutable=1"
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=30.0)
    except sqlite3.Error as exc:
        raise corrupt(path, f"SQLite cannot open it ({exc})") from exc
    try:
        return _inspect_open(path, conn)
    except sqlite3.DatabaseError as exc:
        raise corrupt(path, f"SQLite cannot read it ({exc})") from exc
    finally:
        conn.close()


def refuse_damaged_log(path: Path) -> None:
    """Raise when SQLite would silently ignore committed frames of ``path``'s log."""
    wal = sidecars(path)[0]
    damage = find_damage(wal)
    if damage is None:
        return
    raise StoreCorruptError(
        f"{wal} is damaged at byte {damage.offset} ({damage.reason}): SQLite would "
        f"silently skip the {damage.frames_lost} log frame(s) from there on, and the "
        "trials they hold would be lost for good at the next write. Nothing was "
        f"changed. If you have an intact copy of {wal.name}, put it back beside "
        f"{path.name}. Otherwise `tunesmith recover {path.parent}` keeps a copy of the "
        "damaged files and rebuilds the store from what is readable before the damage "
        "(the trials after it run again); overwrite=True deletes the store and its "
        "trials and starts afresh."
    )


def _inspect_open(path: Path, conn: sqlite3.Connection) -> Contents | None:
    report = [row[0] for row in conn.execute("PRAGMA quick_check(3)")]
    if report != ["ok"]:
        lines = [line for row in report for line in row.splitlines() if not line.startswith("***")]
        raise corrupt(path, "SQLite's integrity check fails (" + "; ".join(lines[:3]) + ")")
    objects = conn.execute("SELECT type, name FROM sqlite_master").fetchall()
    if not objects:
        return None
    tables = sorted(name for kind, name in objects if kind == "table")
    listed = ", ".join(tables[:8]) + (", ..." if len(tables) > 8 else "")
    foreign = f"it is a SQLite database of another program (tables: {listed or 'none'})"
    if "meta" not in tables:
        raise corrupt(path, foreign)
    try:
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    except sqlite3.OperationalError:  # a 'meta' table of some other shape
        raise corrupt(path, foreign) from None
    if meta.get("application") != APPLICATION:
        raise corrupt(path, foreign)
    try:
        version = int(meta["schema_version"])
    except (KeyError, ValueError):
        raise corrupt(
            path, f"its format version is unreadable ({meta.get('schema_version')!r})"
        ) from None
    if version > SCHEMA_VERSION:
        raise StoreVersionError(
            f"{path} was written by tunesmith {meta.get('written_by', '(unknown release)')} "
            f"in store format version {version}; this is tunesmith {tunesmith_version()}, "
            f"which reads store formats up to version {SCHEMA_VERSION}. Nothing was changed. "
            "Upgrade tunesmith (pip install -U tunesmith) to resume this project, choose "
            "another directory or project_name, or pass overwrite=True to delete its "
            "results and start afresh."
        )
    if version not in _TABLES:
        raise corrupt(path, f"its format version {version} never existed")
    missing = sorted(_TABLES[version] - set(tables))
    if missing:
        raise corrupt(path, "it lacks the table(s) " + ", ".join(missing))
    trial_ids = frozenset(row[0] for row in conn.execute("SELECT trial_id FROM trials"))
    return Contents(version, trial_ids)


def create(conn: sqlite3.Connection) -> None:
    """Create the current schema; call inside a write transaction on an empty database."""
    for statement in _DDL_V1.split(";"):
        if statement.strip():
            conn.execute(statement)
    conn.executemany(
        "INSERT INTO meta (key, value) VALUES (?, ?)",
        [
            ("application", APPLICATION),
            ("schema_version", str(SCHEMA_VERSION)),
            ("written_by", tunesmith_version()),
            ("created_at", repr(time.time())),
        ],
    )


def migrate(conn: sqlite3.Connection, version: int) -> None:
    """Bring a version-``version`` store to :data:`SCHEMA_VERSION`; call inside a write
    transaction, so a crash midway leaves the old format intact."""
    while version < SCHEMA_VERSION:
        _MIGRATIONS[version](conn)
        version += 1
    conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(version),))
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('written_by', ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (tunesmith_version(),),
    )
