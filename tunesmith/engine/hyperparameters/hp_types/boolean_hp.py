"""keras-tuner's ``hp_types.boolean_hp``: :class:`tunesmith.space.Boolean`."""

from tunesmith.space import Boolean

__all__ = ["Boolean"]
