"""``kt.tuners.hyperband``: Hyperband and its oracle under keras-tuner's path."""

from tunesmith.keras import Hyperband
from tunesmith.oracles import HyperbandOracle

__all__ = ["Hyperband", "HyperbandOracle"]
