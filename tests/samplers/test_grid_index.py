"""The grid sampler keeps its trials in grid order between asks instead of sorting
them all at every ask: its proposals must be the ones the sort gave."""

from __future__ import annotations

import itertools
import math
import random
from typing import Any

import pytest

from tunesmith import HyperParameters
from tunesmith.oracles import GridSearchOracle
from tunesmith.samplers import Exhausted, SamplingContext, Wait
from tunesmith.samplers._grid import _Counter, _ended_at
from tunesmith.space import config_key
from tunesmith.trial import TrialStatus


def sorted_grid_proposal(context: SamplingContext, float_grid_size: int = 10) -> Any:
    """The grid's proposal as it was computed before the index: every trial sorted at
    every ask (kept here as the reference)."""
    counter = _Counter(context.space.space, float_grid_size)
    trials = sorted(context.trials, key=lambda t: t.number)
    if not trials:
        return counter.first()
    keys = {t.trial_id: counter.key(t.values) for t in trials}
    tried = {config_key(t.values) for t in trials}
    ranked = sorted(trials, key=lambda t: (keys[t.trial_id], t.number))
    above = {low.trial_id: high for low, high in itertools.pairwise(ranked)}

    def successor_of(trial):
        candidate = counter.successor(trial.values)
        if candidate is None or config_key(candidate) in tried:
            return None
        higher = above.get(trial.trial_id)
        if higher is not None and counter.key(candidate) >= keys[higher.trial_id]:
            return None
        return candidate

    first = trials[0]
    ended = sorted(
        (t for t in trials if t.status.is_finished), key=lambda t: (_ended_at(t), t.number)
    )
    queue = [first, *ended]
    latest = trials[-1]
    if latest is first:
        offers = queue
    elif latest is trials[1]:
        offers = queue[1:]
    else:
        position = next(i for i, t in enumerate(ranked) if t is latest)
        source = ranked[position - 1] if position > 0 else None
        created = latest.started_at if latest.started_at is not None else math.inf
        if source is not None and source.status.is_finished and _ended_at(source) <= created:
            offers = queue[2 + next(i for i, t in enumerate(ended) if t is source) :]
        else:
            offers = queue[1 + sum(1 for t in ended if _ended_at(t) <= created) :]
    for trial in offers:
        if (candidate := successor_of(trial)) is not None:
            return candidate
    if (candidate := successor_of(ranked[-1])) is not None:
        return candidate
    if any(t.status is TrialStatus.RUNNING for t in trials):
        return Wait()
    return Exhausted("Every combination of the grid has been tried.")


def build(hp: HyperParameters) -> None:
    # A define-by-run build: "depth" and "dropout" exist only on some branches, and
    # are found by the first trial that takes them.
    if hp.Choice("kind", ["wide", "deep", "tall"]) == "deep":
        hp.Int("depth", 1, 3)
        if hp.Boolean("residual"):
            hp.Float("dropout", 0.0, 0.5, step=0.25)
    hp.Int("units", 8, 32, step=8)
    hp.Boolean("bias")


@pytest.mark.parametrize("seed", range(3))
def test_the_index_proposes_what_sorting_every_trial_proposed(seed):
    rng = random.Random(seed)
    declared = HyperParameters()
    declared.Choice("kind", ["wide", "deep", "tall"])
    oracle = GridSearchOracle(
        objective="loss", hyperparameters=declared, max_consecutive_failed_trials=1000
    )
    running: list[Any] = []
    compared = 0
    while True:
        width = rng.choice([1, 1, 2, 4, 7])  # workers come and go
        while len(running) < width:
            context = oracle.sampling_context()
            expected = sorted_grid_proposal(context)
            assert oracle.sampler.sample(context) == expected
            compared += 1
            trial = oracle.ask()
            if trial is None:
                assert not isinstance(expected, dict)
                break
            assert trial.values == expected
            running.append(trial)
        if not running:
            break
        trial = running.pop(rng.randrange(len(running)))  # ends in any order
        build(trial.hyperparameters)
        oracle.update_space(trial.hyperparameters)
        if rng.random() < 0.15:
            oracle.tell(trial, error="boom")
        else:
            oracle.tell(trial, rng.random())
    assert compared > 60  # a long history: every combination and the waits between
    assert oracle.stop_reason == "Every combination of the grid has been tried."
