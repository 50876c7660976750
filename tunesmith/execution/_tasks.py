"""What runs for each trial: an objective function (``tune()``) or a tuner's ``run_trial``.

A task is sent once to every worker (cloudpickled), or called in this process; for
each trial it builds the trial's :class:`~tunesmith.execution.TrialContext` over the
link it is given and returns ``(TrialResult or None, hyperparameters)``: the result,
and the hyperparameters the trial declared (they join the study's space).
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from tunesmith.constraints import Constraint, InfeasibleTrial
from tunesmith.errors import FatalTypeError, InvalidArgumentError, StudyMismatchError
from tunesmith.execution._context import Link, TrialContext
from tunesmith.objective import Objective
from tunesmith.space import ConflictingDefinitionError, HyperParameters
from tunesmith.study import Study, TrialResult, numbers_only
from tunesmith.trial import Trial

#: What a task returns for a trial.
TaskValue = tuple["TrialResult | None", HyperParameters]


class FunctionTask:
    """``tune()``'s objective function, called with the trial's hyperparameters (and,
    when it takes a second argument, the trial's context)."""

    def __init__(
        self,
        function: Callable[..., object],
        objective: Objective,
        project_dir: Path | None = None,
        max_epochs: int | None = None,
        constraints: Sequence[Constraint] = (),
    ) -> None:
        self.function = function
        self.objective = objective
        self.project_dir = project_dir
        self.max_epochs = max_epochs
        self.constraints = list(constraints)

    def _context(self, trial: Trial, link: Link) -> TrialContext:
        return trial_context(self, trial, link)

    def run(self, trial: Trial, link: Link) -> TaskValue:
        context = self._context(trial, link)
        try:
            args = (
                (trial.hyperparameters, context)
                if wants_steps(self.function)
                else (trial.hyperparameters,)
            )
            value = _call(
                self.function,
                args,
                {},
                "tune() calls the objective function as fn(hp), or fn(hp, steps) when it "
                "takes a second argument; give it that signature",
            )
        except InfeasibleTrial as infeasible:
            return TrialResult(metrics=infeasible.metrics, infeasible=True), trial.hyperparameters
        except ConflictingDefinitionError as exc:
            # Every trial would fail the same way: the function changed since the
            # stored study began (or defines one name twice).
            raise function_mismatch(exc) from exc
        # What check_model measured joins the metrics (objectives, constraints, tables).
        metrics = {**context.model_metrics, **self._metrics(value)}
        result = TrialResult(
            metrics=metrics,
            best_step=context.step_of(metrics.get(self.objective.name)),
            stopped_early=context.stopped,
        )
        return result, trial.hyperparameters

    def _metrics(self, value: object) -> dict[str, float]:
        """The function's value as metrics, if it is a number or a dict of them."""
        if isinstance(value, Mapping):
            return numbers_only(value)
        if isinstance(value, (int, float, np.floating, np.integer)) and not isinstance(value, bool):
            return {self.objective.name: float(value)}
        raise FatalTypeError(
            f"The objective function returned a {type(value).__name__} ({value!r:.60}); it "
            "must return a number (the value to optimise) or a dict of metrics holding the "
            "objective."
        )


def _call(
    function: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any], fix: str
) -> Any:
    """``function(*args, **kwargs)``; a ``TypeError`` raised by the call itself (the
    arguments do not fit the signature, so no line of the function ran) becomes a
    :class:`~tunesmith.errors.FatalTypeError`: every trial would fail the same way."""
    try:
        return function(*args, **kwargs)
    except TypeError as exc:
        # Raised inside the function, the traceback goes on into its frame; raised
        # by the call, it ends here.
        if exc.__traceback__ is None or exc.__traceback__.tb_next is not None:
            raise
        name = getattr(function, "__qualname__", None) or type(function).__name__
        raise FatalTypeError(
            f"Calling {name} failed: {exc}. {fix}. The same call fails in every trial, "
            "so the search stops."
        ) from exc


class RunsTrials(Protocol):
    """What a :class:`TunerTask` uses of its tuner (a ``tunesmith.tuners.BaseTuner``)."""

    @property
    def oracle(self) -> Study: ...

    @property
    def project_dir(self) -> str | os.PathLike[str]: ...

    def running(self, context: TrialContext) -> AbstractContextManager[None]: ...

    # The search() arguments are the user's: any values.
    def run_trial(self, trial: Trial, *fit_args: Any, **fit_kwargs: Any) -> object: ...

    def _convert(self, results: object) -> TrialResult: ...


class TunerTask:
    """A tuner's ``run_trial`` with the ``search()`` arguments.

    In this process it runs the driver's tuner; sent to a worker, a copy of it
    without what stays with the driver (see ``BaseTuner.__getstate__``), whose
    ``oracle`` and ``store`` are then the trial's context.
    """

    def __init__(
        self, tuner: RunsTrials, fit_args: tuple[Any, ...], fit_kwargs: dict[str, Any]
    ) -> None:
        self.tuner = tuner
        self.objective = tuner.oracle.objective
        self.max_epochs = tuner.oracle.full_training_epochs()
        self.project_dir = Path(tuner.project_dir).resolve()
        self.fit_args = fit_args
        self.fit_kwargs = fit_kwargs
        self.constraints = list(getattr(tuner.oracle, "constraints", ()))

    def _context(self, trial: Trial, link: Link) -> TrialContext:
        return trial_context(self, trial, link)

    def run(self, trial: Trial, link: Link) -> TaskValue:
        context = self._context(trial, link)
        tuner = self.tuner
        with tuner.running(context):
            try:
                results = _call(
                    tuner.run_trial,
                    (trial, *self.fit_args),
                    self.fit_kwargs,
                    "run_trial gets the trial and exactly the arguments search() was given; "
                    "define it as `def run_trial(self, trial, *args, **kwargs)`, or pass "
                    "search() only the arguments it takes",
                )
            except InfeasibleTrial as infeasible:
                return TrialResult(
                    metrics=infeasible.metrics, infeasible=True
                ), trial.hyperparameters
            if results is not None and not isinstance(results, TrialResult):
                results = tuner._convert(results)  # a History cannot travel; its numbers can
        return results, trial.hyperparameters


def trial_context(task: FunctionTask | TunerTask, trial: Trial, link: Link) -> TrialContext:
    """The context of ``trial`` run by ``task``, with its constraints."""
    return TrialContext(
        trial,
        link,
        task.objective,
        project_dir=task.project_dir,
        max_epochs=task.max_epochs,
        constraints=task.constraints,
    )


def wants_steps(function: Callable[..., object]) -> bool:
    """Whether ``function`` takes a second positional argument (the trial's context).

    Example:
        >>> wants_steps(lambda hp: 0.0), wants_steps(lambda hp, steps: 0.0)
        (False, True)
    """
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):  # a builtin or a C callable: called with hp only
        return False
    positional = [
        p
        for p in parameters
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty
    ]
    return len(positional) >= 2 or any(p.kind is p.VAR_POSITIONAL for p in parameters)


def function_mismatch(exc: Exception) -> StudyMismatchError:
    """The error for an objective function that defines a hyperparameter differently
    from the stored study (every trial would fail the same way)."""
    return StudyMismatchError(
        f"{exc} The objective function defines it differently from the study in the "
        "store: to start afresh, pass `overwrite=True`, or choose another project_name."
    )


def refuse_unshippable_data(fit_args: tuple[object, ...], fit_kwargs: Mapping[str, object]) -> None:
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
