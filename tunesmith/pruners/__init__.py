"""Pruners: stop unpromising trials early from their per-epoch objective values.

Pass one to :class:`~tunesmith.oracles.RandomSearchOracle` or
:class:`~tunesmith.oracles.BayesianOptimizationOracle` (and their Keras tuners) as
``pruner=``. At every epoch the oracle hands the pruner the trial's objective so far
and the other trials' curves; when it says stop, the fit ends and the trial is
stored ``STOPPED`` with its partial curve, counting as a result at the fidelity it
reached. The settings are stored with the study, so a resumed search prunes alike.

Example:
    >>> from tunesmith import HyperParameters
    >>> from tunesmith.oracles import RandomSearchOracle
    >>> from tunesmith.pruners import MedianPruner
    >>> hp = HyperParameters(); _ = hp.Float("lr", 1e-4, 1e-1, sampling="log")
    >>> oracle = RandomSearchOracle(objective="val_loss", max_trials=20, hyperparameters=hp,
    ...                             pruner=MedianPruner(n_startup_trials=3, n_warmup_steps=2))
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tunesmith.pruners._base import NopPruner, Pruner, TrialCurve
from tunesmith.pruners._halving import SuccessiveHalvingPruner
from tunesmith.pruners._median import MedianPruner

__all__ = [
    "MedianPruner",
    "NopPruner",
    "Pruner",
    "SuccessiveHalvingPruner",
    "TrialCurve",
    "make_pruner",
]

_CLASSES: dict[str, type[Pruner]] = {
    cls.__name__: cls for cls in (NopPruner, MedianPruner, SuccessiveHalvingPruner)
}
_ALIASES: dict[str, type[Pruner]] = {
    "none": NopPruner,
    "median": MedianPruner,
    "successive_halving": SuccessiveHalvingPruner,
    "asha": SuccessiveHalvingPruner,
}


def make_pruner(spec: Pruner | str | Mapping[str, Any] | None) -> Pruner | None:
    """A pruner from what a user or a stored study gives: a :class:`Pruner`, ``None``,
    a name (``"median"``, ``"successive_halving"`` or ``"asha"``, ``"none"``; default
    arguments), or the ``{"class_name", "config"}`` of :meth:`Pruner.to_settings`.

    Example:
        >>> make_pruner("median")
        MedianPruner(n_startup_trials=5, n_warmup_steps=0, interval_steps=1, n_min_trials=1)
        >>> make_pruner(SuccessiveHalvingPruner(reduction_factor=4).to_settings())
        SuccessiveHalvingPruner(min_resource=1, reduction_factor=4, min_early_stopping_rate=0)
    """
    if spec is None or isinstance(spec, Pruner):
        return spec
    if isinstance(spec, str):
        cls = _ALIASES.get(spec.lower()) or _CLASSES.get(spec)
        if cls is None:
            names = ", ".join(repr(n) for n in _ALIASES)
            raise ValueError(f"Unknown pruner {spec!r}; choose one of {names}, or pass a Pruner.")
        return cls()
    if isinstance(spec, Mapping) and spec.get("class_name") in _CLASSES:
        return _CLASSES[spec["class_name"]](**spec.get("config", {}))
    raise TypeError(
        f"pruner must be a Pruner, a pruner's name or None, got {spec!r}. "
        "A custom pruner is passed as an instance (it cannot be restored by load_oracle)."
    )
