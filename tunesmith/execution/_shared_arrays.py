"""Large arrays reach local workers as memory-mapped files, not as copies.

Pickling a task copies every array into every worker: eight workers on a 4 GB data
set would hold 32 GB. Instead, each numpy array of at least :data:`SHARE_BYTES`
found anywhere in the task (the ``search()`` arguments, a closure of ``tune()``'s
function) is written once to a ``.npy`` file and unpickled in each worker as a
copy-on-write memory map of it: the pages are shared through the page cache, and a
worker that writes into its array changes only its own copy of those pages.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from pathlib import Path

import numpy as np

#: Arrays at least this large (bytes) are shared through a file.
SHARE_BYTES = 1 << 20
_PREFIX = "tunesmith-arrays-"
_OWNER = re.compile(re.escape(_PREFIX) + r"(\d+)-")


class ArrayFolder:
    """The files of one search's shared arrays, in a temporary folder of its own.

    Folders left by a driver that was killed (whose process is gone) are removed
    when the next one is made. Set ``TMPDIR`` to put them on another disk.

    Example:
        >>> folder = ArrayFolder()
        >>> path = folder.store(np.arange(4.0))
        >>> open_shared_array(str(path)).tolist()
        [0.0, 1.0, 2.0, 3.0]
        >>> folder.cleanup(); path.exists()
        False
    """

    def __init__(self) -> None:
        _remove_orphans(Path(tempfile.gettempdir()))
        self.path = Path(tempfile.mkdtemp(prefix=f"{_PREFIX}{os.getpid()}-"))
        self._stored: dict[int, tuple[np.ndarray, Path]] = {}

    def store(self, array: np.ndarray) -> Path:
        """Write ``array`` (once, however often it is met) and return its file."""
        known = self._stored.get(id(array))
        if known is not None and known[0] is array:
            return known[1]
        path = self.path / f"{len(self._stored)}.npy"
        try:
            np.save(path, array, allow_pickle=False)
        except OSError as exc:
            raise OSError(
                f"Could not write a {array.nbytes / 2**20:.0f} MiB array for the workers to "
                f"{self.path} ({exc}). Set TMPDIR to a folder with room, or run without "
                "executor=."
            ) from exc
        self._stored[id(array)] = (array, path)  # the array is kept: its id stays unique
        return path

    def cleanup(self) -> None:
        self._stored.clear()
        shutil.rmtree(self.path, ignore_errors=True)


def open_shared_array(path: str) -> np.ndarray:
    """The array of ``path``, memory-mapped copy-on-write (what a worker unpickles)."""
    array: np.ndarray = np.load(path, mmap_mode="c", allow_pickle=False)  # an .npy file
    return array


def pickle_sharing_arrays(obj: object, folder: ArrayFolder) -> bytes:
    """cloudpickle of ``obj`` whose large arrays are files of ``folder``."""
    import io

    import cloudpickle

    class _Pickler(cloudpickle.Pickler):  # type: ignore[misc]  # cloudpickle ships no types
        def reducer_override(self, value: object) -> object:
            if (
                isinstance(value, np.ndarray)
                and type(value) in (np.ndarray, np.memmap)
                and value.nbytes >= SHARE_BYTES
                and not value.dtype.hasobject
            ):
                return open_shared_array, (str(folder.store(value)),)
            return super().reducer_override(value)

    buffer = io.BytesIO()
    _Pickler(buffer).dump(obj)
    return buffer.getvalue()


def _remove_orphans(root: Path) -> None:
    """Remove the array folders of drivers that no longer run."""
    with contextlib.suppress(OSError):
        for entry in root.glob(f"{_PREFIX}*"):
            owner = _OWNER.match(entry.name)
            if owner is not None and entry.is_dir() and not _running(int(owner.group(1))):
                shutil.rmtree(entry, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True
