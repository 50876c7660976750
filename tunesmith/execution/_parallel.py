"""The search loops that run trials in worker processes, for the tuners and ``tune()``.

The driver is the only process that talks to the oracle and writes the store: it
asks for as many trials as there are free workers, stores each epoch's report and
answers it (a pruner's stop reaches the trial before its next epoch), and ends each
trial when its result, its error or its worker's death comes back. A worker that
died is replaced, its trial FAILED (retried as ``max_retries_per_trial`` allows)
with the cause; Ctrl-C or an error of the search stops every worker.
"""

from __future__ import annotations

import inspect
import pickle
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from tunesmith.errors import (
    FailedTrialError,
    FatalError,
    FatalRuntimeError,
    InvalidArgumentError,
)
from tunesmith.execution._display import SearchDisplay
from tunesmith.execution._tasks import FunctionTask, TunerTask
from tunesmith.execution._workers import LocalWorkers, WorkerEvent, WorkerPool
from tunesmith.trial import Trial, TrialStatus

if TYPE_CHECKING:
    from tunesmith.oracles import Oracle

# How long the loop waits for a worker's message before it checks for timeouts.
_POLL_S = 0.5


def search_with_workers(
    tuner: Any, executor: LocalWorkers, fit_args: tuple, fit_kwargs: dict
) -> None:
    """``BaseTuner.search`` with ``executor=``: the same hooks, trials in parallel."""
    refuse_unshippable_data(fit_args, fit_kwargs)
    oracle, display = tuner.oracle, tuner.display
    with executor.pool(TunerTask(tuner, fit_args, fit_kwargs)) as pool:
        tuner.on_search_begin()
        display.search_begin(oracle)
        running: dict[int, Trial] = {}
        exhausted = False
        try:
            while True:
                for slot in pool.free_slots():
                    tuner.pre_create_trial()
                    trial = oracle.create_trial(f"{tuner.tuner_id}-{slot}")
                    if trial.status is TrialStatus.STOPPED:
                        exhausted = True
                        break
                    if trial.status is TrialStatus.IDLE:
                        break  # the oracle waits for a running trial to end
                    display.trial_begin(trial, oracle)
                    tuner.on_trial_begin(trial)
                    tuner._trial_started(trial)
                    pool.submit(slot, trial)
                    running[slot] = trial
                if not running:
                    if exhausted:
                        break
                    tuner._wait_while_idle(1)
                    continue
                for event in pool.wait(_POLL_S):
                    _tuner_event(tuner, pool, running, event)
        except KeyboardInterrupt:
            display.interrupted(None)
            raise
        finally:
            display.close()
    tuner.on_search_end()
    display.search_end(oracle, oracle.stop_reason)


def refuse_unshippable_data(fit_args: tuple, fit_kwargs: dict) -> None:
    """Data that cannot travel to a worker process, named before any worker starts.

    Example:
        >>> refuse_unshippable_data(((x for x in range(3)),), {})
        Traceback (most recent call last):
        ...
        tunesmith.errors.InvalidArgumentError: search() got a generator as argument 0, ...
    """
    named = [(f"argument {i}", value) for i, value in enumerate(fit_args)]
    named += [(f"{key}=", value) for key, value in fit_kwargs.items()]
    for where, value in list(named):
        if isinstance(value, tuple) and where == "validation_data=":
            named += [(f"validation_data[{i}]", part) for i, part in enumerate(value)]
    for where, value in named:
        kind = None
        if inspect.isgenerator(value) or isinstance(value, Iterator):
            kind = "a generator" if inspect.isgenerator(value) else "an iterator"
        elif type(value).__module__.startswith("tensorflow") and "Dataset" in type(value).__name__:
            kind = "a tf.data pipeline"
        if kind is not None:
            raise InvalidArgumentError(
                f"search() got {kind} as {where}, which cannot be sent to worker "
                "processes: each worker would need the same stream. Pass arrays (numpy, "
                "or a keras.utils.PyDataset that loads its own data), or build the input "
                "inside HyperModel.fit so each worker makes its own; or run without "
                "executor=."
            )


def _progress(
    event: WorkerEvent, trial: Trial, oracle: Oracle, display: SearchDisplay, pool: WorkerPool
) -> bool:
    """Handle a running trial's report or epoch line; False for any other event."""
    if event.kind == "report":
        execution, step, metrics = event.data
        pool.answer(event.slot, oracle.report(trial, step, metrics, execution=execution))
        return True
    if event.kind == "epoch":
        display.epoch_end(trial, *event.data)
        return True
    return False


def _tuner_event(tuner: Any, pool: WorkerPool, running: dict[int, Trial], event: WorkerEvent):
    trial = running[event.slot]
    oracle = tuner.oracle
    if _progress(event, trial, oracle, tuner.display, pool):
        return
    del running[event.slot]
    fatal = None
    if event.kind == "done":
        result, hyperparameters = pickle.loads(event.data[0])
        trial.hyperparameters = hyperparameters  # what the trial declared joins the space
        tuner._record(trial, result)
        trial.status = TrialStatus.COMPLETED
    else:
        kind, text, fatal = _failure(event)
        trial.status = TrialStatus.FAILED if kind in ("failed", "fatal") else TrialStatus.INVALID
        trial.message = text
    tuner.on_trial_end(trial)
    if oracle.ongoing_trials.get(f"{tuner.tuner_id}-{event.slot}") is trial:
        oracle.end_trial(trial)  # an on_trial_end override that did not call super()
    tuner._trial_finished(trial)
    tuner.display.trial_end(trial, oracle)
    if fatal is not None:
        raise fatal


def tune_with_workers(
    oracle: Oracle,
    function: Callable[[Any], Any],
    executor: LocalWorkers,
    display: SearchDisplay,
    checked: Callable[[Any], Any],
) -> None:
    """``tune()`` with ``executor=``: ask for a trial per free worker, tell as they end."""
    with executor.pool(FunctionTask(function, oracle.objective)) as pool:
        display.search_begin(oracle)
        running: dict[int, Trial] = {}
        try:
            while True:
                for slot in pool.free_slots():
                    if running and not oracle.hyperparameters.space:
                        # The function declares the space as it runs: until the first
                        # trial has, every other would get the same defaults.
                        break
                    trial = oracle.ask()
                    if trial is None:
                        break
                    display.trial_begin(trial, oracle)
                    pool.submit(slot, trial)
                    running[slot] = trial
                if not running:
                    break  # nothing runs and nothing more to ask for
                for event in pool.wait(_POLL_S):
                    _function_event(oracle, display, pool, running, event, checked)
        except KeyboardInterrupt:
            display.interrupted(None)
            raise
        finally:
            display.close()
    display.search_end(oracle, oracle.stop_reason)


def _function_event(
    oracle: Oracle,
    display: SearchDisplay,
    pool: WorkerPool,
    running: dict[int, Trial],
    event: WorkerEvent,
    checked: Callable[[Any], Any],
) -> None:
    trial = running[event.slot]
    if _progress(event, trial, oracle, display, pool):
        return
    del running[event.slot]
    if event.kind == "done":
        result, hyperparameters, stopped = pickle.loads(event.data[0])
        trial.hyperparameters = hyperparameters
        oracle.update_space(hyperparameters)
        try:
            oracle.tell(trial, checked(result), stopped_early=stopped)
        except FatalError as exc:
            oracle.tell(trial, error=exc)
            raise
    else:
        kind, text, fatal = _failure(event)
        # A FailedTrialError is not retried; the worker's traceback is the text.
        oracle.tell(trial, error=FailedTrialError(text) if kind == "failed" else text)
        if fatal is not None:
            raise fatal
    display.trial_end(trial, oracle)


def _failure(event: WorkerEvent) -> tuple[str, str, BaseException | None]:
    """(kind, traceback text, the exception to raise when it must stop the search)."""
    kind, text, error = _error_of(event)
    if kind != "fatal":
        return kind, text, None
    if not isinstance(error, BaseException):
        error = FatalRuntimeError(f"A trial stopped the search in its worker:\n{text}")
    return kind, text, error


def _error_of(event: WorkerEvent) -> tuple[str, str, BaseException | None]:
    """(kind, traceback text, the worker's exception when it could travel)."""
    if event.kind == "died":
        (cause,) = event.data
        return "error", f"{cause} A fresh worker takes the next trial.", None
    kind, text, pickled, _memory = event.data
    error = None
    if pickled is not None:
        try:
            error = pickle.loads(pickled)
        except Exception:
            error = None
    return kind, text, error if isinstance(error, BaseException) else None
