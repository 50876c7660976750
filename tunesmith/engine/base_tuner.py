"""``kt.engine.base_tuner``: the tuner for anything, under keras-tuner's path."""

from tunesmith.execution import BaseTuner

__all__ = ["BaseTuner"]
