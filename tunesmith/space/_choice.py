"""Hyperparameters with listed values: :class:`Choice`, :class:`Boolean`, :class:`Fixed`."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from tunesmith.space._base import DiscreteHyperParameter, fail
from tunesmith.space._conditions import ConditionSpec
from tunesmith.space._errors import SearchSpaceTypeError
from tunesmith.space._values import (
    SCALAR_TYPE_NAMES,
    Scalar,
    is_scalar,
    kind_of,
    same_value,
    to_python,
)


def _coerce_to_kind(value: object, kind: str) -> Any:
    """``value`` as ``kind`` where that loses nothing (``1`` -> ``1.0`` for floats);
    any other value is returned as it is."""
    value = to_python(value)
    if kind == "float" and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if kind == "int" and isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return value


class Choice(DiscreteHyperParameter):
    """One of a list of values, all of one type: int, float, str or bool.

    Args:
        name: The hyperparameter's name.
        values: The possible values (ints and floats do not mix: write ``1.0``).
        ordered: Whether the order of ``values`` means something (a surrogate model
            may then treat nearby values as similar). Default True for numbers and
            False for strings and bools, which cannot be ordered.
        default: Default ``values[0]``.
        conditions: :class:`Condition` objects (or their configs).

    The encoding follows the order in which ``values`` are given.

    Example:
        >>> act = Choice("activation", ["relu", "tanh"])
        >>> act.default, act.is_categorical
        ('relu', True)
        >>> act.from_unit(0.9)
        'tanh'
    """

    def __init__(
        self,
        name: str,
        values: Iterable[object],
        ordered: bool | None = None,
        default: object = None,
        conditions: Iterable[ConditionSpec] | None = None,
    ) -> None:
        super().__init__(name, conditions=conditions)
        name = self._name
        self._values = self._check_values(name, values)
        self._kind = kind_of(self._values[0])
        numeric = self._kind in ("int", "float")
        if ordered is None:
            ordered = numeric
        if not isinstance(ordered, bool):
            raise fail(name, f"ordered={ordered!r} is not a bool.", "Pass True, False or None.")
        if ordered and not numeric:
            raise fail(
                name,
                f"ordered=True, but its values are {self._kind}s, which have no order.",
                "`ordered` must be `False` (or left out) for str and bool values.",
            )
        self._ordered = ordered
        self._index = {v: i for i, v in enumerate(self._values)}
        self._default: Scalar
        if default is None:
            self._default = self._values[0]
        else:
            index = self._index_of(self.coerce(default))
            if index is None:
                raise fail(
                    name,
                    f"the default value should be one of its values {list(self._values)!r}, "
                    f"got default={default!r}.",
                    "Pass one of the values as default, or leave it out "
                    "(it is then the first value).",
                )
            self._default = self._values[index]

    @staticmethod
    def _check_values(name: str, values: object) -> tuple[Scalar, ...]:
        if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
            raise fail(
                name,
                f"values={values!r} is not a list.",
                "Pass the possible values as a list, e.g. values=['relu', 'tanh'].",
                kind=SearchSpaceTypeError,
            )
        listed = [to_python(v) for v in values]
        if not listed:
            raise fail(
                name, "`values` must be provided: the list is empty.", "Give at least one value."
            )
        for value in listed:
            if not is_scalar(value):
                raise fail(
                    name,
                    f"the value {value!r} is a {type(value).__name__}, and a Choice can "
                    "contain only `int`, `float`, `str` or `bool` values.",
                    f"Use values of those types ({SCALAR_TYPE_NAMES}), e.g. names of options.",
                    kind=SearchSpaceTypeError,
                )
            if isinstance(value, float) and not math.isfinite(value):
                raise fail(
                    name,
                    f"the value {value!r} is not finite.",
                    "Choice values must be finite numbers.",
                )
        kinds = sorted({kind_of(v) for v in listed})
        if len(kinds) > 1:
            fix = (
                "Write every number as a float (1.0, not 1)."
                if kinds == ["float", "int"]
                else "Use values of a single type."
            )
            raise fail(
                name,
                f"a Choice can contain only one type of value, but its values mix types "
                f"({', '.join(kinds)}): {listed!r}.",
                fix,
                kind=SearchSpaceTypeError,
            )
        duplicates = sorted({repr(v) for i, v in enumerate(listed) if v in listed[:i]})
        if duplicates:
            raise fail(name, f"values repeat {', '.join(duplicates)}.", "List each value once.")
        return tuple(listed)

    @property
    def values(self) -> list[Scalar]:
        return list(self._values)

    @property
    def ordered(self) -> bool:
        return self._ordered

    @property
    def default(self) -> Scalar:
        return self._default

    @property
    def is_categorical(self) -> bool:
        return not self._ordered

    def _settings(self) -> dict[str, Any]:
        return {"values": list(self._values), "ordered": self._ordered}

    def _span(self) -> str:
        return repr(list(self._values))

    def _repr_fields(self) -> str:
        return (
            f"name: '{self._name}', values: {list(self._values)}, "
            f"ordered: {self._ordered}, default: {self._default}"
        )

    def coerce(self, value: object) -> Any:
        return _coerce_to_kind(value, self._kind)

    def cardinality(self) -> int:
        return len(self._values)

    def _value_at(self, index: int) -> Scalar:
        return self._values[index]

    def _index_of(self, value: object) -> int | None:
        value = to_python(value)
        if not is_scalar(value) or kind_of(value) != self._kind:
            return None
        index = self._index.get(value)
        if index is None and self._kind == "float":
            # A float that went through arithmetic may differ in the last bits.
            index = next((i for i, v in enumerate(self._values) if same_value(v, value)), None)
        return index


class Boolean(DiscreteHyperParameter):
    """``False`` or ``True`` (categorical; encoded False -> 0.25, True -> 0.75).

    Example:
        >>> Boolean("batch_norm").grid_values()
        [False, True]
    """

    def __init__(
        self,
        name: str,
        default: bool = False,
        conditions: Iterable[ConditionSpec] | None = None,
    ) -> None:
        super().__init__(name, conditions=conditions)
        default = to_python(default)
        if not isinstance(default, bool):
            raise fail(
                self._name,
                f"default must be a Python boolean, got default={default!r}.",
                "Pass default=True or default=False.",
            )
        self._default: bool = default

    @property
    def default(self) -> bool:
        return self._default

    @property
    def values(self) -> tuple[bool, bool]:
        """``(True, False)``, keras-tuner's order (:meth:`grid_values` is ``[False, True]``,
        the encoded order)."""
        return (True, False)

    @property
    def is_categorical(self) -> bool:
        return True

    def _span(self) -> str:
        return "False or True"

    def _repr_fields(self) -> str:
        return f'name: "{self._name}", default: {self._default}'  # keras-tuner's quotes

    def coerce(self, value: object) -> Any:
        return to_python(value)

    def cardinality(self) -> int:
        return 2

    def _value_at(self, index: int) -> bool:
        return bool(index)

    def _index_of(self, value: object) -> int | None:
        value = to_python(value)
        return int(value) if isinstance(value, bool) else None


class Fixed(DiscreteHyperParameter):
    """A hyperparameter with a single value (recorded, never searched; encodes to 0.5).

    Example:
        >>> Fixed("optimizer", "adam").grid_values()
        ['adam']
    """

    def __init__(
        self,
        name: str,
        value: object,
        conditions: Iterable[ConditionSpec] | None = None,
    ) -> None:
        super().__init__(name, conditions=conditions)
        value = to_python(value)
        if not is_scalar(value) or (isinstance(value, float) and not math.isfinite(value)):
            raise fail(
                self._name,
                f"the value must be an int, float, str or bool (finite), got value={value!r}.",
                "Record other objects under a name or an index, e.g. Fixed('optimizer', 'adam').",
            )
        self._value: Scalar = value

    @property
    def value(self) -> Scalar:
        return self._value

    @property
    def values(self) -> tuple[Scalar]:
        """``(value,)``: the one value."""
        return (self._value,)

    @property
    def default(self) -> Scalar:
        return self._value

    def _settings(self) -> dict[str, Any]:
        return {"value": self._value}

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        del config["default"]  # the value is the default
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Fixed:
        config = dict(config)
        config.pop("default", None)  # accepted for symmetry with the other types
        return cls(**config)

    def _span(self) -> str:
        return f"only {self._value!r}"

    def _repr_fields(self) -> str:
        return f"name: {self._name}, value: {self._value}"  # keras-tuner's: no quotes

    def coerce(self, value: object) -> Any:
        return _coerce_to_kind(value, kind_of(self._value))

    def cardinality(self) -> int:
        return 1

    def _value_at(self, index: int) -> Scalar:
        return self._value

    def _index_of(self, value: object) -> int | None:
        value = to_python(value)
        if kind_of(value) == kind_of(self._value) and same_value(value, self._value):
            return 0
        return None
