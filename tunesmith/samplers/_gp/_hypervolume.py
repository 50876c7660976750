"""Expected hypervolume improvement, exact and in log form, for independent Gaussians.

The region a new point can add to a front's hypervolume, the part of the box below
the reference point that no front point dominates, is cut into boxes
(:func:`nondominated_boxes`): the grid of the front's coordinates over all
objectives but the last, each cell extended along the last objective from minus
infinity up to the lowest last value of the front points that dominate the cell's
lower corner (the reference where none does). For two objectives these are the
usual ``m + 1`` strips of an ``m``-point front; for ``d`` objectives there are
``(m + 1) ** (d - 1)`` of them at most.

With independent Gaussian predictions per objective the expected improvement is
then exact in any number of objectives (no Monte-Carlo estimate is needed):

``EHVI = E[vol{z in region: y <= z}] = sum over boxes of prod_k sigma_k (h(b_k) - h(a_k))``

with ``a_k = (lower_k - mu_k) / sigma_k``, ``b_k = (upper_k - mu_k) / sigma_k`` and
``h(z) = phi(z) + z Phi(z)`` (the integral of ``Phi``), the same function as log EI.
It is computed in log space, each factor from ``log h`` and a log-difference, so
it keeps a usable value and gradient far from the front, where the plain value
underflows to 0 (the reason for log EI in the single-objective case).
"""

from __future__ import annotations

import math

import numpy as np

# scipy loads a submodule on first use: `import tunesmith` stays fast.
import scipy

from tunesmith.pareto import pareto_mask
from tunesmith.samplers._gp._acquisition import log_h

_MIN_STD = 1e-9
_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)
# Below this width (in standard deviations) a box's factor is taken by the midpoint
# rule: the difference of two close h values loses its digits.
_NARROW = 1e-3
#: At most this many boxes: a front that needs more (many points in four or more
#: objectives) is thinned to the points that add the most hypervolume.
MAX_BOXES = 4096


def nondominated_boxes(front: np.ndarray, reference: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Boxes (``lower``, ``upper``, each ``(boxes, objectives)``) whose union is the
    part of ``{z < reference}`` that no point of ``front`` (minimised) dominates.

    Lower bounds may be ``-inf``; boxes do not overlap.

    Example:
        >>> front = np.array([[1.0, 2.0], [2.0, 1.0]])
        >>> lower, upper = nondominated_boxes(front, np.array([3.0, 3.0]))
        >>> lower.tolist(), upper.tolist()
        ([[-inf, -inf], [1.0, -inf], [2.0, -inf]], [[1.0, 3.0], [2.0, 2.0], [3.0, 1.0]])
    """
    reference = np.asarray(reference, dtype=float)
    front = np.asarray(front, dtype=float).reshape(-1, reference.size)
    front = front[np.all(front < reference, axis=1)]
    if len(front):
        front = front[pareto_mask(front)]
    objectives = reference.size
    # Per leading objective: the cell edges, -inf, the front's values, the reference.
    edges = [
        np.concatenate([[-np.inf], np.unique(front[:, k]), [reference[k]]])
        for k in range(objectives - 1)
    ]
    grids = np.meshgrid(*[e[:-1] for e in edges], indexing="ij")
    tops = np.meshgrid(*[e[1:] for e in edges], indexing="ij")
    lower_lead = np.stack([g.ravel() for g in grids], axis=1)
    upper_lead = np.stack([t.ravel() for t in tops], axis=1)
    if len(front):
        # dominates[c, p]: front point p is no worse than cell c's lower corner.
        dominates = np.all(front[None, :, :-1] <= lower_lead[:, None, :], axis=2)
        last = np.where(dominates, front[None, :, -1], reference[-1]).min(axis=1)
    else:
        last = np.full(len(lower_lead), reference[-1])
    lower = np.column_stack([lower_lead, np.full(len(last), -np.inf)])
    upper = np.column_stack([upper_lead, last])
    return lower, upper


def thin_front(front: np.ndarray, reference: np.ndarray, limit: int = MAX_BOXES) -> np.ndarray:
    """``front`` reduced, if needed, so that its boxes number at most ``limit``: the
    points adding the least hypervolume go first (an approximation, for fronts of
    many points in four or more objectives)."""
    from tunesmith.pareto import hypervolume_contributions

    front = np.asarray(front, dtype=float)
    objectives = front.shape[1]
    while len(front) > 1 and (len(front) + 1) ** (objectives - 1) > limit:
        keep = max(int(limit ** (1.0 / (objectives - 1))) - 1, 1)
        order = np.argsort(-hypervolume_contributions(front, reference), kind="stable")
        front = front[np.sort(order[:keep])]
    return front


def _log_ndtr_difference(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``log(Phi(b) - Phi(a))`` for ``a < b``, from the side where it keeps its digits."""
    upper = a > 0
    hi = np.where(upper, scipy.special.log_ndtr(-a), scipy.special.log_ndtr(b))
    lo = np.where(upper, scipy.special.log_ndtr(-b), scipy.special.log_ndtr(a))
    with np.errstate(divide="ignore"):
        difference: np.ndarray = hi + np.log(-np.expm1(np.minimum(lo - hi, 0.0)))
    return difference


def _log_factor(
    a: np.ndarray, b: np.ndarray, sigma: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per box and objective: ``log T`` with ``T = sigma (h(b) - h(a))``, and
    ``dlogT/dmu``, ``dlogT/dsigma``.

    ``dT/dmu = -(Phi(b) - Phi(a))`` and ``dT/dsigma = phi(b) - phi(a)``; both are
    divided by ``T`` in log space. ``a`` may be ``-inf`` (an unbounded side).
    """
    bounded = np.isfinite(a)
    safe_a = np.where(bounded, a, b - 1.0)  # any finite value; masked out below
    log_hb, _ = log_h(b)
    log_ha, _ = log_h(safe_a)
    width = b - safe_a
    narrow = bounded & (width < _NARROW)
    middle = 0.5 * (b + safe_a)
    log_ndtr_mid = scipy.special.log_ndtr(middle)
    log_phi_mid = -0.5 * middle * middle - _HALF_LOG_2PI
    with np.errstate(divide="ignore", invalid="ignore"):
        log_width = np.log(np.where(narrow, width, 1.0))
        wide_diff = log_hb + np.log(-np.expm1(np.minimum(log_ha - log_hb, 0.0)))
        log_diff = np.where(
            bounded,
            np.where(narrow, log_width + log_ndtr_mid, wide_diff),
            log_hb,
        )
        log_t = np.log(sigma) + log_diff
        # d log T / d mu = -(Phi(b) - Phi(a)) / T
        log_dphi = np.where(
            bounded,
            np.where(narrow, log_width + log_phi_mid, _log_ndtr_difference(safe_a, b)),
            scipy.special.log_ndtr(b),
        )
        d_mu = -np.exp(log_dphi - log_t)
        # d log T / d sigma = (phi(b) - phi(a)) / T
        log_phi_b = -0.5 * b * b - _HALF_LOG_2PI
        log_phi_a = np.where(bounded, -0.5 * safe_a * safe_a - _HALF_LOG_2PI, -np.inf)
        wide_sigma = np.exp(log_phi_b - log_t) - np.exp(log_phi_a - log_t)
        narrow_sigma = -middle * np.exp(log_phi_mid - log_ndtr_mid) / sigma
        d_sigma = np.where(narrow, narrow_sigma, wide_sigma)
    return log_t, d_mu, d_sigma


def log_expected_hypervolume_improvement(
    mean: np.ndarray, std: np.ndarray, lower: np.ndarray, upper: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``log EHVI`` at each row of ``mean``/``std`` (``(rows, objectives)``, minimised)
    over the boxes ``lower``/``upper`` of :func:`nondominated_boxes`, with its
    partial derivatives in every mean and standard deviation (same shape).

    Example:
        >>> lower, upper = nondominated_boxes(np.array([[0.0, 0.0]]), np.array([1.0, 1.0]))
        >>> value, d_mean, d_std = log_expected_hypervolume_improvement(
        ...     np.array([[2.0, 2.0], [-1.0, -1.0]]), np.full((2, 2), 0.1), lower, upper)
        >>> bool(value[0] < -20.0 < value[1]), round(float(np.exp(value[1])), 3)  # 2 - 1
        (True, 3.0)
        >>> bool(np.all(d_mean[0] < 0))  # lower means (better) help
        True
    """
    mean = np.asarray(mean, dtype=float)
    std = np.maximum(np.asarray(std, dtype=float), _MIN_STD)
    mu, sigma = mean[:, None, :], std[:, None, :]  # (rows, 1, objectives)
    a = (lower[None, :, :] - mu) / sigma  # -inf stays -inf
    b = (upper[None, :, :] - mu) / sigma
    sigma_b = np.broadcast_to(sigma, b.shape)
    log_t, d_mu, d_sigma = _log_factor(a, b, sigma_b)
    log_box = log_t.sum(axis=2)  # (rows, boxes)
    value = scipy.special.logsumexp(log_box, axis=1)
    weights = np.exp(log_box - value[:, None])  # each box's share of the EHVI
    d_mean = np.einsum("rb,rbk->rk", weights, d_mu)
    d_std = np.einsum("rb,rbk->rk", weights, d_sigma)
    return value, d_mean, d_std
