"""Local worker processes: trials in parallel on one machine, one device or core share each.

The driver keeps the oracle and the store; :class:`WorkerPool` starts the workers
(fresh interpreters, never ``fork``: Keras and its backend hold threads and device
handles a forked child must not inherit; and not ``multiprocessing``'s spawn, which
runs the user's script again in every worker), hands each a trial at a time over a
socket pair and turns what they send into :class:`WorkerEvent` s for the search loop.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import ClassVar

from tunesmith.errors import InvalidArgumentError
from tunesmith.execution._devices import visible_gpus, worker_environments
from tunesmith.execution._executor import Responder, TrialTask, WorkerEvent
from tunesmith.execution._shared_arrays import ArrayFolder, pickle_sharing_arrays
from tunesmith.execution._trial_run import OutcomeMessage, outcome_event
from tunesmith.trial import Trial

_STARTUP_TIMEOUT_S = 300.0


@dataclass
class LocalWorkers:
    """Run trials in ``workers`` processes on this machine, one trial each at a time.

    Args:
        workers: How many trials run at once (default: one per GPU found with
            ``devices="auto"``, else 2).
        devices: ``"auto"`` (the GPUs ``CUDA_VISIBLE_DEVICES`` or ``nvidia-smi``
            shows; none means CPU), ``"cpu"``, or a list of GPU ids.
        trials_per_gpu: Workers sharing one GPU, each with an equal part of its memory.
        trial_timeout: Seconds after which a running trial is stopped and FAILED.
        max_worker_memory_mb: A worker whose memory passed this after a trial is
            replaced by a fresh one, so memory cannot grow over a long search.
        keep_alive: Keep the workers running between searches (a notebook, a script
            that searches several times): the next search sends them its task
            instead of starting fresh interpreters, which saves their start-up
            (importing the framework). :meth:`close` stops them; they stop with this
            process anyway.

    The hypermodel (or objective function), the callbacks and the data given to
    ``search()`` are sent to each worker once, with cloudpickle: functions defined
    in ``__main__`` or a notebook work; numpy arrays of 1 MiB or more go through a
    file each worker memory-maps (one copy in memory for all). Each worker's trials
    write their weights into the project folder themselves; only the driver writes
    the store.

    Example:
        >>> import tunesmith as kt
        >>> tuner = kt.RandomSearch(build_model, objective="val_accuracy", max_trials=20,
        ...                         executor=kt.LocalWorkers(workers=2))  # doctest: +SKIP
        >>> tuner.search(x, y, validation_data=(x_val, y_val), epochs=10)  # doctest: +SKIP
    """

    workers: int | None = None
    devices: str | Sequence[str] = "auto"
    trials_per_gpu: int = 1
    trial_timeout: float | None = None
    max_worker_memory_mb: float | None = None
    keep_alive: bool = False
    #: The idle workers kept between searches (``keep_alive=True``).
    _kept: list[_Worker | None] | None = field(default=None, init=False, repr=False, compare=False)
    #: A tuner sent to a worker leaves its executor behind.
    stays_with_driver: ClassVar[bool] = True

    def plan(self) -> list[dict[str, str]]:
        """Decide each worker's device and thread settings (no framework is imported)."""
        if self.devices == "auto":
            gpus = visible_gpus()
        elif self.devices == "cpu":
            gpus = []
        elif isinstance(self.devices, (list, tuple)):
            gpus = [str(d) for d in self.devices]
        else:
            raise InvalidArgumentError(
                f"devices={self.devices!r} is not understood: pass 'auto', 'cpu' or a list "
                "of GPU ids such as ['0', '1']."
            )
        workers = self.workers
        if workers is None:
            workers = len(gpus) * self.trials_per_gpu if gpus else 2
        try:
            return worker_environments(checked_workers(workers), gpus, self.trials_per_gpu)
        except ValueError as exc:
            raise InvalidArgumentError(str(exc)) from None

    def pool(self, task: TrialTask, respond: Responder) -> WorkerPool:
        """The workers that run ``task``'s trials for one search (a context manager);
        reports and progress lines go to ``respond``."""
        return WorkerPool(self, task, respond)

    def close(self) -> None:
        """Stop the workers kept alive between searches (nothing runs then)."""
        kept, self._kept = self._kept, None
        _stop_all(kept or [])

    def _take_kept(self, size: int) -> list[_Worker | None] | None:
        """The kept workers, if there are ``size`` of them (else they are stopped)."""
        kept, self._kept = self._kept, None
        if kept is not None and len(kept) != size:
            _stop_all(kept)
            return None
        return kept


@dataclass
class _Worker:
    process: subprocess.Popen[bytes]
    conn: Connection
    started: float | None = None  # when its current trial started


class WorkerPool:
    """The running workers of one search; use as a context manager.

    Example:
        >>> with WorkerPool(LocalWorkers(workers=2), task, respond) as pool:  # doctest: +SKIP
        ...     pool.submit(0, trial)
        ...     for event in pool.wait(1.0): ...
    """

    def __init__(self, executor: LocalWorkers, task: TrialTask, respond: Responder) -> None:
        self._respond = respond
        # Large arrays travel as memory-mapped files: one copy for all the workers.
        self._arrays = ArrayFolder()
        try:
            self._task = pickled_task(task, self._arrays)
        except BaseException:
            self._arrays.cleanup()
            raise
        self.executor = executor
        self._environments = executor.plan()
        self._workers: list[_Worker | None] = [None] * len(self._environments)
        self._busy: set[int] = set()

    @property
    def size(self) -> int:
        return len(self._workers)

    def __enter__(self) -> WorkerPool:
        kept = self.executor._take_kept(self.size) if self.executor.keep_alive else None
        # All start (or get the task) at once: each spends seconds loading it.
        launched = [self._launch(slot, kept[slot] if kept else None) for slot in range(self.size)]
        try:
            for slot, (process, conn) in enumerate(launched):
                self._handshake(slot, process, conn)
        except BaseException:
            for process, conn in launched:
                if process.poll() is None:
                    process.kill()
                    process.wait(5.0)
                conn.close()
            self._workers = [None] * self.size
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.executor.keep_alive and exc_info[0] is None and not self._busy:
            # Idle and well: kept for the next search (its task replaces this one's).
            self.executor._kept, self._workers = self._workers, [None] * self.size
            self._arrays.cleanup()  # the workers' memory maps stay valid
            return
        self.shutdown()

    def free_slots(self) -> list[int]:
        return [slot for slot in range(self.size) if slot not in self._busy]

    def submit(self, slot: int, trial: Trial) -> None:
        import cloudpickle

        worker = self._worker(slot)
        worker.conn.send(("trial", cloudpickle.dumps(trial)))
        worker.started = time.monotonic()
        self._busy.add(slot)

    def wait(self, timeout: float) -> Iterator[WorkerEvent]:
        """How the busy workers' trials ended within ``timeout`` seconds (maybe none);
        their reports and epoch lines meanwhile go to the responder, and a report's
        answer back to its worker.

        A worker's death closes its end of the socket: the driver reads it as the
        end of the stream, then collects the exit status.
        """
        conns = {self._worker(s).conn: s for s in self._busy}
        for handle in wait(list(conns), timeout=timeout):
            if not isinstance(handle, Connection):
                continue  # never: wait() returns some of the connections it is given
            slot = conns[handle]
            try:
                message = handle.recv()
            except (EOFError, OSError):
                yield self._death(slot)
                continue
            if message[0] in ("report", "epoch"):
                answer = self._respond(WorkerEvent(slot, message[0], tuple(message[1:])))
                if message[0] == "report":
                    self._worker(slot).conn.send(("answer", bool(answer)))
                continue
            yield self._ended(slot, message)
        yield from self._timeouts()

    def shutdown(self) -> None:
        """Stop every worker: politely, then by force after a few seconds."""
        _stop_all(self._workers)
        self._workers = [None] * self.size
        self._busy.clear()
        self._arrays.cleanup()

    # ------------------------------------------------------------------ internals
    def _worker(self, slot: int) -> _Worker:
        worker = self._workers[slot]
        if worker is None:
            raise RuntimeError(f"worker {slot} is not running")
        return worker

    def _ended(self, slot: int, message: OutcomeMessage) -> WorkerEvent:
        self._busy.discard(slot)
        self._worker(slot).started = None
        event = outcome_event(slot, message)
        limit = self.executor.max_worker_memory_mb
        if limit is not None and float(message[-1]) > limit:  # its memory, in MiB
            self._restart(slot)  # memory never grows without bound
        return event

    def _death(self, slot: int) -> WorkerEvent:
        worker = self._worker(slot)
        try:
            code = worker.process.wait(5.0)
        except subprocess.TimeoutExpired:  # the socket closed, yet it runs: end it
            worker.process.kill()
            code = worker.process.wait(5.0)
        self._busy.discard(slot)
        self._restart(slot)
        if code is not None and code < 0:
            try:
                cause = f"killed by {signal.Signals(-code).name}"
            except ValueError:
                cause = f"killed by signal {-code}"
            if -code == signal.SIGKILL:
                cause += " (by a user, or by the out-of-memory killer)"
        else:
            cause = f"exited with status {code}"
        return WorkerEvent(slot, "died", (f"The worker process running this trial {cause}.",))

    def _timeouts(self) -> Iterator[WorkerEvent]:
        limit = self.executor.trial_timeout
        if limit is None:
            return
        now = time.monotonic()
        for slot in sorted(self._busy):
            worker = self._worker(slot)
            if worker.started is not None and now - worker.started > limit:
                worker.process.kill()
                worker.process.wait(5.0)
                self._busy.discard(slot)
                self._restart(slot)
                yield WorkerEvent(
                    slot, "died", (f"The trial ran longer than trial_timeout={limit:g} s.",)
                )

    def _restart(self, slot: int) -> None:
        old = self._workers[slot]
        if old is not None:
            if old.process.poll() is None:
                with contextlib.suppress(OSError, ValueError):
                    old.conn.send(("stop",))
                _stop(old.process, 5.0)
            old.conn.close()
        self._workers[slot] = None
        self._start(slot)

    def _start(self, slot: int) -> None:
        self._handshake(slot, *self._launch(slot))

    def _launch(
        self, slot: int, kept: _Worker | None = None
    ) -> tuple[subprocess.Popen[bytes], Connection]:
        if kept is not None and kept.process.poll() is None:
            try:
                kept.conn.send(("task", self._task, list(sys.path), list(sys.argv)))
                return kept.process, kept.conn
            except (OSError, ValueError):
                _stop_all([kept])  # it died while kept: a fresh one instead
        # A fresh interpreter with its own environment: the device and thread settings
        # hold before it imports anything, and the user's script is not run again.
        ours, theirs = socket.socketpair()
        # Not pinned to cores: measured on 2 cores, pinning each of 2 workers to one
        # made a W1 search 23 % slower than letting the OS schedule them.
        command = [
            sys.executable,
            "-m",
            "tunesmith.execution._worker_main",
            str(theirs.fileno()),
            str(os.getpid()),
        ]
        process = subprocess.Popen(
            command, env={**os.environ, **self._environments[slot]}, pass_fds=[theirs.fileno()]
        )
        theirs.close()
        conn = Connection(ours.detach())
        conn.send(("task", self._task, list(sys.path), list(sys.argv)))
        return process, conn

    def _handshake(self, slot: int, process: subprocess.Popen[bytes], conn: Connection) -> None:
        """Wait for the worker's "ready" (it has loaded the task), or its error."""
        if not conn.poll(_STARTUP_TIMEOUT_S):
            process.kill()
            raise RuntimeError(f"Worker {slot} did not start within {_STARTUP_TIMEOUT_S:g} s.")
        try:
            message = conn.recv()
        except (EOFError, OSError):
            code = process.wait(10.0)
            raise RuntimeError(
                f"Worker {slot} exited while loading the task (status {code}); run the "
                "search without executor= to see the error in this process."
            ) from None
        if message[0] == "error":
            _stop(process, 5.0)
            raise InvalidArgumentError(
                f"Worker {slot} could not load what it must run (the hypermodel or "
                "function, the callbacks, the data): an import that works here may be "
                "missing in a fresh process, e.g. a module only on this session's path. "
                f"The worker's error:\n{message[2]}"
            )
        if message[0] != "ready":
            raise RuntimeError(f"Worker {slot} sent {message[0]!r} instead of 'ready'.")
        self._workers[slot] = _Worker(process, conn)


def checked_workers(workers: object) -> int:
    """``workers`` if it is a positive integer, else an error saying so."""
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise InvalidArgumentError(f"workers must be a positive integer, got {workers!r}.")
    return workers


def pickled_task(task: object, arrays: ArrayFolder | None = None) -> bytes:
    """``task`` as cloudpickle bytes (its large arrays as files of ``arrays``, if
    given), or an error naming what cannot travel and the way out."""
    import cloudpickle

    try:
        if arrays is not None:
            return pickle_sharing_arrays(task, arrays)
        pickled: bytes = cloudpickle.dumps(task)  # cloudpickle ships no types
        return pickled
    except OSError:
        raise  # no room for the arrays: the message says so
    except Exception as exc:
        raise unshippable(exc) from exc


def unshippable(exc: BaseException) -> InvalidArgumentError:
    """The error for a task that cannot be pickled, naming the cause and the way out."""
    return InvalidArgumentError(
        f"What the workers must run cannot be sent to them ({type(exc).__name__}: "
        f"{exc}). Everything search() is given (the hypermodel, callbacks and "
        "data) is pickled with cloudpickle once per worker: an open file, a lock, a "
        "generator or a tf.data pipeline cannot be. Pass numpy arrays, or load the "
        "data inside HyperModel.fit; or run without executor=."
    )


def _stop_all(workers: Sequence[_Worker | None]) -> None:
    """Stop ``workers``: politely, then by force after a few seconds."""
    for worker in workers:
        if worker is None:
            continue
        with contextlib.suppress(OSError, ValueError):
            worker.conn.send(("stop",))
    deadline = time.monotonic() + 5.0
    for worker in workers:
        if worker is None:
            continue
        _stop(worker.process, max(0.0, deadline - time.monotonic()))
        worker.conn.close()


def _stop(process: subprocess.Popen[bytes], timeout: float) -> None:
    """Wait up to ``timeout`` seconds for ``process`` to exit, then kill it."""
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5.0)
