"""A trained classifier's evaluation: metrics, confusion matrix and ROC curves.

Example:
    >>> probabilities = model.predict(x_test).ravel()               # doctest: +SKIP
    >>> evaluation = evaluate_classifier(y_test, probabilities, ["benign", "malignant"])
    ...                                                             # doctest: +SKIP
    >>> evaluation.table()                                          # doctest: +SKIP
    >>> fig = confusion_matrix_plot(evaluation)                     # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from tunesmith.report._style import (
    MUTED,
    SMALL_FONT,
    categorical_colors,
    new_figure,
    panel_grid,
    rotate_long_labels,
)


@dataclass(frozen=True, eq=False)
class RocCurve:
    """One class's one-vs-rest ROC curve; empty arrays and ``auc`` NaN when y_true
    lacks the class or has nothing else (a curve needs positives and negatives)."""

    fpr: np.ndarray
    tpr: np.ndarray
    auc: float


@dataclass(frozen=True, eq=False)
class ClassifierEvaluation:
    """What :func:`evaluate_classifier` measured.

    Attributes:
        class_names: One name per class, in label order.
        confusion: k x k counts; rows are true classes, columns predicted ones.
        accuracy: Share of rows predicted right.
        precision, recall, f1, support: Per class (support = true rows of the class).
        macro_precision, macro_recall, macro_f1: Unweighted means over the classes.
        roc: ROC curve per class name; binary evaluations hold the positive class only.
        macro_auc: Mean AUC over the classes that have one (binary: the positive
            class's AUC); NaN when none has.
        threshold: The probability from which a binary prediction is positive
            (None for a probability matrix, whose prediction is the argmax).
    """

    class_names: list[str]
    confusion: np.ndarray
    accuracy: float
    precision: np.ndarray
    recall: np.ndarray
    f1: np.ndarray
    support: np.ndarray
    macro_precision: float
    macro_recall: float
    macro_f1: float
    roc: dict[str, RocCurve]
    macro_auc: float
    threshold: float | None

    @property
    def is_binary(self) -> bool:
        return len(self.class_names) == 2

    def table(self) -> pd.DataFrame:
        """Per-class precision, recall, F1 and support, then "macro avg" and
        "accuracy" rows, laid out as scikit-learn's ``classification_report`` (the
        accuracy row holds the accuracy in its ``f1`` cell and all rows as support).

        Example:
            >>> ev = evaluate_classifier([0, 1, 1], [0.2, 0.9, 0.4])
            >>> ev.table().loc["accuracy", "f1"].round(3)
            np.float64(0.667)
        """
        rows = pd.DataFrame(
            {
                "precision": self.precision,
                "recall": self.recall,
                "f1": self.f1,
                "support": self.support,
            },
            index=pd.Index(self.class_names, name="class"),
        )
        total = int(self.support.sum())
        rows.loc["macro avg"] = [self.macro_precision, self.macro_recall, self.macro_f1, total]
        rows.loc["accuracy"] = [np.nan, np.nan, self.accuracy, total]
        return rows.astype({"support": "int64"})


def evaluate_classifier(
    y_true: Sequence[int] | np.ndarray,
    scores: Sequence[float] | np.ndarray,
    class_names: Sequence[str] | None = None,
    threshold: float = 0.5,
) -> ClassifierEvaluation:
    """Accuracy, per-class precision/recall/F1, confusion matrix and ROC curves.

    Args:
        y_true: True labels, ints 0..k-1 (a one-hot matrix is accepted too).
        scores: Binary: the positive class's probability per row, shape (n,) or
            (n, 1); label 1 is the positive class and a row is predicted positive
            when its probability is at least ``threshold``. Multi-class: an (n, k)
            probability matrix, predicted class = argmax (``threshold`` unused).
        class_names: One name per class (default ``"0"``, ``"1"``, ...).
        threshold: The binary decision threshold, in [0, 1].

    ROC curves are one-vs-rest per class (binary: the positive class only), from
    scikit-learn's ``roc_curve`` and ``roc_auc_score``; a class that y_true lacks
    gets AUC NaN.

    Example:
        >>> ev = evaluate_classifier([0, 1, 1, 0], [0.1, 0.8, 0.6, 0.3], ["no", "yes"])
        >>> ev.accuracy, ev.roc["yes"].auc
        (1.0, 1.0)
    """
    from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

    probabilities, binary = _probabilities(scores)
    classes = probabilities.shape[1]
    labels = _labels(y_true, classes, len(probabilities))
    names = _class_names(class_names, classes)
    if binary:
        threshold = _check_threshold(threshold)
        predicted = (probabilities[:, 1] >= threshold).astype("int64")
    else:
        predicted = probabilities.argmax(axis=1)
    everything = list(range(classes))
    precision, recall, f1, support = precision_recall_fscore_support(
        labels, predicted, labels=everything, zero_division=0
    )
    macro = precision_recall_fscore_support(
        labels, predicted, labels=everything, average="macro", zero_division=0
    )
    roc = {
        names[c]: _roc_curve(labels == c, probabilities[:, c])
        for c in ([1] if classes == 2 else everything)
    }
    aucs = np.array([curve.auc for curve in roc.values()])
    return ClassifierEvaluation(
        class_names=names,
        confusion=confusion_matrix(labels, predicted, labels=everything),
        accuracy=float(accuracy_score(labels, predicted)),
        precision=np.asarray(precision, dtype="float64"),
        recall=np.asarray(recall, dtype="float64"),
        f1=np.asarray(f1, dtype="float64"),
        support=np.asarray(support, dtype="int64"),
        macro_precision=float(macro[0]),
        macro_recall=float(macro[1]),
        macro_f1=float(macro[2]),
        roc=roc,
        macro_auc=float(np.nanmean(aucs)) if np.isfinite(aucs).any() else float("nan"),
        threshold=threshold if binary else None,
    )


def confusion_matrix_plot(
    evaluation: ClassifierEvaluation, normalize: bool = False, title: str | None = None
) -> Figure:
    """The confusion matrix as a heatmap: true classes down, predicted across.

    Cells show counts; with ``normalize`` the colours are each row's shares and the
    cells show the count and its percentage of the true class.

    Example:
        >>> ev = evaluate_classifier([0, 1, 1, 0], [0.1, 0.8, 0.3, 0.3], ["no", "yes"])
        >>> fig = confusion_matrix_plot(ev)
        >>> fig.axes[0].images[0].get_array().tolist()
        [[2, 0], [1, 1]]
    """
    _check_evaluation(evaluation)
    counts = evaluation.confusion
    size = len(evaluation.class_names)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = counts / counts.sum(axis=1, keepdims=True)
    shares = np.nan_to_num(shares)  # a class absent from y_true: an empty row, not NaN
    shown = shares if normalize else counts
    side = max(3.8, 0.6 * size + 2.0)
    fig, axes = new_figure(panel_width=side + 1.2, panel_height=side)
    ax = axes[0, 0]
    image = ax.imshow(shown, cmap="Blues", vmin=0, vmax=1 if normalize else max(counts.max(), 1))
    ticks = np.arange(size)
    ax.set_xticks(ticks, evaluation.class_names)
    ax.set_yticks(ticks, evaluation.class_names)
    rotate_long_labels(ax, longest=6)
    ax.set_xlabel("Predicted")
    ax.set_ylabel("True")
    font = float(np.clip(48 / size, 7, 12))
    dark = shares if normalize else counts / max(counts.max(), 1)
    for (i, j), count in np.ndenumerate(counts):
        text = f"{count}\n{shares[i, j]:.1%}" if normalize else f"{count}"
        color = "white" if dark[i, j] > 0.55 else "black"
        ax.text(j, i, text, ha="center", va="center", fontsize=font, color=color)
    colorbar = fig.colorbar(image, ax=ax, shrink=0.8)
    colorbar.set_label("share of the true class" if normalize else "count")
    ax.set_title(title or f"Confusion matrix (accuracy {evaluation.accuracy:.1%})")
    return fig


def roc_plot(evaluations: Mapping[str, ClassifierEvaluation], title: str | None = None) -> Figure:
    """ROC curves of several data splits (``{"train": ev_train, "test": ev_test}``).

    Binary evaluations share one panel, a curve per split with its AUC in the
    legend. Multi-class ones get a panel per split, a curve per class, and the
    macro-average AUC in the panel's title. The dashed diagonal is chance.

    Example:
        >>> ev = evaluate_classifier([0, 1, 1, 0], [0.1, 0.8, 0.6, 0.3])
        >>> fig = roc_plot({"test": ev})
        >>> fig.axes[0].get_legend().get_texts()[0].get_text()
        'test (AUC 1.000)'
    """
    if not isinstance(evaluations, Mapping) or not evaluations:
        raise ValueError(
            "roc_plot needs a non-empty mapping of split name to ClassifierEvaluation, "
            "e.g. {'test': evaluate_classifier(y_test, probabilities)}."
        )
    for evaluation in evaluations.values():
        _check_evaluation(evaluation)
    if all(ev.is_binary for ev in evaluations.values()):
        fig, axes = new_figure(panel_width=5.6, panel_height=4.8)
        ax = axes[0, 0]
        colors = categorical_colors(len(evaluations))
        for (split, ev), color in zip(evaluations.items(), colors, strict=True):
            (curve,) = ev.roc.values()
            ax.plot(curve.fpr, curve.tpr, color=color, linewidth=2, label=_roc_label(split, curve))
        positive = ev.class_names[1]
        _finish_roc_axes(ax, title or f"ROC curve (positive class: {positive})")
        return fig
    fig, panels = panel_grid(len(evaluations), max_columns=3, panel_width=5.2, panel_height=4.8)
    for ax, (split, ev) in zip(panels, evaluations.items(), strict=True):
        colors = categorical_colors(len(ev.roc))
        for (name, curve), color in zip(ev.roc.items(), colors, strict=True):
            ax.plot(curve.fpr, curve.tpr, color=color, linewidth=1.5, label=_roc_label(name, curve))
        _finish_roc_axes(ax, f"{split}: macro-average AUC {ev.macro_auc:.3f}")
    fig.suptitle(title or "ROC curves, one class against the rest")
    return fig


# ------------------------------------------------------------------ checks
def _probabilities(scores: Sequence[float] | np.ndarray) -> tuple[np.ndarray, bool]:
    """Scores as an (n, k) probability matrix, and whether they were binary (n,) ones."""
    array = np.asarray(scores, dtype="float64")
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]  # Keras' sigmoid output: (n, 1)
    if array.ndim not in (1, 2) or len(array) == 0:
        raise ValueError(
            f"scores must be a non-empty (n,) array of positive-class probabilities or an "
            f"(n, k) probability matrix, got shape {array.shape}."
        )
    finite = np.isfinite(array)
    if not finite.all():
        raise ValueError(
            f"scores holds {int((~finite).sum())} NaN or infinite values; pass probabilities "
            "in [0, 1] (a model whose training diverged predicts NaN)."
        )
    if array.min() < 0.0 or array.max() > 1.0:
        raise ValueError(
            "scores must be probabilities in [0, 1] (apply a sigmoid or softmax to logits "
            f"first); found values from {array.min():g} to {array.max():g}."
        )
    if array.ndim == 1:
        return np.column_stack([1.0 - array, array]), True
    if array.shape[1] < 2:
        raise ValueError(f"A probability matrix needs k >= 2 columns, got shape {array.shape}.")
    return array, False


def _labels(y_true: Sequence[int] | np.ndarray, classes: int, rows: int) -> np.ndarray:
    labels = np.asarray(y_true)
    if labels.ndim == 2 and labels.shape[1] == classes and classes > 1:
        labels = labels.argmax(axis=1)  # one-hot, as Keras' categorical labels
    elif labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]
    if labels.ndim != 1:
        raise ValueError(f"y_true must be 1-D class labels, got shape {labels.shape}.")
    if len(labels) != rows:
        raise ValueError(
            f"y_true has {len(labels)} labels but scores has {rows} rows; pass one "
            "probability (row) per label, in the same order."
        )
    if labels.dtype.kind == "b":
        labels = labels.astype("int64")
    if labels.dtype.kind not in "iuf" or (
        labels.dtype.kind == "f" and not np.array_equal(labels, np.round(labels))
    ):
        raise ValueError(
            f"y_true must hold integer class labels 0..{classes - 1}, got {labels.dtype} "
            f"values such as {labels[:3].tolist()}; encode the classes as 0..k-1 first."
        )
    labels = labels.astype("int64")
    outside = labels[(labels < 0) | (labels >= classes)]
    if outside.size:
        raise ValueError(
            f"y_true holds label {int(outside[0])}, but scores describe {classes} classes "
            f"(labels 0..{classes - 1}); check that the labels match the model's outputs."
        )
    return labels


def _class_names(class_names: Sequence[str] | None, classes: int) -> list[str]:
    if class_names is None:
        return [str(c) for c in range(classes)]
    if isinstance(class_names, str):
        raise TypeError(f"class_names must be a list of names, got the string {class_names!r}.")
    names = [str(name) for name in class_names]
    if len(names) != classes:
        raise ValueError(
            f"class_names has {len(names)} names but the scores describe {classes} classes; "
            "give one name per class, in label order."
        )
    if len(set(names)) != len(names):
        raise ValueError(f"class_names repeats a name: {names}; give each class its own.")
    return names


def _check_threshold(threshold: float) -> float:
    if isinstance(threshold, bool) or not 0.0 <= float(threshold) <= 1.0:
        raise ValueError(f"threshold must be a probability in [0, 1], got {threshold!r}.")
    return float(threshold)


def _check_evaluation(evaluation: object) -> None:
    if not isinstance(evaluation, ClassifierEvaluation):
        raise TypeError(
            f"Expected a ClassifierEvaluation (from evaluate_classifier), "
            f"got {type(evaluation).__name__}."
        )


# ------------------------------------------------------------------ ROC
def _roc_curve(is_class: np.ndarray, probability: np.ndarray) -> RocCurve:
    from sklearn.metrics import roc_auc_score, roc_curve

    if is_class.all() or not is_class.any():
        # No positives (or no negatives): the curve and its area are undefined.
        return RocCurve(np.array([]), np.array([]), float("nan"))
    fpr, tpr, _ = roc_curve(is_class, probability)
    return RocCurve(fpr, tpr, float(roc_auc_score(is_class, probability)))


def _roc_label(name: str, curve: RocCurve) -> str:
    if np.isnan(curve.auc):
        return f"{name} (AUC n/a)"
    return f"{name} (AUC {curve.auc:.3f})"


def _finish_roc_axes(ax: Axes, title: str) -> None:
    ax.plot([0, 1], [0, 1], color=MUTED, linestyle="--", linewidth=1, label="chance")
    ax.set_xlim(-0.01, 1.01)
    ax.set_ylim(-0.01, 1.01)
    ax.set_aspect("equal")
    ax.set_xlabel("false positive rate")
    ax.set_ylabel("true positive rate")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=SMALL_FONT)
    ax.set_title(title)
