"""keras-tuner's helpers for a ``run_trial`` that fits models on its own.

Code written against keras-tuner's ``engine.tuner_utils`` passes
:class:`SaveBestEpoch` to its own ``fit`` and reads what a fit returned (a
``History``, a number, a dict of metrics, or a list of those, one per execution)
with the functions below. The readers are thin names over
:func:`tunesmith.execution.to_trial_result`, the one reading tunesmith's tuners
use, so both agree on the best epoch and on averaging. tunesmith's own tuners need
none of this: their :class:`~tunesmith.keras._callbacks.TrialRecorder` keeps the
best weights in memory and writes them once.

Example:
    >>> from tunesmith import Objective
    >>> convert_to_metrics_dict([0.1, 0.3], Objective("val_loss", "min"))
    {'val_loss': 0.2}
    >>> average_metrics_dicts([{"loss": 1.0}, {"loss": 2.0, "mae": 0.5}])
    {'loss': 1.5, 'mae': 0.5}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import keras
import numpy as np

from tunesmith.execution import to_trial_result
from tunesmith.objective import Objective


def validate_trial_results(results: Any, objective: Objective, func_name: str) -> None:
    """Raise ``TypeError`` / ``ValueError`` naming ``func_name`` when ``results``
    is nothing a trial can be scored by."""
    to_trial_result(results, objective, func_name)


def convert_to_metrics_dict(results: Any, objective: Objective) -> dict[str, float]:
    """The metrics a result counts with: a ``History`` at its best epoch, a list
    averaged over its executions."""
    return to_trial_result(results, objective).metrics


def get_best_step(results: Any, objective: Objective) -> int:
    """The epoch of the best value (of the average over a list); 0 for a number or a dict."""
    return to_trial_result(results, objective).best_step


def average_metrics_dicts(metrics_dicts: Sequence[Mapping[str, float]]) -> dict[str, float]:
    """The mean of each metric over the dicts that hold it."""
    names = dict.fromkeys(name for metrics in metrics_dicts for name in metrics)
    return {name: float(np.mean([m[name] for m in metrics_dicts if name in m])) for name in names}


class SaveBestEpoch(keras.callbacks.Callback):
    """Writes the model's weights to ``filepath`` at every epoch that improves ``objective``.

    An epoch whose logs lack the objective's value (keras-tuner's default
    objective, scored from what ``run_trial`` returns) is always written, so the
    file then holds the last epoch.
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
