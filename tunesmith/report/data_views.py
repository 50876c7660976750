"""Looking at the data before tuning: distributions, pairs, correlations, class means.

Every function takes the features as a DataFrame (or a 2-D array with
``feature_names``) and, where classes matter, one label per row (ints or strings);
``label_names`` maps label values to display names.

Example:
    >>> from sklearn.datasets import load_iris
    >>> iris = load_iris(as_frame=True)
    >>> fig = pair_plot(iris.data, iris.target, list(iris.data.columns[:3]),
    ...                 label_names=dict(enumerate(iris.target_names)))
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from tunesmith.report._style import (
    DIVERGING_CMAP,
    MUTED,
    SMALL_FONT,
    TINY_FONT,
    categorical_colors,
    new_figure,
    panel_grid,
    require_columns,
    require_frame,
    require_length,
    rotate_long_labels,
)

#: Above this many columns the correlation cells are too small for their values.
MAX_ANNOTATED_COLUMNS = 40
#: A pair plot grows with the square of its columns; beyond this it is unreadable.
MAX_PAIR_COLUMNS = 10


def feature_histograms(
    frame: pd.DataFrame | np.ndarray,
    bins: int = 50,
    columns: Sequence[str] | None = None,
    feature_names: Sequence[str] | None = None,
) -> Figure:
    """One small histogram panel per feature.

    Args:
        frame: The features (rows = samples).
        bins: Bins per histogram.
        columns: The features to show, in order (default: every numeric column).
        feature_names: Column names when ``frame`` is a 2-D array.

    Example:
        >>> frame = pd.DataFrame({"a": [1.0, 2.0, 2.5], "b": [0.1, 0.3, 0.2]})
        >>> len(feature_histograms(frame, bins=10).axes)
        2
    """
    if not isinstance(bins, (int, np.integer)) or bins < 1:
        raise ValueError(f"bins must be a positive integer, got {bins!r}.")
    frame = _as_frame(frame, feature_names)
    columns = _numeric_columns(frame, columns)
    fig, axes = panel_grid(len(columns), max_columns=6, panel_width=2.3, panel_height=1.8)
    for index, (ax, column) in enumerate(zip(axes, columns, strict=True)):
        values = frame[column].to_numpy(dtype="float64")
        ax.hist(values[np.isfinite(values)], bins=bins, color=categorical_colors(1)[0])
        ax.set_title(column, fontsize=SMALL_FONT)
        ax.tick_params(labelsize=TINY_FONT)
        if index % 6 == 0:
            ax.set_ylabel("count", fontsize=SMALL_FONT)
    fig.suptitle(f"Feature distributions ({len(frame)} rows, {bins} bins)")
    return fig


def pair_plot(
    frame: pd.DataFrame | np.ndarray,
    labels: Sequence[Any] | np.ndarray,
    columns: Sequence[str],
    label_names: Mapping[Any, str] | None = None,
    feature_names: Sequence[str] | None = None,
) -> Figure:
    """A scatter matrix of ``columns`` coloured by class, class histograms on the diagonal.

    Args:
        frame: The features.
        labels: One class label per row.
        columns: The features to pair (2 to 10 of them).
        label_names: Display name per label value (default: the value itself).
        feature_names: Column names when ``frame`` is a 2-D array.

    Example:
        >>> frame = pd.DataFrame({"a": [1.0, 2, 3, 4], "b": [4.0, 3, 2, 1]})
        >>> fig = pair_plot(frame, [0, 0, 1, 1], ["a", "b"], {0: "no", 1: "yes"})
        >>> len(fig.axes)
        4
    """
    frame = _as_frame(frame, feature_names)
    columns = _numeric_columns(frame, columns)
    if not 1 <= len(columns) <= MAX_PAIR_COLUMNS:
        raise ValueError(
            f"pair_plot shows 1 to {MAX_PAIR_COLUMNS} columns, got {len(columns)}; "
            "pass a shorter list of columns."
        )
    classes = _Classes.of(labels, len(frame), label_names)
    size = len(columns)
    fig, axes = new_figure(size, size, panel_width=2.1, panel_height=2.1)
    values = {c: frame[c].to_numpy(dtype="float64") for c in columns}
    for row, y_column in enumerate(columns):
        for col, x_column in enumerate(columns):
            ax = axes[row, col]
            if row == col:
                _class_histograms(ax, values[x_column], classes)
                ax.set_yticks([])  # counts, not the row's feature: no misleading ticks
            else:
                for mask, color, name in classes.groups():
                    ax.scatter(
                        values[x_column][mask],
                        values[y_column][mask],
                        s=6,
                        alpha=0.55,
                        color=color,
                        label=name,
                        linewidths=0,
                    )
            # Names only on the outer edge: inner panels share them by row and column.
            ax.set_xlabel(x_column if row == size - 1 else "", fontsize=SMALL_FONT)
            ax.set_ylabel(y_column if col == 0 else "", fontsize=SMALL_FONT)
            ax.tick_params(labelsize=TINY_FONT)
    fig.legend(
        handles=classes.legend_handles(),
        loc="outside lower center",
        ncols=min(len(classes.names), 6),
        frameon=False,
        title="class",
    )
    fig.suptitle("Pairs of features by class (diagonal: each feature's histogram per class)")
    return fig


def correlation_heatmap(
    frame: pd.DataFrame | np.ndarray,
    columns: Sequence[str] | None = None,
    annotate: bool = True,
    feature_names: Sequence[str] | None = None,
) -> Figure:
    """The Pearson correlation matrix as a heatmap, from -1 (blue) to 1 (red).

    Cells show their value to 2 decimals when ``annotate`` (up to 40 columns; the
    font shrinks as columns are added). A constant column has no correlation: its
    cells are grey.

    Example:
        >>> frame = pd.DataFrame({"a": [1.0, 2, 3], "b": [2.0, 4, 7], "c": [3.0, 1, 2]})
        >>> fig = correlation_heatmap(frame)
        >>> fig.axes[0].images[0].get_array().shape
        (3, 3)
    """
    frame = _as_frame(frame, feature_names)
    columns = _numeric_columns(frame, columns)
    if len(frame) < 2:
        raise ValueError("A correlation needs at least 2 rows; the frame has 1.")
    correlation = frame[columns].astype("float64").corr().to_numpy()
    size = len(columns)
    side = max(4.5, 0.36 * size + 2.5)
    fig, axes = new_figure(panel_width=side + 1.0, panel_height=side)
    ax = axes[0, 0]
    # A constant column's correlations are NaN: grey cells rather than white ones.
    cmap = colormaps[DIVERGING_CMAP].with_extremes(bad="#d9d9d9")
    image = ax.imshow(correlation, cmap=cmap, vmin=-1.0, vmax=1.0)
    ticks = np.arange(size)
    label_size = float(np.clip(220 / size, 6, 10))
    ax.set_xticks(ticks, columns, fontsize=label_size)
    ax.set_yticks(ticks, columns, fontsize=label_size)
    rotate_long_labels(ax, longest=2)
    if annotate and size <= MAX_ANNOTATED_COLUMNS:
        # ~0.36 in per cell fits "-0.87" at 6 pt; fewer columns get larger text.
        cell_font = float(np.clip(170 / size, 5, 10))
        for (i, j), value in np.ndenumerate(correlation):
            text = "n/a" if np.isnan(value) else f"{value:.2f}"
            ax.text(
                j,
                i,
                text,
                ha="center",
                va="center",
                fontsize=cell_font,
                color="white" if abs(value) > 0.6 else "black",
            )
    colorbar = fig.colorbar(image, ax=ax, shrink=0.8)
    colorbar.set_label("Pearson correlation")
    ax.set_title(f"Correlation between {size} features")
    return fig


def class_means(
    frame: pd.DataFrame | np.ndarray,
    labels: Sequence[Any] | np.ndarray,
    columns: Sequence[str] | None = None,
    label_names: Mapping[Any, str] | None = None,
    standardize: bool = True,
    feature_names: Sequence[str] | None = None,
) -> Figure:
    """Each feature's mean per class, as grouped horizontal bars in one panel.

    Features differ in scale by orders of magnitude (an area next to a smoothness),
    so by default each is standardised first: a bar is the class mean in standard
    deviations of the whole column from its overall mean, and the whiskers are the
    standard error of that mean. With ``standardize=False`` the raw means are drawn
    (sensible only when the columns share a scale).

    Example:
        >>> frame = pd.DataFrame({"a": [1.0, 2, 3, 4], "b": [10.0, 30, 20, 40]})
        >>> fig = class_means(frame, [0, 0, 1, 1], label_names={0: "no", 1: "yes"})
        >>> len(fig.axes[0].patches)
        4
    """
    frame = _as_frame(frame, feature_names)
    columns = _numeric_columns(frame, columns)
    classes = _Classes.of(labels, len(frame), label_names)
    data = frame[columns].astype("float64")
    if standardize:
        spread = data.std(ddof=0).replace(0.0, 1.0)  # a constant column stays at 0
        data = (data - data.mean()) / spread
    groups = data.groupby(classes.codes)
    means = groups.mean().reindex(range(len(classes.names)))
    errors = (groups.std(ddof=1) / np.sqrt(groups.count())).reindex(means.index)
    count = len(classes.names)
    height = max(3.0, 0.22 * len(columns) * max(count, 2) / 2 + 1.5)
    fig, axes = new_figure(panel_width=7.5, panel_height=height)
    ax = axes[0, 0]
    positions = np.arange(len(columns))
    bar = 0.8 / count
    for code, (name, color) in enumerate(zip(classes.names, classes.colors, strict=True)):
        # The first class on top within each feature's group, as in the legend.
        offsets = positions + (code - (count - 1) / 2) * bar
        ax.barh(
            offsets,
            means.loc[code].to_numpy(),
            height=bar,
            xerr=errors.loc[code].fillna(0.0).to_numpy(),
            color=color,
            label=name,
            error_kw={"elinewidth": 0.8, "ecolor": "#333333", "capsize": 0},
        )
    ax.set_yticks(positions, columns, fontsize=SMALL_FONT if len(columns) > 12 else 10)
    ax.invert_yaxis()  # the first column at the top, as listed
    ax.axvline(0.0, color=MUTED, linewidth=0.8)
    ax.grid(axis="x", alpha=0.3)
    ax.set_xlabel(
        "class mean, in standard deviations from the overall mean" if standardize else "class mean"
    )
    ax.legend(title="class", loc="best", fontsize=SMALL_FONT)
    ax.set_title(f"Mean of {len(columns)} features per class")
    return fig


# ------------------------------------------------------------------ helpers
def _as_frame(data: pd.DataFrame | np.ndarray, feature_names: Sequence[str] | None) -> pd.DataFrame:
    """The features as a non-empty DataFrame, named by ``feature_names`` for an array."""
    if isinstance(data, pd.DataFrame):
        return require_frame(data, "The feature frame")
    array = np.asarray(data)
    if array.ndim != 2:
        raise ValueError(
            f"Features must be a DataFrame or a 2-D array (rows x features), "
            f"got an array of shape {array.shape}."
        )
    if feature_names is None:
        feature_names = [f"x{i}" for i in range(array.shape[1])]
    elif len(feature_names) != array.shape[1]:
        raise ValueError(
            f"feature_names has {len(feature_names)} names for {array.shape[1]} columns; "
            "give one name per column."
        )
    return require_frame(pd.DataFrame(array, columns=list(feature_names)), "The feature array")


def _numeric_columns(frame: pd.DataFrame, columns: Sequence[str] | None) -> list[str]:
    """The requested columns (default: all numeric ones), each checked to be numeric."""
    if columns is None:
        chosen = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])]
        if not chosen:
            raise ValueError("The frame has no numeric column to plot.")
        return chosen
    if isinstance(columns, str):
        raise TypeError(f"columns must be a list of names, got the string {columns!r}.")
    chosen = require_columns(frame, columns, "The feature frame")
    if not chosen:
        raise ValueError("columns is empty; name at least one column.")
    text = [c for c in chosen if not pd.api.types.is_numeric_dtype(frame[c])]
    if text:
        raise ValueError(
            f"Column(s) {', '.join(repr(c) for c in text)} are not numeric; "
            "encode them as numbers or leave them out of columns."
        )
    return chosen


class _Classes:
    """Class labels as codes 0..k-1 (sorted label order), with names and colours."""

    def __init__(self, codes: np.ndarray, names: list[str]) -> None:
        self.codes = codes
        self.names = names
        self.colors = categorical_colors(len(names))

    @classmethod
    def of(
        cls, labels: Sequence[Any] | np.ndarray, rows: int, label_names: Mapping[Any, str] | None
    ) -> _Classes:
        labels = np.asarray(labels)
        if labels.ndim != 1:
            raise ValueError(f"labels must be 1-D (one per row), got shape {labels.shape}.")
        require_length(labels, rows, "labels")
        if pd.isna(labels).any():
            raise ValueError("labels contain missing values; give every row a class.")
        values, codes = np.unique(labels, return_inverse=True)
        names_by_value = dict(label_names or {})
        names = [str(names_by_value.get(v.item(), v)) for v in values]
        return cls(codes.ravel(), names)

    def groups(self) -> list[tuple[np.ndarray, Any, str]]:
        """(row mask, colour, name) per class."""
        return [
            (self.codes == code, color, name)
            for code, (color, name) in enumerate(zip(self.colors, self.names, strict=True))
        ]

    def legend_handles(self) -> list[Line2D]:
        return [
            Line2D([], [], marker="o", linestyle="", color=color, label=name)
            for color, name in zip(self.colors, self.names, strict=True)
        ]


def _class_histograms(ax: Any, values: np.ndarray, classes: _Classes) -> None:
    """Overlaid, half-transparent histograms of one feature per class, on shared bins."""
    finite = values[np.isfinite(values)]
    edges = np.histogram_bin_edges(finite, bins=20) if finite.size else 20
    for mask, color, name in classes.groups():
        chosen = values[mask]
        ax.hist(chosen[np.isfinite(chosen)], bins=edges, color=color, alpha=0.5, label=name)
