"""Every sampler under every scheduler keeps the same contract.

The combinations come from named factories; the assertions hold for all of them
alike (no branch on a class). A sampler written here as a user would write one runs
beside the ready-made ones.
"""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable

import pytest

from tunesmith import HyperParameters, TrialStatus
from tunesmith.oracles import Oracle, load_oracle
from tunesmith.samplers import (
    BayesianSampler,
    Exhausted,
    GridSampler,
    RandomSampler,
    Sampler,
    SamplingContext,
    random_untried,
)
from tunesmith.schedulers import ASHAScheduler, HyperbandScheduler, Scheduler
from tunesmith.space import config_key
from tunesmith.store import Store


class NearBestSampler(Sampler):
    """A user's sampler: random at first, then a random step from the best so far."""

    name = "near_best"

    def sample(self, context: SamplingContext):
        done = context.exhausted()
        if done is not None:
            return done
        scored = [t for t in context.trials if t.has_valid_score]
        if len(scored) < 3:
            return random_untried(context)
        best = min(scored, key=lambda t: t.score).values
        rng = context.rng
        for _ in range(50):
            values = {
                "units": int(rng.choice([32, 64, 96, 128])),
                "activation": best["activation"],
                "lr": float(min(1e-2, max(1e-4, best["lr"] * rng.choice([0.1, 1.0, 10.0])))),
            }
            if config_key(values) not in context.tried:
                return values
        return random_untried(context)


SAMPLERS: dict[str, Callable[[], Sampler]] = {
    "random": RandomSampler,
    "grid": GridSampler,
    "bayesian": lambda: BayesianSampler(num_initial_points=3),
    "user": NearBestSampler,
}
SCHEDULERS: dict[str, Callable[[], Scheduler | None]] = {
    "none": lambda: None,
    "hyperband": lambda: HyperbandScheduler(max_epochs=9, factor=3),
    "asha": lambda: ASHAScheduler(max_epochs=9, factor=3),
}
COMBINATIONS = [(s, k) for s in SAMPLERS for k in SCHEDULERS]


def space() -> HyperParameters:
    hp = HyperParameters()
    hp.Int("units", 32, 128, step=32)
    hp.Choice("activation", ["relu", "tanh"])
    hp.Float("lr", 1e-4, 1e-2, sampling="log", step=10)
    return hp


def make(sampler: str, scheduler: str, max_trials: int = 12, seed: int = 3) -> Oracle:
    return Oracle(
        objective="val_loss",
        max_trials=max_trials,
        hyperparameters=space(),
        seed=seed,
        sampler=SAMPLERS[sampler](),
        scheduler=SCHEDULERS[scheduler](),
    )


def loss(values: dict, epoch: int) -> float:
    """A learning curve: better with more epochs, best near lr=1e-3, 96 units."""
    base = abs(math.log10(values["lr"]) + 3) + abs(values["units"] - 96) / 64
    return base + (values["activation"] == "tanh") * 0.3 + 1.0 / (epoch + 1)


def train(oracle: Oracle, trial) -> None:
    start = int(trial.values.get("tuner/initial_epoch", 0))
    end = int(trial.values.get("tuner/epochs", 3))
    value = math.inf
    for epoch in range(start, end):
        value = loss(trial.values, epoch)
        if not oracle.report(trial, epoch, {"val_loss": value}):
            oracle.tell(trial, {"val_loss": value}, stopped_early=True)
            return
    oracle.tell(trial, {"val_loss": value})


def run(oracle: Oracle, limit: int = 200) -> list:
    trials = []
    while len(trials) < limit and (trial := oracle.ask()) is not None:
        trials.append(trial)
        train(oracle, trial)
    return trials


def configurations(trials) -> list:
    return [config_key(t.values) for t in trials if "tuner/trial_id" not in t.values]


@pytest.mark.parametrize(("sampler", "scheduler"), COMBINATIONS)
def test_a_search_ends_with_distinct_valid_configurations(sampler, scheduler):
    oracle = make(sampler, scheduler)
    trials = run(oracle)
    assert trials and oracle.stop_reason and not oracle.waiting
    keys = configurations(trials)
    assert len(keys) == len(set(keys))  # a configuration is never drawn twice
    for trial in trials:
        assert trial.status is TrialStatus.COMPLETED
        assert trial.values["units"] in (32, 64, 96, 128)
        assert trial.values["activation"] in ("relu", "tanh")
        epochs = trial.values.get("tuner/epochs")
        assert epochs is None or trial.values["tuner/initial_epoch"] < epochs <= 9
    best = oracle.get_best_trials(1)[0]
    assert best.score == min(t.score for t in trials)


@pytest.mark.parametrize(("sampler", "scheduler"), COMBINATIONS)
def test_promotions_continue_their_parent(sampler, scheduler):
    trials = run(make(sampler, scheduler))
    by_id = {t.trial_id: t for t in trials}
    for trial in trials:
        parent = trial.values.get("tuner/trial_id")
        if parent is None:
            continue
        assert config_key(by_id[parent].values) == config_key(trial.values)
        assert trial.values["tuner/initial_epoch"] == by_id[parent].values["tuner/epochs"]


@pytest.mark.parametrize(("sampler", "scheduler"), COMBINATIONS)
def test_trials_asked_together_are_distinct_then_it_waits_or_ends(sampler, scheduler):
    oracle = make(sampler, scheduler, max_trials=6)
    pending = []
    while (trial := oracle.ask()) is not None and len(pending) < 30:
        pending.append(trial)
    assert pending
    keys = configurations(pending)
    assert len(keys) == len(set(keys))
    # Nothing more now: either it waits for a running trial, or it has a reason.
    assert oracle.waiting != bool(oracle.stop_reason)
    for trial in pending:
        train(oracle, trial)
    assert oracle.ask() is not None or oracle.stop_reason


@pytest.mark.parametrize(("sampler", "scheduler"), COMBINATIONS)
def test_same_seed_same_proposals(sampler, scheduler):
    first = [t.values for t in run(make(sampler, scheduler))]
    second = [t.values for t in run(make(sampler, scheduler))]
    assert first == second


@pytest.mark.parametrize(("sampler", "scheduler"), COMBINATIONS)
def test_a_resumed_study_reruns_the_crashed_trial_and_completes(sampler, scheduler, tmp_path):
    straight = run(make(sampler, scheduler))
    oracle = make(sampler, scheduler)
    store = Store.open(tmp_path / "p")
    oracle.attach_store(store)
    for trial in [oracle.ask() for _ in range(2)]:
        train(oracle, trial)
    crashed = oracle.ask()  # left RUNNING: the process "dies" here
    store.close()
    resumed = make(sampler, scheduler)
    resumed.attach_store(Store.open(tmp_path / "p"))
    assert resumed.ask().trial_id == crashed.trial_id  # crashed trials come back first
    resumed.trials[crashed.trial_id].status = TrialStatus.RUNNING
    train(resumed, resumed.trials[crashed.trial_id])
    run(resumed)
    trials = sorted(resumed.trials.values(), key=lambda t: t.number)
    assert all(t.status is TrialStatus.COMPLETED for t in trials)
    assert len(configurations(trials)) == len(set(configurations(trials)))
    # The schedule is replayed from the stored trials: the same shape of search. (The
    # values may differ from an uninterrupted run: a model's fit there started from
    # the previous fit, here from scratch.)
    assert len(configurations(trials)) == len(configurations(straight))
    assert len(trials) == len(straight)
    loaded = load_oracle(Store.open_read_only(tmp_path / "p"))
    assert type(loaded.sampler) is type(resumed.sampler) or sampler == "user"
    assert type(loaded.scheduler) is type(resumed.scheduler)


@pytest.mark.parametrize(("sampler", "scheduler"), COMBINATIONS)
def test_failed_trials_are_never_promoted_and_count_as_information(sampler, scheduler):
    oracle = make(sampler, scheduler)
    failed = set()
    while (trial := oracle.ask()) is not None:
        if len(failed) < 2 and "tuner/trial_id" not in trial.values:
            oracle.tell(trial, error="diverged")
            failed.add(trial.trial_id)
        else:
            train(oracle, trial)
    promoted_from = {t.values.get("tuner/trial_id") for t in oracle.trials.values()}
    assert not failed & promoted_from
    assert oracle.get_best_trials(1)


def test_a_user_sampler_exhausting_the_space_ends_the_search_with_its_reason():
    class Once(Sampler):
        def sample(self, context):
            if context.trials:
                return Exhausted("One configuration is enough here.")
            return {"units": 64}

    for scheduler in SCHEDULERS:
        oracle = Oracle(
            objective="val_loss",
            hyperparameters=space(),
            sampler=Once(),
            scheduler=SCHEDULERS[scheduler](),
        )
        trials = run(oracle)
        assert len(configurations(trials)) == 1
        assert oracle.stop_reason == "One configuration is enough here."


RESUME_SCRIPT = textwrap.dedent(
    """
    import math, sys, time
    from tunesmith import HyperParameters
    from tunesmith.oracles import HyperbandOracle
    from tunesmith.store import Store

    hp = HyperParameters()
    hp.Float("lr", 1e-4, 1e-1, sampling="log")
    hp.Int("units", 16, 256, sampling="log")
    oracle = HyperbandOracle(objective="val_loss", max_epochs=9, factor=3,
                             hyperparameters=hp, seed=11, sampler="bayesian")
    oracle.attach_store(Store.open(sys.argv[1]))
    slow = len(sys.argv) > 2
    while (trial := oracle.ask()) is not None:
        start, end = trial.values["tuner/initial_epoch"], trial.values["tuner/epochs"]
        for epoch in range(start, end):
            value = abs(math.log10(trial.values["lr"]) + 2.5) + 1.0 / (epoch + 1)
            value += abs(math.log2(trial.values["units"]) - 6) / 10
            oracle.report(trial, epoch, {"val_loss": value})
            if slow:
                time.sleep(0.02)
        oracle.tell(trial, {"val_loss": value})
    print(len(oracle.trials), oracle.stop_reason)
    """
)


@pytest.mark.slow
def test_model_based_hyperband_resumes_after_sigkill(tmp_path):
    script = tmp_path / "search.py"
    script.write_text(RESUME_SCRIPT)
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    straight = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "straight")],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=300,
    )
    process = subprocess.Popen(
        [sys.executable, str(script), str(tmp_path / "killed"), "slow"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    store_file = tmp_path / "killed" / "tunesmith.db"
    deadline = time.time() + 120
    while time.time() < deadline and process.poll() is None:
        if store_file.exists() and _trial_count(tmp_path / "killed") >= 8:
            break
        time.sleep(0.2)
    assert process.poll() is None, "the search ended before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    resumed = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "killed")],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=300,
    )
    assert resumed.stdout.split()[0] == straight.stdout.split()[0]  # the whole schedule
    with Store.open_read_only(tmp_path / "killed") as store:
        trials = store.load_trials()
    assert all(t.status is TrialStatus.COMPLETED for t in trials)
    keys = configurations(trials)
    assert len(keys) == len(set(keys))
    by_id = {t.trial_id: t for t in trials}
    for trial in trials:  # every promotion continues a stored parent
        parent = trial.values.get("tuner/trial_id")
        assert parent is None or config_key(by_id[parent].values) == config_key(trial.values)


def _trial_count(path) -> int:
    try:
        with Store.open_read_only(path) as store:
            return len(store.load_trials())
    except Exception:  # the store may be mid-creation
        return 0


@pytest.mark.parametrize("scheduler", list(SCHEDULERS))
def test_full_training_epochs_come_from_the_scheduler(scheduler):
    oracle = make("random", scheduler)
    assert oracle.full_training_epochs() == (None if scheduler == "none" else 9)
