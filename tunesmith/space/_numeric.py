"""Numeric hyperparameters: :class:`Int` and :class:`Float`."""

from __future__ import annotations

import abc
import bisect
import math
from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeGuard, TypeVar

from tunesmith.space._base import DiscreteHyperParameter, HyperParameter, fail
from tunesmith.space._conditions import ConditionSpec
from tunesmith.space._sampling import (
    LINEAR,
    REVERSE_LOG,
    from_unit_scale,
    index_to_unit,
    normalize_sampling,
    to_unit_scale,
    unit_to_index,
)
from tunesmith.space._values import clean_float, is_number, same_value, to_python

# A value this close to a grid point (in steps) is on the grid: it absorbs the
# binary noise of ``min + i * step`` and of JSON round trips.
_GRID_TOL = 1e-6


_N = TypeVar("_N", int, float)


def _finite(value: object) -> TypeGuard[int | float]:
    return is_number(value) and math.isfinite(value)


def _integer(value: object, name: str, arg: str) -> int:
    value = to_python(value)
    if _finite(value) and float(value).is_integer():
        return int(value)
    raise fail(
        name,
        f"{arg} must be an int, got {arg}={value!r}.",
        f"An Int needs integer bounds and step; use Float for {arg}={value!r}.",
    )


def _real(value: object, name: str, arg: str) -> float:
    value = to_python(value)
    if _finite(value):
        return float(value)
    raise fail(
        name, f"{arg}={value!r} is not a finite number.", f"Pass a finite int or float as {arg}."
    )


def _check_bounds(name: str, lo: float, hi: float, sampling: str) -> None:
    if lo > hi:
        raise fail(
            name,
            f"min_value {lo!r} is greater than the max_value {hi!r}.",
            "Swap them: min_value must not exceed max_value.",
        )
    if not _finite(hi - lo):
        raise fail(
            name,
            f"the range {lo!r} to {hi!r} is wider than a float can hold, so values "
            "between its ends cannot be drawn.",
            "Narrow it, or tune the exponent (e.g. hp.Float('log10_x', -300, 300)).",
        )
    if sampling != LINEAR and lo <= 0:
        raise fail(
            name,
            f"sampling={sampling!r} does not support negative values or zero: it needs "
            f"min_value > 0, got {lo!r}.",
            "Use a positive min_value, or sampling='linear'.",
        )


def _check_step(name: str, step: float, sampling: str, kind: str) -> None:
    if step <= 0:
        raise fail(
            name, f"step={step!r} is not positive.", "Pass a step greater than 0, or leave it out."
        )
    if sampling != LINEAR and step <= 1:
        # The middle sentence is keras-tuner's wording, which code written for it matches.
        raise fail(
            name,
            f"with sampling={sampling!r} the step is a factor between consecutive values. "
            f"For HyperParameters.{kind}(name={name!r}), expected step > 1 with "
            f"sampling={sampling!r}; got step={step!r}.",
            "Pass a factor such as step=2 (1, 2, 4, 8...), or leave it out.",
        )


def _geometric_grid(lo: float, hi: float, factor: float, sampling: str) -> list[float]:
    """``lo * factor**i`` up to ``hi``, in order of ``i``; for reverse_log mirrored
    inside [lo, hi] (``lo + hi - lo * factor**i``), so the values crowd towards ``hi``
    and come from ``hi`` down. Index ``i`` is keras-tuner's index of the value, which
    the encoding follows."""
    values = []
    value = lo
    while value <= hi * (1 + 1e-12):
        values.append(value)
        value *= factor
    if sampling == REVERSE_LOG:
        # hi - v first: it is exact near hi, so the last value is lo itself rather
        # than lo plus the rounding of lo + hi (0.0100000000000051 for 0.01..100).
        values = [lo + (hi - v) for v in values]
    return values


class Numerical(HyperParameter, abc.ABC, Generic[_N]):
    """What :class:`Int` and :class:`Float` share: a range ``[min_value, max_value]``
    with an optional step, a sampling scale, and a default checked against both
    (keras-tuner's ``hp_types.numerical.Numerical``, for ``isinstance`` checks).

    Example:
        >>> isinstance(Int("units", 8, 64), Numerical), isinstance(Float("lr", 0, 1), Numerical)
        (True, True)

    A subclass sets ``_parse`` (reads a bound or the step, or raises),
    ``_is_number`` (what a default must be before the range is checked),
    ``_NUMBER`` and ``_GRID`` (words for error messages), and builds its grid in
    :meth:`_set_grid`, called once the step is read.
    """

    _parse: Callable[[object, str, str], _N]
    _is_number: Callable[[object], bool]
    _NUMBER: str
    _GRID: str

    def _setup(
        self, lo: object, hi: object, step: object, sampling: str | None, default: object
    ) -> None:
        name = self._name
        self._sampling = normalize_sampling(sampling, name)
        self._min: _N = self._parse(lo, name, "min_value")
        self._max: _N = self._parse(hi, name, "max_value")
        _check_bounds(name, self._min, self._max, self._sampling)
        self._step: _N | None = None
        if step is not None:
            self._step = self._parse(step, name, "step")
            _check_step(name, self._step, self._sampling, type(self).__name__)
        # keras-tuner indexes (and so encodes) a stepped reverse_log grid from
        # max_value down: index i is max + min - min * step**i.
        self._descending = self._step is not None and self._sampling == REVERSE_LOG
        self._set_grid()
        if default is None:
            # The smallest value: min_value, or the smallest grid value when a
            # reverse_log grid leaves min_value off it.
            self._default: _N = self._min if self._step is None else self._ascending_value(0)
        else:
            self._default = self._check_default(default)

    @abc.abstractmethod
    def _set_grid(self) -> None:
        """Derive what the values need from the bounds, step and sampling."""

    @abc.abstractmethod
    def _value_at(self, index: int) -> _N:
        """The value at ``index`` of the step grid."""

    @abc.abstractmethod
    def _index_of(self, value: object) -> int | None:
        """The grid index of ``value``, or None when it is not on the grid."""

    @abc.abstractmethod
    def _grid_size(self) -> int:
        """How many values the step grid has (only called with a step)."""

    def _ascending_value(self, rank: int) -> _N:
        """The ``rank``-th smallest grid value (the grid of a stepped reverse_log
        hyperparameter is indexed from the largest value down)."""
        if self._descending:
            return self._value_at(self._grid_size() - 1 - rank)
        return self._value_at(rank)

    def _check_default(self, default: object) -> _N:
        value = self.coerce(default)
        if not self._is_number(value):
            problem = f"default={default!r} is not {self._NUMBER}."
        elif not self._min <= value <= self._max:
            problem = f"default={default!r} is outside [{self._min}, {self._max}]."
        elif self.is_discrete and self._index_of(value) is None:
            problem = f"default={default!r} is not on its {self._GRID} ({self._span()})."
        else:
            # Snap to the canonical grid value (0.30000000000000004 -> 0.3).
            index = self._index_of(value) if self.is_discrete else None
            number: _N = value  # a number in range: _is_number held
            return number if index is None else self._value_at(index)
        raise fail(
            self._name,
            problem,
            "Pass a default that is one of its values, or leave it out (it is then min_value).",
        )

    def _first_values(self, count: int) -> str:
        """The smallest grid values (of ``count``), for error messages."""
        shown = ", ".join(repr(self._ascending_value(i)) for i in range(min(count, 6)))
        return f"{shown}{', ...' if count > 6 else ''}"

    # -------------------------------------------------------------- properties
    @property
    def min_value(self) -> _N:
        return self._min

    @property
    def max_value(self) -> _N:
        return self._max

    @property
    def step(self) -> _N | None:
        return self._step

    @property
    def sampling(self) -> str:
        return self._sampling

    @property
    def default(self) -> _N:
        return self._default

    @property
    def values(self) -> tuple[_N, ...]:
        """keras-tuner's ``values``: every value, in encoded order, when there is a step
        (an Int with linear sampling always has one); ten points on the sampling scale
        otherwise. :meth:`grid_values` and :meth:`cardinality` count every value."""
        return tuple(self.grid_values())

    def _settings(self) -> dict[str, Any]:
        return {
            "min_value": self._min,
            "max_value": self._max,
            "step": self._step,
            "sampling": self._sampling,
        }


class Int(Numerical[int], DiscreteHyperParameter):
    """An integer from ``min_value`` to ``max_value`` (both included).

    Args:
        name: The hyperparameter's name.
        min_value, max_value: The range, ends included.
        step: For ``linear`` sampling, the distance between consecutive values
            (default 1). For ``log`` / ``reverse_log``, the *factor* between them
            (``Int("x", 1, 16, step=2, sampling="log")`` takes 1, 2, 4, 8, 16;
            ``reverse_log`` mirrors them into 16, 15, 13, 9, 1, encoded from
            ``max_value`` down as in keras-tuner); when left out, every integer of the
            range is possible, drawn on the log scale, and :attr:`values` is a
            ten-point sample of them as in keras-tuner (:meth:`grid_values` lists all).
        sampling: ``"linear"``, ``"log"`` or ``"reverse_log"``.
        default: Default ``min_value`` (the smallest value of the grid when
            ``reverse_log`` with a step leaves ``min_value`` off it).
        conditions: :class:`Condition` objects (or their configs).

    Example:
        >>> Int("units", 32, 512, step=32).grid_values()[:3]
        [32, 64, 96]
        >>> Int("batch", 16, 256, step=2, sampling="log").grid_values()
        [16, 32, 64, 128, 256]
        >>> wide = Int("n", 2, 1024, sampling="log")
        >>> len(wide.values), wide.cardinality(), len(wide.grid_values())
        (10, 1023, 1023)
        >>> Int("n", 2, 1024, sampling="log")
        Int(name: 'n', min_value: 2, max_value: 1024, step: None, sampling: log, default: 2)
    """

    _parse = staticmethod(_integer)
    _is_number = staticmethod(is_number)
    _NUMBER = "an integer"
    _GRID = "grid"

    def __init__(
        self,
        name: str,
        min_value: int,
        max_value: int,
        step: int | None = None,
        sampling: str | None = "linear",
        default: int | None = None,
        conditions: Iterable[ConditionSpec] | None = None,
    ) -> None:
        super().__init__(name, conditions=conditions)
        self._setup(min_value, max_value, step, sampling, default)

    def _set_grid(self) -> None:
        if self._step is None and self._sampling == LINEAR:
            # Linear: every integer. Log without a step: every integer too, but drawn
            # on the log scale (see to_unit), so no step is stored.
            self._step = 1
        self._grid: tuple[int, ...] | None = None
        if self._step is not None and self._sampling != LINEAR:
            grid = _geometric_grid(self._min, self._max, self._step, self._sampling)
            self._grid = tuple(int(v) for v in grid)  # int arithmetic: exact
            self._grid_index = {v: i for i, v in enumerate(self._grid)}

    def _span(self) -> str:
        if self._grid is not None:
            return self._first_values(len(self._grid))
        step = f" step {self._step}" if self._step not in (None, 1) else ""
        return f"integers {self._min}..{self._max}{step}"

    def _repr_fields(self) -> str:
        # keras-tuner's text: the name quoted, the rest as str().
        return (
            f"name: '{self._name}', min_value: {self._min}, max_value: {self._max}, "
            f"step: {self._step}, sampling: {self._sampling}, default: {self._default}"
        )

    @property
    def values(self) -> tuple[int, ...]:
        """keras-tuner's ``values``: every value, in encoded order, when there is a
        step (always, under linear sampling); under log / reverse_log sampling without
        one, the distinct values at the centres of ten equal bins of the encoding,
        increasing (``Int("n", 2, 1024, sampling="log")`` has 10). A grid search
        tries every value: :meth:`grid_values`, :meth:`cardinality`."""
        if self._step is None:
            return tuple(sorted({self.from_unit(index_to_unit(i, 10)) for i in range(10)}))
        return tuple(self.grid_values())

    # ------------------------------------------------------------------ values
    def coerce(self, value: object) -> Any:
        value = to_python(value)
        if isinstance(value, float) and math.isfinite(value) and value.is_integer():
            return int(value)
        return value

    def cardinality(self) -> int:
        if self._grid is not None:
            return len(self._grid)
        return (self._max - self._min) // (self._step or 1) + 1

    def _grid_size(self) -> int:
        return self.cardinality()

    def _value_at(self, index: int) -> int:
        if self._grid is not None:
            return self._grid[index]
        return self._min + index * (self._step or 1)

    def _index_of(self, value: object) -> int | None:
        value = to_python(value)
        if not isinstance(value, int) or isinstance(value, bool):
            return None
        if self._grid is not None:
            return self._grid_index.get(value)
        if not self._min <= value <= self._max:
            return None
        offset, remainder = divmod(value - self._min, self._step or 1)
        return offset if remainder == 0 else None

    # The encoding of an Int without step (log or reverse_log sampling), as
    # keras-tuner's: integer k owns the interval [k, k + 1) of [min_value,
    # max_value + 1], mapped onto [0, 1] by the sampling scale, so under "log"
    # small integers get wider bins (are drawn more often). A value encodes to
    # the position of k + 0.5, inside its bin.
    def to_unit(self, value: object) -> float:
        if self._step is not None:
            return super().to_unit(value)
        k = self._min + self._require_index(value)
        return to_unit_scale(k + 0.5, self._min, self._max + 1, self._sampling)

    def from_unit(self, u: float) -> int:
        if self._step is not None:
            return self._value_at(unit_to_index(u, self.cardinality()))
        x = from_unit_scale(u, self._min, self._max + 1, self._sampling)
        return min(self._max, max(self._min, math.floor(x)))


class Float(Numerical[float]):
    """A real number from ``min_value`` to ``max_value`` (both included).

    Args:
        name: The hyperparameter's name.
        min_value, max_value: The range, ends included.
        step: Optional. For ``linear`` sampling, the distance between consecutive
            values (``min_value + i * step``, rounded to 15 significant digits). For
            ``log`` / ``reverse_log``, the factor between them; ``reverse_log``
            mirrors the log grid (``max_value + min_value - min_value * step**i``),
            encoded from ``max_value`` down as in keras-tuner. Without a step any
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
        >>> rg = Float("rg", 0.01, 100, step=10, sampling="reverse_log")
        >>> rg.grid_values(), rg.default
        ([100.0, 99.91, 99.01, 90.01, 0.01], 0.01)
        >>> rg.value_to_prob(99.91), rg.prob_to_value(0.3)
        (0.3, 99.91)
    """

    _parse = staticmethod(_real)
    _is_number = staticmethod(_finite)
    _NUMBER = "a finite number"
    _GRID = "step grid"

    def __init__(
        self,
        name: str,
        min_value: float,
        max_value: float,
        step: float | None = None,
        sampling: str | None = "linear",
        default: float | None = None,
        conditions: Iterable[ConditionSpec] | None = None,
    ) -> None:
        super().__init__(name, conditions=conditions)
        self._setup(min_value, max_value, step, sampling, default)

    def _set_grid(self) -> None:
        self._grid: tuple[float, ...] | None = None
        self._n = 0
        if self._step is None:
            return
        if self._sampling == LINEAR:
            self._n = math.floor((self._max - self._min) / self._step + _GRID_TOL) + 1
        else:
            grid = _geometric_grid(self._min, self._max, self._step, self._sampling)
            self._grid = tuple(self._clamp(clean_float(v)) for v in grid)
            self._n = len(self._grid)
            # Increasing, for bisect (the grid itself decreases under reverse_log).
            self._sorted_grid = tuple(reversed(self._grid)) if self._descending else self._grid

    @property
    def is_discrete(self) -> bool:
        return self._step is not None

    def _span(self) -> str:
        if self._step is None:
            return f"any real number in [{self._min}, {self._max}]"
        return self._first_values(self._n)

    def _repr_fields(self) -> str:
        # keras-tuner's text, where every field but the name is quoted.
        return (
            f"name: '{self._name}', min_value: '{self._min}', max_value: '{self._max}', "
            f"step: '{self._step}', sampling: '{self._sampling}', default: '{self._default}'"
        )

    def _grid_size(self) -> int:
        return self._n

    # ------------------------------------------------------------------ values
    def _clamp(self, value: float) -> float:
        return min(self._max, max(self._min, value))

    def _value_at(self, index: int) -> float:
        if self._grid is not None:
            return self._grid[index]
        assert self._step is not None  # only a Float with a step has indexed values
        return self._clamp(clean_float(self._min + index * self._step))

    def _index_of(self, value: object) -> int | None:
        value = to_python(value)
        if not _finite(value) or self._step is None:
            return None
        if self._grid is not None:
            position = bisect.bisect_left(self._sorted_grid, value)
            for rank in (position - 1, position):
                if 0 <= rank < self._n and same_value(self._sorted_grid[rank], value):
                    return self._n - 1 - rank if self._descending else rank
            return None
        steps = (value - self._min) / self._step
        index = round(steps)
        if abs(steps - index) <= _GRID_TOL and 0 <= index < self._n:
            return index
        return None

    def coerce(self, value: object) -> Any:
        value = to_python(value)
        if is_number(value):
            return float(value)
        return value

    def is_valid(self, value: object) -> bool:
        value = to_python(value)
        if not _finite(value):
            return False
        if self._step is not None:
            return self._index_of(value) is not None
        return self._min <= value <= self._max

    def cardinality(self) -> int | None:
        return self._n if self._step is not None else None

    def grid_values(self, default_size: int = 10) -> list[float]:
        """Every value with a step, in encoded order (from ``max_value`` down under
        ``reverse_log``); without one, ``default_size`` points evenly spaced on the
        sampling scale, both ends included (one point: the default)."""
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

    def to_unit(self, value: object) -> float:
        valid = self._require_valid(value)
        if self._step is not None:
            index = self._index_of(valid)
            assert index is not None  # _require_valid: a value on the step grid
            return index_to_unit(index, self._n)
        return to_unit_scale(valid, self._min, self._max, self._sampling)

    def from_unit(self, u: float) -> float:
        if self._step is not None:
            return self._value_at(unit_to_index(u, self._n))
        return from_unit_scale(u, self._min, self._max, self._sampling)
