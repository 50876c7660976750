"""keras-tuner's ``kt.tuners`` namespace: the ready-made Keras tuners (and ASHA)."""

from tunesmith.keras import ASHA, BayesianOptimization, GridSearch, Hyperband, RandomSearch, Tuner

__all__ = ["ASHA", "BayesianOptimization", "GridSearch", "Hyperband", "RandomSearch", "Tuner"]
