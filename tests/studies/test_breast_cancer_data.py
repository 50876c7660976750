"""W1's data: scikit-learn's embedded copy and Kaggle's CSV load the same way."""

from __future__ import annotations

import numpy as np
import pytest

from tunesmith.studies.breast_cancer import confusion_counts, scale_and_split
from tunesmith.studies.breast_cancer_data import load_embedded, load_kaggle_csv


def write_kaggle_csv(path, data):
    """Kaggle's layout: id, diagnosis (M/B), the 30 features, a trailing empty column."""
    frame = data.features.copy()
    frame.insert(0, "diagnosis", np.where(data.labels == 1, "M", "B"))
    frame.insert(0, "id", np.arange(len(frame)) + 842302)
    text = frame.to_csv(index=False)
    lines = text.splitlines()
    lines = [lines[0] + ","] + [line + "," for line in lines[1:]]
    path.write_text("\n".join(lines) + "\n")


def test_embedded_copy_matches_the_documented_counts():
    data = load_embedded()
    assert data.features.shape == (569, 30)
    assert int(data.labels.sum()) == 212  # malignant
    assert {"radius_mean", "radius_se", "radius_worst", "fractal_dimension_se"} <= set(
        data.features.columns
    )


def test_kaggle_csv_round_trip(tmp_path):
    embedded = load_embedded()
    path = tmp_path / "data.csv"
    write_kaggle_csv(path, embedded)
    loaded = load_kaggle_csv(path)
    assert list(loaded.features.columns) == list(embedded.features.columns)
    np.testing.assert_array_equal(loaded.labels, embedded.labels)
    np.testing.assert_allclose(loaded.features.to_numpy(), embedded.features.to_numpy())


def test_kaggle_csv_errors_name_the_fix(tmp_path):
    with pytest.raises(FileNotFoundError, match="omit --csv"):
        load_kaggle_csv(tmp_path / "missing.csv")
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("a,b\n1,2\n")
    with pytest.raises(ValueError, match="no 'diagnosis' column"):
        load_kaggle_csv(wrong)


def test_split_keeps_test_rows_apart_from_validation_stratified_and_scaled_on_train_rows():
    split = scale_and_split(load_embedded())
    # The document's 20 % test rows; a fifth of the rest validates the search.
    assert (len(split.y_train), len(split.y_val), len(split.y_test)) == (364, 91, 114)
    for part in (split.y_val, split.y_test):
        assert abs(part.mean() - split.y_train.mean()) < 0.02
    np.testing.assert_allclose(split.x_train.mean(axis=0), 0, atol=1e-5)
    rows = [tuple(r) for part in (split.x_train, split.x_val, split.x_test) for r in part]
    assert len(set(rows)) == 569  # no row in two parts


def test_confusion_counts_use_malignant_as_positive():
    counts = confusion_counts(np.array([1, 1, 0, 0, 1]), np.array([1, 0, 0, 1, 1]))
    assert counts == {"TP": 2, "FN": 1, "FP": 1, "TN": 1}
