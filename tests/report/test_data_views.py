"""The data views: what each figure holds, and the errors for bad input."""

from __future__ import annotations

import ast
from pathlib import Path

import matplotlib.colors as mcolors
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection

from tunesmith.report import data_views
from tunesmith.report._style import grid_shape, png_bytes, save_png

CLASS_NAMES = {0: "benign", 1: "malignant"}


@pytest.fixture
def features() -> tuple[pd.DataFrame, np.ndarray]:
    """30 features of very different scales, two classes whose means differ."""
    rng = np.random.default_rng(7)
    labels = rng.integers(0, 2, 120)
    columns = {}
    for i in range(30):
        scale = 10.0 ** (i % 4 - 1)
        columns[f"feature_{i:02d}_mean"] = scale * (rng.normal(size=120) + 0.8 * labels)
    return pd.DataFrame(columns), labels


def _texts(ax) -> list[str]:
    return [t.get_text() for t in ax.texts]


# ------------------------------------------------------------ histograms
def test_feature_histograms_one_panel_of_50_bins_per_feature(features):
    frame, _ = features
    fig = data_views.feature_histograms(frame)
    assert len(fig.axes) == 30
    assert [ax.get_title() for ax in fig.axes] == list(frame.columns)
    assert all(len(ax.patches) == 50 for ax in fig.axes)
    # The bars count every row.
    assert sum(p.get_height() for p in fig.axes[0].patches) == len(frame)
    assert "50 bins" in fig.get_suptitle()


def test_feature_histograms_columns_bins_and_array_input(features):
    frame, _ = features
    fig = data_views.feature_histograms(frame, bins=10, columns=["feature_03_mean"])
    assert len(fig.axes) == 1 and len(fig.axes[0].patches) == 10
    array_fig = data_views.feature_histograms(
        frame.to_numpy()[:, :3], bins=5, feature_names=["a", "b", "c"]
    )
    assert [ax.get_title() for ax in array_fig.axes] == ["a", "b", "c"]
    default_names = data_views.feature_histograms(frame.to_numpy()[:, :2], bins=5)
    assert [ax.get_title() for ax in default_names.axes] == ["x0", "x1"]


def test_feature_histograms_skip_text_columns_by_default(features):
    frame, _ = features
    mixed = frame.iloc[:, :2].assign(kind="a")
    assert len(data_views.feature_histograms(mixed, bins=5).axes) == 2
    with pytest.raises(ValueError, match="'kind' are not numeric"):
        data_views.feature_histograms(mixed, columns=["kind"])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda f: data_views.feature_histograms(pd.DataFrame()), "empty"),
        (lambda f: data_views.feature_histograms(f, columns=["nope"]), "no column 'nope'"),
        (lambda f: data_views.feature_histograms(f, bins=0), "bins must be a positive"),
        (lambda f: data_views.feature_histograms(f, columns=[]), "columns is empty"),
        (lambda f: data_views.feature_histograms(np.zeros(5)), "2-D array"),
        (
            lambda f: data_views.feature_histograms(np.zeros((3, 2)), feature_names=["a"]),
            "1 names for 2 columns",
        ),
    ],
)
def test_feature_histograms_bad_input(features, call, message):
    with pytest.raises(ValueError, match=message):
        call(features[0])


# ------------------------------------------------------------ pair plot
def test_pair_plot_grid_scatter_per_class_and_histograms_on_the_diagonal(features):
    frame, labels = features
    columns = list(frame.columns[:3])
    fig = data_views.pair_plot(frame, labels, columns, label_names=CLASS_NAMES)
    assert len(fig.axes) == 9
    grid = np.array(fig.axes).reshape(3, 3)
    for row in range(3):
        for col in range(3):
            ax = grid[row, col]
            scatters = [c for c in ax.collections if isinstance(c, PathCollection)]
            if row == col:
                assert not scatters and len(ax.patches) == 2 * 20  # 20 bins per class
            else:
                assert len(scatters) == 2
                # Each class's points are the rows of that class.
                assert len(scatters[1].get_offsets()) == int((labels == 1).sum())
    assert [grid[2, c].get_xlabel() for c in range(3)] == columns
    assert [grid[r, 0].get_ylabel() for r in range(3)] == columns
    assert grid[0, 1].get_xlabel() == "" and grid[1, 1].get_ylabel() == ""
    legend = fig.legends[0]
    assert [t.get_text() for t in legend.get_texts()] == ["benign", "malignant"]


def test_pair_plot_string_labels_without_names(features):
    frame, labels = features
    words = np.where(labels == 1, "yes", "no")
    fig = data_views.pair_plot(frame, words, list(frame.columns[:2]))
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["no", "yes"]


def test_pair_plot_bad_input(features):
    frame, labels = features
    with pytest.raises(ValueError, match="labels has 119 entries but the data has 120 rows"):
        data_views.pair_plot(frame, labels[:-1], list(frame.columns[:2]))
    with pytest.raises(ValueError, match="1 to 10 columns, got 11"):
        data_views.pair_plot(frame, labels, list(frame.columns[:11]))
    with pytest.raises(ValueError, match="missing values"):
        data_views.pair_plot(frame, np.where(labels == 1, None, "a"), list(frame.columns[:2]))
    with pytest.raises(ValueError, match="no column 'zzz'"):
        data_views.pair_plot(frame, labels, ["zzz"])


# ------------------------------------------------------------ correlation
def test_correlation_heatmap_values_colours_and_annotations(features):
    frame, _ = features
    columns = list(frame.columns[:4])
    fig = data_views.correlation_heatmap(frame, columns=columns)
    ax, colorbar_ax = fig.axes
    image = ax.images[0]
    np.testing.assert_allclose(image.get_array(), frame[columns].corr().to_numpy())
    assert image.get_clim() == (-1.0, 1.0)
    assert colorbar_ax.get_ylabel() == "Pearson correlation"
    texts = _texts(ax)
    assert len(texts) == 16 and texts[0] == "1.00"
    expected = f"{frame[columns[0]].corr(frame[columns[1]]):.2f}"
    assert texts[1] == expected
    assert [t.get_text() for t in ax.get_xticklabels()] == columns


def test_correlation_heatmap_font_shrinks_with_30_features(features):
    frame, _ = features
    small = data_views.correlation_heatmap(frame, columns=list(frame.columns[:3])).axes[0]
    large = data_views.correlation_heatmap(frame).axes[0]
    assert len(large.texts) == 900
    assert large.texts[0].get_fontsize() < small.texts[0].get_fontsize()
    assert large.texts[0].get_fontsize() >= 5  # still readable
    # The figure grows with the columns, so cells keep a usable size.
    assert large.figure.get_size_inches()[1] > small.figure.get_size_inches()[1]


def test_correlation_heatmap_without_annotations_and_with_a_constant_column(features):
    frame, _ = features
    assert len(data_views.correlation_heatmap(frame, annotate=False).axes[0].texts) == 0
    constant = frame.iloc[:, :2].assign(flat=1.0)
    texts = _texts(data_views.correlation_heatmap(constant).axes[0])
    assert texts[2] == "n/a" and texts[8] == "n/a"
    with pytest.raises(ValueError, match="at least 2 rows"):
        data_views.correlation_heatmap(frame.iloc[:1])


# ------------------------------------------------------------ class means
def test_class_means_standardised_grouped_bars(features):
    frame, labels = features
    columns = list(frame.columns[:20])
    fig = data_views.class_means(frame, labels, columns, label_names=CLASS_NAMES)
    ax = fig.axes[0]
    assert len(fig.axes) == 1
    assert len(ax.patches) == 20 * 2
    assert [t.get_text() for t in ax.get_yticklabels()] == columns
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["benign", "malignant"]
    column = frame[columns[0]]
    z = (column - column.mean()) / column.std(ddof=0)
    # The first class's bars come first; a bar's width is the standardised mean.
    assert ax.patches[0].get_width() == pytest.approx(z[labels == 0].mean())
    assert ax.patches[20].get_width() == pytest.approx(z[labels == 1].mean())
    assert "standard deviations" in ax.get_xlabel()


def test_class_means_raw_means_and_three_string_classes(features):
    frame, _ = features
    words = np.array(["a", "b", "c"] * 40)
    fig = data_views.class_means(frame, words, columns=["feature_00_mean"], standardize=False)
    ax = fig.axes[0]
    assert len(ax.patches) == 3
    widths = [p.get_width() for p in ax.patches]
    expected = [frame["feature_00_mean"][words == w].mean() for w in "abc"]
    np.testing.assert_allclose(widths, expected)
    assert ax.get_xlabel() == "class mean"


def test_class_means_label_length_mismatch(features):
    frame, labels = features
    with pytest.raises(ValueError, match="labels has 3 entries"):
        data_views.class_means(frame, labels[:3])
    with pytest.raises(ValueError, match="must be 1-D"):
        data_views.class_means(frame, np.zeros((120, 2)))


# ------------------------------------------------------------ shared style
def test_png_output_and_grid_shape(tmp_path, features):
    fig = data_views.feature_histograms(features[0], bins=5, columns=["feature_00_mean"])
    data = png_bytes(fig, dpi=50)
    assert data.startswith(b"\x89PNG")
    path = save_png(fig, tmp_path / "nested" / "figure.png", dpi=50)
    assert path.read_bytes().startswith(b"\x89PNG")
    assert grid_shape(30, 6) == (5, 6) and grid_shape(7, 3) == (3, 3)
    with pytest.raises(ValueError, match="at least one panel"):
        grid_shape(0)


def test_class_colours_are_distinct(features):
    frame, labels = features
    fig = data_views.pair_plot(frame, labels, list(frame.columns[:2]))
    first, second = fig.axes[1].collections[:2]
    assert not np.allclose(first.get_facecolor()[0], second.get_facecolor()[0])
    assert mcolors.to_hex(first.get_facecolor()[0]) == "#1f77b4"


@pytest.mark.parametrize(
    "module", ["_style", "data_views", "curves", "search_views", "importance", "evaluation"]
)
def test_figures_leave_pyplot_alone(module):
    # Library code must not import pyplot (it would pick a backend and keep a
    # registry of every figure) nor switch the user's backend.
    path = Path(data_views.__file__).with_name(f"{module}.py")
    tree = ast.parse(path.read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.update(f"{node.module}.{alias.name}" for alias in node.names)
            imported.add(node.module or "")
    assert not [name for name in imported if "pyplot" in name]
    assert "matplotlib.use" not in path.read_text()
