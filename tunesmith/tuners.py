"""keras-tuner's ``kt.tuners`` namespace: the ready-made Keras tuners."""

from tunesmith.keras import GridSearch, RandomSearch, Tuner

__all__ = ["GridSearch", "RandomSearch", "Tuner"]
