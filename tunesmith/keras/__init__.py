"""The Keras front: HyperModel, the Tuner and the ready-made tuners (random, grid,
Bayesian, Hyperband, ASHA), and keras-tuner's helpers for a ``run_trial`` that fits
on its own (``SaveBestEpoch``, ``convert_to_metrics_dict``, ``get_best_step``,
``average_metrics_dicts``, ``validate_trial_results``: its ``engine.tuner_utils``).

Importing this package imports Keras. Keras picks its backend from
``KERAS_BACKEND``; tunesmith never overrides a backend the user chose.
"""

from tunesmith.hypermodel import HyperModel
from tunesmith.keras._multi_fidelity import ASHA, Hyperband
from tunesmith.keras._run_trial_helpers import (
    SaveBestEpoch,
    average_metrics_dicts,
    convert_to_metrics_dict,
    get_best_step,
    validate_trial_results,
)
from tunesmith.keras._tuner import Tuner
from tunesmith.keras._tuners import BayesianOptimization, GridSearch, RandomSearch

__all__ = [
    "ASHA",
    "BayesianOptimization",
    "GridSearch",
    "HyperModel",
    "Hyperband",
    "RandomSearch",
    "SaveBestEpoch",
    "Tuner",
    "average_metrics_dicts",
    "convert_to_metrics_dict",
    "get_best_step",
    "validate_trial_results",
]
