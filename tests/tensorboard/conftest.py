"""Fixtures of the TensorBoard tests: a real stored study, built without Keras."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from tunesmith.objective import Objective
from tunesmith.oracles import RandomSearchOracle
from tunesmith.store import Store


@pytest.fixture
def stored_project(tmp_path: Path) -> Path:
    """A study of 3 trials through the oracle's own path (report per epoch, then tell):
    two completed with 2 executions of 3 epochs, and one failed after one epoch."""
    from tb_helpers import make_space  # imports tensorboard, which some tests go without

    project = tmp_path / "project"
    oracle = RandomSearchOracle(
        objective=Objective("val_loss", "min"), max_trials=3, hyperparameters=make_space(), seed=3
    )
    with Store.open(project) as store:
        oracle.attach_store(store)
        for number in range(3):
            trial = oracle.ask()
            assert trial is not None
            if number == 2:
                oracle.report(trial, 0, {"loss": 0.9, "val_loss": math.nan})
                oracle.tell(trial, error=RuntimeError("out of memory"))
                continue
            for execution in range(2):
                for step in range(3):
                    loss = 1.0 / (step + 1) + 0.1 * number + 0.01 * execution
                    oracle.report(
                        trial,
                        step,
                        {"loss": loss, "accuracy": 1 - loss / 2, "val_loss": loss + 0.05},
                        execution=execution,
                    )
            val_loss = 1.0 / 3 + 0.1 * number + 0.005 + 0.05
            oracle.tell(
                trial,
                {"loss": val_loss - 0.05, "accuracy": 0.8, "val_loss": val_loss},
                best_step=2,
                executions=2,
                epochs=6,
            )
    return project
