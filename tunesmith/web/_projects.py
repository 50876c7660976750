"""The projects under the dashboard's folder, found on disk and read in short visits.

A request names a project by its key, the path of its folder relative to the
dashboard's root as found by :meth:`Projects.scan`; the key is looked up, never
joined to a path, so no request can reach a file outside the root.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tunesmith.errors import StoreError
from tunesmith.store import DAMAGED_PREFIX, DB_FILENAME, TRIALS_DIRNAME, Store, driver_running

#: How deep under the root projects are looked for (runs/<directory>/<project>/...).
MAX_DEPTH = 4
# Finding projects walks folders; a page polling every second should not redo it each time.
_RESCAN_S = 2.0


@dataclass
class Project:
    """One project folder under the root, and what its last check found."""

    key: str
    directory: Path
    #: Why the store cannot be shown (damaged, newer format...); None when it can.
    problem: str | None = None
    # The database file the last check passed on, so a replaced file is checked again.
    _checked: tuple[int, int] | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def running(self) -> bool:
        """Whether a search holds this project's driver lock now."""
        return driver_running(self.directory)

    def check(self) -> bool:
        """Validate the store once per database file (the full read-only checks)."""
        with self._lock:
            try:
                stat = (self.directory / DB_FILENAME).stat()
            except OSError as exc:
                self.problem = f"{DB_FILENAME} cannot be read ({exc.strerror})."
                return False
            identity = (stat.st_dev, stat.st_ino)
            if self._checked == identity and self.problem is None:
                return True
            try:
                Store.open_read_only(self.directory).close()
            except StoreError as exc:
                self.problem = str(exc)
                self._checked = None
                return False
            self.problem = None
            self._checked = identity
            return True

    @contextlib.contextmanager
    def visit(self) -> Iterator[Store]:
        """A read-only store for one request; closed at once, so it never holds a
        snapshot that keeps the writer from folding its log back into the file."""
        if not self.check():
            raise StoreError(self.problem or "The store cannot be read.")
        store = Store.reopen_read_only(self.directory)
        try:
            yield store
        finally:
            store.close()


class Projects:
    """Every project under ``root``, by key.

    Example:
        >>> projects = Projects("runs")                  # doctest: +SKIP
        >>> [project.key for project in projects.scan()]  # doctest: +SKIP
        ['breast_cancer', 'cifar10']
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).expanduser().resolve()
        if not self.root.is_dir():
            raise StoreError(
                f"{self.root} is not a folder. Give the folder that holds your projects "
                "(a tuner's directory=), e.g. `tunesmith dashboard runs/`."
            )
        self._projects: dict[str, Project] = {}
        self._scanned_at = -float("inf")
        self._lock = threading.Lock()

    def scan(self, force: bool = False) -> list[Project]:
        """The projects found now, in key order (folders are walked at most every 2 s)."""
        with self._lock:
            if force or time.monotonic() - self._scanned_at > _RESCAN_S:
                found = {}
                for directory in _project_dirs(self.root):
                    key = directory.relative_to(self.root).as_posix() or "."
                    found[key] = self._projects.get(key) or Project(key, directory)
                self._projects = found
                self._scanned_at = time.monotonic()
            return [self._projects[key] for key in sorted(self._projects)]

    def get(self, key: str) -> Project:
        """The project of ``key``; ``KeyError`` when there is none under the root."""
        project = self._projects.get(key)
        if project is None:
            self.scan(force=True)
            project = self._projects[key]
        return project


def _project_dirs(root: Path) -> Iterator[Path]:
    """Folders under ``root`` holding a store, not entering a project or a symlink."""
    pending = [(root, 0)]
    while pending:
        directory, depth = pending.pop()
        if (directory / DB_FILENAME).is_file():
            yield directory
            continue  # a project's own folders (trials/, damaged copies) are not projects
        if depth >= MAX_DEPTH:
            continue
        try:
            children = list(os.scandir(directory))
        except OSError:
            continue
        for child in children:
            if (
                child.is_dir(follow_symlinks=False)
                and not child.name.startswith((".", DAMAGED_PREFIX))
                and child.name != TRIALS_DIRNAME
            ):
                pending.append((Path(child.path), depth + 1))
