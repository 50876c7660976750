"""Rebuilding a damaged store from what can still be read, keeping a copy of the rest.

Two kinds of damage are refused when a search opens a store (see ``_schema`` and
``refuse_untracked_trials``): a write-ahead log that SQLite would read only in part,
and ``trials/`` folders the database has no record of. :func:`recover` is the way
forward when no intact copy exists. It moves the damaged files, and the folders of
trials the database lost, into ``<project>/damaged-<time>/``, and writes a database
holding every trial readable before the damage. A search run afterwards resumes
from those trials and runs the lost ones again; nothing is deleted.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from tunesmith.errors import StoreError
from tunesmith.store import _schema
from tunesmith.store._connection import untracked_trial_folders
from tunesmith.store._lock import claim_driver, release_driver
from tunesmith.store._paths import DAMAGED_PREFIX, DB_FILENAME, TRIALS_DIRNAME, sidecars
from tunesmith.store._wal import find_damage


@dataclass(frozen=True)
class Recovery:
    """What :func:`recover` did."""

    #: The folder holding the damaged files and the folders moved aside.
    kept_at: Path
    #: Trials in the rebuilt database.
    trials: int
    #: Trial folders moved aside because the rebuilt database has no record of them.
    moved_folders: tuple[str, ...]


def recover(project_dir: str | Path) -> Recovery:
    """Rebuild the store of ``project_dir`` from its readable part; keep a copy of all.

    Refuses (changing nothing) while a search runs on the project, and when the
    database file itself is damaged beyond what SQLite reads.

    Example:
        >>> recover("runs/mnist")                          # doctest: +SKIP
        Recovery(kept_at=PosixPath('runs/mnist/damaged-20261201-142501'), trials=6, ...)
    """
    project_dir = Path(project_dir).expanduser()
    db_path = project_dir / DB_FILENAME
    if not db_path.is_file():
        raise StoreError(f"No tunesmith store at {project_dir} (no {DB_FILENAME} there).")
    claim_driver(project_dir)  # never under a running search
    try:
        return _recover(project_dir, db_path)
    finally:
        release_driver(project_dir)


def _recover(project_dir: Path, db_path: Path) -> Recovery:
    kept_at = project_dir / time.strftime(f"{DAMAGED_PREFIX}%Y%m%d-%H%M%S", time.gmtime())
    scratch = project_dir / ".recovering"
    shutil.rmtree(scratch, ignore_errors=True)  # what an interrupted recover left
    scratch.mkdir()
    try:
        # Everything is worked out on a copy first, so a refusal changes nothing.
        rebuilt = scratch / DB_FILENAME
        originals = [path for path in (db_path, *sidecars(db_path)) if path.exists()]
        for path in originals:
            shutil.copy2(path, scratch / path.name)
        wal = sidecars(rebuilt)[0]
        damage = find_damage(wal)
        if damage is not None:
            # Cut the log where SQLite stops reading it, so the copy reads the same
            # trials without the refusal meant for an untouched store.
            with wal.open("r+b") as log:
                log.truncate(damage.offset)
        contents = _schema.inspect(rebuilt)
        if contents is not None:
            # Fold the log into the file: the rebuilt store is one self-contained file.
            conn = sqlite3.connect(rebuilt)
            try:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                conn.execute("PRAGMA journal_mode = DELETE")
            finally:
                conn.close()
        moved = untracked_trial_folders(project_dir, contents)
        if damage is None and not moved and contents is not None:
            raise StoreError(
                f"The store at {project_dir} needs no recovery: its log is intact and "
                "every trial folder has its record. Nothing was changed."
            )

        kept_at.mkdir()
        for path in originals:
            os.replace(path, kept_at / path.name)
        for folder in moved:
            (kept_at / TRIALS_DIRNAME).mkdir(exist_ok=True)
            os.replace(folder, kept_at / TRIALS_DIRNAME / folder.name)
        if contents is not None:
            os.replace(rebuilt, db_path)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return Recovery(
        kept_at=kept_at,
        trials=0 if contents is None else len(contents.trial_ids),
        moved_folders=tuple(folder.name for folder in moved),
    )
