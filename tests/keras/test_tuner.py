"""The Keras tuners on a tiny real model."""

from __future__ import annotations

import numpy as np
import pytest

import tunesmith as kt
from tunesmith import TrialStatus
from tunesmith.errors import MissingObjectiveError, StudyMismatchError

keras = pytest.importorskip("keras")


def fit_kwargs(data, **extra):
    x, y, xv, yv = data
    kwargs = dict(validation_data=(xv, yv), epochs=4, batch_size=32, verbose=0)
    kwargs.update(extra)
    return (x, y), kwargs


def test_random_search_end_to_end(tmp_path, data, hypermodel, capsys):
    tuner = kt.RandomSearch(
        hypermodel,
        objective="val_accuracy",
        max_trials=3,
        seed=1,
        directory=tmp_path,
        project_name="p",
    )
    args, kwargs = fit_kwargs(data)
    tuner.search(*args, **kwargs)

    trials = tuner.oracle.get_best_trials(3)
    assert len(trials) == 3 and all(t.status is TrialStatus.COMPLETED for t in trials)
    assert trials[0].score >= trials[-1].score

    best_model = tuner.get_best_models(1)[0]
    _, _, xv, yv = data
    _, accuracy = best_model.evaluate(xv, yv, verbose=0)
    # The saved weights are those of the best epoch, whose val_accuracy is the score.
    assert accuracy == pytest.approx(trials[0].score, abs=1e-6)

    best_hp = tuner.get_best_hyperparameters(1)[0]
    assert best_hp.values == trials[0].values

    tuner.results_summary()
    out = capsys.readouterr().out
    assert 'Objective(name="val_accuracy", direction="max")' in out  # keras-tuner's wording
    assert f"Trial {trials[0].trial_id} summary" in out and "Best step:" in out

    frame = tuner.results_frame()
    assert len(frame) == 3
    assert {"units", "lr", "score", "status", "best_step", "epochs", "seconds"} <= set(frame)
    curves = tuner.store.load_curves(trials[0].trial_id)
    assert len(curves) == trials[0].epochs and "val_accuracy" in curves


def test_callbacks_are_fresh_per_trial_and_executions_are_averaged(tmp_path, data, hypermodel):
    stopper = keras.callbacks.EarlyStopping("val_loss", patience=1)
    tuner = kt.RandomSearch(
        hypermodel,
        objective="val_loss",
        max_trials=2,
        seed=0,
        executions_per_trial=2,
        directory=tmp_path,
        project_name="p",
    )
    args, kwargs = fit_kwargs(data, epochs=3, callbacks=[stopper])
    tuner.search(*args, **kwargs)
    assert stopper.model is None  # the user's own instance was never used
    for trial in tuner.oracle.trials.values():
        assert trial.executions == 2
        curves = tuner.store.load_curves(trial.trial_id)
        assert set(curves["execution"]) == {0, 1}
        bests = curves.groupby("execution")["val_loss"].min()
        assert trial.score == pytest.approx(bests.mean())


def test_hypermodel_fit_can_tune_batch_size(tmp_path, data):
    seen = []

    class Tunable(kt.HyperModel):
        def build(self, hp):
            from tests.keras.conftest import build_model

            return build_model(hp)

        def fit(self, hp, model, *args, **kwargs):
            batch_size = hp.Choice("batch_size", [16, 64])
            seen.append(batch_size)
            return model.fit(*args, batch_size=batch_size, **kwargs)

    tuner = kt.RandomSearch(
        Tunable(), objective="val_loss", max_trials=3, seed=0, directory=tmp_path, project_name="p"
    )
    x, y, xv, yv = data
    tuner.search(x, y, validation_data=(xv, yv), epochs=2, verbose=0)
    assert "batch_size" in tuner.oracle.get_space()
    assert [
        t.values["batch_size"] for t in sorted(tuner.oracle.trials.values(), key=lambda t: t.number)
    ] == seen


def test_a_build_error_fails_the_trial_and_the_search_goes_on(tmp_path, data):
    def flaky_build(hp):
        from tests.keras.conftest import build_model

        if hp.Int("units", 4, 16, step=4) == 8:
            raise ValueError("no model with 8 units")
        return build_model(hp)

    tuner = kt.GridSearch(
        flaky_build,
        objective="val_loss",
        directory=tmp_path,
        project_name="p",
        max_consecutive_failed_trials=5,
    )
    args, kwargs = fit_kwargs(data, epochs=1)
    tuner.search(*args, **kwargs)
    statuses = {
        t.values["units"]: t for t in tuner.oracle.trials.values() if t.values["lr"] == 1e-2
    }
    assert statuses[8].status is TrialStatus.FAILED
    assert "no model with 8 units" in statuses[8].error and "Traceback" in statuses[8].error
    assert statuses[4].status is TrialStatus.COMPLETED and len(tuner.oracle.trials) == 8


def test_objective_not_logged_names_the_logged_metrics(tmp_path, data, hypermodel):
    tuner = kt.RandomSearch(
        hypermodel,
        objective="val_auc",
        max_trials=2,
        directory=tmp_path,
        project_name="p",
        max_consecutive_failed_trials=2,
    )
    x, y, xv, yv = data
    with pytest.raises(
        MissingObjectiveError,
        match="accuracy, loss, model/bytes, model/params, val_accuracy, val_loss",
    ):
        tuner.search(x, y, epochs=1, validation_data=(xv, yv), verbose=0)  # no AUC metric
    # The same in every trial: stopped at the first, not retried.
    assert [t.status for t in tuner.oracle.trials.values()] == [TrialStatus.FAILED]


def test_nan_loss_makes_the_trial_invalid_and_stops_its_fit(tmp_path, data):
    def exploding(hp):
        model = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(1)])
        model.compile(optimizer=keras.optimizers.SGD(hp.Choice("lr", [1e30])), loss="mse")
        return model

    x, y, xv, yv = data
    big = (x * 1e20).astype("float32")
    tuner = kt.RandomSearch(
        exploding, objective="val_loss", max_trials=1, directory=tmp_path, project_name="p"
    )
    tuner.search(big, y, validation_data=(xv * 1e20, yv), epochs=20, verbose=0)
    trial = next(iter(tuner.oracle.trials.values()))
    assert trial.status is TrialStatus.INVALID
    assert trial.epochs < 20
    assert tuner.oracle.get_best_trials(1) == []


def test_custom_run_trial_returning_a_dict(tmp_path):
    class MyTuner(kt.RandomSearch):
        def run_trial(self, trial, *args, **kwargs):
            x = trial.hyperparameters.Float("x", -1.0, 1.0)
            return {"loss": x * x}

    tuner = MyTuner(objective="loss", max_trials=5, seed=0, directory=tmp_path, project_name="p")
    tuner.search()
    assert tuner.oracle.get_best_trials(1)[0].score <= 1.0
    assert len(tuner.oracle.trials) == 5


def test_resume_does_nothing_more_when_done_and_overwrite_starts_afresh(tmp_path, data, hypermodel):
    args, kwargs = fit_kwargs(data, epochs=1)
    first = kt.RandomSearch(
        hypermodel, objective="val_loss", max_trials=2, seed=0, directory=tmp_path, project_name="p"
    )
    first.search(*args, **kwargs)
    ended = {t.trial_id: t.ended_at for t in first.oracle.trials.values()}

    again = kt.RandomSearch(
        hypermodel, objective="val_loss", max_trials=2, seed=0, directory=tmp_path, project_name="p"
    )
    again.search(*args, **kwargs)
    assert {t.trial_id: t.ended_at for t in again.oracle.trials.values()} == ended
    assert len(again.get_best_models(2)) == 2

    fresh = kt.RandomSearch(
        hypermodel,
        objective="val_loss",
        max_trials=1,
        seed=0,
        directory=tmp_path,
        project_name="p",
        overwrite=True,
    )
    assert fresh.oracle.trials == {}


def test_a_changed_hypermodel_is_refused_on_resume(tmp_path, data, hypermodel):
    args, kwargs = fit_kwargs(data, epochs=1)
    kt.RandomSearch(
        hypermodel, objective="val_loss", max_trials=1, directory=tmp_path, project_name="p"
    ).search(*args, **kwargs)

    def changed(hp):
        model = keras.Sequential(
            [
                keras.Input(shape=(8,)),
                keras.layers.Dense(hp.Int("units", 4, 64, step=4), activation="relu"),
                keras.layers.Dense(1, activation="sigmoid"),
            ]
        )
        model.compile(optimizer="adam", loss="binary_crossentropy")
        return model

    with pytest.raises(StudyMismatchError, match="hypermodel changed"):
        kt.RandomSearch(
            changed, objective="val_loss", max_trials=2, directory=tmp_path, project_name="p"
        )


def test_keras_tuner_names_exist():
    assert kt.tuners.RandomSearch is kt.RandomSearch
    assert kt.oracles.RandomSearchOracle and kt.oracles.GridSearchOracle
    assert kt.engine.hyperparameters.HyperParameters is kt.HyperParameters
    assert kt.errors.FailedTrialError and kt.errors.FatalError
    assert np.isscalar(1)
