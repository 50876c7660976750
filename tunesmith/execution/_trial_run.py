"""Running one trial in a worker (local process or Ray actor), and what it reports.

Kept apart from ``_worker_main`` (which runs as ``__main__`` in a local worker) so
that a Ray actor and the local worker share it without importing that module.
"""

from __future__ import annotations

import os
import pickle
from typing import Literal, TypeAlias

from tunesmith.execution._context import Link
from tunesmith.execution._executor import TrialTask, WorkerEvent, error_kind
from tunesmith.trial import Trial

#: A worker's message for the driver while a trial runs: a report (execution, step,
#: metrics; answered with whether to go on) or a progress line (execution, epoch,
#: epochs, logs).
ProgressMessage: TypeAlias = (
    tuple[Literal["report"], int, int, dict[str, float]]
    | tuple[Literal["epoch"], int, int, int | None, dict[str, float]]
)
#: How a trial ended in a worker: ``("done", result bytes, rss_mb)`` or ``("error",
#: kind, traceback text, exception bytes or None, rss_mb)``.
OutcomeMessage: TypeAlias = (
    tuple[Literal["done"], bytes, float] | tuple[Literal["error"], str, str, bytes | None, float]
)


def run_one(task: TrialTask, trial: Trial, channel: Link) -> OutcomeMessage:
    """Run ``trial`` and say how it went, as the message for the driver.

    ``("done", result bytes, rss_mb)`` or ``("error", kind, traceback text,
    exception bytes or None, rss_mb)``, ``kind`` one of fatal, failed, error, or
    interrupted (a Ctrl-C that reached the worker).
    """
    import cloudpickle

    from tunesmith.errors import format_trial_error

    try:
        result = task.run(trial, channel)
        return ("done", cloudpickle.dumps(result), rss_mb())
    except BaseException as exc:  # everything goes back to the driver
        try:
            pickled = cloudpickle.dumps(exc)
        except Exception:
            pickled = None
        return ("error", error_kind(exc), format_trial_error(exc), pickled, rss_mb())


def outcome_event(slot: int, message: OutcomeMessage) -> WorkerEvent:
    """The driver's event for a worker's ``done`` or ``error`` message, decoded: the
    task's value, or (kind, traceback text, the exception when it could travel)."""
    if message[0] == "done":
        return WorkerEvent(slot, "done", (pickle.loads(message[1]),))
    _, kind, text, pickled, _memory = message
    error = None
    if pickled is not None:
        try:
            error = pickle.loads(pickled)
        except Exception:
            error = None
    return WorkerEvent(
        slot, "error", (kind, text, error if isinstance(error, BaseException) else None)
    )


def limit_torch_memory() -> None:
    """Hold PyTorch to the GPU share the driver set (JAX and TF read env variables)."""
    fraction = os.environ.get("TUNESMITH_TORCH_MEMORY_FRACTION")
    if not fraction or os.environ.get("KERAS_BACKEND") != "torch":
        return
    import torch

    if torch.cuda.is_available():
        torch.cuda.set_per_process_memory_fraction(float(fraction))


def rss_mb() -> float:
    """This process's resident memory now, in MiB (Linux; 0 elsewhere)."""
    try:
        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return 0.0
