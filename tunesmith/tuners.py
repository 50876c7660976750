"""keras-tuner's ``kt.tuners`` namespace: the ready-made Keras tuners."""

from tunesmith.keras import BayesianOptimization, GridSearch, RandomSearch, Tuner

__all__ = ["BayesianOptimization", "GridSearch", "RandomSearch", "Tuner"]
