"""keras-tuner's ``engine.hyperparameters.hyperparameter``: the base class of every type."""

from tunesmith.space import HyperParameter

__all__ = ["HyperParameter"]
