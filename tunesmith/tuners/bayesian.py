"""``kt.tuners.bayesian``: BayesianOptimization and its oracle under keras-tuner's path."""

from tunesmith.keras import BayesianOptimization
from tunesmith.oracles import BayesianOptimizationOracle

__all__ = ["BayesianOptimization", "BayesianOptimizationOracle"]
