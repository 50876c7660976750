"""The in-process search loop shared by the Keras tuners and :func:`tunesmith.tune`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from tunesmith.errors import FatalError, FatalRuntimeError
from tunesmith.execution._display import SearchDisplay
from tunesmith.oracles import Oracle
from tunesmith.trial import Trial


@dataclass
class TrialOutcome:
    """What running one trial produced, before the oracle ranks it.

    Attributes:
        result: The objective's value, or a dict of metrics that holds it.
        best_step: The step (epoch) of the best value, when there are steps.
        executions: How many times the trial was run (scores averaged).
        epochs: Epochs trained in all, over the executions.
        stopped_early: The oracle asked to stop the trial before its last step.
    """

    result: float | Mapping[str, float] | None
    best_step: int | None = None
    executions: int = 1
    epochs: int = 0
    stopped_early: bool = False


def run_search(
    oracle: Oracle,
    run_trial: Callable[[Trial], TrialOutcome],
    display: SearchDisplay | None = None,
) -> None:
    """Ask, run and tell until the oracle has nothing left to hand out.

    An exception from ``run_trial`` fails that trial (stored with its traceback) and
    the search goes on, until ``max_consecutive_failed_trials`` is reached. A
    :class:`FatalError` stops the search at once. Ctrl-C leaves the interrupted trial
    RUNNING in the store, so the next run resumes it.

    Trials run one at a time here, so an oracle is never left waiting for a running
    trial (``oracle.waiting``, which parallel workers handle by asking again after
    the next tell); if one ever is, that is a bug, and this raises
    :class:`~tunesmith.errors.FatalRuntimeError` rather than end the search early.
    """
    display = display or SearchDisplay(verbose=0)
    display.search_begin(oracle)
    trial: Trial | None = None
    try:
        while (trial := oracle.ask()) is not None:
            display.trial_begin(trial, oracle)
            try:
                outcome = run_trial(trial)
            except FatalError as exc:
                oracle.tell(trial, error=exc)
                raise
            except Exception as exc:  # a trial's failure must not end the search
                oracle.tell(trial, error=exc)
            else:
                oracle.tell(
                    trial,
                    outcome.result,
                    best_step=outcome.best_step,
                    executions=outcome.executions,
                    epochs=outcome.epochs,
                    stopped_early=outcome.stopped_early,
                )
            display.trial_end(trial, oracle)
    except KeyboardInterrupt:
        display.interrupted(trial)
        raise
    finally:
        display.close()
    if oracle.waiting:
        running = [t.trial_id for t in oracle.trials.values() if not t.status.is_finished]
        raise FatalRuntimeError(
            f"The {oracle.algorithm_name!r} oracle is waiting for running trials "
            f"({', '.join(running) or 'none'}) although this loop runs one trial at a "
            "time and has told every trial it asked for. This is a bug in the oracle; "
            "the stored trials are kept, and running the search again resumes it."
        )
    display.search_end(oracle, oracle.stop_reason)
