"""keras-tuner's ``hp_types.fixed_hp``: :class:`tunesmith.space.Fixed`."""

from tunesmith.space import Fixed

__all__ = ["Fixed"]
