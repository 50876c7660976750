"""Warm starts through the faces users call: tune(add=...) and the tuner's
add_trial / import_keras_tuner, each delegating to the study."""

from __future__ import annotations

from pathlib import Path

import pytest

import tunesmith
from tunesmith import HyperParameters
from tunesmith.errors import InvalidArgumentError
from tunesmith.oracles import RandomSearchOracle
from tunesmith.store import Store
from tunesmith.tuners import BaseTuner

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "keras_tuner_project"


def _quadratic(hp):
    x = hp.Float("x", -2.0, 2.0)
    return (x - 1.0) ** 2


def test_tune_adds_results_without_running_them_and_not_twice_on_resume(tmp_path):
    ran = []

    def objective(hp):
        ran.append(hp.get("x") if "x" in hp.values else None)
        return _quadratic(hp)

    added = [({"x": 1.0}, 0.0), ({"x": -1.0}, {"objective": 4.0})]
    first = tunesmith.tune(objective, max_trials=2, seed=0, directory=tmp_path, add=added)
    assert len(first.trials) == 4 and len(ran) == 2  # the added ones did not run
    assert first.best_values == {"x": 1.0} and first.best_score == 0.0
    first.close()
    resumed = tunesmith.tune(objective, max_trials=3, seed=0, directory=tmp_path, add=added)
    origins = resumed.oracle.origins
    assert len(resumed.trials) == 5 and len(origins) == 2  # one new trial, nothing re-added
    assert set(origins.values()) == {"tune(add=...)"}
    resumed.close()


def test_tune_refuses_an_add_that_is_not_pairs():
    with pytest.raises(InvalidArgumentError, match=r"\(values, metrics\) pairs"):
        tunesmith.tune(_quadratic, max_trials=1, add=[{"x": 1.0}])


class Scored(BaseTuner):
    def run_trial(self, trial):
        return {"val_accuracy": trial.hyperparameters.get("units") / 32}


def _space() -> HyperParameters:
    hp = HyperParameters()
    hp.Int("units", 4, 32, step=4)
    hp.Float("learning_rate", 1e-3, 1e-1, sampling="log")
    return hp


def test_a_tuner_adds_and_imports_through_its_oracle(tmp_path):
    oracle = RandomSearchOracle(
        objective="val_accuracy", max_trials=2, hyperparameters=_space(), seed=0
    )
    tuner = Scored(oracle=oracle, directory=tmp_path, project_name="p")
    added = tuner.add_trial({"units": 28, "learning_rate": 0.01}, {"val_accuracy": 0.99})
    assert oracle.origins == {added.trial_id: "added"}
    report = tuner.import_keras_tuner(FIXTURE)
    assert report.count == 5
    tuner.search()
    assert len(oracle.trials) == 8  # 1 added, 5 imported, 2 run
    assert tuner.get_best_hyperparameters(1)[0].values["units"] == 28


def test_tune_refuses_an_oracle_whose_added_trials_a_new_store_would_lose(tmp_path):
    oracle = RandomSearchOracle(objective="val_accuracy", max_trials=2, hyperparameters=_space())
    oracle.import_keras_tuner(FIXTURE)
    with pytest.raises(InvalidArgumentError, match="in memory only"):
        tunesmith.tune(lambda hp: 0.5, algorithm=oracle, directory=tmp_path)
    assert len(oracle.trials) == 5
    # Attached first, then imported: the store keeps them.
    with Store.open(tmp_path / "kept") as store:
        stored = RandomSearchOracle(
            objective="val_accuracy", max_trials=2, hyperparameters=_space()
        )
        stored.attach_store(store)
        stored.import_keras_tuner(FIXTURE)
        assert len(store.load_trials()) == 5
