"""The search space: hyperparameter types, conditions, and the container models use.

A model-building function receives a :class:`HyperParameters` and asks it for
values (``hp.Int``, ``hp.Float``, ``hp.Choice``, ``hp.Boolean``, ``hp.Fixed``),
which defines the space while the model is built, as in keras-tuner. Every
hyperparameter type has one reversible encoding into [0, 1]
(:meth:`HyperParameter.to_unit` / :meth:`HyperParameter.from_unit`, keras-tuner's
``value_to_prob`` / ``prob_to_value``) that random, grid and Bayesian search all
share. The module-level helpers count, enumerate and sample whole configurations,
respecting conditions; :func:`serialize` / :func:`deserialize` write and read every
object here as keras-tuner does.

Nothing here imports Keras.

Example:
    >>> from tunesmith.space import HyperParameters, count_configurations
    >>> hp = HyperParameters()
    >>> hp.Int("units", 32, 512, step=32)
    32
    >>> hp.Choice("activation", ["relu", "softmax"])
    'relu'
    >>> count_configurations(hp)
    32
"""

from __future__ import annotations

from tunesmith.space._base import DiscreteHyperParameter, HyperParameter
from tunesmith.space._choice import Boolean, Choice, Fixed
from tunesmith.space._conditions import Condition, Parent
from tunesmith.space._enumerate import (
    ConfigKey,
    config_key,
    count_configurations,
    iterate_grid,
    sample_values,
)
from tunesmith.space._errors import (
    ConflictingDefinitionError,
    InactiveHyperParameterError,
    SearchSpaceTypeError,
    UnknownHyperParameterError,
)
from tunesmith.space._hyperparameters import HyperParameters
from tunesmith.space._numeric import Float, Int, Numerical
from tunesmith.space._sampling import SAMPLINGS, index_to_unit, unit_to_index
from tunesmith.space._serialize import deserialize, serialize
from tunesmith.space._tuner_values import (
    BRACKET,
    EPOCHS,
    INITIAL_EPOCH,
    PARENT,
    ROUND,
    TUNER_PREFIX,
    is_tuner_value,
)

__all__ = [
    "BRACKET",
    "EPOCHS",
    "INITIAL_EPOCH",
    "PARENT",
    "ROUND",
    "SAMPLINGS",
    "TUNER_PREFIX",
    "Boolean",
    "Choice",
    "Condition",
    "ConfigKey",
    "ConflictingDefinitionError",
    "DiscreteHyperParameter",
    "Fixed",
    "Float",
    "HyperParameter",
    "HyperParameters",
    "InactiveHyperParameterError",
    "Int",
    "Numerical",
    "Parent",
    "SearchSpaceTypeError",
    "UnknownHyperParameterError",
    "config_key",
    "count_configurations",
    "deserialize",
    "index_to_unit",
    "is_tuner_value",
    "iterate_grid",
    "sample_values",
    "serialize",
    "unit_to_index",
]
