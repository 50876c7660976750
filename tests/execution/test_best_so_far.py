"""The display's "best so far", kept up to date from ended trials, is the study's
own best at every moment: ties broken by the loss and the trial number, failed,
invalid, stopped and infeasible trials, retries and a max objective."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tunesmith import Constraint, HyperParameters
from tunesmith.execution._best_so_far import BestSoFar
from tunesmith.samplers import RandomSampler
from tunesmith.study import Study


@pytest.mark.parametrize("objective", ["val_loss", "val_accuracy"])
def test_best_so_far_is_the_studys_best_after_every_ask_and_tell(objective):
    hp = HyperParameters()
    hp.Float("x", 0.0, 1.0)
    study = Study(
        objective=objective,
        hyperparameters=hp,
        sampler=RandomSampler(),
        max_retries_per_trial=1,
        max_consecutive_failed_trials=1000,
        constraints=[Constraint("size", max=5)],
        seed=0,
    )
    best = BestSoFar(study)
    rng = np.random.default_rng(1)
    running = []
    for _ in range(300):
        if len(running) < 3:
            trial = study.ask()
            if trial is not None:
                running.append(trial)
        else:
            trial = running.pop(int(rng.integers(len(running))))
            move = int(rng.integers(7))
            value = float(rng.choice([0.1, 0.2, 0.3]))  # ties are common
            metrics = {
                objective: value,
                "val_loss": float(rng.choice([0.5, 0.6])),
                "size": float(rng.integers(10)),
            }
            if move in (0, 6):
                study.tell(trial, error="boom")  # retried once, then FAILED
            elif move == 1:
                study.tell(trial, {**metrics, objective: math.nan})  # INVALID
            elif move == 2:
                study.tell(trial, metrics, stopped_early=True)  # STOPPED
            else:
                study.tell(trial, metrics)  # some infeasible (size > 5)
        expected = study.get_best_trials(1)
        got = best.get()
        assert (got.trial_id if got else None) == (expected[0].trial_id if expected else None)
    assert best.get() is not None
    assert len(study.trials) > 60  # many ended, of every kind
    assert {t.status.value for t in study.trials.values()} >= {
        "COMPLETED",
        "FAILED",
        "INVALID",
        "STOPPED",
    }
