"""Defects of the study and its loops, each pinned by a test that failed before its fix."""

from __future__ import annotations

import gc

import pytest

from tunesmith import HyperParameters, tune
from tunesmith.errors import FatalTypeError
from tunesmith.execution import results_summary_text
from tunesmith.oracles import Oracle, RandomSearchOracle, load_oracle
from tunesmith.samplers import Exhausted, Sampler
from tunesmith.store import Store, driver_running
from tunesmith.trial import TrialStatus


def space() -> HyperParameters:
    hp = HyperParameters()
    hp.Int("n", 1, 50)
    return hp


def test_a_trial_ended_invalid_with_retries_left_is_running_in_the_store(tmp_path):
    oracle = RandomSearchOracle(
        objective="loss", max_trials=3, hyperparameters=space(), max_retries_per_trial=1, seed=0
    )
    oracle.attach_store(Store.open(tmp_path / "p"))
    trial = oracle.create_trial("tuner0")
    trial.status, trial.message = TrialStatus.INVALID, "crashed, may be retried"
    oracle.end_trial(trial)
    assert oracle.requeued == (trial.trial_id,)
    oracle.store.close()

    # The process dies before the retry: the next search still runs it again.
    with Store.open_read_only(tmp_path / "p") as store:
        assert store.get_trial(trial.trial_id).status is TrialStatus.RUNNING
    resumed = RandomSearchOracle(
        objective="loss", max_trials=3, hyperparameters=space(), max_retries_per_trial=1, seed=0
    )
    resumed.attach_store(Store.open(tmp_path / "p"))
    assert resumed.ask().trial_id == trial.trial_id
    resumed.store.close()


def test_tune_gives_its_store_back_when_the_search_raises(tmp_path):
    gc.disable()  # the store must be closed by tune(), not by the collector
    try:
        with pytest.raises(FatalTypeError):
            tune(lambda hp: "not a number", max_trials=2, directory=tmp_path, project_name="p")
        assert not driver_running(tmp_path / "p")
        Store.open(tmp_path / "p").close()  # a new search can take the project
    finally:
        gc.enable()


class Smallest(Sampler):
    """Tries n = 1, 2, 3."""

    def sample(self, context):
        used = {t.values.get("n") for t in context.trials}
        left = [n for n in (1, 2, 3) if n not in used]
        return {"n": left[0]} if left else Exhausted("All of n tried.")


def test_a_custom_sampler_is_named_when_the_study_is_read_back(tmp_path):
    oracle = Oracle(objective="loss", hyperparameters=space(), sampler=Smallest())
    with Store.open(tmp_path / "p") as store:
        oracle.attach_store(store)
        while (trial := oracle.ask()) is not None:
            oracle.tell(trial, float(trial.values["n"]))

    with Store.open_read_only(tmp_path / "p") as store:
        loaded = load_oracle(store)
        text = results_summary_text(loaded, tmp_path / "p")
    assert f"{__name__}.Smallest (a custom class)" in text
    assert "random" not in text
    with pytest.raises(RuntimeError, match=r"Smallest.*Pass it again"):
        loaded.sampler.sample(loaded.sampling_context())
