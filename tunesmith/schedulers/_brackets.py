"""Hyperband's schedule (keras-tuner's table) and its state, replayed from the trials.

keras-tuner's Hyperband for ``max_epochs`` and ``factor`` runs brackets ``B - 1``
down to ``0``, where ``B`` counts how often ``max_epochs`` can be divided by
``factor`` staying at least 1. Bracket ``b`` has ``b + 1`` rounds; round ``r`` trains
``ceil(max_epochs / factor**(b - r))`` epochs and holds
``ceil(ceil(1 + log(max_epochs, factor)) / (b + 1) * factor**(b - r))`` trials. The
numbers are computed in floating point as keras-tuner does, so they match it exactly.

The state of a search (which bracket runs, which round it is in, who was promoted)
is never stored apart: :func:`replay` rebuilds it from the trials' ``tuner/*`` values
in trial order, so a resumed search goes on with the same schedule.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from tunesmith.schedulers._fidelity import parent_of
from tunesmith.space import BRACKET, ROUND
from tunesmith.trial import Trial


def bracket_count(max_epochs: int, factor: int) -> int:
    """How many brackets one Hyperband iteration runs.

    Example:
        >>> bracket_count(100, 3), bracket_count(9, 3), bracket_count(2, 3)
        (5, 3, 1)
    """
    count, epochs = 0, float(max_epochs)
    while epochs >= 1:
        epochs /= factor
        count += 1
    return count


def round_size(bracket: int, round_: int, max_epochs: int, factor: int) -> int:
    """How many trials round ``round_`` of bracket ``bracket`` holds.

    Example:
        >>> [round_size(4, r, 100, 3) for r in range(5)]
        [98, 33, 11, 4, 2]
    """
    # Sized so every bracket spends about the same number of epochs.
    last_round_trials = math.ceil(1 + math.log(max_epochs, factor)) / (bracket + 1)
    growth: int = factor ** (bracket - round_)  # int ** int: untyped to mypy
    return math.ceil(last_round_trials * growth)


def round_epochs(bracket: int, round_: int, max_epochs: int, factor: int) -> int:
    """How many epochs (in all, from scratch) the trials of that round reach.

    Example:
        >>> [round_epochs(4, r, 100, 3) for r in range(5)]
        [2, 4, 12, 34, 100]
    """
    shrink: int = factor ** (bracket - round_)  # int ** int: untyped to mypy
    return math.ceil(max_epochs / shrink)


def bracket_table(max_epochs: int, factor: int) -> dict[int, list[tuple[int, int]]]:
    """``{bracket: [(trials, epochs) per round]}``, in the order brackets run.

    Example:
        >>> bracket_table(9, 3)
        {2: [(9, 1), (3, 3), (1, 9)], 1: [(5, 3), (2, 9)], 0: [(3, 9)]}
    """
    return {
        b: [
            (round_size(b, r, max_epochs, factor), round_epochs(b, r, max_epochs, factor))
            for r in range(b + 1)
        ]
        for b in reversed(range(bracket_count(max_epochs, factor)))
    }


@dataclass
class BracketRun:
    """One run of a bracket, rebuilt from the trials.

    Attributes:
        index: The position of this run among all runs (``index // brackets`` is
            the Hyperband iteration).
        bracket: The bracket number (``tuner/bracket``).
        rounds: Per round, its trials in creation order.
    """

    index: int
    bracket: int
    rounds: list[list[Trial]] = field(default_factory=list)


def replay(trials: Iterable[Trial], max_epochs: int, factor: int) -> list[BracketRun]:
    """The bracket runs the trials belong to, in the order they started.

    A new configuration (round 0) joins the latest run when that run is of its
    bracket and its first round is not full: runs fill their first round before the
    next run starts. A promoted trial joins its parent's run.
    """
    runs: list[BracketRun] = []
    run_of: dict[str, BracketRun] = {}
    for trial in sorted(trials, key=lambda t: t.number):
        if BRACKET not in trial.values or ROUND not in trial.values:
            continue  # not a Hyperband trial (cannot happen in a Hyperband study)
        bracket, round_ = int(trial.values[BRACKET]), int(trial.values[ROUND])
        parent = parent_of(trial)
        if parent is None:
            latest = runs[-1] if runs else None
            full = latest is not None and len(latest.rounds[0]) >= round_size(
                bracket, 0, max_epochs, factor
            )
            if latest is None or latest.bracket != bracket or full:
                latest = BracketRun(len(runs), bracket, [[] for _ in range(bracket + 1)])
                runs.append(latest)
            run = latest
        elif parent in run_of:
            run = run_of[parent]
        else:
            continue  # a parent missing from the store: nothing to attach it to
        run.rounds[round_].append(trial)
        run_of[trial.trial_id] = run
    return runs
