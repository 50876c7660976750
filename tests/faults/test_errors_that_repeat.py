"""An error that is the same in every trial stops the search at its first occurrence."""

from __future__ import annotations

import pytest

from tunesmith import HyperParameters, TrialStatus, tune
from tunesmith.errors import FatalTypeError, SearchSpaceError, TooManyFailedTrialsError
from tunesmith.execution._executor import error_kind
from tunesmith.oracles import RandomSearchOracle
from tunesmith.space import InactiveHyperParameterError, UnknownHyperParameterError
from tunesmith.tuners import BaseTuner

RETRIES = {"max_retries_per_trial": 2, "max_consecutive_failed_trials": 5}


@pytest.mark.parametrize(
    ("define", "message"),
    [
        (lambda hp: hp.Int("units", 64, 8), "greater than the max_value"),
        (lambda hp: hp.Choice("activation", []), "activation"),
    ],
    ids=["min_above_max", "empty_choice"],
)
def test_a_space_definition_error_stops_at_the_first_trial(define, message):
    attempts = []

    def objective(hp):
        attempts.append(1)
        return float(define(hp))

    with pytest.raises(SearchSpaceError, match=message):
        tune(objective, max_trials=10, **RETRIES)
    assert len(attempts) == 1  # neither retried nor run again as a new trial


def test_a_function_with_the_wrong_signature_stops_at_the_first_trial():
    attempts = []

    def objective(hp, steps, scale):  # tune() passes (hp, steps)
        attempts.append(1)
        return hp.Float("x", 0, 1) * scale

    with pytest.raises(FatalTypeError, match=r"missing 1 required positional argument: 'scale'"):
        tune(objective, max_trials=10, **RETRIES)
    assert attempts == []


def test_a_type_error_inside_the_function_is_still_a_trial_failure():
    def objective(hp):
        hp.Float("x", 0, 1)
        return len(3)  # a bug that might depend on the values: retried, then counted

    with pytest.raises(TooManyFailedTrialsError, match="has no len"):
        tune(objective, max_trials=10, max_consecutive_failed_trials=2)


def test_run_trial_with_the_wrong_signature_stops_at_the_first_trial(tmp_path):
    class Tuner(BaseTuner):
        def run_trial(self, trial):  # search() below is given data
            return trial.hyperparameters.get("x")

    hp = HyperParameters()
    hp.Float("x", 0, 1)
    oracle = RandomSearchOracle(objective="loss", max_trials=5, hyperparameters=hp, **RETRIES)
    tuner = Tuner(oracle, directory=tmp_path, project_name="p", verbose=0)
    with pytest.raises(FatalTypeError, match=r"run_trial.*search\(\) was given"):
        tuner.search([1, 2, 3], epochs=2)
    (trial,) = tuner.oracle.trials.values()
    assert (
        trial.status is TrialStatus.FAILED and "unexpected keyword argument 'epochs'" in trial.error
    )


def test_reading_a_name_another_configuration_may_have_is_not_fatal():
    assert error_kind(SearchSpaceError("min_value 5 > max_value 1")) == "fatal"
    assert error_kind(UnknownHyperParameterError("no 'units'")) == "error"
    assert error_kind(InactiveHyperParameterError("'filters' is inactive")) == "error"
