"""A Gaussian process over (configuration, fidelity): model-based multi-fidelity search.

Under a scheduler every trial is a measurement of a configuration at a number of
epochs: a first trial at its rung, each promotion at the next. One GP is fitted on
all of them, with the fidelity as one more input column (``log epochs / log
max_epochs``, so 1 is full training), and proposals maximise the acquisition *at
full training*. The kernel's length scale along the fidelity column is learned like
the others: where a few epochs rank configurations as full training does, the low
rungs inform the prediction at the top; where they mislead (the best
configurations converge slowest), the length scale shortens and the model leans on
the few full-training results. A fixed rule (the highest rung that enough
configurations reached, the rest floored) cannot tell those cases apart.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from tunesmith.objective import Objective
from tunesmith.space import EPOCHS
from tunesmith.trial import Trial, TrialStatus

#: The fidelity column's id among the encoder's column ids (for warm starts).
FIDELITY_COLUMN = ("fidelity",)


@dataclass(frozen=True)
class FidelityData:
    """Every measurement of a scheduled study, and the running trials.

    Attributes:
        values: Each measured trial's configuration.
        fidelity: Its fidelity feature in [0, 1] (1: full training).
        scores: Its score, oriented so lower is better (``inf`` for a failure).
        pending: The configurations of the running trials.
        pending_fidelity: Their fidelity features.
    """

    values: list[dict[str, Any]]
    fidelity: np.ndarray
    scores: np.ndarray
    pending: list[dict[str, Any]]
    pending_fidelity: np.ndarray


def fidelity_feature(epochs: float, target: float) -> float:
    """``log(epochs) / log(target)`` in [0, 1]; 1 when the target is a single epoch.

    Example:
        >>> [round(fidelity_feature(e, 27), 3) for e in (1, 3, 9, 27)]
        [0.0, 0.333, 0.667, 1.0]
    """
    if target <= 1:
        return 1.0
    return float(min(max(math.log(max(epochs, 1.0)) / math.log(target), 0.0), 1.0))


def fidelity_data(trials: Sequence[Trial], objective: Objective, target: float) -> FidelityData:
    """The measurements of ``trials`` (those with ``tuner/epochs``; others count at
    full training) at their fidelity."""
    sign = 1.0 if objective.direction == "min" else -1.0
    values, fidelity, scores, pending, pending_fidelity = [], [], [], [], []
    for trial in sorted(trials, key=lambda t: t.number):
        epochs = trial.values.get(EPOCHS)
        feature = 1.0 if epochs is None else fidelity_feature(float(epochs), target)
        if trial.status is TrialStatus.RUNNING:
            pending.append(trial.values)
            pending_fidelity.append(feature)
        elif trial.status.is_finished:
            values.append(trial.values)
            fidelity.append(feature)
            scores.append(sign * float(trial.score) if trial.has_valid_score else math.inf)  # type: ignore[arg-type]
    return FidelityData(
        values,
        np.array(fidelity, dtype=float),
        np.array(scores, dtype=float),
        pending,
        np.array(pending_fidelity, dtype=float),
    )


def with_fidelity_column(features: np.ndarray, fidelity: np.ndarray | float) -> np.ndarray:
    """``features`` with the fidelity feature appended as the last column.

    Example:
        >>> with_fidelity_column(np.zeros((2, 1)), 1.0).tolist()
        [[0.0, 1.0], [0.0, 1.0]]
    """
    column = np.broadcast_to(np.asarray(fidelity, dtype=float), (features.shape[0],))
    return np.column_stack([features, column])
