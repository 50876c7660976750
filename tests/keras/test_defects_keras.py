"""Defects of the Keras tuners, each pinned by a test that failed before its fix."""

from __future__ import annotations

import math

import keras
import numpy as np

import tunesmith as kt
from tunesmith.trial import TrialStatus


class LossBecomesNan(keras.callbacks.Callback):
    """Training diverges at the second epoch (as a NaN loss does)."""

    def on_epoch_end(self, epoch, logs=None):
        if epoch == 1:
            logs["loss"] = float("nan")


def test_a_diverged_fit_is_invalid_whatever_the_objective(tmp_path, data, hypermodel):
    x, y, x_val, y_val = data
    tuner = kt.RandomSearch(
        hypermodel,
        objective="val_accuracy",
        max_trials=1,
        directory=tmp_path,
        project_name="p",
        verbose=0,
        seed=0,
    )
    tuner.search(x, y, epochs=4, validation_data=(x_val, y_val), callbacks=[LossBecomesNan()])
    (trial,) = tuner.oracle.trials.values()
    assert trial.status is TrialStatus.INVALID
    assert "diverged" in trial.error and "loss was nan at epoch 2" in trial.error
    assert trial.epochs == 2  # the fit stopped at the divergence
    assert tuner.oracle.get_best_trials(1) == []


class OwnTraining(kt.Tuner):
    """keras.io's custom-tuner guide: run_trial takes the dataset, and nothing else."""

    def run_trial(self, trial, train_ds):
        scale = trial.hyperparameters.Float("scale", 0.1, 1.0)
        return float(np.mean(train_ds) * scale)


def test_run_trial_gets_exactly_what_search_was_given(tmp_path):
    tuner = OwnTraining(
        oracle=kt.oracles.RandomSearchOracle(objective="loss", max_trials=2, seed=0),
        directory=tmp_path,
        project_name="p",
        verbose=0,
    )
    tuner.search(np.ones(4))
    scores = [t.score for t in tuner.oracle.trials.values()]
    assert len(scores) == 2 and all(math.isfinite(s) for s in scores)


def test_verbose_given_to_search_reaches_run_trial_as_given(tmp_path):
    seen = []

    class Recording(kt.Tuner):
        def run_trial(self, trial, *args, **kwargs):
            seen.append(kwargs)
            return trial.hyperparameters.Float("x", 0.0, 1.0)

    tuner = Recording(
        oracle=kt.oracles.RandomSearchOracle(objective="loss", max_trials=1, seed=0),
        directory=tmp_path,
        project_name="p",
    )
    tuner.search(verbose=0, epochs=3)
    assert seen == [{"verbose": 0, "epochs": 3}]
