"""Bayesian optimisation's proposals: a Gaussian process of our own (numpy/scipy only)."""

from __future__ import annotations

from functools import partial
from typing import Any, TypedDict

import numpy as np

# scipy loads a submodule on first use: `import tunesmith` stays fast.
import scipy

from tunesmith.objective import Pareto
from tunesmith.pareto import nondominated_ranks, pareto_mask, reference_point
from tunesmith.samplers._base import Proposal, Sampler, SamplingContext
from tunesmith.samplers._draws import random_untried
from tunesmith.samplers._fidelity_model import (
    FIDELITY_COLUMN,
    FidelityData,
    fidelity_data,
    with_fidelity_column,
)
from tunesmith.samplers._gp._acquisition import (
    JointTerm,
    expected_improvement_term,
    make_acquisition,
    make_joint_acquisition,
)
from tunesmith.samplers._gp._encoding import SpaceEncoder
from tunesmith.samplers._gp._hypervolume import (
    log_expected_hypervolume_improvement,
    nondominated_boxes,
    thin_front,
)
from tunesmith.samplers._gp._model import GaussianProcess, GPParams, length_prior_mean
from tunesmith.samplers._gp._optimize import propose
from tunesmith.samplers._gp._subset import training_rows
from tunesmith.samplers._gp._targets import impute_failures, warp_targets
from tunesmith.samplers._gp._threads import single_blas_thread
from tunesmith.samplers._observations import Observations, configuration_observations
from tunesmith.samplers._outcomes import Outcomes, has_constraint_values, outcomes, signed_log
from tunesmith.space import HyperParameters, config_key

ACQUISITIONS = ("auto", "logei", "ucb")
# What acquisition="auto" means today; the benchmarks decide.
_AUTO = "logei"
# Sobol points tried past the trial's own (a power of 2 keeps scipy's balance).
_SOBOL_DRAWS = 32
# How many of the best configurations seed the local search of the acquisition.
_ANCHORS = 5
# Under a scheduler (Hyperband, ASHA) this share of new configurations is drawn at
# random, as BOHB does: a model fitted on low-fidelity results can be misled, and
# random draws keep Hyperband's guarantee (measured: benchmarks/RESULTS.md).
_SCHEDULED_RANDOM_FRACTION = 1.0 / 3.0
# With trials running, the kernel's hyperparameters are refitted once the finished
# trials have grown by this factor (at least one more) since the last fit; between
# fits the model is conditioned on the new results with the fitted ones.
_REFIT_GROWTH = 1.1
# The name of the single objective's model among the cached fits.
_SCORE_MODEL = "score"
# A pending trial joins the front (as what the models predict) when it is at least
# this likely to be feasible.
_LIKELY_FEASIBLE = 0.5
# Log EHVI counts improvements down to this share of each objective's range below
# its best value (see ideal_floor).
_FLOOR_MARGIN = 0.1
# With constraints, the best feasible configuration is also perturbed by steps of
# this size (in the unit cube) to seed the local search.
_REFINE_STEP = 0.02
# Above this many results the models are fitted on a subset of them (see
# _gp/_subset.py): an exact GP grows as n³, and asks must stay cheap at any size.
DEFAULT_MAX_MODEL_POINTS = 300


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


class _LastFit(TypedDict):
    """The last fit's kernel hyperparameters (log scale), by feature column, and how
    many results it saw."""

    lengths: dict[tuple[object, ...], float]
    signal: float
    noise: float
    finished: int


class BayesianSampler(Sampler):
    """Gaussian-process proposals: the model of the objective from the results so far
    says where the next configuration is expected to do best.

    The first ``num_initial_points`` configurations follow a scrambled Sobol
    sequence (seeded by the study's seed). After that, each proposal fits a Gaussian
    process (Matérn-5/2, one length scale per dimension, learned noise) to one
    observation per configuration (:func:`configuration_observations`: stopped and
    promoted trials at the fidelity they reached) and proposes the untried
    configuration that maximises the acquisition. Categorical values are compared
    only for equality; log-scaled and stepped values are modelled on their own scale
    and proposals are snapped onto valid values.

    Failed and invalid trials count as the worst score seen, so their region is
    avoided. Configurations still running are taken as scoring what the model
    predicts ("kriging believer"), so several asked at once go to different places.
    Between asks only the fitted kernel hyperparameters are kept, as the next fit's
    start (and, with trials running, reused until the results grew by 10 %).

    Args:
        num_initial_points: Quasi-random configurations before the model is used.
            Default :func:`default_initial_points` of the number of tunable
            hyperparameters.
        alpha: The smallest noise variance the model may learn, relative to the
            standardised scores.
        beta: The exploration weight of the confidence-bound acquisition.
        acquisition: ``"logei"`` (log expected improvement), ``"ucb"`` (confidence
            bound with ``beta``) or ``"auto"`` (currently ``"logei"``).
        random_fraction: The share of configurations (after the initial ones) drawn
            at random instead of from the model. Default ``None``: 0 in a
            single-fidelity search, a third under a scheduler (as BOHB).
        max_model_points: The most results a model is fitted on. Above it, the
            best third, the newest sixth and a random draw from the rest (seeded
            like the proposal) are kept, so an ask costs about the same at 1 000
            trials as at 300. ``None``: every result, however many.

    Example:
        >>> BayesianSampler(num_initial_points=4)  # doctest: +NORMALIZE_WHITESPACE
        BayesianSampler(num_initial_points=4, alpha=0.0001, beta=2.6, acquisition='auto',
                        random_fraction=None, max_model_points=300)
    """

    name = "bayesian"
    samples_new_names = True

    def __init__(
        self,
        num_initial_points: int | None = None,
        alpha: float = 1e-4,
        beta: float = 2.6,
        acquisition: str = "auto",
        random_fraction: float | None = None,
        max_model_points: int | None = DEFAULT_MAX_MODEL_POINTS,
    ) -> None:
        if random_fraction is not None and not 0.0 <= random_fraction <= 1.0:
            raise ValueError(f"random_fraction must be between 0 and 1, got {random_fraction}.")
        if num_initial_points is not None and num_initial_points < 1:
            raise ValueError(f"num_initial_points must be at least 1, got {num_initial_points}.")
        if max_model_points is not None and max_model_points < 2:
            raise ValueError(f"max_model_points must be at least 2, got {max_model_points}.")
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
        self.random_fraction = random_fraction
        self.max_model_points = max_model_points
        # A cache, not state: per model (the score's, each objective's and
        # constraint's), the last fitted kernel hyperparameters by column (the next
        # fit starts there) and how many results that fit saw.
        self._fits: dict[str, _LastFit] = {}

    def get_config(self) -> dict[str, Any]:
        return {
            "num_initial_points": self.num_initial_points,
            "alpha": self.alpha,
            "beta": self.beta,
            "acquisition": self.acquisition,
            "random_fraction": self.random_fraction,
            "max_model_points": self.max_model_points,
        }

    def reset(self) -> None:
        self._fits = {}

    def initial_points(self, space: HyperParameters) -> int:
        """How many quasi-random configurations come before the model (for ``space``)."""
        if self.num_initial_points is not None:
            return self.num_initial_points
        return default_initial_points(SpaceEncoder(space.space).tunable_count)

    def observations(self, context: SamplingContext) -> Observations:
        """What the model is fitted on (one entry per configuration)."""
        enough = self.initial_points(context.space)
        return configuration_observations(context.trials, context.objective, enough)

    # ---------------------------------------------------------------- propose
    def sample(self, context: SamplingContext) -> Proposal:
        done = context.exhausted()
        if done is not None:
            return done
        rng = context.rng
        modelled = context.configurations_started >= self.initial_points(context.space)
        fraction = self._random_fraction(context) if modelled else 0.0
        if fraction > 0 and rng.random() < fraction:
            return random_untried(context, rng)
        values = self._proposal(context, rng) if modelled else None
        if values is None:
            values = self._quasi_random(context)
        if values is None:
            return random_untried(context, rng)
        return values

    def _proposal(
        self, context: SamplingContext, rng: np.random.Generator
    ) -> dict[str, Any] | None:
        """The model's proposal: over (configuration, fidelity) under a scheduler, else
        over configurations; None without two real scores or when the kernel matrix
        cannot be factorised (the quasi-random design then takes this trial)."""
        try:
            with single_blas_thread():
                if context.target_fidelity is not None:
                    data = fidelity_data(context.trials, context.objective, context.target_fidelity)
                    if np.isfinite(data.scores).sum() < 2:
                        return None
                    return self._fidelity_proposal(context, rng, data)
                seen = self.observations(context)
                if isinstance(context.objective, Pareto) or has_constraint_values(context.trials):
                    return self._outcome_proposal(context, rng, seen)
                if np.isfinite(seen.scores).sum() < 2:
                    return None
                return self._model_proposal(context, rng, seen)
        except scipy.linalg.LinAlgError:
            return None  # not even jitter made the kernel matrix factorisable

    def _random_fraction(self, context: SamplingContext) -> float:
        if self.random_fraction is not None:
            return self.random_fraction
        return _SCHEDULED_RANDOM_FRACTION if context.target_fidelity is not None else 0.0

    def _quasi_random(self, context: SamplingContext) -> dict[str, Any] | None:
        """The ``number``-th point of a scrambled Sobol sequence seeded by ``seed``
        (the next ones if it was tried), so a resumed search draws the same."""
        space = context.space.space
        tried = context.tried
        if not space:
            return {} if config_key({}) not in tried else None
        encoder = SpaceEncoder(space)
        sobol = scipy.stats.qmc.Sobol(len(space), scramble=True, seed=context.seed)
        if context.number > 0:  # scipy refuses to skip 0 points
            sobol.fast_forward(context.number)
        for u in sobol.random(_SOBOL_DRAWS):
            values = encoder.decode(u)
            if config_key(values) not in tried:
                return values
        return None

    def _model_proposal(
        self, context: SamplingContext, rng: np.random.Generator, seen: Observations
    ) -> dict[str, Any] | None:
        finished, scores, pending = seen.finished, seen.scores, seen.pending
        y = warp_targets(impute_failures(scores))
        # Past the cap, only the subset is encoded: nothing below grows with the trials.
        rows = training_rows(y, self.max_model_points, rng)
        if rows is not None:
            finished, scores, y = [finished[i] for i in rows], scores[rows], y[rows]
        encoder = SpaceEncoder(context.space.space, finished)
        if encoder.tunable_count == 0:
            return None
        x = encoder.encode(finished)
        model = self._fitted_model(
            x, y, encoder.categorical, encoder.column_ids, bool(pending), rng,
            results=len(seen.finished),
        )  # fmt: skip
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
        acquisition = make_acquisition(model, self._acquisition_kind, best, self.beta)
        order = np.argsort(np.where(real, y, np.inf), kind="stable")
        anchors = [finished[i] for i in order[:_ANCHORS] if real[i]]
        return propose(encoder, acquisition, rng, context.tried, anchors, context.space_size)

    def _outcome_proposal(
        self, context: SamplingContext, rng: np.random.Generator, seen: Observations
    ) -> dict[str, Any] | None:
        """The proposal of one GP per objective and one per constraint value: log EI
        (one objective) or log EHVI (a Pareto objective) over the feasible trials,
        plus the log probability that every constraint holds; that probability
        alone while no trial is feasible. None without two values to fit any model."""
        found = outcomes(seen, context.objective)
        encoder = SpaceEncoder(context.space.space, seen.finished)
        if encoder.tunable_count == 0:
            return None
        x = encoder.encode(seen.finished)
        x_pending = encoder.encode(seen.pending) if seen.pending else None
        fit = partial(
            self._fitted_model,
            categorical=encoder.categorical,
            columns=encoder.column_ids,
            pending=bool(seen.pending),
            rng=rng,
        )
        # Objectives: the configurations that have them all (failures imputed).
        rows = ~np.isnan(found.objectives).any(axis=1)
        values = found.objectives[rows]
        objectives: list[GaussianProcess] = []
        warped = np.empty_like(values)
        if all(np.isfinite(values[:, k]).sum() >= 2 for k in range(values.shape[1])):
            for k in range(values.shape[1]):
                warped[:, k] = warp_targets(impute_failures(values[:, k]))
                objectives.append(fit(x[rows], warped[:, k], key=f"objective/{k}"))
        constraints = []
        for column, name in enumerate(found.constraint_names):
            known = ~np.isnan(found.constraints[:, column])
            if known.sum() >= 2:
                y = signed_log(found.constraints[known, column])
                constraints.append(fit(x[known], y, key=name))
        if not objectives and not constraints:
            return None

        # The incumbent (the front): the models' predictions at the feasible trials,
        # and at the pending ones likely to be feasible (taken to score that).
        feasible = found.feasible[rows]
        incumbents = (
            np.column_stack([m.predict(x[rows][feasible])[0] for m in objectives])
            if objectives and feasible.any()
            else None
        )
        if x_pending is not None:
            likely = np.ones(len(x_pending), dtype=bool)
            for model in constraints:
                mean, std = model.predict(x_pending)
                likely &= scipy.special.ndtr(-mean / np.maximum(std, 1e-9)) >= _LIKELY_FEASIBLE
            believed = [m.predict(x_pending)[0] for m in objectives]
            if incumbents is not None and likely.any():
                incumbents = np.vstack([incumbents, np.column_stack(believed)[likely]])
            # Kriging believer: a running trial's uncertainty is removed.
            objectives = [
                m.condition_on(x_pending, b) for m, b in zip(objectives, believed, strict=True)
            ]
            constraints = [m.condition_on(x_pending, m.predict(x_pending)[0]) for m in constraints]
        improvement = None
        if incumbents is not None:
            if len(objectives) == 1:
                term = expected_improvement_term(float(np.min(incumbents[:, 0])))
            else:
                term = hypervolume_term(incumbents, reference_point(warped), ideal_floor(warped))
            improvement = (objectives, term)
        acquisition = make_joint_acquisition(improvement, constraints)
        anchors = [seen.finished[i] for i in _anchor_rows(found)[:_ANCHORS]]
        # Constrained optima often lie on a constraint's edge: small steps around
        # the best feasible configuration find it where the usual ones overshoot.
        refine = _REFINE_STEP if constraints and found.feasible.any() else None
        return propose(
            encoder, acquisition, rng, context.tried, anchors, context.space_size, refine
        )

    def _fidelity_proposal(
        self, context: SamplingContext, rng: np.random.Generator, data: FidelityData
    ) -> dict[str, Any] | None:
        """The proposal of one GP over (configuration, fidelity), maximising the
        acquisition at full training (see :mod:`._fidelity_model`)."""
        encoder = SpaceEncoder(context.space.space, data.values)
        if encoder.tunable_count == 0:
            return None
        encoded = encoder.encode(data.values)
        x = with_fidelity_column(encoded, data.fidelity)
        y = warp_targets(impute_failures(data.scores))
        model = self._fitted_model(
            x,
            y,
            np.append(encoder.categorical, False),
            [*encoder.column_ids, FIDELITY_COLUMN],
            bool(data.pending),
            rng,
        )
        real = np.isfinite(data.scores)
        at_top = with_fidelity_column(encoded, 1.0)
        predicted = model.predict(at_top)[0]
        # The incumbent: the best configuration measured so far, as the model
        # expects it to end at full training.
        best = float(np.min(predicted[real]))
        if data.pending:
            pending = encoder.encode(data.pending)
            x_pending = with_fidelity_column(pending, data.pending_fidelity)
            model = model.condition_on(x_pending, model.predict(x_pending)[0])
            top_pending = with_fidelity_column(pending, 1.0)
            best = min(best, float(np.min(model.predict(top_pending)[0])))
        acquisition = make_acquisition(model, self._acquisition_kind, best, self.beta)

        def at_full_training(
            features: np.ndarray, grad_columns: np.ndarray | None = None
        ) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
            return acquisition(with_fidelity_column(features, 1.0), grad_columns)

        order = np.argsort(np.where(real, predicted, np.inf), kind="stable")
        anchors: list[dict[str, Any]] = []
        for i in order:
            if real[i] and data.values[i] not in anchors:
                anchors.append(data.values[i])
            if len(anchors) == _ANCHORS:
                break
        return propose(encoder, at_full_training, rng, context.tried, anchors, context.space_size)

    @property
    def _acquisition_kind(self) -> str:
        return _AUTO if self.acquisition == "auto" else self.acquisition

    # ------------------------------------------------------------ warm start
    def _fitted_model(
        self,
        x: np.ndarray,
        y: np.ndarray,
        categorical: np.ndarray,
        columns: list[tuple[object, ...]],
        pending: bool,
        rng: np.random.Generator,
        key: str = _SCORE_MODEL,
        results: int | None = None,
    ) -> GaussianProcess:
        """A GP on ``(x, y)`` (a subset past ``max_model_points`` rows), its kernel
        hyperparameters fitted from the last fit's (of the model named ``key``), or,
        with trials running and nearly as many ``results`` (default: the rows) as
        that fit saw, reused.

        Trials run in parallel, so asks come in bursts as workers free up: the
        hyperparameters fitted a few results ago still hold, and refitting them at
        every ask would make the driver the bottleneck of many workers.
        """
        model = GaussianProcess(categorical, min_noise=max(self.alpha, 1e-6))
        last = self._warm_start(columns, key)
        results = len(y) if results is None else results
        rows = training_rows(y, self.max_model_points, rng)
        if rows is not None:
            x, y = x[rows], y[rows]
        if pending and last is not None and self._fit_still_holds(columns, results, key):
            model.condition(x, y, last)
        else:
            model.fit(x, y, warm_start=last, rng=rng)
            self._remember(columns, model.params, results, key)
        return model

    def _fit_still_holds(self, columns: list[tuple[object, ...]], finished: int, key: str) -> bool:
        """Whether the last fit covers the same columns and nearly as many results."""
        fitted = self._fits[key]
        same_columns = set(fitted["lengths"]) == set(columns)
        seen = fitted["finished"]
        return same_columns and finished < max(seen * _REFIT_GROWTH, seen + 1)

    def _warm_start(self, columns: list[tuple[object, ...]], key: str) -> GPParams | None:
        fitted = self._fits.get(key)
        if fitted is None:
            return None
        default = length_prior_mean(len(columns))
        lengths = fitted["lengths"]
        return GPParams(
            np.array([lengths.get(c, default) for c in columns]),
            fitted["signal"],
            fitted["noise"],
        )

    def _remember(
        self, columns: list[tuple[object, ...]], params: GPParams | None, finished: int, key: str
    ) -> None:
        if params is None:
            return
        self._fits[key] = {
            "lengths": dict(zip(columns, params.log_lengths.tolist(), strict=True)),
            "signal": params.log_signal,
            "noise": params.log_noise,
            "finished": finished,
        }


def ideal_floor(points: np.ndarray, margin: float = _FLOOR_MARGIN) -> np.ndarray:
    """How far below the best value seen in each objective an improvement still
    counts: the best less ``margin`` times the range (1 where the range is zero).

    Example:
        >>> ideal_floor(np.array([[0.0, 1.0], [2.0, 0.0]])).tolist()
        [-0.2, -0.1]
    """
    best, worst = points.min(axis=0), points.max(axis=0)
    span = np.where(worst > best, worst - best, 1.0)
    floor: np.ndarray = best - margin * span
    return floor


def hypervolume_term(
    points: np.ndarray, reference: np.ndarray, floor: np.ndarray | None = None
) -> JointTerm:
    """log EHVI over the Pareto front of ``points`` below ``reference`` (both in the
    models' units), as a joint acquisition's improvement term.

    The sampler's reference is :func:`~tunesmith.pareto.reference_point` of every
    trial's normalised values (the worst plus a tenth of the range), as optuna's
    GPSampler takes one. The front's own nadir (BoTorch's choice) was tried: on
    ZDT1 its tight box kept the search from extending the front (regret after 30
    trials 0.43 against 0.08, 3 seeds), with no gain on DTLZ2 with 3 objectives.

    Below the front the boxes are cut at ``floor`` (:func:`ideal_floor`) rather than
    left open: where an objective has a bound it keeps reaching (an error of 0, the
    ends of DTLZ2's front), the models' tails below it promise a whole strip of
    hypervolume that cannot be had, and the search kept proposing such points.
    """
    front = points[pareto_mask(points)]
    kept = thin_front(front, reference)
    lower, upper = nondominated_boxes(kept, reference)
    if floor is not None:
        lower = np.maximum(lower, floor)

    def term(mean: np.ndarray, std: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return log_expected_hypervolume_improvement(mean, std, lower, upper)

    return term


def _anchor_rows(found: Outcomes) -> list[int]:
    """Configurations to search around, best first: the feasible ones by front, then
    by the first objective; without any, the least infeasible ones.

    With several objectives, the first front is taken from its middle outwards (by
    its order in the first objective): its ends, where one objective is at its best
    (often exactly, as an error of 0), would otherwise come first and hold the local
    search to the edges of the space, while the trade-offs lie between them
    (measured in benchmarks/RESULTS.md: ZDT2 regret after 50 trials 0.041 against
    0.084, 5 seeds).
    """
    feasible = np.flatnonzero(found.feasible)
    if feasible.size:
        values = found.objectives[feasible]
        ranks = nondominated_ranks(values)
        centred = np.zeros(len(values))
        if values.shape[1] > 1:
            front = np.flatnonzero(ranks == 0)
            along = front[np.argsort(values[front, 0], kind="stable")]
            centred[along] = np.abs(np.arange(along.size) - (along.size - 1) / 2.0)
        order = np.lexsort((values[:, 0], centred, ranks))
        return [int(i) for i in feasible[order]]
    if not found.constraint_names:
        return []
    broken = np.nansum(np.maximum(found.constraints, 0.0), axis=1)
    known = ~np.isnan(found.constraints).all(axis=1)
    return [int(i) for i in np.flatnonzero(known)[np.argsort(broken[known], kind="stable")]]
