"""Counting, enumerating and sampling whole configurations of a search space.

A configuration is a dict of the *active* hyperparameters' values. A space is
walked in registration order, which puts every parent before its children, so
whether a hyperparameter is active is known by the time it is reached.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TypeAlias

import numpy as np

from tunesmith.space._base import DiscreteHyperParameter, HyperParameter
from tunesmith.space._conditions import conditions_hold
from tunesmith.space._hyperparameters import HyperParameters
from tunesmith.space._numeric import Numerical
from tunesmith.space._tuner_values import is_tuner_value
from tunesmith.space._values import Scalar, same_value, to_python


class _Placeholder:
    """Stands for a value no condition tests (or one outside every condition): it
    marks a name as assigned and matches no condition value."""

    def __repr__(self) -> str:
        return "<any>"


_UNTESTED = _Placeholder()
_OTHER = _Placeholder()

#: What :func:`config_key` returns: ``(name, (kind, canonical value))`` pairs.
ConfigKey: TypeAlias = tuple[tuple[str, tuple[str, Scalar | None]], ...]


def _space_of(hps: HyperParameters | Iterable[HyperParameter]) -> list[HyperParameter]:
    return hps.space if isinstance(hps, HyperParameters) else list(hps)


def count_configurations(hps: HyperParameters | Iterable[HyperParameter]) -> int | None:
    """How many distinct configurations the space has, conditions respected.

    A conditional hyperparameter multiplies only the branches where it is active.
    ``None`` when a continuous Float (no step) can be active: the space is infinite.
    The count equals ``len(list(iterate_grid(hps)))`` for a finite space, but is
    computed without enumerating (only parents' values are branched on, grouped
    by which conditions they satisfy).

    Example:
        >>> hp = HyperParameters()
        >>> _ = hp.Choice("model", ["mlp", "cnn"])
        >>> with hp.conditional_scope("model", "cnn"):
        ...     _ = hp.Int("filters", 16, 64, step=16)
        >>> count_configurations(hp)  # mlp, plus cnn x 4 filter sizes
        5
    """
    space = _space_of(hps)
    tested: dict[str, list[list[Scalar]]] = {}
    for hp in space:
        for condition in hp.conditions:
            tested.setdefault(condition.name, []).append(condition.values)
    try:
        return _count(space, 0, {}, tested)
    except _Infinite:
        return None


class _Infinite(Exception):
    pass


def _count(
    space: list[HyperParameter],
    start: int,
    assigned: dict[str, object],
    tested: Mapping[str, list[list[Scalar]]],
) -> int:
    multiplier = 1
    for index in range(start, len(space)):
        hp = space[index]
        if hp.name in assigned or not conditions_hold(hp.conditions, assigned):
            continue
        cardinality = hp.cardinality()
        if cardinality is None:
            raise _Infinite
        if hp.name not in tested:
            # Nothing depends on this value: it multiplies the count, no branching.
            multiplier *= cardinality
            assigned = {**assigned, hp.name: _UNTESTED}
            continue
        total = 0
        for representative, size in _value_classes(hp, cardinality, tested[hp.name]):
            branch = {**assigned, hp.name: representative}
            total += size * _count(space, index + 1, branch, tested)
        return multiplier * total
    return multiplier


def _value_classes(
    hp: HyperParameter, cardinality: int, tested: list[list[Scalar]]
) -> list[tuple[object, int]]:
    """The parent's values grouped by which conditions they satisfy: one
    representative and the group's size each. Values no condition names form one
    group (represented by a placeholder), however many there are."""
    named: dict[int, object] = {}
    for values in tested:
        for value in values:
            candidate = hp.coerce(value)
            if hp.is_valid(candidate):
                index = _index_in(hp, candidate)
                if index is not None:
                    named[index] = _value_in(hp, index)
    groups: dict[tuple[bool, ...], list[object]] = {}
    for member in named.values():
        signature = tuple(any(same_value(member, v) for v in values) for values in tested)
        groups.setdefault(signature, []).append(member)
    classes = [(members[0], len(members)) for members in groups.values()]
    if cardinality > len(named):
        classes.append((_OTHER, cardinality - len(named)))
    return classes


def _index_in(hp: HyperParameter, value: object) -> int | None:
    """The index of a valid ``value`` among a finite ``hp``'s values: the built-in
    types' own index; for a keras-tuner-style subclass (only ``values``), its
    position in :meth:`~HyperParameter.grid_values`."""
    if isinstance(hp, (DiscreteHyperParameter, Numerical)):
        return hp._index_of(value)
    return next((i for i, v in enumerate(hp.grid_values()) if same_value(v, value)), None)


def _value_in(hp: HyperParameter, index: int) -> object:
    """The value at ``index`` of a finite ``hp`` (see :func:`_index_in`)."""
    if isinstance(hp, (DiscreteHyperParameter, Numerical)):
        return hp._value_at(index)
    return hp.grid_values()[index]


def iterate_grid(
    hps: HyperParameters | Iterable[HyperParameter], float_grid_size: int = 10
) -> Iterator[dict[str, Any]]:
    """Every distinct configuration, in a deterministic order.

    Hyperparameters vary like an odometer: the first registered slowest, values in
    :meth:`~HyperParameter.grid_values` order. A Float without step contributes
    ``float_grid_size`` points evenly spaced on its sampling scale, ends included.
    Inactive hyperparameters are left out of a configuration (not enumerated), so
    no configuration repeats.

    Example:
        >>> hp = HyperParameters()
        >>> _ = hp.Boolean("bn"); _ = hp.Choice("act", ["relu", "tanh"])
        >>> [tuple(c.values()) for c in iterate_grid(hp)]
        [(False, 'relu'), (False, 'tanh'), (True, 'relu'), (True, 'tanh')]
    """
    space = _space_of(hps)
    grids: dict[int, list[Any]] = {}

    def grid(index: int) -> list[Any]:
        if index not in grids:
            grids[index] = space[index].grid_values(float_grid_size)
        return grids[index]

    def walk(start: int, assigned: dict[str, Any]) -> Iterator[dict[str, Any]]:
        for index in range(start, len(space)):
            hp = space[index]
            if hp.name in assigned or not conditions_hold(hp.conditions, assigned):
                continue
            for value in grid(index):
                yield from walk(index + 1, {**assigned, hp.name: value})
            return
        yield dict(assigned)

    yield from walk(0, {})


def sample_values(
    hps: HyperParameters | Iterable[HyperParameter],
    rng: np.random.Generator | int | None = None,
) -> dict[str, Any]:
    """A random configuration: each active hyperparameter drawn uniformly in its unit
    encoding (so on its sampling scale); inactive ones left out.

    Example:
        >>> hp = HyperParameters()
        >>> _ = hp.Float("lr", 1e-4, 1e-1, sampling="log")
        >>> 1e-4 <= sample_values(hp, rng=0)["lr"] <= 1e-1
        True
    """
    rng = np.random.default_rng(rng)
    values: dict[str, Any] = {}
    for hp in _space_of(hps):
        if hp.name not in values and conditions_hold(hp.conditions, values):
            values[hp.name] = hp.sample(rng)
    return values


def config_key(values: Mapping[str, object]) -> ConfigKey:
    """A hashable key that is equal for equal configurations.

    Items are sorted by name; numbers are rounded to 12 significant digits so a
    float that went through arithmetic or JSON still matches; ``True`` and ``1``
    stay apart. The tuner's bookkeeping values (``tuner/epochs``...) are left out:
    a trial promoted to more epochs is the same configuration as its parent.

    Example:
        >>> config_key({"b": 0.1 + 0.2, "a": 1}) == config_key({"a": 1, "b": 0.3})
        True
        >>> config_key({"a": 1, "tuner/epochs": 9}) == config_key({"a": 1})
        True
    """
    return tuple(
        (name, _canonical(values[name])) for name in sorted(values) if not is_tuner_value(name)
    )


def _canonical(value: object) -> tuple[str, Scalar | None]:
    value = to_python(value)
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int):
        return ("number", value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return ("number", repr(value))
        rounded = float(f"{value:.12g}")
        # 64.0 and 64 are the same configuration.
        return ("number", int(rounded) if rounded.is_integer() else rounded)
    if isinstance(value, str):
        return ("str", value)
    if value is None:
        return ("none", None)
    return ("other", repr(value))
