"""Plain-Python scalar values: normalising, comparing and describing them.

Hyperparameter values travel through numpy (samplers), JSON (the store) and user
code. These helpers make ``numpy.int64(3)`` and ``3`` the same value, keep ``True``
and ``1`` apart (bool is its own type here, unlike in Python's ``==``), and compare
floats with a small tolerance so a value that went through arithmetic or a JSON
round trip still matches.
"""

from __future__ import annotations

import math
from typing import Any, TypeAlias, TypeGuard

import numpy as np

# Relative tolerance under which two floats are the same hyperparameter value.
FLOAT_REL_TOL = 1e-9
FLOAT_ABS_TOL = 1e-12

SCALAR_TYPE_NAMES = "int, float, str or bool"

#: What a built-in hyperparameter's value (and a condition's) is.
Scalar: TypeAlias = bool | int | float | str


def to_python(value: Any) -> Any:
    """``value`` with numpy scalars turned into the matching Python scalar (any other
    value, of any type, is returned as it is)."""
    if isinstance(value, np.generic):
        return value.item()
    return value


def is_number(value: object) -> TypeGuard[int | float]:
    """Whether ``value`` is an int or a float (a bool is not a number here)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_scalar(value: object) -> TypeGuard[Scalar]:
    """Whether ``value`` may be a hyperparameter value: int, float, str or bool."""
    return isinstance(value, (bool, int, float, str))


def kind_of(value: object) -> str:
    """The value's type as hyperparameters see it: ``bool``, ``int``, ``float`` or ``str``."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "str"
    return type(value).__name__


def same_value(a: object, b: object) -> bool:
    """Whether two hyperparameter values are equal (type-strict for bool and str)."""
    a, b = to_python(a), to_python(b)
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if is_number(a) and is_number(b):
        return a == b or math.isclose(a, b, rel_tol=FLOAT_REL_TOL, abs_tol=FLOAT_ABS_TOL)
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    return False


def clean_float(x: float) -> float:
    """``x`` rounded to 15 significant digits.

    Grid values computed as ``min + i * step`` pick up binary noise
    (``0.1 * 3 == 0.30000000000000004``); users expect the decimal they would write.
    """
    return float(f"{x:.15g}")
