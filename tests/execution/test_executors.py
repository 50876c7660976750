"""What every executor does alike: local worker processes and Ray actors, one loop.

Each test runs with ``LocalWorkers`` and with ``RayWorkers`` (on a local Ray of 2
CPUs, started once for the module); what only one of them does is tested in
``test_local_workers.py`` and ``test_ray_workers.py``.
"""

from __future__ import annotations

import os
import time

import pytest
from worker_helpers import (
    CountedData,
    StopAtStepTwo,
    StopsWhenTold,
    fatal,
    killed_once,
    sleeps,
    start_local_ray,
    tiny_data,
    tiny_model,
    where_it_ran,
)

import tunesmith
from tunesmith.errors import FatalValueError, TooManyFailedTrialsError
from tunesmith.store import Store
from tunesmith.trial import TrialStatus

# How each executor words the death of the process running a trial.
DEATH = {"local": "killed by SIGKILL", "ray": "Ray actor running this trial died"}


@pytest.fixture(scope="module")
def ray_session():
    pytest.importorskip("ray")
    ray = start_local_ray()
    yield
    ray.shutdown()


@pytest.fixture(params=["local", "ray"])
def kind(request) -> str:
    if request.param == "ray":
        request.getfixturevalue("ray_session")
    return request.param


@pytest.fixture(scope="module")
def kept_local_workers():
    """Two local workers kept alive across this module's searches: a test that needs
    nothing else gets them instead of starting two interpreters of its own."""
    workers = tunesmith.LocalWorkers(workers=2, keep_alive=True)
    yield workers
    workers.close()


@pytest.fixture
def executor(kind, request):
    """Makes the executor under test: ``executor(workers=2, trial_timeout=1.0)``."""
    if kind == "ray":
        return tunesmith.RayWorkers
    kept = request.getfixturevalue("kept_local_workers")

    def local(**options):
        return kept if options == {"workers": 2} else tunesmith.LocalWorkers(**options)

    return local


def test_tune_runs_trials_at_once_and_the_driver_stores_them(executor, tmp_path):
    with tunesmith.tune(
        where_it_ran,
        max_trials=6,
        seed=0,
        directory=tmp_path,
        project_name="p",
        executor=executor(workers=2),
    ) as result:
        assert all(t.status is TrialStatus.COMPLETED for t in result.trials)
        pids = {t.metrics["pid"] for t in result.trials}
    assert len(pids) == 2 and os.getpid() not in pids
    with Store.open_read_only(tmp_path / "p") as store:
        assert len(store.load_trials()) == 6  # the driver wrote them all


def test_data_travel_once_per_worker_not_per_trial(executor, tmp_path):
    data = CountedData(tmp_path / "unpickled.log")

    def objective(hp):
        assert data.log.exists()
        return hp.Float("x", 0, 1)

    tunesmith.tune(objective, max_trials=6, seed=0, executor=executor(workers=2))
    assert (tmp_path / "unpickled.log").read_text() == "xx"


def test_a_stop_answer_reaches_the_trial_before_its_next_step(executor, tmp_path):
    oracle = StopAtStepTwo(objective=tunesmith.Objective("score", "min"), max_trials=3, seed=0)
    tuner = StopsWhenTold(
        oracle, directory=tmp_path, project_name="p", executor=executor(workers=2), verbose=0
    )
    tuner.search()
    trials = list(tuner.oracle.trials.values())
    assert len(trials) == 3
    assert all(t.score == 3.0 for t in trials)  # steps 0, 1, 2, then stopped
    assert all(len(tuner.store.load_curves(t.trial_id)) == 3 for t in trials)


def test_keras_trials_store_curves_and_their_weights_reach_the_project(executor, tmp_path):
    pytest.importorskip("keras")
    x, y = tiny_data(0)
    tuner = tunesmith.RandomSearch(
        tiny_model,
        objective="val_accuracy",
        max_trials=3,
        directory=tmp_path,
        project_name="k",
        executor=executor(workers=2),
        verbose=0,
    )
    tuner.search(x[:60], y[:60], validation_data=(x[60:], y[60:]), epochs=3)
    trials = list(tuner.oracle.trials.values())
    assert [t.status for t in trials] == [TrialStatus.COMPLETED] * 3
    assert all(len(tuner.store.load_curves(t.trial_id)) == 3 for t in trials)
    best = tuner.get_best_models(1)[0]  # weights a worker wrote, loaded here
    assert best.predict(x[:2], verbose=0).shape == (2, 1)


def test_hyperband_promotions_continue_from_their_parents_checkpoint(executor, tmp_path):
    pytest.importorskip("keras")
    x, y = tiny_data(1)
    tuner = tunesmith.Hyperband(
        tiny_model,
        objective="val_loss",
        max_epochs=4,
        factor=2,
        directory=tmp_path,
        project_name="hb",
        executor=executor(workers=2),
        verbose=0,
    )
    tuner.search(x[:60], y[:60], validation_data=(x[60:], y[60:]))
    trials = list(tuner.oracle.trials.values())
    assert trials and all(t.status is TrialStatus.COMPLETED for t in trials)
    promoted = [t for t in trials if "tuner/trial_id" in t.values]
    assert promoted, "Hyperband promoted nothing"
    for trial in promoted:
        # Only its new epochs: without the parent's checkpoint it would start at 0.
        curve = tuner.store.load_curves(trial.trial_id)
        assert curve["step"].min() == trial.values["tuner/initial_epoch"]


def test_a_worker_killed_mid_trial_fails_that_trial_and_the_search_goes_on(
    executor, kind, tmp_path
):
    def killed_once_at(marker):
        # The marker's path travels in the function: a Ray actor does not inherit
        # this process's environment.
        def objective(hp):
            os.environ["TUNESMITH_TEST_MARKER"] = marker
            return killed_once(hp)

        return objective

    retried = tunesmith.tune(
        killed_once_at(str(tmp_path / "marker")),
        max_trials=4,
        seed=0,
        max_retries_per_trial=1,
        executor=executor(workers=2),
    )
    assert [t.status for t in retried.trials] == [TrialStatus.COMPLETED] * 4
    assert sum(t.attempts > 1 for t in retried.trials) == 1  # run again, then completed
    no_retry = tunesmith.tune(
        killed_once_at(str(tmp_path / "marker2")),
        max_trials=3,
        seed=0,
        max_consecutive_failed_trials=3,
        executor=executor(workers=2),
    )
    failed = [t for t in no_retry.trials if t.status is TrialStatus.FAILED]
    assert len(failed) == 1 and DEATH[kind] in failed[0].error
    assert sum(t.status is TrialStatus.COMPLETED for t in no_retry.trials) == 2


def test_a_trial_past_its_timeout_fails_and_a_fresh_worker_goes_on(executor):
    started = time.monotonic()
    oracle = tunesmith.oracles.RandomSearchOracle(
        objective=tunesmith.Objective("objective", "min"),
        max_trials=2,
        max_consecutive_failed_trials=5,
    )
    # Both trials time out: the search ends having failed every trial, which raises.
    with pytest.raises(TooManyFailedTrialsError, match="All 2 trials failed"):
        tunesmith.tune(
            sleeps, algorithm=oracle, verbose=1, executor=executor(workers=2, trial_timeout=1.0)
        )
    assert time.monotonic() - started < 25
    assert len(oracle.trials) == 2
    assert all("trial_timeout=1 s" in t.error for t in oracle.trials.values())


def test_a_fatal_error_in_a_worker_stops_the_search_with_its_own_type(executor):
    with pytest.raises(FatalValueError, match="wrong for every trial"):
        tunesmith.tune(fatal, max_trials=4, executor=executor(workers=2))


def test_a_sklearn_tuner_runs_in_workers_and_its_best_model_loads(executor, tmp_path):
    from sklearn import datasets, ensemble, model_selection

    x, y = datasets.load_iris(return_X_y=True)

    def build(hp):
        return ensemble.RandomForestClassifier(
            n_estimators=hp.Int("n", 5, 20), max_depth=hp.Int("depth", 1, 4), random_state=0
        )

    tuner = tunesmith.SklearnTuner(
        oracle=tunesmith.oracles.RandomSearchOracle(
            objective=tunesmith.Objective("score", "max"), max_trials=4, seed=0
        ),
        hypermodel=build,
        cv=model_selection.StratifiedKFold(3),
        directory=tmp_path,
        project_name="sk",
        executor=executor(workers=2),
        verbose=0,
    )
    tuner.search(x, y)
    assert [t.status for t in tuner.oracle.trials.values()] == [TrialStatus.COMPLETED] * 4
    assert tuner.get_best_models(1)[0].predict(x[:3]).shape == (3,)  # pickled by a worker


@pytest.mark.parametrize("tuner_class", ["BayesianOptimization", "GridSearch", "ASHA"])
def test_every_keras_tuner_runs_its_trials_in_workers(tuner_class, tmp_path):
    pytest.importorskip("keras")
    x, y = tiny_data(2)
    budget = {"max_epochs": 4} if tuner_class == "ASHA" else {"max_trials": 4}
    tuner = getattr(tunesmith, tuner_class)(
        tiny_model,
        objective="val_loss",
        directory=tmp_path,
        project_name=tuner_class,
        executor=tunesmith.LocalWorkers(workers=2),
        verbose=0,
        **budget,
    )
    tuner.search(x[:60], y[:60], validation_data=(x[60:], y[60:]), epochs=2)
    trials = list(tuner.oracle.trials.values())
    assert len(trials) >= 4 and all(t.status is TrialStatus.COMPLETED for t in trials)
