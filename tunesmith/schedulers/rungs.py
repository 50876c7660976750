"""Successive-halving arithmetic shared by ASHA, Hyperband's rounds and the SH pruner.

A *rung* is a number of epochs (the resource) at which configurations are compared;
rung ``k`` sits at ``minimum * factor**k``. Of the trials that reached a rung, the
best ``1 / factor`` go on.
"""

from __future__ import annotations


def rung_resource(k: int, minimum: int, factor: int) -> int:
    """The resource (epochs) of rung ``k``: ``minimum * factor**k``.

    Example:
        >>> [rung_resource(k, 1, 3) for k in range(4)]
        [1, 3, 9, 27]
    """
    resource: int = minimum * factor**k  # int ** int: untyped to mypy
    return resource


def rung_ladder(minimum: int, factor: int, maximum: int) -> list[int]:
    """The rungs from ``minimum`` up to ``maximum``: ``minimum * factor**k`` below
    ``maximum``, then ``maximum`` itself (the last rung is full training).

    Example:
        >>> rung_ladder(1, 3, 27), rung_ladder(1, 3, 100), rung_ladder(5, 3, 5)
        ([1, 3, 9, 27], [1, 3, 9, 27, 81, 100], [5])
    """
    if not 1 <= minimum <= maximum:
        raise ValueError(f"Need 1 <= min_epochs <= max_epochs, got {minimum} and {maximum}.")
    if factor < 2:
        raise ValueError(f"factor must be at least 2, got {factor}.")
    rungs = []
    k = 0
    while (resource := rung_resource(k, minimum, factor)) < maximum:
        rungs.append(resource)
        k += 1
    return [*rungs, maximum]


def promotion_quota(finished: int, factor: int) -> int:
    """How many of the ``finished`` trials of a rung are in its top ``1 / factor``.

    Example:
        >>> [promotion_quota(n, 3) for n in (1, 2, 3, 8, 9)]
        [0, 0, 1, 2, 3]
    """
    return finished // factor
