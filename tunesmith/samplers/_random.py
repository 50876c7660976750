"""Uniform random draws, never the same configuration twice."""

from __future__ import annotations

from tunesmith.samplers._base import Proposal, Sampler, SamplingContext
from tunesmith.samplers._draws import random_untried


class RandomSampler(Sampler):
    """Draws each configuration uniformly at random, never one already tried.

    Where the space is finite it is counted: once every configuration has been
    tried the answer is :class:`~tunesmith.samplers.Exhausted`, rather than a stop
    after a run of unlucky repeats. Conditional hyperparameters are drawn only when
    their condition holds.

    Example:
        >>> from tunesmith import HyperParameters
        >>> from tunesmith.objective import Objective
        >>> from tunesmith.samplers import SamplingContext
        >>> hp = HyperParameters(); _ = hp.Int("n", 1, 9)
        >>> context = SamplingContext(hp, (), Objective("loss", "min"), seed=0, number=0)
        >>> 1 <= RandomSampler().sample(context)["n"] <= 9
        True
    """

    name = "random"
    samples_new_names = True

    def sample(self, context: SamplingContext) -> Proposal:
        return random_untried(context)
