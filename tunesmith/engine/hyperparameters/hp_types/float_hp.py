"""keras-tuner's ``hp_types.float_hp``: :class:`tunesmith.space.Float`."""

from tunesmith.space import Float

__all__ = ["Float"]
