"""Tuning any Python function, no Keras needed."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from tunesmith.errors import FatalTypeError, InvalidArgumentError, StudyMismatchError
from tunesmith.execution import SearchDisplay, TrialOutcome, run_search
from tunesmith.objective import Objective, create_objective
from tunesmith.oracles import (
    BayesianOptimizationOracle,
    GridSearchOracle,
    Oracle,
    RandomSearchOracle,
)
from tunesmith.space import ConflictingDefinitionError, HyperParameters
from tunesmith.store import Store
from tunesmith.trial import Trial

_ALGORITHMS: dict[str, type[Oracle]] = {
    "random": RandomSearchOracle,
    "grid": GridSearchOracle,
    "bayesian": BayesianOptimizationOracle,
}


class TuneResult:
    """What :func:`tune` found: the oracle, its trials and, when stored, the store."""

    def __init__(self, oracle: Oracle, store: Store | None) -> None:
        self.oracle = oracle
        self.store = store

    @property
    def trials(self) -> list[Trial]:
        return sorted(self.oracle.trials.values(), key=lambda t: t.number)

    @property
    def best_trial(self) -> Trial | None:
        best = self.oracle.get_best_trials(1)
        return best[0] if best else None

    @property
    def best_score(self) -> float | None:
        return self.best_trial.score if self.best_trial else None

    @property
    def best_values(self) -> dict[str, Any]:
        return dict(self.best_trial.values) if self.best_trial else {}

    @property
    def best_hyperparameters(self) -> HyperParameters | None:
        return self.best_trial.hyperparameters if self.best_trial else None


def tune(
    objective_fn: Callable[[HyperParameters], float | Mapping[str, float]],
    *,
    max_trials: int | None = 20,
    objective: str | Objective | None = None,
    direction: str | None = None,
    algorithm: str | Oracle = "random",
    hyperparameters: HyperParameters | None = None,
    directory: str | os.PathLike[str] | None = None,
    project_name: str = "untitled_project",
    overwrite: bool = False,
    seed: int | None = None,
    max_retries_per_trial: int = 0,
    max_consecutive_failed_trials: int = 3,
    verbose: int = 0,
) -> TuneResult:
    """Minimise (or maximise) ``objective_fn(hp)`` over the hyperparameters it declares.

    ``direction`` is ``"min"`` (the default for an unnamed objective) or ``"max"``;
    for a named metric such as ``objective="accuracy"`` it is inferred.
    ``algorithm`` is ``"random"``, ``"grid"``, ``"bayesian"`` (a Gaussian process;
    see :class:`~tunesmith.oracles.BayesianOptimizationOracle`) or an oracle.

    The function declares its hyperparameters as a Keras build function does
    (``hp.Float(...)``, ``hp.Choice(...)``) and returns the objective's value, or a
    dict of metrics naming it. With ``directory`` set, every trial goes to a SQLite
    store at ``<directory>/<project_name>/`` and a second call resumes the study.

    Example:
        >>> def f(hp):
        ...     x = hp.Float("x", -5.0, 5.0)
        ...     return (x - 1.0) ** 2
        >>> result = tune(f, max_trials=30, seed=0)
        >>> abs(result.best_values["x"] - 1.0) < 1.0
        True
    """
    if isinstance(objective, Objective):
        target = objective
    elif direction is not None and not isinstance(objective, (str, type(None))):
        raise InvalidArgumentError(
            f"direction={direction!r} applies to one objective named by a string; for "
            "several, pass objective=[tunesmith.Objective(name, direction), ...] and no "
            "direction."
        )
    elif direction is not None:
        target = Objective(objective or "objective", direction)
    elif objective is None:
        target = Objective("objective", "min")
    else:
        target = create_objective(objective)
    if isinstance(algorithm, Oracle):
        oracle = algorithm
    else:
        if algorithm not in _ALGORITHMS:
            raise ValueError(
                f"Unknown algorithm {algorithm!r}; choose one of {sorted(_ALGORITHMS)} "
                "or pass an Oracle."
            )
        oracle = _ALGORITHMS[algorithm](
            objective=target,
            max_trials=max_trials,
            hyperparameters=hyperparameters,
            seed=seed,
            max_retries_per_trial=max_retries_per_trial,
            max_consecutive_failed_trials=max_consecutive_failed_trials,
        )
    store = None
    if directory is not None:
        store = Store.open(Path(directory) / project_name, overwrite=overwrite)
        oracle.attach_store(store)

    def run(trial: Trial) -> TrialOutcome:
        try:
            return TrialOutcome(result=_checked(objective_fn(trial.hyperparameters)))
        except ConflictingDefinitionError as exc:
            # Every trial would fail the same way: the function changed since the
            # stored study began (or defines one name twice).
            raise StudyMismatchError(
                f"{exc} The objective function defines it differently from the study "
                "in the store: to start afresh, pass `overwrite=True`, or choose another "
                "project_name."
            ) from exc
        finally:
            # Even a failing call declared hyperparameters the oracle must learn.
            oracle.update_space(trial.hyperparameters)

    run_search(oracle, run, SearchDisplay(verbose=verbose))
    return TuneResult(oracle, store)


def _checked(result: Any) -> Any:
    """The objective function's result, if it is a number or a dict of metrics."""
    if isinstance(result, Mapping) or (
        isinstance(result, (int, float, np.floating, np.integer)) and not isinstance(result, bool)
    ):
        return result
    raise FatalTypeError(
        f"The objective function returned a {type(result).__name__} ({result!r:.60}); it "
        "must return a number (the value to optimise) or a dict of metrics holding the "
        "objective."
    )
