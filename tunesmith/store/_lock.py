"""One driver per project: an advisory lock that a dead process releases by itself."""

from __future__ import annotations

import os
from pathlib import Path

from tunesmith.errors import StoreLockedError

try:
    import fcntl
except ImportError:  # Windows: no flock; the single-driver rule is then not enforced.
    fcntl = None  # type: ignore[assignment]

LOCK_FILENAME = "driver.lock"

# Locks this process holds, by lock-file path: several tuners of one process (a
# notebook re-running a cell) may drive the same project; another process may not.
_held: dict[Path, int] = {}


def claim_driver(project_dir: Path) -> None:
    """Make this process the project's only writer, or raise :class:`StoreLockedError`.

    The lock is an ``flock`` on ``<project_dir>/driver.lock``: the kernel drops it when
    the process ends, even by SIGKILL, so a crash never leaves a stale lock behind.
    """
    if fcntl is None:
        return
    path = (project_dir / LOCK_FILENAME).resolve()
    if path in _held:
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
        os.close(fd)
        raise StoreLockedError(
            f"Another process (pid {holder}) is running a search on {project_dir}. "
            "Wait for it to finish or stop it, or use another project_name; "
            "`tunesmith summary` can read the project meanwhile."
        ) from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    _held[path] = fd


def release_driver(project_dir: Path) -> None:
    """Give the project back (closing the store does this)."""
    path = (project_dir / LOCK_FILENAME).resolve()
    fd = _held.pop(path, None)
    if fd is not None:
        os.close(fd)  # closing the descriptor releases the flock


def driver_running(project_dir: Path) -> bool:
    """Whether a process holds the project's driver lock, found without touching it.

    Taking the lock to test it, even shared and for an instant, could make a search
    starting at that moment fail; so the kernel's table of locks is read instead
    (``/proc/locks``). Where there is none, the pid written in the lock file is
    checked, which a reused pid can fool.
    """
    path = project_dir / LOCK_FILENAME
    try:
        inode = path.stat().st_ino
    except OSError:
        return False
    try:
        table = Path("/proc/locks").read_text()
    except OSError:
        return _pid_alive(path)
    for line in table.splitlines():
        fields = line.split()
        # "1: FLOCK  ADVISORY  WRITE 4242 08:01:1234567 0 EOF" (a blocked waiter has "->")
        if (
            len(fields) >= 6
            and fields[1] == "FLOCK"
            and fields[2] != "->"
            and fields[5].rsplit(":", 1)[-1] == str(inode)
        ):
            return True
    return False


def _pid_alive(path: Path) -> bool:
    try:
        pid = int(path.read_text().strip() or 0)
    except (OSError, ValueError):
        return False
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
