"""The ``get_state()`` of oracles and tuners, checked before it is stored."""

from __future__ import annotations

from typing import Any

from tunesmith.errors import InvalidArgumentError
from tunesmith.store import strict_json


def json_state(state: Any, owner: type) -> Any:
    """``state`` unchanged when the store can write it, else a clear error.

    The check comes before anything is written, so a ``get_state()`` returning
    something JSON cannot hold never leaves the stored study half-saved. NumPy
    scalars are fine (the store writes them as numbers).

    Example:
        >>> json_state({"seed_state": 3, "done": [True]}, object)
        {'seed_state': 3, 'done': [True]}
    """
    try:
        strict_json(state, f"{owner.__name__}.get_state()")
    except TypeError as exc:
        raise InvalidArgumentError(
            f"{exc} It is stored with the study after every trial, and read back by "
            "set_state() when the project resumes: return only numbers, strings, "
            "booleans, None, lists and dicts with string keys (e.g. a set as a sorted "
            "list)."
        ) from exc
    return state
