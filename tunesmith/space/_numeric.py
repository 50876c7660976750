"""Numeric hyperparameters: :class:`Int` and :class:`Float`."""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable
from typing import Any

from tunesmith.space._base import DiscreteHyperParameter, HyperParameter, fail
from tunesmith.space._sampling import (
    LINEAR,
    REVERSE_LOG,
    clip_unit,
    from_unit_scale,
    normalize_sampling,
    to_unit_scale,
)
from tunesmith.space._values import clean_float, is_number, same_value, to_python

# A value this close to a grid point (in steps) is on the grid: it absorbs the
# binary noise of ``min + i * step`` and of JSON round trips.
_GRID_TOL = 1e-6


def _integer(value: Any, name: str, arg: str) -> int:
    value = to_python(value)
    if is_number(value) and math.isfinite(value) and float(value).is_integer():
        return int(value)
    raise fail(
        name,
        f"{arg}={value!r} is not an integer.",
        f"An Int needs integer bounds and step; use Float for {arg}={value!r}.",
    )


def _real(value: Any, name: str, arg: str) -> float:
    value = to_python(value)
    if is_number(value) and math.isfinite(value):
        return float(value)
    raise fail(
        name, f"{arg}={value!r} is not a finite number.", f"Pass a finite int or float as {arg}."
    )


def _check_bounds(name: str, lo: float, hi: float, sampling: str) -> None:
    if lo > hi:
        raise fail(
            name,
            f"min_value={lo!r} is greater than max_value={hi!r}.",
            "Swap them: min_value must not exceed max_value.",
        )
    if sampling != LINEAR and lo <= 0:
        raise fail(
            name,
            f"sampling={sampling!r} needs min_value > 0, got {lo!r}.",
            "Use a positive min_value, or sampling='linear'.",
        )


def _check_step(name: str, step: float, sampling: str) -> None:
    if step <= 0:
        raise fail(
            name, f"step={step!r} is not positive.", "Pass a step greater than 0, or leave it out."
        )
    if sampling != LINEAR and step <= 1:
        raise fail(
            name,
            f"with sampling={sampling!r} the step is a factor between "
            f"consecutive values, so it must be greater than 1; got {step!r}.",
            "Pass a factor such as step=2 (1, 2, 4, 8...), or leave it out.",
        )


def _geometric_grid(lo: float, hi: float, factor: float, sampling: str) -> list[float]:
    """``lo * factor**i`` up to ``hi``; mirrored inside [lo, hi] for reverse_log, so
    the values crowd towards ``hi``. Sorted increasing."""
    values = []
    value = lo
    while value <= hi * (1 + 1e-12):
        values.append(value)
        value *= factor
    if sampling == REVERSE_LOG:
        values = [lo + hi - v for v in values]
    return sorted(values)


class Int(DiscreteHyperParameter):
    """An integer from ``min_value`` to ``max_value`` (both included).

    Args:
        name: The hyperparameter's name.
        min_value, max_value: The range, ends included.
        step: For ``linear`` sampling, the distance between consecutive values
            (default 1). For ``log`` / ``reverse_log``, the *factor* between them
            (``Int("x", 1, 16, step=2, sampling="log")`` takes 1, 2, 4, 8, 16); when
            left out, every integer of the range is possible, drawn on the log scale.
        sampling: ``"linear"``, ``"log"`` or ``"reverse_log"``.
        default: Default ``min_value`` (the smallest value of the grid when
            ``reverse_log`` with a step leaves ``min_value`` off it).
        conditions: :class:`Condition` objects (or their configs).

    Example:
        >>> Int("units", 32, 512, step=32).grid_values()[:3]
        [32, 64, 96]
        >>> Int("batch", 16, 256, step=2, sampling="log").grid_values()
        [16, 32, 64, 128, 256]
    """

    def __init__(
        self,
        name: str,
        min_value: int,
        max_value: int,
        step: int | None = None,
        sampling: str | None = "linear",
        default: int | None = None,
        conditions: Iterable[Any] | None = None,
    ) -> None:
        super().__init__(name, conditions)
        name = self._name
        self._sampling = normalize_sampling(sampling, name)
        self._min = _integer(min_value, name, "min_value")
        self._max = _integer(max_value, name, "max_value")
        _check_bounds(name, self._min, self._max, self._sampling)
        if step is None:
            # Linear: every integer. Log without a step: every integer too, but drawn
            # on the log scale (see to_unit), so no step is stored.
            self._step: int | None = 1 if self._sampling == LINEAR else None
        else:
            self._step = _integer(step, name, "step")
            _check_step(name, self._step, self._sampling)
        self._grid: tuple[int, ...] | None = None
        if self._step is not None and self._sampling != LINEAR:
            grid = _geometric_grid(self._min, self._max, self._step, self._sampling)
            self._grid = tuple(int(v) for v in grid)  # int arithmetic: exact
            self._grid_index = {v: i for i, v in enumerate(self._grid)}
        if default is None:
            self._default = self._value_at(0)
        else:
            self._default = self._check_default(default)

    def _check_default(self, default: Any) -> int:
        value = self.coerce(default)
        if self.is_valid(value):
            return value
        if is_number(value) and not self._min <= value <= self._max:
            problem = f"default={default!r} is outside [{self._min}, {self._max}]."
        elif is_number(value):
            problem = f"default={default!r} is not on its grid ({self._span()})."
        else:
            problem = f"default={default!r} is not an integer."
        raise fail(
            self._name,
            problem,
            "Pass a default that is one of its values, or leave it out (it is then min_value).",
        )

    # -------------------------------------------------------------- properties
    @property
    def min_value(self) -> int:
        return self._min

    @property
    def max_value(self) -> int:
        return self._max

    @property
    def step(self) -> int | None:
        return self._step

    @property
    def sampling(self) -> str:
        return self._sampling

    @property
    def default(self) -> int:
        return self._default

    def get_config(self) -> dict[str, Any]:
        return {
            **self._base_config(),
            "min_value": self._min,
            "max_value": self._max,
            "step": self._step,
            "sampling": self._sampling,
            "default": self._default,
        }

    def describe(self) -> dict[str, Any]:
        return {
            **self._describe_base(),
            "min_value": self._min,
            "max_value": self._max,
            "step": self._step,
            "sampling": self._sampling,
        }

    def _span(self) -> str:
        if self._grid is not None:
            shown = ", ".join(str(v) for v in self._grid[:6])
            return f"{shown}{', ...' if len(self._grid) > 6 else ''}"
        step = f" step {self._step}" if self._step not in (None, 1) else ""
        return f"integers {self._min}..{self._max}{step}"

    # ------------------------------------------------------------------ values
    def coerce(self, value: Any) -> Any:
        value = to_python(value)
        if isinstance(value, float) and math.isfinite(value) and value.is_integer():
            return int(value)
        return value

    def cardinality(self) -> int:
        if self._grid is not None:
            return len(self._grid)
        return (self._max - self._min) // (self._step or 1) + 1

    def _value_at(self, index: int) -> int:
        if self._grid is not None:
            return self._grid[index]
        return self._min + index * (self._step or 1)

    def _index_of(self, value: Any) -> int | None:
        value = to_python(value)
        if not isinstance(value, int) or isinstance(value, bool):
            return None
        if self._grid is not None:
            return self._grid_index.get(value)
        if not self._min <= value <= self._max:
            return None
        offset, remainder = divmod(value - self._min, self._step or 1)
        return offset if remainder == 0 else None

    # The log-scale encoding of an Int without step: integer k owns the interval
    # [k - 0.5, k + 0.5] of the real line, mapped onto [0, 1] by the sampling
    # scale, so small integers get wider bins (drawn more often) under "log".
    def _log_bounds(self) -> tuple[float, float]:
        return self._min - 0.5, self._max + 0.5

    def to_unit(self, value: Any) -> float:
        if self._step is not None:
            return super().to_unit(value)
        k = self._min + self._require_index(value)
        lo, hi = self._log_bounds()
        return 0.5 * (
            to_unit_scale(k - 0.5, lo, hi, self._sampling)
            + to_unit_scale(k + 0.5, lo, hi, self._sampling)
        )

    def from_unit(self, u: float) -> int:
        if self._step is not None:
            return super().from_unit(u)
        lo, hi = self._log_bounds()
        x = from_unit_scale(u, lo, hi, self._sampling)
        return min(self._max, max(self._min, math.floor(x + 0.5)))


class Float(HyperParameter):
    """A real number from ``min_value`` to ``max_value`` (both included).

    Args:
        name: The hyperparameter's name.
        min_value, max_value: The range, ends included.
        step: Optional. For ``linear`` sampling, the distance between consecutive
            values (``min_value + i * step``, rounded to 15 significant digits). For
            ``log`` / ``reverse_log``, the factor between them. Without a step any
            real number of the range is possible.
        sampling: ``"linear"``, ``"log"`` or ``"reverse_log"``.
        default: Default ``min_value`` (the smallest grid value when ``reverse_log``
            with a step leaves ``min_value`` off the grid).
        conditions: :class:`Condition` objects (or their configs).

    Example:
        >>> lr = Float("lr", 1e-4, 1e-1, sampling="log")
        >>> lr.grid_values(4)
        [0.0001, 0.001, 0.01, 0.1]
        >>> Float("dropout", 0.0, 0.5, step=0.1).grid_values()
        [0.0, 0.1, 0.2, 0.3, 0.4, 0.5]
    """

    def __init__(
        self,
        name: str,
        min_value: float,
        max_value: float,
        step: float | None = None,
        sampling: str | None = "linear",
        default: float | None = None,
        conditions: Iterable[Any] | None = None,
    ) -> None:
        super().__init__(name, conditions)
        name = self._name
        self._sampling = normalize_sampling(sampling, name)
        self._min = _real(min_value, name, "min_value")
        self._max = _real(max_value, name, "max_value")
        _check_bounds(name, self._min, self._max, self._sampling)
        self._step: float | None = None
        self._grid: tuple[float, ...] | None = None
        self._n = 0
        if step is not None:
            self._step = _real(step, name, "step")
            _check_step(name, self._step, self._sampling)
            if self._sampling == LINEAR:
                self._n = math.floor((self._max - self._min) / self._step + _GRID_TOL) + 1
            else:
                grid = _geometric_grid(self._min, self._max, self._step, self._sampling)
                self._grid = tuple(self._clamp(clean_float(v)) for v in grid)
                self._n = len(self._grid)
        if default is None:
            self._default = self._value_at(0) if self._step is not None else self._min
        else:
            self._default = self._check_default(default)

    def _check_default(self, default: Any) -> float:
        value = self.coerce(default)
        if not is_number(value) or not math.isfinite(value):
            problem = f"default={default!r} is not a finite number."
        elif not self._min <= value <= self._max:
            problem = f"default={default!r} is outside [{self._min}, {self._max}]."
        elif self._step is not None and self._index_of(value) is None:
            problem = f"default={default!r} is not on its step grid ({self._span()})."
        else:
            # Snap to the canonical grid value (0.30000000000000004 -> 0.3).
            return self._value_at(self._index_of(value)) if self._step is not None else value
        raise fail(
            self._name,
            problem,
            "Pass a default that is one of its values, or leave it out (it is then min_value).",
        )

    # -------------------------------------------------------------- properties
    @property
    def min_value(self) -> float:
        return self._min

    @property
    def max_value(self) -> float:
        return self._max

    @property
    def step(self) -> float | None:
        return self._step

    @property
    def sampling(self) -> str:
        return self._sampling

    @property
    def default(self) -> float:
        return self._default

    @property
    def is_discrete(self) -> bool:
        return self._step is not None

    def get_config(self) -> dict[str, Any]:
        return {
            **self._base_config(),
            "min_value": self._min,
            "max_value": self._max,
            "step": self._step,
            "sampling": self._sampling,
            "default": self._default,
        }

    def describe(self) -> dict[str, Any]:
        return {
            **self._describe_base(),
            "min_value": self._min,
            "max_value": self._max,
            "step": self._step,
            "sampling": self._sampling,
        }

    def _span(self) -> str:
        if self._step is None:
            return f"any real number in [{self._min}, {self._max}]"
        values = [self._value_at(i) for i in range(min(self._n, 6))]
        shown = ", ".join(repr(v) for v in values)
        return f"{shown}{', ...' if self._n > 6 else ''}"

    # ------------------------------------------------------------------ values
    def _clamp(self, value: float) -> float:
        return min(self._max, max(self._min, value))

    def _value_at(self, index: int) -> float:
        if self._grid is not None:
            return self._grid[index]
        return self._clamp(clean_float(self._min + index * self._step))

    def _index_of(self, value: Any) -> int | None:
        value = to_python(value)
        if not is_number(value) or not math.isfinite(value) or self._step is None:
            return None
        if self._grid is not None:
            position = bisect.bisect_left(self._grid, value)
            for index in (position - 1, position):
                if 0 <= index < self._n and same_value(self._grid[index], value):
                    return index
            return None
        steps = (value - self._min) / self._step
        index = round(steps)
        if abs(steps - index) <= _GRID_TOL and 0 <= index < self._n:
            return index
        return None

    def coerce(self, value: Any) -> Any:
        value = to_python(value)
        if is_number(value):
            return float(value)
        return value

    def is_valid(self, value: Any) -> bool:
        value = to_python(value)
        if not is_number(value) or not math.isfinite(value):
            return False
        if self._step is not None:
            return self._index_of(value) is not None
        return self._min <= value <= self._max

    def cardinality(self) -> int | None:
        return self._n if self._step is not None else None

    def grid_values(self, default_size: int = 10) -> list[float]:
        """Every value with a step; without one, ``default_size`` points evenly spaced
        on the sampling scale, both ends included (one point: the default)."""
        if self._step is not None:
            return [self._value_at(i) for i in range(self._n)]
        if default_size < 1:
            raise ValueError(f"default_size must be at least 1, got {default_size}.")
        if default_size == 1 or self._min == self._max:
            return [self._default]
        points = [
            from_unit_scale(i / (default_size - 1), self._min, self._max, self._sampling)
            for i in range(default_size)
        ]
        cleaned = [self._clamp(clean_float(p)) for p in points[1:-1]]
        return [self._min, *cleaned, self._max]

    def to_unit(self, value: Any) -> float:
        value = self._require_valid(value)
        if self._step is not None:
            return (self._index_of(value) + 0.5) / self._n
        return to_unit_scale(value, self._min, self._max, self._sampling)

    def from_unit(self, u: float) -> float:
        if self._step is not None:
            return self._value_at(min(int(clip_unit(u) * self._n), self._n - 1))
        return from_unit_scale(u, self._min, self._max, self._sampling)
