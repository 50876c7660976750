"""Configurations to feature rows and unit-cube points to configurations.

A search space is a list of definitions in registration order (parents before
children). Two representations of a point are used:

* a **unit point** ``u``: one coordinate in [0, 1] per definition. Decoding walks the
  space in order and sets only the definitions that are active for the values
  chosen so far (``from_unit`` snaps each to a valid value), exactly as
  :meth:`HyperParameters.with_values` does, so every decoded point is a valid
  configuration. Inactive coordinates are kept: they are used if a move makes
  their definition active.
* a **feature row**: what the kernel reads. One column per tunable definition (a
  ``Fixed`` or one-valued definition is left out), then one activity column per
  group of conditional definitions.

  - Ordered definitions (``Float``, ``Int``, an ordered ``Choice``) use their unit
    encoding, which already applies log scaling and puts a stepped value at the
    centre of its bin.
  - Categorical definitions (an unordered ``Choice``, ``Boolean``) hold the index of
    the value; the kernel compares it only for equality.
  - An **inactive** definition sits at a fixed neutral value (0.5 for an ordered
    one, the code ``-1`` for a categorical one), and its group's activity column
    (0 or 1) tells the kernel the point is in another branch. So two points that
    both lack a definition match on it (their distance is 0 whatever stale value
    they might carry), and a point that has it is kept apart from one that does
    not. A definition is inactive when its conditions fail or when the trial's
    values lack it (it was registered by a later build: define-by-run).

  Definitions share an activity column when they have the same conditions and are
  active in exactly the same training rows, so ``filters`` and ``kernel_size``
  under ``model == "cnn"`` add one column, not two.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from tunesmith.errors import SearchSpaceError
from tunesmith.space import HyperParameter

# Ordered discrete definitions with more values than this are optimised as if
# continuous (gradient steps, then snapped); smaller ones by trying neighbours.
RELAX_ABOVE = 32
NEUTRAL = 0.5
INACTIVE_CODE = -1.0


@dataclass(frozen=True)
class Dimension:
    """One tunable definition: its index in the space and feature column."""

    index: int
    column: int
    hp: HyperParameter
    categorical: bool
    relaxed: bool  # optimised by L-BFGS-B on its unit coordinate, then snapped
    cardinality: int | None

    @property
    def discrete(self) -> bool:
        return not self.relaxed


class SpaceEncoder:
    """Encodes configurations of ``space`` for the kernel; decodes unit points.

    ``training`` (the configurations the model is fitted on) decides which
    activity columns exist.

    Example:
        >>> from tunesmith import HyperParameters
        >>> hp = HyperParameters()
        >>> _ = hp.Choice("model", ["mlp", "cnn"])
        >>> with hp.conditional_scope("model", "cnn"):
        ...     _ = hp.Float("lr", 1e-4, 1e-1, sampling="log")
        >>> enc = SpaceEncoder(hp.space, [{"model": "mlp"}, {"model": "cnn", "lr": 1e-3}])
        >>> enc.encode([{"model": "mlp"}, {"model": "cnn", "lr": 1e-3}]).round(3).tolist()
        [[0.0, 0.5, 0.0], [1.0, 0.333, 1.0]]
        >>> enc.decode(np.array([0.9, 0.0]))
        {'model': 'cnn', 'lr': 0.0001}
    """

    def __init__(
        self, space: Sequence[HyperParameter], training: Sequence[Mapping[str, Any]] = ()
    ) -> None:
        self.space = list(space)
        self.dimensions: list[Dimension] = []
        for index, hp in enumerate(self.space):
            cardinality = hp.cardinality()
            if cardinality == 1:
                continue
            categorical = bool(hp.is_categorical)
            relaxed = not categorical and (cardinality is None or cardinality > RELAX_ABOVE)
            self.dimensions.append(
                Dimension(index, len(self.dimensions), hp, categorical, relaxed, cardinality)
            )
        self._by_index = {d.index: d for d in self.dimensions}
        self._units: dict[int, dict[tuple[type, object], float | None]] = {}
        self.groups = self._activity_groups(training)
        width = len(self.dimensions) + len(self.groups)
        self.categorical = np.zeros(width, dtype=bool)
        for d in self.dimensions:
            self.categorical[d.column] = d.categorical
        # Stable names for the columns, so fitted length scales carry over between
        # asks even when the space grows.
        self.column_ids: list[tuple[object, ...]] = [
            ("hp", d.hp.name, d.index) for d in self.dimensions
        ]
        self.column_ids += [("active", tuple(group)) for group in self.groups]

    # ------------------------------------------------------------- structure
    @property
    def width(self) -> int:
        return self.categorical.size

    @property
    def tunable_count(self) -> int:
        """How many definitions can take more than one value."""
        return len(self.dimensions)

    def _activity_groups(self, training: Sequence[Mapping[str, Any]]) -> list[list[int]]:
        """Indices of tunable definitions sharing an activity column (conditional
        ones, and ones some training rows lack)."""
        flags = np.array([self.active_flags(v) for v in training], dtype=bool).reshape(
            len(training), len(self.space)
        )
        groups: dict[tuple[str, bytes], list[int]] = {}
        for d in self.dimensions:
            column = flags[:, d.index]
            if not d.hp.conditions and column.all():
                continue
            key = (repr(d.hp.conditions), column.tobytes())
            groups.setdefault(key, []).append(d.index)
        return list(groups.values())

    # --------------------------------------------------------------- encoding
    def active_flags(self, values: Mapping[str, Any]) -> list[bool]:
        """Per definition, whether it is active in the configuration ``values``."""
        chosen: dict[str, Any] = {}
        flags = []
        for hp in self.space:
            on = (
                hp.name in values
                and hp.name not in chosen
                and all(c.is_active(chosen) for c in hp.conditions)
                and self._unit(hp, values[hp.name]) is not None
            )
            flags.append(on)
            if on:
                chosen[hp.name] = values[hp.name]
        return flags

    def _unit(self, hp: HyperParameter, value: object) -> float | None:
        """``hp.to_unit(value)``, memoised (discrete values repeat across thousands of
        candidates); None when the value is not one of ``hp``'s."""
        cache = self._units.setdefault(id(hp), {})
        key = (type(value), value)
        if key not in cache:
            try:
                cache[key] = hp.to_unit(value)
            except (SearchSpaceError, TypeError, ValueError):
                cache[key] = None
        return cache[key]

    def encode(self, configurations: Sequence[Mapping[str, Any]]) -> np.ndarray:
        """Feature rows, one per configuration (see the module docstring)."""
        rows = np.empty((len(configurations), self.width))
        for r, values in enumerate(configurations):
            self._fill(rows[r], values, self.active_flags(values))
        return rows

    def _fill(
        self,
        row: np.ndarray,
        values: Mapping[str, Any],
        flags: Sequence[bool],
        point: np.ndarray | None = None,
    ) -> None:
        """Write the feature row of ``values``. With the unit ``point`` they were
        decoded from, a continuous value's position is read from it rather than
        recomputed (the round trip is exact up to rounding, and this is the hot loop
        of the acquisition sweep)."""
        for d in self.dimensions:
            if not flags[d.index]:
                row[d.column] = INACTIVE_CODE if d.categorical else NEUTRAL
                continue
            if point is not None and d.cardinality is None:
                row[d.column] = min(max(float(point[d.index]), 0.0), 1.0)
                continue
            u = self._unit(d.hp, values[d.hp.name])
            assert u is not None  # an active value is one of the definition's: it encodes
            if d.categorical:
                assert d.cardinality is not None  # categorical: a finite list of values
                row[d.column] = min(int(u * d.cardinality), d.cardinality - 1)
            else:
                row[d.column] = u
        base = len(self.dimensions)
        for g, group in enumerate(self.groups):
            row[base + g] = float(flags[group[0]])

    # --------------------------------------------------------------- decoding
    def decode(self, u: np.ndarray) -> dict[str, Any]:
        """The configuration at unit point ``u`` (one coordinate per definition):
        only active definitions are set, each snapped to a valid value."""
        return self._decode(u)[0]

    def _decode(self, u: np.ndarray) -> tuple[dict[str, Any], list[bool]]:
        values: dict[str, Any] = {}
        flags = []
        for index, hp in enumerate(self.space):
            on = hp.name not in values and all(c.is_active(values) for c in hp.conditions)
            flags.append(on)
            if on:
                values[hp.name] = hp.from_unit(float(u[index]))
        return values, flags

    def decode_many(self, points: np.ndarray) -> tuple[list[dict[str, Any]], np.ndarray]:
        """:meth:`decode` of each row of ``points`` and the configurations' feature
        rows (one walk through the space per point, not two)."""
        configurations = []
        rows = np.empty((len(points), self.width))
        for r, u in enumerate(points):
            values, flags = self._decode(u)
            self._fill(rows[r], values, flags, u)
            configurations.append(values)
        return configurations, rows

    def unit_point(self, values: Mapping[str, Any], fill: np.ndarray | None = None) -> np.ndarray:
        """A unit point that decodes to ``values``: active definitions at their
        encoded position, the others at ``fill`` (default 0.5)."""
        u = np.full(len(self.space), NEUTRAL) if fill is None else np.array(fill, dtype=float)
        for index, (hp, on) in enumerate(zip(self.space, self.active_flags(values), strict=True)):
            if on:
                u[index] = hp.to_unit(values[hp.name])
        return u

    def dimension(self, index: int) -> Dimension | None:
        """The tunable dimension of definition ``index`` (None for a one-valued one)."""
        return self._by_index.get(index)
