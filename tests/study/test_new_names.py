"""A study whose define-by-run space is still being learnt: trials running at once draw
the values of names new to the space (seeded by the trial), and keep them when run again."""

from __future__ import annotations

import pytest

from tunesmith import HyperParameters, Objective, tune
from tunesmith.execution import format_value
from tunesmith.oracles import (
    ASHAOracle,
    GridSearchOracle,
    HyperbandOracle,
    Oracle,
    RandomSearchOracle,
)
from tunesmith.space import Choice, Float, Int
from tunesmith.store import Store
from tunesmith.study import Study
from tunesmith.trial import TrialStatus


def declare(hp: HyperParameters) -> float:
    """The trial's build: a choice, a conditional float, a name met on one branch only."""
    kind = hp.Choice("kind", ["a", "b", "c"])
    with hp.conditional_scope("kind", "a"):
        lr = hp.Float("lr", 1e-4, 1e-1, sampling="log")
    if kind == "c":
        hp.Int("units", 8, 64)
    return lr if lr is not None else 1.0


def replayed(seed: int, number: int) -> dict[str, object]:
    """The values trial ``number`` draws with nothing proposed: from its number alone."""
    hp = HyperParameters()
    hp.draw_new_values((seed, number))
    declare(hp)
    return hp.values


@pytest.mark.parametrize("sampler", ["random", "bayesian"])
def test_trials_asked_before_any_declares_draw_their_own_values(sampler):
    study = Study(objective="loss", max_trials=6, seed=11, sampler=sampler)
    first, second, third = study.ask(), study.ask(), study.ask()
    assert None not in (first, second, third)  # the empty space is not "used up"
    for trial in (first, second, third):
        declare(trial.hyperparameters)
    assert [t.values for t in (first, second, third)] == [replayed(11, n) for n in range(3)]
    assert len({repr(sorted(t.values.items())) for t in (first, second, third)}) == 3
    for trial in (first, second, third):
        study.update_space(trial.hyperparameters)
        study.tell(trial, declare(trial.hyperparameters))
    # The space learnt every name met, with its definition and condition.
    space = {hp.name: hp for hp in study.hyperparameters.space}
    assert space["kind"] == Choice("kind", ["a", "b", "c"])
    lr = space["lr"]
    assert isinstance(lr, Float) and (lr.min_value, lr.max_value) == (1e-4, 1e-1)
    assert lr.sampling == "log" and [c.name for c in lr.conditions] == ["kind"]
    if "units" in space:  # met only where a trial took "c"
        assert space["units"] == Int("units", 8, 64)


def test_an_ended_trial_no_longer_draws():
    study = Study(objective="loss", max_trials=2, seed=0, sampler="random")
    trial = study.ask()
    declare(trial.hyperparameters)
    study.tell(trial, 0.5)
    assert trial.hyperparameters.Float("later", 0.25, 1.0) == 0.25  # its default


def test_a_declaring_nothing_function_still_ends_on_an_empty_space():
    study = Study(objective="loss", max_trials=5, seed=0, sampler="random")
    a, b = study.ask(), study.ask()  # nothing declared yet: both may run
    study.tell(a, 1.0)
    study.tell(b, 1.0)
    assert study.ask() is None and "configurations" in study.stop_reason


def test_a_sampler_that_does_not_draw_waits_for_the_first_trial():
    study = GridSearchOracle(objective="loss", max_trials=4, seed=0)
    assert not study.samples_new_names
    trial = study.ask()
    assert study.ask() is None and study.waiting and study.stop_reason is None
    declare(trial.hyperparameters)
    assert trial.values == {"kind": "a", "lr": 1e-4}  # grid search starts at the defaults
    study.update_space(trial.hyperparameters)
    study.tell(trial, 0.1)
    assert study.ask() is not None


def test_no_draws_when_new_names_stay_out_of_the_space_or_the_oracle_proposes():
    given = HyperParameters()
    given.Choice("kind", ["a", "b", "c"])
    fixed = RandomSearchOracle(
        objective="loss", hyperparameters=given, tune_new_entries=False, max_trials=3, seed=0
    )
    assert not fixed.samples_new_names

    class Proposes(Oracle):
        def populate_space(self, trial_id):
            return {"status": "RUNNING", "values": {}}

    assert not Proposes(objective="loss", max_trials=3, seed=0).samples_new_names
    trial = fixed.ask()
    trial.hyperparameters.values["kind"] = "a"
    declare(trial.hyperparameters)
    assert trial.values["lr"] == 1e-4  # kept out of the space: its default, as keras-tuner


def test_a_retried_trial_draws_the_values_it_drew_before():
    study = RandomSearchOracle(
        objective=Objective("loss", "min"), max_trials=2, seed=4, max_retries_per_trial=1
    )
    trial = study.ask()
    declare(trial.hyperparameters.copy())  # the attempt ran elsewhere: its values are lost
    study.tell(trial, error="worker died")
    assert study.requeued == (trial.trial_id,)
    again = study.ask()
    assert again is trial and "kind" not in again.values
    declare(again.hyperparameters)
    assert again.values == replayed(4, trial.number)


def test_a_trial_left_running_by_a_crash_draws_the_same_values_when_resumed(tmp_path):
    study = RandomSearchOracle(objective=Objective("loss", "min"), max_trials=3, seed=8)
    study.attach_store(Store.open(tmp_path / "p"))
    first, second = study.ask(), study.ask()
    declare(first.hyperparameters)
    declare(second.hyperparameters)
    study.update_space(first.hyperparameters)
    study.tell(first, 0.3)
    drawn = dict(second.hyperparameters.values)
    study.store.close()  # the process dies with the second trial running

    resumed = RandomSearchOracle(objective=Objective("loss", "min"), max_trials=3, seed=8)
    resumed.attach_store(Store.open(tmp_path / "p"))
    again = resumed.ask()
    assert again.trial_id == second.trial_id and again.status is TrialStatus.RUNNING
    declare(again.hyperparameters)
    assert again.values == drawn
    resumed.update_space(again.hyperparameters)
    resumed.tell(again, 0.2)
    resumed.store.close()
    with Store.open_read_only(tmp_path / "p") as store:
        assert store.get_trial(second.trial_id).values == drawn  # recorded like any value


def test_the_display_shows_the_values_a_trial_drew_as_it_ran(capsys):
    tune(lambda hp: declare(hp), max_trials=2, seed=1, verbose=1)
    out = " ".join(capsys.readouterr().out.split())  # the console wraps long lines
    first = out.split("Trial 00 finished")[1].split("Best")[0]
    second = out.split("Trial 01 finished")[1].split("Best")[0]
    drawn = ", ".join(f"{k}={format_value(v)}" for k, v in replayed(1, 0).items())
    assert f"drawn as it ran: {drawn}" in first
    assert "kind=" not in second  # known by then: shown when it began


@pytest.mark.parametrize("oracle", [HyperbandOracle, ASHAOracle])
def test_a_scheduler_hands_out_its_first_round_before_the_space_is_known(oracle):
    study = oracle(objective="loss", max_epochs=9, seed=0)
    trials = [study.ask() for _ in range(3)]
    assert all(t is not None and t.values["tuner/epochs"] == 1 for t in trials)
    for trial in trials:
        declare(trial.hyperparameters)
    assert [t.values["kind"] for t in trials] == [replayed(0, n)["kind"] for n in range(3)]
