"""Samplers: where the next configuration goes, from the trials so far.

A sampler is the "where" of a search and nothing else: it reads a
:class:`SamplingContext` (the space, every trial so far, the objective, a seeded
random state) and answers the values to try, :class:`Exhausted` or :class:`Wait`.
The study (:class:`~tunesmith.oracles.Oracle`) owns the trials' lifecycle and the
store; a scheduler (:mod:`tunesmith.schedulers`) owns fidelities and promotions and
asks its sampler for each new configuration. So any sampler runs under any
scheduler: ``Hyperband(sampler="bayesian")`` is model-based Hyperband.

Write your own by subclassing :class:`Sampler` (see its example).

Example:
    >>> from tunesmith import HyperParameters
    >>> from tunesmith.oracles import Oracle
    >>> hp = HyperParameters(); _ = hp.Float("x", -1.0, 1.0)
    >>> oracle = Oracle(objective="loss", max_trials=3, hyperparameters=hp,
    ...                 sampler=make_sampler("bayesian"), seed=0)
    >>> while (trial := oracle.ask()) is not None:
    ...     _ = oracle.tell(trial, trial.values["x"] ** 2)
    >>> len(oracle.trials)
    3
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tunesmith.samplers._base import Exhausted, Proposal, Sampler, SamplingContext, Wait
from tunesmith.samplers._bayesian import (
    DEFAULT_MAX_MODEL_POINTS,
    BayesianSampler,
    default_initial_points,
)
from tunesmith.samplers._draws import random_untried
from tunesmith.samplers._follow import TrialFollower, TrialsInOrder
from tunesmith.samplers._grid import GridSampler
from tunesmith.samplers._observations import (
    Observations,
    configuration_observations,
    fidelity_of,
    lineages,
)
from tunesmith.samplers._random import RandomSampler
from tunesmith.samplers._tried import TriedKeys

__all__ = [
    "DEFAULT_MAX_MODEL_POINTS",
    "SAMPLERS",
    "BayesianSampler",
    "Exhausted",
    "GridSampler",
    "Observations",
    "Proposal",
    "RandomSampler",
    "Sampler",
    "SamplingContext",
    "TrialFollower",
    "TrialsInOrder",
    "TriedKeys",
    "Wait",
    "configuration_observations",
    "default_initial_points",
    "fidelity_of",
    "lineages",
    "make_sampler",
    "random_untried",
]

#: The samplers a name selects (``sampler="bayesian"``), the registry of the tuners,
#: ``tune()``, the command line and stored studies.
SAMPLERS: dict[str, type[Sampler]] = {
    cls.name: cls for cls in (RandomSampler, GridSampler, BayesianSampler)
}


def make_sampler(spec: Sampler | str | Mapping[str, Any] | None, **kwargs: object) -> Sampler:
    """A sampler from a name (with ``kwargs`` for its constructor), an instance, or the
    ``{"name", "config"}`` a study stored. ``None`` is random sampling.

    Example:
        >>> make_sampler("bayesian", num_initial_points=3).num_initial_points
        3
        >>> make_sampler({"name": "grid", "config": {"float_grid_size": 4}})
        GridSampler(float_grid_size=4)
    """
    if spec is None:
        return RandomSampler()
    if isinstance(spec, Sampler):
        return spec
    if isinstance(spec, Mapping):
        kwargs = {**spec.get("config", {}), **kwargs}
        spec = spec.get("name")
    if isinstance(spec, str) and spec in SAMPLERS:
        return SAMPLERS[spec](**kwargs)
    names = ", ".join(repr(n) for n in SAMPLERS)
    raise ValueError(f"Unknown sampler {spec!r}; choose one of {names}, or pass a Sampler.")


def sampler_settings(sampler: Sampler) -> str | dict[str, Any]:
    """What a study stores of its sampler; :func:`make_sampler` reads it back: the
    name of a registered sampler with its default arguments, else ``{"name", "config"}``.

    Example:
        >>> sampler_settings(RandomSampler()), sampler_settings(GridSampler(4))
        ('random', {'name': 'grid', 'config': {'float_grid_size': 4}})
    """
    config = sampler.get_config()
    registered = SAMPLERS.get(sampler.name)
    if registered is not None and config == registered().get_config():
        return sampler.name
    return {"name": sampler.name, "config": config}
