"""keras-tuner's ``kt.tuners`` namespace: the ready-made tuners, and its module paths.

``kt.tuners.RandomSearch`` and the other Keras tuners import Keras on first use;
``kt.tuners.SklearnTuner`` needs scikit-learn only. keras-tuner's submodules
(``randomsearch``, ``gridsearch``, ``bayesian``, ``hyperband``: each tuner with its
oracle) are declared in :mod:`tunesmith._compat_paths`; ``sklearn_tuner`` is a
module of its own.
"""

from __future__ import annotations

from tunesmith._compat_paths import lazy_attributes

__getattr__, __dir__ = lazy_attributes(__name__, own={"ASHA": "tunesmith.keras:ASHA"})

__all__ = [
    "ASHA",
    "BayesianOptimization",
    "GridSearch",
    "Hyperband",
    "RandomSearch",
    "SklearnTuner",
    "Tuner",
]
