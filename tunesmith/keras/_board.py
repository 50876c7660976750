"""What a Keras tuner does with TensorBoard callbacks: per-trial folders and HParams
(the Keras side; the event and HParams writing itself is in ``tunesmith.tensorboard``)."""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import keras

from tunesmith.tensorboard import (
    TensorBoardLogger,
    execution_log_dir,
    experiment_summary,
    require_tensorboard,
    tensorflow_available,
    tensorflow_only_options,
    write_experiment,
    write_trial,
)

if TYPE_CHECKING:
    from tunesmith.oracles import Oracle
    from tunesmith.trial import Trial

_CALLBACK_TYPES = (keras.callbacks.TensorBoard, TensorBoardLogger)


def is_tensorboard_callback(callback: Any) -> bool:
    """Whether ``callback`` writes TensorBoard logs (Keras' or ours)."""
    return isinstance(callback, _CALLBACK_TYPES)


def execution_callback(callback: Any, trial_id: str, execution: int) -> Any:
    """The TensorBoard callback of one execution: its own folder,
    ``<log_dir>/trial_<id>/execution_<n>``; without TensorFlow, Keras' callback
    (which cannot write summaries then) becomes a :class:`TensorBoardLogger`.

    ``callback`` is already this execution's copy; it is changed in place or replaced.
    """
    log_dir = execution_log_dir(callback.log_dir, trial_id, execution)
    if isinstance(callback, keras.callbacks.TensorBoard) and not tensorflow_available():
        return TensorBoardLogger.from_keras(callback, log_dir=log_dir)
    callback.log_dir = log_dir
    return callback


class SearchBoard:
    """Writes the HParams side of a search under each TensorBoard log root.

    Per trial, the session (values, status, score) goes to ``<root>/trial_<id>``, and
    the experiment (every hyperparameter with its domain, the metrics) to
    ``<root>``, rewritten whenever the space or the metrics grow. A trial is written
    once it has been told, i.e. when the next trial begins, when it ends (trials in
    parallel) or when the search ends: its values are complete then (a
    define-by-run build may add some) and its status is final. A trial sent back
    for a retry is written when its last attempt ends.

    Example:
        >>> board = SearchBoard.from_callbacks(callbacks, oracle)  # doctest: +SKIP
    """

    #: A tuner sent to a worker leaves it behind (the worker makes its own).
    stays_with_driver = True

    def __init__(self, roots: Iterable[str | os.PathLike[str]], oracle: Oracle) -> None:
        self.roots = [Path(root) for root in roots]
        self.oracle = oracle
        # Trials begun and not written yet, by id (several run at once with workers).
        self._pending: dict[str, Trial] = {}
        self._experiment: bytes | None = None
        # Every metric name told so far; a resumed search starts from the stored trials.
        self._metric_names: dict[str, None] = {}
        for trial in oracle.trials.values():
            self._metric_names.update(dict.fromkeys(trial.metrics or {}))

    @classmethod
    def from_callbacks(cls, callbacks: Iterable[Any] | None, oracle: Oracle) -> SearchBoard | None:
        """The board for the TensorBoard callbacks among ``callbacks``, or None if none.

        Raises ImportError (naming the install command) when ``tensorboard`` is
        missing, before any trial runs. Without TensorFlow, warns once about the
        callbacks' options that are ignored.
        """
        tensorboards = [cb for cb in callbacks or () if is_tensorboard_callback(cb)]
        if not tensorboards:
            return None
        require_tensorboard()
        if not tensorflow_available():
            ignored = sorted(
                {
                    option
                    for cb in tensorboards
                    if isinstance(cb, keras.callbacks.TensorBoard)
                    for option in tensorflow_only_options(cb)
                }
            )
            if ignored:
                warnings.warn(
                    "keras.callbacks.TensorBoard without TensorFlow: tunesmith writes its "
                    "epoch scalars itself, but these options need TensorFlow and are "
                    f"ignored: {', '.join(ignored)}.",
                    stacklevel=3,
                )
        return cls(dict.fromkeys(os.fspath(cb.log_dir) for cb in tensorboards), oracle)

    def trial_begin(self, trial: Trial) -> None:
        """Write the trials told by now, and remember this one."""
        self.flush()
        self._pending[trial.trial_id] = trial

    def flush(self) -> None:
        """Write every begun trial that has ended for good; keep the running ones."""
        # Still RUNNING: running in a worker, or sent back for a retry.
        for trial in [t for t in self._pending.values() if t.status.is_finished]:
            del self._pending[trial.trial_id]
            self._write(trial)

    def close(self) -> None:
        """Write the last trials; call when the search ends, however it ends (a trial
        interrupted while running is not written: the next search resumes it)."""
        self.flush()
        self._pending.clear()

    def _write(self, trial: Trial) -> None:
        self._metric_names.update(dict.fromkeys(trial.metrics or {}))
        objective = self.oracle.objective.name
        space = self.oracle.get_space().space
        # Compared without its creation time, so an unchanged experiment is not rewritten.
        key = experiment_summary(space, objective, self._metric_names, 0.0).SerializeToString()
        for root in self.roots:
            if key != self._experiment:
                write_experiment(root, experiment_summary(space, objective, self._metric_names))
            write_trial(root, trial, objective)
        self._experiment = key
