"""Which results the Gaussian process is fitted on once there are too many.

An exact GP costs O(n³) to fit and O(n²) per prediction, so past a few hundred
results an ask would grow without bound (332 ms at 1 000 trials, measured in
benchmarks/RESULTS.md). Above a cap the model is fitted on a subset of at most that
many rows instead:

* the best results (lowest targets): the acquisition works where they are, and
  the model must be sharp there;
* the most recent ones: what the search did last, including the region the
  pending trials were asked around;
* a uniform random draw from the rest: the model still sees the whole space, so
  regions already found poor stay poor in its eyes.

Below the cap every row is kept and nothing is drawn, so proposals are exactly what
they were without a cap.
"""

from __future__ import annotations

import numpy as np

# Shares of the cap given to the best and to the most recent rows; the rest is drawn
# at random from what remains.
_BEST_SHARE = 1.0 / 3.0
_RECENT_SHARE = 1.0 / 6.0


def training_rows(y: np.ndarray, cap: int | None, rng: np.random.Generator) -> np.ndarray | None:
    """The rows of ``y`` (targets, lower is better, in the order they were obtained)
    to fit the model on: None (all of them) when there are at most ``cap`` or no cap,
    else ``cap`` row indices in increasing order.

    Deterministic for a given ``rng`` state; ``rng`` is drawn from only above the cap.

    Example:
        >>> y = np.arange(10.0)[::-1]            # the last rows are the best
        >>> training_rows(y, None, np.random.default_rng(0)) is None
        True
        >>> rows = training_rows(y, 6, np.random.default_rng(0))
        >>> len(rows), 9 in rows                 # the best row is always kept
        (6, True)
    """
    n = len(y)
    if cap is None or n <= cap:
        return None
    if cap < 1:
        raise ValueError(f"the cap on the model's points must be at least 1, got {cap}.")
    keep = np.zeros(n, dtype=bool)
    best = max(1, int(cap * _BEST_SHARE))
    # A stable sort: ties keep their order, so the choice depends on nothing else.
    keep[np.argsort(y, kind="stable")[:best]] = True
    recent = min(int(cap * _RECENT_SHARE), cap - best)
    # The newest rows not already kept, newest first.
    newest = np.flatnonzero(~keep)[::-1][:recent]
    keep[newest] = True
    rest = np.flatnonzero(~keep)
    drawn = rng.choice(rest, size=cap - int(keep.sum()), replace=False)
    keep[drawn] = True
    rows: np.ndarray = np.flatnonzero(keep)
    return rows
