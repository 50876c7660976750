"""enqueue_trial on a Keras tuner: a trusted configuration runs first, checked up front."""

from __future__ import annotations

import keras
import numpy as np
import pytest

import tunesmith as kt
from tunesmith.errors import InvalidArgumentError


def build_model(hp):
    model = keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(hp.Int("units", 4, 32, step=4), activation="relu"),
            keras.layers.Dense(1),
        ]
    )
    model.compile(optimizer=keras.optimizers.Adam(hp.Choice("lr", [1e-2, 1e-3])), loss="mse")
    return model


def test_an_enqueued_configuration_is_the_first_trial(tmp_path):
    x = np.random.default_rng(0).normal(size=(32, 4)).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    tuner = kt.BayesianOptimization(
        build_model,
        objective="val_loss",
        max_trials=3,
        seed=0,
        directory=tmp_path,
        project_name="p",
    )
    with pytest.raises(InvalidArgumentError, match="units=6 is outside"):
        tuner.enqueue_trial({"units": 6})
    tuner.enqueue_trial({"units": 28, "lr": 1e-2})
    tuner.search(x, y, validation_split=0.25, epochs=1, verbose=0)
    trials = sorted(tuner.oracle.trials.values(), key=lambda t: t.number)
    assert trials[0].values == {"units": 28, "lr": 1e-2}
    assert len(trials) == 3
