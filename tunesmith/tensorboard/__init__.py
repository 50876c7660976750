"""TensorBoard logs on any Keras backend: epoch curves and the HParams dashboard.

Needs only the ``tensorboard`` package (``pip install "tunesmith[tensorboard]"``),
not TensorFlow. Importing this package imports neither tensorboard nor Keras; each
is imported when first used.

* :class:`TensorBoardLogger`: a Keras callback writing the epoch scalars of
  ``keras.callbacks.TensorBoard``, in the same layout, on JAX, PyTorch or TensorFlow.
  A tuner given ``keras.callbacks.TensorBoard(log_dir)`` without TensorFlow
  installed uses it in its place, per trial and execution.
* :func:`export_store`: a stored search as TensorBoard logs, after the fact.
* :class:`RunWriter`, :class:`EpochWriter`, :func:`experiment_summary`,
  :func:`write_trial`...: the writers both use.

Layout under a log root: the HParams experiment at the root, each trial's session
(values, status, score) in ``trial_<id>/``, its curves in
``trial_<id>/execution_<n>/train`` and ``/validation``.

Example:
    >>> import keras, tunesmith as kt
    >>> tuner = kt.RandomSearch(build_model, objective="val_loss", max_trials=10)  # doctest: +SKIP
    >>> tuner.search(x, y, validation_split=0.2, epochs=5,                        # doctest: +SKIP
    ...              callbacks=[keras.callbacks.TensorBoard("logs/search")])
    >>> from tunesmith.tensorboard import export_store
    >>> export_store(tuner.project_dir, "logs/exported")                          # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import Any

from tunesmith.tensorboard._deps import INSTALL_HINT, require_tensorboard, tensorflow_available
from tunesmith.tensorboard._events import EpochWriter, RunWriter, split_epoch_logs
from tunesmith.tensorboard._export import export_store
from tunesmith.tensorboard._hparams import (
    BEST_PREFIX,
    SCORE_TAG,
    execution_log_dir,
    experiment_summary,
    session_end_summary,
    session_start_summary,
    trial_run_name,
    write_experiment,
    write_trial,
)


def __getattr__(name: str) -> Any:
    # The callback's module imports Keras: loaded on first use.
    if name in ("TensorBoardLogger", "tensorflow_only_options"):
        return getattr(importlib.import_module("tunesmith.tensorboard._callback"), name)
    raise AttributeError(f"module 'tunesmith.tensorboard' has no attribute {name!r}")


__all__ = [
    "BEST_PREFIX",
    "INSTALL_HINT",
    "SCORE_TAG",
    "EpochWriter",
    "RunWriter",
    "TensorBoardLogger",
    "execution_log_dir",
    "experiment_summary",
    "export_store",
    "require_tensorboard",
    "session_end_summary",
    "session_start_summary",
    "split_epoch_logs",
    "tensorflow_available",
    "tensorflow_only_options",
    "trial_run_name",
    "write_experiment",
    "write_trial",
]
