"""``kt.applications.augment``: HyperImageAugment under keras-tuner's path."""

from tunesmith.applications import HyperImageAugment

__all__ = ["HyperImageAugment"]
