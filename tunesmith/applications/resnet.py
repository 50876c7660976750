"""``kt.applications.resnet``: HyperResNet under keras-tuner's path."""

from tunesmith.applications import HyperResNet

__all__ = ["HyperResNet"]
