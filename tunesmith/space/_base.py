"""The base class of every hyperparameter and the encoding shared by discrete ones."""

from __future__ import annotations

import abc
import json
from collections.abc import Iterable
from typing import Any

import numpy as np

from tunesmith.errors import SearchSpaceError
from tunesmith.space._conditions import Condition, deserialize_conditions, serialize_condition
from tunesmith.space._sampling import clip_unit

#: Names under this prefix are the tuner's bookkeeping (``tuner/epochs``, ``tuner/round``...),
#: set by multi-fidelity oracles in a trial's values as keras-tuner does. They are not
#: hyperparameters: nothing defines them, ``with_values`` carries them over, and
#: :func:`~tunesmith.space.config_key` ignores them (a promoted trial is the same
#: configuration as its parent).
TUNER_PREFIX = "tuner/"


def is_tuner_value(name: Any) -> bool:
    """Whether ``name`` is one of the tuner's bookkeeping values (``tuner/...``).

    Example:
        >>> is_tuner_value("tuner/epochs"), is_tuner_value("units")
        (True, False)
    """
    return isinstance(name, str) and name.startswith(TUNER_PREFIX)


def fail(name: str, problem: str, fix: str) -> SearchSpaceError:
    """A :class:`SearchSpaceError` that names the hyperparameter, the problem and the fix."""
    return SearchSpaceError(f"Hyperparameter {name!r}: {problem} {fix}")


def check_name(name: Any) -> str:
    if not isinstance(name, str) or not name:
        raise SearchSpaceError(f"A hyperparameter name must be a non-empty string, got {name!r}.")
    return name


class HyperParameter(abc.ABC):
    """One dimension of a search space: its name, values, default and conditions.

    Definitions are immutable and compare equal when their configs are equal. Each
    type has one reversible encoding into [0, 1] (:meth:`to_unit` /
    :meth:`from_unit`) that every search algorithm shares: sampling uniformly in
    the unit interval is sampling the hyperparameter on its own scale.

    Example:
        >>> from tunesmith.space import Int
        >>> units = Int("units", 32, 512, step=32)
        >>> units.from_unit(units.to_unit(256))
        256
        >>> units.cardinality(), units.default
        (16, 32)
    """

    def __init__(self, name: str, conditions: Iterable[Any] | None = None) -> None:
        self._name = check_name(name)
        self._conditions = deserialize_conditions(conditions)

    # --------------------------------------------------------------- identity
    @property
    def name(self) -> str:
        """The full name (with any name-scope prefix, ``"block1/units"``)."""
        return self._name

    @property
    def conditions(self) -> tuple[Condition, ...]:
        """The conditions that must all hold for the hyperparameter to be active."""
        return self._conditions

    @property
    @abc.abstractmethod
    def default(self) -> Any:
        """The value used when no other is set."""

    @property
    def is_discrete(self) -> bool:
        """Whether the values form a finite set (only a Float without step is not)."""
        return True

    @property
    def is_categorical(self) -> bool:
        """Whether the values have no order (an unordered Choice, a Boolean): a
        surrogate model should compare them only for equality."""
        return False

    # ----------------------------------------------------------------- config
    def get_config(self) -> dict[str, Any]:
        """The JSON-serialisable arguments that rebuild this definition."""
        return {
            "name": self._name,
            "conditions": [serialize_condition(c) for c in self._conditions],
            **self._settings(),
            "default": self.default,
        }

    def _settings(self) -> dict[str, Any]:
        """The type's own arguments, between the conditions and the default in
        :meth:`get_config` and after them in :meth:`describe` (a range, values...)."""
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> HyperParameter:
        return cls(**config)

    def describe(self) -> dict[str, Any]:
        """What ``search_space_summary()`` shows: default, conditions, then the range
        (``min_value``, ``max_value``, ``step``, ``sampling``) or the ``values``."""
        return {
            "default": self.default,
            "conditions": [c.get_config() for c in self._conditions],
            **self._settings(),
        }

    def _with_context(self, name: str, conditions: Iterable[Condition]) -> HyperParameter:
        """A copy under another name and conditions (name scopes, conditional scopes)."""
        config = self.get_config()
        config["name"] = name
        config["conditions"] = [serialize_condition(c) for c in conditions]
        return type(self).from_config(config)

    def _definition_key(self, with_conditions: bool = True) -> str:
        config = self.get_config()
        if not with_conditions:
            config.pop("conditions")
        # JSON keeps True, 1 and 1.0 apart, which == on the config dicts would not.
        return type(self).__name__ + json.dumps(config, sort_keys=True)

    def same_definition(self, other: HyperParameter, with_conditions: bool = True) -> bool:
        """Whether ``other`` defines the same hyperparameter (optionally ignoring conditions)."""
        return self._definition_key(with_conditions) == other._definition_key(with_conditions)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, HyperParameter):
            return NotImplemented
        return self.same_definition(other)

    def __hash__(self) -> int:
        return hash(self._definition_key())

    def __repr__(self) -> str:
        config = self.get_config()
        config.pop("conditions")
        args = ", ".join(f"{k}={v!r}" for k, v in config.items())
        if self._conditions:
            args += f", conditions={list(self._conditions)!r}"
        return f"{type(self).__name__}({args})"

    # --------------------------------------------------------------- values
    @abc.abstractmethod
    def is_valid(self, value: Any) -> bool:
        """Whether ``value`` is one this hyperparameter can take (type included:
        ``3.0`` is not a valid ``Int`` value, ``1`` is not a valid ``Boolean``)."""

    @abc.abstractmethod
    def coerce(self, value: Any) -> Any:
        """``value`` converted to this type where that is lossless (numpy scalars,
        ``64.0`` for an Int, ``1`` for a Float); otherwise returned unchanged."""

    @abc.abstractmethod
    def cardinality(self) -> int | None:
        """How many distinct values there are; ``None`` for a continuous Float."""

    @abc.abstractmethod
    def grid_values(self, default_size: int = 10) -> list[Any]:
        """The values a grid search tries, in increasing encoded order."""

    @abc.abstractmethod
    def to_unit(self, value: Any) -> float:
        """The value's position in [0, 1]; the inverse of :meth:`from_unit`."""

    @abc.abstractmethod
    def from_unit(self, u: float) -> Any:
        """The value at position ``u`` (clipped into [0, 1])."""

    def sample(self, rng: np.random.Generator | int | None = None) -> Any:
        """A random value, uniform in the unit encoding (so on the sampling scale)."""
        return self.from_unit(float(np.random.default_rng(rng).random()))

    def _require_valid(self, value: Any) -> Any:
        value = self.coerce(value)
        if not self.is_valid(value):
            raise fail(
                self._name,
                f"{value!r} is not one of its values ({self._span()}).",
                "Pass a value inside its definition.",
            )
        return value

    def _span(self) -> str:
        """A short description of the values, for error messages."""
        return repr(self)


class DiscreteHyperParameter(HyperParameter):
    """A hyperparameter with ``n`` values, indexed ``0 .. n-1`` in increasing order.

    The encoding splits [0, 1] into ``n`` equal bins: value ``i`` encodes to the
    centre of its bin, ``(i + 0.5) / n``, and any ``u`` in bin ``i`` decodes to it.
    Subclasses provide :meth:`cardinality`, :meth:`_value_at` and :meth:`_index_of`.
    """

    @abc.abstractmethod
    def cardinality(self) -> int: ...

    @abc.abstractmethod
    def _value_at(self, index: int) -> Any:
        """The value at ``index`` (0 <= index < cardinality)."""

    @abc.abstractmethod
    def _index_of(self, value: Any) -> int | None:
        """The index of ``value`` (type-strict), or None when it is not a value."""

    def is_valid(self, value: Any) -> bool:
        return self._index_of(value) is not None

    def _require_index(self, value: Any) -> int:
        index = self._index_of(self.coerce(value))
        if index is None:
            raise fail(
                self._name,
                f"{value!r} is not one of its values ({self._span()}).",
                "Encode only values inside its definition.",
            )
        return index

    def to_unit(self, value: Any) -> float:
        return (self._require_index(value) + 0.5) / self.cardinality()

    def from_unit(self, u: float) -> Any:
        n = self.cardinality()
        return self._value_at(min(int(clip_unit(u) * n), n - 1))

    def grid_values(self, default_size: int = 10) -> list[Any]:
        """Every value (``default_size`` is not used: the set is finite)."""
        return [self._value_at(i) for i in range(self.cardinality())]
