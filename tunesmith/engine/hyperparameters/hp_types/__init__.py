"""keras-tuner's ``engine.hyperparameters.hp_types``: the hyperparameter types.

Example:
    >>> from tunesmith.engine.hyperparameters import hp_types
    >>> hp_types.deserialize(hp_types.serialize(hp_types.Int("j", 1, 10)))
    Int(name='j', min_value=1, max_value=10, step=1, sampling='linear', default=1)
"""

from tunesmith.space import Boolean, Choice, Fixed, Float, Int, deserialize, serialize

#: The types, as keras-tuner lists them.
OBJECTS = (Fixed, Float, Int, Choice, Boolean)
ALL_CLASSES = {cls.__name__: cls for cls in OBJECTS}

__all__ = [
    "ALL_CLASSES",
    "OBJECTS",
    "Boolean",
    "Choice",
    "Fixed",
    "Float",
    "Int",
    "deserialize",
    "serialize",
]
