"""The ready-made tuners: an oracle and the Keras :class:`Tuner`, in one call."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from tunesmith.hypermodel import HyperModel
from tunesmith.keras._tuner import Tuner
from tunesmith.objective import Objective
from tunesmith.oracles import BayesianOptimizationOracle, GridSearchOracle, RandomSearchOracle
from tunesmith.pruners import Pruner
from tunesmith.samplers import DEFAULT_MAX_MODEL_POINTS
from tunesmith.space import HyperParameters


class RandomSearch(Tuner):
    """Random search over a Keras hypermodel, never repeating a configuration.

    Takes keras-tuner's arguments, plus ``pruner``: a
    :class:`~tunesmith.pruners.MedianPruner` or
    :class:`~tunesmith.pruners.SuccessiveHalvingPruner` (or ``"median"``,
    ``"successive_halving"``) stops unpromising trials after any epoch; they are
    stored ``STOPPED`` with their partial curve and ranked by the score they reached.
    The rest (``directory``, ``project_name``, ``overwrite``,
    ``executions_per_trial``...) go to :class:`Tuner`.

    Example:
        >>> tuner = RandomSearch(build_model, objective="val_accuracy", max_trials=5,
        ...                      directory="runs", project_name="w1")
        >>> tuner.search(x, y, epochs=30, validation_data=(x_val, y_val))  # doctest: +SKIP
        >>> best_model = tuner.get_best_models(1)[0]  # doctest: +SKIP
        >>> from tunesmith.pruners import MedianPruner
        >>> pruned = RandomSearch(build_model, objective="val_loss", max_trials=50,
        ...                       pruner=MedianPruner(n_startup_trials=5, n_warmup_steps=3))
    """

    def __init__(
        self,
        hypermodel: HyperModel | Callable[[HyperParameters], Any] | None = None,
        objective: str | Objective | None = None,
        max_trials: int = 10,
        seed: int | None = None,
        hyperparameters: HyperParameters | None = None,
        tune_new_entries: bool = True,
        allow_new_entries: bool = True,
        max_retries_per_trial: int = 0,
        max_consecutive_failed_trials: int = 3,
        pruner: Pruner | str | Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        oracle = RandomSearchOracle(
            objective=objective,
            max_trials=max_trials,
            seed=seed,
            hyperparameters=hyperparameters,
            tune_new_entries=tune_new_entries,
            allow_new_entries=allow_new_entries,
            max_retries_per_trial=max_retries_per_trial,
            max_consecutive_failed_trials=max_consecutive_failed_trials,
            pruner=pruner,
        )
        super().__init__(oracle, hypermodel, **kwargs)


class GridSearch(Tuner):
    """Tries every combination of the hyperparameters' values (up to ``max_trials``).

    Hyperparameters found during the search (a build or fit that registers new
    ones) are explored as keras-tuner does, giving the same number of trials: each
    trial's successor varies the last-registered name fastest, defaults first. A
    ``Float`` without ``step`` contributes its default plus ``float_grid_size`` values
    at the centres of equal bins of its scale.

    Example:
        >>> tuner = GridSearch(build_model, objective="val_loss", directory="runs",
        ...                    project_name="grid")
    """

    def __init__(
        self,
        hypermodel: HyperModel | Callable[[HyperParameters], Any] | None = None,
        objective: str | Objective | None = None,
        max_trials: int | None = None,
        seed: int | None = None,
        hyperparameters: HyperParameters | None = None,
        tune_new_entries: bool = True,
        allow_new_entries: bool = True,
        max_retries_per_trial: int = 0,
        max_consecutive_failed_trials: int = 3,
        float_grid_size: int = 10,
        **kwargs: Any,
    ) -> None:
        oracle = GridSearchOracle(
            objective=objective,
            max_trials=max_trials,
            seed=seed,
            hyperparameters=hyperparameters,
            tune_new_entries=tune_new_entries,
            allow_new_entries=allow_new_entries,
            max_retries_per_trial=max_retries_per_trial,
            max_consecutive_failed_trials=max_consecutive_failed_trials,
            float_grid_size=float_grid_size,
        )
        super().__init__(oracle, hypermodel, **kwargs)


class BayesianOptimization(Tuner):
    """Bayesian optimisation of a Keras hypermodel with a Gaussian process.

    Takes keras-tuner's arguments (``num_initial_points``, ``alpha``, ``beta``...)
    plus ``acquisition`` (``"auto"``, ``"logei"`` or ``"ucb"``), ``pruner`` (as
    for :class:`RandomSearch`) and ``max_model_points`` (the most results the
    Gaussian process is fitted on, 300; ``None`` for all); see
    :class:`~tunesmith.oracles.BayesianOptimizationOracle`. The rest
    (``directory``, ``project_name``, ``overwrite``, ``executions_per_trial``...) go
    to :class:`Tuner`.

    Example:
        >>> tuner = BayesianOptimization(build_model, objective="val_accuracy",
        ...                              max_trials=20, num_initial_points=5,
        ...                              directory="runs", project_name="bo")
        >>> tuner.search(x, y, epochs=30, validation_data=(x_val, y_val))  # doctest: +SKIP
    """

    def __init__(
        self,
        hypermodel: HyperModel | Callable[[HyperParameters], Any] | None = None,
        objective: str | Objective | None = None,
        max_trials: int = 10,
        num_initial_points: int | None = None,
        alpha: float = 1e-4,
        beta: float = 2.6,
        seed: int | None = None,
        hyperparameters: HyperParameters | None = None,
        tune_new_entries: bool = True,
        allow_new_entries: bool = True,
        max_retries_per_trial: int = 0,
        max_consecutive_failed_trials: int = 3,
        acquisition: str = "auto",
        pruner: Pruner | str | Mapping[str, Any] | None = None,
        max_model_points: int | None = DEFAULT_MAX_MODEL_POINTS,
        **kwargs: Any,
    ) -> None:
        oracle = BayesianOptimizationOracle(
            objective=objective,
            max_trials=max_trials,
            num_initial_points=num_initial_points,
            alpha=alpha,
            beta=beta,
            seed=seed,
            hyperparameters=hyperparameters,
            tune_new_entries=tune_new_entries,
            allow_new_entries=allow_new_entries,
            max_retries_per_trial=max_retries_per_trial,
            max_consecutive_failed_trials=max_consecutive_failed_trials,
            acquisition=acquisition,
            pruner=pruner,
            max_model_points=max_model_points,
        )
        super().__init__(oracle, hypermodel, **kwargs)
