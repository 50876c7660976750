"""Random configurations that were not tried yet."""

from __future__ import annotations

from typing import Any

import numpy as np

from tunesmith.samplers._base import Exhausted, SamplingContext
from tunesmith.space import config_key, iterate_grid, sample_values

# Draws in a row that may land on tried configurations before the untried ones of a
# finite space are listed and one picked directly.
_DRAWS_BEFORE_ENUMERATING = 20
# For spaces with continuous dimensions a repeat is nearly impossible; this many in
# a row means the known space is effectively used up.
_DRAWS_BEFORE_GIVING_UP = 1000


def random_untried(
    context: SamplingContext, rng: np.random.Generator | None = None
) -> dict[str, Any] | Exhausted:
    """A random configuration of ``context.space`` not among ``context.tried``.

    Conditional hyperparameters are drawn only where their condition holds. After
    20 repeated draws the untried configurations of a finite space are listed and
    one is picked, so the search only ends when the space is really used up; a
    continuous space counts as used up after 1000 repeats in a row.

    Example:
        >>> from tunesmith import HyperParameters
        >>> from tunesmith.objective import Objective
        >>> hp = HyperParameters(); _ = hp.Boolean("bn")
        >>> context = SamplingContext(hp, (), Objective("loss", "min"), seed=0, number=0)
        >>> random_untried(context)["bn"] in (True, False)
        True
    """
    done = context.exhausted()
    if done is not None:
        return done
    rng = context.rng if rng is None else rng
    tried, total = context.tried, context.space_size
    limit = _DRAWS_BEFORE_ENUMERATING if total is not None else _DRAWS_BEFORE_GIVING_UP
    for _ in range(limit):
        values = sample_values(context.space, rng)
        if config_key(values) not in tried:
            return values
    if total is None:
        return Exhausted(
            f"{limit} random draws in a row repeated tried configurations; "
            "the search space looks exhausted."
        )
    untried = [v for v in iterate_grid(context.space) if config_key(v) not in tried]
    if not untried:
        return Exhausted(f"All {total} configurations of the search space have been tried.")
    return untried[int(rng.integers(len(untried)))]
