"""A seeded search repeats: each execution's Keras random state comes from the seed."""

from __future__ import annotations

import numpy as np
import pytest

import tunesmith as kt
from tunesmith.keras._seeding import execution_seed

keras = pytest.importorskip("keras")


def build_model(hp):
    model = keras.Sequential(
        [
            keras.Input(shape=(8,)),
            keras.layers.Dense(hp.Int("units", 4, 16, step=4), activation="relu"),
            keras.layers.Dropout(0.3),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(optimizer="adam", loss="binary_crossentropy")
    return model


def _scores(directory, data, seed):
    x, y, x_val, y_val = data
    tuner = kt.RandomSearch(
        build_model,
        objective="val_loss",
        max_trials=2,
        directory=directory,
        seed=seed,
        overwrite=True,
    )
    tuner.search(
        x, y, epochs=3, batch_size=32, shuffle=True, validation_data=(x_val, y_val), verbose=0
    )
    trials = sorted(tuner.oracle.trials.values(), key=lambda t: t.trial_id)
    return [(t.hyperparameters.values["units"], t.score) for t in trials]


@pytest.mark.keras
def test_the_same_seed_gives_the_same_scores_and_another_seed_others(tmp_path, data):
    first = _scores(tmp_path / "a", data, seed=7)
    again = _scores(tmp_path / "b", data, seed=7)
    other = _scores(tmp_path / "c", data, seed=8)
    assert first == again
    assert first != other


def test_execution_seeds_differ_by_trial_and_execution():
    seeds = {execution_seed(3, trial, execution) for trial in ("0", "1") for execution in (0, 1)}
    assert len(seeds) == 4
    assert all(0 <= s < 2**31 for s in seeds)
    assert isinstance(execution_seed(np.int64(3), "00"), int)
