"""Where a project's files live, and how to find a project on disk."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from tunesmith.errors import StoreError

#: The SQLite database of a project, directly inside the project directory.
DB_FILENAME = "tunesmith.db"
#: The folder of per-trial files (e.g. ``best.weights.h5``), next to the database.
TRIALS_DIRNAME = "trials"
#: Prefix of the folders where ``tunesmith recover`` keeps a damaged store's files.
DAMAGED_PREFIX = "damaged-"
# SQLite's companion files: the write-ahead log, its shared-memory index, and the
# rollback journal (present only if the database was ever used outside WAL mode).
_SIDECAR_SUFFIXES = ("-wal", "-shm", "-journal")


def sidecars(db_path: Path) -> list[Path]:
    """SQLite's companion files of ``db_path`` (whether or not they exist)."""
    return [db_path.with_name(db_path.name + suffix) for suffix in _SIDECAR_SUFFIXES]


def check_trial_id(trial_id: str) -> str:
    """``trial_id`` if it is usable as one folder name, else ``ValueError``."""
    if (
        not isinstance(trial_id, str)
        or trial_id in ("", ".", "..")
        or any(c in trial_id for c in "/\\\0")
    ):
        raise ValueError(
            f"Trial id {trial_id!r} cannot name a folder under trials/; "
            "use a non-empty id without path separators."
        )
    return trial_id


def remove_store_files(project_dir: Path) -> None:
    """Delete the database, its companion files and ``trials/``; nothing else."""
    db_path = project_dir / DB_FILENAME
    for path in (db_path, *sidecars(db_path)):
        path.unlink(missing_ok=True)
    trials = project_dir / TRIALS_DIRNAME
    # A symlinked trials/ folder is unlinked, never followed: its target is not ours.
    if trials.is_symlink() or trials.is_file():
        trials.unlink()
    elif trials.is_dir():
        shutil.rmtree(trials)


def _holds_store(path: Path) -> bool:
    try:
        return (path / DB_FILENAME).is_file()
    except OSError:  # an unreadable folder holds nothing we can use
        return False


def find_store(path: str | os.PathLike[str]) -> Path | None:
    """The project directory holding a store, given that directory or its parent.

    Accepts a project directory (it contains ``tunesmith.db``), the database file
    itself, or a directory with exactly one project directly inside it (keras-tuner's
    ``directory`` holding one ``project_name``). Returns ``None`` when there is no
    store there, and raises :class:`~tunesmith.errors.StoreError` listing the
    candidates when several projects would match.

    Example:
        >>> find_store("runs/my_search")       # doctest: +SKIP
        PosixPath('runs/my_search')
        >>> find_store("runs")                 # doctest: +SKIP
        PosixPath('runs/my_search')
    """
    path = Path(path).expanduser()
    if path.name == DB_FILENAME and path.is_file():
        return path.parent
    if _holds_store(path):
        return path
    if not path.is_dir():
        return None
    try:
        children = sorted(child for child in path.iterdir() if child.is_dir())
    except OSError:
        return None
    # A copy kept by `tunesmith recover` inside a project is not a project of its own.
    candidates = [
        child
        for child in children
        if _holds_store(child) and not child.name.startswith(DAMAGED_PREFIX)
    ]
    if not candidates:
        return None
    if len(candidates) == 1:
        return candidates[0]
    listing = "\n".join(f"  {candidate}" for candidate in candidates)
    raise StoreError(
        f"{path} holds {len(candidates)} tunesmith projects:\n{listing}\nName the one you mean."
    )


#: What every reader asks for when a path holds no project.
_EXPECTED = (
    "give the folder <directory>/<project_name> that a tuner wrote "
    f"(it holds {DB_FILENAME}), or the folder directly above it."
)


def no_project_message(path: str | os.PathLike[str]) -> str:
    """The one message of every reader (the CLI's commands, :func:`tunesmith.load`)
    for a path that holds no tunesmith project: which path, what is there, what is
    expected.

    Example:
        >>> no_project_message("/no/such/folder")
        'No tunesmith project at /no/such/folder: there is no such folder; give the folder <directory>/<project_name> that a tuner wrote (it holds tunesmith.db), or the folder directly above it.'
    """  # noqa: E501
    where = Path(path).expanduser()
    if not where.exists():
        found = "there is no such folder"
    elif not where.is_dir():
        found = "it is a file, not a project folder"
    else:
        found = f"the folder holds no {DB_FILENAME}"
    return f"No tunesmith project at {path}: {found}; {_EXPECTED}"


def require_store(path: str | os.PathLike[str]) -> Path:
    """:func:`find_store`, or :class:`~tunesmith.errors.StoreError` with
    :func:`no_project_message` when ``path`` holds no project.

    Example:
        >>> require_store("runs/my_search")    # doctest: +SKIP
        PosixPath('runs/my_search')
    """
    project_dir = find_store(path)
    if project_dir is None:
        raise StoreError(no_project_message(path))
    return project_dir
