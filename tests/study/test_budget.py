"""A budget for the whole search: max_time (across resumes) and the plateau rule."""

from __future__ import annotations

import time

import pytest

import tunesmith
from tunesmith import HyperParameters, TrialStatus
from tunesmith.errors import InvalidArgumentError
from tunesmith.store import Store
from tunesmith.study import Plateau, Study, format_duration, parse_duration
from tunesmith.tuners import BaseTuner


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90m", 5400.0),
        ("1h30m", 5400.0),
        ("45s", 45.0),
        ("1.5h", 5400.0),
        ("2d", 172800.0),
        (" 1h 5m ", 3900.0),
        (30, 30.0),
        (0.5, 0.5),
    ],
)
def test_durations_are_read_as_people_write_them(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("bad", ["soon", "10", "5 minutes", "-3m", 0, -1.0, True, [60]])
def test_a_duration_that_is_none_is_a_clear_error(bad):
    with pytest.raises(InvalidArgumentError, match=r'max_time=.*not a duration.*"90m"'):
        parse_duration(bad)


def test_durations_print_as_people_write_them():
    assert [format_duration(s) for s in (0.25, 61, 3600, 5400, 90061)] == [
        "0.25s",
        "1m1s",
        "1h",
        "1h30m",
        "25h1m1s",
    ]


def _space() -> HyperParameters:
    hp = HyperParameters()
    hp.Float("x", 0.0, 1.0)
    return hp


def test_no_trial_starts_once_the_time_is_spent():
    study = Study(
        objective="loss", hyperparameters=_space(), seed=0, sampler="random", max_time=0.3
    )
    asked = 0
    while (trial := study.ask()) is not None:
        time.sleep(0.05)
        study.tell(trial, {"loss": trial.values["x"]})
        asked += 1
    assert 2 <= asked <= 8  # ~6 at 0.05 s each; generous for a loaded machine
    assert study.stop_reason.startswith("max_time=0.3s spent")
    assert study.time_spent >= 0.3


def test_the_time_spent_survives_a_resume_and_the_reason_is_stored(tmp_path):
    first = Study(
        objective="loss", hyperparameters=_space(), seed=0, sampler="random", max_time=0.4
    )
    with Store.open(tmp_path / "p") as store:
        first.attach_store(store)
        trial = first.ask()
        time.sleep(0.25)
        first.tell(trial, {"loss": 0.5})
    with Store.open(tmp_path / "p") as store:
        resumed = Study(
            objective="loss", hyperparameters=_space(), seed=0, sampler="random", max_time=0.4
        )
        resumed.attach_store(store)
        assert resumed.time_spent >= 0.25  # what the first process spent
        asked = 0
        while (trial := resumed.ask()) is not None:
            time.sleep(0.05)
            resumed.tell(trial, {"loss": trial.values["x"]})
            asked += 1
        assert asked <= 4  # only what was left: ~0.15 s
    with Store.open_read_only(tmp_path / "p") as store:
        stored = store.load_study()
    assert stored["max_time"] == 0.4 and stored["time_spent"] >= 0.4
    assert stored["stop_reason"].startswith("max_time=")


def test_a_running_trial_stops_at_its_next_report_and_keeps_its_epochs(tmp_path):
    def slow(hp, steps):
        x = hp.Float("x", 0.0, 1.0)
        for step in range(100):
            time.sleep(0.02)
            if not steps.report(step, x + 1.0 / (step + 1)):
                break
        return x

    result = tunesmith.tune(slow, max_trials=5, seed=0, max_time=0.5, directory=tmp_path)
    trials = result.trials
    assert len(trials) == 1  # 100 steps of 0.02 s: the first trial outlives the budget
    assert trials[0].status is TrialStatus.STOPPED
    assert result.stop_reason.startswith("max_time=0.5s spent")
    curve = result.oracle.curves(trials[0].trial_id)
    assert 5 <= len(curve) < 100  # the epochs it ran are kept


def test_a_plateau_ends_the_search():
    result = tunesmith.tune(
        lambda hp: abs(hp.Float("x", 0.0, 1.0) - 2.0) // 10,  # always 0: no improvement
        max_trials=50,
        seed=0,
        stop_on_plateau=Plateau(trials=5),
    )
    assert len(result.trials) == 6  # the first sets the best, five more bring nothing
    assert "No improvement larger than 0 in the last 5" in result.stop_reason


def test_a_plateau_is_not_reached_while_the_search_improves():
    rule = Plateau(trials=3, min_delta=0.1)
    objective = tunesmith.Objective("acc", "max")
    assert not rule.reached([0.1, 0.3, 0.5, 0.7], objective)
    assert rule.reached([0.1, 0.7, 0.75, 0.72, 0.79], objective)


@pytest.mark.parametrize(
    "bad",
    [{"trials": 0}, {"trials": 2.5}, {"trials": 3, "min_delta": -1.0}],
)
def test_a_bad_plateau_rule_is_a_clear_error(bad):
    with pytest.raises(InvalidArgumentError, match="Plateau"):
        Plateau(**bad)


def test_stop_on_plateau_takes_a_rule():
    with pytest.raises(InvalidArgumentError, match=r"Plateau\(trials=20"):
        tunesmith.tune(lambda hp: 0.0, stop_on_plateau=20)


def test_tuners_take_the_budget_too(tmp_path):
    class Sleepy(BaseTuner):
        def run_trial(self, trial):
            time.sleep(0.1)
            return trial.hyperparameters.Float("x", 0.0, 1.0)

    oracle = tunesmith.oracles.RandomSearchOracle(
        objective=tunesmith.Objective("score", "max"), max_trials=50, seed=0
    )
    tuner = Sleepy(oracle, directory=tmp_path, project_name="p", max_time="0.4s", verbose=0)
    tuner.search()
    assert 2 <= len(oracle.trials) <= 6
    assert oracle.max_time == 0.4 and oracle.stop_reason.startswith("max_time=")
