"""Hyperparameter importance: a dominant hyperparameter wins, the result is a
distribution, and too few trials are refused."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tunesmith.report import importance as views
from tunesmith.space import Boolean, Choice, Fixed, Float, HyperParameters, Int


def _frame(columns: dict, scores: np.ndarray, status: str = "COMPLETED") -> pd.DataFrame:
    frame = pd.DataFrame(
        {"trial_id": [f"{i:04d}" for i in range(len(scores))], "number": range(len(scores))}
    )
    frame["status"] = status
    frame["score"] = scores
    for name, values in columns.items():
        frame[name] = values
    return frame


def dominated_results(trials: int = 40, seed: int = 0) -> tuple[pd.DataFrame, list]:
    """score = f(x1) + tiny noise; x2..x4 irrelevant."""
    rng = np.random.default_rng(seed)
    columns = {f"x{i}": rng.uniform(0, 1, trials) for i in range(1, 5)}
    scores = np.sin(3 * columns["x1"]) + rng.normal(0, 1e-3, trials)
    return _frame(columns, scores), [Float(f"x{i}", 0.0, 1.0) for i in range(1, 5)]


def test_a_dominant_hyperparameter_takes_most_of_the_importance():
    results, space = dominated_results()
    shares = views.hyperparameter_importance(results, space, "max")
    assert shares.index[0] == "x1"
    assert shares["x1"] > 0.6
    assert shares.sum() == pytest.approx(1.0)
    assert (shares >= 0).all()
    assert list(shares) == sorted(shares, reverse=True)
    assert set(shares.index) == {"x1", "x2", "x3", "x4"}


def test_importance_is_deterministic_for_a_seed():
    results, space = dominated_results()
    first = views.hyperparameter_importance(results, space, "min", seed=5)
    again = views.hyperparameter_importance(results, space, "min", seed=5)
    pd.testing.assert_series_equal(first, again)


def test_log_scaled_float_categorical_conditional_and_fixed():
    rng = np.random.default_rng(1)
    trials = 40
    hp = HyperParameters()
    hp.Float("learning_rate", 1e-5, 1e-1, sampling="log")
    hp.Choice("activation", ["relu", "tanh", "gelu"])
    hp.Boolean("batch_norm")
    with hp.conditional_scope("activation", ["relu"]):
        hp.Int("units", 8, 64)
    hp.Fixed("optimizer", "adam")
    lr = 10 ** rng.uniform(-5, -1, trials)
    activation = rng.choice(["relu", "tanh", "gelu"], trials)
    units = pd.Series(
        [int(rng.integers(8, 65)) if a == "relu" else None for a in activation], dtype=object
    )
    # The score depends on the order of magnitude of the learning rate and on the
    # activation; batch_norm and units do nothing.
    scores = (
        -((np.log10(lr) + 3) ** 2)
        + np.select([activation == "relu", activation == "tanh"], [2.0, 0.0], -2.0)
        + rng.normal(0, 0.01, trials)
    )
    columns = {
        "learning_rate": lr,
        "activation": activation,
        "batch_norm": rng.random(trials) < 0.5,
        "units": units,
        "optimizer": "adam",
    }
    shares = views.hyperparameter_importance(_frame(columns, scores), hp, "max")
    assert set(shares.index[:2]) == {"learning_rate", "activation"}
    assert shares[["learning_rate", "activation"]].sum() > 0.85
    assert shares["optimizer"] == 0.0  # Fixed
    assert shares.sum() == pytest.approx(1.0)


def test_only_finished_trials_count_and_a_constant_one_gets_zero():
    results, space = dominated_results()
    results.loc[:5, "status"] = "FAILED"
    results.loc[:5, "x1"] = np.nan
    results["x4"] = 0.5  # never varied
    shares = views.hyperparameter_importance(results, space, "max")
    assert shares["x4"] == 0.0 and shares.index[0] == "x1"


def test_too_few_trials_are_refused():
    results, space = dominated_results(trials=6)
    results.loc[3:, "status"] = "FAILED"
    with pytest.raises(ValueError, match=r"at least 4 finished trials.*there are 3"):
        views.hyperparameter_importance(results, space, "max")


def test_constant_scores_and_bad_arguments_are_refused():
    results, space = dominated_results(trials=10)
    results["score"] = 1.0
    with pytest.raises(ValueError, match="same score"):
        views.hyperparameter_importance(results, space, "max")
    with pytest.raises(ValueError, match="direction"):
        views.hyperparameter_importance(results, space, "best")
    with pytest.raises(ValueError, match="search space is empty"):
        views.hyperparameter_importance(dominated_results()[0], [], "max")
    with pytest.raises(TypeError, match="HyperParameters or a list"):
        views.hyperparameter_importance(results, "x1", "max")


def test_importance_plot_bars_largest_on_top_with_values():
    shares = pd.Series({"units": 0.15, "learning_rate": 0.7, "dropout": 0.1, "bn": 0.05})
    fig = views.importance_plot(shares, title="Importance for val_accuracy")
    (ax,) = fig.axes
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "learning_rate",
        "units",
        "dropout",
        "bn",
    ]
    widths = [bar.get_width() for bar in ax.patches]
    assert widths == [0.7, 0.15, 0.1, 0.05]
    assert ax.yaxis_inverted()  # the first bar at the top
    assert [t.get_text().strip() for t in ax.texts] == ["70.0%", "15.0%", "10.0%", "5.0%"]
    assert ax.get_title() == "Importance for val_accuracy"
    assert "permutation importance" in ax.get_xlabel()


def test_importance_plot_bad_input():
    with pytest.raises(ValueError, match="empty"):
        views.importance_plot(pd.Series(dtype=float))
    with pytest.raises(TypeError, match="pandas Series"):
        views.importance_plot({"a": 1.0})
    with pytest.raises(ValueError, match="not numbers"):
        views.importance_plot(pd.Series({"a": "x"}))


def test_importance_feeds_the_plot():
    results, space = dominated_results(trials=12)
    fig = views.importance_plot(views.hyperparameter_importance(results, space, "max"))
    assert fig.axes[0].get_yticklabels()[0].get_text() == "x1"


def test_a_boolean_can_dominate_int_and_ordered_choice():
    rng = np.random.default_rng(4)
    trials = 30
    space = [Int("layers", 1, 4), Choice("width", [0.5, 1.0, 2.0]), Boolean("skip"), Fixed("f", 1)]
    columns = {
        "layers": rng.integers(1, 5, trials),
        "width": rng.choice([0.5, 1.0, 2.0], trials),
        "skip": rng.random(trials) < 0.5,
        "f": 1,
    }
    scores = 3.0 * columns["skip"] + rng.normal(0, 0.01, trials)
    shares = views.hyperparameter_importance(_frame(columns, scores), space, "min")
    assert shares.index[0] == "skip" and shares["skip"] > 0.8
    assert shares["f"] == 0.0
