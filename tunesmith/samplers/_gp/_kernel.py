"""The Matérn-5/2 kernel on mixed feature rows.

A row holds one column per feature. Ordered columns (positions in [0, 1]) add
``(a - b)**2 / length**2`` to the squared distance; categorical columns hold an
integer code and add ``1 / length**2`` when the codes differ (a Hamming distance),
so categories are compared only for equality, never as ordered numbers. Both are
squared Euclidean distances of some embedding (a one-hot vector scaled by
``1/sqrt(2)`` for a category), so the kernel stays positive definite.
"""

from __future__ import annotations

import math

import numpy as np

SQRT5 = math.sqrt(5.0)


def column_terms(a: np.ndarray, b: np.ndarray, categorical: np.ndarray) -> np.ndarray:
    """Per-column squared distances between every row of ``a`` and of ``b``.

    Shape ``(len(a), len(b), columns)``: kept while fitting, where the same terms
    are reweighted by new length scales at every step.

    Example:
        >>> column_terms(np.array([[0.0, 1.0]]), np.array([[0.5, 2.0]]),
        ...              np.array([False, True])).tolist()
        [[[0.25, 1.0]]]
    """
    diff = a[:, None, :] - b[None, :, :]
    terms: np.ndarray = diff * diff  # numpy's stubs leave the product untyped
    if categorical.any():
        terms[..., categorical] = diff[..., categorical] != 0
    return terms


def scaled_sq_distance(
    a: np.ndarray, b: np.ndarray, categorical: np.ndarray, inv_sq_lengths: np.ndarray
) -> np.ndarray:
    """``sum_j terms_j / length_j**2`` without keeping the per-column terms (for
    predictions on many candidates, where the 3-D array would be large)."""
    r2 = np.zeros((a.shape[0], b.shape[0]))
    for j in range(a.shape[1]):
        diff = a[:, j, None] - b[None, :, j]
        if categorical[j]:
            r2 += (diff != 0) * inv_sq_lengths[j]
        else:
            r2 += diff * diff * inv_sq_lengths[j]
    return r2


def matern52(r2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The unit-variance Matérn-5/2 correlation at squared distance ``r2`` and its
    derivative with respect to ``r2`` (finite at 0, unlike the one in ``r``).

    Example:
        >>> k, dk = matern52(np.array([0.0, 1.0]))
        >>> [round(float(v), 4) for v in k], round(float(dk[0]), 4)
        ([1.0, 0.524], -0.8333)
    """
    r2 = np.maximum(r2, 0.0)
    r = np.sqrt(r2)
    decay = np.exp(-SQRT5 * r)
    value = (1.0 + SQRT5 * r + (5.0 / 3.0) * r2) * decay
    d_value_d_r2 = -(5.0 / 6.0) * (1.0 + SQRT5 * r) * decay
    return value, d_value_d_r2
