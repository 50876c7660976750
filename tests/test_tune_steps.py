"""tune() with per-step reports: pruners and multi-fidelity schedules for plain functions."""

from __future__ import annotations

import math

import pytest

import tunesmith
from tunesmith import TrialStatus
from tunesmith.errors import InvalidArgumentError


def curve(hp, steps):
    """A learning curve per configuration: lr near 0.1 ends lowest."""
    lr = hp.Float("lr", 1e-3, 1.0, sampling="log")
    value = math.inf
    for step in range(steps.initial_epoch, steps.epochs or 9):
        value = abs(math.log10(lr) + 1) + 1.0 / (step + 1)
        if not steps.report(step, value):
            break
    return value


@pytest.mark.parametrize("sampler", ["random", "bayesian"])
@pytest.mark.parametrize("algorithm", ["hyperband", "asha"])
def test_multi_fidelity_runs_a_plain_function_at_the_epochs_it_chooses(algorithm, sampler):
    seen = []

    def objective(hp, steps):
        seen.append((steps.initial_epoch, steps.epochs))
        return curve(hp, steps)

    result = tunesmith.tune(
        objective, algorithm=algorithm, max_epochs=9, sampler=sampler, seed=1, max_trials=9
    )
    assert seen and all(0 <= start < end <= 9 for start, end in seen)
    assert {end for _, end in seen} == {1, 3, 9}  # every rung of the ladder, no other epochs
    promoted = [t for t in result.trials if "tuner/trial_id" in t.values]
    assert promoted  # some configurations went on to more epochs
    assert result.oracle.sampler.name == sampler
    assert abs(math.log10(result.best_values["lr"]) + 1) < 1.0


def test_a_pruner_stops_a_plain_function_and_the_trial_is_stored_stopped(tmp_path):
    result = tunesmith.tune(
        curve, max_trials=12, seed=0, pruner="median", directory=tmp_path, project_name="p"
    )
    statuses = [t.status for t in result.trials]
    assert TrialStatus.STOPPED in statuses and TrialStatus.COMPLETED in statuses
    best = result.best_trial
    assert best.status is TrialStatus.COMPLETED
    # The curves went to the store, one row per reported step.
    with result:
        curves = result.store.load_curves()
    assert len(curves) >= sum(1 for _ in result.trials)


def test_reports_without_a_pruner_never_stop():
    calls = []

    def objective(hp, steps):
        x = hp.Float("x", 0.0, 1.0)
        for step in range(5):
            calls.append(steps.report(step, {"objective": x + 1.0 / (step + 1)}))
        return x

    tunesmith.tune(objective, max_trials=3, seed=0)
    assert calls and all(calls)


def test_multi_fidelity_needs_a_function_that_takes_steps():
    with pytest.raises(InvalidArgumentError, match="def objective\\(hp, steps\\)"):
        tunesmith.tune(lambda hp: hp.Float("x", 0.0, 1.0), algorithm="hyperband", max_epochs=9)


def test_clear_errors_for_arguments_that_do_not_apply():
    with pytest.raises(InvalidArgumentError, match="needs max_epochs"):
        tunesmith.tune(curve, algorithm="asha")
    with pytest.raises(InvalidArgumentError, match="max_epochs applies to"):
        tunesmith.tune(curve, algorithm="random", max_epochs=9)
    with pytest.raises(InvalidArgumentError, match="leave sampler out"):
        tunesmith.tune(curve, algorithm="bayesian", sampler="random")
    with pytest.raises(InvalidArgumentError, match="pass no pruner"):
        tunesmith.tune(curve, algorithm="hyperband", max_epochs=9, pruner="median")
    with pytest.raises(ValueError, match="Unknown algorithm 'bohb'"):
        tunesmith.tune(curve, algorithm="bohb")


@pytest.mark.slow
def test_steps_reach_the_driver_from_worker_processes():
    result = tunesmith.tune(
        curve,
        algorithm="asha",
        max_epochs=9,
        max_trials=9,
        seed=2,
        executor=tunesmith.LocalWorkers(workers=2),
    )
    assert any("tuner/trial_id" in t.values for t in result.trials)
    assert all(t.status is TrialStatus.COMPLETED for t in result.trials)
