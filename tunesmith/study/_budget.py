"""Budgets for a whole search: the time it may take, and the end of a plateau."""

from __future__ import annotations

import math
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass

from tunesmith.constraints import is_feasible
from tunesmith.errors import InvalidArgumentError
from tunesmith.objective import Objective
from tunesmith.trial import Trial

_UNITS = {"d": 86400.0, "h": 3600.0, "m": 60.0, "s": 1.0}
_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)\s*([dhms])")


def parse_duration(value: float | int | str | None, name: str = "max_time") -> float | None:
    """Seconds from a number of seconds or a text such as ``"90m"``, ``"1h30m"``, ``"45s"``.

    Example:
        >>> parse_duration("1h30m"), parse_duration(120), parse_duration(None)
        (5400.0, 120.0, None)
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise _bad_duration(name, value)
    if isinstance(value, (int, float)):
        seconds = float(value)
    elif isinstance(value, str):
        text = value.strip().lower().replace(" ", "")
        parts = _PART.findall(text)
        if not parts or "".join(n + u for n, u in parts) != text:
            raise _bad_duration(name, value)
        seconds = sum(float(number) * _UNITS[unit] for number, unit in parts)
    else:
        raise _bad_duration(name, value)
    if not math.isfinite(seconds) or seconds <= 0:
        raise _bad_duration(name, value)
    return seconds


def _bad_duration(name: str, value: object) -> InvalidArgumentError:
    return InvalidArgumentError(
        f"{name}={value!r} is not a duration. Pass a positive number of seconds "
        f'({name}=3600) or a text of days, hours, minutes, seconds ({name}="90m", '
        f'"1h30m", "45s"), or None for no limit.'
    )


def format_duration(seconds: float) -> str:
    """A duration as people write it.

    Example:
        >>> format_duration(5400), format_duration(59.6), format_duration(3725)
        ('1h30m', '1m', '1h2m5s')
        >>> format_duration(0.25)
        '0.25s'
    """
    if seconds < 10:
        return f"{seconds:.3g}s"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [
        f"{hours}h" if hours else "",
        f"{minutes}m" if minutes else "",
        f"{secs}s" if secs else "",
    ]
    return "".join(parts) or "0s"


class TimeBudget:
    """The time a search may take, counted across the processes that ran it.

    The clock runs from the first :meth:`start` in this process; what earlier
    processes spent (stored with the study) is added, so a resumed search
    goes on with what is left.
    """

    def __init__(self, max_time: float | None, spent_before: float = 0.0) -> None:
        self.max_time = max_time
        self.spent_before = spent_before
        self._started: float | None = None

    def start(self) -> None:
        if self._started is None:
            self._started = time.monotonic()

    @property
    def spent(self) -> float:
        """Seconds spent so far, earlier processes included."""
        now = 0.0 if self._started is None else time.monotonic() - self._started
        return self.spent_before + now

    @property
    def exhausted(self) -> bool:
        return self.max_time is not None and self.spent >= self.max_time

    def reason(self) -> str:
        assert self.max_time is not None  # only asked once exhausted
        return (
            f"max_time={format_duration(self.max_time)} spent "
            f"({format_duration(self.spent)} of search in all)."
        )


@dataclass(frozen=True)
class Plateau:
    """End a search after ``trials`` finished trials without an improvement of the
    best value larger than ``min_delta``.

    Example:
        >>> from tunesmith.objective import Objective
        >>> rule = Plateau(trials=2, min_delta=0.01)
        >>> rule.reached([1.0, 0.5, 0.499, 0.4995], Objective("loss", "min"))
        True
        >>> rule.reached([1.0, 0.5, 0.499, 0.3], Objective("loss", "min"))
        False
    """

    trials: int
    min_delta: float = 0.0

    def __post_init__(self) -> None:
        if isinstance(self.trials, bool) or not isinstance(self.trials, int) or self.trials < 1:
            raise InvalidArgumentError(
                f"Plateau(trials={self.trials!r}): trials must be a whole number of at "
                "least 1 (how many finished trials without improvement end the search)."
            )
        if not math.isfinite(self.min_delta) or self.min_delta < 0:
            raise InvalidArgumentError(
                f"Plateau(min_delta={self.min_delta!r}): min_delta must be a finite "
                "number of at least 0 (the improvement that counts)."
            )

    def reached(self, scores: Iterable[float], objective: Objective) -> bool:
        """Whether the last :attr:`trials` of ``scores`` (in the order the trials
        ended) brought no improvement larger than :attr:`min_delta`."""
        values = [s for s in scores if math.isfinite(s)]
        if len(values) <= self.trials:
            return False
        sign = 1.0 if objective.direction == "max" else -1.0
        before = max(sign * v for v in values[: -self.trials])
        after = max(sign * v for v in values[-self.trials :])
        return after - before <= self.min_delta

    def reason(self) -> str:
        return (
            f"No improvement larger than {self.min_delta:g} in the last {self.trials} "
            "finished trials (stop_on_plateau)."
        )


def ended_scores(trials: Iterable[Trial]) -> list[float]:
    """The scores of the scored trials, in the order they ended."""
    scored = [
        t for t in trials if t.status.has_result and t.score is not None and is_feasible(t.metrics)
    ]
    scored.sort(key=lambda t: (t.ended_at or 0.0, t.number))
    return [float(t.score) for t in scored if t.score is not None]
