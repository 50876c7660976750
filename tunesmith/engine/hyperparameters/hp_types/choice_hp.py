"""keras-tuner's ``hp_types.choice_hp``: :class:`tunesmith.space.Choice`."""

from tunesmith.space import Choice

__all__ = ["Choice"]
