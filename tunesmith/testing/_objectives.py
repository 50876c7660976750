"""The objective functions and the pruner of :class:`~tunesmith.testing.ExecutorContract`.

Defined at module level, without pytest, so a worker process (local or on Ray)
imports them by name like any user's function. Each declares ``n``, an int from 0
to 5, and minimises ``loss``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tunesmith.errors import FatalValueError
from tunesmith.pruners import Pruner, TrialCurve

#: Steps :func:`reports_until_stopped` reports, unless stopped.
STEPS = 5


def _n(hp: Any) -> int:
    return int(hp.Int("n", 0, 5))


def square(hp: Any) -> dict[str, float]:
    """``(n - 2)²``: which trial got which result shows in its score."""
    return {"loss": float((_n(hp) - 2) ** 2)}


def reports_until_stopped(hp: Any, context: Any) -> dict[str, float]:
    """Reports ``n + 1 / (step + 1)`` at each of :data:`STEPS` steps (with a progress
    line), and stops when a report answers False; ``stopped_at`` is that step, or -1."""
    n = _n(hp)
    value = float("inf")
    for step in range(STEPS):
        value = n + 1.0 / (step + 1)
        context.progress(0, step, STEPS, {"loss": value})
        if not context.report(step, value):
            return {"loss": value, "stopped_at": float(step)}
    return {"loss": value, "stopped_at": -1.0}


def fails_at_one(hp: Any) -> dict[str, float]:
    """Like :func:`square`, but ``n == 1`` raises a ValueError (the trial fails)."""
    if _n(hp) == 1:
        raise ValueError("n=1 is refused by this objective")
    return square(hp)


def fatal_at_one(hp: Any) -> dict[str, float]:
    """Like :func:`square`, but ``n == 1`` raises a FatalError (the search stops)."""
    if _n(hp) == 1:
        raise FatalValueError("n=1 stops the whole search")
    return square(hp)


class StopFromTwo(Pruner):
    """Stops a trial at step 2 when its value there is 2 or more, whatever the other
    trials did (so the answer is the same in any order the trials run)."""

    def should_stop(
        self, step: int, curve: Mapping[int, float], others: Sequence[TrialCurve]
    ) -> bool:
        return step >= 2 and curve.get(step, 0.0) >= 2.0
