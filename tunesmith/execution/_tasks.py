"""What a worker runs for a trial, and the stand-ins it uses for the driver's objects.

A worker gets a copy of the tuner whose oracle, store and display are replaced by
stand-ins: :class:`WorkerOracle` forwards each epoch's report to the driver and
returns its answer, :class:`TrialFiles` gives the trial folders (weights and
checkpoints are files in the project folder, written by the worker), and
:class:`WorkerDisplay` forwards epoch lines. ``run_trial`` itself is unchanged, so
a tuner subclass with its own ``run_trial`` runs in a worker as it runs here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from tunesmith.errors import StudyMismatchError
from tunesmith.execution._results import TrialResult
from tunesmith.execution._steps import call_objective
from tunesmith.objective import Objective
from tunesmith.store._paths import TRIALS_DIRNAME, check_trial_id
from tunesmith.trial import Trial

# The attributes of a tuner that stay with the driver (the worker gets stand-ins).
DRIVER_ONLY = ("oracle", "store", "display", "checkpoints", "_board", "executor", "logger")


class WorkerOracle:
    """The part of an oracle a running trial uses, forwarding reports to the driver."""

    def __init__(self, objective: Objective, max_epochs: int | None, channel: Any) -> None:
        self.objective = objective
        self.max_epochs = max_epochs
        self.channel = channel
        #: No trial is tracked here: the driver's oracle holds them all.
        self.trials: dict[str, Trial] = {}

    def report(
        self, trial: Trial, step: int, metrics: Mapping[str, float], execution: int = 0
    ) -> bool:
        return self.channel.report(execution, int(step), metrics)

    def full_training_epochs(self) -> int | None:
        """The driver's oracle's full-training epochs (promotions stop below them)."""
        return self.max_epochs

    def update_trial(self, trial_id: Any, metrics: Mapping[str, float], step: int = 0) -> str:
        """keras-tuner's older reporting call, forwarded as a report."""
        self.channel.report(0, int(step), metrics)
        return "RUNNING"


class WorkerDisplay:
    """The display calls a running trial makes, forwarded to the driver's display."""

    def __init__(self, channel: Any) -> None:
        self.channel = channel
        self.verbose = 0

    def epoch_end(
        self, trial: Trial, execution: int, epoch: int, epochs: int | None, logs: Mapping
    ) -> None:
        self.channel.epoch(execution, epoch, epochs, logs)


class TrialFiles:
    """The trial folders of a project, for a worker on the driver's machine."""

    read_only = False

    def __init__(self, project_dir: Path) -> None:
        self.project_dir = project_dir

    def trial_dir(self, trial_id: str) -> Path:
        path = self.project_dir / TRIALS_DIRNAME / check_trial_id(trial_id)
        path.mkdir(parents=True, exist_ok=True)
        return path


class FunctionTask:
    """``tune()``'s objective function, called with the trial's hyperparameters (and,
    when it takes them, the :class:`~tunesmith.execution.Steps` reporting to the driver)."""

    def __init__(self, function: Callable[..., Any], objective: Objective) -> None:
        self.function = function
        self.objective = objective

    def run(self, trial: Trial, channel: Any) -> tuple[Any, Any, bool]:
        from tunesmith.space import ConflictingDefinitionError

        try:
            result, stopped = call_objective(
                self.function,
                trial.hyperparameters,
                self.objective,
                lambda step, metrics: channel.report(0, step, metrics),
            )
        except ConflictingDefinitionError as exc:
            raise function_mismatch(exc) from exc
        return result, trial.hyperparameters, stopped


def function_mismatch(exc: Exception) -> StudyMismatchError:
    """The error for an objective function that defines a hyperparameter differently
    from the stored study (every trial would fail the same way)."""
    return StudyMismatchError(
        f"{exc} The objective function defines it differently from the study in the "
        "store: to start afresh, pass `overwrite=True`, or choose another project_name."
    )


class TunerTask:
    """A tuner's ``run_trial`` with the ``search()`` arguments, in a worker."""

    def __init__(self, tuner: Any, fit_args: tuple, fit_kwargs: dict) -> None:
        self.tuner = worker_copy(tuner)
        self.objective = tuner.oracle.objective
        self.max_epochs = tuner.oracle.full_training_epochs()
        self.project_dir = Path(tuner.project_dir).resolve()
        self.with_checkpoints = hasattr(tuner, "checkpoints")
        self.fit_args = fit_args
        self.fit_kwargs = fit_kwargs

    def run(self, trial: Trial, channel: Any) -> tuple[TrialResult | None, Any]:
        tuner = self.tuner
        tuner.oracle = WorkerOracle(self.objective, self.max_epochs, channel)
        tuner.store = TrialFiles(self.project_dir)
        tuner.display = WorkerDisplay(channel)
        tuner._board = None
        if self.with_checkpoints:
            from tunesmith.keras._fidelity import Checkpoints

            tuner.checkpoints = Checkpoints(tuner.store, tuner.oracle)
        results = tuner.run_trial(trial, *self.fit_args, **self.fit_kwargs)
        if results is not None and not isinstance(results, TrialResult):
            results = tuner._convert(results)  # a History cannot travel; its numbers can
        return results, trial.hyperparameters


def worker_copy(tuner: Any) -> Any:
    """A copy of ``tuner`` without what stays with the driver (store, oracle, display)."""
    clone = object.__new__(type(tuner))
    clone.__dict__.update(
        {name: value for name, value in tuner.__dict__.items() if name not in DRIVER_ONLY}
    )
    return clone
