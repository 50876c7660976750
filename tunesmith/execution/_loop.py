"""The one search loop: ask for a trial per free slot, run it on the executor, tell it.

Every search goes through :func:`run_study`: ``tune()`` and the tuners, in this
process, in local workers or on Ray. What differs is plugged in: the task (what
runs for a trial), the executor (where), the callbacks (what a person sees, the
TensorBoard board, checkpoint release, keras-tuner's hooks) and, for keras-tuner's
protocol, how a trial is asked for and ended (:class:`StudyProtocol`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TypeAlias

from tunesmith.errors import (
    FailedTrialError,
    FatalRuntimeError,
    StudyMismatchError,
    TooManyFailedTrialsError,
)
from tunesmith.execution._callback import Callback
from tunesmith.execution._context import Link
from tunesmith.execution._display import DisplayCallback, SearchDisplay
from tunesmith.execution._executor import Executor, Inline, TrialTask, WorkerEvent
from tunesmith.space import HyperParameters
from tunesmith.study import Study, TrialResult
from tunesmith.trial import Trial

#: What a task returns for a trial, as :meth:`StudyProtocol.done` ends it: the
#: result (anything :meth:`Study.tell` takes) and the hyperparameters it declared.
TaskOutcome: TypeAlias = tuple[TrialResult | float | Mapping[str, float] | None, HyperParameters]

# How long the loop waits for a trial's end before it checks for timeouts.
_POLL_S = 0.5


class StudyProtocol:
    """How the loop asks for a trial and ends it: the study's ``ask`` and ``tell``.

    keras-tuner's tuners replace it with ``create_trial`` and ``on_trial_end``.
    """

    def __init__(self, study: Study) -> None:
        self.study = study
        #: Set by :meth:`ask` when it returns None: whether the search is over (else
        #: nothing can start until a running trial ends).
        self.finished = False

    def ask(self, slot: int) -> Trial | None:
        """The next trial for ``slot``, or None (the study's ``waiting`` and
        ``stop_reason`` say why)."""
        trial = self.study.ask()
        self.finished = trial is None and not self.study.waiting
        return trial

    def wait_idle(self) -> None:
        """Nothing runs and nothing can start: a study that waits for running trials
        then has a bug; say so rather than end the search early or wait forever."""
        if self.study.waiting:
            running = [t.trial_id for t in self.study.trials.values() if not t.status.is_finished]
            raise FatalRuntimeError(
                f"The {self.study.algorithm_name!r} oracle is waiting for running trials "
                f"({', '.join(running) or 'none'}) although this search has ended every "
                "trial it started. This is a bug in the oracle; the stored trials are "
                "kept, and searching again resumes."
            )

    def done(self, trial: Trial, value: TaskOutcome) -> None:
        """End ``trial`` with what its task returned."""
        result, hyperparameters = value
        trial.hyperparameters = hyperparameters
        self.study.update_space(hyperparameters)
        self.study.tell(trial, result)

    def failed(self, trial: Trial, kind: str, text: str, error: BaseException | None) -> None:
        """End ``trial`` with its failure (``kind`` as in :class:`WorkerEvent`)."""
        # Even a failing call declared hyperparameters the study must learn (in this
        # process; a worker's are lost with it). A clash is the failure itself.
        with contextlib.suppress(StudyMismatchError):
            self.study.update_space(trial.hyperparameters)
        # A FailedTrialError is not retried, nor a fatal error; the worker's traceback
        # is the text.
        if kind == "fatal":
            self.study.tell(trial, error=text, retryable=False)
        else:
            self.study.tell(trial, error=FailedTrialError(text) if kind == "failed" else text)


def run_study(
    study: Study,
    task: TrialTask,
    executor: Executor | None = None,
    callbacks: Sequence[Callback] = (),
    protocol: StudyProtocol | None = None,
) -> None:
    """Ask for a trial per free slot, run each on ``executor``, end it when it ends.

    An exception in a trial fails that trial (stored with its traceback) and the
    search goes on, until ``max_consecutive_failed_trials`` in a row; a
    :class:`~tunesmith.errors.FatalError` is stored, then stops the search. A search
    that ends with every trial failed raises
    :class:`~tunesmith.errors.TooManyFailedTrialsError` quoting the last error. A worker
    that dies fails its trial (retried as ``max_retries_per_trial`` allows). Ctrl-C
    leaves the running trials RUNNING in the store, so the next search resumes them.
    While the study's space is still empty (a define-by-run function declares it as
    it runs), every free slot starts a trial when the study's trials draw the values
    of names new to the space (:attr:`~tunesmith.study.Study.samples_new_names`:
    random and Bayesian search); otherwise one trial runs at a time until the first
    ends, or every other would get the same defaults.
    """
    protocol = protocol or StudyProtocol(study)
    executor = executor or Inline()
    running: dict[int, Trial] = {}

    def respond(event: WorkerEvent) -> bool | None:
        trial = running[event.slot]
        if event.kind == "report":
            execution, step, metrics = event.data
            go_on = study.report(trial, step, metrics, execution=execution)
            for callback in callbacks:
                callback.on_trial_report(study, trial, execution, step, metrics)
            return go_on
        for callback in callbacks:
            callback.on_trial_progress(study, trial, *event.data)
        return None

    try:
        with executor.pool(task, respond) as pool:
            _each(callbacks, "on_search_begin", study)
            exhausted = False
            while True:
                for slot in pool.free_slots():
                    if running and not study.hyperparameters.space and not study.samples_new_names:
                        break
                    _each(callbacks, "before_ask", study)
                    trial = protocol.ask(slot)
                    if trial is None:
                        exhausted = protocol.finished
                        break
                    _each(callbacks, "on_trial_begin", study, trial)
                    pool.submit(slot, trial)
                    running[slot] = trial
                if not running:
                    if exhausted:
                        break
                    protocol.wait_idle()
                    continue
                for event in pool.wait(_POLL_S):
                    _end(study, protocol, callbacks, running.pop(event.slot), event)
    except KeyboardInterrupt:
        interrupted = next(iter(running.values()), None) if len(running) == 1 else None
        _each(callbacks, "on_interrupt", study, interrupted)
        # A fresh one, without the frames of the fit it cut (JAX's, Keras') or the
        # exceptions it interrupted: an uncaught Ctrl-C prints a few lines, after the
        # display's resume message. A second Ctrl-C above still ends the process.
        raise KeyboardInterrupt from None
    finally:
        _each(callbacks, "on_close", study)
    _each(callbacks, "on_search_end", study)
    # The same outcome at every verbosity: a search with no scored trial is an error.
    failed = study.all_failed()
    if failed:
        raise TooManyFailedTrialsError(failed)


def _end(
    study: Study,
    protocol: StudyProtocol,
    callbacks: Sequence[Callback],
    trial: Trial,
    event: WorkerEvent,
) -> None:
    fatal: BaseException | None = None
    if event.kind == "done":
        protocol.done(trial, event.data[0])
    else:
        if event.kind == "died":
            kind, text, error = (
                "error",
                f"{event.data[0]} A fresh worker takes the next trial.",
                None,
            )
        else:
            kind, text, error = event.data
        if kind == "fatal":
            fatal = (
                error
                if isinstance(error, BaseException)
                else FatalRuntimeError(f"A trial stopped the search in its worker:\n{text}")
            )
        try:
            protocol.failed(trial, kind, text, fatal or error)
        except TooManyFailedTrialsError:
            if fatal is None:
                raise  # else the fatal error itself says more, and is raised below
    _each(callbacks, "on_trial_end", study, trial)
    if fatal is not None:
        raise fatal


def _each(callbacks: Iterable[Callback], moment: str, *args: object) -> None:
    for callback in callbacks:
        getattr(callback, moment)(*args)


def run_search(
    oracle: Study,
    run_trial: Callable[[Trial], TrialResult | float | dict[str, float]],
    display: SearchDisplay | None = None,
) -> None:
    """Run ``run_trial(trial)`` for every trial of ``oracle``, in this process.

    A small front to :func:`run_study` for code that runs trials itself: what
    ``run_trial`` returns is told as the trial's result (a :class:`TrialResult`, the
    objective's value or a dict of metrics).

    Example:
        >>> from tunesmith import HyperParameters
        >>> from tunesmith.oracles import RandomSearchOracle
        >>> hp = HyperParameters(); _ = hp.Float("x", 0.0, 1.0)
        >>> oracle = RandomSearchOracle(objective="loss", max_trials=3, hyperparameters=hp)
        >>> run_search(oracle, lambda trial: trial.values["x"] ** 2)
        >>> len(oracle.trials)
        3
    """
    callbacks = [DisplayCallback(display)] if display is not None else []
    run_study(oracle, _CallTask(run_trial), Inline(), callbacks)


class _CallTask:
    def __init__(self, function: Callable[[Trial], TrialResult | float | dict[str, float]]) -> None:
        self.function = function

    def run(self, trial: Trial, link: Link) -> TaskOutcome:
        return self.function(trial), trial.hyperparameters
