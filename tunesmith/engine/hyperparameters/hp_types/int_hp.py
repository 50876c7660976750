"""keras-tuner's ``hp_types.int_hp``: :class:`tunesmith.space.Int`."""

from tunesmith.space import Int

__all__ = ["Int"]
