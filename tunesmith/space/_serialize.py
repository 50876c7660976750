"""Turning search-space objects into JSON-ready dicts and back.

Every object is written as keras-tuner writes it, ``{"class_name": ..., "config":
...}``: a definition (``Int``, ``Float``, ``Choice``, ``Boolean``, ``Fixed``, the base
``HyperParameter``), a whole :class:`~tunesmith.space.HyperParameters` container, or
a :class:`~tunesmith.space.Condition` (keras-tuner's ``Parent``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tunesmith.errors import SearchSpaceError
from tunesmith.space._base import HyperParameter
from tunesmith.space._choice import Boolean, Choice, Fixed
from tunesmith.space._conditions import Condition, deserialize_condition, serialize_condition
from tunesmith.space._numeric import Float, Int

_DEFINITIONS: dict[str, type[HyperParameter]] = {
    cls.__name__: cls for cls in (Int, Float, Choice, Boolean, Fixed, HyperParameter)
}
_CONDITIONS = ("Condition", "Parent")
_CONTAINER = "HyperParameters"


def _container_class() -> type:
    # The container module imports this one, so it is looked up when first needed.
    from tunesmith.space._hyperparameters import HyperParameters

    return HyperParameters


def serialize(obj: Any) -> dict[str, Any]:
    """``{"class_name": ..., "config": ...}`` for a definition, a ``HyperParameters``
    container or a condition (JSON-serialisable), as keras-tuner's ``serialize``.

    Example:
        >>> serialize(Boolean("bn"))["class_name"]
        'Boolean'
        >>> from tunesmith.space import HyperParameters
        >>> hp = HyperParameters(); _ = hp.Int("units", 8, 64)
        >>> serialize(hp)["config"]["values"]
        {'units': 8}
    """
    if isinstance(obj, Condition):
        return serialize_condition(obj)
    if isinstance(obj, (HyperParameter, _container_class())):
        return {"class_name": type(obj).__name__, "config": obj.get_config()}
    raise SearchSpaceError(
        f"Cannot serialize {obj!r}: only hyperparameters, HyperParameters containers and "
        "conditions can be."
    )


def deserialize(item: Any) -> Any:
    """The object :func:`serialize` wrote (one of those objects passes through).

    Example:
        >>> deserialize(serialize(Int("units", 8, 64))) == Int("units", 8, 64)
        True
        >>> deserialize({"class_name": "Parent", "config": {"name": "m", "values": ["a"]}})
        Condition('m', ['a'])
    """
    if isinstance(item, (HyperParameter, Condition, _container_class())):
        return item
    class_name = _class_name(item)
    if class_name in _CONDITIONS:
        return deserialize_condition(item)
    if class_name == _CONTAINER:
        return _container_class().from_config(dict(item["config"]))
    return deserialize_definition(item)


def deserialize_definition(item: HyperParameter | Mapping[str, Any]) -> HyperParameter:
    """The definition :func:`serialize` wrote; anything else is refused."""
    if isinstance(item, HyperParameter):
        return item
    cls = _DEFINITIONS.get(_class_name(item))
    if cls is None:
        raise SearchSpaceError(
            f"Unknown hyperparameter type {item['class_name']!r}; known types are "
            f"{', '.join(sorted(_DEFINITIONS))}."
        )
    return cls.from_config(dict(item["config"]))


def _class_name(item: Any) -> str:
    if not isinstance(item, Mapping) or "class_name" not in item or "config" not in item:
        raise SearchSpaceError(
            f"Cannot read a search-space object from {item!r}: expected "
            "{'class_name': ..., 'config': {...}} as serialize() writes it."
        )
    return item["class_name"]
