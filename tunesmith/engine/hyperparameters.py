"""``kt.engine.hyperparameters``: the search-space classes under keras-tuner's path."""

from tunesmith.space import *  # noqa: F403
from tunesmith.space import __all__  # noqa: F401
