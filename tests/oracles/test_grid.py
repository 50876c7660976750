import math
import random

import pytest

from tunesmith import HyperParameters, TrialStatus
from tunesmith.oracles import GridSearchOracle
from tunesmith.space import config_key
from tunesmith.store import Store


def run_all(oracle, register=None):
    """Ask and tell until the oracle stops; ``register(hp)`` plays the trial's build."""
    values = []
    while (trial := oracle.ask()) is not None:
        if register is not None:
            register(trial.hyperparameters)
            oracle.update_space(trial.hyperparameters)
        values.append(dict(trial.values))
        oracle.tell(trial, 0.0)
    return values


def test_every_combination_once():
    hp = HyperParameters()
    hp.Int("layers", 1, 3)
    hp.Choice("act", ["relu", "tanh"])
    values = run_all(GridSearchOracle(objective="loss", hyperparameters=hp))
    assert len(values) == 6
    assert {(v["layers"], v["act"]) for v in values} == {
        (n, a) for n in (1, 2, 3) for a in ("relu", "tanh")
    }


def test_defaults_come_first_and_the_last_registered_varies_fastest():
    hp = HyperParameters()
    hp.Choice("act", ["relu", "tanh", "elu"], default="tanh")
    hp.Boolean("bn", default=True)
    values = run_all(GridSearchOracle(objective="loss", hyperparameters=hp))
    assert [(v["act"], v["bn"]) for v in values] == [
        ("tanh", True),
        ("tanh", False),
        ("relu", True),
        ("relu", False),
        ("elu", True),
        ("elu", False),
    ]


def test_float_without_step_is_its_default_then_the_centres_of_equal_bins():
    # keras-tuner's count: 10 points plus the default (its test_int_and_float expects
    # 5 x 11 trials), so the ends-included grid of 10 points this test checked before
    # gave one trial too few. The points are bin centres, so the ends are not tried.
    hp = HyperParameters()
    hp.Float("lr", 1e-4, 1e-1, sampling="log")
    values = [v["lr"] for v in run_all(GridSearchOracle(objective="loss", hyperparameters=hp))]
    assert len(values) == 11
    assert values[0] == 1e-4  # the default first
    assert values[1:] == pytest.approx([1e-4 * 1000 ** ((i + 0.5) / 10) for i in range(10)])
    small = GridSearchOracle(objective="loss", hyperparameters=hp, float_grid_size=4)
    assert len(run_all(small)) == 5


def test_a_default_among_the_points_is_tried_once():
    hp = HyperParameters()
    hp.Float("dropout", 0.0, 1.0, default=0.25)
    values = [
        v["dropout"]
        for v in run_all(GridSearchOracle("loss", hyperparameters=hp, float_grid_size=2))
    ]
    assert values == [0.25, 0.75]


def test_float_grid_size_must_be_positive():
    with pytest.raises(ValueError, match="float_grid_size"):
        GridSearchOracle(objective="loss", float_grid_size=0)


def test_conditional_children_only_where_active():
    hp = HyperParameters()
    hp.Choice("model", ["linear", "mlp"])
    with hp.conditional_scope("model", "mlp"):
        hp.Int("units", 8, 24, step=8)
    values = run_all(GridSearchOracle(objective="loss", hyperparameters=hp))
    assert values == [
        {"model": "linear"},
        {"model": "mlp", "units": 8},
        {"model": "mlp", "units": 16},
        {"model": "mlp", "units": 24},
    ]


def test_max_trials_caps_the_grid():
    hp = HyperParameters()
    hp.Int("n", 0, 9)
    assert len(run_all(GridSearchOracle(objective="loss", hyperparameters=hp, max_trials=3))) == 3


def two_branches(hp):
    # "depth" exists only in the trials that take the "deep" branch, found by the first.
    if hp.Choice("kind", ["wide", "deep"]) == "deep":
        hp.Int("depth", 1, 3)
    hp.Boolean("bias")


def test_a_hyperparameter_found_mid_search_varies_from_the_trial_that_found_it_on():
    oracle = GridSearchOracle(objective="loss")
    values = run_all(oracle, two_branches)
    assert values == [
        {"kind": "wide", "bias": False},
        {"kind": "wide", "bias": True},
        {"kind": "deep", "bias": False, "depth": 1},
        {"kind": "deep", "bias": False, "depth": 2},
        {"kind": "deep", "bias": False, "depth": 3},
        {"kind": "deep", "bias": True, "depth": 1},
        {"kind": "deep", "bias": True, "depth": 2},
        {"kind": "deep", "bias": True, "depth": 3},
    ]
    assert oracle.stop_reason == "Every combination of the grid has been tried."
    assert len({config_key(v) for v in values}) == len(values)


def test_asks_before_any_result_continue_the_grid():
    hp = HyperParameters()
    hp.Int("n", 1, 3)
    oracle = GridSearchOracle(objective="loss", hyperparameters=hp)
    trials = [oracle.ask() for _ in range(3)]
    assert [t.values["n"] for t in trials] == [1, 2, 3]
    assert oracle.ask() is None and oracle.waiting and oracle.stop_reason is None


def test_after_a_result_asks_continue_past_a_running_trial():
    # Workers stay busy: keras-tuner would wait for 2 to end before handing out 3.
    hp = HyperParameters()
    hp.Int("n", 1, 4)
    oracle = GridSearchOracle(objective="loss", hyperparameters=hp)
    first, second = oracle.ask(), oracle.ask()
    oracle.tell(first, 0.0)
    third = oracle.ask()
    assert third.values == {"n": 3} and not oracle.waiting
    fourth = oracle.ask()
    assert fourth.values == {"n": 4}
    assert oracle.ask() is None and oracle.waiting  # the end, while trials run
    for trial in (second, third, fourth):
        oracle.tell(trial, 0.0)
    assert oracle.ask() is None and not oracle.waiting and oracle.stop_reason


@pytest.mark.parametrize("running", [2, 3, 5])
def test_in_parallel_a_hyperparameter_found_mid_search_still_gets_every_combination(running):
    # Trials end in a shuffled order with several running; what the first "deep"
    # trial registers (depth) still combines with it and everything after it.
    rng = random.Random(running)
    declared = HyperParameters()
    two_branches(declared)  # what a tuner's first build declares: kind and bias
    oracle = GridSearchOracle(objective="loss", hyperparameters=declared)
    pending, seen = [], []
    while True:
        while len(pending) < running and (trial := oracle.ask()) is not None:
            pending.append(trial)
        if not pending:
            break
        trial = pending.pop(rng.randrange(len(pending)))
        two_branches(trial.hyperparameters)
        oracle.update_space(trial.hyperparameters)
        seen.append(config_key(trial.values))
        oracle.tell(trial, 0.0)
    sequential = [config_key(v) for v in run_all(GridSearchOracle(objective="loss"), two_branches)]
    assert len(seen) == len(set(seen))  # nothing twice
    assert set(sequential) <= set(seen)  # nothing the sequential grid tries is lost


def test_a_failed_trial_hands_on_its_successor():
    hp = HyperParameters()
    hp.Int("n", 1, 3)
    oracle = GridSearchOracle(objective="loss", hyperparameters=hp)
    trial = oracle.create_trial("w")
    trial.status = TrialStatus.FAILED  # keras-tuner's protocol: the tuner sets it
    oracle.end_trial(trial)
    assert trial.status is TrialStatus.FAILED and trial.ended_at is not None
    assert oracle.create_trial("w").values == {"n": 2}


def test_resume_continues_the_grid_as_an_uninterrupted_search(tmp_path):
    straight = run_all(GridSearchOracle(objective="loss"), two_branches)

    store = Store.open(tmp_path / "p")
    oracle = GridSearchOracle(objective="loss")
    oracle.attach_store(store)
    done = []
    for _ in range(3):
        trial = oracle.ask()
        two_branches(trial.hyperparameters)
        oracle.update_space(trial.hyperparameters)
        done.append(dict(trial.values))
        oracle.tell(trial, 0.0)
    crashed = oracle.ask()
    two_branches(crashed.hyperparameters)
    oracle.update_space(crashed.hyperparameters)
    store.close()

    resumed = GridSearchOracle(objective="loss")
    resumed.attach_store(Store.open(tmp_path / "p"))
    rest = run_all(resumed, two_branches)  # the crashed trial runs again first
    assert done + rest == straight


def test_values_of_another_grid_size_are_continued_without_repeats(tmp_path):
    hp = HyperParameters()
    hp.Float("x", 0.0, 1.0)
    store = Store.open(tmp_path / "p")
    coarse = GridSearchOracle(objective="loss", hyperparameters=hp, float_grid_size=2)
    coarse.attach_store(store)
    for _ in range(2):
        coarse.tell(coarse.ask(), 0.0)  # 0.0 (the default) and 0.25
    store.close()
    fine = GridSearchOracle(objective="loss", hyperparameters=hp, float_grid_size=10)
    fine.attach_store(Store.open(tmp_path / "p"))
    rest = [v["x"] for v in run_all(fine)]
    # 0.25 ranks between the finer points 0.15 and 0.35: both sides are filled in.
    assert sorted(rest) == pytest.approx([0.05, 0.15, 0.35, 0.45, 0.55, 0.65, 0.75, 0.85, 0.95])
    assert all(not math.isclose(x, 0.25) for x in rest)
