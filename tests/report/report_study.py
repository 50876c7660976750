"""A synthetic stored study for the report tests: real oracle, store and curves, no Keras."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tunesmith.objective import Objective
from tunesmith.oracles import RandomSearchOracle
from tunesmith.space import HyperParameters
from tunesmith.store import Store


def make_space() -> HyperParameters:
    hp = HyperParameters()
    hp.Int("units", 16, 256, step=16)
    hp.Float("learning_rate", 1e-4, 1e-1, sampling="log")
    hp.Choice("activation", ["relu", "tanh", "<b>elu</b>"])  # escaped in the page
    hp.Int("layers", 1, 3)
    with hp.conditional_scope("layers", [2, 3]):
        hp.Float("dropout", 0.0, 0.5, step=0.1)
    return hp


def make_study(
    project_dir: Path, trials: int = 12, epochs: int = 8, failed: int = 1, seed: int = 0
) -> Path:
    """``trials`` trials whose val_accuracy depends mostly on the learning rate."""
    rng = np.random.default_rng(seed)
    oracle = RandomSearchOracle(
        objective=Objective("val_accuracy", "max"),
        max_trials=max(trials, 1),
        seed=seed,
        hyperparameters=make_space(),
    )
    store = Store.open(project_dir, overwrite=True)
    try:
        oracle.attach_store(store)
        for number in range(trials):
            trial = oracle.ask()
            assert trial is not None
            if number < failed:
                oracle.tell(trial, error="ValueError: the model failed to build")
                continue
            values = trial.hyperparameters.values
            quality = 1.0 - abs(np.log10(values["learning_rate"]) + 2.5) / 3.0
            steps = np.arange(epochs)
            accuracy = 0.5 + 0.45 * quality * (1 - np.exp(-(steps + 1) / 3.0))
            val_accuracy = accuracy - 0.03 + rng.normal(0, 0.01, epochs)
            for step in steps:
                oracle.report(
                    trial,
                    int(step),
                    {
                        "loss": float(1.0 - accuracy[step]),
                        "accuracy": float(accuracy[step]),
                        "val_loss": float(1.05 - val_accuracy[step]),
                        "val_accuracy": float(val_accuracy[step]),
                    },
                )
            best = int(np.argmax(val_accuracy))
            oracle.tell(
                trial, {"val_accuracy": float(val_accuracy[best])}, best_step=best, epochs=epochs
            )
    finally:
        store.close()
    return project_dir
