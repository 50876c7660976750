"""Every algorithm passes the same ask/tell contract."""

from __future__ import annotations

import math

import pytest

from tunesmith import HyperParameters, TrialStatus
from tunesmith.errors import FailedTrialError, StudyMismatchError, TooManyFailedTrialsError
from tunesmith.oracles import (
    ASHAOracle,
    BayesianOptimizationOracle,
    GridSearchOracle,
    HyperbandOracle,
    RandomSearchOracle,
)
from tunesmith.space import config_key
from tunesmith.store import Store

SINGLE_FIDELITY = [RandomSearchOracle, GridSearchOracle, BayesianOptimizationOracle]
MULTI_FIDELITY = [HyperbandOracle, ASHAOracle]
ORACLES = SINGLE_FIDELITY + MULTI_FIDELITY


def space() -> HyperParameters:
    hp = HyperParameters()
    hp.Int("units", 32, 128, step=32)
    hp.Choice("activation", ["relu", "tanh"])
    hp.Float("lr", 1e-4, 1e-2, sampling="log", step=10)
    return hp


def make(cls, **kwargs):
    kwargs.setdefault("objective", "val_loss")
    kwargs.setdefault("hyperparameters", space())
    kwargs.setdefault("seed", 3)
    if cls in MULTI_FIDELITY:
        kwargs.setdefault("max_epochs", 9)
    if cls is HyperbandOracle:
        kwargs.pop("max_trials", None)  # its budget is the schedule, as in keras-tuner
    return cls(**kwargs)


def configurations(trials) -> list:
    """The keys of the trials that drew a new configuration (not promotions, which
    repeat their parent's hyperparameters with more epochs)."""
    return [config_key(t.values) for t in trials if "tuner/trial_id" not in t.values]


@pytest.mark.parametrize("cls", SINGLE_FIDELITY)
def test_pending_trials_are_distinct_and_valid(cls):
    oracle = make(cls, max_trials=6)
    trials = [oracle.ask() for _ in range(6)]
    keys = {config_key(t.values) for t in trials}
    assert len(keys) == 6
    for trial in trials:
        assert trial.status is TrialStatus.RUNNING
        assert trial.values["units"] in (32, 64, 96, 128)
        assert trial.values["activation"] in ("relu", "tanh")
    assert oracle.ask() is None
    assert "max_trials=6" in oracle.stop_reason
    assert not oracle.waiting


@pytest.mark.parametrize("cls", MULTI_FIDELITY)
def test_multi_fidelity_pending_trials_are_distinct_then_the_oracle_waits(cls):
    oracle = make(cls, max_trials=6)
    trials = []
    while (trial := oracle.ask()) is not None:
        trials.append(trial)
    # Hyperband starts its later brackets (9 + 5 + 3 trials), ASHA its 6 configurations;
    # then nothing can be handed out until a running trial is told.
    assert len(trials) == (17 if cls is HyperbandOracle else 6)
    assert len(set(configurations(trials))) == len(trials)
    for trial in trials:
        assert trial.status is TrialStatus.RUNNING
        assert trial.values["units"] in (32, 64, 96, 128)
        assert trial.values["tuner/initial_epoch"] == 0 < trial.values["tuner/epochs"] <= 9
    assert oracle.waiting and oracle.stop_reason is None
    oracle.tell(trials[0], 0.1)
    assert oracle.ask() is None and oracle.waiting  # one result promotes nothing yet
    for trial in trials[1:]:
        oracle.tell(trial, 1.0)
    promoted = oracle.ask()
    assert promoted.values["tuner/trial_id"] == trials[0].trial_id and not oracle.waiting


@pytest.mark.parametrize("cls", ORACLES)
def test_tell_ranks_trials_and_excludes_invalid_and_failed(cls):
    oracle = make(cls, max_trials=4)
    a, b, c, d = (oracle.ask() for _ in range(4))
    oracle.tell(a, {"val_loss": 0.5, "loss": 0.4}, best_step=3)
    oracle.tell(b, {"val_loss": 0.2})
    oracle.tell(c, math.nan)
    oracle.tell(d, error=ValueError("boom"))
    assert [t.trial_id for t in oracle.get_best_trials(5)] == [b.trial_id, a.trial_id]
    assert a.best_step == 3 and a.metrics["loss"] == 0.4
    assert c.status is TrialStatus.INVALID and "cannot be ranked" in c.error
    assert d.status is TrialStatus.FAILED and "ValueError: boom" in d.error


@pytest.mark.parametrize("cls", ORACLES)
def test_missing_objective_in_told_metrics_fails_the_trial(cls):
    oracle = make(cls, max_trials=2)
    trial = oracle.ask()
    oracle.tell(trial, {"loss": 0.1})
    assert trial.status is TrialStatus.FAILED
    assert "'val_loss' is not among the logged metrics (loss)" in trial.error


@pytest.mark.parametrize("cls", ORACLES)
def test_retries_rerun_the_same_trial(cls):
    oracle = make(cls, max_trials=3, max_retries_per_trial=1)
    trial = oracle.ask()
    oracle.tell(trial, error=RuntimeError("flaky"))
    again = oracle.ask()
    assert again.trial_id == trial.trial_id and again.attempts == 2
    oracle.tell(again, error=RuntimeError("flaky"))
    assert again.status is TrialStatus.FAILED
    other = oracle.ask()
    assert other.trial_id != trial.trial_id


@pytest.mark.parametrize("cls", ORACLES)
def test_failed_trial_error_is_not_retried(cls):
    oracle = make(cls, max_trials=3, max_retries_per_trial=2)
    trial = oracle.ask()
    oracle.tell(trial, error=FailedTrialError("no"))
    assert trial.status is TrialStatus.FAILED
    assert oracle.ask().trial_id != trial.trial_id


@pytest.mark.parametrize("cls", ORACLES)
def test_consecutive_failures_stop_the_search_quoting_the_error(cls):
    oracle = make(cls, max_trials=10, max_consecutive_failed_trials=2)
    oracle.tell(oracle.ask(), error=ValueError("first"))
    oracle.tell(oracle.ask(), 1.0)  # a success resets the count
    oracle.tell(oracle.ask(), error=ValueError("second"))
    with pytest.raises(TooManyFailedTrialsError, match="ValueError: third"):
        oracle.tell(oracle.ask(), error=ValueError("third"))


@pytest.mark.parametrize("cls", ORACLES)
def test_tiny_space_is_exhausted_without_repeats(cls):
    hp = HyperParameters()
    hp.Boolean("flag")
    hp.Choice("act", ["a", "b", "c"])
    oracle = make(cls, hyperparameters=hp, max_trials=50)
    trials = []
    while (trial := oracle.ask()) is not None:
        trials.append(trial)
        oracle.tell(trial, 0.0)
    seen = configurations(trials)
    assert len(seen) == 6 == len(set(seen))
    assert "tried" in oracle.stop_reason and not oracle.waiting


@pytest.mark.parametrize("cls", ORACLES)
def test_same_seed_same_proposals(cls):
    first = [make(cls, max_trials=5).ask().values for _ in range(1)]
    second = [make(cls, max_trials=5).ask().values for _ in range(1)]
    assert first == second


@pytest.mark.parametrize("cls", ORACLES)
def test_resume_keeps_finished_trials_and_reruns_running_ones(cls, tmp_path):
    store = Store.open(tmp_path / "p")
    oracle = make(cls, max_trials=5)
    oracle.attach_store(store)
    done = oracle.ask()
    oracle.report(done, 0, {"val_loss": 0.9})
    oracle.tell(done, {"val_loss": 0.3})
    crashed = oracle.ask()
    oracle.report(crashed, 0, {"val_loss": 0.7})
    store.close()  # the process "dies" with `crashed` RUNNING

    store = Store.open(tmp_path / "p")
    resumed = make(cls, max_trials=5)
    resumed.attach_store(store)
    assert resumed.trials[done.trial_id].status is TrialStatus.COMPLETED
    again = resumed.ask()
    assert again.trial_id == crashed.trial_id
    assert resumed.curves(crashed.trial_id) == []  # its partial curve was cleared
    resumed.tell(again, 0.5)
    count = 2
    while (trial := resumed.ask()) is not None:
        resumed.tell(trial, 1.0)
        count += 1
    stored = store.load_trials()
    assert len(stored) == count
    assert len(set(configurations(stored))) == len(configurations(stored))
    if cls in SINGLE_FIDELITY:
        assert count == 5
    elif cls is ASHAOracle:
        assert len(configurations(stored)) == 5  # max_trials counts configurations
    else:
        assert count == 23  # Hyperband's whole schedule for max_epochs=9


@pytest.mark.parametrize("cls", ORACLES)
def test_resume_refuses_another_objective(cls, tmp_path):
    store = Store.open(tmp_path / "p")
    make(cls, max_trials=2).attach_store(store)
    other = make(cls, max_trials=2, objective="val_accuracy")
    with pytest.raises(StudyMismatchError, match="overwrite=True"):
        other.attach_store(Store.open(tmp_path / "p"))


def test_a_changed_definition_is_refused():
    # A build registering a known name differently: the hypermodel changed.
    oracle = make(RandomSearchOracle, max_trials=2, hyperparameters=None)
    oracle.update_space(space())
    changed = HyperParameters()
    changed.Int("units", 16, 64)
    with pytest.raises(StudyMismatchError, match="'units'"):
        oracle.update_space(changed)


def test_given_definitions_override_the_builds():
    # keras-tuner's "tailor the search space": hyperparameters= win over the build.
    oracle = make(RandomSearchOracle, max_trials=2)
    given = {hp.name: hp.get_config() for hp in oracle.get_space().space}
    changed = HyperParameters()
    changed.Int("units", 16, 64)
    oracle.update_space(changed)
    assert {hp.name: hp.get_config() for hp in oracle.get_space().space} == given


def test_new_entries_can_be_fixed_or_refused():
    hp = HyperParameters()
    hp.Choice("act", ["relu", "tanh"])
    grown = HyperParameters()
    grown.Choice("act", ["relu", "tanh"])
    grown.Int("units", 8, 64, default=16)

    fixed = RandomSearchOracle(objective="loss", hyperparameters=hp, tune_new_entries=False)
    fixed.update_space(grown)
    # As in keras-tuner: nothing added, so each build gives "units" its default.
    assert [p.name for p in fixed.get_space().space] == ["act"]
    assert "units" not in fixed.ask().values

    strict = RandomSearchOracle(objective="loss", hyperparameters=hp, allow_new_entries=False)
    with pytest.raises(StudyMismatchError, match="allow_new_entries"):
        strict.update_space(grown)


def test_random_search_resumed_draws_what_an_uninterrupted_one_would(tmp_path):
    hp = HyperParameters()
    hp.Float("x", 0.0, 1.0)
    straight = RandomSearchOracle(objective="loss", hyperparameters=hp, max_trials=4, seed=9)
    expected = []
    while (t := straight.ask()) is not None:
        expected.append(t.values["x"])
        straight.tell(t, 0.0)

    store = Store.open(tmp_path / "p")
    first = RandomSearchOracle(objective="loss", hyperparameters=hp, max_trials=4, seed=9)
    first.attach_store(store)
    for _ in range(2):
        first.tell(first.ask(), 0.0)
    second = RandomSearchOracle(objective="loss", hyperparameters=hp, max_trials=4)
    second.attach_store(Store.open(tmp_path / "p"))
    while (t := second.ask()) is not None:
        second.tell(t, 0.0)
    got = [t.values["x"] for t in sorted(second.trials.values(), key=lambda t: t.number)]
    assert got == pytest.approx(expected)


def test_out_of_memory_failures_say_what_to_do():
    oracle = make(RandomSearchOracle, max_trials=2)
    trial = oracle.tell(oracle.ask(), error=RuntimeError("RESOURCE_EXHAUSTED: 12GiB"))
    assert trial.status is TrialStatus.FAILED
    assert "lower the batch size" in trial.error.splitlines()[-1]
    trial = oracle.tell(oracle.ask(), error=MemoryError())
    assert "Out of memory" in trial.error
