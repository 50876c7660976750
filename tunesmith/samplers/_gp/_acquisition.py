"""Acquisition functions, in the internal orientation where lower scores are better.

Both are written to be *maximised* and return their partial derivatives with
respect to the predictive mean and standard deviation, which the model turns into
gradients with respect to the inputs.

* **log expected improvement** ``log E[max(best - f, 0)]``, computed in log space
  so it keeps a usable value and gradient far from the incumbent, where plain EI
  underflows to 0 and leaves the optimiser on a flat plateau.
* **confidence bound** ``-(mean - beta * std)``: keras-tuner's upper confidence
  bound, written for minimisation.
* **log probability of feasibility** ``log P(g <= 0)`` of a modelled constraint
  value ``g``, added to the log of an improvement (so multiplying it) for
  constrained search, or maximised alone while no trial is feasible
  (:func:`make_joint_acquisition`, which also takes the log expected hypervolume
  improvement of :mod:`._hypervolume` for several objectives).

Near-repeats are penalised: a point closer than ``NEAR_REPEAT`` length scales to
a tried (or pending) one is one the model can hardly tell from it (their
correlation is above 0.9998), so evaluating it teaches almost nothing. Without
this, an acquisition can propose the same point again and again in ever smaller
steps when the model is sure of a slope that the function does not have. The
penalty only ranks such points below all others; they are still proposed when
nothing else is left.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

# scipy loads a submodule on first use: `import tunesmith` stays fast.
import scipy

if TYPE_CHECKING:
    from tunesmith.samplers._gp._model import GaussianProcess

_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)
_SQRT_HALF_PI = math.sqrt(0.5 * math.pi)
# Below this z the series of h(z) is used: the closed form loses its digits.
_ASYMPTOTIC_Z = -1e4
_MIN_STD = 1e-9
NEAR_REPEAT = 0.02
#: The near-repeat distance of a joint (constrained or multi-objective) acquisition:
#: their optima lie on edges (of a constraint, between objectives) that take finer
#: steps to reach (0.02 left the best feasible point of a quadratic objective cut
#: by a circle 10 times further from the optimum).
JOINT_NEAR_REPEAT = 0.002
# Subtracted from a near-repeat's value: below any real one, order among them kept.
_NEAR_REPEAT_PENALTY = 1e12


def log_h(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``log(phi(z) + z * Phi(z))`` and its derivative, accurate for every ``z``.

    ``h(z) = phi(z) + z Phi(z)`` is the expected improvement of a unit normal over
    a threshold ``z`` standard deviations above its mean. For ``z < -1`` it is
    written ``phi(z) * (1 - |z| sqrt(pi/2) erfcx(|z|/sqrt(2)))``, whose logarithm
    is stable; for very negative ``z``, ``log phi(z) - 2 log|z| + log(1 - 3/z**2)``.
    The derivative is ``Phi(z) / h(z)``.

    Example:
        >>> value, _ = log_h(np.array([0.0, -40.0]))
        >>> [round(float(v), 4) for v in value]
        [-0.9189, -808.2986]
    """
    z = np.asarray(z, dtype=float)
    out = np.empty_like(z)
    upper = z > -1.0
    middle = (~upper) & (z >= _ASYMPTOTIC_Z)
    lower = z < _ASYMPTOTIC_Z
    zu = z[upper]
    density = np.exp(-0.5 * zu * zu) / math.sqrt(2 * math.pi)
    out[upper] = np.log(density + zu * scipy.special.ndtr(zu))
    zm = -z[middle]
    log_phi = -0.5 * zm * zm - _HALF_LOG_2PI
    out[middle] = log_phi + np.log1p(-zm * _SQRT_HALF_PI * scipy.special.erfcx(zm / math.sqrt(2.0)))
    zl = -z[lower]
    out[lower] = -0.5 * zl * zl - _HALF_LOG_2PI - 2.0 * np.log(zl) + np.log1p(-3.0 / (zl * zl))
    derivative = np.exp(scipy.special.log_ndtr(z) - out)
    return out, derivative


def log_expected_improvement(
    mean: np.ndarray, std: np.ndarray, best: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``log EI`` below ``best`` and its partial derivatives in ``mean`` and ``std``.

    Example:
        >>> value, d_mean, d_std = log_expected_improvement(np.array([0.0]), np.array([1.0]), 0.0)
        >>> round(float(value[0]), 4), bool(d_mean[0] < 0 < d_std[0])
        (-0.9189, True)
    """
    std = np.maximum(std, _MIN_STD)
    z = (best - mean) / std
    value, d_log_h = log_h(z)
    value = value + np.log(std)
    d_mean = -d_log_h / std
    d_std = 1.0 / std - z * d_log_h / std
    return value, d_mean, d_std


def confidence_bound(
    mean: np.ndarray, std: np.ndarray, beta: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``-(mean - beta * std)`` (maximised) and its partial derivatives.

    Example:
        >>> confidence_bound(np.array([2.0]), np.array([0.5]), 2.0)[0].tolist()
        [-1.0]
    """
    return -(mean - beta * std), -np.ones_like(mean), np.full_like(std, beta)


def log_probability_feasible(
    mean: np.ndarray, std: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``log P(g <= 0)`` for ``g ~ N(mean, std**2)`` and its partial derivatives.

    Example:
        >>> value, d_mean, d_std = log_probability_feasible(np.array([0.0, -3.0, 2.0]), np.ones(3))
        >>> [round(float(v), 4) for v in value]
        [-0.6931, -0.0014, -3.7832]
        >>> bool(d_mean[2] < 0 < d_std[2])  # likely broken: lower or wider helps
        True
    """
    std = np.maximum(std, _MIN_STD)
    z = -mean / std
    value = scipy.special.log_ndtr(z)
    ratio = np.exp(-0.5 * z * z - _HALF_LOG_2PI - value)  # phi(z) / Phi(z)
    return value, -ratio / std, -ratio * z / std


#: ``score(features, grad_columns)`` → values, or (values, gradients) when
#: ``grad_columns`` is given: what the optimiser maximises.
AcquisitionFn = Callable[..., "np.ndarray | tuple[np.ndarray, np.ndarray]"]


def make_acquisition(model: GaussianProcess, kind: str, best: float, beta: float) -> AcquisitionFn:
    """The acquisition ``kind`` (``"logei"`` or ``"ucb"``) of a fitted model, with
    near-repeats of its data penalised."""

    def score(
        features: np.ndarray, grad_columns: np.ndarray | None = None
    ) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        if grad_columns is None:
            mean, std = model.predict(features)
        else:
            mean, std, d_mean, d_std = model.predict(features, grad_columns)
        if kind == "logei":
            value, a_mean, a_std = log_expected_improvement(mean, std, best)
        else:
            value, a_mean, a_std = confidence_bound(mean, std, beta)
        near = model.nearest_distance(features) < NEAR_REPEAT
        value = np.where(near, value - _NEAR_REPEAT_PENALTY, value)
        if grad_columns is None:
            return value
        return value, a_mean[:, None] * d_mean + a_std[:, None] * d_std

    return score


#: The improvement part of a joint acquisition: means and standard deviations of
#: the objectives' models, ``(rows, objectives)`` each, to a value per row and its
#: partial derivatives (same shapes as the inputs).
JointTerm = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]]


def make_joint_acquisition(
    improvement: tuple[list[GaussianProcess], JointTerm] | None,
    constraints: list[GaussianProcess],
    near_repeat: float = JOINT_NEAR_REPEAT,
) -> AcquisitionFn:
    """The sum of a log improvement and the log probability that each constraint
    holds, with near-repeats penalised.

    ``improvement`` is the objectives' models and a term that maps their means and
    standard deviations (``(rows, objectives)``) to a value and its partial
    derivatives (log EI of one model, log EHVI of several); None while no trial is
    feasible, when the probability of feasibility alone is maximised.
    ``constraints`` are the models of the constraint values (feasible at or below 0).

    A near-repeat is a point that *every* model takes for one of its data: one
    model may still learn from it what another cannot tell apart (near the edge of
    a constraint, the objective's long length scales would forbid the small steps
    that the constraint's model resolves), and the distance is ``near_repeat``
    length scales, :data:`JOINT_NEAR_REPEAT` by default.
    """
    every_model = [*(improvement[0] if improvement is not None else []), *constraints]

    def score(
        features: np.ndarray, grad_columns: np.ndarray | None = None
    ) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        rows = features.shape[0]
        value = np.zeros(rows)
        grad = None if grad_columns is None else np.zeros((rows, np.size(grad_columns)))

        def predictions(model: GaussianProcess) -> tuple[np.ndarray, ...]:
            if grad_columns is None:
                return model.predict(features)
            return model.predict(features, grad_columns)

        if improvement is not None:
            models, term = improvement
            predicted = [predictions(m) for m in models]
            means = np.column_stack([p[0] for p in predicted])
            stds = np.column_stack([p[1] for p in predicted])
            part, a_mean, a_std = term(means, stds)
            value += part
            if grad is not None:
                for k, p in enumerate(predicted):
                    grad += a_mean[:, k, None] * p[2] + a_std[:, k, None] * p[3]
        for model in constraints:
            p = predictions(model)
            part, a_mean_c, a_std_c = log_probability_feasible(p[0], p[1])
            value += part
            if grad is not None:
                grad += a_mean_c[:, None] * p[2] + a_std_c[:, None] * p[3]
        nearby = np.all([m.nearest_distance(features) < near_repeat for m in every_model], axis=0)
        value = np.where(nearby, value - _NEAR_REPEAT_PENALTY, value)
        if grad is None:
            return value
        return value, grad

    return score


def expected_improvement_term(best: float) -> JointTerm:
    """log EI below ``best`` as a :data:`JointTerm` of one objective."""

    def term(mean: np.ndarray, std: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        value, d_mean, d_std = log_expected_improvement(mean[:, 0], std[:, 0], best)
        return value, d_mean[:, None], d_std[:, None]

    return term
