"""The per-step side of a ``tune()`` objective function: its fidelity and its reports."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any

from tunesmith.objective import Objective
from tunesmith.space._tuner_values import EPOCHS, INITIAL_EPOCH


class Steps:
    """Given to an objective function that takes a second argument: where to train
    from and to, and a report after each step.

    ``initial_epoch`` and ``epochs`` are the trial's fidelity: under Hyperband or
    ASHA the steps to run (a promoted trial continues from ``initial_epoch``; a
    function that keeps no state trains from scratch up to ``epochs``); without a
    scheduler ``epochs`` is None and the function chooses. ``report(step, value)``
    records the objective (a number, or a dict of metrics holding it) at ``step``
    and answers whether to go on: with a pruner it may answer False, and the
    function then returns the value it has, which is stored as a stopped trial.

    Example:
        >>> import tunesmith
        >>> def objective(hp, steps):
        ...     lr = hp.Float("lr", 1e-3, 1.0, sampling="log")
        ...     loss = 1.0
        ...     for step in range(steps.initial_epoch, steps.epochs or 10):
        ...         loss *= 1.0 - lr
        ...         if not steps.report(step, loss):
        ...             break
        ...     return loss
        >>> result = tunesmith.tune(objective, max_trials=4, seed=0, pruner="median")
        >>> result.best_values["lr"] > 0.01
        True
    """

    def __init__(
        self,
        values: Mapping[str, Any],
        objective: Objective,
        report: Callable[[int, Mapping[str, float]], bool],
    ) -> None:
        self._objective = objective
        self._report = report
        epochs = values.get(EPOCHS)
        self.epochs: int | None = None if epochs is None else int(epochs)
        self.initial_epoch: int = int(values.get(INITIAL_EPOCH, 0))
        #: Whether a report answered that the trial should stop.
        self.stopped = False

    def report(self, step: int, value: float | Mapping[str, float]) -> bool:
        """Record the objective at ``step``; False when the trial should stop."""
        if isinstance(value, Mapping):
            metrics = {k: float(v) for k, v in value.items()}
        else:
            metrics = {self._objective.name: float(value)}
        go_on = bool(self._report(int(step), metrics))
        self.stopped = self.stopped or not go_on
        return go_on


def wants_steps(function: Callable[..., Any]) -> bool:
    """Whether ``function`` takes a second positional argument (the :class:`Steps`).

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


def call_objective(
    function: Callable[..., Any],
    hyperparameters: Any,
    objective: Objective,
    report: Callable[[int, Mapping[str, float]], bool],
) -> tuple[Any, bool]:
    """``function``'s result for these hyperparameters, and whether a report stopped it."""
    if not wants_steps(function):
        return function(hyperparameters), False
    steps = Steps(hyperparameters.values, objective, report)
    return function(hyperparameters, steps), steps.stopped
