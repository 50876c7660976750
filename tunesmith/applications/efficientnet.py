"""``kt.applications.efficientnet``: HyperEfficientNet under keras-tuner's path."""

from tunesmith.applications import HyperEfficientNet

__all__ = ["HyperEfficientNet"]
