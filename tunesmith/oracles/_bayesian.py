"""Bayesian optimisation: the study with a Gaussian-process sampler."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tunesmith.objective import Objective
from tunesmith.oracles._protocol import Oracle
from tunesmith.pruners import Pruner
from tunesmith.samplers import DEFAULT_MAX_MODEL_POINTS, BayesianSampler, default_initial_points
from tunesmith.space import HyperParameters

__all__ = ["BayesianOptimizationOracle", "default_initial_points"]


class BayesianOptimizationOracle(Oracle):
    """Bayesian optimisation: a Gaussian process models the objective from the trials
    so far, and each new trial goes where an acquisition function expects most.

    The first ``num_initial_points`` trials follow a scrambled Sobol sequence (seeded
    by ``seed``). After that, each ``ask`` fits a Gaussian process (Matérn-5/2, one
    length scale per dimension, learned noise) to the finished trials and proposes the
    untried configuration that maximises the acquisition. Categorical values are
    compared only for equality; log-scaled and stepped values are modelled on their
    own scale and proposals are snapped onto valid values. A configuration is never
    proposed twice; a finite space that is used up ends the search with
    :attr:`stop_reason` saying so.

    Failed and invalid (NaN) trials count as the worst score seen, so their region is
    avoided. Trials a ``pruner`` stopped count with the score they reached before
    stopping, but no better than the 75th percentile of the completed trials' scores
    (:func:`~tunesmith.samplers._gp._targets.floor_stopped`): the pruner judged them
    worse than most, and a score at low fidelity is no finished result. Their
    configurations are never proposed again. Trials still running are taken as
    scoring what the model predicts ("kriging believer"), so several trials asked at
    once go to different places. The model is rebuilt from the trials at every
    ``ask``, so a resumed study goes on where it stopped. It is the study with a
    :class:`~tunesmith.samplers.BayesianSampler`.

    Args:
        objective: The metric to optimise (a name or an :class:`Objective`).
        max_trials: How many trials in all (10, as in keras-tuner).
        num_initial_points: Quasi-random trials before the model is used. Default
            :func:`default_initial_points` of the number of tunable hyperparameters.
        alpha: The smallest noise variance the model may learn, relative to the
            standardised scores (keras-tuner adds ``alpha`` to the kernel's diagonal;
            here the noise is learned above it).
        beta: The exploration weight of the confidence-bound acquisition
            (``mean - beta * std`` when minimising).
        seed: Makes the proposals reproducible.
        hyperparameters, allow_new_entries, tune_new_entries: As for every
            :class:`Oracle`, and so are ``max_retries_per_trial`` and
            ``max_consecutive_failed_trials``.
        acquisition: ``"logei"`` (log expected improvement), ``"ucb"`` (keras-tuner's
            confidence bound with ``beta``) or ``"auto"`` (currently ``"logei"``).
        pruner: Stops unpromising trials early (see :mod:`tunesmith.pruners`).
        max_model_points: The most results the Gaussian process is fitted on (300):
            past it, the best, the newest and a random draw of the rest, so an ask
            stays cheap at thousands of trials. ``None`` fits every result.

    Example:
        >>> from tunesmith import HyperParameters
        >>> hp = HyperParameters()
        >>> _ = hp.Float("x", -2.0, 2.0); _ = hp.Choice("kind", ["a", "b"])
        >>> oracle = BayesianOptimizationOracle(objective="loss", max_trials=12,
        ...                                     hyperparameters=hp, seed=0)
        >>> while (trial := oracle.ask()) is not None:
        ...     x, kind = trial.values["x"], trial.values["kind"]
        ...     _ = oracle.tell(trial, (x - 0.5) ** 2 + (kind == "b"))
        >>> oracle.get_best_trials(1)[0].score < 0.05
        True
    """

    algorithm_name = "bayesian"

    def __init__(
        self,
        objective: str | Objective | None = None,
        max_trials: int | None = 10,
        num_initial_points: int | None = None,
        alpha: float = 1e-4,
        beta: float = 2.6,
        seed: int | None = None,
        hyperparameters: HyperParameters | None = None,
        allow_new_entries: bool = True,
        tune_new_entries: bool = True,
        max_retries_per_trial: int = 0,
        max_consecutive_failed_trials: int = 3,
        acquisition: str = "auto",
        pruner: Pruner | str | Mapping[str, Any] | None = None,
        max_model_points: int | None = DEFAULT_MAX_MODEL_POINTS,
    ) -> None:
        sampler = BayesianSampler(
            num_initial_points, alpha, beta, acquisition, max_model_points=max_model_points
        )
        super().__init__(
            objective=objective,
            max_trials=max_trials,
            hyperparameters=hyperparameters,
            allow_new_entries=allow_new_entries,
            tune_new_entries=tune_new_entries,
            seed=seed,
            max_retries_per_trial=max_retries_per_trial,
            max_consecutive_failed_trials=max_consecutive_failed_trials,
            pruner=pruner,
            sampler=sampler,
        )

    @property
    def _gp(self) -> BayesianSampler:
        assert isinstance(self.sampler, BayesianSampler)
        return self.sampler

    # keras-tuner's attributes, read and set on the sampler.
    num_initial_points = property(
        lambda self: self._gp.num_initial_points,
        lambda self, value: setattr(self._gp, "num_initial_points", value),
    )
    alpha = property(
        lambda self: self._gp.alpha, lambda self, value: setattr(self._gp, "alpha", float(value))
    )
    beta = property(
        lambda self: self._gp.beta, lambda self, value: setattr(self._gp, "beta", float(value))
    )
    acquisition = property(
        lambda self: self._gp.acquisition,
        lambda self, value: setattr(self._gp, "acquisition", value),
    )
    max_model_points = property(
        lambda self: self._gp.max_model_points,
        lambda self, value: setattr(self._gp, "max_model_points", value),
    )

    def initial_points(self) -> int:
        """How many quasi-random trials come before the model (for the current space)."""
        return self._gp.initial_points(self.hyperparameters)
