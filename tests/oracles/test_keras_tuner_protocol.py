"""keras-tuner's Oracle protocol: custom oracles, create/update/end_trial, statuses."""

from __future__ import annotations

import pytest

import tunesmith as kt
from tunesmith.trial import Trial, TrialStatus


def space():
    hp = kt.HyperParameters()
    hp.Float("x", -1.0, 1.0)
    return hp


class Sweep(kt.Oracle):
    """A custom oracle as keras-tuner users write them: populate_space only."""

    def populate_space(self, trial_id):
        if len(self.trials) >= 4:
            return {"status": "STOPPED", "values": None}
        return {"status": "RUNNING", "values": {"x": -1.0 + 0.5 * len(self.trials)}}


def test_a_populate_space_oracle_drives_a_tuner(tmp_path):
    class Quadratic(kt.engine.base_tuner.BaseTuner):
        def run_trial(self, trial):
            return (trial.hyperparameters.get("x") - 0.5) ** 2

    oracle = Sweep(objective=kt.Objective("score", "min"), hyperparameters=space())
    tuner = Quadratic(oracle, directory=tmp_path)
    tuner.search()
    xs = [t.values["x"] for t in oracle.trials.values()]
    assert xs == [-1.0, -0.5, 0.0, 0.5]
    best = oracle.get_best_trials(1)[0]
    assert best.values["x"] == 0.5 and best.score == 0.0
    assert "populate_space returned STOPPED" in oracle.stop_reason


def test_idle_then_running_and_super_populate_space(tmp_path):
    class Adjusted(kt.oracles.RandomSearchOracle):
        def populate_space(self, trial_id):
            response = super().populate_space(trial_id)
            if response["status"] == "RUNNING":
                response["values"]["x"] = round(response["values"]["x"], 1)
            return response

    oracle = Adjusted(objective="loss", max_trials=3, hyperparameters=space(), seed=2)
    oracle._set_project_dir(tmp_path, "p")
    for _ in range(3):
        trial = oracle.create_trial("t")
        assert trial.status is TrialStatus.RUNNING
        assert trial.values["x"] == round(trial.values["x"], 1)
        oracle.update_trial(trial.trial_id, {"loss": trial.values["x"] ** 2})
        trial.status = "COMPLETED"
        oracle.end_trial(trial)
    assert oracle.create_trial("t").status == "STOPPED"
    assert oracle.ongoing_trials == {}


def test_create_trial_returns_the_ongoing_trial_of_a_tuner_id():
    oracle = kt.oracles.RandomSearchOracle(
        objective="loss", max_trials=5, hyperparameters=space(), seed=0
    )
    first = oracle.create_trial("a")
    assert oracle.create_trial("a") is first
    assert oracle.create_trial("b") is not first
    assert set(oracle.ongoing_trials) == {"a", "b"}


def test_end_trial_statuses_invalid_retries_failed_does_not():
    oracle = kt.oracles.RandomSearchOracle(
        objective="loss",
        max_trials=5,
        hyperparameters=space(),
        seed=0,
        max_retries_per_trial=1,
        max_consecutive_failed_trials=5,
    )
    trial = oracle.create_trial("t")
    trial.status, trial.message = "INVALID", "crashed"
    oracle.end_trial(trial)
    again = oracle.create_trial("t")
    assert again.trial_id == trial.trial_id  # retried
    again.status, again.message = "INVALID", "crashed again"
    oracle.end_trial(again)
    assert oracle.get_trial(trial.trial_id).status is TrialStatus.FAILED  # retries used up
    other = oracle.create_trial("t")
    assert other.trial_id != trial.trial_id
    other.status, other.message = "FAILED", "no retry"
    oracle.end_trial(other)
    assert other.status is TrialStatus.FAILED and other.attempts == 1
    assert "no retry" in other.message


def test_older_end_trial_signature_and_score_trial_override():
    class ByLastValue(kt.oracles.RandomSearchOracle):
        def score_trial(self, trial):
            trial.score = trial.metrics.get_last_value("loss")
            trial.best_step = 9

    oracle = ByLastValue(objective="loss", max_trials=2, hyperparameters=space(), seed=0)
    trial = oracle.create_trial("t")
    oracle.update_trial(trial.trial_id, {"loss": 1.0}, step=0)
    oracle.update_trial(trial.trial_id, {"loss": 3.0}, step=1)
    oracle.end_trial(trial.trial_id, "COMPLETED")
    assert trial.score == 3.0 and trial.best_step == 9


def test_completed_without_the_objective_fails_with_the_fix():
    oracle = kt.oracles.RandomSearchOracle(objective="loss", max_trials=2, hyperparameters=space())
    trial = oracle.create_trial("t")
    trial.status = "COMPLETED"
    oracle.end_trial(trial)
    assert trial.status is TrialStatus.FAILED
    assert "update_trial" in trial.message


def test_trial_is_constructible_as_in_keras_tuner(capsys):
    hp = space()
    trial = Trial(hp, trial_id="3", status="COMPLETED")
    trial.score = 0.5
    assert trial.status == "COMPLETED" and trial.status is TrialStatus.COMPLETED
    trial.summary()
    out = capsys.readouterr().out
    assert "Trial 3 summary" in out and "x: -1.0" in out and "Score: 0.5" in out
    assert Trial(hp).trial_id != Trial(hp).trial_id  # generated ids are unique
    assert TrialStatus.IDLE == "IDLE"


def test_synchronized_and_the_top_level_oracle_name():
    assert kt.Oracle is kt.oracles.Oracle
    assert kt.engine.oracle.synchronized is kt.oracles.synchronized

    class Locked(kt.oracles.RandomSearchOracle):
        @kt.engine.oracle.synchronized
        def create_trial(self, tuner_id):
            return super().create_trial(tuner_id)

    oracle = Locked(objective="loss", max_trials=1, hyperparameters=space())
    assert oracle.create_trial("t").status is TrialStatus.RUNNING


@pytest.mark.parametrize(
    "name",
    ["FailedTrialError", "FatalError", "FatalValueError", "FatalTypeError", "FatalRuntimeError"],
)
def test_keras_tuners_error_classes(name):
    cls = getattr(kt.errors, name)
    assert issubclass(cls, Exception)
    if name.startswith("Fatal") and name != "FatalError":
        builtin = {"Value": ValueError, "Type": TypeError, "Runtime": RuntimeError}
        assert issubclass(cls, builtin[name[5:-5]])


def test_a_list_of_objectives_is_pruned_on_its_combined_value():
    oracle = kt.oracles.RandomSearchOracle(
        objective=["val_loss", kt.Objective("val_auc", "max")],
        max_trials=4,
        hyperparameters=space(),
        seed=0,
        pruner=kt.pruners.MedianPruner(n_startup_trials=2),
    )
    goes_on = []
    for number in range(3):
        trial = oracle.ask()
        bad = number == 2  # the combined value val_loss - val_auc is worst here
        for step in range(3):
            logs = {"val_loss": 2.0 if bad else 0.5, "val_auc": 0.1 if bad else 0.9}
            goes_on.append(oracle.report(trial, step, logs))
            if not goes_on[-1]:
                break
        oracle.tell(trial, logs, stopped_early=not goes_on[-1])
    assert all(goes_on[:6]) and goes_on[6] is False
    assert oracle.get_best_trials(1)[0].score == pytest.approx(0.5 - 0.9)
