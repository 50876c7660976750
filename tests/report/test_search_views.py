"""Search views on results frames built the way the store builds them."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection

from tunesmith.report import search_views as views
from tunesmith.report._style import PALETTE
from tunesmith.space import Boolean, Choice, Fixed, Float, HyperParameters, Int
from tunesmith.store._frames import results_frame
from tunesmith.trial import TrialStatus


def make_space() -> HyperParameters:
    hp = HyperParameters()
    hp.Float("learning_rate", 1e-4, 1e-1, sampling="log")
    hp.Int("units", 16, 256, step=16)
    hp.Choice("activation", ["relu", "tanh", "gelu"])
    hp.Boolean("batch_norm")
    with hp.conditional_scope("activation", ["relu"]):
        hp.Float("dropout", 0.0, 0.5, step=0.1)
    hp.Fixed("optimizer", "adam")
    return hp


def make_results(trials: int = 30, seed: int = 3, statuses: dict | None = None) -> pd.DataFrame:
    """A results frame through the store's own frame builder; the score peaks at
    learning_rate 3e-3. ``statuses`` overrides the status of some trial numbers."""
    rng = np.random.default_rng(seed)
    statuses = statuses or {}
    records = []
    for number in range(trials):
        activation = str(rng.choice(["relu", "tanh", "gelu"]))
        values = {
            "learning_rate": float(10 ** rng.uniform(-4, -1)),
            "units": int(rng.choice(np.arange(16, 257, 16))),
            "activation": activation,
            "batch_norm": bool(rng.random() < 0.5),
            "optimizer": "adam",
        }
        if activation == "relu":
            values["dropout"] = round(float(rng.choice(np.arange(0.0, 0.6, 0.1))), 1)
        status = statuses.get(number, TrialStatus.COMPLETED)
        score = 0.95 - 0.05 * (math.log10(values["learning_rate"]) + 2.5) ** 2
        if status in (TrialStatus.FAILED, TrialStatus.RUNNING):
            score = None
        elif status is TrialStatus.INVALID:
            score = float("nan")
        records.append(
            {
                "trial_id": f"{number:04d}",
                "number": number,
                "status": status,
                "score": score,
                "best_step": 3,
                "epochs": 5,
                "executions": 1,
                "started_at": 1000.0 + number,
                "ended_at": 1001.0 + number,
                "error": "ValueError: boom" if status is TrialStatus.FAILED else None,
                "values": values,
            }
        )
    return results_frame(records)


MIXED = {
    2: TrialStatus.FAILED,
    5: TrialStatus.FAILED,
    7: TrialStatus.INVALID,
    9: TrialStatus.STOPPED,
    29: TrialStatus.RUNNING,
}


def _legend_texts(fig) -> list[str]:
    legend = fig.legends[0] if fig.legends else fig.axes[0].get_legend()
    return [t.get_text() for t in legend.get_texts()]


# ------------------------------------------------------------ objective_history
def test_objective_history_points_best_so_far_and_failures():
    results = make_results(statuses=MIXED)
    fig = views.objective_history(results, "val_accuracy", "max")
    (ax,) = fig.axes
    texts = _legend_texts(fig)
    assert texts[:3] == ["trial", "stopped early", "best so far"]
    assert texts[4:] == ["failed (2)", "invalid (1)"]
    scored = results[results["status"].isin(["COMPLETED", "STOPPED"])]
    best = scored.loc[scored["score"].idxmax()]
    assert texts[3] == f"best: {best['score']:.3g} (trial #{best['number']})"
    completed, stopped = ax.collections[0], ax.collections[1]
    assert len(completed.get_offsets()) == 25 and len(stopped.get_offsets()) == 1
    (step_line,) = ax.lines
    scores = results["score"].where(results["status"].isin(["COMPLETED", "STOPPED"]))
    np.testing.assert_allclose(step_line.get_ydata(), np.fmax.accumulate(scores.to_numpy()))
    assert ax.get_xlabel() == "trial number" and ax.get_ylabel() == "val_accuracy"
    assert ax.get_title() == "val_accuracy per trial (higher is better); 1 running, not shown"


def test_objective_history_minimising():
    results = make_results(trials=10)
    results["score"] = np.arange(10.0, 0.0, -1.0)[np.r_[3, 1, 4, 0, 5, 9, 2, 6, 8, 7]]
    ax = views.objective_history(results, "val_loss", "min").axes[0]
    np.testing.assert_allclose(ax.lines[0].get_ydata(), np.fmin.accumulate(results["score"]))
    assert "lower is better" in ax.get_title()


def test_objective_history_bad_input():
    with pytest.raises(ValueError, match="direction must be 'min' or 'max'"):
        views.objective_history(make_results(3), "loss", "minimize")
    with pytest.raises(ValueError, match="no column 'status'"):
        views.objective_history(make_results(3).drop(columns="status"), "loss", "min")
    with pytest.raises(ValueError, match="empty"):
        views.objective_history(make_results(3).iloc[0:0], "loss", "min")


# ------------------------------------------------------------ parallel coordinates
def test_parallel_coordinates_axes_lines_and_colours():
    results = make_results(statuses=MIXED)
    fig = views.parallel_coordinates(results, make_space(), "max", "val_accuracy")
    ax, colorbar_ax = fig.axes
    names = [t.get_text() for t in ax.get_xticklabels()]
    # Fixed "optimizer" gets no axis; the score comes last.
    assert names == [
        "learning_rate",
        "units",
        "activation",
        "batch_norm",
        "dropout",
        "val_accuracy",
    ]
    (lines,) = [c for c in ax.collections if isinstance(c, LineCollection)]
    finished = views.finished_trials(results)
    assert len(lines.get_segments()) == len(finished) == 26
    # Sorted worst to best, so the best lines are drawn last, on top.
    assert list(lines.get_array()) == sorted(finished["score"])
    assert lines.get_cmap().name == "viridis"
    assert colorbar_ax.get_ylabel() == "val_accuracy (higher is better)"
    best_line = ax.lines[-1]
    assert best_line.get_ydata()[-1] == pytest.approx(1.0)  # best score at the top
    assert _legend_texts(fig)[0].startswith("best: trial #")


def test_parallel_coordinates_scales_ticks_and_inactive():
    results = make_results(statuses=MIXED)
    ax = views.parallel_coordinates(results, make_space(), "max").axes[0]
    labels = [t.get_text() for t in ax.texts]
    # Log axis labelled with real values at each decade.
    assert {"0.0001", "0.001", "0.01", "0.1"} <= set(labels)
    assert {"relu", "tanh", "gelu", "False", "True"} <= set(labels)
    assert labels.count("inactive") == 1  # dropout only: the conditional one
    segments = ax.collections[0].get_segments()
    finished = views.finished_trials(results)
    order = np.argsort(finished["score"].to_numpy())
    first = finished.iloc[order[0]]
    expected_lr = math.log10(first["learning_rate"] / 1e-4) / 3
    assert segments[0][0, 1] == pytest.approx(expected_lr)
    dropout_y = np.array([s[4, 1] for s in segments])
    inactive = finished["dropout"].isna().to_numpy()[order]
    assert (dropout_y[inactive] == views.INACTIVE_POSITION).all()
    assert (dropout_y[~inactive] >= 0).all()


def test_parallel_coordinates_minimising_reverses_the_colours():
    results = make_results(trials=8)
    fig = views.parallel_coordinates(results, make_space(), "min", "val_loss")
    lines = fig.axes[0].collections[0]
    assert lines.get_cmap().name == "viridis_r"
    assert list(lines.get_array()) == sorted(results["score"], reverse=True)
    assert fig.axes[1].get_ylabel() == "val_loss (lower is better)"


def test_parallel_coordinates_accepts_a_list_of_hyperparameters():
    results = make_results(trials=6)
    hps = [Float("learning_rate", 1e-4, 1e-1, sampling="log"), Boolean("batch_norm")]
    ax = views.parallel_coordinates(results, hps, "max").axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["learning_rate", "batch_norm", "score"]


def test_search_views_errors():
    results = make_results(trials=4, statuses={i: TrialStatus.FAILED for i in range(4)})
    with pytest.raises(ValueError, match="None of the 4 trials finished with a score"):
        views.parallel_coordinates(results, make_space(), "max")
    with pytest.raises(ValueError, match="no hyperparameter that varies"):
        views.hyperparameter_scores(make_results(4), [Fixed("optimizer", "adam")], "max")
    with pytest.raises(TypeError, match="HyperParameters or a list"):
        views.parallel_coordinates(make_results(4), {"space": []}, "max")
    with pytest.raises(TypeError, match="holds str objects"):
        views.parallel_coordinates(make_results(4), ["learning_rate"], "max")
    with pytest.raises(ValueError, match="direction"):
        views.hyperparameter_scores(make_results(4), make_space(), "up")


# ------------------------------------------------------------ hyperparameter_scores
def test_hyperparameter_scores_panels():
    results = make_results(statuses=MIXED)
    fig = views.hyperparameter_scores(results, make_space(), "max", "val_accuracy")
    axes = fig.axes
    finished = views.finished_trials(results)
    inactive = int(finished["dropout"].isna().sum())
    assert [ax.get_title() for ax in axes] == [
        "learning_rate",
        "units",
        "activation",
        "batch_norm",
        f"dropout ({inactive} inactive)",
    ]
    lr, units, activation, batch_norm, dropout = axes
    assert lr.get_xscale() == "log" and units.get_xscale() == "linear"
    assert len(lr.collections[0].get_offsets()) == len(finished)
    assert len(dropout.collections[0].get_offsets()) == len(finished) - inactive
    assert [t.get_text() for t in activation.get_xticklabels()] == ["relu", "tanh", "gelu"]
    assert [t.get_text() for t in batch_norm.get_xticklabels()] == ["False", "True"]
    # A box per value tried (3 and 2) and the best trial's star in each panel it is active.
    medians = [line for line in activation.lines if line.get_color() == PALETTE[1]]
    assert len(medians) == 3
    best = finished["score"].idxmax()
    star = lr.collections[-1].get_offsets()[0]
    assert tuple(star) == pytest.approx((finished["learning_rate"][best], finished["score"][best]))
    assert lr.get_ylabel() == "val_accuracy"
    assert "higher is better" in fig.get_suptitle()


def test_hyperparameter_scores_categorical_strip_positions():
    results = make_results(trials=12)
    fig = views.hyperparameter_scores(
        results, [Choice("activation", ["relu", "tanh", "gelu"])], "min"
    )
    ax = fig.axes[0]
    points = ax.collections[0].get_offsets()
    slots = np.round(points[:, 0]).astype(int)
    expected = results["activation"].map({"relu": 0, "tanh": 1, "gelu": 2}).to_numpy()
    np.testing.assert_array_equal(slots, expected)
    np.testing.assert_allclose(points[:, 1], results["score"])


# ------------------------------------------------------------ helpers
def test_value_scale_positions():
    log = views.ValueScale(Float("lr", 1e-4, 1e-2, sampling="log"))
    np.testing.assert_allclose(log.positions(pd.Series([1e-4, 1e-3, 1e-2])), [0, 0.5, 1])
    reverse = views.ValueScale(Float("m", 0.9, 0.999, sampling="reverse_log"))
    ends = reverse.positions(pd.Series([0.9, 0.999]))
    np.testing.assert_allclose(ends, [0, 1], atol=1e-12)
    linear = views.ValueScale(Int("units", 16, 256, step=16))
    np.testing.assert_allclose(linear.positions(pd.Series([16, 136, None])), [0, 0.5, np.nan])
    choice = views.ValueScale(Choice("size", [0.1, 0.2, 0.4]))
    np.testing.assert_allclose(
        choice.positions(pd.Series([0.2, 0.1 + 0.1 + 1e-15, 0.3, None])),
        [0.5, 0.5, np.nan, np.nan],
    )
    flag = views.ValueScale(Boolean("bn"))
    np.testing.assert_allclose(flag.positions(pd.Series([True, False, 1])), [0.75, 0.25, np.nan])
    positions, labels = log.ticks()
    assert labels == ["0.0001", "0.001", "0.01"]
    np.testing.assert_allclose(positions, [0, 0.5, 1])


def test_values_of_finds_prefixed_and_missing_columns():
    frame = pd.DataFrame({"score": [0.5], "hp:score": [3], "units": [8]})
    assert views.values_of(frame, "score").tolist() == [3]
    assert views.values_of(frame, "units").tolist() == [8]
    assert views.values_of(frame, "never_active").tolist() == [None]
