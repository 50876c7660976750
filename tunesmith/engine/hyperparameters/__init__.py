"""``kt.engine.hyperparameters``: the search-space classes under keras-tuner's paths.

Everything :mod:`tunesmith.space` offers is here, and keras-tuner's submodules
(``hyperparameter``, ``hyperparameters``, ``hp_types``, ``hp_utils``) re-export the
same objects, so ``kt.engine.hyperparameters.Int is tunesmith.space.Int``.

Example:
    >>> from tunesmith.engine import hyperparameters as hp_module
    >>> hp = hp_module.HyperParameters()
    >>> hp.Int("units", 32, 512, step=32)
    32
    >>> len(hp_module.deserialize(hp_module.serialize(hp)).space)
    1
"""

from tunesmith.engine.hyperparameters import hp_types, hp_utils, hyperparameter, hyperparameters
from tunesmith.space import *  # noqa: F403
from tunesmith.space import __all__ as _space_names

__all__ = [*_space_names, "hp_types", "hp_utils", "hyperparameter", "hyperparameters"]
