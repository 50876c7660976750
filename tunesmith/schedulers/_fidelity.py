"""Helpers of the multi-fidelity schedulers: trial values at a fidelity, parents, ranks.

The ``tuner/*`` names themselves live in :mod:`tunesmith.space` (``EPOCHS``, ``PARENT``...).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from tunesmith.objective import Objective, Pareto
from tunesmith.schedulers._pareto_rungs import pareto_rung_order
from tunesmith.space import (
    BRACKET,
    EPOCHS,
    INITIAL_EPOCH,
    PARENT,
    ROUND,
    is_tuner_value,
)
from tunesmith.trial import Trial


def with_fidelity(
    values: Mapping[str, Any],
    *,
    epochs: int,
    initial_epoch: int,
    bracket: int,
    round: int,
    parent: str | None = None,
) -> dict[str, Any]:
    """``values``' hyperparameters (any earlier ``tuner/*`` dropped) plus these ones.

    Example:
        >>> with_fidelity({"units": 64, "tuner/epochs": 3}, epochs=9, initial_epoch=3,
        ...               bracket=1, round=1, parent="0004")
        ... # doctest: +NORMALIZE_WHITESPACE
        {'units': 64, 'tuner/epochs': 9, 'tuner/initial_epoch': 3, 'tuner/bracket': 1,
         'tuner/round': 1, 'tuner/trial_id': '0004'}
    """
    out = {k: v for k, v in values.items() if not is_tuner_value(k)}
    out.update({EPOCHS: epochs, INITIAL_EPOCH: initial_epoch, BRACKET: bracket, ROUND: round})
    if parent is not None:
        out[PARENT] = parent
    return out


def parent_of(trial: Trial) -> str | None:
    """The id of the trial ``trial`` was promoted from, or None for a new configuration."""
    parent = trial.values.get(PARENT)
    return None if parent is None else str(parent)


def ranked(trials: Iterable[Trial], objective: Objective) -> list[Trial]:
    """The trials with a valid score, best first: the order promotions follow.

    By score (ties: ``Objective.rank_key``); under a :class:`~tunesmith.Pareto`
    objective by non-dominated sorting with NSGA-II's crowding distance, breaking
    constraints last (:func:`~tunesmith.schedulers._pareto_rungs.pareto_rung_order`).
    """
    scored = [t for t in trials if t.has_valid_score]
    if isinstance(objective, Pareto):
        return pareto_rung_order(scored, objective)
    return sorted(scored, key=lambda t: objective.rank_key(t.score, t.metrics or {}, t.number))
