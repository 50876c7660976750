"""``kt.engine.hypermodel``: HyperModel under keras-tuner's path."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tunesmith.hypermodel import HyperModel, as_hypermodel

__all__ = ["HyperModel", "get_hypermodel"]


def get_hypermodel(hypermodel: HyperModel | Callable[..., Any] | None) -> HyperModel | None:
    """A :class:`HyperModel` for a build function (keras-tuner's helper); None stays None."""
    return None if hypermodel is None else as_hypermodel(hypermodel)
