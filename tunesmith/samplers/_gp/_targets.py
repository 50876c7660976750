"""What the model is fitted on: scores oriented, failures imputed, heavy tails tamed.

Training results are awkward targets: a few diverged runs can sit orders of
magnitude above the rest, and failed or NaN trials have no score at all. A GP fitted
on raw values spends its whole variance on the outliers and predicts the good
region as flat. So before fitting:

1. scores are oriented so that lower is better (maximised objectives negated);
2. failed and invalid trials get the worst finite score seen: the model learns to
   avoid their region, but they never look worse than a real bad result, so a
   cluster of failures cannot dominate the fit;
3. when the bad side has a heavy tail (the robustly scaled scores are skewed
   towards bad values), that side alone is pulled in by the upper branch of a
   Yeo-Johnson power transform, ``((1 + z)**lam - 1) / lam`` for scores worse
   than the median, with ``lam`` in [-2, 1] fitted by maximum likelihood. The
   good side is left linear: stretching it too (as a full power transform does)
   exaggerates the lead of the best trial and the search stops exploring. At
   ``lam = -2`` the worst scores are bounded, however large they were;
4. the result is standardised to mean 0 and standard deviation 1.

Every step is monotone, so the best trial stays the best. Before them, trials a
pruner stopped are made no better than a pessimistic quantile of the finished ones
(:func:`floor_stopped`): they inform the model without passing for finished ones.
"""

from __future__ import annotations

import math

import numpy as np

# scipy loads a submodule on first use: `import tunesmith` stays fast.
import scipy

# Skewness of the (robustly scaled) targets above which the bad tail is compressed.
_SKEW_LIMIT = 1.0
# Below this many targets a skewness estimate is mostly noise: leave them as they are.
_MIN_FOR_WARP = 5
# The power transform's exponent: at most 1 (the identity), so the bad tail is never
# stretched; at least -2, where it is bounded without being folded into a step.
_LAMBDA_RANGE = (-2.0, 1.0)
#: A stopped (pruned) trial counts as no better than this quantile of the finished ones.
STOPPED_QUANTILE = 0.75


def impute_failures(scores: np.ndarray) -> np.ndarray:
    """``scores`` (lower is better) with non-finite entries set to the worst finite one.

    Example:
        >>> impute_failures(np.array([0.3, np.inf, 0.1, np.nan])).tolist()
        [0.3, 0.3, 0.1, 0.3]
    """
    scores = np.asarray(scores, dtype=float)
    finite = np.isfinite(scores)
    if not finite.any():
        raise ValueError("At least one finite score is needed to impute failures.")
    return np.where(finite, scores, scores[finite].max())


def floor_stopped(scores: np.ndarray, stopped: np.ndarray) -> np.ndarray:
    """``scores`` (lower is better) with each ``stopped`` entry made no better than the
    :data:`STOPPED_QUANTILE` quantile of the finite scores that are not stopped.

    A stopped (pruned) trial scored at a lower fidelity than a finished one, and its
    pruner judged it worse than the median (the median rule) or outside the top
    ``1 / factor`` (successive halving): the middle of the worse half is what is known
    of it. Its own score is kept when worse. Without finished scores to compare with,
    scores are returned as they are.

    Example:
        >>> scores = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 0.5, 9.0])
        >>> stopped = np.array([False] * 5 + [True, True])
        >>> floor_stopped(scores, stopped).tolist()
        [1.0, 2.0, 3.0, 4.0, 5.0, 4.0, 9.0]
    """
    scores = np.asarray(scores, dtype=float)
    stopped = np.asarray(stopped, dtype=bool)
    reference = scores[~stopped & np.isfinite(scores)]
    if reference.size == 0:
        unchanged: np.ndarray = scores.copy()  # numpy's stubs leave the copy untyped
        return unchanged
    floor = float(np.quantile(reference, STOPPED_QUANTILE))
    return np.where(stopped, np.maximum(scores, floor), scores)


def warp_targets(y: np.ndarray) -> np.ndarray:
    """``y`` (finite, lower is better) with a heavy bad tail compressed, standardised.

    Example:
        >>> y = np.array([0.30, 0.32, 0.31, 0.35, 0.33, 0.34, 1e6])
        >>> z = warp_targets(y)
        >>> bool(z[-1] < 3.0), bool(np.all(np.argsort(z) == np.argsort(y)))
        (True, True)
    """
    y = np.asarray(y, dtype=float)
    if y.size == 0:
        empty: np.ndarray = y.copy()  # numpy's stubs leave the copy untyped
        return empty
    z = _robust_scale(y)
    if y.size >= _MIN_FOR_WARP and _skewed(z):
        z = _compress_tail(z)
    return _standardise(z)


def _robust_scale(y: np.ndarray) -> np.ndarray:
    """Centred on the median and scaled by the median absolute deviation, which up to
    half the trials diverging cannot inflate (the interquartile range breaks at a
    quarter); then the interquartile range, the standard deviation, 1."""
    median = float(np.median(y))
    scale = 1.4826 * float(np.median(np.abs(y - median)))  # the MAD of a unit normal is 1/1.4826
    if not scale > 0:
        q25, q75 = np.percentile(y, [25, 75])
        scale = (q75 - q25) / 1.349
    if not scale > 0:
        scale = float(np.std(y))
    if not scale > 0:
        scale = 1.0
    return (y - median) / scale


def _skewed(z: np.ndarray) -> bool:
    if np.ptp(z) == 0:
        return False
    with np.errstate(all="ignore"):
        skew = float(scipy.stats.skew(z))
    return bool(np.isfinite(skew) and skew > _SKEW_LIMIT)


def _compress_tail(z: np.ndarray) -> np.ndarray:
    """``z`` with its positive (bad) side power-transformed, the exponent chosen by
    maximum likelihood of a normal fit (Jacobian included)."""
    bad = z > 0
    log_jacobian = float(np.log1p(z[bad]).sum())

    def negative_log_likelihood(lam: float) -> float:
        var = float(np.var(_upper_power(z, lam)))
        if not var > 0:
            return math.inf
        return 0.5 * z.size * math.log(var) - (lam - 1.0) * log_jacobian

    result = scipy.optimize.minimize_scalar(
        negative_log_likelihood, bounds=_LAMBDA_RANGE, method="bounded"
    )
    return _upper_power(z, float(result.x))


def _upper_power(z: np.ndarray, lam: float) -> np.ndarray:
    """The Yeo-Johnson transform's positive branch on ``z > 0``, identity below:
    continuous with slope 1 at 0, so the order and the good side are kept."""
    out: np.ndarray = z.copy()  # numpy's stubs leave the copy untyped
    bad = z > 0
    if abs(lam) < 1e-8:
        out[bad] = np.log1p(z[bad])
    else:
        out[bad] = ((1.0 + z[bad]) ** lam - 1.0) / lam
    return out


def _standardise(z: np.ndarray) -> np.ndarray:
    std = float(np.std(z))
    standard: np.ndarray = (z - np.mean(z)) / (std if std > 0 else 1.0)  # numpy's stubs: untyped
    return standard
