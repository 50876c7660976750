"""The ``tuner/*`` values of multi-fidelity trials, shared by Hyperband and ASHA.

As in keras-tuner, a trial's values hold, besides its hyperparameters:
``tuner/epochs`` (train up to this epoch: Keras' ``epochs=``), ``tuner/initial_epoch``
(start from this one: Keras' ``initial_epoch=``), ``tuner/bracket``, ``tuner/round``
and, for a promoted trial only, ``tuner/trial_id``: the parent whose last-epoch
checkpoint it continues from. A promotion is a new trial with its parent's
hyperparameters. Stored with the trial's values, these are all a resumed study needs
to rebuild its schedule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from tunesmith.objective import Objective
from tunesmith.space import is_tuner_value
from tunesmith.trial import Trial

EPOCHS = "tuner/epochs"
INITIAL_EPOCH = "tuner/initial_epoch"
BRACKET = "tuner/bracket"
ROUND = "tuner/round"
PARENT = "tuner/trial_id"


def check_whole(name: str, value: Any, least: int) -> None:
    """Raise a ValueError unless ``value`` is an int (not a bool) of at least ``least``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise ValueError(f"{name} needs to be an integer of at least {least}, got {value!r}.")


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
    """The trials with a valid score, best first (ties: ``Objective.rank_key``)."""
    scored = [t for t in trials if t.has_valid_score]
    return sorted(scored, key=lambda t: objective.rank_key(t.score, t.metrics or {}, t.number))
