"""``kt.tuners.randomsearch``: RandomSearch and its oracle under keras-tuner's path."""

from tunesmith.keras import RandomSearch
from tunesmith.oracles import RandomSearchOracle

__all__ = ["RandomSearch", "RandomSearchOracle"]
