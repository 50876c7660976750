"""Small studies for the dashboard's tests, written by ``tune()``."""

from __future__ import annotations

from pathlib import Path

import tunesmith


def objective(hp, steps):
    """A cheap study with per-step curves: the loss falls faster near x = 0.3."""
    x = hp.Float("x", 0.0, 1.0)
    lr = hp.Float("lr", 1e-4, 1e-1, sampling="log")
    kind = hp.Choice("kind", ["a", "b"])
    loss = 1.0
    for step in range(steps.initial_epoch, steps.epochs or 5):
        loss = (x - 0.3) ** 2 + 1.0 / (step + 1) + (0.1 if kind == "a" else 0.0) + lr
        if not steps.report(step, {"loss": loss, "val_loss": loss * 1.1}):
            break
    return {"loss": loss, "val_loss": loss * 1.1}


def write_study(root: Path, name: str, trials: int = 12, **kwargs) -> Path:
    result = tunesmith.tune(
        objective,
        objective="val_loss",
        directory=str(root),
        project_name=name,
        max_trials=trials,
        seed=3,
        **kwargs,
    )
    result.close()  # gives the project back, as a search that has ended does
    return root / name
