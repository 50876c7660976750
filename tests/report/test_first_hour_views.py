"""What a newcomer misread in the views: hidden curves, upside-down or fractional
axes, boxes of two points, over-precise importance, epochs counted from 0, ties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("matplotlib")
pytest.importorskip("sklearn")

from tunesmith.objective import Objective
from tunesmith.oracles import RandomSearchOracle
from tunesmith.report import curves as curve_views
from tunesmith.report import importance, search_views, write_report
from tunesmith.space import Choice, HyperParameters, Int
from tunesmith.store import Store


def curves_of(values: dict[str, list[float]], metric: str = "val_accuracy") -> pd.DataFrame:
    rows = [
        {"trial_id": trial, "execution": 0, "step": step, metric: value}
        for trial, points in values.items()
        for step, value in enumerate(points)
    ]
    return pd.DataFrame(rows)


def test_a_bounded_metric_is_never_clipped_so_the_best_curve_shows_whole():
    # The best trial sits at 0.63 for 13 epochs, then jumps to 0.99; the rest hover
    # around 0.9 - the jump is the story, not an outlier.
    best = [0.63] * 13 + [0.99]
    others = {f"t{i}": list(0.9 + 0.005 * np.sin(np.arange(14) + i)) for i in range(6)}
    fig = curve_views.learning_curves(curves_of({"best": best, **others}), smoothing=0.0)
    low, high = fig.axes[0].get_ylim()
    assert low <= 0.63 and high >= 0.99
    assert not any("clipped" in t.get_text() for t in fig.axes[0].texts)


def test_an_unbounded_metric_is_clipped_visibly_but_never_the_first_trial():
    runaway = {f"t{i}": [1.0, 0.8, 0.7, 0.6] for i in range(6)}
    runaway["t5"] = [1.0, 50.0, 900.0, 1e6]  # a diverged trial
    first = {"best": [1.0, 0.5, 0.4, 12.0]}  # the best trial's own spike stays in view
    fig = curve_views.learning_curves(curves_of({**first, **runaway}, "loss"), smoothing=0.0)
    high = fig.axes[0].get_ylim()[1]
    assert 12.0 <= high < 1e6
    assert any("clipped" in t.get_text() for t in fig.axes[0].texts)


def test_epochs_count_from_one_on_the_axis_and_at_the_best_marker():
    curves = curves_of({"7": [0.5, 0.7, 0.6]})
    fig = curve_views.best_trial_curves(curves, "7", best_step=1, smoothing=0.0)
    ax = fig.axes[0]
    xs = np.concatenate([line.get_xdata() for line in ax.lines if len(line.get_xdata()) == 3])
    assert xs.min() == 1 and xs.max() == 3
    marker = [line for line in ax.lines if line.get_label().startswith("best epoch")]
    assert marker and marker[0].get_label() == "best epoch (2)"
    assert list(marker[0].get_xdata()) == [2, 2]
    assert all(float(t).is_integer() for t in ax.get_xticks())


def test_a_numeric_choice_runs_from_small_to_large():
    scale = search_views.ValueScale(Choice("lr", [0.01, 0.001, 0.0001]))
    assert scale.categories == [0.0001, 0.001, 0.01]
    assert scale.positions(pd.Series([0.0001, 0.01])).tolist() == [1 / 6, 5 / 6]
    words = search_views.ValueScale(Choice("act", ["tanh", "relu"]))
    assert words.categories == ["tanh", "relu"]  # names keep the space's order


def test_integer_axes_get_integer_ticks_and_boxes_need_five_points():
    results = pd.DataFrame(
        {
            "trial_id": [f"{i:02d}" for i in range(8)],
            "number": range(8),
            "status": "COMPLETED",
            "score": [0.1, 0.3, 0.2, 0.5, 0.4, 0.6, 0.35, 0.45],
            "layers": [1, 2, 3, 1, 2, 3, 2, 2],
            "act": ["relu"] * 6 + ["tanh"] * 2,
        }
    )
    hps = [Int("layers", 1, 3), Choice("act", ["relu", "tanh"])]
    fig = search_views.hyperparameter_scores(results, hps, "min")
    layers_ax, act_ax = fig.axes[:2]
    assert all(float(t).is_integer() for t in layers_ax.get_xticks())
    medians = [line for line in act_ax.lines if len(line.get_xdata()) == 2]
    # One box (relu, 6 points) with its whiskers, caps and median; tanh's 2 points get none.
    assert {round(float(np.mean(m.get_xdata()))) for m in medians} == {0}


def test_importance_from_few_trials_is_rounded_and_says_so():
    shares = pd.Series({"lr": 0.704, "units": 0.296})
    shares.attrs["trials"] = 5
    fig = importance.importance_plot(shares)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert " ~70%" in texts and any("from only 5 trials" in t for t in texts)
    shares.attrs["trials"] = 40
    texts = [t.get_text() for t in importance.importance_plot(shares).axes[0].texts]
    assert " 70.4%" in texts and not any("only" in t for t in texts)


def test_a_tie_on_the_score_goes_to_the_lower_validation_loss_and_the_report_says_so(tmp_path):
    hp = HyperParameters()
    hp.Int("units", 1, 100)
    oracle = RandomSearchOracle(
        objective=Objective("val_accuracy", "max"), max_trials=3, hyperparameters=hp, seed=0
    )
    store = Store.open(tmp_path / "tie")
    oracle.attach_store(store)
    val_losses = [0.30, 0.05, 0.50]
    for val_loss in val_losses:
        trial = oracle.ask()
        oracle.report(trial, 0, {"val_accuracy": 0.9912, "val_loss": val_loss})
        oracle.tell(trial, {"val_accuracy": 0.9912, "val_loss": val_loss}, best_step=0)
    best = oracle.get_best_trials(3)
    assert [t.metrics["val_loss"] for t in best] == [0.05, 0.30, 0.50]
    text = write_report(store, tmp_path / "r.html", write_pngs=False).read_text("utf-8")
    store.close()
    assert f"Best trial {best[0].trial_id}" in text
    assert "Tied on the score with trial(s)" in text and "lower val_loss: 0.05" in text
