"""JSON text for the store's columns, with non-finite floats that survive a round trip.

Strict JSON has no NaN or infinity, and SQLite turns a NaN bound to a REAL column
into NULL. The store therefore encodes non-finite floats explicitly:

* inside JSON documents (study settings, hyperparameter values, metrics, space
  configs) a non-finite float is written as the one-key object
  ``{"$float": "NaN"}`` / ``{"$float": "Infinity"}`` / ``{"$float": "-Infinity"}``,
  so every stored document is strict JSON that any tool can read, and a genuine
  string ``"NaN"`` stays a string. A dict whose only key is ``"$float"`` is
  therefore reserved;
* in REAL columns (a trial's score, a curve's values) a non-finite float is stored
  as NULL plus a flag column holding ``'nan'``, ``'inf'`` or ``'-inf'``, so SQL
  sorting and aggregates only ever see finite numbers.

Exports (CSV/JSON files meant for other tools) write non-finite numbers as null.
"""

from __future__ import annotations

import json
import math
import numbers
from collections.abc import Callable, Mapping
from typing import Any, SupportsFloat, TypeAlias, overload

import numpy as np

#: A value of a JSON document, as :func:`jsonable` makes it.
JSONValue: TypeAlias = "bool | int | float | str | list[JSONValue] | dict[str, JSONValue] | None"

_TAG = "$float"
_TAG_TEXT = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}
_TEXT_VALUE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
_FLAG_VALUE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


def float_flag(value: float) -> str:
    """``'nan'``, ``'inf'`` or ``'-inf'`` for a non-finite float."""
    if math.isnan(value):
        return "nan"
    return "inf" if value > 0 else "-inf"


def split_float(value: SupportsFloat | None) -> tuple[float | None, str | None]:
    """A float as (finite value or None, non-finite flag or None) for a REAL column."""
    if value is None:
        return None, None
    number = float(value)
    if math.isfinite(number):
        return number, None
    return None, float_flag(number)


def join_float(value: float | None, flag: str | None) -> float | None:
    """Inverse of :func:`split_float`."""
    if flag is not None:
        try:
            return _FLAG_VALUE[flag]
        except KeyError:
            raise ValueError(f"unknown non-finite flag {flag!r}") from None
    return None if value is None else float(value)


def _tagged(value: float) -> dict[str, JSONValue]:
    return {_TAG: _TAG_TEXT[float_flag(value)]}


def _null(value: float) -> None:
    return None


@overload
def jsonable(
    obj: Mapping[str, object], what: str, nonfinite: Callable[[float], JSONValue] = ...
) -> dict[str, JSONValue]: ...
@overload
def jsonable(
    obj: object, what: str, nonfinite: Callable[[float], JSONValue] = ...
) -> JSONValue: ...
def jsonable(
    obj: object, what: str, nonfinite: Callable[[float], JSONValue] = _tagged
) -> JSONValue:
    """``obj`` as plain JSON types, non-finite floats replaced by ``nonfinite(x)``.

    Numpy scalars become Python numbers and tuples become lists. Anything else
    raises ``TypeError`` naming where it sits in ``obj`` (``what`` names ``obj``).
    """
    # bool before numbers: bool is an Integral.
    if obj is None or isinstance(obj, (str, bool)):
        return obj
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, numbers.Integral):
        return int(obj)
    if isinstance(obj, numbers.Real):
        number = float(obj)
        return number if math.isfinite(number) else nonfinite(number)
    if isinstance(obj, Mapping):
        out: dict[str, JSONValue] = {}
        for key, value in obj.items():
            if not isinstance(key, str):
                raise TypeError(
                    f"{what}: key {key!r} is a {type(key).__name__}; the store keeps JSON "
                    "objects, whose keys must be strings."
                )
            out[key] = jsonable(value, f"{what}[{key!r}]", nonfinite)
        return out
    if isinstance(obj, (list, tuple)):
        return [jsonable(v, f"{what}[{i}]", nonfinite) for i, v in enumerate(obj)]
    raise TypeError(
        f"{what} is a {type(obj).__name__}, which the store cannot write as JSON. "
        "Store plain values (str, int, float, bool, None, lists and dicts of them), "
        "e.g. an object's get_config(), instead."
    )


def dumps(obj: object, what: str) -> str:
    """Strict JSON text of ``obj`` with non-finite floats tagged (see module docs)."""
    return json.dumps(
        jsonable(obj, what), allow_nan=False, ensure_ascii=False, separators=(",", ":")
    )


def _untag(obj: dict[str, Any]) -> float | dict[str, Any]:
    if len(obj) == 1 and _TAG in obj and obj[_TAG] in _TEXT_VALUE:
        return _TEXT_VALUE[obj[_TAG]]
    return obj


def loads(text: str) -> Any:
    """Inverse of :func:`dumps`."""
    return json.loads(text, object_hook=_untag)


@overload
def strict(obj: Mapping[str, object], what: str = ...) -> dict[str, JSONValue]: ...
@overload
def strict(obj: object, what: str = ...) -> JSONValue: ...
def strict(obj: object, what: str = "export") -> JSONValue:
    """``obj`` as plain JSON types with non-finite floats as None (for exports)."""
    return jsonable(obj, what, _null)
