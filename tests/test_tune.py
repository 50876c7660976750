"""The plain-function entry point, without Keras."""

import math
import sys

import pytest

import tunesmith
from tunesmith import TrialStatus, tune
from tunesmith.errors import TooManyFailedTrialsError
from tunesmith.oracles import RandomSearchOracle
from tunesmith.store import Store


def quadratic(hp):
    x = hp.Float("x", -5.0, 5.0)
    kind = hp.Choice("kind", ["a", "b"])
    return (x - 1.0) ** 2 + (0.0 if kind == "a" else 1.0)


def test_tune_minimises_a_function():
    result = tune(quadratic, max_trials=40, seed=0)
    assert len(result.trials) == 40
    assert result.best_values["kind"] == "a"
    assert result.best_score < 0.5
    assert result.best_hyperparameters.get("x") == result.best_values["x"]


def test_tune_does_not_import_keras():
    import subprocess

    code = (
        "import sys, tunesmith; "
        "tunesmith.tune(lambda hp: hp.Float('x', 0, 1), max_trials=2, seed=0); "
        "print('keras' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_maximise_a_named_metric_from_a_dict():
    def f(hp):
        x = hp.Int("x", 0, 10)
        return {"accuracy": x / 10, "loss": 1 - x / 10}

    result = tune(f, objective="accuracy", max_trials=11, seed=1)
    assert result.best_values["x"] == 10 and result.best_score == 1.0


def test_exceptions_fail_trials_and_nan_is_invalid():
    def f(hp):
        x = hp.Int("x", 0, 5)
        if x == 1:
            raise ValueError("x=1 is broken")
        return math.nan if x == 2 else float(x)

    result = tune(f, algorithm="grid", max_trials=None, max_consecutive_failed_trials=5)
    by_x = {t.values["x"]: t for t in result.trials}
    assert by_x[1].status is TrialStatus.FAILED and "x=1 is broken" in by_x[1].error
    assert by_x[2].status is TrialStatus.INVALID
    assert result.best_values == {"x": 0}


def test_too_many_failures_stop_with_the_traceback():
    def f(hp):
        hp.Float("x", 0, 1)
        raise RuntimeError("always broken")

    with pytest.raises(TooManyFailedTrialsError, match="always broken"):
        tune(f, max_trials=10, max_consecutive_failed_trials=3)


def test_stored_study_resumes_and_ask_tell_shares_the_store(tmp_path):
    first = tune(quadratic, max_trials=5, seed=2, directory=tmp_path, project_name="q")
    assert len(first.trials) == 5
    again = tune(quadratic, max_trials=8, seed=2, directory=tmp_path, project_name="q")
    assert len(again.trials) == 8
    assert [t.values for t in again.trials[:5]] == [t.values for t in first.trials]

    # The same store, driven by hand through ask/tell.
    oracle = RandomSearchOracle(objective=tunesmith.Objective("objective", "min"), max_trials=10)
    oracle.attach_store(Store.open(tmp_path / "q"))
    while (trial := oracle.ask()) is not None:
        oracle.tell(trial, quadratic(trial.hyperparameters))
    assert len(Store.open(tmp_path / "q").load_trials()) == 10


def test_unknown_algorithm_is_named():
    with pytest.raises(ValueError, match="Unknown algorithm 'bayes'"):
        tune(quadratic, algorithm="bayes")
