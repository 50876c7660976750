"""Pruning through the Keras tuners: stopped trials, their partial curves, the guards."""

from __future__ import annotations

import pytest

import tunesmith as kt
from tunesmith import TrialStatus
from tunesmith.pruners import MedianPruner, SuccessiveHalvingPruner

keras = pytest.importorskip("keras")

EPOCHS = 6


def build_model(hp):
    """A learning rate of 1e-7 leaves the loss where it started: a trial worth pruning."""
    model = keras.Sequential(
        [
            keras.Input(shape=(8,)),
            keras.layers.Dense(hp.Int("units", 4, 16, step=4), activation="relu"),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(hp.Choice("lr", [3e-2, 1e-7])),
        loss="binary_crossentropy",
        metrics=["accuracy"],
    )
    return model


def search(tuner, data, **extra):
    x, y, xv, yv = data
    kwargs = dict(validation_data=(xv, yv), epochs=EPOCHS, batch_size=32, verbose=0)
    kwargs.update(extra)
    tuner.search(x, y, **kwargs)


@pytest.fixture(autouse=True)
def _seeded():
    keras.utils.set_random_seed(0)


def test_pruned_trials_are_stopped_with_their_partial_curve(tmp_path, data, capsys):
    tuner = kt.RandomSearch(
        build_model,
        objective="val_loss",
        max_trials=6,
        seed=2,
        pruner=MedianPruner(n_startup_trials=1, n_warmup_steps=2),
        directory=tmp_path,
        project_name="p",
    )
    search(tuner, data, verbose=1)
    out = capsys.readouterr().out
    trials = list(tuner.oracle.trials.values())
    stopped = [t for t in trials if t.status is TrialStatus.STOPPED]
    assert stopped, "the median rule stopped nothing"
    assert any(t.status is TrialStatus.COMPLETED for t in trials)
    for trial in stopped:
        curve = tuner.store.load_curves(trial.trial_id)
        # Stopped after its warm-up, before the last epoch; every epoch it ran is stored.
        assert 3 <= trial.epochs < EPOCHS
        assert list(curve["step"]) == list(range(trial.epochs))
        assert trial.score == pytest.approx(curve["val_loss"].min())
        assert f"pruned at epoch {trial.epochs}" in out  # the last it ran, counted from 1
    assert "stopped early" in out

    # Stopped trials are ranked by the score they reached, with their weights.
    frame = tuner.results_frame()
    assert set(frame["status"]) == {"COMPLETED", "STOPPED"}
    models = tuner.get_best_models(len(trials))
    assert len(models) == len(trials)
    tuner.results_summary()
    assert "Status: STOPPED" in capsys.readouterr().out


def test_the_only_running_trial_is_never_stopped(tmp_path, data):
    # The most aggressive settings: any step, from the first trial on.
    for pruner in (
        SuccessiveHalvingPruner(min_resource=1, reduction_factor=3),
        MedianPruner(n_startup_trials=0, n_warmup_steps=0),
    ):
        tuner = kt.RandomSearch(
            build_model,
            objective="val_loss",
            max_trials=1,
            seed=0,
            pruner=pruner,
            directory=tmp_path,
            project_name=type(pruner).__name__,
        )
        search(tuner, data)
        (trial,) = tuner.oracle.trials.values()
        assert trial.status is TrialStatus.COMPLETED and trial.epochs == EPOCHS


def test_no_trial_is_stopped_before_the_minimum_epochs(tmp_path, data):
    tuner = kt.BayesianOptimization(
        build_model,
        objective="val_loss",
        max_trials=5,
        num_initial_points=3,
        seed=1,
        pruner=MedianPruner(n_startup_trials=1, n_warmup_steps=3),
        directory=tmp_path,
        project_name="bo",
    )
    search(tuner, data)
    trials = list(tuner.oracle.trials.values())
    assert len(trials) == 5
    assert all(t.status in (TrialStatus.COMPLETED, TrialStatus.STOPPED) for t in trials)
    assert all(t.epochs >= 4 for t in trials)  # steps 0-3 are the warm-up
    assert tuner.oracle.pruner.get_config()["n_warmup_steps"] == 3
