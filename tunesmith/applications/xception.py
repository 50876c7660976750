"""``kt.applications.xception``: HyperXception under keras-tuner's path."""

from tunesmith.applications import HyperXception

__all__ = ["HyperXception"]
