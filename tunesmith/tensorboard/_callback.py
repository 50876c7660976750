"""A Keras callback writing TensorBoard's epoch scalars on any backend, without TensorFlow."""

from __future__ import annotations

import os
import time
import warnings
from typing import Any

import keras

from tunesmith.tensorboard._deps import require_tensorboard
from tunesmith.tensorboard._events import VALIDATION_RUN, EpochWriter, keras_graph_summary


class TensorBoardLogger(keras.callbacks.Callback):
    """Epoch metrics for TensorBoard, written with the ``tensorboard`` package alone.

    Writes what ``keras.callbacks.TensorBoard`` writes at epoch level, in the same
    layout, so dashboards look the same on JAX, PyTorch or TensorFlow:
    ``<log_dir>/train`` gets ``epoch_<metric>`` for the training metrics (and
    ``epoch_learning_rate`` when the optimizer has one), ``<log_dir>/validation``
    gets the ``val_`` metrics without the prefix, plus
    ``evaluation_<metric>_vs_iterations`` after each validation. ``write_graph``
    writes the model's conceptual graph (Sequential and functional models).
    Batch-level logging, weight histograms, images, profiling and embeddings need
    TensorFlow; use ``keras.callbacks.TensorBoard`` there.

    A tuner gives each trial's copy its own folder, ``<log_dir>/trial_<id>/execution_<n>``,
    and uses this logger in place of ``keras.callbacks.TensorBoard`` when TensorFlow
    is not installed.

    Example:
        >>> from tunesmith.tensorboard import TensorBoardLogger
        >>> model.fit(x, y, validation_split=0.2, epochs=10,       # doctest: +SKIP
        ...           callbacks=[TensorBoardLogger("logs/run1")])
        >>> # then: tensorboard --logdir logs
    """

    def __init__(
        self,
        log_dir: str | os.PathLike[str] = "logs",
        write_graph: bool = True,
        write_steps_per_second: bool = False,
    ) -> None:
        super().__init__()
        require_tensorboard()  # fail when the callback is made, not at the first epoch
        self.log_dir = os.fspath(log_dir)
        self.write_graph = write_graph
        self.write_steps_per_second = write_steps_per_second
        self._writer: EpochWriter | None = None
        self._epoch_start: tuple[float, int] | None = None

    @classmethod
    def from_keras(
        cls, callback: keras.callbacks.TensorBoard, **overrides: Any
    ) -> TensorBoardLogger:
        """The logger doing the epoch-level part of ``callback`` (TensorFlow-only options
        are dropped; see :func:`tensorflow_only_options`)."""
        settings = {
            "log_dir": callback.log_dir,
            "write_graph": callback.write_graph,
            "write_steps_per_second": callback.write_steps_per_second,
        }
        return cls(**{**settings, **overrides})

    # --------------------------------------------------------------- callbacks
    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self._close()

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if self._writer is None:
            # New files per fit, starting at its first epoch: a fit run again replaces
            # its curves, one continued from initial_epoch extends them.
            self._writer = EpochWriter(self.log_dir, first_step=epoch)
            if self.write_graph:
                self._write_graph(epoch)
        if self.write_steps_per_second:
            self._epoch_start = (time.perf_counter(), _iterations(self.model))

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        # On JAX, reading `self.model` syncs the training state into the model's
        # variables (the optimizer's too): once per epoch, not once per value.
        model = self.model
        logs = {**(logs or {}), **_learning_rates(model)}
        if self.write_steps_per_second and self._epoch_start is not None:
            started, iterations = self._epoch_start
            seconds = time.perf_counter() - started
            if seconds > 0:
                logs["steps_per_second"] = (_iterations(model) - iterations) / seconds
        writer = self._open()
        writer.write_epoch(epoch, logs)
        writer.flush()  # visible in a running TensorBoard at once

    def on_test_end(self, logs: dict[str, Any] | None = None) -> None:
        model = self.model
        if not logs or not hasattr(getattr(model, "optimizer", None), "iterations"):
            return
        run = self._open().runs[VALIDATION_RUN]
        step = _iterations(model)
        for name, value in logs.items():
            try:
                run.scalar(f"evaluation_{name}_vs_iterations", float(value), step)
            except (TypeError, ValueError):
                continue

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        self._close()

    # ---------------------------------------------------------------- helpers
    def _open(self) -> EpochWriter:
        if self._writer is None:  # evaluate() or predict() without a fit
            self._writer = EpochWriter(self.log_dir)
        return self._writer

    def _close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def _write_graph(self, step: int) -> None:
        # As Keras: only models whose config rebuilds them describe a graph.
        if type(self.model).__name__ not in ("Functional", "Sequential"):
            return
        try:
            model_json = self.model.to_json()
        except Exception as exc:  # a model that cannot be serialised must still train
            warnings.warn(f"Model failed to serialize as JSON. Ignoring... {exc}", stacklevel=2)
            return
        self._open().runs["train"].summary(keras_graph_summary(model_json), step)


def tensorflow_only_options(callback: keras.callbacks.TensorBoard) -> list[str]:
    """The options of ``callback`` that only TensorFlow can honour, as ``name=value``."""
    options = []
    if callback.histogram_freq:
        options.append(f"histogram_freq={callback.histogram_freq!r}")
    if callback.write_images:
        options.append("write_images=True")
    if callback.update_freq != "epoch":  # Keras stores "batch" as 1
        options.append(f"update_freq={callback.update_freq!r} (batch-level logging)")
    if getattr(callback, "_should_trace", False):
        options.append("profile_batch")
    if callback.embeddings_freq:
        options.append(f"embeddings_freq={callback.embeddings_freq!r}")
    return options


def _iterations(model: Any) -> int:
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None:
        return 0
    return int(keras.ops.convert_to_numpy(optimizer.iterations))


def _learning_rates(model: Any) -> dict[str, float]:
    """Keras' ``learning_rate`` logs: one per optimizer of a multi-optimizer."""
    optimizer = getattr(model, "optimizer", None)
    # A LossScaleOptimizer wraps the one that has the learning rate.
    optimizer = getattr(optimizer, "inner_optimizer", optimizer)
    if optimizer is not None and hasattr(optimizer, "optimizers"):
        return {
            f"learning_rate_{opt.name}": _to_float(opt.learning_rate)
            for opt in optimizer.optimizers
        }
    if isinstance(optimizer, keras.optimizers.Optimizer):
        return {"learning_rate": _to_float(optimizer.learning_rate)}
    return {}


def _to_float(value: Any) -> float:
    return float(keras.ops.convert_to_numpy(value))
