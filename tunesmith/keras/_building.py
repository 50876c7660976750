"""Models that build lazily: record how they were built, rebuild before loading weights.

A ``Sequential()`` without an ``Input`` or a subclassed model has no weights until
its first call, so weights saved after training cannot load into a freshly built
one. The build configuration is saved beside the weights and replayed first.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np


def input_shape_of(fit_args: tuple, fit_kwargs: dict) -> list[int | None] | None:
    """The batch shape of the training inputs, when they are one array."""
    x = fit_args[0] if fit_args else fit_kwargs.get("x")
    shape = getattr(x, "shape", None)
    if shape is None or len(shape) < 1:
        return None
    return [None, *(int(d) for d in shape[1:])]


def save_build_config(model: Any, path: Path, input_shape: list[int | None] | None = None) -> None:
    """Write ``model``'s build configuration to ``path`` (atomically), if it has one.

    A subclassed model built by its first call records no shapes; the training
    data's ``input_shape`` stands in.
    """
    if not model.built or not hasattr(model, "get_build_config"):
        return
    config = model.get_build_config()
    if config is None and input_shape is not None:
        config = {"input_shape": input_shape}
    if config is None:
        return
    partial = path.with_name("partial." + path.name)
    partial.write_text(json.dumps(config))
    os.replace(partial, path)


def save_weights(
    model: Any, path: Path, build_path: Path, input_shape: list[int | None] | None = None
) -> None:
    """Write ``model``'s weights to ``path`` and how it was built to ``build_path``.

    The one road by which a trial's weights reach disk (its best epoch, and the
    last-epoch checkpoint a promotion continues from). Each file is written beside
    its place and renamed into it: a crash mid-write never leaves half a file.
    """
    save_build_config(model, build_path, input_shape)
    partial = path.with_name("partial." + path.name)
    model.save_weights(partial)
    if partial.exists():  # a stand-in model may save nothing
        os.replace(partial, path)


def build_from_saved_config(model: Any, path: Path) -> None:
    """Build an unbuilt ``model`` as recorded in ``path`` (nothing if built or no file)."""
    if model.built or not path.exists():
        return
    config = json.loads(path.read_text())
    model.build_from_config(config)
    shape = config.get("input_shape") if isinstance(config, dict) else None
    if not model.built and shape and all(isinstance(d, (int, type(None))) for d in shape):
        # A subclassed model without a build() of its own builds by being called.
        model(np.zeros([1, *(d or 1 for d in shape[1:])], dtype="float32"))
