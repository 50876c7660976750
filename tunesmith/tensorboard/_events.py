"""Event files: one TensorBoard run per folder, and Keras' train/validation layout of epochs."""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tunesmith.tensorboard._deps import require_tensorboard

#: The runs Keras' TensorBoard callback writes epoch metrics to, under its log_dir.
TRAIN_RUN = "train"
VALIDATION_RUN = "validation"
#: The tag prefix of epoch metrics (``epoch_loss``, ``epoch_accuracy``...), as Keras writes.
EPOCH_PREFIX = "epoch_"


class RunWriter:
    """Writes summaries to one event file in ``directory`` (one TensorBoard run).

    The file is created at the first write, so a run that logs nothing leaves no
    file. A run that starts at step 0 (``first_step``, by default the step of the
    first write) begins with a restart marker, from which TensorBoard's reader
    drops what earlier files of the folder hold: a trial run again after a crash
    shows one curve, not two. One that starts later (a fit continued from
    ``initial_epoch``) adds to them.

    Example:
        >>> with RunWriter("logs/run1") as writer:          # doctest: +SKIP
        ...     writer.scalar("epoch_loss", 0.42, step=0)
    """

    def __init__(
        self,
        directory: str | os.PathLike[str],
        filename_suffix: str = "",
        first_step: int | None = None,
    ) -> None:
        require_tensorboard()
        self.directory = Path(directory)
        self.filename_suffix = filename_suffix
        self.first_step = first_step
        self._file: Any = None  # an EventFileWriter, once something is written
        self._tags_seen: set[str] = set()

    @property
    def path(self) -> Path | None:
        """The event file, or None before the first write."""
        return None if self._file is None else Path(self._file._file_name)

    def scalar(self, tag: str, value: float, step: int, wall_time: float | None = None) -> None:
        """A scalar as ``tf.summary.scalar`` writes it (a float32 tensor, "scalars" plugin)."""
        from tensorboard.plugins.scalar.summary_v2 import scalar_pb

        summary = scalar_pb(tag, float(value))
        if tag in self._tags_seen:
            # As TensorFlow's writers do: the plugin metadata is read from the first
            # value of a tag only, so later values leave it out.
            summary.value[0].ClearField("metadata")
        self._tags_seen.add(tag)
        self.summary(summary, step, wall_time)

    def summary(self, summary: Any, step: int, wall_time: float | None = None) -> None:
        """Write a ``Summary`` proto at ``step``."""
        from tensorboard.compat.proto import event_pb2

        wall_time = time.time() if wall_time is None else wall_time
        if self._file is None:
            from tensorboard.summary.writer.event_file_writer import EventFileWriter

            self.directory.mkdir(parents=True, exist_ok=True)
            self._file = EventFileWriter(str(self.directory), filename_suffix=self.filename_suffix)
            if (step if self.first_step is None else self.first_step) == 0:
                # A marker at a later step would also drop values logged by another
                # axis (evaluation_* by iteration) that the continued run keeps.
                restart = event_pb2.SessionLog(status=event_pb2.SessionLog.START)
                self._file.add_event(
                    event_pb2.Event(wall_time=wall_time, step=0, session_log=restart)
                )
        self._file.add_event(event_pb2.Event(wall_time=wall_time, step=step, summary=summary))

    def flush(self) -> None:
        if self._file is not None:
            self._file.flush()

    def close(self) -> None:
        """Flush and close the file (idempotent); a later write opens a new file."""
        if self._file is not None:
            self._file.close()
            self._file = None
            self._tags_seen.clear()

    def __enter__(self) -> RunWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class EpochWriter:
    """Per-epoch metrics in the layout of ``keras.callbacks.TensorBoard``.

    Under ``log_dir``: training metrics go to the ``train`` run, ``val_*`` metrics to
    the ``validation`` run without their prefix, each tagged ``epoch_<name>`` at the
    epoch number, so ``loss`` and ``val_loss`` share one chart (``epoch_loss``).

    Example:
        >>> with EpochWriter("logs/trial_0000/execution_0") as writer:  # doctest: +SKIP
        ...     writer.write_epoch(0, {"loss": 0.7, "val_loss": 0.8})
    """

    def __init__(self, log_dir: str | os.PathLike[str], first_step: int | None = None) -> None:
        self.log_dir = Path(log_dir)
        # The validation run also holds values by iteration (evaluation_*): its first
        # value may be at a later step than the epoch the fit starts at.
        self.runs = {
            run: RunWriter(self.log_dir / run, first_step=first_step)
            for run in (TRAIN_RUN, VALIDATION_RUN)
        }

    def write_epoch(
        self, epoch: int, logs: Mapping[str, Any], wall_time: float | None = None
    ) -> None:
        """Write every scalar of ``logs`` at step ``epoch`` (None values are skipped)."""
        for run, metrics in split_epoch_logs(logs).items():
            for name, value in metrics.items():
                self.runs[run].scalar(EPOCH_PREFIX + name, value, epoch, wall_time)

    def flush(self) -> None:
        for run in self.runs.values():
            run.flush()

    def close(self) -> None:
        for run in self.runs.values():
            run.close()

    def __enter__(self) -> EpochWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def split_epoch_logs(logs: Mapping[str, Any]) -> dict[str, dict[str, float]]:
    """``{"train": {...}, "validation": {...}}``: logs split as Keras' callback splits them.

    Values that are not numbers are left out (NaN and infinities are kept: a
    diverging run is worth seeing).

    Example:
        >>> split_epoch_logs({"loss": 0.5, "val_loss": 0.6})
        {'train': {'loss': 0.5}, 'validation': {'loss': 0.6}}
    """
    out: dict[str, dict[str, float]] = {TRAIN_RUN: {}, VALIDATION_RUN: {}}
    for name, value in logs.items():
        number = _as_float(value)
        if number is None:
            continue
        if name.startswith("val_"):
            out[VALIDATION_RUN][name[len("val_") :]] = number
        else:
            out[TRAIN_RUN][name] = number
    return out


def keras_graph_summary(model_json: str) -> Any:
    """The summary Keras writes for ``write_graph``: the model's JSON config, which
    TensorBoard's Graphs tab draws as a conceptual graph (tag ``keras``, step 0)."""
    from tensorboard.compat.proto import summary_pb2
    from tensorboard.util import tensor_util

    metadata = summary_pb2.SummaryMetadata(
        plugin_data=summary_pb2.SummaryMetadata.PluginData(
            plugin_name="graph_keras_model", content=b"1"
        )
    )
    summary = summary_pb2.Summary()
    summary.value.add(
        tag="keras", metadata=metadata, tensor=tensor_util.make_tensor_proto(model_json)
    )
    return summary


def _as_float(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
