"""Pareto fronts: which of several minimised vectors no other beats, and by how much.

The functions take points as rows of a 2-D array of values to *minimise* (a
maximised objective is negated first, see :meth:`tunesmith.Pareto.minimised`).
They serve the ranking of a multi-objective study (:mod:`tunesmith.ranking`), the
schedulers' promotions, the Bayesian sampler's hypervolume improvement, the report
and the benchmarks, so all of them agree on what the front is.

Example:
    >>> import numpy as np
    >>> points = np.array([[1.0, 4.0], [2.0, 2.0], [3.0, 3.0], [4.0, 1.0]])
    >>> nondominated_ranks(points).tolist()
    [0, 0, 1, 0]
    >>> hypervolume(points[[0, 1, 3]], reference=np.array([5.0, 5.0]))
    11.0
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]


def _points(points: ArrayLike) -> FloatArray:
    array = np.asarray(points, dtype=float)
    if array.ndim == 1:
        array = array.reshape(-1, 1) if array.size else array.reshape(0, 1)
    return array


def dominates(a: ArrayLike, b: ArrayLike) -> bool:
    """Whether minimised vector ``a`` is no worse than ``b`` everywhere and better once.

    Example:
        >>> dominates([1, 2], [1, 3]), dominates([1, 2], [1, 2]), dominates([0, 3], [1, 2])
        (True, False, False)
    """
    first, second = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return bool(np.all(first <= second) and np.any(first < second))


def nondominated_ranks(points: ArrayLike) -> NDArray[np.int64]:
    """Each point's front: 0 for the Pareto front, 1 for the front once it is removed, …

    Equal points share a front. Quadratic in the number of points per front, which
    is ample for studies of thousands of trials.
    """
    array = _points(points)
    count = len(array)
    ranks = np.full(count, -1, dtype=np.int64)
    if count == 0:
        return ranks
    # dominated_by[i, j]: point j dominates point i.
    no_worse = np.all(array[None, :, :] <= array[:, None, :], axis=2)
    better = np.any(array[None, :, :] < array[:, None, :], axis=2)
    dominated_by = no_worse & better
    remaining = np.ones(count, dtype=bool)
    front = 0
    while remaining.any():
        beaten = (dominated_by & remaining[None, :]).any(axis=1)
        current = remaining & ~beaten
        ranks[current] = front
        remaining &= ~current
        front += 1
    return ranks


def pareto_mask(points: ArrayLike) -> NDArray[np.bool_]:
    """Which points lie on the Pareto front (rank 0 of :func:`nondominated_ranks`)."""
    return nondominated_ranks(points) == 0


def crowding_distance(points: ArrayLike) -> FloatArray:
    """NSGA-II's crowding distance of points of one front: larger is lonelier.

    The extreme points of each objective get infinity, so they are kept first.

    Example:
        >>> crowding_distance([[0, 3], [1, 2], [3, 0]]).tolist()
        [inf, 2.0, inf]
    """
    array = _points(points)
    count, objectives = array.shape
    distance = np.zeros(count)
    if count <= 2:
        return np.full(count, np.inf)
    for column in range(objectives):
        order = np.argsort(array[:, column], kind="stable")
        values = array[order, column]
        span = values[-1] - values[0]
        distance[order[0]] = distance[order[-1]] = np.inf
        if span <= 0:
            continue
        distance[order[1:-1]] += (values[2:] - values[:-2]) / span
    return distance


def hypervolume(points: ArrayLike, reference: ArrayLike) -> float:
    """The volume dominated by ``points`` and bounded by ``reference`` (minimised).

    Points not strictly better than the reference in every objective add nothing.
    Exact: a sweep in two dimensions, slicing along the last objective above that
    (ample for the handful of objectives a search has).

    Example:
        >>> hypervolume([[1, 1, 1]], reference=[2, 3, 4])
        6.0
    """
    array = _points(points)
    ref = np.asarray(reference, dtype=float).ravel()
    if len(array) == 0:
        return 0.0
    array = array[np.all(array < ref, axis=1)]
    if len(array) == 0:
        return 0.0
    return float(_hypervolume(array[pareto_mask(array)], ref))


def _hypervolume(front: FloatArray, reference: FloatArray) -> float:
    if front.shape[1] == 1:
        return float(reference[0] - front[:, 0].min())
    if front.shape[1] == 2:
        order = np.argsort(front[:, 0], kind="stable")
        xs, ys = front[order, 0], front[order, 1]
        best_y = np.minimum.accumulate(ys)
        widths = np.diff(np.append(xs, reference[0]))
        return float(np.sum(widths * (reference[1] - best_y)))
    # Slice along the last objective: between consecutive levels, the volume is
    # the (d-1)-dimensional hypervolume of the points at or below the level.
    order = np.argsort(front[:, -1], kind="stable")
    front = front[order]
    levels = np.append(front[:, -1], reference[-1])
    total = 0.0
    for index in range(len(front)):
        height = levels[index + 1] - levels[index]
        if height <= 0:
            continue
        below = front[: index + 1, :-1]
        total += height * _hypervolume(below[pareto_mask(below)], reference[:-1])
    return total


def hypervolume_contributions(points: ArrayLike, reference: ArrayLike) -> FloatArray:
    """How much hypervolume each point alone adds (0 for a dominated point).

    Example:
        >>> hypervolume_contributions([[1, 3], [2, 2], [3, 1]], reference=[4, 4]).tolist()
        [1.0, 1.0, 1.0]
    """
    array = _points(points)
    total = hypervolume(array, reference)
    return np.array(
        [
            total - hypervolume(np.delete(array, index, axis=0), reference)
            for index in range(len(array))
        ]
    )


def reference_point(points: ArrayLike, margin: float = 0.1) -> FloatArray:
    """A reference point just beyond the worst of ``points`` in each objective.

    The worst value plus ``margin`` times the range (or 1 where the range is zero),
    the usual choice when no reference is given.
    """
    array = _points(points)
    worst, best = array.max(axis=0), array.min(axis=0)
    span = np.where(worst > best, worst - best, 1.0)
    return np.asarray(worst + margin * span, dtype=float)


def hypervolume_history(
    points: ArrayLike, reference: ArrayLike, feasible: Sequence[bool] | None = None
) -> list[float]:
    """The hypervolume of the first k points, for k = 1 … n (the search's progress).

    Example:
        >>> hypervolume_history([[3, 3], [1, 3], [2, 2]], reference=[4, 4])
        [1.0, 3.0, 5.0]
    """
    array = _points(points)
    keep = np.ones(len(array), dtype=bool) if feasible is None else np.asarray(feasible, bool)
    history, front = [], np.empty((0, array.shape[1]))
    for index in range(len(array)):
        if keep[index]:
            front = np.vstack([front, array[index]])
            front = front[pareto_mask(front)]
        history.append(hypervolume(front, reference))
    return history


__all__ = [
    "crowding_distance",
    "dominates",
    "hypervolume",
    "hypervolume_contributions",
    "hypervolume_history",
    "nondominated_ranks",
    "pareto_mask",
    "reference_point",
]
