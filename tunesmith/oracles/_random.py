"""Random search that never repeats a configuration."""

from __future__ import annotations

from typing import Any

from tunesmith.oracles._protocol import Oracle
from tunesmith.samplers import RandomSampler


class RandomSearchOracle(Oracle):
    """Draws each configuration uniformly at random, never the same one twice.

    Where the space is finite, the oracle counts it: once every configuration has
    been tried the search ends with a message saying so, rather than stopping after
    a run of unlucky repeated draws. Conditional hyperparameters are drawn only
    when their condition holds. With ``pruner=`` (:mod:`tunesmith.pruners`),
    unpromising trials are stopped early from their per-epoch reports. It is the
    study with a :class:`~tunesmith.samplers.RandomSampler`.

    Example:
        >>> from tunesmith import HyperParameters
        >>> hp = HyperParameters()
        >>> _ = hp.Choice("units", [16, 32])
        >>> oracle = RandomSearchOracle(objective="val_loss", max_trials=10,
        ...                             hyperparameters=hp, seed=0)
        >>> sorted(oracle.ask().values["units"] for _ in range(2))
        [16, 32]
        >>> oracle.ask() is None, oracle.stop_reason
        (True, 'All 2 configurations of the search space have been tried.')
    """

    algorithm_name = "random"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("sampler", RandomSampler())
        super().__init__(*args, **kwargs)
