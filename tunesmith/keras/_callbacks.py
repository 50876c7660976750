"""The callback a tuner adds to every fit: epoch reports and best-epoch weights."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import keras

from tunesmith.errors import FatalValueError, MissingObjectiveError, ObjectiveError
from tunesmith.objective import did_you_mean

if TYPE_CHECKING:
    from tunesmith.execution import TrialContext
    from tunesmith.trial import Trial


class TrialRecorder(keras.callbacks.Callback):
    """Reports each epoch to the trial's context and keeps the best epoch's weights.

    The weights are copied to host memory only when the objective improves, and
    written to disk once, when the trial ends (not at every improving epoch). A
    NaN or infinite loss ends the fit at once: the epochs after it are wasted.
    When the oracle answers "stop" (pruning), the fit ends and the trial is
    marked as stopped early.
    """

    def __init__(
        self, context: TrialContext, execution: int, total_epochs: int | None = None
    ) -> None:
        super().__init__()
        self.context = context
        self.trial: Trial = context.trial
        self.execution = execution
        self.total_epochs = total_epochs
        self.objective = context.objective
        self.best_value: float | None = None
        self.best_step: int | None = None
        self.best_logs: dict[str, float] = {}
        self.best_weights: list[Any] | None = None
        self.epochs_run = 0
        self.last_logs: dict[str, float] = {}
        self.stopped_by_oracle = False
        #: Why training diverged (a NaN or infinite loss), or None.
        self.diverged: str | None = None
        #: Why the objective was missing from the logs (None while it was found): a
        #: custom fit may compute the objective itself after the epochs.
        self.missing: str | None = None
        #: The model the fit ran on (Keras hands it to every callback of a fit): the
        #: one whose weights the trial keeps, whoever built it.
        self.fitted_model: Any = None
        #: Metrics the first epoch's logs must hold (a Pareto objective's, the
        #: constraints'): one missing stops the search after one epoch, not a trial.
        self.required: list[str] = []
        #: Whether the first epoch's logs must hold the objective (not where a custom
        #: fit computes it after the epochs, nor where validation skips epochs).
        self.check_objective = False
        #: Measures and checks a model built lazily (set by the tuner; None: not at all).
        self.check_model: Callable[[Any], None] | None = None

    def set_model(self, model: Any) -> None:
        super().set_model(model)
        self.fitted_model = model

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        logs = {k: float(v) for k, v in (logs or {}).items() if _is_scalar(v)}
        if not self.context.model_metrics and self.check_model is not None:
            # Built by fit itself: measured (and checked) once it exists.
            self.check_model(self.model)
        logs.update(self.context.model_metrics)
        if self.epochs_run == 0:
            self._require(logs)
            if self.check_objective:
                self._require_objective(logs)
        self.epochs_run += 1
        self.last_logs = logs
        try:
            value = self.objective.value_from(logs)
        except ValueError as exc:  # the message lists the logged metrics
            self.missing = str(exc)
            value = math.nan
            self._report(epoch, logs)
            if not math.isfinite(logs.get("loss", 0.0)):
                self._diverge(epoch, "loss", logs["loss"])
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
        go_on = self._report(epoch, logs)
        if not math.isfinite(logs.get("loss", 0.0)):
            self._diverge(epoch, "loss", logs["loss"])
        elif not math.isfinite(value):
            self.model.stop_training = True  # an objective that cannot improve any more
        elif not go_on:
            self.stopped_by_oracle = True
            self.model.stop_training = True

    def _require(self, logs: dict[str, float]) -> None:
        missing = [name for name in self.required if name not in logs]
        if missing:
            raise FatalValueError(
                f"{missing[0]!r}, an objective or a constraint of this search, is not "
                f"among the metrics the model logs ({', '.join(sorted(logs))})."
                f"{did_you_mean(missing[0], logs)} Every trial would train in vain: name "
                "a logged metric, or compile the model with it (metrics=[...])."
            )

    def _require_objective(self, logs: dict[str, float]) -> None:
        try:
            self.objective.value_from(logs)
        except ObjectiveError as exc:  # its message lists the logged metrics
            raise MissingObjectiveError(
                f"{exc} Stopped after the first epoch: every trial would train in vain."
            ) from None

    def _report(self, epoch: int, logs: dict[str, float]) -> bool:
        self.context.progress(self.execution, epoch, self.total_epochs, logs)
        return self.context.report(epoch, logs, execution=self.execution)

    def _diverge(self, epoch: int, name: str, value: float) -> None:
        """Training diverged: the epochs after it are wasted, and the trial is INVALID
        whatever its objective's best value was."""
        self.diverged = (
            f"Training diverged: {name} was {value} at epoch {epoch + 1}, so the trial "
            "cannot be ranked. Lower the learning rate, clip gradients, or check the data "
            "for NaNs."
        )
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
    def wanted(cls, tuner: Any, base: type) -> bool:
        """Whether ``tuner``'s class overrides one of ``base``'s epoch or batch hooks."""
        return any(getattr(type(tuner), name) is not getattr(base, name) for name in cls.HOOKS)

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.tuner.on_epoch_begin(self.trial, self.model, epoch, logs=logs)

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.tuner.on_epoch_end(self.trial, self.model, epoch, logs=logs)

    def on_train_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self.tuner.on_batch_begin(self.trial, self.model, batch, logs)

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self.tuner.on_batch_end(self.trial, self.model, batch, logs)
