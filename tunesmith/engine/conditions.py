"""``kt.engine.conditions``: conditions that make a hyperparameter active.

keras-tuner has one kind of condition, ``Parent``: another hyperparameter's value
is one of a list. tunesmith calls it :class:`~tunesmith.space.Condition`; both
names are the same class here.

Example:
    >>> from tunesmith.engine import conditions
    >>> condition = conditions.Parent("model", ["cnn"])
    >>> condition.is_active({"model": "cnn"}), condition.is_active({"model": "mlp"})
    (True, False)
    >>> conditions.deserialize(conditions.serialize(condition)) == condition
    True
"""

from tunesmith.space import Condition, Parent, deserialize, serialize

#: The condition classes, as keras-tuner lists them.
OBJECTS = (Condition, Parent)
ALL_CLASSES = {"Condition": Condition, "Parent": Parent}

__all__ = ["ALL_CLASSES", "OBJECTS", "Condition", "Parent", "deserialize", "serialize"]
