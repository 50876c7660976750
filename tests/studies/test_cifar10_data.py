"""W2's image data: CIFAR-10 from its archive, its folder or the Keras cache; digits; synthetic.

The CIFAR-10 tests write small fake copies (20 images a batch) with the real archive's
member names and pickle layout, so they need neither the network nor the 163 MB file.
"""

from __future__ import annotations

import io
import os
import pickle
import tarfile
from pathlib import Path

import numpy as np
import pytest

from tunesmith.errors import DataSourceError, TunesmithError
from tunesmith.studies import _cifar10_files, cifar10_data
from tunesmith.studies.cifar10_data import (
    CIFAR10_CLASSES,
    DATA_SOURCES,
    cifar10_location,
    load_cifar10,
    load_digits_images,
    load_image_data,
    synthetic_images,
)

ROWS = 20  # images per fake batch: two of each class
TRAIN_NAMES = [f"data_batch_{i}" for i in range(1, 6)]
BATCH_NAMES = [*TRAIN_NAMES, "test_batch"]
# One pixel of test image 3 with chosen bytes, to check the channel-first → NHWC layout.
PIXEL_IMAGE, PIXEL_ROW, PIXEL_COL = 3, 5, 7
PIXEL_RGB = (10, 200, 77)


def fake_batch(index: int) -> dict[bytes, object]:
    """Batch ``index`` (0-4 training, 5 test) as CIFAR-10 pickles it, Python 2 style.

    The first byte of every training image is its row number among the 100 training
    images, so tests can tell which images went where.
    """
    rng = np.random.default_rng(index)
    data = rng.integers(0, 256, size=(ROWS, 3072), dtype=np.uint8)
    labels = [int(v) for v in np.arange(ROWS) % 10]
    if index < 5:
        data[:, 0] = index * ROWS + np.arange(ROWS)
    else:
        flat = PIXEL_ROW * 32 + PIXEL_COL
        for channel, value in enumerate(PIXEL_RGB):
            data[PIXEL_IMAGE, channel * 1024 + flat] = value
    return {
        b"batch_label": f"batch {index}".encode(),
        b"labels": labels,
        b"data": data,
        b"filenames": [f"img_{i}.png".encode() for i in range(ROWS)],
    }


def batch_bytes(index: int, **changes: object) -> bytes:
    batch = fake_batch(index)
    batch.update({k.encode(): v for k, v in changes.items()})
    return pickle.dumps(batch, protocol=2)


def standard_members() -> dict[str, bytes]:
    members = {f"cifar-10-batches-py/{name}": batch_bytes(i) for i, name in enumerate(BATCH_NAMES)}
    members["cifar-10-batches-py/batches.meta"] = pickle.dumps(
        {b"label_names": [c.encode() for c in CIFAR10_CLASSES]}, protocol=2
    )
    return members


def write_tar(path: Path, members: dict[str, bytes], mode: str = "w:gz") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, mode) as tar:
        for name, payload in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload))
    return path


def write_archive(path: Path) -> Path:
    """A fake ``cifar-10-python.tar.gz``: the real member names, tiny batches."""
    return write_tar(path, standard_members())


def write_folder(folder: Path) -> Path:
    """A fake extracted ``cifar-10-batches-py`` folder."""
    folder.mkdir(parents=True)
    for name, payload in standard_members().items():
        (folder / Path(name).name).write_bytes(payload)
    return folder


def row_ids(images: np.ndarray) -> list[int]:
    """The training-row numbers fake_batch wrote into the first byte (red, pixel 0, 0)."""
    return [int(v) for v in np.rint(images[:, 0, 0, 0] * 255)]


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch) -> Path:
    """An empty Keras cache of our own; the machine's ~/.keras and /tmp/.keras never matter."""
    keras_home = tmp_path / "keras_home"
    keras_home.mkdir()
    (tmp_path / "home" / ".keras").mkdir(parents=True)
    monkeypatch.setenv("KERAS_HOME", str(keras_home))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setattr(_cifar10_files, "_FALLBACK_KERAS_HOME", tmp_path / "tmp_keras")
    return keras_home / "datasets"


# --------------------------------------------------------------------------- reading


def test_archive_gives_images_in_unit_range_and_int_labels(tmp_path):
    archive = write_archive(tmp_path / "cifar-10-python.tar.gz")
    data = load_cifar10(archive, validation_size=20)
    assert data.x_train.shape == (80, 32, 32, 3)
    assert data.x_val.shape == (20, 32, 32, 3)
    assert data.x_test.shape == (ROWS, 32, 32, 3)
    for x in (data.x_train, data.x_val, data.x_test):
        assert x.dtype == np.float32
        assert x.min() >= 0.0 and x.max() <= 1.0
    for y in (data.y_train, data.y_val, data.y_test):
        assert y.dtype == np.int64
    assert data.class_names == CIFAR10_CLASSES
    assert data.num_classes == 10 and data.input_shape == (32, 32, 3)
    assert str(archive) in data.source
    # The test set is test_batch, unshuffled.
    np.testing.assert_array_equal(data.y_test, np.arange(ROWS) % 10)
    expected = fake_batch(5)[b"data"].reshape(ROWS, 3, 32, 32).transpose(0, 2, 3, 1) / 255
    np.testing.assert_allclose(data.x_test, expected, rtol=0, atol=1e-7)


def test_channel_first_rows_become_channels_last_pixels(tmp_path):
    data = load_cifar10(write_archive(tmp_path / "cifar-10-python.tar.gz"), validation_size=20)
    pixel = data.x_test[PIXEL_IMAGE, PIXEL_ROW, PIXEL_COL]
    np.testing.assert_allclose(pixel, np.array(PIXEL_RGB) / 255, rtol=0, atol=1e-7)
    # Row and column are not swapped: the transposed pixel holds other bytes.
    assert not np.allclose(
        data.x_test[PIXEL_IMAGE, PIXEL_COL, PIXEL_ROW], np.array(PIXEL_RGB) / 255
    )


def test_every_training_image_lands_in_train_or_validation_once(tmp_path):
    data = load_cifar10(write_archive(tmp_path / "c.tar.gz"), validation_size=20)
    train, val = row_ids(data.x_train), row_ids(data.x_val)
    assert not set(train) & set(val)
    assert sorted(train + val) == list(range(100))
    # Labels travel with their images: fake row r has label r % 10.
    assert [r % 10 for r in train] == data.y_train.tolist()
    assert [r % 10 for r in val] == data.y_val.tolist()


def test_extracted_folder_and_its_parent_read_like_the_archive(tmp_path):
    from_archive = load_cifar10(
        write_archive(tmp_path / "a" / "cifar-10-python.tar.gz"), seed=4, validation_size=20
    )
    folder = write_folder(tmp_path / "b" / "cifar-10-batches-py")
    for path in (folder, folder.parent, tmp_path / "a"):
        data = load_cifar10(path, seed=4, validation_size=20)
        np.testing.assert_array_equal(data.x_train, from_archive.x_train)
        np.testing.assert_array_equal(data.y_val, from_archive.y_val)
        np.testing.assert_array_equal(data.x_test, from_archive.x_test)
    assert str(folder) in load_cifar10(folder.parent, validation_size=20).source


def test_uncompressed_tar_with_other_name_is_read(tmp_path):
    archive = write_tar(tmp_path / "my-copy.tar", standard_members(), mode="w")
    assert load_cifar10(archive, validation_size=10).x_train.shape == (90, 32, 32, 3)


def test_python3_pickles_with_str_keys_are_read(tmp_path):
    folder = write_folder(tmp_path / "cifar-10-batches-py")
    batch = fake_batch(0)
    (folder / "data_batch_1").write_bytes(
        pickle.dumps({"data": batch[b"data"], "labels": batch[b"labels"]})
    )
    assert load_cifar10(folder, validation_size=10).x_train.shape == (90, 32, 32, 3)


def test_numpy_1_pickles_like_the_published_batches_are_read(tmp_path):
    # The published batches name numpy 1's module, numpy.core.multiarray.
    folder = write_folder(tmp_path / "cifar-10-batches-py")
    old = batch_bytes(5).replace(b"numpy._core.multiarray", b"numpy.core.multiarray")
    assert b"numpy.core.multiarray\n_reconstruct" in old
    (folder / "test_batch").write_bytes(old)
    data = load_cifar10(folder, validation_size=10)
    np.testing.assert_array_equal(data.y_test, np.arange(ROWS) % 10)


# --------------------------------------------------------------------------- the Keras cache

# Where keras.datasets.cifar10.load_data() leaves things, relative to <Keras home>/datasets.
KERAS_LAYOUTS = {
    "keras 3 extracted": "cifar-10-batches-py-target/cifar-10-batches-py",
    "keras 3 download": "cifar-10-batches-py-target_archive",
    "keras 2 extracted": "cifar-10-batches-py",
    "keras 2 download": "cifar-10-batches-py.tar.gz",
    "put there by hand": "cifar-10-python.tar.gz",
}


@pytest.mark.parametrize("layout", KERAS_LAYOUTS)
def test_keras_cache_is_found_under_keras_home(cache, layout):
    place = cache / KERAS_LAYOUTS[layout]
    if layout.endswith("extracted"):
        write_folder(place)
    else:
        write_archive(place)
    assert cifar10_location() == place
    data = load_cifar10(validation_size=20)
    assert data.x_train.shape == (80, 32, 32, 3)
    assert data.source == f"CIFAR-10 from {place}"


def test_cache_under_home_when_keras_home_is_unset(tmp_path, monkeypatch):
    monkeypatch.delenv("KERAS_HOME")
    place = write_archive(tmp_path / "home" / ".keras" / "datasets" / "cifar-10-python.tar.gz")
    assert cifar10_location() == place


def test_the_tmp_fallback_is_searched_only_when_keras_home_is_not_writable(tmp_path, monkeypatch):
    place = write_archive(
        tmp_path / "tmp_keras" / "datasets" / "cifar-10-batches-py-target_archive"
    )
    assert cifar10_location() is None  # our KERAS_HOME is writable: Keras never used /tmp
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "not_created"))
    assert cifar10_location() == place


def test_complete_folder_is_preferred_and_a_partial_one_skipped(cache):
    archive = write_archive(cache / "cifar-10-batches-py-target_archive")
    partial = write_folder(cache / "cifar-10-batches-py-target" / "cifar-10-batches-py")
    (partial / "test_batch").unlink()
    assert cifar10_location() == archive
    write_folder(cache / "cifar-10-batches-py")
    assert cifar10_location() == cache / "cifar-10-batches-py"


def test_finds_what_keras_get_file_leaves(tmp_path, cache):
    """Keras' own download code, fed a local file, makes the layout the loader expects."""
    pytest.importorskip("keras")
    from keras.utils import get_file

    archive = write_archive(tmp_path / "served" / "cifar-10-python.tar.gz")
    # The same call as keras.datasets.cifar10.load_data(), from a file:// URL, no hash.
    extracted = get_file(
        fname="cifar-10-batches-py-target",
        origin=archive.as_uri(),
        extract=True,
        cache_dir=str(cache.parent),
    )
    assert Path(extracted) == cache / "cifar-10-batches-py-target"
    assert cifar10_location() == cache / "cifar-10-batches-py-target" / "cifar-10-batches-py"
    assert load_cifar10(validation_size=20).x_val.shape == (20, 32, 32, 3)


# --------------------------------------------------------------------------- locating


def test_location_of_given_paths(tmp_path):
    archive = write_archive(tmp_path / "dl" / "cifar-10-python.tar.gz")
    assert cifar10_location(archive) == archive
    assert cifar10_location(str(tmp_path / "dl")) == archive
    assert cifar10_location(tmp_path / "nowhere") is None
    (tmp_path / "empty").mkdir()
    assert cifar10_location(tmp_path / "empty") is None
    assert cifar10_location() is None  # the cache is empty


# --------------------------------------------------------------------------- splits


def test_validation_split_is_stratified_and_sized(tmp_path):
    archive = write_archive(tmp_path / "c.tar.gz")
    data = load_cifar10(archive, validation_size=30)
    assert np.bincount(data.y_val, minlength=10).tolist() == [3] * 10
    assert np.bincount(data.y_train, minlength=10).tolist() == [7] * 10
    fraction = load_cifar10(archive, validation_size=0.2)
    assert len(fraction.y_val) == 20 and len(fraction.y_train) == 80


def test_split_is_fixed_by_the_seed(tmp_path):
    archive = write_archive(tmp_path / "c.tar.gz")
    first = row_ids(load_cifar10(archive, seed=1, validation_size=20).x_val)
    again = row_ids(load_cifar10(archive, seed=1, validation_size=20).x_val)
    other = row_ids(load_cifar10(archive, seed=2, validation_size=20).x_val)
    assert first == again
    assert sorted(first) != sorted(other)


def test_train_limit_keeps_a_stratified_subset_of_the_training_images(tmp_path):
    archive = write_archive(tmp_path / "c.tar.gz")
    full = load_cifar10(archive, seed=3, validation_size=20)
    limited = load_cifar10(archive, seed=3, validation_size=20, train_limit=40)
    assert limited.x_train.shape == (40, 32, 32, 3)
    assert np.bincount(limited.y_train, minlength=10).tolist() == [4] * 10
    assert set(row_ids(limited.x_train)) < set(row_ids(full.x_train))
    np.testing.assert_array_equal(limited.x_val, full.x_val)  # validation is untouched
    assert len(load_cifar10(archive, validation_size=20, train_limit=500).y_train) == 80
    # Dropping fewer images than classes cannot be stratified; a plain subset is kept.
    nearly_all = load_cifar10(archive, seed=3, validation_size=20, train_limit=75)
    assert len(nearly_all.y_train) == 75
    assert set(row_ids(nearly_all.x_train)) < set(row_ids(full.x_train))


@pytest.mark.parametrize(
    ("kwargs", "error", "text"),
    [
        ({"validation_size": 0}, ValueError, "at least 1"),
        ({"validation_size": 1.5}, ValueError, "between 0 and 1"),
        ({"validation_size": 0.0}, ValueError, "between 0 and 1"),
        ({"validation_size": 100}, ValueError, "asks for 100 of 100 images"),
        ({"validation_size": 5000}, ValueError, "asks for 5000 of 100 images"),
        ({"validation_size": 5}, ValueError, "at least one image of each of the 10 classes"),
        ({"validation_size": 95}, ValueError, "one side has only 5"),
        ({"validation_size": "10"}, TypeError, "count of images or a fraction"),
        ({"validation_size": True}, TypeError, "count of images or a fraction"),
        ({"validation_size": 20, "train_limit": 0}, ValueError, "at least one training image"),
        ({"validation_size": 20, "train_limit": 5}, ValueError, "fewer than the 10 classes"),
        ({"validation_size": 20, "train_limit": 2.5}, TypeError, "train_limit"),
    ],
)
def test_bad_sizes_are_refused(tmp_path, kwargs, error, text):
    archive = write_archive(tmp_path / "c.tar.gz")
    with pytest.raises(error, match=text):
        load_cifar10(archive, **kwargs)


# --------------------------------------------------------------------------- errors


def test_nothing_found_says_where_it_looked_and_what_to_do(cache):
    assert cifar10_location() is None
    with pytest.raises(DataSourceError) as caught:
        load_cifar10()
    message = str(caught.value)
    assert "CIFAR-10 was not found" in message
    assert "cifar-10-python.tar.gz" in message
    assert "https://www.cs.toronto.edu/~kriz/cifar.html" in message
    assert "--cifar-path" in message and "--data digits" in message
    assert f"put it in {cache}/" in message
    assert str(cache / "cifar-10-batches-py-target" / "cifar-10-batches-py") in message
    assert str(cache / "cifar-10-batches-py-target_archive") in message


def test_missing_path_is_named(tmp_path):
    missing = tmp_path / "nope" / "cifar-10-python.tar.gz"
    with pytest.raises(DataSourceError, match="does not exist") as caught:
        load_cifar10(missing)
    assert str(missing) in str(caught.value) and "--data digits" in str(caught.value)
    (tmp_path / "cifar-100-python").mkdir()
    with pytest.raises(DataSourceError, match="none of CIFAR-10's batches"):
        load_cifar10(tmp_path / "cifar-100-python")


def test_truncated_archive_is_reported_with_a_redownload_hint(tmp_path):
    archive = write_archive(tmp_path / "cifar-10-python.tar.gz")
    whole = archive.read_bytes()
    archive.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(DataSourceError) as caught:
        load_cifar10(archive)
    message = str(caught.value)
    assert f"{archive} is truncated or corrupt" in message
    assert "Download cifar-10-python.tar.gz again" in message
    assert f"this one is {len(whole) // 2:,}" in message


def test_not_an_archive_at_all(tmp_path):
    bogus = tmp_path / "cifar-10-python.tar.gz"
    bogus.write_text("<html>404 Not Found</html>")
    with pytest.raises(DataSourceError, match="truncated or corrupt"):
        load_cifar10(bogus)


def test_archive_cut_between_members_names_the_missing_batches(tmp_path):
    members = standard_members()
    kept = {k: v for k, v in members.items() if not k.endswith(("_4", "_5", "test_batch"))}
    archive = write_tar(tmp_path / "part.tar", kept, mode="w")
    with pytest.raises(DataSourceError) as caught:
        load_cifar10(archive)
    message = str(caught.value)
    assert "only part of CIFAR-10: data_batch_4, data_batch_5, test_batch missing" in message
    assert "again" in message


def test_cifar100_archive_is_recognised_as_the_wrong_one(tmp_path):
    archive = write_tar(
        tmp_path / "cifar-100-python.tar.gz",
        {
            "cifar-100-python/train": b"x",
            "cifar-100-python/test": b"y",
            "cifar-100-python/meta": b"",
        },
    )
    with pytest.raises(DataSourceError) as caught:
        load_cifar10(archive)
    message = str(caught.value)
    assert "not CIFAR-10's python archive (that is CIFAR-100's archive)" in message
    assert "data_batch_1, data_batch_2, data_batch_3, data_batch_4, data_batch_5, test_batch" in (
        message
    )
    assert "cifar-100-python/train" in message
    assert "Expected cifar-10-python.tar.gz" in message


def test_corrupt_pickle_inside_a_valid_archive_names_the_member(tmp_path):
    members = standard_members()
    good = members["cifar-10-batches-py/data_batch_3"]
    members["cifar-10-batches-py/data_batch_3"] = good[: len(good) // 3]
    archive = write_tar(tmp_path / "cifar-10-python.tar.gz", members)
    with pytest.raises(DataSourceError) as caught:
        load_cifar10(archive)
    message = str(caught.value)
    assert f"{archive}:cifar-10-batches-py/data_batch_3 is truncated or corrupt" in message
    assert "again" in message


def test_corrupt_file_in_a_folder_names_the_file(tmp_path):
    folder = write_folder(tmp_path / "cifar-10-batches-py")
    (folder / "test_batch").write_bytes(b"\x80\x02garbage")
    with pytest.raises(DataSourceError, match=r"test_batch is truncated or corrupt.*Extract"):
        load_cifar10(folder)


def test_incomplete_folder_names_what_it_lacks(tmp_path):
    folder = write_folder(tmp_path / "cifar-10-batches-py")
    (folder / "data_batch_2").unlink()
    with pytest.raises(DataSourceError, match="lacks data_batch_2 of CIFAR-10's batches"):
        load_cifar10(folder)


class _CallsAFunction:
    """Pickles as a call of os.getcwd: harmless, but no CIFAR-10 batch does it."""

    def __reduce__(self):
        return (os.getcwd, ())


def test_pickles_that_would_call_functions_are_refused(tmp_path):
    folder = write_folder(tmp_path / "cifar-10-batches-py")
    (folder / "data_batch_1").write_bytes(pickle.dumps({b"data": _CallsAFunction()}))
    with pytest.raises(DataSourceError, match="getcwd, which a CIFAR-10 batch never does"):
        load_cifar10(folder)


@pytest.mark.parametrize(
    ("changes", "text"),
    [
        (
            {"data": np.zeros((ROWS, 3000), np.uint8)},
            r"has shape \(20, 3000\), expected \(n, 3072\)",
        ),
        ({"data": np.zeros((ROWS, 3, 32, 32), np.uint8)}, r"has shape \(20, 3, 32, 32\)"),
        ({"data": np.full((ROWS, 3072), 0.5)}, "must hold bytes 0..255, found float64"),
        ({"data": np.full((ROWS, 3072), 300)}, "must hold bytes 0..255"),
        ({"labels": [*range(10), *range(9), 10]}, "labels must be class indices 0..9, found 10"),
        ({"labels": [-1] * ROWS}, "labels must be class indices 0..9, found -1"),
        ({"labels": list(range(ROWS - 1))}, "19 labels for 20 images"),
        ({"data": [[1, 2], [3]]}, "b'data' is not an array"),
        ({"labels": [0.5] * ROWS}, "labels must be class indices 0..9, found float64"),
    ],
)
def test_wrong_content_is_described(tmp_path, changes, text):
    members = standard_members()
    members["cifar-10-batches-py/data_batch_2"] = batch_bytes(1, **changes)
    archive = write_tar(tmp_path / "cifar-10-python.tar.gz", members)
    with pytest.raises(DataSourceError, match=text) as caught:
        load_cifar10(archive)
    assert "data_batch_2" in str(caught.value)


def test_a_pickle_without_the_batch_entries(tmp_path):
    folder = write_folder(tmp_path / "cifar-10-batches-py")
    (folder / "test_batch").write_bytes(pickle.dumps([1, 2, 3]))
    with pytest.raises(DataSourceError, match="is a list without CIFAR-10's b'data'"):
        load_cifar10(folder)


def test_data_source_error_is_a_value_error_and_a_tunesmith_error():
    assert issubclass(DataSourceError, ValueError)
    assert issubclass(DataSourceError, TunesmithError)


# --------------------------------------------------------------------------- digits


def test_digits_splits_are_disjoint_balanced_and_scaled():
    from sklearn.datasets import load_digits

    data = load_digits_images(seed=0)
    assert data.x_train.shape == (1079, 8, 8, 1)
    assert data.x_val.shape == (359, 8, 8, 1)
    assert data.x_test.shape == (359, 8, 8, 1)
    assert data.class_names == tuple("0123456789")
    assert "scikit-learn's digits" in data.source
    everything = np.concatenate([data.x_train, data.x_val, data.x_test])
    assert everything.dtype == np.float32 and data.y_train.dtype == np.int64
    assert everything.min() == 0.0 and everything.max() == 1.0
    np.testing.assert_array_equal(everything * 16, np.rint(everything * 16))  # k / 16

    # The three splits hold every digit exactly once: same multiset as the source.
    original = load_digits()

    def keyed(images, labels):
        return sorted(
            zip((i.tobytes() for i in images.astype(np.float32)), labels.tolist(), strict=True)
        )

    ours = keyed(
        everything.reshape(-1, 64) * 16, np.concatenate([data.y_train, data.y_val, data.y_test])
    )
    assert ours == keyed(original.data.astype(np.float32), original.target)

    per_class = np.bincount(original.target)
    for labels in (data.y_train, data.y_val, data.y_test):
        expected = per_class * len(labels) / len(original.target)
        assert np.all(np.abs(np.bincount(labels, minlength=10) - expected) <= 1)


def test_digits_split_depends_on_the_seed_only():
    first, again, other = (load_digits_images(seed=s) for s in (5, 5, 6))
    np.testing.assert_array_equal(first.x_val, again.x_val)
    assert not np.array_equal(first.y_val, other.y_val)


def test_digits_fractions_are_checked():
    data = load_digits_images(validation_fraction=0.1, test_fraction=0.3)
    assert (len(data.y_train), len(data.y_val), len(data.y_test)) == (1078, 180, 539)
    with pytest.raises(ValueError, match="leaves no training images"):
        load_digits_images(validation_fraction=0.5, test_fraction=0.5)
    with pytest.raises(ValueError, match=r"test_fraction=0\.0"):
        load_digits_images(test_fraction=0.0)
    with pytest.raises(TypeError, match="validation_fraction must be a fraction"):
        load_digits_images(validation_fraction=1)


# --------------------------------------------------------------------------- dispatch


def test_data_sources_are_the_three_names():
    assert DATA_SOURCES == ("cifar10", "digits", "synthetic")


def test_load_image_data_dispatches(tmp_path):
    synthetic = load_image_data("synthetic", seed=3)
    np.testing.assert_array_equal(synthetic.x_train, synthetic_images(seed=3).x_train)
    digits = load_image_data("digits", seed=3)
    assert digits.input_shape == (8, 8, 1) and "digits" in digits.source
    archive = write_archive(tmp_path / "cifar-10-python.tar.gz")
    with pytest.raises(ValueError, match="asks for 5000 of 100"):  # the default 5000
        load_image_data("cifar10", cifar_path=archive)
    with pytest.raises(DataSourceError, match="CIFAR-10 was not found"):
        load_image_data("cifar10")


def test_load_image_data_passes_train_limit_to_every_source(tmp_path, monkeypatch):
    digits = load_image_data("digits", train_limit=100)
    assert np.bincount(digits.y_train).tolist() == [10] * 10
    assert len(digits.y_val) == 359  # only training images are dropped
    assert load_image_data("synthetic", train_limit=50).x_train.shape == (50, 32, 32, 3)
    seen = {}

    def fake_load(path, **kwargs):
        seen.update(kwargs, path=path)
        return synthetic_images()

    monkeypatch.setattr(cifar10_data, "load_cifar10", fake_load)
    load_image_data("cifar10", cifar_path="x.tar.gz", seed=9, train_limit=123)
    assert seen == {"path": "x.tar.gz", "seed": 9, "train_limit": 123}


def test_unknown_source_names_the_valid_ones():
    with pytest.raises(
        ValueError, match="Unknown image data 'mnist': choose one of cifar10, digits, synthetic"
    ):
        load_image_data("mnist")


# --------------------------------------------------------------------------- synthetic


def test_synthetic_images_shapes_and_determinism():
    data = synthetic_images(train=30, val=20, test=10, seed=1)
    assert (data.x_train.shape, data.x_val.shape, data.x_test.shape) == (
        (30, 32, 32, 3),
        (20, 32, 32, 3),
        (10, 32, 32, 3),
    )
    assert data.x_train.dtype == np.float32 and data.y_train.dtype == np.int64
    assert data.x_train.min() >= 0.0 and data.x_train.max() <= 1.0
    assert np.bincount(data.y_train).tolist() == [3] * 10
    np.testing.assert_array_equal(
        data.x_train, synthetic_images(train=30, val=20, test=10, seed=1).x_train
    )
    assert not np.array_equal(
        data.x_train, synthetic_images(train=30, val=20, test=10, seed=2).x_train
    )
    grey = synthetic_images(train=8, val=4, test=4, shape=(8, 8, 1), classes=4)
    assert grey.input_shape == (8, 8, 1) and grey.class_names[0] == "class 0"
