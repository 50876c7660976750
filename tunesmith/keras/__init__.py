"""The Keras front: HyperModel, the Tuner and the ready-made tuners (random, grid,
Bayesian, Hyperband, ASHA).

Importing this package imports Keras. Keras picks its backend from
``KERAS_BACKEND``; tunesmith never overrides a backend the user chose.
"""

from tunesmith.hypermodel import HyperModel
from tunesmith.keras._multi_fidelity import ASHA, Hyperband
from tunesmith.keras._tuner import Tuner
from tunesmith.keras._tuners import BayesianOptimization, GridSearch, RandomSearch

__all__ = [
    "ASHA",
    "BayesianOptimization",
    "GridSearch",
    "HyperModel",
    "Hyperband",
    "RandomSearch",
    "Tuner",
]
