"""``results_frame()`` with a storage other than the SQLite ``Store``."""

from __future__ import annotations

import tunesmith
from tunesmith import HyperParameters
from tunesmith.oracles import RandomSearchOracle
from tunesmith.store import MemoryStore
from tunesmith.tuners import BaseTuner


class Square(BaseTuner):
    def run_trial(self, trial):
        return {"loss": trial.hyperparameters.get("x") ** 2}


def space() -> HyperParameters:
    hp = HyperParameters()
    hp.Float("x", -1.0, 1.0)
    return hp


def test_a_tuner_on_a_memory_store_gives_its_results_frame(tmp_path):
    oracle = RandomSearchOracle(objective="loss", max_trials=2, hyperparameters=space(), seed=0)
    tuner = Square(oracle, directory=tmp_path, project_name="p", verbose=0, storage=MemoryStore())
    tuner.search()
    frame = tuner.results_frame()
    assert list(frame["trial_id"]) == ["00", "01"]
    assert "x" in frame.columns


def test_tune_on_a_memory_store_gives_its_results_frame():
    result = tunesmith.tune(
        lambda hp: hp.Float("x", 0.0, 1.0) ** 2, max_trials=2, seed=0, storage=MemoryStore()
    )
    assert len(result.results_frame()) == 2
