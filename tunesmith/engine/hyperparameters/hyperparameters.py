"""keras-tuner's ``engine.hyperparameters.hyperparameters``: the container."""

from tunesmith.space import HyperParameters

__all__ = ["HyperParameters"]
