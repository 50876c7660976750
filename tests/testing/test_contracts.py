"""tunesmith's own samplers, schedulers, storages and executors, through the contract
suites it ships (:mod:`tunesmith.testing`), as a user's own would be.

One class per implementation, each only naming its factory; a user's sampler written
here as a user would write one runs beside the ready-made ones.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tunesmith.execution import Inline, LocalWorkers, RayWorkers
from tunesmith.samplers import (
    BayesianSampler,
    GridSampler,
    Proposal,
    RandomSampler,
    Sampler,
    SamplingContext,
    random_untried,
)
from tunesmith.schedulers import ASHAScheduler, HyperbandScheduler
from tunesmith.space import config_key, is_tuner_value
from tunesmith.store import MemoryStore, Storage, Store
from tunesmith.testing import (
    ExecutorContract,
    SamplerContract,
    SchedulerContract,
    StorageContract,
)

# ------------------------------------------------------------------- samplers


class NearBestSampler(Sampler):
    """A user's sampler: random at first, then the best configuration so far with one
    hyperparameter drawn again."""

    name = "near_best"

    def sample(self, context: SamplingContext) -> Proposal:
        done = context.exhausted()
        if done is not None:
            return done
        sign = 1.0 if context.objective.direction == "min" else -1.0
        scored = [t for t in context.trials if t.has_valid_score]
        if len(scored) < 3:
            return random_untried(context)
        best = min(scored, key=lambda t: sign * t.score)
        rng = context.rng
        for _ in range(20):
            values = {k: v for k, v in best.values.items() if not is_tuner_value(k)}
            active = [hp for hp in context.space.space if hp.name in values]
            changed = active[int(rng.integers(len(active)))]
            values[changed.name] = changed.sample(rng)
            values = context.space.with_values(values).values  # conditions settle
            if config_key(values) not in context.tried:
                return values
        return random_untried(context)


class TestRandomSampler(SamplerContract):
    def make_sampler(self) -> Sampler:
        return RandomSampler()


class TestGridSampler(SamplerContract):
    def make_sampler(self) -> Sampler:
        return GridSampler()


class TestBayesianSampler(SamplerContract):
    def make_sampler(self) -> Sampler:
        return BayesianSampler(num_initial_points=3)


class TestNearBestSampler(SamplerContract):
    def make_sampler(self) -> Sampler:
        return NearBestSampler()


# ----------------------------------------------------------------- schedulers


class TestHyperbandScheduler(SchedulerContract):
    def make_scheduler(self) -> HyperbandScheduler:
        return HyperbandScheduler(max_epochs=9, factor=3)


class TestASHAScheduler(SchedulerContract):
    def make_scheduler(self) -> ASHAScheduler:
        return ASHAScheduler(max_epochs=9, factor=3)


# ------------------------------------------------------------------- storages


class TestStore(StorageContract):
    def make_storage(self, tmp_path: Path) -> Storage:
        return Store.open(tmp_path / "project")


class TestMemoryStore(StorageContract):
    def make_storage(self, tmp_path: Path) -> Storage:
        return MemoryStore()


# ------------------------------------------------------------------ executors


class TestInline(ExecutorContract):
    def make_executor(self) -> Inline:
        return Inline()


@pytest.mark.slow
class TestLocalWorkers(ExecutorContract):
    def make_executor(self) -> LocalWorkers:
        return LocalWorkers(workers=2)


@pytest.fixture(scope="class")
def local_ray() -> Iterator[None]:
    """One local Ray of 2 CPUs for a class (about 5 s to start)."""
    ray = pytest.importorskip("ray")
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        object_store_memory=150 * 2**20,
        log_to_driver=False,
        configure_logging=False,
    )
    yield
    ray.shutdown()


@pytest.mark.slow
@pytest.mark.usefixtures("local_ray")
class TestRayWorkers(ExecutorContract):
    def make_executor(self) -> RayWorkers:
        return RayWorkers(workers=2)
