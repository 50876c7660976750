"""Where a partly trained configuration will end: a learning-curve model.

Each configuration's curve (its trials' reported objective per epoch, a promotion's
epochs continuing its parent's) is fitted by an ensemble of saturating curves,
``a + b * t**-c`` (power law) and ``a + b * exp(-c * t)`` (exponential decay) over a
grid of rates ``c``, the asymptote ``a`` and scale ``b`` fitted by least squares for
each rate. Members are weighted by their likelihood under the noise the curves
share, times a prior over the grid that the curves share too: the members that
explain the longest curves so far. The prediction at full training is the weighted
mean of the members' values there (never worse than the best value already
reached), its uncertainty their spread plus the noise.

Why an ensemble of fits rather than one: three or four epochs rarely pin down the
rate, and a single least-squares fit then extrapolates anywhere; the spread says
how little is known, which is what the promotion rule needs. Why a floor: a member
with a nearly linear start can extrapolate far below anything the search has seen;
predictions are kept above the best value reached by any configuration less the
spread of the first values.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from tunesmith.objective import Objective
from tunesmith.samplers import SamplingContext
from tunesmith.space import EPOCHS, PARENT
from tunesmith.trial import Trial

_POWER_RATES = np.geomspace(0.1, 3.0, 16)
_EXP_RATES = np.geomspace(0.03, 3.0, 20)
#: Curves at least this long have a shape to extrapolate: a sampler sees their
#: predicted end at full training, shorter ones as measured at their fidelity.
SHAPE_EPOCHS = 3
#: Curves at least this long teach the shared prior over the members.
_TEACHING_LENGTH = 6
#: The share of the prior that stays uniform over the members.
_UNIFORM_SHARE = 0.5


@dataclass(frozen=True)
class Prediction:
    """A configuration's predicted value at full training, lower is better.

    Attributes:
        mean: The expected value at full training.
        sd: Its standard deviation.
        epochs: How many epochs of the curve it was predicted from.
        trusted: Whether, on the longer curves of this search cut to as many
            epochs, the model ranked them better than their values at the cut
            did (True while no curve is long enough to tell).
    """

    mean: float
    sd: float
    epochs: int
    trusted: bool = True

    def optimistic(self, kappa: float) -> float:
        """``mean - kappa * sd``: how good the configuration may plausibly end."""
        return self.mean - kappa * self.sd


def chain_curve(
    trial: Trial, by_id: Mapping[str, Trial], curves: Mapping[str, Mapping[int, float]]
) -> dict[int, float]:
    """``{step: value}`` of ``trial`` with its ancestors': a promotion continues its
    parent's curve (the parent's steps first, the trial's own where both report one).

    Example:
        >>> from tunesmith import HyperParameters
        >>> parent = Trial(HyperParameters(), trial_id="0")
        >>> child = Trial(HyperParameters(), trial_id="1")
        >>> child.hyperparameters.values["tuner/trial_id"] = "0"
        >>> chain_curve(child, {"0": parent, "1": child}, {"0": {0: 3.0, 1: 2.0}, "1": {2: 1.5}})
        {0: 3.0, 1: 2.0, 2: 1.5}
    """
    chain: list[Trial] = []
    seen: set[str] = set()
    current: Trial | None = trial
    while current is not None and current.trial_id not in seen:
        seen.add(current.trial_id)
        chain.append(current)
        parent = current.values.get(PARENT)
        current = by_id.get(str(parent)) if parent is not None else None
    merged: dict[int, float] = {}
    for member in reversed(chain):
        merged.update(curves.get(member.trial_id, {}))
    return dict(sorted(merged.items()))


class CurveModel:
    """Predicts where curves end at ``horizon`` epochs, from every curve so far.

    ``curves`` are ``{step: value}`` (step 0 is the first epoch), oriented so lower
    is better. Built once per decision: it learns the noise and the prior over the
    ensemble from all the curves, then :meth:`predict` any of them.

    Example:
        >>> curves = [{s: 0.2 + 1.0 * (s + 1) ** -0.8 for s in range(n)} for n in (27, 3)]
        >>> model = CurveModel(curves, horizon=27)
        >>> p = model.predict(curves[1])
        >>> abs(p.mean - curves[0][26]) < abs(curves[1][2] - curves[0][26])
        True
    """

    def __init__(self, curves: Iterable[Mapping[int, float]], horizon: int) -> None:
        self.horizon = int(horizon)
        kept = [_as_arrays(c) for c in curves if c]
        self._rates = np.concatenate([_POWER_RATES, _EXP_RATES])
        self._power = np.arange(len(self._rates)) < len(_POWER_RATES)
        self.noise = _shared_noise([y for _, y in kept])
        finite = [y for _, y in kept if len(y)]
        if finite:
            best = min(float(np.min(y)) for y in finite)
            firsts = [float(y[0]) for y in finite]
            spread = max(float(np.median(firsts)) - best, 10 * self.noise)
            self.floor = best - spread
        else:
            self.floor = -math.inf
        self.prior = np.full(len(self._rates), 1.0 / len(self._rates))
        teaching = [(t, y) for t, y in kept if len(y) >= _TEACHING_LENGTH]
        if teaching:
            learnt = np.mean([self._weights(t, y, self.prior)[0] for t, y in teaching], axis=0)
            self.prior = _UNIFORM_SHARE * self.prior + (1 - _UNIFORM_SHARE) * learnt

    def predict(self, curve: Mapping[int, float]) -> Prediction:
        """The curve's predicted value at ``horizon`` epochs."""
        t, y = _as_arrays(curve)
        if len(y) == 0:
            return Prediction(math.inf, math.inf, 0)
        reached = float(np.min(y))
        if len(y) == 1 or t[-1] >= self.horizon:
            return Prediction(reached, self.noise if t[-1] < self.horizon else 0.0, len(y))
        weights, at_horizon = self._weights(t, y, self.prior)
        ends = np.minimum(np.maximum(at_horizon, self.floor), reached)
        mean = float(weights @ ends)
        spread = float(np.sqrt(max(weights @ (ends - mean) ** 2, 0.0)))
        return Prediction(mean, math.hypot(spread, self.noise), len(y))

    def _basis(self, t: np.ndarray) -> np.ndarray:
        """Each member's shape at epochs ``t`` (members x epochs)."""
        rates = self._rates[:, None]
        power = t[None, :] ** -rates
        decay = np.exp(-rates * t[None, :])
        shapes: np.ndarray = np.where(self._power[:, None], power, decay)
        return shapes

    def _weights(
        self, t: np.ndarray, y: np.ndarray, prior: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Each member's posterior weight for this curve, and its value at the horizon."""
        g = self._basis(t)
        g_mean = g.mean(axis=1, keepdims=True)
        centred = g - g_mean
        variance = (centred**2).sum(axis=1)
        y_mean = float(y.mean())
        scale = np.where(
            variance > 1e-12, centred @ (y - y_mean) / np.maximum(variance, 1e-12), 0.0
        )
        offset = y_mean - scale * g_mean[:, 0]
        residuals = y[None, :] - offset[:, None] - scale[:, None] * g
        sse = (residuals**2).sum(axis=1)
        log_weights = np.log(prior) - sse / (2 * self.noise**2)
        log_weights -= log_weights.max()
        weights = np.exp(log_weights)
        weights /= weights.sum()
        horizon = self._basis(np.array([float(self.horizon)]))[:, 0]
        return weights, offset + scale * horizon


def _as_arrays(curve: Mapping[int, float]) -> tuple[np.ndarray, np.ndarray]:
    """Epochs (from 1) and finite values of a ``{step: value}`` curve, in step order."""
    points = sorted((int(s) + 1, float(v)) for s, v in curve.items() if math.isfinite(v))
    t = np.array([p[0] for p in points], dtype=float)
    y = np.array([p[1] for p in points], dtype=float)
    return t, y


def _shared_noise(curves: Sequence[np.ndarray]) -> float:
    """The per-epoch noise the curves share, from their second differences (a
    smooth curve's are near zero, so they measure the noise; its early bend makes
    this an overestimate, the safe side)."""
    seconds = [np.diff(y, 2) for y in curves if len(y) >= 3]
    if seconds:
        pooled = np.abs(np.concatenate(seconds))
        noise = 1.4826 * float(np.median(pooled)) / math.sqrt(6.0)
    else:
        noise = 0.0
    values = np.concatenate(list(curves)) if curves else np.array([])
    scale = float(np.ptp(values)) if len(values) > 1 else 1.0
    return max(noise, 1e-3 * max(scale, 1e-9), 1e-12)


def predict_trials(
    trials: Sequence[Trial], curves: Mapping[str, Mapping[int, float]], horizon: int
) -> dict[str, Prediction]:
    """Every finished or running trial's configuration predicted at ``horizon``
    epochs, from its curve continued from its ancestors'; keyed by trial id."""
    by_id = {t.trial_id: t for t in trials}
    chains = {t.trial_id: chain_curve(t, by_id, curves) for t in trials}
    longest = _longest_per_configuration(trials, chains)
    model = CurveModel(longest, horizon)
    predictions = {trial_id: model.predict(curve) for trial_id, curve in chains.items() if curve}
    verdicts: dict[int, bool] = {}
    lines: dict[int, tuple[float, float, float] | None] = {}
    for trial_id, prediction in predictions.items():
        n = prediction.epochs
        if n >= horizon:
            continue
        if n < SHAPE_EPOCHS:
            # Too short for a shape of its own: what the longer curves' ends say
            # about their values at this epoch, where that reorders them.
            if n not in lines:
                lines[n] = ends_against_start(model, longest, n)
            line = lines[n]
            if line is None:
                predictions[trial_id] = replace(prediction, trusted=False)
            else:
                intercept, slope, spread = line
                start = min(v for _, v in sorted(chains[trial_id].items())[:n])
                mean = min(intercept + slope * start, start)
                predictions[trial_id] = Prediction(mean, spread, n)
            continue
        if n not in verdicts:
            verdicts[n] = model_ranks_better(model, longest, n)
        if not verdicts[n]:
            predictions[trial_id] = replace(prediction, trusted=False)
    return predictions


def ends_against_start(
    model: CurveModel, curves: Sequence[Mapping[int, float]], n: int
) -> tuple[float, float, float] | None:
    """``(intercept, slope, residual sd)`` of the longer curves' predicted ends
    against their best value in the first ``n`` epochs, when the ends fall as that
    value rises (the curves cross: a low start is a poor sign); None otherwise
    (the value reached ranks as well as a line would) or without five such curves."""
    long = [c for c in curves if len(c) >= SHAPE_EPOCHS * max(n, 1)]
    if len(long) < 5:
        return None
    starts = np.array([min(v for _, v in sorted(c.items())[:n]) for c in long])
    ends = np.array([model.predict(c).mean for c in long])
    if np.ptp(starts) <= 0 or _concordant(starts, ends) >= _concordant(-starts, ends):
        return None
    slope, intercept = np.polyfit(starts, ends, 1)
    residuals = ends - (intercept + slope * starts)
    spread = float(np.sqrt(np.mean(residuals**2)))
    return float(intercept), float(slope), max(spread, model.noise)


def model_ranks_better(model: CurveModel, curves: Sequence[Mapping[int, float]], n: int) -> bool:
    """Whether the model's optimistic predictions from the first ``n`` epochs of the
    curves at least ``3 n`` epochs long order them (by where they are predicted to
    end from all their epochs) more often right than their best values at ``n`` do.
    With fewer than three such curves there is no evidence, and the answer is True.

    Why a check at all: where a few epochs already rank configurations as full
    training does, an extrapolation from few points only adds noise; where curves
    cross, it is what finds the slow starters. The search's own curves say which.
    """
    long = [c for c in curves if len(c) >= min(3 * n, model.horizon)]
    if len(long) < 3:
        return True
    ends = np.array([model.predict(c).mean for c in long])
    cut = [dict(sorted(c.items())[:n]) for c in long]
    predicted = np.array([model.predict(c).optimistic(_OPTIMISM) for c in cut])
    reached = np.array([min(c.values()) for c in cut])
    return _concordant(predicted, ends) > _concordant(reached, ends)


def _concordant(scores: np.ndarray, truth: np.ndarray) -> int:
    """Pairs ordered by ``scores`` as by ``truth``."""
    upper = np.triu_indices(len(truth), k=1)
    agree = np.sign(scores[:, None] - scores[None, :]) * np.sign(truth[:, None] - truth[None, :])
    return int((agree[upper] > 0).sum())


def _longest_per_configuration(
    trials: Sequence[Trial], chains: Mapping[str, Mapping[int, float]]
) -> list[Mapping[int, float]]:
    """One curve per configuration (a promotion's chain holds its parent's), so a
    configuration promoted twice does not teach the shared prior three times."""
    parents = {str(t.values[PARENT]) for t in trials if PARENT in t.values}
    return [chains[t.trial_id] for t in trials if t.trial_id not in parents]


def predicted_context(
    context: SamplingContext, predictions: Mapping[str, Prediction], horizon: int
) -> SamplingContext:
    """``context`` as a sampler sees it when curves are predicted: a configuration
    whose end is predicted (a trusted prediction from 3 epochs or more) is one
    finished trial at full training (``tuner/epochs`` = ``horizon``), scored by its
    predicted value there, and its ancestors (the same configuration at fewer
    epochs) are left out; every other trial is as it was. A Bayesian sampler then
    models where configurations end, not where they were stopped."""
    sign = 1.0 if context.objective.direction == "min" else -1.0
    by_id = {t.trial_id: t for t in context.trials}
    parents = {str(t.values[PARENT]) for t in context.trials if PARENT in t.values}
    rewritten: dict[str, Trial] = {}
    ancestors: set[str] = set()
    for trial in context.trials:
        prediction = predictions.get(trial.trial_id)
        if (
            trial.trial_id in parents  # its configuration goes on in a promotion
            or not (trial.status.is_finished and trial.has_valid_score)
            or prediction is None
            or not prediction.trusted
            or prediction.epochs < SHAPE_EPOCHS
        ):
            continue
        values = trial.hyperparameters.copy()
        values.values[EPOCHS] = horizon
        values.values.pop(PARENT, None)
        rewritten[trial.trial_id] = Trial(
            values,
            trial_id=trial.trial_id,
            status=trial.status,
            number=trial.number,
            score=sign * prediction.mean,
            metrics=dict(trial.metrics),
        )
        parent = trial.values.get(PARENT)
        while parent is not None and str(parent) in by_id and str(parent) not in ancestors:
            ancestors.add(str(parent))
            parent = by_id[str(parent)].values.get(PARENT)
    seen = [rewritten.get(t.trial_id, t) for t in context.trials if t.trial_id not in ancestors]
    return replace(context, trials=seen, tried_index=None)


#: How ``promote_by`` may rank a rung: the value reached, or the curve model's
#: prediction at full training.
PROMOTE_BY = ("score", "prediction")
#: Standard deviations subtracted from a prediction when ranking: a slow starter
#: whose end is uncertain goes on rather than being dropped on a guess.
_OPTIMISM = 1.0


def by_prediction(
    finished: list[Trial], predictions: dict[str, Prediction], objective: Objective
) -> list[Trial]:
    """``finished`` by optimistic predicted value at full training, best first; a
    trial without a curve (it reported no step) counts at its score."""
    sign = 1.0 if objective.direction == "min" else -1.0

    def key(trial: Trial) -> float:
        prediction = predictions.get(trial.trial_id)
        if prediction is None or prediction.epochs == 0 or not prediction.trusted:
            return sign * float(trial.score)  # type: ignore[arg-type]
        return prediction.optimistic(_OPTIMISM)

    return sorted(finished, key=key)
