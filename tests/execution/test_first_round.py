"""With a define-by-run space, the first round of trials fills every worker: names a
worker meets that the driver's space does not know yet are drawn there, seeded by the
trial, recorded like any value, and learnt by the space when the trial ends.

Each test runs with ``LocalWorkers`` and with ``RayWorkers`` (a local Ray of 2 CPUs).
"""

from __future__ import annotations

import time

import pytest
from worker_helpers import start_local_ray

import tunesmith
from tunesmith import HyperParameters
from tunesmith.space import Float, Int
from tunesmith.store import Store
from tunesmith.trial import TrialStatus

SECONDS = 1.5  # each trial's length: the first two overlap by nearly all of it


def declare(hp):
    """A build met for the first time in a worker: a choice, a conditional float, and
    a name only one branch meets."""
    kind = hp.Choice("kind", ["a", "b", "c"])
    with hp.conditional_scope("kind", "a"):
        lr = hp.Float("lr", 1e-4, 1e-1, sampling="log")
    if kind != "a":
        hp.Int("units", 8, 64)
    return lr if lr is not None else 0.5


def timed(hp):
    start = time.time()
    value = declare(hp)
    time.sleep(SECONDS)
    return {"objective": value, "start": start, "end": time.time()}


@pytest.fixture(scope="module")
def ray_session():
    pytest.importorskip("ray")
    ray = start_local_ray()
    yield
    ray.shutdown()


@pytest.fixture(params=["local", "ray"])
def executor(request):
    if request.param == "ray":
        request.getfixturevalue("ray_session")
        return tunesmith.RayWorkers(workers=2)
    return tunesmith.LocalWorkers(workers=2)


def replayed(seed: int, number: int) -> dict[str, object]:
    hp = HyperParameters()
    hp.draw_new_values((seed, number))
    declare(hp)
    return hp.values


def test_the_first_round_runs_on_every_worker_with_its_own_values(executor, tmp_path):
    with tunesmith.tune(
        timed,
        max_trials=4,
        seed=5,
        directory=tmp_path,
        project_name="p",
        executor=executor,
    ) as result:
        trials = result.trials
        space = {hp.name: hp for hp in result.oracle.hyperparameters.space}
    assert [t.status for t in trials] == [TrialStatus.COMPLETED] * 4
    first, second = trials[0], trials[1]
    # Both ran at once: the second started long before the first ended.
    overlap = min(first.metrics["end"], second.metrics["end"]) - max(
        first.metrics["start"], second.metrics["start"]
    )
    assert overlap > SECONDS / 2
    # Asked on an empty space, each drew all its values from its number.
    assert first.values == replayed(5, 0) and second.values == replayed(5, 1)
    assert first.values != second.values
    # The store has them, and the space learnt every name with its definition.
    with Store.open_read_only(tmp_path / "p") as store:
        assert [t.values for t in store.load_trials()] == [t.values for t in trials]
        stored = HyperParameters.from_config(store.load_study()["space"])
    assert {hp.name for hp in stored.space} == set(space)
    lr = space["lr"]
    assert isinstance(lr, Float) and (lr.min_value, lr.max_value, lr.sampling) == (
        1e-4,
        1e-1,
        "log",
    )
    assert [c.name for c in lr.conditions] == ["kind"]
    if "units" in space:  # met where a trial did not take "a"
        assert space["units"] == Int("units", 8, 64)


def fails_once(folder):
    """Fails the first attempt at each configuration (after declaring it): a retry
    that drew other values would fail again."""

    def objective(hp):
        value = declare(hp)
        marker = folder / repr(sorted(hp.values.items())).replace("/", "_")
        if not marker.exists():
            marker.write_text("failed once")
            raise RuntimeError("the first attempt fails")
        return value

    return objective


def test_a_retried_trial_draws_the_values_of_its_first_attempt(executor, tmp_path):
    folder = tmp_path / "markers"
    folder.mkdir()
    result = tunesmith.tune(
        fails_once(folder),
        max_trials=4,
        seed=2,
        max_retries_per_trial=1,
        max_consecutive_failed_trials=10,
        executor=executor,
    )
    assert [t.status for t in result.trials] == [TrialStatus.COMPLETED] * 4
    assert len(list(folder.iterdir())) == 4  # one first attempt per configuration
    assert result.trials[0].values == replayed(2, 0)
