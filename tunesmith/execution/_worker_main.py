"""The worker side of :class:`~tunesmith.execution.LocalWorkers`: one process, one trial
at a time, talking to the driver over a pipe.

A worker never opens the store nor sees the oracle: it runs the trial it is handed,
sends each epoch's report and waits for the driver's answer (go on, or stop: a
pruner's decision reaches the trial before its next epoch), and sends back the
result or the error. It exits when the driver stops it, when the pipe closes, or
within a second of the driver's death, so no worker outlives a killed search.

Messages, driver to worker: ``("task", bytes)`` once (cloudpickle of the task: the
hypermodel or function, and the fit data, so data travel once per worker; large
arrays as memory-mapped files),
``("trial", bytes)``, ``("answer", bool)``, ``("stop",)``. Worker to driver:
``("ready",)``, ``("report", execution, step, metrics)``, ``("epoch", execution,
epoch, epochs, logs)``, ``("done", bytes, rss_mb)``, ``("error", kind, text, bytes |
None, rss_mb)``.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Mapping
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tunesmith.execution._executor import TrialTask


def main(argv: list[str]) -> None:
    """``python -m tunesmith.execution._worker_main FD PARENT_PID``.

    A fresh interpreter (not ``multiprocessing``'s spawn, which would run the user's
    script again in every worker): the driver's objects arrive pickled, by value
    where they live in ``__main__``.
    """
    worker_main(Connection(int(argv[1])), int(argv[2]))


def worker_main(conn: Connection, parent_pid: int) -> None:
    """The worker's loop: load the task, then run trials until told to stop."""
    _watch_parent(parent_pid)
    import cloudpickle

    from tunesmith.errors import format_trial_error
    from tunesmith.execution._trial_run import limit_torch_memory, rss_mb, run_one

    def load(message: tuple[str, bytes, list[str], list[str]]) -> TrialTask | None:
        """The task a ``("task", ...)`` message carries, or None (the driver is told)."""
        _, payload, driver_path, driver_argv = message
        # The driver's import path, so what it pickled by reference imports here too,
        # and its argv, which the code of a script may read.
        sys.path[:0] = [entry for entry in driver_path if entry not in sys.path]
        sys.argv[:] = driver_argv
        try:
            loaded: TrialTask = cloudpickle.loads(payload)  # imports the framework
            limit_torch_memory()
        except BaseException as exc:
            conn.send(("error", "fatal", format_trial_error(exc), None, rss_mb()))
            return None
        conn.send(("ready",))
        return loaded

    task = load(conn.recv())
    if task is None:
        return
    channel = Channel(conn)
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return  # the driver is gone
        if message[0] == "stop":
            return
        if message[0] == "task":  # a worker kept alive gets the next search's task
            task = load(message)
            if task is None:
                return
            continue
        trial = cloudpickle.loads(message[1])
        outcome = run_one(task, trial, channel)
        conn.send(outcome)
        if outcome[0] == "error" and outcome[1] == "interrupted":
            return


class Channel:
    """What a running trial uses to talk to the driver."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def report(self, execution: int, step: int, metrics: Mapping[str, float]) -> bool:
        """Send one step's metrics; the driver's answer: whether to go on."""
        self.conn.send(("report", execution, step, dict(metrics)))
        answer = self.conn.recv()
        if answer[0] == "stop":  # the driver ends the search
            raise KeyboardInterrupt
        return bool(answer[1])

    def epoch(
        self, execution: int, epoch: int, epochs: int | None, logs: Mapping[str, float]
    ) -> None:
        self.conn.send(("epoch", execution, epoch, epochs, dict(logs)))


def _watch_parent(parent_pid: int) -> None:
    """Exit within a second of the driver's death, even in the middle of a fit."""

    def watch() -> None:
        while True:
            if os.getppid() != parent_pid:
                os._exit(3)
            time.sleep(0.5)

    threading.Thread(target=watch, name="tunesmith-parent-watch", daemon=True).start()


if __name__ == "__main__":
    main(sys.argv)
