"""The sampling scales of numeric hyperparameters and their maps to and from [0, 1].

``linear`` spreads values evenly; ``log`` evenly in log space (as many values
between 1e-4 and 1e-3 as between 1e-3 and 1e-2); ``reverse_log`` is ``log``
mirrored inside the range, so values crowd towards ``max_value`` instead of
``min_value`` (useful for momentum-like parameters such as 0.9 .. 0.999).
"""

from __future__ import annotations

import math

from tunesmith.errors import SearchSpaceError

LINEAR = "linear"
LOG = "log"
REVERSE_LOG = "reverse_log"
SAMPLINGS = (LINEAR, LOG, REVERSE_LOG)


def normalize_sampling(sampling: str | None, name: str) -> str:
    """The canonical sampling name; ``None`` means ``"linear"`` (older keras-tuner code)."""
    if sampling is None:
        return LINEAR
    if isinstance(sampling, str) and sampling.lower() in SAMPLINGS:
        return sampling.lower()
    raise SearchSpaceError(
        f"Hyperparameter {name!r}: sampling must be one of "
        f"{', '.join(repr(s) for s in SAMPLINGS)}, got {sampling!r}. "
        "Pass one of these (None means 'linear')."
    )


def clip_unit(u: float) -> float:
    """``u`` clipped into [0, 1]; a NaN is refused rather than silently mapped."""
    u = float(u)
    if math.isnan(u):
        raise ValueError("A unit-interval coordinate must be a number, got NaN.")
    return min(1.0, max(0.0, u))


def index_to_unit(index: int, count: int) -> float:
    """The centre of bin ``index`` when [0, 1] is cut into ``count`` equal bins.

    Every discrete hyperparameter encodes its ``i``-th value this way (keras-tuner's
    ``index_to_prob``), so a value sits as far as possible from its neighbours' bins.

    Example:
        >>> index_to_unit(1, 5)
        0.3
    """
    return (index + 0.5) / count


def unit_to_index(u: float, count: int) -> int:
    """The bin of [0, 1] cut into ``count`` equal bins that holds ``u`` (clipped, so
    ``u = 1`` is in the last bin); the inverse of :func:`index_to_unit`.

    Example:
        >>> unit_to_index(0.3, 5), unit_to_index(1.0, 5)
        (1, 4)
    """
    return min(int(clip_unit(u) * count), count - 1)


def to_unit_scale(x: float, lo: float, hi: float, sampling: str) -> float:
    """Where ``x`` in [lo, hi] sits on ``sampling``'s scale, as a number in [0, 1]."""
    if hi <= lo:
        return 0.5
    x = min(hi, max(lo, x))
    if sampling == LINEAR:
        u = (x - lo) / (hi - lo)
    elif sampling == LOG:
        u = (math.log(x) - math.log(lo)) / (math.log(hi) - math.log(lo))
    else:
        u = 1.0 - (math.log(lo + hi - x) - math.log(lo)) / (math.log(hi) - math.log(lo))
    return clip_unit(u)


def from_unit_scale(u: float, lo: float, hi: float, sampling: str) -> float:
    """The point of [lo, hi] at position ``u`` on ``sampling``'s scale (inverse of
    :func:`to_unit_scale`); the ends map exactly to ``lo`` and ``hi``."""
    u = clip_unit(u)
    if hi <= lo or u == 0.0:
        return lo
    if u == 1.0:
        return hi
    if sampling == LINEAR:
        x = lo + u * (hi - lo)
    elif sampling == LOG:
        x = math.exp(math.log(lo) + u * (math.log(hi) - math.log(lo)))
    else:
        x = lo + hi - math.exp(math.log(lo) + (1.0 - u) * (math.log(hi) - math.log(lo)))
    return min(hi, max(lo, x))
