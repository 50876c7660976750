"""The one shape a study's settings take in its store, and how older shapes read.

A study stores what it is (``algorithm``: the name a resumed search must match),
what it optimises (``objective``), its budget and seed, the search space, and the
three parts it composes, each as ``{"name", "config"}`` (``None`` when absent):

.. code-block:: text

    {"format": 2, "algorithm": "hyperband", "objective": {...}, "max_trials": None,
     "seed": 7, "space": {...},
     "sampler": {"name": "random", "config": {}},
     "scheduler": {"name": "hyperband", "config": {"max_epochs": 9, ...}},
     "pruner": None}

Stores written before this format kept the parts in an ``algorithm_args`` dict
whose shape depended on the algorithm; :func:`normalise_settings` reads those, so
old stores open and resume. A part that is a user's own class is stored with its
class path (``"class"``), so a reader can name it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: The format of the settings this version writes.
SETTINGS_FORMAT = 2


def normalise_settings(stored: Mapping[str, Any]) -> dict[str, Any]:
    """Stored settings in the current format, whatever format wrote them.

    Example:
        >>> old = {"algorithm": "grid", "algorithm_args": {"float_grid_size": 4}}
        >>> normalise_settings(old)["sampler"]
        {'name': 'grid', 'config': {'float_grid_size': 4}}
    """
    settings = dict(stored)
    if "algorithm_args" not in settings:
        settings.setdefault("sampler", None)
        settings.setdefault("scheduler", None)
        settings.setdefault("pruner", None)
        return settings
    args = dict(settings.pop("algorithm_args") or {})
    algorithm = settings.get("algorithm")
    pruner = args.pop("pruner", None)
    sampler = args.pop("sampler", None)
    scheduler = args.pop("scheduler", None)
    # Before format 2 each named algorithm kept its own arguments at the top level.
    if algorithm == "random":
        sampler = "random"
    elif algorithm == "grid":
        sampler = {"name": "grid", "config": args}
    elif algorithm == "bayesian":
        sampler = {"name": "bayesian", "config": args}
    elif algorithm in ("hyperband", "asha"):
        scheduler = {"name": algorithm, "config": args}
    settings.update(
        format=SETTINGS_FORMAT,
        sampler=_as_part(sampler),
        scheduler=_as_part(scheduler),
        pruner=pruner,
    )
    return settings


def _as_part(spec: Any) -> dict[str, Any] | None:
    if spec is None:
        return None
    if isinstance(spec, str):
        return {"name": spec, "config": {}}
    part = dict(spec)
    part.setdefault("config", {})
    return part


def describe_part(spec: Mapping[str, Any] | None) -> str:
    """How a summary names a stored sampler or scheduler.

    Example:
        >>> describe_part({"name": "custom", "config": {}, "class": "mine.Smallest"})
        'mine.Smallest (a custom class)'
        >>> describe_part({"name": "bayesian", "config": {"beta": 2.6}})
        'bayesian (beta=2.6)'
    """
    if spec is None:
        return "none"
    if "class" in spec:
        return f"{spec['class']} (a custom class)"
    config = ", ".join(f"{k}={v!r}" for k, v in (spec.get("config") or {}).items())
    name: str = spec.get("name", "?")
    return name + (f" ({config})" if config else "")
