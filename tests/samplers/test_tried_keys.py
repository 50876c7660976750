"""The study's running index of tried configurations matches keys rebuilt from
scratch at every step: trials running and finishing, values a running build adds,
a space that grows mid-search, trials removed or replaced."""

from __future__ import annotations

import numpy as np

import tunesmith
from tunesmith import HyperParameters
from tunesmith.samplers import SamplingContext, TrialFollower, TriedKeys
from tunesmith.samplers._tried import trial_key
from tunesmith.trial import Trial, TrialStatus


def rebuilt(space: HyperParameters, trials: dict[str, Trial]) -> set:
    names = {hp.name for hp in space.space}
    return {trial_key(t, names) for t in trials.values()}


def test_the_index_matches_keys_rebuilt_at_every_step_of_a_random_history():
    rng = np.random.default_rng(0)
    space = HyperParameters()
    space.Int("a", 0, 3)
    trials: dict[str, Trial] = {}
    index = TriedKeys(trials)
    running: list[Trial] = []
    for step in range(300):
        move = rng.integers(5)
        if move <= 1 or not running:  # a new trial starts
            values = {"a": int(rng.integers(4))}
            if "b" in {hp.name for hp in space.space}:
                values["b"] = int(rng.integers(3))
            trial = Trial(space.with_values(values), str(len(trials)), number=len(trials))
            trials[trial.trial_id] = trial
            running.append(trial)
        elif move == 2:  # one ends
            trial = running.pop(int(rng.integers(len(running))))
            trial.status = rng.choice([TrialStatus.COMPLETED, TrialStatus.FAILED])
        elif move == 3 and running:  # a running build meets a value of a known name
            trial = running[int(rng.integers(len(running)))]
            if "b" in {hp.name for hp in space.space}:
                trial.hyperparameters.values["b"] = int(rng.integers(3))
        if step == 120:  # the space grows mid-search
            space.Int("b", 0, 2)
        assert set(index.keys(space)) == rebuilt(space, trials), step


def test_the_newest_trial_removed_starts_the_index_over():
    space = HyperParameters()
    space.Int("a", 0, 9)
    trials = {
        str(i): Trial(space.with_values({"a": i}), str(i), "COMPLETED", number=i) for i in range(4)
    }
    index = TriedKeys(trials)
    assert len(index.keys(space)) == 4
    trials.pop("3")  # the study's one removal: an add_trial that failed
    assert set(index.keys(space)) == rebuilt(space, trials)
    trials["3"] = Trial(space.with_values({"a": 7}), "3", "COMPLETED", number=3)
    trials["4"] = Trial(space.with_values({"a": 8}), "4", "COMPLETED", number=4)
    assert set(index.keys(space)) == rebuilt(space, trials)
    trials.pop("4")  # seen, then gone, and another in its place before the next look
    trials["4b"] = Trial(space.with_values({"a": 9}), "4b", "COMPLETED", number=4)
    assert set(index.keys(space)) == rebuilt(space, trials)


def test_the_follower_sees_a_running_trial_replaced_by_a_reload():
    trials = {"0": Trial(trial_id="0", number=0)}
    follower = TrialFollower(trials)
    assert [t.trial_id for t in follower.update()[1]] == ["0"]
    trials["0"] = Trial(trial_id="0", number=0, status="COMPLETED")  # same place, new object
    finished, running = follower.update()
    assert [t.status for t in finished] == [TrialStatus.COMPLETED] and running == []


def test_a_context_without_the_index_gives_the_same_keys():
    space = HyperParameters()
    space.Choice("c", ["x", "y", "z"])
    trials = {
        str(i): Trial(space.with_values({"c": c}), str(i), "COMPLETED", number=i)
        for i, c in enumerate("xzx")
    }
    objective = tunesmith.Objective("loss", "min")
    plain = SamplingContext(space, tuple(trials.values()), objective, seed=0, number=3)
    indexed = SamplingContext(
        space, tuple(trials.values()), objective, seed=0, number=3, tried_index=TriedKeys(trials)
    )
    assert set(plain.tried) == set(indexed.tried) and len(plain.tried) == 2


def test_a_define_by_run_search_whose_space_grows_tries_each_configuration_once(tmp_path):
    def objective(hp):
        depth = hp.Int("depth", 1, 2)
        width = hp.Choice("width", [8, 16])
        if depth == 2:
            with hp.conditional_scope("depth", [2]):
                width += hp.Choice("width_2", [4, 8, 12])
        return float(width)

    # depth 1: 2 widths; depth 2: 2 x 3. Eight in all, each exactly once.
    result = tunesmith.tune(objective, max_trials=20, directory=tmp_path, seed=3)
    configurations = [tuple(sorted(t.hyperparameters.values.items())) for t in result.trials]
    assert len(configurations) == len(set(configurations)) == 8
    assert "All 8 configurations" in (result.stop_reason or "")


def test_max_trials_counts_only_trials_run_across_a_resume(tmp_path):
    def objective(hp):
        return hp.Float("x", 0.0, 1.0)

    add = [({"x": 0.5}, 0.5), ({"x": 0.25}, 0.25)]  # told without running: not counted
    first = tunesmith.tune(objective, max_trials=3, directory=tmp_path, add=add, seed=1)
    assert len(first.trials) == 5
    again = tunesmith.tune(objective, max_trials=6, directory=tmp_path, seed=1)
    assert len(again.trials) == 8  # 6 run + 2 added
    assert all(t.status is TrialStatus.COMPLETED for t in again.trials)
