"""keras-tuner's ``kt.tuners`` namespace: the ready-made tuners, and its module paths.

``kt.tuners.RandomSearch`` and the other Keras tuners import Keras on first use;
``kt.tuners.SklearnTuner`` needs scikit-learn only. keras-tuner's submodules
(``randomsearch``, ``gridsearch``, ``bayesian``, ``hyperband``: each tuner with its
oracle) are declared in :mod:`tunesmith._compat_paths`; ``sklearn_tuner`` is a
module of its own.
"""

from __future__ import annotations

from tunesmith._compat_paths import lazy_attributes
from tunesmith.tuners._base_tuner import BaseTuner, refuse_chief_worker_environment
from tunesmith.tuners._tune import TuneResult, tune

__getattr__, __dir__ = lazy_attributes(__name__, own={"ASHA": "tunesmith.keras:ASHA"})

__all__ = [
    "ASHA",
    "BaseTuner",
    "BayesianOptimization",
    "GridSearch",
    "Hyperband",
    "RandomSearch",
    "SklearnTuner",
    "TuneResult",
    "Tuner",
    "refuse_chief_worker_environment",
    "tune",
]
