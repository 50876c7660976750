"""Bad inputs get a clear error naming the problem and the fix, and lose nothing."""

from __future__ import annotations

import math

import pytest

import tunesmith
from tunesmith import HyperParameters
from tunesmith.errors import FatalTypeError, InvalidArgumentError, SearchSpaceError
from tunesmith.oracles import RandomSearchOracle


@pytest.mark.parametrize("value", [2.5, "3", True, 0, -1])
def test_max_trials_must_be_a_positive_whole_number(value):
    with pytest.raises(InvalidArgumentError, match="max_trials needs to be a whole number"):
        RandomSearchOracle(objective="loss", max_trials=value)


def test_retries_and_failure_limits_are_checked_too():
    with pytest.raises(ValueError, match="max_retries_per_trial"):
        RandomSearchOracle(objective="loss", max_retries_per_trial=1.5)
    with pytest.raises(TypeError, match="max_consecutive_failed_trials"):
        RandomSearchOracle(objective="loss", max_consecutive_failed_trials="3")


def test_a_float_range_wider_than_a_float_is_refused():
    hp = HyperParameters()
    with pytest.raises(SearchSpaceError, match="wider than a float"):
        hp.Float("x", -1e308, 1e308)
    assert math.isfinite(hp.Float("y", -1e300, 1e300))


def test_direction_with_a_list_of_objectives_is_a_clear_error():
    with pytest.raises(InvalidArgumentError, match="direction='max' applies to one objective"):
        tunesmith.tune(lambda hp: 0.0, objective=["a", "b"], direction="max", max_trials=1)


def test_an_objective_function_returning_a_list_stops_with_the_trial_stored(tmp_path):
    def objective(hp):
        return [hp.Float("x", 0.0, 1.0)]

    with pytest.raises(FatalTypeError, match="returned a list"):
        tunesmith.tune(objective, max_trials=3, directory=tmp_path, project_name="p", verbose=0)
    from tunesmith.store import Store

    with Store.open_read_only(tmp_path / "p") as store:
        (trial,) = store.load_trials()
    assert trial.status.value == "FAILED" and "returned a list" in trial.error


def test_a_trial_is_told_once():
    hp = HyperParameters()
    hp.Float("x", 0.0, 1.0)
    oracle = RandomSearchOracle(objective="loss", max_trials=3, hyperparameters=hp, seed=0)
    trial = oracle.ask()
    oracle.tell(trial, 1.0)
    with pytest.raises(InvalidArgumentError, match="already ended"):
        oracle.tell(trial, 0.0)
    with pytest.raises(InvalidArgumentError, match="already ended"):
        oracle.tell(trial, error=RuntimeError("late"))
    assert trial.score == 1.0 and trial.status.value == "COMPLETED"
