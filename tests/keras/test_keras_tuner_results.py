"""What HyperModel.fit and Tuner.run_trial return is the trial's result, as in keras-tuner."""

from __future__ import annotations

import numpy as np
import pytest

import tunesmith as kt

keras = pytest.importorskip("keras")


def tiny_model(hp):
    model = keras.Sequential(
        [
            keras.Input((8,)),
            keras.layers.Dense(hp.Int("units", 2, 8, step=2)),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


class ReturnsScore(kt.HyperModel):
    """Trains, then returns a score of its own: the result must be that score."""

    def __init__(self, kind):
        super().__init__()
        self.kind = kind

    def build(self, hp):
        return tiny_model(hp)

    def fit(self, hp, model, x, y, validation_data=None, **kwargs):
        model.fit(x, y, **kwargs)
        units = hp.get("units")
        score = 100.0 + units  # nothing the epochs logged could produce
        if self.kind == "float":
            return score
        if self.kind == "dict":
            return {"custom": score, "other": -1.0}
        if self.kind == "list":
            return [{"custom": score - 1.0}, {"custom": score + 1.0}]
        raise AssertionError(self.kind)


@pytest.mark.parametrize("kind", ["float", "dict", "list"])
def test_a_custom_fit_result_is_the_score_not_the_epochs(tmp_path, data, kind):
    x, y, x_val, y_val = data
    tuner = kt.RandomSearch(
        ReturnsScore(kind),
        objective=kt.Objective("custom", "max"),
        max_trials=3,
        directory=tmp_path,
        seed=0,
    )
    tuner.search(x, y, epochs=2, validation_data=(x_val, y_val), verbose=0)
    trials = list(tuner.oracle.trials.values())
    assert all(t.status.value == "COMPLETED" for t in trials)
    for trial in trials:
        assert trial.score == pytest.approx(100.0 + trial.values["units"])
        assert trial.epochs == 2  # the epochs still count for the budget
    best = tuner.oracle.get_best_trials(1)[0]
    assert best.values["units"] == max(t.values["units"] for t in trials)
    if kind == "dict":
        assert best.metrics["other"] == -1.0


def test_a_returned_history_counts_at_its_best_epoch(tmp_path, data):
    x, y, x_val, y_val = data

    class Run(kt.Tuner):
        def run_trial(self, trial, *args, **kwargs):
            model = tiny_model(trial.hyperparameters)
            kwargs.pop("callbacks", None)
            return model.fit(*args, **kwargs)

    tuner = Run(
        oracle=kt.oracles.RandomSearchOracle(objective="val_loss", max_trials=2, seed=0),
        directory=tmp_path,
    )
    tuner.search(x, y, epochs=3, validation_data=(x_val, y_val), verbose=0)
    for trial in tuner.oracle.trials.values():
        assert trial.status.value == "COMPLETED"
        assert trial.best_step in (0, 1, 2)
        assert trial.score == pytest.approx(trial.metrics["val_loss"])


def test_run_trial_returning_none_is_a_type_error_naming_the_fix(tmp_path):
    class Forgets(kt.Tuner):
        def run_trial(self, trial, *args, **kwargs):
            trial.hyperparameters.Float("x", 0, 1)

    tuner = Forgets(
        oracle=kt.oracles.RandomSearchOracle(objective="loss", max_trials=3), directory=tmp_path
    )
    with pytest.raises(TypeError, match="Did you forget to return"):
        tuner.search()


def test_older_run_trial_reporting_through_update_trial(tmp_path):
    # keras-tuner's older style: report with oracle.update_trial, return nothing.
    class Reports(kt.Tuner):
        def run_trial(self, trial, *args, **kwargs):
            x = trial.hyperparameters.Float("x", -1.0, 1.0)
            for step in range(3):
                self.oracle.update_trial(trial.trial_id, {"loss": x * x + 1.0 / (step + 1)}, step)

    tuner = Reports(
        oracle=kt.oracles.RandomSearchOracle(objective="loss", max_trials=4, seed=3),
        directory=tmp_path,
    )
    tuner.search()
    for trial in tuner.oracle.trials.values():
        assert trial.status.value == "COMPLETED"
        assert trial.best_step == 2
        assert trial.score == pytest.approx(trial.values["x"] ** 2 + 1 / 3)
        assert [o.step for o in trial.metrics.get_history("loss")] == [0, 1, 2]


def test_executions_are_averaged_like_keras_tuner(tmp_path, data):
    x, y, x_val, y_val = data
    tuner = kt.RandomSearch(
        tiny_model,
        objective="val_loss",
        max_trials=1,
        executions_per_trial=2,
        directory=tmp_path,
        seed=0,
    )
    tuner.search(x, y, epochs=2, validation_data=(x_val, y_val), verbose=0)
    trial = tuner.oracle.get_best_trials(1)[0]
    curves = tuner.store.load_curves(trial.trial_id)
    bests = curves.groupby("execution")["val_loss"].min()
    assert len(bests) == 2
    assert trial.score == pytest.approx(float(np.mean(bests)), rel=1e-6)
