"""The callback a tuner adds to every fit: epoch reports and best-epoch weights."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import keras

if TYPE_CHECKING:
    from tunesmith.execution import SearchDisplay
    from tunesmith.oracles import Oracle
    from tunesmith.trial import Trial


class TrialRecorder(keras.callbacks.Callback):
    """Reports each epoch to the oracle and keeps the best epoch's weights in memory.

    The weights are copied to host memory only when the objective improves, and
    written to disk once, when the trial ends (not at every improving epoch). A
    NaN or infinite loss ends the fit at once: the epochs after it are wasted.
    When the oracle answers "stop" (pruning), the fit ends and the trial is
    marked as stopped early.
    """

    def __init__(
        self,
        oracle: Oracle,
        trial: Trial,
        execution: int,
        display: SearchDisplay | None = None,
        total_epochs: int | None = None,
    ) -> None:
        super().__init__()
        self.oracle = oracle
        self.trial = trial
        self.execution = execution
        self.display = display
        self.total_epochs = total_epochs
        self.objective = oracle.objective
        self.best_value: float | None = None
        self.best_step: int | None = None
        self.best_logs: dict[str, float] = {}
        self.best_weights: list[Any] | None = None
        self.epochs_run = 0
        self.last_logs: dict[str, float] = {}
        self.stopped_by_oracle = False
        self.diverged = False
        #: Why the objective was missing from the logs (None while it was found): a
        #: custom fit may compute the objective itself after the epochs.
        self.missing: str | None = None

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        logs = {k: float(v) for k, v in (logs or {}).items() if _is_scalar(v)}
        self.epochs_run += 1
        self.last_logs = logs
        try:
            value = self.objective.value_from(logs)
        except ValueError as exc:  # the message lists the logged metrics
            self.missing = str(exc)
            value = math.nan
            if self.display is not None:
                self.display.epoch_end(self.trial, self.execution, epoch, self.total_epochs, logs)
            self.oracle.report(self.trial, epoch, logs, execution=self.execution)
            if not math.isfinite(logs.get("loss", 0.0)):
                self.diverged = True
                self.model.stop_training = True
            return
        if math.isfinite(value) and (
            self.best_value is None or self.objective.better(value, self.best_value)
        ):
            self.best_value = value
            self.best_step = epoch
            self.best_logs = logs
            self.best_weights = self.model.get_weights()
        if self.best_value is None:
            self.best_logs = logs
        if self.display is not None:
            self.display.epoch_end(self.trial, self.execution, epoch, self.total_epochs, logs)
        go_on = self.oracle.report(self.trial, epoch, logs, execution=self.execution)
        if not math.isfinite(logs.get("loss", 0.0)) or not math.isfinite(value):
            self.diverged = True
            self.model.stop_training = True
        elif not go_on:
            self.stopped_by_oracle = True
            self.model.stop_training = True

    def restore_best_weights(self) -> None:
        if self.best_weights is not None:
            self.model.set_weights(self.best_weights)


def _is_scalar(value: Any) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


class TunerHooks(keras.callbacks.Callback):
    """Calls keras-tuner's per-epoch and per-batch hooks of a tuner subclass.

    Added to a fit only when the tuner overrides one of them: a callback with batch
    methods costs time on every batch even when they do nothing.
    """

    HOOKS = ("on_epoch_begin", "on_epoch_end", "on_batch_begin", "on_batch_end")

    def __init__(self, tuner: Any, trial: Trial) -> None:
        super().__init__()
        self.tuner = tuner
        self.trial = trial

    @classmethod
    def wanted(cls, tuner: Any) -> bool:
        from tunesmith.keras._tuner import Tuner

        return any(getattr(type(tuner), name) is not getattr(Tuner, name) for name in cls.HOOKS)

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.tuner.on_epoch_begin(self.trial, self.model, epoch, logs=logs)

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.tuner.on_epoch_end(self.trial, self.model, epoch, logs=logs)

    def on_train_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self.tuner.on_batch_begin(self.trial, self.model, batch, logs)

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self.tuner.on_batch_end(self.trial, self.model, batch, logs)
