"""Warm starts: enqueued configurations run first, in order, never twice, and survive a crash."""

from __future__ import annotations

import pytest

import tunesmith
from tunesmith import HyperParameters
from tunesmith.errors import InvalidArgumentError
from tunesmith.oracles import BayesianOptimizationOracle, HyperbandOracle, Oracle
from tunesmith.store import Store
from tunesmith.study import Study


def _space() -> HyperParameters:
    hp = HyperParameters()
    hp.Int("units", 8, 64, step=8)
    hp.Float("lr", 1e-4, 1e-1, sampling="log")
    return hp


def test_enqueued_configurations_run_first_in_order_with_the_rest_sampled():
    study = Study(objective="loss", hyperparameters=_space(), sampler="random", seed=0)
    study.enqueue_trial({"units": 32, "lr": 0.01})
    study.enqueue_trial({"units": 16})  # partial: lr is sampled
    first, second, third = (study.ask() for _ in range(3))
    assert first.values == {"units": 32, "lr": 0.01}
    assert second.values["units"] == 16 and 1e-4 <= second.values["lr"] <= 1e-1
    assert third is not None and study.enqueued == ()


def test_a_configuration_already_run_is_not_run_again():
    study = Study(objective="loss", hyperparameters=_space(), sampler="random", seed=0)
    study.enqueue_trial({"units": 32, "lr": 0.01})
    trial = study.ask()
    study.tell(trial, {"loss": 1.0})
    study.enqueue_trial({"units": 32, "lr": 0.01})  # as a resumed script would
    study.enqueue_trial({"units": 32})  # a trial already has units=32 too
    assert study.ask().values != {"units": 32, "lr": 0.01}
    assert study.enqueued == ()


def test_the_queue_survives_a_crash_and_a_rerun_of_the_same_script(tmp_path):
    def study_on(store: Store) -> Study:
        study = Study(objective="loss", hyperparameters=_space(), sampler="random", seed=0)
        study.attach_store(store)
        return study

    with Store.open(tmp_path / "p") as store:
        first = study_on(store)
        for units in (8, 16, 24):
            first.enqueue_trial({"units": units})
        trial = first.ask()
        first.tell(trial, {"loss": 1.0})  # then the process dies
    with Store.open(tmp_path / "p") as store:
        resumed = study_on(store)
        assert [v["units"] for v in resumed.enqueued] == [16, 24]
        for units in (8, 16, 24):  # the script enqueues them again
            resumed.enqueue_trial({"units": units})
        asked = [resumed.ask().values["units"] for _ in range(2)]
        assert asked == [16, 24]
        assert resumed.enqueued == ()  # the repeats were dropped, none ran twice


def test_a_value_outside_its_definition_is_refused_and_nothing_is_enqueued():
    study = Study(objective="loss", hyperparameters=_space(), sampler="random", seed=0)
    with pytest.raises(InvalidArgumentError, match=r"units=3 is outside its definition"):
        study.enqueue_trial({"units": 3})
    with pytest.raises(InvalidArgumentError, match="dict of hyperparameter values"):
        study.enqueue_trial([("units", 8)])
    assert study.enqueued == ()


def test_a_bayesian_study_learns_from_the_enqueued_trials():
    oracle = BayesianOptimizationOracle(
        objective="loss", hyperparameters=_space(), max_trials=6, seed=0
    )
    oracle.enqueue_trial({"units": 64, "lr": 0.1})
    trials = []
    while (trial := oracle.ask()) is not None:
        oracle.tell(trial, {"loss": abs(trial.values["units"] - 40) + trial.values["lr"]})
        trials.append(trial)
    assert trials[0].values == {"units": 64, "lr": 0.1}
    assert len(trials) == 6


def test_hyperband_starts_an_enqueued_configuration_at_round_zero():
    oracle = HyperbandOracle(objective="loss", max_epochs=9, factor=3, hyperparameters=_space())
    oracle.enqueue_trial({"units": 48})
    trial = oracle.ask()
    assert trial.values["units"] == 48
    assert trial.values["tuner/round"] == 0 and trial.values["tuner/epochs"] == 1


def test_an_oracle_with_its_own_populate_space_runs_the_queue_first():
    class Fixed(Oracle):
        def populate_space(self, trial_id):
            return {"status": "RUNNING", "values": {"units": 8, "lr": 0.001}}

    oracle = Fixed(objective="loss", hyperparameters=_space(), max_trials=3)
    oracle.enqueue_trial({"units": 56, "lr": 0.05})
    assert oracle.ask().values == {"units": 56, "lr": 0.05}
    assert oracle.ask().values == {"units": 8, "lr": 0.001}


def test_tune_enqueues_and_a_define_by_run_function_gets_the_values():
    seen = []

    def objective(hp):
        x = hp.Float("x", -5.0, 5.0)
        seen.append(x)
        return (x - 1.0) ** 2

    result = tunesmith.tune(objective, max_trials=4, seed=0, enqueue=[{"x": 1.0}, {"x": -2.0}])
    assert seen[:2] == [1.0, -2.0]
    assert result.best_values == {"x": 1.0}
