"""Turning hyperparameter definitions into JSON-ready dicts and back."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tunesmith.errors import SearchSpaceError
from tunesmith.space._base import HyperParameter
from tunesmith.space._choice import Boolean, Choice, Fixed
from tunesmith.space._numeric import Float, Int

_CLASSES: dict[str, type[HyperParameter]] = {
    cls.__name__: cls for cls in (Int, Float, Choice, Boolean, Fixed)
}


def serialize(hp: HyperParameter) -> dict[str, Any]:
    """``{"class_name": ..., "config": ...}`` for a definition (JSON-serialisable).

    Example:
        >>> serialize(Boolean("bn"))["class_name"]
        'Boolean'
    """
    return {"class_name": type(hp).__name__, "config": hp.get_config()}


def deserialize(item: HyperParameter | Mapping[str, Any]) -> HyperParameter:
    """The definition that :func:`serialize` wrote (a definition passes through).

    Example:
        >>> deserialize(serialize(Int("units", 8, 64))) == Int("units", 8, 64)
        True
    """
    if isinstance(item, HyperParameter):
        return item
    if not isinstance(item, Mapping) or "class_name" not in item or "config" not in item:
        raise SearchSpaceError(
            f"Cannot read a hyperparameter from {item!r}: expected "
            "{'class_name': ..., 'config': {...}} as written by get_config()."
        )
    cls = _CLASSES.get(item["class_name"])
    if cls is None:
        raise SearchSpaceError(
            f"Unknown hyperparameter type {item['class_name']!r}; known types are "
            f"{', '.join(sorted(_CLASSES))}."
        )
    return cls.from_config(dict(item["config"]))
