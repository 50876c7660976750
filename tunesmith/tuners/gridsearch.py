"""``kt.tuners.gridsearch``: GridSearch and its oracle under keras-tuner's path."""

from tunesmith.keras import GridSearch
from tunesmith.oracles import GridSearchOracle

__all__ = ["GridSearch", "GridSearchOracle"]
