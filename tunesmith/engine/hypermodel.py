"""``kt.engine.hypermodel``: HyperModel under keras-tuner's path."""

from tunesmith.keras import HyperModel

__all__ = ["HyperModel"]
