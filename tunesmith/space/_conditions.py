"""Conditions that make a hyperparameter active only for some values of another."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeAlias

from tunesmith.errors import SearchSpaceError
from tunesmith.space._errors import SearchSpaceTypeError
from tunesmith.space._values import SCALAR_TYPE_NAMES, Scalar, is_scalar, same_value, to_python


def as_value_list(values: object) -> list[object]:
    """``values`` as a list: a single value becomes a one-element list."""
    if isinstance(values, (list, tuple, set, frozenset)):
        return [to_python(v) for v in values]
    if hasattr(values, "tolist") and not isinstance(values, str):  # numpy arrays
        listed = values.tolist()
        return listed if isinstance(listed, list) else [listed]
    return [to_python(values)]


class Condition:
    """Holds when the hyperparameter ``name`` is active and has one of ``values``.

    A hyperparameter with conditions is *active* only when every condition holds;
    an inactive one takes no value. keras-tuner calls this class ``Parent`` (its
    only kind of condition), an alias kept here: ``kt.engine.conditions.Parent``.
    A value of another type than int, float, str or bool raises
    :class:`~tunesmith.space.SearchSpaceTypeError` (a ``TypeError`` and a
    ``ValueError``).

    Example:
        >>> c = Condition("model_type", ["cnn", "mlp"])
        >>> c.is_active({"model_type": "cnn"}), c.is_active({"model_type": "rnn"})
        (True, False)
        >>> c.is_active({})  # the parent is inactive
        False
    """

    def __init__(self, name: str, values: object) -> None:
        if not isinstance(name, str) or not name:
            raise SearchSpaceError(
                f"A condition needs the name of its parent hyperparameter, got {name!r}."
            )
        listed = as_value_list(values)
        if not listed:
            raise SearchSpaceError(
                f"The condition on {name!r} has no values: give the parent values for "
                "which the hyperparameter is active."
            )
        scalars: list[Scalar] = []
        for value in listed:
            if not is_scalar(value):
                # "Can contain only" is keras-tuner's wording, which its users match.
                raise SearchSpaceTypeError(
                    f"The condition on {name!r} has the value {value!r} "
                    f"({type(value).__name__}). Can contain only {SCALAR_TYPE_NAMES} "
                    "values: the condition lists the parent's values for which the "
                    "hyperparameter is active, so pass values the parent can take."
                )
            scalars.append(value)
        self._name = name
        self._values = tuple(scalars)

    @property
    def name(self) -> str:
        """The full name of the parent hyperparameter."""
        return self._name

    @property
    def values(self) -> list[Scalar]:
        """The parent values for which the condition holds (a new list each time)."""
        return list(self._values)

    def is_active(self, values: Mapping[str, object]) -> bool:
        """Whether the condition holds for ``values`` (a dict of *active* values only)."""
        if self._name not in values:
            return False
        current = values[self._name]
        return any(same_value(current, v) for v in self._values)

    def get_config(self) -> dict[str, Any]:
        return {"name": self._name, "values": list(self._values)}

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Condition:
        return cls(config["name"], config["values"])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Condition):
            return NotImplemented
        # repr keeps True and 1 (or 1 and 1.0) apart, which == does not.
        return self._name == other._name and repr(self._values) == repr(other._values)

    def __hash__(self) -> int:
        return hash((self._name, repr(self._values)))

    def __repr__(self) -> str:
        return f"Condition({self._name!r}, {list(self._values)!r})"


#: keras-tuner's name for :class:`Condition`.
Parent = Condition

#: A condition, or its config (``{"name", "values"}``, maybe wrapped in
#: ``{"class_name", "config"}``), as definitions accept them.
ConditionSpec: TypeAlias = "Condition | Mapping[str, Any]"


def serialize_condition(condition: Condition) -> dict[str, Any]:
    return {"class_name": "Condition", "config": condition.get_config()}


def deserialize_condition(item: ConditionSpec) -> Condition:
    """A :class:`Condition` from itself, its config, or its wrapped config (ours or
    keras-tuner's ``{"class_name": "Parent", "config": ...}``)."""
    if isinstance(item, Condition):
        return item
    if isinstance(item, Mapping) and "config" in item:
        if item.get("class_name") not in ("Condition", "Parent"):
            raise SearchSpaceError(
                f"Unknown condition type {item.get('class_name')!r}: only parent-value "
                "conditions ('Condition', keras-tuner's 'Parent') exist."
            )
        return Condition.from_config(item["config"])
    if isinstance(item, Mapping):
        return Condition.from_config(item)
    raise SearchSpaceError(f"Cannot read a condition from {item!r}.")


def deserialize_conditions(
    items: Iterable[ConditionSpec] | ConditionSpec | None,
) -> tuple[Condition, ...]:
    """Conditions from a list of conditions or configs; a single one is accepted too."""
    if items is None:
        return ()
    if isinstance(items, (Condition, Mapping)):
        return (deserialize_condition(items),)
    return tuple(deserialize_condition(item) for item in items)


def conditions_hold(conditions: Iterable[Condition], values: Mapping[str, object]) -> bool:
    """Whether every condition holds for ``values``."""
    return all(c.is_active(values) for c in conditions)


def mutually_exclusive(a: Iterable[Condition], b: Iterable[Condition]) -> bool:
    """Whether two condition lists can never hold together: both constrain one
    parent to disjoint sets of values. (A sufficient test, not a complete one.)"""
    b_list = list(b)
    for ca in a:
        for cb in b_list:
            if ca.name == cb.name and not any(
                same_value(x, y) for x in ca.values for y in cb.values
            ):
                return True
    return False
