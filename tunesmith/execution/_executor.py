"""Where trials run: the executor interface, and the executor that runs them here.

An executor turns a task (what to run for a trial) into a pool of slots that run
one trial each. The search loop (:func:`~tunesmith.execution.run_study`) sees
executors only through this protocol, so :class:`Inline` (this process),
:class:`~tunesmith.execution.LocalWorkers` (worker processes) and
:class:`~tunesmith.execution.RayWorkers` (a Ray cluster), or a user's own, run
behind the same loop.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from tunesmith.errors import FailedTrialError, FatalError, SearchSpaceError, format_trial_error
from tunesmith.execution._context import Link
from tunesmith.space import InactiveHyperParameterError, UnknownHyperParameterError
from tunesmith.trial import Trial


@dataclass
class WorkerEvent:
    """Something a running trial sent, or how it ended, for the search loop.

    ``kind`` is ``"report"`` (``data``: execution, step, metrics; answered with
    whether to go on), ``"epoch"`` (execution, epoch, epochs, logs: a progress
    line), or how the trial ended: ``"done"`` (the task's return value),
    ``"error"`` (kind — ``fatal``, ``failed``, ``error`` or ``interrupted`` —, the
    traceback text, the exception when it could travel) or ``"died"`` (why its
    worker died).

    Example:
        >>> WorkerEvent(0, "died", ("The worker process exited with status 1.",)).kind
        'died'
    """

    slot: int
    kind: str
    #: What ``kind`` carries (see above): its parts differ from kind to kind.
    data: tuple[Any, ...] = ()


#: The loop's answer to a running trial's report or progress line: whether to go
#: on for a "report" event, None for an "epoch" event.
Responder = Callable[[WorkerEvent], "bool | None"]


@runtime_checkable
class TrialTask(Protocol):
    """What a pool runs for each trial: ``run(trial, link)`` returns a picklable value.

    ``link`` is how the running trial reaches the driver (see
    :class:`~tunesmith.execution.TrialContext`).
    """

    def run(self, trial: Trial, link: Link) -> object: ...


@runtime_checkable
class Pool(Protocol):
    """The slots of one search (a context manager; see :class:`Executor`)."""

    def free_slots(self) -> list[int]:
        """The slots that can take a trial now."""
        ...

    def submit(self, slot: int, trial: Trial) -> None:
        """Start ``trial`` in ``slot``."""
        ...

    def wait(self, timeout: float) -> Iterator[WorkerEvent]:
        """How trials ended within about ``timeout`` seconds: ``done``, ``error`` or
        ``died`` events (maybe none). Reports and progress lines that arrive
        meanwhile go to the responder, whose answer goes back to the trial."""
        ...

    def shutdown(self) -> None:
        """Stop every slot (also called on Ctrl-C and on errors)."""
        ...

    def __enter__(self) -> Pool: ...

    def __exit__(self, *exc_info: object) -> None: ...


@runtime_checkable
class Executor(Protocol):
    """Runs trials: ``executor.pool(task, respond)`` gives the slots of one search.

    The guarantees a pool gives the loop: a slot runs one trial at a time; every
    submitted trial ends in exactly one ``done``, ``error`` or ``died`` event
    (a timeout or a worker's death included); a report reaches the responder
    before the trial goes on, and the trial gets the responder's answer; nothing
    but the driver touches the study or writes the store. Pass one as
    ``executor=`` to a tuner or to :func:`tunesmith.tune`.

    Example:
        >>> isinstance(Inline(), Executor)
        True
    """

    def pool(self, task: TrialTask, respond: Responder) -> Pool: ...


class Inline:
    """Runs each trial in this process, one at a time (the default executor).

    The trial talks to the driver through direct calls, and an exception of the
    trial is caught here, so a failing trial ends as in a worker; Ctrl-C is not
    caught: it stops the search with the trial left running in the store.

    Example:
        >>> Inline().pool(task=None, respond=lambda event: True).free_slots()
        [0]
    """

    def pool(self, task: TrialTask, respond: Responder) -> InlinePool:
        return InlinePool(task, respond)

    def __repr__(self) -> str:
        return "Inline()"


class InlinePool:
    """The one slot of :class:`Inline`: ``wait`` runs the submitted trial to its end."""

    def __init__(self, task: TrialTask, respond: Responder) -> None:
        self._task = task
        self._respond = respond
        self._trial: Trial | None = None

    def __enter__(self) -> InlinePool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.shutdown()

    def free_slots(self) -> list[int]:
        return [] if self._trial is not None else [0]

    def submit(self, slot: int, trial: Trial) -> None:
        self._trial = trial

    def wait(self, timeout: float) -> Iterator[WorkerEvent]:
        trial, self._trial = self._trial, None
        if trial is None:
            return
        try:
            value = self._task.run(trial, DirectLink(self._respond))
        except Exception as exc:  # a trial's failure is an event, as in a worker
            yield WorkerEvent(0, "error", (error_kind(exc), format_trial_error(exc), exc))
        else:
            yield WorkerEvent(0, "done", (value,))

    def shutdown(self) -> None:
        self._trial = None


class DirectLink:
    """A trial's way to the driver in the driver's own process: direct calls."""

    def __init__(self, respond: Responder) -> None:
        self._respond = respond

    def report(self, execution: int, step: int, metrics: Mapping[str, float]) -> bool:
        return bool(self._respond(WorkerEvent(0, "report", (execution, step, dict(metrics)))))

    def epoch(
        self, execution: int, epoch: int, epochs: int | None, logs: Mapping[str, float]
    ) -> None:
        self._respond(WorkerEvent(0, "epoch", (execution, epoch, epochs, dict(logs))))


def error_kind(exc: BaseException) -> str:
    """How a trial's exception ends it: ``fatal`` (stops the search), ``failed`` (no
    retry), ``interrupted`` (Ctrl-C) or ``error`` (retried as allowed).

    A hyperparameter defined wrongly (``min > max``, an empty ``Choice``: a
    :class:`~tunesmith.errors.SearchSpaceError`) is fatal: the definition is the same
    in every trial, so trying again only delays its message. Reading a name that is
    unknown or inactive in this configuration is not: another may have it.

    Example:
        >>> error_kind(ValueError("bad")), error_kind(FailedTrialError("no"))
        ('error', 'failed')
        >>> error_kind(SearchSpaceError("units: min_value 64 > max_value 8"))
        'fatal'
    """
    if isinstance(exc, FatalError):
        return "fatal"
    if isinstance(exc, SearchSpaceError) and not isinstance(
        exc, (UnknownHyperParameterError, InactiveHyperParameterError)
    ):
        return "fatal"
    if isinstance(exc, FailedTrialError):
        return "failed"
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted"
    return "error"
