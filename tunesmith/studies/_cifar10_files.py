"""Finding and reading CIFAR-10's python-version files, with errors that say the fix.

Private to :mod:`tunesmith.studies.cifar10_data`, which splits and scales what this
reads. The layout of the published archive: ``cifar-10-batches-py/data_batch_1`` ...
``data_batch_5`` and ``test_batch``, each a pickle of ``{b"data": uint8 (10000, 3072),
b"labels": [...]}``.
"""

from __future__ import annotations

import io
import os
import pickle
import tarfile
import tempfile
import zlib
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np

from tunesmith.errors import DataSourceError

#: Where CIFAR-10 is published, and the names of its archive and of the folder inside it.
CIFAR10_URL = "https://www.cs.toronto.edu/~kriz/cifar.html"
CIFAR10_ARCHIVE = "cifar-10-python.tar.gz"
CIFAR10_FOLDER = "cifar-10-batches-py"

# Size of the published archive, quoted when a copy turns out to be truncated.
_ARCHIVE_BYTES = 170_498_071
_TRAIN_BATCHES = tuple(f"data_batch_{i}" for i in range(1, 6))
_TEST_BATCH = "test_batch"
_BATCHES = (*_TRAIN_BATCHES, _TEST_BATCH)
_SIDE = 32
_CLASSES = 10
_ROW_BYTES = 3 * _SIDE * _SIDE

# What keras.datasets.cifar10.load_data() leaves in <Keras home>/datasets. Keras 3
# calls get_file(fname="cifar-10-batches-py-target", extract=True): a name without a
# dot becomes the extraction folder, and the download is kept beside it with
# "_archive" appended (no extension). Keras 2 and tf.keras used
# get_file("cifar-10-batches-py", untar=True): "<name>.tar.gz", extracted in place.
_KERAS3_FOLDER = "cifar-10-batches-py-target"
_KERAS3_ARCHIVE = "cifar-10-batches-py-target_archive"
_KERAS2_ARCHIVE = "cifar-10-batches-py.tar.gz"
# Keras writes here when its home folder is not writable (as Keras picks it).
_FALLBACK_KERAS_HOME = Path("/tmp" if os.path.isdir("/tmp") else tempfile.gettempdir()) / ".keras"

# What a damaged archive or pickle raises: tarfile's own errors, gzip's BadGzipFile
# (an OSError), zlib's, EOFError at a cut end, and whatever a garbled pickle stream
# makes the unpickler trip over.
_ARCHIVE_ERRORS = (tarfile.TarError, EOFError, OSError, zlib.error)
_PICKLE_ERRORS = (
    pickle.UnpicklingError,
    EOFError,
    ValueError,
    TypeError,
    AttributeError,
    ImportError,
    IndexError,
    KeyError,
    MemoryError,
    OverflowError,
)


def locate(path: str | os.PathLike[str] | None) -> Path | None:
    """The archive or batch folder to read for ``path`` (None: the Keras cache), or None."""
    if path is not None:
        where = Path(path).expanduser()
        if where.is_file():
            return where
        if where.is_dir():
            return _first_usable(_candidates(where, include_self=True))
        return None
    return _first_usable([c for d in _keras_dataset_folders() for c in _candidates(d)])


def read_batches(location: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Training rows and labels (the five batches in order), then the test batch's."""
    batches = _read_folder(location) if location.is_dir() else _read_archive(location)
    rows = np.concatenate([batches[name][0] for name in _TRAIN_BATCHES])
    labels = np.concatenate([batches[name][1] for name in _TRAIN_BATCHES])
    test_rows, test_labels = batches[_TEST_BATCH]
    return rows, labels, test_rows, test_labels


def _keras_dataset_folders() -> list[Path]:
    """Where Keras keeps downloaded datasets, decided the way Keras decides it."""
    home_setting = os.environ.get("KERAS_HOME")
    if home_setting:
        root = Path(home_setting).expanduser()
        writable = os.access(root, os.W_OK)
    else:
        home = Path(os.path.expanduser("~"))
        root = home / ".keras"
        writable = os.access(home, os.W_OK) and os.access(root, os.W_OK)
    folders = [root / "datasets"]
    # Keras falls back to /tmp/.keras when it cannot write to its home folder.
    fallback = _FALLBACK_KERAS_HOME / "datasets"
    if not writable and fallback not in folders:
        folders.append(fallback)
    return folders


def _candidates(folder: Path, *, include_self: bool = False) -> list[Path]:
    """The places in ``folder`` a CIFAR-10 copy may be, extracted folders first (quicker)."""
    inside = [
        folder / CIFAR10_FOLDER,  # extracted by hand, or by Keras 2
        folder / _KERAS3_FOLDER / CIFAR10_FOLDER,  # extracted by Keras 3
        folder / CIFAR10_ARCHIVE,  # downloaded by hand
        folder / _KERAS3_ARCHIVE,  # downloaded by Keras 3
        folder / _KERAS2_ARCHIVE,  # downloaded by Keras 2
    ]
    return [folder, *inside] if include_self else inside


def _first_usable(candidates: list[Path]) -> Path | None:
    """The first archive or complete batch folder; else a partial folder, to report."""
    partial = []
    for candidate in candidates:
        if candidate.is_dir():
            present = [name for name in _BATCHES if (candidate / name).is_file()]
            if len(present) == len(_BATCHES):
                return candidate
            if present:
                partial.append(candidate)
        elif candidate.is_file():
            return candidate
    # A half-extracted folder is not used while a whole copy exists, but is returned
    # when it is all there is, so that the error names what it lacks.
    return partial[0] if partial else None


def _places_looked(path: str | os.PathLike[str] | None) -> list[Path]:
    if path is not None:
        where = Path(path).expanduser()
        return _candidates(where, include_self=True) if where.is_dir() else [where]
    return [c for d in _keras_dataset_folders() for c in _candidates(d)]


def not_found_message(path: str | os.PathLike[str] | None) -> str:
    cache = _keras_dataset_folders()[0]
    if path is None:
        head = "CIFAR-10 was not found: no path was given and the Keras cache holds no copy."
    elif Path(path).expanduser().exists():
        head = (
            f"CIFAR-10 was not found in {path}: it holds none of CIFAR-10's batches "
            f"({', '.join(_BATCHES)}), nor {CIFAR10_FOLDER}/ or {CIFAR10_ARCHIVE}."
        )
    else:
        head = f"CIFAR-10 was not found: {path} does not exist."
    looked = "\n".join(f"  {place}" for place in _places_looked(path))
    return (
        f"{head}\nLooked at:\n{looked}\n"
        f"Download {CIFAR10_ARCHIVE} (the CIFAR-10 python version) from {CIFAR10_URL} "
        f"and either put it in {cache}/ (the Keras cache: $KERAS_HOME/datasets when "
        "KERAS_HOME is set, else ~/.keras/datasets) or pass its path with --cifar-path. "
        "To run without it, use --data digits (scikit-learn's digits, offline)."
    )


def _read_archive(path: Path) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The six batches, read from the tar in one pass without extracting anything."""
    found: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    members: list[str] = []
    fix = _redownload_fix(path)
    # Opening outside the try lets a missing permission surface as itself, not as damage.
    with open(path, "rb") as raw:
        try:
            # Stream mode ("r|*") reads the gzip once, front to back; random access into
            # a .tar.gz would decompress it again for every backwards seek.
            with tarfile.open(fileobj=raw, mode="r|*") as tar:
                for member in tar:
                    members.append(member.name)
                    name = PurePosixPath(member.name).name
                    if name not in _BATCHES or name in found or not member.isfile():
                        continue
                    stream = tar.extractfile(member)
                    assert stream is not None  # a regular file always has a stream
                    found[name] = _parse_batch(stream.read(), f"{path}:{member.name}", fix)
                    if len(found) == len(_BATCHES):
                        break
        except DataSourceError:
            raise
        except _ARCHIVE_ERRORS as err:
            raise DataSourceError(
                f"{path} is truncated or corrupt ({type(err).__name__}: {err}). {fix}"
            ) from err
    missing = [name for name in _BATCHES if name not in found]
    if missing:
        raise DataSourceError(_wrong_archive_message(path, missing, members, fix))
    return found


def _read_folder(folder: Path) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The six batches from the extracted ``cifar-10-batches-py`` folder."""
    missing = [name for name in _BATCHES if not (folder / name).is_file()]
    if missing:
        raise DataSourceError(
            f"{folder} lacks {', '.join(missing)} of CIFAR-10's batches "
            f"({', '.join(_BATCHES)}); it is incomplete or not CIFAR-10's folder. "
            f"Extract {CIFAR10_ARCHIVE} (from {CIFAR10_URL}) again, or pass the archive "
            "itself with --cifar-path."
        )
    fix = (
        f"Extract {CIFAR10_ARCHIVE} again (download it again from {CIFAR10_URL} if that "
        "fails too), or pass the archive itself with --cifar-path."
    )
    return {
        name: _parse_batch((folder / name).read_bytes(), str(folder / name), fix)
        for name in _BATCHES
    }


def _redownload_fix(path: Path) -> str:
    try:
        size = f"; this one is {path.stat().st_size:,}"
    except OSError:
        size = ""
    return (
        f"Download {CIFAR10_ARCHIVE} again from {CIFAR10_URL} "
        f"(the complete file is {_ARCHIVE_BYTES:,} bytes{size})."
    )


def _wrong_archive_message(path: Path, missing: list[str], members: list[str], fix: str) -> str:
    if len(missing) < len(_BATCHES):
        # Some batches but not all: most likely a download cut at a member boundary.
        return (
            f"{path} holds only part of CIFAR-10: {', '.join(missing)} missing. "
            f"The file is probably truncated. {fix}"
        )
    shown = ", ".join(members[:4]) + (", ..." if len(members) > 4 else "")
    holds = f"it holds {shown}" if members else "it is empty"
    hint = " (that is CIFAR-100's archive)" if any("cifar-100" in m for m in members) else ""
    return (
        f"{path} is not CIFAR-10's python archive{hint}: it has no {', '.join(missing)} "
        f'({holds}). Expected {CIFAR10_ARCHIVE}, the "CIFAR-10 python version" from '
        f"{CIFAR10_URL}, whose {CIFAR10_FOLDER}/ folder holds data_batch_1 ... data_batch_5 "
        "and test_batch; download it and pass it with --cifar-path."
    )


class _RefusedGlobal(pickle.UnpicklingError):
    """A pickle asked for a global a CIFAR-10 batch never needs."""


class _BatchUnpickler(pickle.Unpickler):
    """Unpickles CIFAR-10 batches and nothing able to run code.

    A batch is a dict of bytes, lists and one numpy array: rebuilding it needs only
    the globals below (numpy 1 and 2 spellings; ``_codecs.encode`` is how protocol 2
    stores bytes written by Python 3). Refusing every other global keeps a doctored
    file from running code through a ``__reduce__`` such as ``os.system``.
    """

    allowed = frozenset(
        {
            ("numpy", "ndarray"),
            ("numpy", "dtype"),
            ("numpy.core.multiarray", "_reconstruct"),
            ("numpy._core.multiarray", "_reconstruct"),
            ("numpy.core.numeric", "_frombuffer"),
            ("numpy._core.numeric", "_frombuffer"),
            ("_codecs", "encode"),
        }
    )

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in self.allowed:
            return super().find_class(module, name)
        raise _RefusedGlobal(f"{module}.{name}")


def _parse_batch(raw: bytes, where: str, fix: str) -> tuple[np.ndarray, np.ndarray]:
    """One pickled batch → uint8 rows ``(n, 3072)`` and int64 labels, both checked."""
    try:
        # encoding="bytes": the batches were pickled by Python 2, whose str is bytes.
        content = _BatchUnpickler(io.BytesIO(raw), encoding="bytes").load()
    except _RefusedGlobal as err:
        raise DataSourceError(
            f"{where} asks to load {err}, which a CIFAR-10 batch never does; refusing to "
            f"unpickle it. The file is not CIFAR-10's or was tampered with. {fix}"
        ) from err
    except _PICKLE_ERRORS as err:
        raise DataSourceError(
            f"{where} is truncated or corrupt ({type(err).__name__}: {err}). {fix}"
        ) from err
    return _check_batch(content, where)


def _check_batch(content: object, where: str) -> tuple[np.ndarray, np.ndarray]:
    expected = (
        f"Expected the batches of CIFAR-10's python version ({CIFAR10_ARCHIVE} from "
        f"{CIFAR10_URL}); download it again."
    )
    data = _entry(content, "data")
    labels = _entry(content, "labels")
    if data is None or labels is None:
        kind = "dict" if isinstance(content, dict) else type(content).__name__
        raise DataSourceError(
            f"{where} is a {kind} without CIFAR-10's b'data' and b'labels' entries. {expected}"
        )
    rows = _as_array(data, "b'data'", where, expected)
    if rows.ndim != 2 or rows.shape[1] != _ROW_BYTES:
        raise DataSourceError(
            f"{where}: b'data' has shape {rows.shape}, expected (n, {_ROW_BYTES}): one row "
            f"of 1024 red, 1024 green and 1024 blue bytes per 32x32 image. {expected}"
        )
    if rows.dtype != np.uint8:
        if not np.issubdtype(rows.dtype, np.integer) or (
            rows.size and (rows.min() < 0 or rows.max() > 255)
        ):
            raise DataSourceError(
                f"{where}: b'data' must hold bytes 0..255, found {rows.dtype} values. {expected}"
            )
        rows = rows.astype(np.uint8)
    classes = _as_array(labels, "b'labels'", where, expected)
    if classes.ndim != 1 or len(classes) != len(rows):
        raise DataSourceError(
            f"{where}: {classes.size} labels for {len(rows)} images; each image needs one "
            f"label. {expected}"
        )
    if classes.size and not np.issubdtype(classes.dtype, np.integer):
        raise DataSourceError(
            f"{where}: labels must be class indices 0..9, found {classes.dtype}. {expected}"
        )
    outside = np.unique(classes[(classes < 0) | (classes >= _CLASSES)])
    if outside.size:
        shown = ", ".join(str(int(v)) for v in outside[:5])
        raise DataSourceError(
            f"{where}: labels must be class indices 0..9, found {shown}. {expected}"
        )
    return rows, classes.astype(np.int64)


def _as_array(value: object, what: str, where: str, expected: str) -> np.ndarray:
    try:
        return np.asarray(value)
    except (ValueError, TypeError) as err:  # ragged lists, odd objects
        raise DataSourceError(f"{where}: {what} is not an array ({err}). {expected}") from err


def _entry(content: object, key: str) -> Any:
    """``content[b"key"]``, also under a str key (a batch re-pickled by Python 3)."""
    if not isinstance(content, dict):
        return None
    return content.get(key.encode(), content.get(key))


def rows_to_images(rows: np.ndarray) -> np.ndarray:
    """uint8 rows ``(n, 3072)`` → float32 ``(n, 32, 32, 3)`` in [0, 1]."""
    # A row is channel-first: the red plane, then green, then blue, each 32x32 row-major;
    # Keras layers want channels last.
    planes = rows.reshape(-1, 3, _SIDE, _SIDE)
    images = planes.transpose(0, 2, 3, 1).astype(np.float32)
    images /= np.float32(255)
    return images
