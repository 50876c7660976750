"""The end of a trial, in one place: how a study records a result or a failure."""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING

from tunesmith.constraints import CONSTRAINT_PREFIX, constraint_values
from tunesmith.errors import (
    FailedTrialError,
    FatalError,
    InvalidArgumentError,
    TooManyFailedTrialsError,
    format_trial_error,
)
from tunesmith.objective import Pareto
from tunesmith.study._feasibility import (
    MAX_INFEASIBLE_IN_A_ROW,
    infeasible_in_a_row,
    infeasible_space_error,
    with_constraint_values,
)
from tunesmith.study._results import TrialResult, numbers_only
from tunesmith.trial import Trial, TrialStatus

if TYPE_CHECKING:
    from tunesmith.study._study import Study


def tell_trial(
    study: Study,
    trial: Trial,
    result: TrialResult | float | Mapping[str, float] | None = None,
    *,
    error: BaseException | str | None = None,
    best_step: int | None = None,
    executions: int | None = None,
    epochs: int | None = None,
    stopped_early: bool = False,
    retryable: bool | None = None,
) -> Trial:
    """End ``trial`` of ``study`` (what :meth:`Study.tell` does): COMPLETED,
    STOPPED or INVALID with its result, or FAILED / queued again with its error."""
    if trial.status.is_finished:
        raise InvalidArgumentError(
            f"Trial {trial.trial_id} already ended ({trial.status.value}, score "
            f"{trial.score}); a trial is told once. Ask for a new trial instead."
        )
    trial.ended_at = time.time()
    # Names new to the space drew their values while it ran (they are in its values
    # now); a build from the ended trial's hyperparameters gives other names defaults.
    trial.hyperparameters.draw_new_values(None)
    if error is not None:
        return _fail(study, trial, error, retryable)
    if isinstance(result, TrialResult) and result.infeasible:
        return _infeasible(study, trial, result.metrics)
    if isinstance(result, TrialResult):
        stopped_early = stopped_early or result.stopped_early
        best_step = result.best_step if best_step is None else best_step
        executions = result.executions if executions is None else executions
        epochs = result.epochs if epochs is None else epochs
        if result.diverged:
            trial.executions, trial.epochs = executions, epochs
            return _finish(
                study,
                trial,
                math.nan,
                result.metrics,
                best_step,
                stopped_early,
                invalid=result.diverged,
            )
        result = result.metrics
    if executions is not None:
        trial.executions = executions
    if epochs is not None:
        trial.epochs = epochs
    if result is None:
        return _fail(study, trial, "The trial ended without a result.", retryable)
    if isinstance(result, Mapping):
        metrics = numbers_only(result)
        try:
            name = study.objective.name  # a list of objectives has its combined value there
            score = metrics[name] if name in metrics else study.objective.value_from(metrics)
            if isinstance(study.objective, Pareto):
                study.objective.values_from(metrics)  # every objective, or the error
        except ValueError as exc:
            return _fail(study, trial, exc, retryable)
    else:
        score = float(result)
        metrics = {study.objective.name: score}
    if study.constraints:
        try:
            metrics = with_constraint_values(study.constraints, metrics, trial)
        except FatalError as exc:
            _fail(study, trial, exc, retryable=False)
            raise  # every trial would break the same way: the search stops
    return _finish(study, trial, score, metrics, best_step, stopped_early)


def _infeasible(study: Study, trial: Trial, measured: Mapping[str, float]) -> Trial:
    """Record a configuration whose model broke a limit before training."""
    metrics = numbers_only(measured)
    known = [
        c for c in study.constraints if c.before_training and all(m in metrics for m in c.metrics)
    ]
    metrics.update(constraint_values(known, metrics, trial))
    if not any(k.startswith(CONSTRAINT_PREFIX) and v > 0 for k, v in metrics.items()):
        return _fail(
            study,
            trial,
            "The trial was reported infeasible before training, but it breaks none of the "
            f"study's constraints ({study.constraints}); this is a bug in the tuner.",
            retryable=False,
        )
    trial.ended_at = trial.ended_at or time.time()
    trial.status, trial.score, trial.best_step = TrialStatus.INFEASIBLE, None, None
    trial.metrics, trial.error = metrics, None
    trial.executions = trial.epochs = 0
    study._save_trial(trial)
    study._ended(trial)
    streak = infeasible_in_a_row(reversed(study.trials.values()))  # number order
    if len(streak) >= MAX_INFEASIBLE_IN_A_ROW:
        raise infeasible_space_error(streak)
    return trial


def _finish(
    study: Study,
    trial: Trial,
    score: float,
    metrics: Mapping[str, float],
    best_step: int | None,
    stopped_early: bool,
    invalid: str | None = None,
) -> Trial:
    """Record a trial's result: COMPLETED, STOPPED, or INVALID (not finite, diverged)."""
    trial.ended_at = trial.ended_at or time.time()
    trial.score = score
    trial.metrics = dict(metrics)
    trial.best_step = best_step
    trial.stopped_early = stopped_early
    trial.error = None
    if invalid is None and not math.isfinite(score):
        invalid = (
            f"The objective {study.objective.name!r} was {score}: the trial cannot be "
            "ranked. Lower the learning rate, clip gradients, or check the data for NaNs."
        )
    if invalid is not None:
        trial.status, trial.error = TrialStatus.INVALID, invalid
    else:
        trial.status = TrialStatus.STOPPED if stopped_early else TrialStatus.COMPLETED
    study._consecutive_failures = 0
    study._save_trial(trial)
    study._ended(trial)
    return trial


def _fail(study: Study, trial: Trial, error: BaseException | str, retryable: bool | None) -> Trial:
    text = format_trial_error(error)
    trial.ended_at = trial.ended_at or time.time()
    if retryable is None:
        retryable = not isinstance(error, FailedTrialError)
    if retryable and trial.attempts <= study.max_retries_per_trial:
        # Back to the queue, and RUNNING in the store, so a crash before the
        # retry still runs it again on resume.
        trial.attempts += 1
        trial.status, trial.error = TrialStatus.RUNNING, text
        study._requeued.insert(0, trial.trial_id)
        study._save_trial(trial)
        study._forget_running(trial)
        return trial
    trial.status, trial.error, trial.score = TrialStatus.FAILED, text, None
    study._save_trial(trial)
    study._consecutive_failures += 1
    study._ended(trial)
    if study._consecutive_failures >= study.max_consecutive_failed_trials:
        raise TooManyFailedTrialsError(
            "Number of consecutive failures exceeded the limit of "
            f"{study.max_consecutive_failed_trials}: {study._consecutive_failures} trials "
            f"in a row failed (max_consecutive_failed_trials="
            f"{study.max_consecutive_failed_trials}); the search stops. The stored trials "
            "are kept. Last error:\n" + text
        )
    return trial
