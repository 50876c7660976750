"""``kt.engine.tuner_utils``: keras-tuner's helpers for what ``run_trial`` returns.

They are thin names over tunesmith's own :func:`~tunesmith.execution.to_trial_result`,
for code written against keras-tuner's module; tunesmith's tuners use that directly.

Example:
    >>> from tunesmith import Objective
    >>> convert_to_metrics_dict([0.1, 0.3], Objective("val_loss", "min"))
    {'val_loss': 0.2}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import keras
import numpy as np

from tunesmith.execution import TrialResult, to_trial_result
from tunesmith.objective import Objective

__all__ = [
    "SaveBestEpoch",
    "TrialResult",
    "average_metrics_dicts",
    "convert_to_metrics_dict",
    "get_best_step",
    "to_trial_result",
    "validate_trial_results",
]


def validate_trial_results(results: Any, objective: Objective, func_name: str) -> None:
    """Raise ``TypeError`` / ``ValueError`` when ``results`` is not a valid trial result."""
    to_trial_result(results, objective, func_name)


def convert_to_metrics_dict(results: Any, objective: Objective) -> dict[str, float]:
    """The metrics a result counts with (a History at its best epoch; a list averaged)."""
    return to_trial_result(results, objective).metrics


def get_best_step(results: Any, objective: Objective) -> int:
    """The epoch of the best value (averaged over a list); 0 for a number or a dict."""
    return to_trial_result(results, objective).best_step


def average_metrics_dicts(metrics_dicts: Sequence[Mapping[str, float]]) -> dict[str, float]:
    """The mean of each metric over the dicts that hold it."""
    names = dict.fromkeys(name for metrics in metrics_dicts for name in metrics)
    return {name: float(np.mean([m[name] for m in metrics_dicts if name in m])) for name in names}


class SaveBestEpoch(keras.callbacks.Callback):
    """Save the model's weights at every epoch that improves ``objective``.

    The objective's value of each epoch is taken from its logs; with no value to
    compare (keras-tuner's default objective), every epoch is saved, so the file
    holds the last.
    """

    def __init__(self, objective: Objective, filepath: str) -> None:
        super().__init__()
        self.objective = objective
        self.filepath = filepath
        self._best: float | None = None

    def on_epoch_end(self, epoch: int, logs: Mapping[str, Any] | None = None) -> None:
        logs = dict(logs or {})
        if not self.objective.has_value(logs):
            self.model.save_weights(self.filepath)
            return
        value = float(self.objective.get_value(logs))
        if self._best is None or self.objective.better(value, self._best):
            self._best = value
            self.model.save_weights(self.filepath)
