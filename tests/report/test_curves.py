"""Learning-curve figures and TensorBoard smoothing."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection

from tunesmith.report import curves as views


def _reference_smooth(values: list[float], weight: float) -> list[float]:
    """TensorBoard's smoothing, point by point, as its JavaScript writes it."""
    last, count, out = 0.0, 0, []
    for value in values:
        if not math.isfinite(value):
            out.append(value)
            continue
        last = last * weight + (1 - weight) * value
        count += 1
        out.append(last / (1 - weight**count))
    return out


def make_curves(
    trials: int = 3,
    epochs: int = 10,
    executions: int = 1,
    metrics: tuple[str, ...] = ("loss", "accuracy", "val_loss", "val_accuracy"),
    seed: int = 0,
) -> pd.DataFrame:
    """The wide frame of Store.load_curves(), trial ids "0000", "0001", ..."""
    rng = np.random.default_rng(seed)
    frames = []
    for trial in range(trials):
        for execution in range(executions):
            steps = np.arange(epochs)
            columns = {name: np.exp(-0.1 * steps) + rng.normal(0, 0.02, epochs) for name in metrics}
            frames.append(
                pd.DataFrame(
                    {"trial_id": f"{trial:04d}", "execution": execution, "step": steps, **columns}
                )
            )
    return pd.concat(frames, ignore_index=True)


def _collections(ax) -> list[LineCollection]:
    return [c for c in ax.collections if isinstance(c, LineCollection)]


def _legend_texts(fig) -> list[str]:
    return [t.get_text() for t in fig.legends[0].get_texts()]


# ------------------------------------------------------------ smooth
@pytest.mark.parametrize("weight", [0.0, 0.3, 0.6, 0.95])
def test_smooth_matches_tensorboard(weight):
    values = [1.0, 3.0, float("nan"), 2.0, float("inf"), 5.0, 4.0, -1.0]
    result = views.smooth(values, weight)
    expected = _reference_smooth(values, weight)
    np.testing.assert_allclose(result, expected)
    assert np.isnan(result[2]) and result[4] == float("inf")


def test_smooth_edge_cases():
    assert views.smooth([2.5], 0.9).tolist() == [2.5]  # debiasing: no pull towards 0
    assert views.smooth([], 0.6).size == 0
    assert np.isnan(views.smooth([float("nan")] * 3)).all()
    np.testing.assert_allclose(views.smooth([1.0, 2.0, 3.0], 0.0), [1.0, 2.0, 3.0])
    np.testing.assert_allclose(views.smooth(np.full(50, 7.0), 0.99), 7.0)


@pytest.mark.parametrize("weight", [-0.1, 1.0, 2])
def test_smooth_rejects_weights_outside_0_1(weight):
    with pytest.raises(ValueError, match=r"in \[0, 1\)"):
        views.smooth([1.0, 2.0], weight)


def test_smooth_rejects_non_numbers_and_2d():
    with pytest.raises(TypeError, match="must be a number"):
        views.smooth([1.0], "0.5")
    with pytest.raises(ValueError, match="1-D"):
        views.smooth(np.zeros((2, 2)))


# ------------------------------------------------------------ learning_curves
def test_learning_curves_panels_lines_and_legend():
    curves = make_curves(trials=3)
    fig = views.learning_curves(curves, labels={"0001": "trial 1 (0.98)"})
    assert [ax.get_title() for ax in fig.axes] == ["loss", "accuracy"]
    for ax in fig.axes:
        collections = _collections(ax)
        # raw + smoothed, train + validation
        assert len(collections) == 4
        assert all(len(c.get_segments()) == 3 for c in collections)
        assert {c.get_alpha() for c in collections} == {views.RAW_ALPHA, 0.9}
        assert ax.get_xlabel() == "epoch"
    assert _legend_texts(fig) == [
        "train",
        "validation",
        "trial 0000",
        "trial 1 (0.98)",
        "trial 0002",
    ]
    assert "3 trials" in fig.get_suptitle()


def test_learning_curves_smoothed_segments_are_smooth_of_raw():
    curves = make_curves(trials=1, epochs=8, metrics=("loss",))
    fig = views.learning_curves(curves, smoothing=0.5)
    raw, smoothed = _collections(fig.axes[0])
    np.testing.assert_allclose(raw.get_segments()[0][:, 1], curves["loss"])
    np.testing.assert_allclose(smoothed.get_segments()[0][:, 1], views.smooth(curves["loss"], 0.5))
    np.testing.assert_allclose(smoothed.get_segments()[0][:, 0], np.arange(8) + 1)  # epochs


def test_learning_curves_without_smoothing_draw_only_the_raw_curves():
    fig = views.learning_curves(make_curves(trials=2), smoothing=0)
    assert all(len(_collections(ax)) == 2 for ax in fig.axes)
    assert "smoothing" not in fig.get_suptitle()


def test_learning_curves_average_executions_and_skip_missing_steps():
    curves = make_curves(trials=1, epochs=6, executions=2, metrics=("loss", "val_loss"))
    curves.loc[curves["execution"] == 0, "loss"] = 1.0
    curves.loc[curves["execution"] == 1, "loss"] = 3.0
    # Validation logged every other epoch only.
    curves.loc[curves["step"] % 2 == 1, "val_loss"] = np.nan
    fig = views.learning_curves(curves, smoothing=0.0)
    train, validation = _collections(fig.axes[0])
    np.testing.assert_allclose(train.get_segments()[0][:, 1], 2.0)
    np.testing.assert_allclose(validation.get_segments()[0][:, 0], [1, 3, 5])  # epochs
    assert validation.get_linestyle()[0][1] is not None  # dashed


def test_learning_curves_metric_selection_and_order():
    curves = make_curves(trials=2, metrics=("lr", "loss", "val_loss", "val_auc"))
    fig = views.learning_curves(curves)
    # Metrics with a validation partner first, then train-only and validation-only ones.
    assert [ax.get_title() for ax in fig.axes] == ["loss", "lr", "auc"]
    assert len(_collections(fig.axes[1])) == 2  # lr: train only
    chosen = views.learning_curves(curves, metrics=["val_loss"], trial_ids=["0001"])
    assert [ax.get_title() for ax in chosen.axes] == ["loss"]
    assert _legend_texts(chosen) == ["train", "validation", "trial 0001"]


def test_learning_curves_skip_metrics_without_values():
    curves = make_curves(trials=2, metrics=("loss", "val_loss", "accuracy"))
    curves["accuracy"] = np.nan
    assert [ax.get_title() for ax in views.learning_curves(curves).axes] == ["loss"]


def test_learning_curves_name_a_dozen_trials_then_grey_the_rest():
    fig = views.learning_curves(make_curves(trials=25, epochs=5))
    texts = _legend_texts(fig)
    assert len(texts) == 2 + views.NAMED_WHEN_MANY + 1
    assert texts[-1] == "+15 more"
    ax = fig.axes[0]
    grey = [c for c in _collections(ax) if len(c.get_segments()) == 15]
    named = [c for c in _collections(ax) if len(c.get_segments()) == views.NAMED_WHEN_MANY]
    assert len(grey) == 2 and len(named) == 4  # grey: smoothed train + validation
    # The first trial is drawn last (on top), in the first palette colour.
    assert np.allclose(named[-1].get_colors()[-1][:3], (0.121568, 0.466666, 0.705882), atol=1e-5)
    small = views.learning_curves(make_curves(trials=12, epochs=5))
    assert len(_legend_texts(small)) == 2 + 12


def test_learning_curves_ignore_a_diverged_trial_for_the_y_limits():
    curves = make_curves(trials=6, epochs=20, metrics=("loss", "val_loss"))
    curves.loc[curves["trial_id"] == "0003", "loss"] = 1e6
    ax = views.learning_curves(curves).axes[0]
    assert ax.get_ylim()[1] < 10
    texts = [t.get_text() for t in ax.texts]
    assert "clipped: some values of other trials beyond the axis" in texts


def test_learning_curves_of_200_trials_grey_all_but_ten():
    # Its speed is measured by benchmarks/report_render.py, not here.
    fig = views.learning_curves(make_curves(trials=200, epochs=50))
    assert len(fig.axes) == 2
    assert _legend_texts(fig)[-1] == "+190 more"


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        (lambda c: c.iloc[0:0], ValueError, "empty"),
        (lambda c: c.drop(columns="step"), ValueError, "no column 'step'"),
        (lambda c: c[["trial_id", "execution", "step"]], ValueError, "no metric column"),
    ],
)
def test_learning_curves_bad_frames(change, error, message):
    with pytest.raises(error, match=message):
        views.learning_curves(change(make_curves()))


def test_learning_curves_bad_arguments():
    curves = make_curves()
    with pytest.raises(ValueError, match=r"No metric 'f1'.*loss, accuracy"):
        views.learning_curves(curves, metrics=["f1"])
    with pytest.raises(ValueError, match=r"No curves for trial.*'9999'"):
        views.learning_curves(curves, trial_ids=["9999"])
    with pytest.raises(TypeError, match="list of ids"):
        views.learning_curves(curves, trial_ids="0000")
    with pytest.raises(ValueError, match=r"smoothing weight must be in \[0, 1\)"):
        views.learning_curves(curves, smoothing=1.5)
    with pytest.raises(TypeError, match="DataFrame"):
        views.learning_curves(curves.to_numpy())


# ------------------------------------------------------------ best_trial_curves
def test_best_trial_curves_panels_lines_and_marker():
    curves = make_curves(trials=3, executions=2)
    fig = views.best_trial_curves(curves, "0001", best_step=4)
    assert [ax.get_title() for ax in fig.axes] == ["loss", "accuracy"]
    for ax in fig.axes:
        # raw and smoothed train, raw and smoothed validation, the best-step marker
        assert len(ax.lines) == 5
        assert ax.lines[-1].get_xdata()[0] == 5  # step 4 is the fifth epoch
        legend = [t.get_text() for t in ax.get_legend().get_texts()]
        assert legend == ["train", "validation", "best epoch (5)"]
    assert fig.get_suptitle() == "Trial 0001, mean of 2 executions"


def test_best_trial_curves_without_marker_or_smoothing():
    fig = views.best_trial_curves(make_curves(), "0002", metrics=["loss"], smoothing=0)
    (ax,) = fig.axes
    assert len(ax.lines) == 2  # smoothed only (= raw), train and validation
    assert ax.lines[1].get_linestyle() == "--"
    assert fig.get_suptitle() == "Trial 0002"


def test_best_trial_curves_unknown_trial():
    with pytest.raises(ValueError, match=r"No curves for trial.*'42'"):
        views.best_trial_curves(make_curves(), "42")
