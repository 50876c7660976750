"""``kt.engine.trial``: Trial under keras-tuner's path."""

from tunesmith.trial import Trial, TrialStatus

__all__ = ["Trial", "TrialStatus"]
