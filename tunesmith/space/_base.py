"""The base class of every hyperparameter and the encoding shared by discrete ones."""

from __future__ import annotations

import abc
import json
import random
from collections.abc import Iterable
from typing import Any

import numpy as np

from tunesmith.errors import SearchSpaceError
from tunesmith.space._conditions import (
    Condition,
    ConditionSpec,
    deserialize_conditions,
    serialize_condition,
)
from tunesmith.space._sampling import index_to_unit, unit_to_index
from tunesmith.space._values import same_value, to_python


def fail(
    name: str, problem: str, fix: str, kind: type[SearchSpaceError] = SearchSpaceError
) -> SearchSpaceError:
    """A :class:`SearchSpaceError` (or the subclass ``kind``) that names the
    hyperparameter, the problem and the fix."""
    return kind(f"Hyperparameter {name!r}: {problem} {fix}")


def check_name(name: object) -> str:
    if not isinstance(name, str) or not name:
        raise SearchSpaceError(f"A hyperparameter name must be a non-empty string, got {name!r}.")
    return name


class HyperParameter:
    """One dimension of a search space: its name, values, default and conditions.

    The built-in types (:class:`~tunesmith.space.Int`, ``Float``, ``Choice``,
    ``Boolean``, ``Fixed``) derive from it. Definitions are immutable and compare
    equal when their configs are equal. Each type has one reversible encoding into
    [0, 1] that every search algorithm shares, under two names: :meth:`to_unit` /
    :meth:`from_unit`, and keras-tuner's :meth:`value_to_prob` /
    :meth:`prob_to_value`. Sampling uniformly in the unit interval is sampling the
    hyperparameter on its own scale.

    It can be subclassed as in keras-tuner: define ``values``, ``prob_to_value`` and
    ``value_to_prob`` (or ``to_unit`` / ``from_unit``), and the rest follows.

    Args:
        name: The full name (with any name-scope prefix, ``"block1/units"``).
        default: The value used when no other is set.
        conditions: :class:`~tunesmith.space.Condition` objects (or their configs)
            that must all hold for the hyperparameter to be active.

    Example:
        >>> from tunesmith.space import Int
        >>> units = Int("units", 32, 512, step=32)
        >>> units.from_unit(units.to_unit(256)), units.value_to_prob(32)
        (256, 0.03125)
        >>> units.cardinality(), units.default
        (16, 32)
        >>> class Odd(HyperParameter):
        ...     values = (1, 3, 5, 7, 9)
        ...     def prob_to_value(self, prob):
        ...         return self.values[min(int(prob * 5), 4)]
        ...     def value_to_prob(self, value):
        ...         return (self.values.index(value) + 0.5) / 5
        >>> odd = Odd("kernel", default=3)
        >>> odd.random_sample(seed=0), odd.default, odd.cardinality()
        (9, 3, 5)
    """

    def __init__(
        self,
        name: str,
        default: Any = None,
        conditions: Iterable[ConditionSpec] | ConditionSpec | None = None,
    ) -> None:
        self._name = check_name(name)
        self._default = default
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
    def default(self) -> Any:
        """The value used when no other is set."""
        return self._default

    @property
    def values(self) -> Any:
        """Every value the hyperparameter can take, as keras-tuner's ``values`` (a
        sample of ten points for a Float without step, or an Int with log sampling
        and no step). Subclasses define it. The built-in types list every value in
        :meth:`grid_values` and count them in :meth:`cardinality`."""
        raise NotImplementedError(
            f"{type(self).__name__} does not list its values: define a `values` property."
        )

    @property
    def is_discrete(self) -> bool:
        """Whether the values form a finite set (only a Float without step is not)."""
        return self.cardinality() is not None

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
        """The definition :meth:`get_config` described (``config`` is not changed)."""
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
        return type(self).__name__ + json.dumps(config, sort_keys=True, default=repr)

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
        """keras-tuner's text (``Int(name: 'units', min_value: 32, ...)``), then the
        conditions when there are any (keras-tuner's text leaves them out)."""
        conditions = f", conditions: {list(self._conditions)!r}" if self._conditions else ""
        return f"{type(self).__name__}({self._repr_fields()}{conditions})"

    def _repr_fields(self) -> str:
        """The fields inside :meth:`__repr__`'s parentheses; each type writes
        keras-tuner's (whose quoting differs from type to type)."""
        settings = "".join(f", {k}: {v!r}" for k, v in self._settings().items())
        return f"name: '{self._name}'{settings}, default: {self.default!r}"

    # --------------------------------------------------------------- values
    # The defaults below serve subclasses written for keras-tuner, which define only
    # `values`, `prob_to_value` and `value_to_prob`; the built-in types override them.
    def _listed_values(self) -> list[Any] | None:
        try:
            return list(self.values)
        except NotImplementedError:
            return None

    def is_valid(self, value: object) -> bool:
        """Whether ``value`` is one this hyperparameter can take (type included:
        ``3.0`` is not a valid ``Int`` value, ``1`` is not a valid ``Boolean``)."""
        listed = self._listed_values()
        return listed is None or any(same_value(value, v) for v in listed)

    def coerce(self, value: object) -> Any:
        """``value`` converted to this type where that is lossless (numpy scalars,
        ``64.0`` for an Int, ``1`` for a Float); otherwise returned unchanged."""
        return to_python(value)

    def cardinality(self) -> int | None:
        """How many distinct values there are; ``None`` for a continuous Float."""
        listed = self._listed_values()
        return None if listed is None else len(listed)

    def grid_values(self, default_size: int = 10) -> list[Any]:
        """The values a grid search tries, in increasing encoded order."""
        listed = self._listed_values()
        if listed is None:
            raise NotImplementedError(
                f"{type(self).__name__} cannot be enumerated: define a `values` property."
            )
        return sorted(listed, key=self.to_unit)

    def to_unit(self, value: object) -> float:
        """The value's position in [0, 1]; the inverse of :meth:`from_unit`."""
        if type(self).value_to_prob is HyperParameter.value_to_prob:
            raise NotImplementedError(
                f"{type(self).__name__} has no encoding: define value_to_prob and "
                "prob_to_value (or to_unit and from_unit)."
            )
        return self.value_to_prob(value)

    def from_unit(self, u: float) -> Any:
        """The value at position ``u`` (clipped into [0, 1])."""
        if type(self).prob_to_value is HyperParameter.prob_to_value:
            raise NotImplementedError(
                f"{type(self).__name__} has no encoding: define value_to_prob and "
                "prob_to_value (or to_unit and from_unit)."
            )
        return self.prob_to_value(u)

    def value_to_prob(self, value: object) -> float:
        """keras-tuner's name for :meth:`to_unit` (the same encoding)."""
        return self.to_unit(value)

    def prob_to_value(self, prob: float) -> Any:
        """keras-tuner's name for :meth:`from_unit` (the same encoding)."""
        return self.from_unit(prob)

    def sample(self, rng: np.random.Generator | int | None = None) -> Any:
        """A random value, uniform in the unit encoding (so on the sampling scale)."""
        return self.from_unit(float(np.random.default_rng(rng).random()))

    def random_sample(self, seed: int | None = None) -> Any:
        """A random value, as keras-tuner draws it: the unit point of Python's
        ``random.Random(seed)``, decoded. The same seed gives keras-tuner's value.

        Example:
            >>> from tunesmith.space import Choice
            >>> act = Choice("act", ["relu", "tanh", "elu"])
            >>> act.random_sample(seed=7) == act.random_sample(seed=7)
            True
        """
        return self.prob_to_value(random.Random(seed).random())

    def _require_valid(self, value: object) -> Any:
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


class DiscreteHyperParameter(HyperParameter, abc.ABC):
    """A hyperparameter with ``n`` values, indexed ``0 .. n-1`` in increasing order.

    The encoding splits [0, 1] into ``n`` equal bins: value ``i`` encodes to the
    centre of its bin, ``(i + 0.5) / n``, and any ``u`` in bin ``i`` decodes to it.
    Subclasses provide :meth:`cardinality`, :meth:`_value_at` and :meth:`_index_of`.
    """

    @property
    def is_discrete(self) -> bool:
        return True

    @abc.abstractmethod
    def cardinality(self) -> int: ...

    @abc.abstractmethod
    def _value_at(self, index: int) -> Any:
        """The value at ``index`` (0 <= index < cardinality)."""

    @abc.abstractmethod
    def _index_of(self, value: object) -> int | None:
        """The index of ``value`` (type-strict), or None when it is not a value."""

    def is_valid(self, value: object) -> bool:
        return self._index_of(value) is not None

    def _require_index(self, value: object) -> int:
        index = self._index_of(self.coerce(value))
        if index is None:
            raise fail(
                self._name,
                f"{value!r} is not one of its values ({self._span()}).",
                "Encode only values inside its definition.",
            )
        return index

    def to_unit(self, value: object) -> float:
        return index_to_unit(self._require_index(value), self.cardinality())

    def from_unit(self, u: float) -> Any:
        return self._value_at(unit_to_index(u, self.cardinality()))

    def grid_values(self, default_size: int = 10) -> list[Any]:
        """Every value (``default_size`` is not used: the set is finite)."""
        return [self._value_at(i) for i in range(self.cardinality())]
