"""Schedulers: at what fidelity trials run, and which go on to more epochs.

A scheduler is the "how long" of a search: Hyperband's brackets, ASHA's rungs. It
asks its sampler (:mod:`tunesmith.samplers`) for every new configuration and adds
the ``tuner/*`` values of the fidelity; promotions continue a parent's
configuration with more epochs. Per-epoch stops of single-fidelity trials are the
pruners' (:mod:`tunesmith.pruners`). Write your own by subclassing :class:`Scheduler`.

Example:
    >>> from tunesmith import HyperParameters
    >>> from tunesmith.oracles import Oracle
    >>> from tunesmith.samplers import BayesianSampler
    >>> hp = HyperParameters(); _ = hp.Float("lr", 1e-3, 1e-1, sampling="log")
    >>> oracle = Oracle(objective="val_loss", hyperparameters=hp, seed=0,
    ...                 sampler=BayesianSampler(), scheduler=make_scheduler("asha", max_epochs=9))
    >>> oracle.ask().values["tuner/epochs"]
    1
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tunesmith.schedulers._asha import ASHAScheduler
from tunesmith.schedulers._base import Scheduler
from tunesmith.schedulers._brackets import bracket_count, bracket_table, round_epochs, round_size
from tunesmith.schedulers._curves import CurveModel, Prediction, chain_curve, predict_trials
from tunesmith.schedulers._hyperband import HyperbandScheduler

__all__ = [
    "SCHEDULERS",
    "ASHAScheduler",
    "CurveModel",
    "HyperbandScheduler",
    "Prediction",
    "Scheduler",
    "bracket_count",
    "bracket_table",
    "chain_curve",
    "make_scheduler",
    "predict_trials",
    "round_epochs",
    "round_size",
]

#: The schedulers a name selects (``scheduler="hyperband"``).
SCHEDULERS: dict[str, type[Scheduler]] = {
    cls.name: cls for cls in (HyperbandScheduler, ASHAScheduler)
}


def make_scheduler(
    spec: Scheduler | str | Mapping[str, Any] | None, **kwargs: object
) -> Scheduler | None:
    """A scheduler from a name (``kwargs`` for its constructor), an instance, or the
    ``{"name", "config"}`` a study stored; ``None`` stays None (every trial runs in full).

    Example:
        >>> make_scheduler("hyperband", max_epochs=9)
        HyperbandScheduler(max_epochs=9, factor=3, hyperband_iterations=1)
    """
    if spec is None or isinstance(spec, Scheduler):
        return spec
    if isinstance(spec, Mapping):
        kwargs = {**spec.get("config", {}), **kwargs}
        spec = spec.get("name")
    if isinstance(spec, str) and spec in SCHEDULERS:
        return SCHEDULERS[spec](**kwargs)
    names = ", ".join(repr(n) for n in SCHEDULERS)
    raise ValueError(f"Unknown scheduler {spec!r}; choose one of {names}, or pass a Scheduler.")


def scheduler_settings(scheduler: Scheduler) -> dict[str, Any]:
    """``{"name", "config"}``: what a study stores; :func:`make_scheduler` reads it back."""
    return {"name": scheduler.name, "config": scheduler.get_config()}
