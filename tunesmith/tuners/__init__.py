"""keras-tuner's ``kt.tuners`` namespace: the ready-made tuners, and its module paths.

``kt.tuners.RandomSearch`` and the other Keras tuners import Keras on first use;
``kt.tuners.SklearnTuner`` needs scikit-learn only. The submodules
(``randomsearch``, ``gridsearch``, ``bayesian``, ``hyperband``, ``sklearn_tuner``)
are keras-tuner's paths to each tuner and its oracle.
"""

from __future__ import annotations

import importlib
from typing import Any

_KERAS_TUNERS = {"ASHA", "BayesianOptimization", "GridSearch", "Hyperband", "RandomSearch", "Tuner"}
_SUBMODULES = {"randomsearch", "gridsearch", "bayesian", "hyperband", "sklearn_tuner"}


def __getattr__(name: str) -> Any:
    if name in _KERAS_TUNERS:
        return getattr(importlib.import_module("tunesmith.keras"), name)
    if name == "SklearnTuner":
        return importlib.import_module("tunesmith.tuners.sklearn_tuner").SklearnTuner
    if name in _SUBMODULES:
        return importlib.import_module(f"tunesmith.tuners.{name}")
    raise AttributeError(f"module 'tunesmith.tuners' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(_KERAS_TUNERS | _SUBMODULES | {"SklearnTuner"})


__all__ = sorted(_KERAS_TUNERS | {"SklearnTuner"})
