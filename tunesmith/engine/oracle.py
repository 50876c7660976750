"""``kt.engine.oracle``: the Oracle base class under keras-tuner's path."""

from tunesmith.objective import Objective
from tunesmith.oracles import Oracle, synchronized

__all__ = ["Objective", "Oracle", "synchronized"]
