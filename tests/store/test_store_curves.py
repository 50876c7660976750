"""Per-step metrics: append, replace, clear, and the wide curves frame."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from store_helpers import make_trial

from tunesmith.errors import StoreError
from tunesmith.store import Store


@pytest.fixture
def two_trials(store: Store) -> Store:
    store.save_trial(make_trial(0))
    store.save_trial(make_trial(1))
    return store


def test_curves_of_an_empty_store(store: Store) -> None:
    frame = store.load_curves()
    assert list(frame.columns) == ["trial_id", "execution", "step"]
    assert len(frame) == 0
    assert frame["execution"].dtype == "int64" and frame["step"].dtype == "int64"
    store.save_trial(make_trial(0))
    assert list(store.load_curves("0000").columns) == ["trial_id", "execution", "step"]


def test_append_and_load_one_trial(two_trials: Store) -> None:
    store = two_trials
    for step in range(3):
        store.append_metrics("0000", 0, step, {"val_loss": 1.0 / (step + 1), "loss": step})
    frame = store.load_curves("0000")
    # Metric columns come in the order first logged, not alphabetically.
    assert list(frame.columns) == ["trial_id", "execution", "step", "val_loss", "loss"]
    assert frame["trial_id"].tolist() == ["0000"] * 3
    assert frame["step"].tolist() == [0, 1, 2]
    assert frame["loss"].tolist() == [0.0, 1.0, 2.0]
    assert frame["val_loss"].tolist() == [1.0, 0.5, 1.0 / 3]
    assert frame["execution"].dtype == "int64" and frame["step"].dtype == "int64"
    assert frame["loss"].dtype == "float64"
    assert pd.api.types.is_string_dtype(frame["trial_id"])


def test_the_same_step_is_replaced_as_a_whole(two_trials: Store) -> None:
    store = two_trials
    store.append_metrics("0000", 0, 0, {"loss": 1.0, "acc": 0.1})
    store.append_metrics("0000", 0, 0, {"loss": 0.5})
    frame = store.load_curves("0000")
    assert len(frame) == 1
    assert frame.loc[0, "loss"] == 0.5
    assert "acc" not in frame.columns  # replaced, not merged


def test_executions_are_kept_apart(two_trials: Store) -> None:
    store = two_trials
    store.append_metrics("0000", 1, 0, {"loss": 2.0})
    store.append_metrics("0000", 0, 0, {"loss": 1.0})
    store.append_metrics("0000", 0, 1, {"loss": 0.5})
    frame = store.load_curves("0000")
    assert list(zip(frame["execution"], frame["step"], frame["loss"], strict=True)) == [
        (0, 0, 1.0),
        (0, 1, 0.5),
        (1, 0, 2.0),
    ]


def test_all_curves_in_trial_number_order(store: Store) -> None:
    # Ids that sort differently as text than the trials do by number.
    store.save_trial(make_trial(10, trial_id="10"))
    store.save_trial(make_trial(9, trial_id="9"))
    store.append_metrics("10", 0, 0, {"loss": 10.0})
    store.append_metrics("9", 0, 0, {"loss": 9.0, "acc": 0.9})
    frame = store.load_curves()
    assert frame["trial_id"].tolist() == ["9", "10"]
    assert list(frame.columns) == ["trial_id", "execution", "step", "loss", "acc"]
    assert frame["loss"].tolist() == [9.0, 10.0]
    assert frame["acc"].iloc[0] == 0.9 and math.isnan(frame["acc"].iloc[1])


def test_non_finite_metrics_round_trip(two_trials: Store) -> None:
    store = two_trials
    store.append_metrics(
        "0000", 0, 0, {"a": math.nan, "b": math.inf, "c": -math.inf, "d": np.float32(1.5)}
    )
    row = store.load_curves("0000").iloc[0]
    assert math.isnan(row["a"]) and row["b"] == math.inf and row["c"] == -math.inf
    assert row["d"] == 1.5


def test_clear_metrics_forgets_one_trial(two_trials: Store) -> None:
    store = two_trials
    store.append_metrics("0000", 0, 0, {"loss": 1.0})
    store.append_metrics("0001", 0, 0, {"loss": 2.0})
    store.clear_metrics("0000")
    assert len(store.load_curves("0000")) == 0
    assert store.load_curves()["trial_id"].tolist() == ["0001"]
    store.clear_metrics("unknown")  # nothing to forget is not an error


def test_metrics_of_an_unknown_trial_are_refused(store: Store) -> None:
    with pytest.raises(StoreError, match=r"No trial 'ghost'.*save_trial\(\)"):
        store.append_metrics("ghost", 0, 0, {"loss": 1.0})
    assert len(store.load_curves()) == 0


@pytest.mark.parametrize("bad", [{"loss": "0.5"}, {"loss": None}, {1: 0.5}, {"loss": object()}])
def test_non_numeric_metrics_are_refused_whole(two_trials: Store, bad: dict) -> None:
    store = two_trials
    store.append_metrics("0000", 0, 0, {"loss": 1.0})
    with pytest.raises(TypeError):
        store.append_metrics("0000", 0, 0, {"acc": 0.3, **bad})
    assert store.load_curves("0000")["loss"].tolist() == [1.0]  # the step was kept as it was


def test_steps_must_be_integers(two_trials: Store) -> None:
    with pytest.raises(TypeError):
        two_trials.append_metrics("0000", 0, 1.5, {"loss": 1.0})
    two_trials.append_metrics("0000", np.int64(0), np.int32(3), {"loss": 1.0})
    assert two_trials.load_curves("0000")["step"].tolist() == [3]


def test_metrics_named_like_an_index_column_are_prefixed(two_trials: Store) -> None:
    two_trials.append_metrics("0000", 0, 4, {"step": 40.0, "loss": 1.0, "trial_id": 7.0})
    frame = two_trials.load_curves()
    assert list(frame.columns) == [
        "trial_id",
        "execution",
        "step",
        "metric:step",
        "loss",
        "metric:trial_id",
    ]
    assert frame.iloc[0].tolist() == ["0000", 0, 4, 40.0, 1.0, 7.0]
