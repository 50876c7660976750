"""A by-hand training loop for oracle tests: ask, report every epoch, tell."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from tunesmith.oracles import Oracle
from tunesmith.trial import Trial

Curve = Callable[[dict[str, Any], int], float]


def train(oracle: Oracle, trial: Trial, curve: Curve, epochs: int = 10) -> Trial:
    """Fit ``trial`` as the Keras tuner would: epochs ``tuner/initial_epoch`` to
    ``tuner/epochs - 1`` (else 0 to ``epochs - 1``), reporting each epoch's objective
    ``curve(values, epoch)``, stopping when the oracle says so, then telling the best."""
    values = trial.values
    first = int(values.get("tuner/initial_epoch", 0))
    last = int(values.get("tuner/epochs", epochs))
    name = oracle.objective.name
    best, best_step, stopped, trained = math.inf, None, False, 0
    for epoch in range(first, last):
        value = curve(values, epoch)
        trained += 1
        if best_step is None or oracle.objective.better(value, best):
            best, best_step = value, epoch
        if not oracle.report(trial, epoch, {name: value, "loss": value}):
            stopped = epoch < last - 1
            break
    return oracle.tell(
        trial,
        {name: best},
        best_step=best_step,
        epochs=trained,
        stopped_early=stopped,
    )


def run(oracle: Oracle, curve: Curve, epochs: int = 10, limit: int = 10_000) -> list[Trial]:
    """Ask, train and tell until the oracle is done; the trials in the order asked."""
    trials = []
    while (trial := oracle.ask()) is not None:
        trials.append(train(oracle, trial, curve, epochs))
        assert len(trials) < limit
    return trials


def schedule(trials: list[Trial]) -> list[tuple[Any, ...]]:
    """(bracket, round, epochs, initial_epoch, parent number or None) per trial."""
    numbers = {t.trial_id: t.number for t in trials}
    return [
        (
            t.values["tuner/bracket"],
            t.values["tuner/round"],
            t.values["tuner/epochs"],
            t.values["tuner/initial_epoch"],
            numbers.get(t.values.get("tuner/trial_id")),
        )
        for t in trials
    ]
