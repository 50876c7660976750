"""One hyperparameter definition to and from ``{"class_name", "config"}``.

Below the container (:class:`~tunesmith.space.HyperParameters` stores its
definitions this way) and below :mod:`tunesmith.space`'s ``serialize``, which adds
containers and conditions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tunesmith.errors import SearchSpaceError
from tunesmith.space._base import HyperParameter
from tunesmith.space._choice import Boolean, Choice, Fixed
from tunesmith.space._numeric import Float, Int

_DEFINITIONS: dict[str, type[HyperParameter]] = {
    cls.__name__: cls for cls in (Int, Float, Choice, Boolean, Fixed, HyperParameter)
}


def serialize_definition(hp: HyperParameter) -> dict[str, Any]:
    """``{"class_name", "config"}`` of one definition."""
    return {"class_name": type(hp).__name__, "config": hp.get_config()}


def deserialize_definition(item: HyperParameter | Mapping[str, Any]) -> HyperParameter:
    """The definition :func:`serialize` wrote; anything else is refused."""
    if isinstance(item, HyperParameter):
        return item
    cls = _DEFINITIONS.get(class_name_of(item))
    if cls is None:
        raise SearchSpaceError(
            f"Unknown hyperparameter type {item['class_name']!r}; known types are "
            f"{', '.join(sorted(_DEFINITIONS))}."
        )
    return cls.from_config(dict(item["config"]))


def class_name_of(item: object) -> str:
    if not isinstance(item, Mapping) or "class_name" not in item or "config" not in item:
        raise SearchSpaceError(
            f"Cannot read a search-space object from {item!r}: expected "
            "{'class_name': ..., 'config': {...}} as serialize() writes it."
        )
    class_name: str = item["class_name"]  # a name serialize() wrote (JSON)
    return class_name
