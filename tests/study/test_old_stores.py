"""Stores written before the study core had one settings format open and resume.

``old_stores/`` holds one project per algorithm written by tunesmith at b47b4ff
(settings in the per-algorithm ``algorithm_args`` shapes): four trials told and a
fifth left RUNNING, as a crash leaves it. Each test works on a copy.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest

from tunesmith import HyperParameters
from tunesmith.errors import StudyMismatchError
from tunesmith.oracles import (
    ASHAOracle,
    BayesianOptimizationOracle,
    GridSearchOracle,
    HyperbandOracle,
    RandomSearchOracle,
    load_oracle,
)
from tunesmith.pruners import MedianPruner
from tunesmith.store import SETTINGS_FORMAT, Store
from tunesmith.trial import TrialStatus

OLD = Path(__file__).parent / "old_stores"


def space() -> HyperParameters:
    hp = HyperParameters()
    hp.Float("x", -2.0, 2.0)
    hp.Choice("kind", ["a", "b"])
    return hp


# The constructors that wrote them (the store keeps the seed).
MAKERS = {
    "random": lambda: RandomSearchOracle(
        objective="val_loss",
        max_trials=6,
        hyperparameters=space(),
        pruner=MedianPruner(n_startup_trials=2),
    ),
    "grid": lambda: GridSearchOracle(
        objective="val_loss", max_trials=6, hyperparameters=space(), float_grid_size=3
    ),
    "bayesian": lambda: BayesianOptimizationOracle(
        objective="val_loss", max_trials=6, hyperparameters=space(), beta=3.0
    ),
    "hyperband": lambda: HyperbandOracle(
        objective="val_loss", max_epochs=9, factor=3, hyperparameters=space()
    ),
    "asha": lambda: ASHAOracle(
        objective="val_loss",
        max_epochs=9,
        factor=3,
        max_trials=6,
        hyperparameters=space(),
        sampler="bayesian",
    ),
}


def copy_of(name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    shutil.copytree(OLD / name, target)
    return target


def loss(values: dict, epoch: int) -> float:
    return (values["x"] - 0.5) ** 2 + (values["kind"] == "b") * 0.3 + 1.0 / (epoch + 1)


@pytest.mark.parametrize("name", list(MAKERS))
def test_an_old_store_resumes_its_crashed_trial_and_goes_on(name, tmp_path):
    project = copy_of(name, tmp_path)
    with Store.open_read_only(project) as store:
        before = {t.trial_id: (t.status, t.score) for t in store.load_trials()}
    running = [tid for tid, (status, _) in before.items() if status is TrialStatus.RUNNING]
    assert len(before) == 5 and len(running) == 1

    oracle = MAKERS[name]()
    with Store.open(project) as store:
        oracle.attach_store(store)
        assert oracle.requeued == tuple(running)
        assert oracle.seed == 1  # the stored seed, not a new one
        told = 0
        while told < 3 and (trial := oracle.ask()) is not None:
            start = int(trial.values.get("tuner/initial_epoch", 0))
            end = int(trial.values.get("tuner/epochs", 3))
            value = math.inf
            for epoch in range(start, end):
                value = loss(trial.values, epoch)
                oracle.report(trial, epoch, {"val_loss": value})
            oracle.tell(trial, {"val_loss": value})
            told += 1
        assert told >= 1
        settings = store.load_study()
    assert settings["format"] == SETTINGS_FORMAT and "algorithm_args" not in settings
    for trial_id, (status, score) in before.items():
        if status is not TrialStatus.RUNNING:
            assert oracle.trials[trial_id].status is status
            assert oracle.trials[trial_id].score == score
    assert oracle.trials[running[0]].status.is_finished


def test_an_old_store_is_read_with_its_parts(tmp_path):
    loaded = {}
    for name in MAKERS:
        with Store.open_read_only(copy_of(name, tmp_path)) as store:
            loaded[name] = load_oracle(store)
    assert isinstance(loaded["random"], RandomSearchOracle)
    assert loaded["random"].pruner == MedianPruner(n_startup_trials=2)
    assert loaded["grid"].float_grid_size == 3
    assert loaded["bayesian"].beta == 3.0
    assert (loaded["hyperband"].max_epochs, loaded["hyperband"].factor) == (9, 3)
    assert loaded["asha"].sampler.name == "bayesian" and loaded["asha"].rungs == [1, 3, 9]
    assert all(len(oracle.trials) == 5 for oracle in loaded.values())


def test_an_old_store_still_refuses_another_schedule(tmp_path):
    project = copy_of("hyperband", tmp_path)
    other = HyperbandOracle(objective="val_loss", max_epochs=27, factor=3, hyperparameters=space())
    with Store.open(project) as store, pytest.raises(StudyMismatchError, match="max_epochs=9"):
        other.attach_store(store)
