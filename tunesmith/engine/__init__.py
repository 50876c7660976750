"""keras-tuner's ``kt.engine`` paths, for code that imports from them."""

from __future__ import annotations

import importlib
from typing import Any

_SUBMODULES = {
    "base_tuner",
    "conditions",
    "hypermodel",
    "hyperparameters",
    "metrics_tracking",
    "objective",
    "oracle",
    "trial",
    "tuner",
    "tuner_utils",
}


def __getattr__(name: str) -> Any:
    # Submodules load on first use: `tuner` and `hypermodel` import Keras.
    if name in _SUBMODULES:
        return importlib.import_module(f"tunesmith.engine.{name}")
    raise AttributeError(f"module 'tunesmith.engine' has no attribute {name!r}")
