"""What a model-based sampler learns from: one score per configuration, at one fidelity.

A configuration may have several results (Hyperband's and ASHA's promotions continue
it with more epochs) or a partial one (a pruner stopped it). Scores at different
fidelities are not comparable, so one *reference* fidelity is chosen: the highest at
which at least ``enough`` configurations have a result. A configuration scored there
counts with that score. One whose results all lie below it (stopped early, or not
promoted) counts as stopped: no better than the reference's 75th percentile
(:func:`~tunesmith.samplers._gp._targets.floor_stopped`), since its pruner or its
rung judged it worse than most. A configuration that only failed counts as a failure
(``inf``); one with nothing but running trials is pending. Every sampler sees pruned
and promoted trials this one way.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tunesmith.objective import Objective
from tunesmith.samplers._gp._targets import floor_stopped
from tunesmith.space import EPOCHS, PARENT
from tunesmith.trial import Trial, TrialStatus

#: A result's fidelity: the epochs it was trained to (``inf`` for a full run
#: without ``tuner/epochs``), and 0 for a stopped trial below 1 for a full one, so
#: that a trial a pruner stopped ranks below one that ran its course.
Fidelity = tuple[float, int]


@dataclass(frozen=True)
class Observations:
    """One entry per configuration, in the order they were first tried.

    Attributes:
        finished: The values of each configuration with a result (or only failures).
        scores: Their scores, oriented so lower is better; ``inf`` for a failure;
            configurations stopped below the reference floored.
        pending: The values of the configurations whose only trials still run.
        reference: The fidelity the scores refer to (None without results).
        metrics: Per finished configuration, the metrics of the trial its score
            comes from (of its last trial when it only failed): every objective of
            a :class:`~tunesmith.Pareto` and the ``constraint/*`` values are there.
        trained: Per finished configuration, False when it was never trained (an
            ``INFEASIBLE`` model): its ``inf`` score is no failure of training.
    """

    finished: list[dict[str, Any]]
    scores: np.ndarray
    pending: list[dict[str, Any]]
    reference: Fidelity | None = None
    metrics: tuple[Mapping[str, object], ...] = ()
    trained: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))


def fidelity_of(trial: Trial) -> Fidelity:
    """Where ``trial``'s result sits among the study's fidelities.

    Example:
        >>> from tunesmith import HyperParameters
        >>> from tunesmith.trial import Trial
        >>> hp = HyperParameters(); hp.values["tuner/epochs"] = 9
        >>> fidelity_of(Trial(hp, status="COMPLETED"))
        (9.0, 1)
        >>> fidelity_of(Trial(HyperParameters(), status="STOPPED"))
        (inf, 0)
    """
    epochs = trial.values.get(EPOCHS)
    nominal = float(epochs) if epochs is not None else math.inf
    return nominal, 0 if trial.status is TrialStatus.STOPPED else 1


def lineages(trials: Iterable[Trial]) -> list[list[Trial]]:
    """The trials grouped by configuration (a first trial and its promotions), in order."""
    chains: dict[str, list[Trial]] = {}
    root_of: dict[str, str] = {}
    for trial in sorted(trials, key=lambda t: t.number):
        parent = trial.values.get(PARENT)
        root = trial.trial_id if parent is None else root_of.get(str(parent), str(parent))
        root_of[trial.trial_id] = root
        chains.setdefault(root, []).append(trial)
    return list(chains.values())


def configuration_observations(
    trials: Iterable[Trial], objective: Objective, enough: int
) -> Observations:
    """The study's trials as one observation per configuration (see the module).

    Example:
        >>> from tunesmith import HyperParameters
        >>> from tunesmith.oracles import RandomSearchOracle
        >>> hp = HyperParameters(); _ = hp.Float("x", 0.0, 1.0)
        >>> oracle = RandomSearchOracle(objective="loss", max_trials=5, hyperparameters=hp)
        >>> for score in (1.0, 2.0, 3.0, 4.0):
        ...     _ = oracle.tell(oracle.ask(), score)
        >>> _ = oracle.tell(oracle.ask(), 0.5, stopped_early=True)  # pruned early
        >>> seen = configuration_observations(oracle.trials.values(), oracle.objective, 3)
        >>> seen.scores.tolist()  # the pruned one counts as no better than the 75th percentile
        [1.0, 2.0, 3.0, 4.0, 3.25]
    """
    sign = 1.0 if objective.direction == "min" else -1.0
    chains = lineages(trials)
    results = [
        {
            fidelity_of(t): sign * float(t.score)
            for t in chain
            if t.has_valid_score and t.score is not None  # has_valid_score: a finite score
        }
        for chain in chains
    ]
    reference = _reference(results, enough)
    finished, scores, stopped, pending = [], [], [], []
    metrics: list[Mapping[str, object]] = []
    trained: list[bool] = []
    for chain, by_fidelity in zip(chains, results, strict=True):
        values = chain[0].values
        if by_fidelity:
            assert reference is not None
            below = [f for f in by_fidelity if f <= reference]
            level = max(below) if below else min(by_fidelity)
            finished.append(values)
            scores.append(by_fidelity[level])
            stopped.append(level < reference)
            source = next(
                t
                for t in reversed(chain)
                if t.has_valid_score and t.score is not None and fidelity_of(t) == level
            )
            metrics.append(source.metrics or {})
            trained.append(True)
        elif all(t.status.is_finished for t in chain):
            finished.append(values)  # failed, invalid, or told without a score
            scores.append(math.inf)
            stopped.append(False)
            metrics.append(chain[-1].metrics or {})
            trained.append(chain[-1].status is not TrialStatus.INFEASIBLE)
        else:
            pending.append(values)
    floored = floor_stopped(np.array(scores, dtype=float), np.array(stopped, dtype=bool))
    return Observations(
        finished, floored, pending, reference, tuple(metrics), np.array(trained, dtype=bool)
    )


def _reference(results: list[dict[Fidelity, float]], enough: int) -> Fidelity | None:
    """The highest fidelity that ``enough`` configurations reached; without one, the
    fidelity with the most results (the higher on a tie)."""
    counts: dict[Fidelity, int] = {}
    for by_fidelity in results:
        for level in by_fidelity:
            counts[level] = counts.get(level, 0) + 1
    if not counts:
        return None
    reached = [level for level, count in counts.items() if count >= enough]
    if reached:
        return max(reached)
    return max(counts, key=lambda level: (counts[level], level))
