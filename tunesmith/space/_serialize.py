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
from tunesmith.space._conditions import Condition, deserialize_condition, serialize_condition
from tunesmith.space._definitions_io import class_name_of, deserialize_definition
from tunesmith.space._hyperparameters import HyperParameters

_CONDITIONS = ("Condition", "Parent")
_CONTAINER = "HyperParameters"


def serialize(obj: HyperParameter | HyperParameters | Condition) -> dict[str, Any]:
    """``{"class_name": ..., "config": ...}`` for a definition, a ``HyperParameters``
    container or a condition (JSON-serialisable), as keras-tuner's ``serialize``.

    Example:
        >>> from tunesmith.space import Boolean
        >>> serialize(Boolean("bn"))["class_name"]
        'Boolean'
        >>> from tunesmith.space import HyperParameters
        >>> hp = HyperParameters(); _ = hp.Int("units", 8, 64)
        >>> serialize(hp)["config"]["values"]
        {'units': 8}
    """
    if isinstance(obj, Condition):
        return serialize_condition(obj)
    if isinstance(obj, (HyperParameter, HyperParameters)):
        return {"class_name": type(obj).__name__, "config": obj.get_config()}
    raise SearchSpaceError(
        f"Cannot serialize {obj!r}: only hyperparameters, HyperParameters containers and "
        "conditions can be."
    )


def deserialize(
    item: HyperParameter | HyperParameters | Condition | Mapping[str, Any],
) -> HyperParameter | HyperParameters | Condition:
    """The object :func:`serialize` wrote (one of those objects passes through).

    Example:
        >>> from tunesmith.space import Int
        >>> deserialize(serialize(Int("units", 8, 64))) == Int("units", 8, 64)
        True
        >>> deserialize({"class_name": "Parent", "config": {"name": "m", "values": ["a"]}})
        Condition('m', ['a'])
    """
    if isinstance(item, (HyperParameter, Condition, HyperParameters)):
        return item
    class_name = class_name_of(item)
    if class_name in _CONDITIONS:
        return deserialize_condition(item)
    if class_name == _CONTAINER:
        return HyperParameters.from_config(dict(item["config"]))
    return deserialize_definition(item)
