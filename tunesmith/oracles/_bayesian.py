"""Bayesian optimisation with a Gaussian process of our own (numpy/scipy only)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

# scipy loads a submodule on first use: `import tunesmith` stays fast.
import scipy

from tunesmith.objective import Objective
from tunesmith.oracles._base import Oracle
from tunesmith.oracles._gp._acquisition import make_acquisition
from tunesmith.oracles._gp._encoding import SpaceEncoder
from tunesmith.oracles._gp._model import GaussianProcess, GPParams, length_prior_mean
from tunesmith.oracles._gp._optimize import propose
from tunesmith.oracles._gp._targets import floor_stopped, impute_failures, warp_targets
from tunesmith.oracles._gp._threads import single_blas_thread
from tunesmith.pruners import Pruner
from tunesmith.space import HyperParameters, config_key
from tunesmith.trial import TrialStatus

ACQUISITIONS = ("auto", "logei", "ucb")
# What acquisition="auto" means today; the benchmarks decide.
_AUTO = "logei"
# Sobol points tried past the trial's own (a power of 2 keeps scipy's balance).
_SOBOL_DRAWS = 32
# How many of the best configurations seed the local search of the acquisition.
_ANCHORS = 5
# With trials running, the kernel's hyperparameters are refitted once the finished
# trials have grown by this factor (at least one more) since the last fit; between
# fits the model is conditioned on the new results with the fitted ones.
_REFIT_GROWTH = 1.1


def default_initial_points(dimensions: int) -> int:
    """The default number of quasi-random trials before the model takes over: half
    the number of tunable dimensions plus 2, at least 3 and at most 8.

    The Gaussian process, with its weak priors, already proposes well from a few
    points; every quasi-random trial spent beyond that is one the model does not
    choose. keras-tuner's ``3 * dimensions`` spends most of a small budget on them
    (on Hartmann-6 with 40 trials, 3 or 5 initial points ended closer to the
    optimum than 7, and 18 furthest away).

    Example:
        >>> [default_initial_points(d) for d in (1, 2, 5, 6, 10, 30)]
        [3, 3, 4, 5, 7, 8]
    """
    return min(max(dimensions // 2 + 2, 3), 8)


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
    (:func:`~tunesmith.oracles._gp._targets.floor_stopped`): the pruner judged them
    worse than most, and a score at low fidelity is no finished result. Their
    configurations are never proposed again. Trials still running are taken as
    scoring what the model predicts ("kriging believer"), so several trials asked at
    once go to different places. The model is rebuilt from the trials at every
    ``ask``, so a resumed study goes on where it stopped.

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
        hyperparameters, allow_new_entries, tune_new_entries, max_retries_per_trial,
            max_consecutive_failed_trials: As for every :class:`Oracle`.
        acquisition: ``"logei"`` (log expected improvement), ``"ucb"`` (keras-tuner's
            confidence bound with ``beta``) or ``"auto"`` (currently ``"logei"``).
        pruner: Stops unpromising trials early (see :mod:`tunesmith.pruners`).

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
    ) -> None:
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
        )
        if num_initial_points is not None and num_initial_points < 1:
            raise ValueError(f"num_initial_points must be at least 1, got {num_initial_points}.")
        if not alpha >= 0:
            raise ValueError(f"alpha must be 0 or more, got {alpha}.")
        if not beta >= 0:
            raise ValueError(f"beta must be 0 or more, got {beta}.")
        if acquisition not in ACQUISITIONS:
            raise ValueError(
                f"Unknown acquisition {acquisition!r}; choose one of {', '.join(ACQUISITIONS)}."
            )
        self.num_initial_points = num_initial_points
        self.alpha = float(alpha)
        self.beta = float(beta)
        self.acquisition = acquisition
        # The last fitted kernel hyperparameters, by column (the next fit starts
        # there), and how many finished trials that fit saw (with trials running, it
        # is reused until the finished set has grown by _REFIT_GROWTH).
        self._fitted: dict[str, Any] | None = None

    def _algorithm_args(self) -> dict[str, Any]:
        return {
            "num_initial_points": self.num_initial_points,
            "alpha": self.alpha,
            "beta": self.beta,
            "acquisition": self.acquisition,
        }

    def _restore_state(self) -> None:
        # Everything the model needs is in self.trials: it is refitted at the next ask.
        self._fitted = None

    # ---------------------------------------------------------------- propose
    def initial_points(self) -> int:
        """How many quasi-random trials come before the model (for the current space)."""
        if self.num_initial_points is not None:
            return self.num_initial_points
        dimensions = SpaceEncoder(self.hyperparameters.space).tunable_count
        return default_initial_points(dimensions)

    def _propose(self, number: int) -> dict[str, Any] | None:
        rng = self._rng(number)
        tried = self._tried_keys()
        total, exhausted = self._space_size_unless_exhausted(tried)
        if exhausted:
            return None
        finished, scores, pending = self._observations()
        return self._propose_from(number, rng, tried, total, finished, scores, pending)

    def _propose_from(
        self,
        number: int,
        rng: np.random.Generator,
        tried: set[tuple],
        total: int | None,
        finished: list[dict[str, Any]],
        scores: np.ndarray,
        pending: list[dict[str, Any]],
    ) -> dict[str, Any] | None:
        """The proposal for the ``number``-th configuration, given the observations
        (what :meth:`_observations` returns; ASHA passes its own)."""
        values = None
        if number >= self.initial_points() and np.isfinite(scores).sum() >= 2:
            try:
                with single_blas_thread():
                    values = self._model_proposal(rng, tried, total, finished, scores, pending)
            except scipy.linalg.LinAlgError:
                # Not even jitter made the kernel matrix factorisable: this trial
                # falls back to the quasi-random design rather than ending the search.
                values = None
        if values is None:
            values = self._quasi_random(number, tried)
        if values is None:
            values = self._random_untried(rng, tried, total)
        return values

    def _observations(self) -> tuple[list[dict[str, Any]], np.ndarray, list[dict[str, Any]]]:
        """Finished configurations with their scores (lower is better; inf for a
        failed or invalid trial; a stopped trial floored by :func:`floor_stopped`),
        and the configurations of running trials."""
        sign = 1.0 if self.objective.direction == "min" else -1.0
        finished, scores, stopped, pending = [], [], [], []
        for trial in sorted(self.trials.values(), key=lambda t: t.number):
            if trial.status is TrialStatus.RUNNING:
                pending.append(trial.values)
            elif trial.status.has_result and _finite(trial.score):
                finished.append(trial.values)
                scores.append(sign * float(trial.score))
                stopped.append(trial.status is TrialStatus.STOPPED)
            elif trial.status.is_finished:  # failed, invalid, or told without a score
                finished.append(trial.values)
                scores.append(math.inf)
                stopped.append(False)
        return finished, floor_stopped(np.array(scores, dtype=float), np.array(stopped)), pending

    def _quasi_random(self, number: int, tried: set[tuple]) -> dict[str, Any] | None:
        """The ``number``-th point of a scrambled Sobol sequence seeded by ``seed``
        (the next ones if it was tried), so a resumed search draws the same."""
        space = self.hyperparameters.space
        if not space:
            return {} if config_key({}) not in tried else None
        encoder = SpaceEncoder(space)
        sobol = scipy.stats.qmc.Sobol(len(space), scramble=True, seed=self.seed)
        if number > 0:  # scipy refuses to skip 0 points
            sobol.fast_forward(number)
        for u in sobol.random(_SOBOL_DRAWS):
            values = encoder.decode(u)
            if config_key(values) not in tried:
                return values
        return None

    def _model_proposal(
        self,
        rng: np.random.Generator,
        tried: set[tuple],
        total: int | None,
        finished: list[dict[str, Any]],
        scores: np.ndarray,
        pending: list[dict[str, Any]],
    ) -> dict[str, Any] | None:
        encoder = SpaceEncoder(self.hyperparameters.space, finished)
        if encoder.tunable_count == 0:
            return None
        x = encoder.encode(finished)
        y = warp_targets(impute_failures(scores))
        model = GaussianProcess(encoder.categorical, min_noise=max(self.alpha, 1e-6))
        last = self._warm_start(encoder)
        if pending and last is not None and self._fit_still_holds(encoder, len(finished)):
            # Trials run in parallel, so asks come in bursts as workers free up: the
            # hyperparameters fitted a few results ago still hold, and refitting them
            # at every ask would make the driver the bottleneck of many workers.
            model.condition(x, y, last)
        else:
            model.fit(x, y, warm_start=last, rng=rng)
            self._remember(encoder, model.params, len(finished))
        # The incumbent: the best predicted value at a trial that really scored
        # (with noisy scores, the luckiest observation would set the bar too high).
        real = np.isfinite(scores)
        best = float(np.min(model.predict(x[real])[0]))
        if pending:
            # Kriging believer: a running trial is taken to score what the model
            # predicts, which removes its uncertainty, and a predicted improvement
            # becomes the bar to beat (else the points next to it stay attractive).
            x_pending = encoder.encode(pending)
            believed = model.predict(x_pending)[0]
            model = model.condition_on(x_pending, believed)
            best = min(best, float(np.min(believed)))
        kind = _AUTO if self.acquisition == "auto" else self.acquisition
        acquisition = make_acquisition(model, kind, best, self.beta)
        order = np.argsort(np.where(real, y, np.inf), kind="stable")
        anchors = [finished[i] for i in order[:_ANCHORS] if real[i]]
        return propose(encoder, acquisition, rng, tried, anchors, total)

    # ------------------------------------------------------------ warm start
    def _fit_still_holds(self, encoder: SpaceEncoder, finished: int) -> bool:
        """Whether the last fit covers the same columns and nearly as many results."""
        assert self._fitted is not None
        same_columns = set(self._fitted["lengths"]) == set(encoder.column_ids)
        seen = self._fitted["finished"]
        return same_columns and finished < max(seen * _REFIT_GROWTH, seen + 1)

    def _warm_start(self, encoder: SpaceEncoder) -> GPParams | None:
        if self._fitted is None:
            return None
        default = length_prior_mean(encoder.width)
        lengths = self._fitted["lengths"]
        return GPParams(
            np.array([lengths.get(c, default) for c in encoder.column_ids]),
            self._fitted["signal"],
            self._fitted["noise"],
        )

    def _remember(self, encoder: SpaceEncoder, params: GPParams | None, finished: int) -> None:
        if params is None:
            return
        self._fitted = {
            "lengths": dict(zip(encoder.column_ids, params.log_lengths.tolist(), strict=True)),
            "signal": params.log_signal,
            "noise": params.log_noise,
            "finished": finished,
        }


def _finite(score: float | None) -> bool:
    return score is not None and math.isfinite(score)
