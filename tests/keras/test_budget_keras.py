"""max_time on a Keras tuner: the trial running when it is spent stops at its next epoch."""

from __future__ import annotations

import time

import keras
import numpy as np

import tunesmith as kt
from tunesmith import TrialStatus


class SlowEpochs(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        time.sleep(0.1)


def build_model(hp):
    model = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(hp.Int("units", 2, 16)), keras.layers.Dense(1)]
    )
    model.compile(optimizer="adam", loss="mse")
    return model


def test_a_keras_search_ends_when_its_time_is_spent(tmp_path):
    x = np.random.default_rng(0).normal(size=(32, 4)).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    tuner = kt.RandomSearch(
        build_model,
        objective="val_loss",
        max_trials=20,
        seed=0,
        max_time="1.5s",
        directory=tmp_path,
        project_name="p",
    )
    tuner.search(x, y, validation_split=0.25, epochs=200, callbacks=[SlowEpochs()], verbose=0)

    trials = list(tuner.oracle.trials.values())
    assert len(trials) == 1  # 200 epochs of 0.1 s: the first trial outlives the budget
    assert trials[0].status is TrialStatus.STOPPED
    assert 1 <= len(tuner.oracle.curves(trials[0].trial_id)) < 200  # its epochs are kept
    assert tuner.oracle.stop_reason.startswith("max_time=1.5s spent")
    assert len(tuner.get_best_models(1)) == 1  # a stopped trial still has its best weights
