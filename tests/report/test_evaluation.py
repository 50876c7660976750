"""Classifier evaluation: metrics against scikit-learn, edge cases, and the figures."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import classification_report

from tunesmith.report import evaluation as views

NAMES = ["benign", "malignant"]
DIGITS = [f"digit {i}" for i in range(10)]


def perfect_matrix(labels: np.ndarray, classes: int) -> np.ndarray:
    probabilities = np.full((len(labels), classes), 0.1 / (classes - 1))
    probabilities[np.arange(len(labels)), labels] = 0.9
    return probabilities


# ------------------------------------------------------------ binary
def test_binary_perfect_classifier():
    y = np.array([0, 1, 1, 0, 1, 0, 0, 1])
    probabilities = np.where(y == 1, 0.8, 0.2)
    ev = views.evaluate_classifier(y, probabilities, NAMES)
    assert ev.accuracy == 1.0
    np.testing.assert_array_equal(ev.confusion, [[4, 0], [0, 4]])
    assert list(ev.roc) == ["malignant"]  # binary: the positive class only
    assert ev.roc["malignant"].auc == 1.0 and ev.macro_auc == 1.0
    np.testing.assert_allclose(ev.f1, [1.0, 1.0])
    assert ev.is_binary and ev.threshold == 0.5


def test_binary_random_classifier_has_auc_near_half():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 20_000)
    ev = views.evaluate_classifier(y, rng.random(20_000), NAMES)
    assert ev.macro_auc == pytest.approx(0.5, abs=0.02)
    assert ev.accuracy == pytest.approx(0.5, abs=0.02)
    assert ev.confusion.sum() == 20_000


def test_binary_threshold_and_keras_shaped_outputs():
    y = np.array([1, 1, 0, 0])
    probabilities = np.array([[0.4], [0.9], [0.2], [0.35]])  # Keras sigmoid: (n, 1)
    at_half = views.evaluate_classifier(y, probabilities)
    assert at_half.accuracy == 0.75 and at_half.class_names == ["0", "1"]
    lower = views.evaluate_classifier(y, probabilities, threshold=0.38)
    assert lower.accuracy == 1.0
    np.testing.assert_array_equal(lower.confusion, [[2, 0], [0, 2]])


def test_metrics_and_table_agree_with_scikit_learn():
    rng = np.random.default_rng(2)
    y = rng.integers(0, 3, 300)
    probabilities = rng.dirichlet(np.ones(3), 300)
    probabilities[np.arange(300), y] += 0.3
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    ev = views.evaluate_classifier(y, probabilities, ["a", "b", "c"])
    report = classification_report(
        y, probabilities.argmax(axis=1), target_names=["a", "b", "c"], output_dict=True
    )
    table = ev.table()
    assert list(table.index) == ["a", "b", "c", "macro avg", "accuracy"]
    assert list(table.columns) == ["precision", "recall", "f1", "support"]
    for name in ["a", "b", "c", "macro avg"]:
        assert table.loc[name, "precision"] == pytest.approx(report[name]["precision"])
        assert table.loc[name, "recall"] == pytest.approx(report[name]["recall"])
        assert table.loc[name, "f1"] == pytest.approx(report[name]["f1-score"])
        assert table.loc[name, "support"] == report[name]["support"]
    assert table.loc["accuracy", "f1"] == pytest.approx(report["accuracy"])
    assert np.isnan(table.loc["accuracy", "precision"])
    assert table["support"].dtype == "int64"


# ------------------------------------------------------------ multi-class
def test_ten_class_perfect_classifier():
    y = np.repeat(np.arange(10), 20)
    ev = views.evaluate_classifier(y, perfect_matrix(y, 10), DIGITS)
    assert ev.accuracy == 1.0
    np.testing.assert_array_equal(ev.confusion, np.diag(np.full(10, 20)))
    assert list(ev.roc) == DIGITS
    assert all(curve.auc == 1.0 for curve in ev.roc.values())
    assert ev.macro_auc == 1.0 and ev.macro_f1 == 1.0
    assert ev.threshold is None and not ev.is_binary


def test_ten_class_random_classifier():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 10, 20_000)
    ev = views.evaluate_classifier(y, rng.dirichlet(np.ones(10), 20_000), DIGITS)
    assert ev.macro_auc == pytest.approx(0.5, abs=0.02)
    assert ev.accuracy == pytest.approx(0.1, abs=0.02)


def test_one_hot_labels_are_accepted():
    y = np.array([0, 2, 1, 2])
    one_hot = np.eye(3)[y]
    ev = views.evaluate_classifier(one_hot, perfect_matrix(y, 3))
    assert ev.accuracy == 1.0 and ev.support.tolist() == [1, 1, 2]


def test_a_class_absent_from_y_true():
    y = np.array([0, 1, 0, 1, 0, 1])
    probabilities = perfect_matrix(y, 3)
    probabilities[0] = [0.2, 0.1, 0.7]  # predicts the absent class once
    ev = views.evaluate_classifier(y, probabilities, ["a", "b", "c"])
    assert np.isnan(ev.roc["c"].auc) and ev.roc["c"].fpr.size == 0
    assert ev.roc["a"].auc == 1.0 and ev.macro_auc == pytest.approx(1.0)
    assert ev.support.tolist() == [3, 3, 0] and ev.recall[2] == 0.0
    assert ev.confusion[0, 2] == 1
    # The figures cope: an empty row, and an "n/a" AUC in the legend.
    figure = views.confusion_matrix_plot(ev, normalize=True)
    assert not np.isnan(figure.axes[0].images[0].get_array()).any()
    legend = views.roc_plot({"test": ev}).axes[0].get_legend()
    assert "c (AUC n/a)" in [t.get_text() for t in legend.get_texts()]


def test_binary_without_positives_has_no_auc():
    ev = views.evaluate_classifier([0, 0, 0], [0.1, 0.7, 0.2], NAMES)
    assert np.isnan(ev.macro_auc) and ev.accuracy == pytest.approx(2 / 3)


# ------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    ("y", "scores", "kwargs", "message"),
    [
        ([0, 1, 1], [0.2, 0.9], {}, "3 labels but scores has 2 rows"),
        ([0, 1], [0.2, 1.3], {}, r"probabilities in \[0, 1\]"),
        ([0, 1], [0.2, np.nan], {}, "NaN or infinite"),
        ([0, 1], [0.2, 0.8], {"class_names": ["a", "b", "c"]}, "3 names but the scores"),
        ([0, 1], [0.2, 0.8], {"class_names": ["a", "a"]}, "repeats a name"),
        ([0, 2], [0.2, 0.8], {}, "holds label 2, but scores describe 2 classes"),
        ([0, 3], np.full((2, 3), 1 / 3), {}, "holds label 3"),
        ([0.5, 1], [0.2, 0.8], {}, "integer class labels"),
        (["a", "b"], [0.2, 0.8], {}, "integer class labels"),
        ([0, 1], [0.2, 0.8], {"threshold": 1.5}, "threshold must be"),
        ([0, 1], np.zeros((2, 2, 2)), {}, "got shape"),
        ([0, 1], [], {}, "non-empty"),
    ],
)
def test_bad_input(y, scores, kwargs, message):
    with pytest.raises(ValueError, match=message):
        views.evaluate_classifier(y, scores, **kwargs)


# ------------------------------------------------------------ confusion plot
def test_confusion_matrix_plot_counts_and_labels():
    y = np.array([0, 0, 0, 1, 1])
    ev = views.evaluate_classifier(y, [0.1, 0.2, 0.7, 0.9, 0.4], NAMES)
    fig = views.confusion_matrix_plot(ev)
    ax, colorbar_ax = fig.axes
    np.testing.assert_array_equal(ax.images[0].get_array(), [[2, 1], [1, 1]])
    assert [t.get_text() for t in ax.texts] == ["2", "1", "1", "1"]
    assert ax.get_xlabel() == "Predicted" and ax.get_ylabel() == "True"
    assert [t.get_text() for t in ax.get_yticklabels()] == NAMES
    assert colorbar_ax.get_ylabel() == "count"
    assert ax.get_title() == "Confusion matrix (accuracy 60.0%)"


def test_confusion_matrix_plot_normalised_rows():
    y = np.array([0, 0, 0, 1, 1])
    ev = views.evaluate_classifier(y, [0.1, 0.2, 0.7, 0.9, 0.4], NAMES)
    ax = views.confusion_matrix_plot(ev, normalize=True, title="Test").axes[0]
    np.testing.assert_allclose(ax.images[0].get_array(), [[2 / 3, 1 / 3], [0.5, 0.5]])
    assert ax.texts[0].get_text() == "2\n66.7%"
    assert ax.get_title() == "Test"


def test_confusion_matrix_plot_ten_classes_stays_readable():
    y = np.repeat(np.arange(10), 5)
    ax = views.confusion_matrix_plot(
        views.evaluate_classifier(y, perfect_matrix(y, 10), DIGITS)
    ).axes[0]
    assert len(ax.texts) == 100
    assert ax.texts[0].get_fontsize() >= 7
    assert [t.get_text() for t in ax.get_xticklabels()] == DIGITS
    assert ax.get_xticklabels()[0].get_rotation() == 40  # long names tilted
    with pytest.raises(TypeError, match="ClassifierEvaluation"):
        views.confusion_matrix_plot(np.eye(2))


# ------------------------------------------------------------ ROC plot
def test_roc_plot_binary_splits_share_a_panel():
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 200)
    train = views.evaluate_classifier(y, np.where(y == 1, 0.9, 0.1), NAMES)
    test = views.evaluate_classifier(y, np.clip(0.5 * y + rng.random(200) * 0.6, 0, 1), NAMES)
    fig = views.roc_plot({"train": train, "test": test})
    (ax,) = fig.axes
    assert len(ax.lines) == 3  # two splits and chance
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts == ["train (AUC 1.000)", f"test (AUC {test.macro_auc:.3f})", "chance"]
    np.testing.assert_allclose(ax.lines[1].get_xdata(), test.roc["malignant"].fpr)
    assert ax.lines[2].get_linestyle() == "--"
    assert ax.get_xlabel() == "false positive rate" and ax.get_ylabel() == "true positive rate"
    assert ax.get_title() == "ROC curve (positive class: malignant)"


def test_roc_plot_multiclass_panel_per_split():
    rng = np.random.default_rng(4)
    y = np.repeat(np.arange(10), 10)
    noisy = rng.dirichlet(np.ones(10), 100)
    evaluations = {
        "train": views.evaluate_classifier(y, perfect_matrix(y, 10), DIGITS),
        "test": views.evaluate_classifier(y, noisy, DIGITS),
    }
    fig = views.roc_plot(evaluations, title="ROC")
    assert len(fig.axes) == 2
    for ax, (split, ev) in zip(fig.axes, evaluations.items(), strict=True):
        assert len(ax.lines) == 11  # a curve per class, and chance
        assert ax.get_title() == f"{split}: macro-average AUC {ev.macro_auc:.3f}"
        assert len(ax.get_legend().get_texts()) == 11
    assert fig.get_suptitle() == "ROC"


def test_roc_plot_bad_input():
    with pytest.raises(ValueError, match="non-empty mapping"):
        views.roc_plot({})
    with pytest.raises(TypeError, match="ClassifierEvaluation"):
        views.roc_plot({"test": "nope"})
