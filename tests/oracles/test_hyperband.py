"""Hyperband: keras-tuner's schedule, promotions, waiting, and resume from the store."""

from __future__ import annotations

import pytest
from fidelity_helpers import run, schedule, train

from tunesmith import HyperParameters, TrialStatus
from tunesmith.errors import FatalRuntimeError, SearchSpaceError, StudyMismatchError
from tunesmith.execution import run_search
from tunesmith.oracles import Hyperband, HyperbandOracle, Oracle, RandomSearchOracle, load_oracle
from tunesmith.schedulers import bracket_count, bracket_table
from tunesmith.space import config_key
from tunesmith.store import Store


def space() -> HyperParameters:
    hp = HyperParameters()
    hp.Float("q", 0.0, 1.0)
    return hp


def quality_curve(values, epoch):
    """A learning curve whose final quality is the configuration's ``q``."""
    return values["q"] + 1.0 / (epoch + 1)


def test_the_bracket_table_for_100_epochs_and_factor_3_is_keras_tuners():
    # keras-tuner 1.4.8: brackets = 5 (100 divided by 3 stays >= 1 five times);
    # trials per round ceil(ceil(1 + log3(100)) / (b + 1) * 3**(b - r)) = ceil(6 / (b + 1)
    # * 3**(b - r)); epochs ceil(100 / 3**(b - r)). (trials, epochs) per round:
    assert bracket_count(100, 3) == 5
    assert bracket_table(100, 3) == {
        4: [(98, 2), (33, 4), (11, 12), (4, 34), (2, 100)],
        3: [(41, 4), (14, 12), (5, 34), (2, 100)],
        2: [(18, 12), (6, 34), (2, 100)],
        1: [(9, 34), (3, 100)],
        0: [(6, 100)],
    }
    oracle = HyperbandOracle(objective="val_loss", max_epochs=100, factor=3)
    assert oracle.brackets == 5 and oracle.planned_trials == 254


def test_the_whole_100_3_schedule_runs_the_table_in_order():
    oracle = HyperbandOracle(objective="val_loss", max_epochs=100, hyperparameters=space(), seed=0)
    steps = schedule(run(oracle, lambda v, e: v["q"]))  # no epochs trained: values only
    table = bracket_table(100, 3)
    expected = [
        (b, r, epochs)
        for b, rounds in table.items()
        for r, (trials, epochs) in enumerate(rounds)
        for _ in range(trials)
    ]
    assert [s[:3] for s in steps] == expected
    assert oracle.stop_reason == "Hyperband ran its 1 iteration(s) of 5 bracket(s)."


def small_schedule_oracle(**kwargs) -> HyperbandOracle:
    kwargs.setdefault("seed", 7)
    return HyperbandOracle(objective="val_loss", max_epochs=9, factor=3, **kwargs)


def run_by_number(oracle: HyperbandOracle) -> list:
    """Run the schedule with a quality fixed by the configuration's first trial number:
    ((7 n) mod 11) / 10, so trial 0 is best (0.0), then 8 (0.1), 5 (0.2), 16 (0.2)..."""
    hp = HyperParameters()
    hp.Int("n", 0, 10_000)
    oracle.update_space(hp)
    quality: dict[int, float] = {}
    trials = []
    while (trial := oracle.ask()) is not None:
        root = trial.values["n"]
        if "tuner/trial_id" not in trial.values:
            quality[root] = (7 * trial.number % 11) / 10
        trials.append(train(oracle, trial, lambda v, e: quality[v["n"]] + 1.0 / (e + 1)))
    return trials


def test_a_small_schedule_runs_as_keras_tuner_does():
    oracle = small_schedule_oracle(hyperparameters=space())
    trials = run_by_number(oracle)
    # max_epochs=9, factor=3: brackets 2, 1, 0; (trials, epochs) per round
    # {2: [(9, 1), (3, 3), (1, 9)], 1: [(5, 3), (2, 9)], 0: [(3, 9)]}.
    assert schedule(trials) == [
        *[(2, 0, 1, 0, None)] * 9,
        # The best three of round 0 in score order: qualities 0.0 (#0), 0.1 (#8), 0.2 (#5).
        (2, 1, 3, 1, 0),
        (2, 1, 3, 1, 8),
        (2, 1, 3, 1, 5),
        (2, 2, 9, 3, 9),  # the best of round 1: #9, the continuation of #0
        *[(1, 0, 3, 0, None)] * 5,  # trials 13 to 17: qualities 0.3, 1.0, 0.6, 0.2, 0.9
        (1, 1, 9, 3, 16),
        (1, 1, 9, 3, 13),
        *[(0, 0, 9, 0, None)] * 3,
    ]
    assert oracle.stop_reason == "Hyperband ran its 1 iteration(s) of 3 bracket(s)."
    assert not oracle.waiting
    # A promotion keeps its parent's hyperparameters: the same configuration.
    parent, child = oracle.trials[trials[9].values["tuner/trial_id"]], trials[9]
    assert child.values["n"] == parent.values["n"] and child.values["q"] == parent.values["q"]
    assert config_key(child.values) == config_key(parent.values)
    assert len({config_key(t.values) for t in trials if t.values["tuner/round"] == 0}) == 17


def test_hyperband_iterations_runs_the_brackets_again():
    oracle = small_schedule_oracle(hyperparameters=space(), hyperband_iterations=2)
    trials = run(oracle, quality_curve)
    brackets = [s[0] for s in schedule(trials) if s[1] == 0]
    assert brackets == [2] * 9 + [1] * 5 + [0] * 3 + [2] * 9 + [1] * 5 + [0] * 3
    assert len(trials) == 46 == oracle.planned_trials
    assert oracle.stop_reason == "Hyperband ran its 2 iteration(s) of 3 bracket(s)."
    assert len({config_key(t.values) for t in trials}) == 34  # never a configuration twice


def test_trial_values_are_keras_tuners_and_reach_the_store(tmp_path):
    store = Store.open(tmp_path / "p")
    oracle = small_schedule_oracle(hyperparameters=space())
    oracle.attach_store(store)
    trials = [train(oracle, oracle.ask(), quality_curve) for _ in range(10)]
    first, promoted = trials[0].hyperparameters, trials[9].hyperparameters
    assert first.get("tuner/epochs") == 1 and first["tuner/initial_epoch"] == 0
    assert "tuner/trial_id" not in first and "tuner/trial_id" in promoted
    assert promoted.get("tuner/epochs") == 3 and promoted.get("tuner/initial_epoch") == 1
    assert promoted.get("tuner/round") == 1 and promoted.get("tuner/bracket") == 2

    stored = {t.trial_id: t for t in Store.open(tmp_path / "p").load_trials()}
    assert stored[trials[9].trial_id].values == trials[9].values
    frame = store.results_frame()
    for column in ("tuner/epochs", "tuner/initial_epoch", "tuner/bracket", "tuner/round"):
        assert column in frame.columns
    assert frame["tuner/trial_id"].tolist()[9] == trials[9].values["tuner/trial_id"]
    curves = store.load_curves(trials[9].trial_id)
    assert curves["step"].tolist() == [1, 2]  # a promotion reports from its initial epoch


def test_pending_trials_open_the_next_bracket_and_the_last_one_waits():
    oracle = small_schedule_oracle(hyperparameters=space())
    first_bracket = [oracle.ask() for _ in range(9)]
    # Round 0 of bracket 2 is full but nothing is told: as keras-tuner, the next
    # brackets start rather than leave a worker idle.
    others = [oracle.ask() for _ in range(8)]
    assert [t.values["tuner/bracket"] for t in others] == [1] * 5 + [0] * 3
    assert oracle.ask() is None and oracle.waiting and oracle.stop_reason is None
    # Seven of nine told: the best of them is surely in the top three.
    for trial, score in zip(first_bracket[:7], [0.5, 0.3, 0.9, 0.2, 0.8, 0.4, 0.7], strict=True):
        oracle.tell(trial, score)
    promoted = oracle.ask()
    assert promoted.values["tuner/trial_id"] == first_bracket[3].trial_id
    assert not oracle.waiting
    assert oracle.ask() is None and oracle.waiting  # the next best is not certain yet
    oracle.tell(first_bracket[7], 0.6)
    assert oracle.ask().values["tuner/trial_id"] == first_bracket[1].trial_id


def test_failed_trials_are_never_promoted_nor_block_a_round():
    oracle = small_schedule_oracle(hyperparameters=space(), max_consecutive_failed_trials=20)
    trials = []
    while (trial := oracle.ask()) is not None:
        if trial.values["tuner/round"] == 0 and trial.number in (0, 1, 2, 3, 4, 5, 6):
            oracle.tell(trial, error=RuntimeError("out of memory"))
        else:
            train(oracle, trial, quality_curve)
        trials.append(trial)
    steps = schedule(trials)
    # Two of nine configurations of bracket 2 succeeded: both go on, best first (round
    # 1 keeps what there is), then the better of the two.
    better, worse = sorted((7, 8), key=lambda n: trials[n].values["q"])
    assert steps[9:12] == [(2, 1, 3, 1, better), (2, 1, 3, 1, worse), (2, 2, 9, 3, 9)]
    assert steps[12][:2] == (1, 0)
    assert all(
        oracle.trials[t.values["tuner/trial_id"]].status is TrialStatus.COMPLETED
        for t in trials
        if "tuner/trial_id" in t.values
    )
    assert oracle.stop_reason.startswith("Hyperband ran")


def test_a_used_up_space_shrinks_the_bracket_and_ends_the_search():
    hp = HyperParameters()
    hp.Choice("act", ["relu", "tanh", "elu", "gelu"])
    oracle = small_schedule_oracle(hyperparameters=hp)
    steps = schedule(run(oracle, lambda v, e: len(v["act"]) + 1.0 / (e + 1)))
    # Four configurations instead of nine: rounds of ceil(4 * 3 / 9) = 2 and 1.
    assert [s[:2] for s in steps] == [(2, 0)] * 4 + [(2, 1)] * 2 + [(2, 2)]
    assert oracle.stop_reason == "All 4 configurations of the search space have been tried."


def crash_and_resume(tmp_path, told: int) -> list:
    """Run ``told`` trials, leave the next one RUNNING with a reported epoch, close the
    store; then resume with a new oracle (seed from the store) and finish."""
    store = Store.open(tmp_path / "p")
    first = small_schedule_oracle(hyperparameters=space(), seed=11)
    first.attach_store(store)
    for _ in range(told):
        train(first, first.ask(), quality_curve)
    crashed = first.ask()
    first.report(crashed, int(crashed.values["tuner/initial_epoch"]), {"val_loss": 9.0})
    store.close()

    resumed = HyperbandOracle(objective="val_loss", max_epochs=9, hyperparameters=space())
    resumed.attach_store(Store.open(tmp_path / "p"))
    again = resumed.ask()
    assert again.trial_id == crashed.trial_id and again.values == crashed.values
    assert resumed.curves(again.trial_id) == []  # the interrupted epoch was cleared
    train(resumed, again, quality_curve)
    run(resumed, quality_curve)
    assert 9.0 not in [m["val_loss"] for _, _, m in resumed.curves(again.trial_id)]
    return sorted(resumed.trials.values(), key=lambda t: t.number)


@pytest.mark.parametrize("told", [4, 10, 15])
def test_a_crash_mid_bracket_resumes_the_same_schedule(tmp_path, told):
    straight = run(small_schedule_oracle(hyperparameters=space(), seed=11), quality_curve)
    resumed = crash_and_resume(tmp_path, told)
    assert schedule(resumed) == schedule(straight)
    assert [t.values for t in resumed] == [t.values for t in straight]
    assert all(t.status is TrialStatus.COMPLETED for t in resumed)

    loaded = load_oracle(Store.open(tmp_path / "p"))
    assert isinstance(loaded, HyperbandOracle)
    assert (loaded.max_epochs, loaded.factor, loaded.hyperband_iterations) == (9, 3, 1)
    assert len(loaded.trials) == len(straight)


def test_resume_refuses_another_schedule(tmp_path):
    small_schedule_oracle(hyperparameters=space()).attach_store(Store.open(tmp_path / "p"))
    other = HyperbandOracle(objective="val_loss", max_epochs=27, hyperparameters=space())
    with pytest.raises(StudyMismatchError, match="max_epochs=9"):
        other.attach_store(Store.open(tmp_path / "p"))
    more = small_schedule_oracle(hyperparameters=space(), hyperband_iterations=3)
    more.attach_store(Store.open(tmp_path / "p"))  # more iterations extend the study


def test_a_build_function_reads_the_tuner_values_and_cannot_define_them():
    oracle = small_schedule_oracle()
    seen = []

    def run_trial(trial):
        hp = trial.hyperparameters
        hp.Float("q", 0.0, 1.0)
        seen.append((hp.get("tuner/epochs"), hp.get("tuner/initial_epoch")))
        oracle.update_space(hp)
        return {"val_loss": hp.get("q")}

    run_search(oracle, run_trial)
    assert seen[0] == (1, 0) and seen[9] == (3, 1) and len(seen) == 23
    with pytest.raises(SearchSpaceError, match="bookkeeping"):
        HyperParameters().Int("tuner/epochs", 1, 10)
    hp = HyperParameters()
    with pytest.raises(SearchSpaceError, match="bookkeeping"), hp.name_scope("tuner"):
        hp.Int("round", 0, 3)


def test_the_sequential_loop_refuses_a_waiting_oracle():
    class Stuck(RandomSearchOracle):
        def _propose(self, number):
            if number == 1:
                self.waiting = True
                return None
            return super()._propose(number)

    oracle = Stuck(objective="loss", max_trials=3, hyperparameters=space())
    with pytest.raises(FatalRuntimeError, match="waiting for running trials"):
        run_search(oracle, lambda trial: 1.0)
    assert isinstance(oracle, Oracle)


def test_arguments_are_checked_and_keras_tuner_names_exist():
    assert Hyperband is HyperbandOracle
    with pytest.raises(ValueError, match="factor"):
        HyperbandOracle(objective="loss", factor=1)
    with pytest.raises(ValueError, match="max_epochs"):
        HyperbandOracle(objective="loss", max_epochs=0)
    assert HyperbandOracle(objective="loss", hyperband_iterations=0).planned_trials is None
