"""``kt.engine.tuner``: the Keras Tuner base class under keras-tuner's path."""

from tunesmith.keras import Tuner

__all__ = ["Tuner"]
