"""The one search loop as a tuner drives it, on a Keras-free BaseTuner: hooks, ends,
failures, interrupts and idle oracles, all in this process and in milliseconds."""

from __future__ import annotations

import pytest

from tunesmith import HyperParameters
from tunesmith.errors import (
    FatalError,
    FatalRuntimeError,
    InvalidArgumentError,
    TooManyFailedTrialsError,
)
from tunesmith.execution import Callback, TrialContext
from tunesmith.oracles import Oracle, RandomSearchOracle
from tunesmith.store import MemoryStore, Store
from tunesmith.trial import TrialStatus
from tunesmith.tuners import BaseTuner


def space() -> HyperParameters:
    hp = HyperParameters()
    hp.Float("x", -1.0, 1.0)
    return hp


class Quadratic(BaseTuner):
    """Records every hook it sees."""

    def __init__(self, *args, **kwargs):
        self.seen: list[str] = []
        super().__init__(*args, **kwargs)

    def run_trial(self, trial, offset=0.0):
        self.seen.append(f"run {trial.trial_id}")
        assert isinstance(self.trial_context, TrialContext)
        x = trial.hyperparameters.get("x")
        for step in range(3):
            self.trial_context.report(step, {"loss": (x - offset) ** 2 + 1.0 / (step + 1)})
        return {"loss": (x - offset) ** 2}

    def on_search_begin(self):
        self.seen.append("search begin")

    def pre_create_trial(self):
        self.seen.append("pre create")

    def on_trial_begin(self, trial):
        self.seen.append(f"begin {trial.trial_id}")

    def on_trial_end(self, trial):
        self.seen.append(f"end {trial.trial_id} {trial.status.value}")
        super().on_trial_end(trial)

    def on_search_end(self):
        self.seen.append("search end")


def tuner(tmp_path, **oracle_args) -> Quadratic:
    oracle_args.setdefault("max_trials", 2)
    oracle = RandomSearchOracle(objective="loss", hyperparameters=space(), seed=0, **oracle_args)
    return Quadratic(oracle, directory=tmp_path, project_name="p", verbose=0)


def test_the_hooks_come_in_keras_tuners_order(tmp_path):
    search = tuner(tmp_path)
    search.search(offset=0.5)
    assert search.seen == [
        "search begin",
        "pre create",
        "begin 00",
        "run 00",
        "end 00 COMPLETED",
        "pre create",
        "begin 01",
        "run 01",
        "end 01 COMPLETED",
        "pre create",
        "search end",
    ]
    scores = {t.trial_id: t.score for t in search.oracle.trials.values()}
    assert all(score is not None and score >= 0 for score in scores.values())
    # Each step's report reached the store.
    assert [p.step for p in search.store.curve_points("00")] == [0, 1, 2]


def test_an_on_trial_end_that_forgets_super_still_ends_the_trial(tmp_path):
    class Forgetful(Quadratic):
        def on_trial_end(self, trial):
            self.seen.append("forgot")

    oracle = RandomSearchOracle(objective="loss", max_trials=2, hyperparameters=space(), seed=0)
    search = Forgetful(oracle, directory=tmp_path, project_name="p", verbose=0)
    search.search()
    assert [t.status for t in search.oracle.trials.values()] == [TrialStatus.COMPLETED] * 2


def test_a_failing_trial_is_stored_and_the_search_goes_on_until_the_limit(tmp_path):
    class Failing(Quadratic):
        def run_trial(self, trial, offset=0.0):
            raise RuntimeError("boom")

    oracle = RandomSearchOracle(
        objective="loss", max_trials=5, hyperparameters=space(), max_consecutive_failed_trials=2
    )
    search = Failing(oracle, directory=tmp_path, project_name="p", verbose=0)
    with pytest.raises(TooManyFailedTrialsError, match="boom"):
        search.search()
    with Store.open_read_only(tmp_path / "p") as store:
        statuses = [t.status for t in store.load_trials()]
    assert statuses == [TrialStatus.FAILED, TrialStatus.FAILED]


def test_a_fatal_error_is_stored_then_stops_the_search(tmp_path):
    class Fatal(Quadratic):
        def run_trial(self, trial, offset=0.0):
            return "not a result"  # keras-tuner's rule: a FatalTypeError

    search = Fatal(
        RandomSearchOracle(objective="loss", max_trials=3, hyperparameters=space()),
        directory=tmp_path,
        project_name="p",
        verbose=0,
    )
    with pytest.raises(FatalError):
        search.search()
    (trial,) = search.oracle.trials.values()
    assert trial.status is TrialStatus.FAILED and "not a result" in trial.error
    assert "search end" not in search.seen


def test_ctrl_c_leaves_the_trial_running_for_the_next_search(tmp_path):
    class Interrupted(Quadratic):
        def run_trial(self, trial, offset=0.0):
            raise KeyboardInterrupt

    search = Interrupted(
        RandomSearchOracle(objective="loss", max_trials=2, hyperparameters=space(), seed=0),
        directory=tmp_path,
        project_name="p",
        verbose=0,
    )
    with pytest.raises(KeyboardInterrupt):
        search.search()
    search.store.close()
    resumed = tuner(tmp_path)
    assert resumed.oracle.requeued == ("00",)
    resumed.search()
    assert [t.status for t in resumed.oracle.trials.values()] == [TrialStatus.COMPLETED] * 2


def test_an_oracle_idle_with_nothing_running_is_a_bug_said_clearly(tmp_path):
    class Stuck(Oracle):
        def populate_space(self, trial_id):
            return {"status": "IDLE", "values": None}

    search = Quadratic(
        Stuck(objective="loss", hyperparameters=space()),
        directory=tmp_path,
        project_name="p",
        verbose=0,
    )
    with pytest.raises(FatalRuntimeError, match="waiting for running trials"):
        search.search()


def test_callbacks_see_progress_and_ends(tmp_path):
    events = []

    class Watch(Callback):
        def on_trial_end(self, study, trial):
            events.append(("end", trial.trial_id, trial.status.value))

    class Watched(Quadratic):
        def _search_callbacks(self):
            return [Watch()]

    oracle = RandomSearchOracle(objective="loss", max_trials=2, hyperparameters=space(), seed=0)
    Watched(oracle, directory=tmp_path, project_name="p", verbose=0).search()
    assert events == [("end", "00", "COMPLETED"), ("end", "01", "COMPLETED")]


def test_storage_chooses_where_the_study_lives(tmp_path):
    memory = MemoryStore()
    oracle = RandomSearchOracle(objective="loss", max_trials=2, hyperparameters=space(), seed=0)
    Quadratic(oracle, directory=tmp_path, project_name="p", verbose=0, storage=memory).search()
    assert len(memory.load_trials()) == 2
    assert not (tmp_path / "p").exists()  # nothing written to the project folder

    oracle = RandomSearchOracle(objective="loss", max_trials=1, hyperparameters=space())
    with pytest.raises(InvalidArgumentError, match="not a storage"):
        Quadratic(oracle, directory=tmp_path, project_name="q", storage="sqlite")
