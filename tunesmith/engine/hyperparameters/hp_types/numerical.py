"""keras-tuner's ``engine.hyperparameters.hp_types.numerical``: what Int and Float share."""

from tunesmith.space import Numerical

__all__ = ["Numerical"]
