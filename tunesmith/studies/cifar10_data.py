"""Image data for the W2 study: CIFAR-10, scikit-learn's digits, or generated data.

Every loader returns :class:`ImageSplits`: float32 images scaled to [0, 1] with a
trailing channel axis, integer labels, and separate train / validation / test sets,
so the studies treat the three sources alike.

CIFAR-10 is read from its "python version" archive ``cifar-10-python.tar.gz``
(https://www.cs.toronto.edu/~kriz/cifar.html), from the ``cifar-10-batches-py``
folder that archive holds, or from the copy ``keras.datasets.cifar10.load_data()``
left in the Keras cache. Nothing here downloads: the machines the studies run on
may have no network, and a download there would hang instead of failing.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tunesmith.errors import DataSourceError
from tunesmith.studies import _cifar10_files as _files

CIFAR10_CLASSES = (
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
)

#: The names :func:`load_image_data` accepts.
DATA_SOURCES = ("cifar10", "digits", "synthetic")


@dataclass
class ImageSplits:
    """Train, validation and test images of one source.

    Attributes:
        x_train, x_val, x_test: float32 arrays ``(n, height, width, channels)`` in [0, 1].
        y_train, y_val, y_test: int64 class indices ``(n,)``.
        class_names: One name per class, in label order.
        source: Where the data came from, for messages and reports.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple[str, ...]
    source: str

    @property
    def input_shape(self) -> tuple[int, ...]:
        return tuple(self.x_train.shape[1:])

    @property
    def num_classes(self) -> int:
        return len(self.class_names)


def synthetic_images(
    *,
    train: int = 256,
    val: int = 64,
    test: int = 64,
    shape: tuple[int, int, int] = (32, 32, 3),
    classes: int = 10,
    seed: int = 0,
) -> ImageSplits:
    """Small generated data of CIFAR-10's shapes, for tests and smoke runs.

    Each class has its own smooth random pattern; an image is its class's pattern
    plus noise, clipped to [0, 1]. A model learns it in a few epochs, so tests can
    check that training does something.

    Example:
        >>> data = synthetic_images(train=20, val=10, test=10)
        >>> data.x_train.shape, data.num_classes
        ((20, 32, 32, 3), 10)
    """
    rng = np.random.default_rng(seed)
    coarse = rng.uniform(0.2, 0.8, size=(classes, 4, 4, shape[2]))
    # Nearest-neighbour upsampling of a 4x4 grid gives each class blocky structure.
    rows = np.minimum(np.arange(shape[0]) * 4 // shape[0], 3)
    cols = np.minimum(np.arange(shape[1]) * 4 // shape[1], 3)
    patterns = coarse[:, rows][:, :, cols]

    def draw(n: int) -> tuple[np.ndarray, np.ndarray]:
        labels = np.arange(n) % classes
        rng.shuffle(labels)
        noise = rng.normal(0.0, 0.25, size=(n, *shape))
        images = np.clip(patterns[labels] + noise, 0.0, 1.0).astype("float32")
        return images, labels.astype("int64")

    x_train, y_train = draw(train)
    x_val, y_val = draw(val)
    x_test, y_test = draw(test)
    names = CIFAR10_CLASSES if classes == 10 else tuple(f"class {i}" for i in range(classes))
    return ImageSplits(
        x_train, y_train, x_val, y_val, x_test, y_test, names, f"synthetic {shape} x {classes}"
    )


# --------------------------------------------------------------------------- CIFAR-10


def cifar10_location(path: str | os.PathLike[str] | None = None) -> Path | None:
    """What :func:`load_cifar10` would read, or None when no CIFAR-10 copy is found.

    Only looks at names on disk; reads no data, so it is quick enough to decide
    whether to fall back to another source.

    Args:
        path: The archive, the extracted ``cifar-10-batches-py`` folder, or a folder
            holding either. None looks in the Keras cache (``$KERAS_HOME/datasets``,
            else ``~/.keras/datasets``) under the names Keras gives its download.

    Example:
        >>> cifar10_location("/no/such/place") is None
        True
    """
    return _files.locate(path)


def load_cifar10(
    path: str | os.PathLike[str] | None = None,
    *,
    validation_size: int | float = 5000,
    seed: int = 0,
    train_limit: int | None = None,
) -> ImageSplits:
    """CIFAR-10 from its archive, its extracted folder, or the Keras cache; never downloads.

    The 50 000 training images give a validation set stratified by class; the 10 000
    images of ``test_batch`` are the test set. Images are float32 ``(n, 32, 32, 3)``
    in [0, 1], labels int64 in 0..9.

    Args:
        path: ``cifar-10-python.tar.gz`` (read in place, not extracted), the
            ``cifar-10-batches-py`` folder, or a folder holding either; None uses the
            copy ``keras.datasets.cifar10.load_data()`` left in the Keras cache.
        validation_size: Training images moved to the validation set: a count, or a
            fraction in (0, 1) of the training images (rounded to whole images).
        seed: Fixes which images go to validation (and which ``train_limit`` keeps).
        train_limit: Keep only this many training images (stratified, drawn after the
            validation split), for quick runs on a CPU; None keeps them all.

    Raises:
        DataSourceError: CIFAR-10 is not found, is truncated or corrupt, or is not
            CIFAR-10 (another archive, wrong shapes, labels outside 0..9).
        ValueError: ``validation_size`` or ``train_limit`` does not fit the data.

    Example:
        >>> data = load_cifar10("~/Downloads/cifar-10-python.tar.gz")  # doctest: +SKIP
        >>> data.x_train.shape, data.x_val.shape, data.x_test.shape  # doctest: +SKIP
        ((45000, 32, 32, 3), (5000, 32, 32, 3), (10000, 32, 32, 3))
    """
    # Argument mistakes are reported before reading ~180 MB of batches.
    _check_size(validation_size, "validation_size")
    _check_train_limit(train_limit)
    location = cifar10_location(path)
    if location is None:
        raise DataSourceError(_files.not_found_message(path))
    rows, labels, test_rows, test_labels = _files.read_batches(location)
    count = _size_to_count(validation_size, len(labels))
    fit, val = _take_stratified(labels, count, seed=seed, what=f"validation_size={validation_size}")
    if train_limit is not None:
        fit = fit[_limit_positions(labels[fit], train_limit, seed)]
    # Splitting the uint8 rows first keeps the float32 copy (4x larger) to the rows kept.
    return ImageSplits(
        _files.rows_to_images(rows[fit]),
        labels[fit],
        _files.rows_to_images(rows[val]),
        labels[val],
        _files.rows_to_images(test_rows),
        test_labels,
        CIFAR10_CLASSES,
        f"CIFAR-10 from {location}",
    )


# --------------------------------------------------------------------------- splits


def _check_size(size: object, name: str) -> None:
    """A count of images (int >= 1) or a fraction in (0, 1); else an error naming ``name``."""
    if isinstance(size, (bool, np.bool_)) or not isinstance(size, (int, float, np.number)):
        raise TypeError(f"{name} must be a count of images or a fraction in (0, 1), got {size!r}.")
    if isinstance(size, (float, np.floating)):
        if not 0.0 < size < 1.0:
            raise ValueError(f"{name}={size}: a fraction must lie strictly between 0 and 1.")
    elif size < 1:
        raise ValueError(f"{name}={size}: a count of images must be at least 1.")


def _check_fraction(value: object, name: str) -> None:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (float, np.floating)):
        raise TypeError(f"{name} must be a fraction in (0, 1), got {value!r}.")
    _check_size(value, name)


def _size_to_count(size: int | float, total: int) -> int:
    """A checked count or fraction (see :func:`_check_size`) as a number of images."""
    if isinstance(size, (float, np.floating)):
        return round(size * total)
    return int(size)


def _check_train_limit(train_limit: object) -> None:
    if train_limit is None:
        return
    if isinstance(train_limit, (bool, np.bool_)) or not isinstance(train_limit, (int, np.integer)):
        raise TypeError(f"train_limit must be a count of images or None, got {train_limit!r}.")
    if train_limit < 1:
        raise ValueError(f"train_limit={train_limit}: keep at least one training image.")


def _take_stratified(
    labels: np.ndarray, count: int, *, seed: int, what: str
) -> tuple[np.ndarray, np.ndarray]:
    """Positions ``(kept, taken)``: ``count`` rows drawn at random, class shares kept."""
    total = len(labels)
    classes = len(np.unique(labels))
    if count < 1 or count >= total:
        raise ValueError(
            f"{what} asks for {count} of {total} images; it must leave some on each side "
            "(use a smaller count, or a fraction such as 0.1)."
        )
    if count < classes or total - count < classes:
        side = min(count, total - count)
        raise ValueError(
            f"{what} splits {total} images into {total - count} and {count}; a stratified "
            f"split needs at least one image of each of the {classes} classes on each side, "
            f"and one side has only {side}."
        )
    train_test_split = _sklearn_train_test_split()
    try:
        kept, taken = train_test_split(
            np.arange(total), test_size=count, random_state=seed, stratify=labels
        )
    except ValueError as err:  # e.g. a class with a single image cannot be split
        raise ValueError(f"{what}: cannot split {total} images by class: {err}") from err
    return kept, taken


def _limit_positions(labels: np.ndarray, limit: int, seed: int) -> np.ndarray:
    """Positions of ``limit`` rows kept, stratified when the numbers allow; all if fewer."""
    total = len(labels)
    if limit >= total:
        return np.arange(total)
    classes = len(np.unique(labels))
    if limit < classes:
        raise ValueError(
            f"train_limit={limit} is fewer than the {classes} classes; keep at least one "
            "training image of each class."
        )
    if total - limit < classes:
        # Dropping fewer rows than there are classes cannot be stratified (scikit-learn
        # refuses), and a handful of rows cannot change the class shares anyway.
        return np.sort(np.random.default_rng(seed).choice(total, size=limit, replace=False))
    kept, _ = _take_stratified(labels, total - limit, seed=seed, what=f"train_limit={limit}")
    return kept


def _limit_training(data: ImageSplits, limit: int | None, seed: int) -> ImageSplits:
    if limit is None:
        return data
    keep = _limit_positions(data.y_train, limit, seed)
    return dataclasses.replace(data, x_train=data.x_train[keep], y_train=data.y_train[keep])


def _sklearn_train_test_split() -> Any:
    # scikit-learn comes with the "examples" extra; importing it here keeps the module
    # (and synthetic_images) usable without it.
    try:
        from sklearn.model_selection import train_test_split
    except ImportError as err:  # pragma: no cover - depends on the installation
        raise ImportError(
            "Splitting image data needs scikit-learn: pip install 'tunesmith[examples]'."
        ) from err
    return train_test_split


# --------------------------------------------------------------------------- digits


def load_digits_images(
    *, validation_fraction: float = 0.2, test_fraction: float = 0.2, seed: int = 0
) -> ImageSplits:
    """scikit-learn's digits (1797 8x8 grey images of 0-9) as an offline stand-in for CIFAR-10.

    Images are float32 ``(n, 8, 8, 1)`` in [0, 1] (the 0-16 values divided by 16), split
    into train / validation / test stratified by class; fractions are of all images.

    Example:
        >>> data = load_digits_images()
        >>> data.x_train.shape, data.x_val.shape, data.x_test.shape
        ((1079, 8, 8, 1), (359, 8, 8, 1), (359, 8, 8, 1))
    """
    _check_fraction(validation_fraction, "validation_fraction")
    _check_fraction(test_fraction, "test_fraction")
    if validation_fraction + test_fraction >= 1.0:
        raise ValueError(
            f"validation_fraction + test_fraction = {validation_fraction + test_fraction:g} "
            "leaves no training images; keep the sum below 1."
        )
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = (digits.images.astype(np.float32) / np.float32(16.0))[..., np.newaxis]
    labels = digits.target.astype(np.int64)
    total = len(labels)
    rest, test = _take_stratified(
        labels, round(test_fraction * total), seed=seed, what=f"test_fraction={test_fraction}"
    )
    fit, val = _take_stratified(
        labels[rest],
        round(validation_fraction * total),
        seed=seed,
        what=f"validation_fraction={validation_fraction}",
    )
    fit, val = rest[fit], rest[val]
    return ImageSplits(
        images[fit],
        labels[fit],
        images[val],
        labels[val],
        images[test],
        labels[test],
        tuple(str(d) for d in range(10)),
        f"scikit-learn's digits ({total} 8x8 grey images, sklearn.datasets.load_digits)",
    )


# --------------------------------------------------------------------------- dispatch


def load_image_data(
    name: str,
    *,
    cifar_path: str | os.PathLike[str] | None = None,
    seed: int = 0,
    train_limit: int | None = None,
) -> ImageSplits:
    """The data of one of :data:`DATA_SOURCES`: ``"cifar10"``, ``"digits"`` or ``"synthetic"``.

    Args:
        name: Which source.
        cifar_path: Where CIFAR-10 is (see :func:`load_cifar10`); only ``"cifar10"`` uses it.
        seed: Fixes the splits (and the generated images of ``"synthetic"``).
        train_limit: Keep only this many training images, stratified; any source.

    Example:
        >>> load_image_data("synthetic", train_limit=100).x_train.shape
        (100, 32, 32, 3)
    """
    _check_train_limit(train_limit)
    if name == "cifar10":
        return load_cifar10(cifar_path, seed=seed, train_limit=train_limit)
    if name == "digits":
        return _limit_training(load_digits_images(seed=seed), train_limit, seed)
    if name == "synthetic":
        return _limit_training(synthetic_images(seed=seed), train_limit, seed)
    raise ValueError(f"Unknown image data {name!r}: choose one of {', '.join(DATA_SOURCES)}.")
