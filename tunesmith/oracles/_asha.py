"""Asynchronous successive halving (ASHA): promote whenever possible, never idle."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from tunesmith.objective import Objective
from tunesmith.oracles._base import Oracle
from tunesmith.oracles._bayesian import BayesianOptimizationOracle
from tunesmith.oracles._fidelity import ROUND, check_whole, parent_of, ranked, with_fidelity
from tunesmith.oracles._gp._targets import floor_stopped
from tunesmith.pruners._rungs import promotion_quota, rung_ladder
from tunesmith.space import HyperParameters
from tunesmith.trial import Trial, TrialStatus

SAMPLERS = ("random", "bayesian")


class ASHAOracle(Oracle):
    """Asynchronous successive halving (Li et al., 2020): many configurations at a
    few epochs, the best continued to more, and no worker ever waits for a round.

    Rung ``k`` trains to ``min_epochs * factor**k`` epochs, the last rung to
    ``max_epochs``. At every :meth:`ask`, if a finished trial is in the top ``1 /
    factor`` of its rung (by score, among the finished trials of that rung) and was
    not promoted yet, the best such one is promoted to the next rung, highest rung
    first; otherwise a new configuration starts at the bottom rung, drawn by
    ``sampler``: ``"random"``, or ``"bayesian"`` (the Gaussian process of
    :class:`BayesianOptimizationOracle`, fitted on each configuration's score at the
    highest rung that enough configurations reached; configurations that stopped
    below it count as no better than its 75th percentile).

    A promotion is a new trial with its parent's hyperparameters and keras-tuner's
    values: ``tuner/epochs`` (train up to this epoch), ``tuner/initial_epoch`` (the
    parent's epochs), ``tuner/bracket`` (0), ``tuner/round`` (the rung) and
    ``tuner/trial_id`` (the parent, whose last checkpoint it continues from).

    ``max_trials`` counts configurations, not promotions. Without it, the search
    starts ``factor ** (rungs - 1)`` configurations: the fewest with which one of them
    can reach ``max_epochs``. Once they are all started, the search ends when no
    promotion is possible; while trials below the top rung still run, :meth:`ask`
    returns ``None`` with :attr:`waiting` True (their results may allow one). The
    state is rebuilt from the trials at every ``ask``, so a resumed search goes on
    where it stopped.

    Args:
        objective: The metric to optimise (a name or an :class:`Objective`).
        max_epochs: The epochs of the top rung (full training).
        factor: Keep the best ``1 / factor`` of each rung; rungs are ``factor`` apart.
        min_epochs: The epochs of the bottom rung.
        max_trials: How many configurations to start (see above).
        sampler: ``"random"`` or ``"bayesian"``.
        seed: Makes the proposals reproducible.
        hyperparameters, allow_new_entries, tune_new_entries, max_retries_per_trial,
            max_consecutive_failed_trials: As for every :class:`Oracle`.

    Example:
        >>> from tunesmith import HyperParameters
        >>> hp = HyperParameters(); _ = hp.Float("lr", 1e-3, 1e-1, sampling="log")
        >>> oracle = ASHAOracle(objective="val_loss", max_epochs=9, factor=3,
        ...                     hyperparameters=hp, seed=0)
        >>> oracle.rungs, oracle.max_trials
        ([1, 3, 9], 9)
        >>> while (trial := oracle.ask()) is not None:
        ...     start, end = trial.values["tuner/initial_epoch"], trial.values["tuner/epochs"]
        ...     for epoch in range(start, end):
        ...         loss = trial.values["lr"] + 1.0 / (epoch + 1)
        ...         _ = oracle.report(trial, epoch, {"val_loss": loss})
        ...     _ = oracle.tell(trial, {"val_loss": loss})
        >>> sorted(t.values["tuner/round"] for t in oracle.trials.values()).count(2)
        1
    """

    algorithm_name = "asha"

    def __init__(
        self,
        objective: str | Objective | None = None,
        max_epochs: int = 100,
        factor: int = 3,
        min_epochs: int = 1,
        max_trials: int | None = None,
        sampler: str = "random",
        seed: int | None = None,
        hyperparameters: HyperParameters | None = None,
        allow_new_entries: bool = True,
        tune_new_entries: bool = True,
        max_retries_per_trial: int = 0,
        max_consecutive_failed_trials: int = 3,
    ) -> None:
        check_whole("max_epochs", max_epochs, 1)
        check_whole("factor", factor, 2)
        check_whole("min_epochs", min_epochs, 1)
        if sampler not in SAMPLERS:
            raise ValueError(f"Unknown sampler {sampler!r}; choose one of {', '.join(SAMPLERS)}.")
        rungs = rung_ladder(min_epochs, factor, max_epochs)
        super().__init__(
            objective=objective,
            max_trials=max_trials if max_trials is not None else factor ** (len(rungs) - 1),
            hyperparameters=hyperparameters,
            allow_new_entries=allow_new_entries,
            tune_new_entries=tune_new_entries,
            seed=seed,
            max_retries_per_trial=max_retries_per_trial,
            max_consecutive_failed_trials=max_consecutive_failed_trials,
        )
        self.max_epochs = max_epochs
        self.factor = factor
        self.min_epochs = min_epochs
        self.sampler = sampler
        #: The epochs of each rung, bottom first.
        self.rungs = rungs
        self._model: BayesianOptimizationOracle | None = None

    # ----------------------------------------------------------------- storage
    def _algorithm_args(self) -> dict[str, Any]:
        return {
            "max_epochs": self.max_epochs,
            "factor": self.factor,
            "min_epochs": self.min_epochs,
            "sampler": self.sampler,
        }

    def _schedule_args(self) -> dict[str, Any]:
        return {"max_epochs": self.max_epochs, "factor": self.factor, "min_epochs": self.min_epochs}

    # ---------------------------------------------------------------- schedule
    @property
    def configurations(self) -> int:
        """How many configurations were started (trials at the bottom rung)."""
        return sum(parent_of(t) is None for t in self.trials.values())

    @property
    def remaining_trials(self) -> int | None:
        """Configurations still to start (promotions come on top), plus trials to rerun."""
        assert self.max_trials is not None
        return max(0, self.max_trials - self.configurations) + len(self._requeued)

    def _budget_spent(self) -> bool:
        return False  # max_trials counts configurations; _propose checks it

    def _propose(self, number: int) -> dict[str, Any] | None:
        values = self._promotion()
        if values is not None:
            return values
        assert self.max_trials is not None
        started = self.configurations
        if started < self.max_trials:
            values = self._new_configuration(started)
            if values is not None:
                return with_fidelity(
                    values, epochs=self.rungs[0], initial_epoch=0, bracket=0, round=0
                )
        else:
            self.stop_reason = (
                f"max_trials={self.max_trials} configurations were started and no trial "
                "can be promoted."
            )
        below_top = len(self.rungs) - 1
        if any(
            t.status is TrialStatus.RUNNING and int(t.values.get(ROUND, 0)) < below_top
            for t in self.trials.values()
        ):
            self.waiting, self.stop_reason = True, None
        return None

    def _by_rung(self) -> list[list[Trial]]:
        rungs: list[list[Trial]] = [[] for _ in self.rungs]
        for trial in sorted(self.trials.values(), key=lambda t: t.number):
            rung = int(trial.values.get(ROUND, 0))
            if rung < len(rungs):
                rungs[rung].append(trial)
        return rungs

    def _promotion(self) -> dict[str, Any] | None:
        """The values of the best promotable trial, highest rung first, or None."""
        rungs = self._by_rung()
        promoted = {parent_of(t) for t in self.trials.values()}
        for k in reversed(range(len(self.rungs) - 1)):
            finished = ranked(rungs[k], self.objective)
            for trial in finished[: promotion_quota(len(finished), self.factor)]:
                if trial.trial_id not in promoted:
                    return with_fidelity(
                        trial.values,
                        epochs=self.rungs[k + 1],
                        initial_epoch=self.rungs[k],
                        bracket=0,
                        round=k + 1,
                        parent=trial.trial_id,
                    )
        return None

    # ---------------------------------------------------------------- sampling
    def _new_configuration(self, index: int) -> dict[str, Any] | None:
        """Values for the ``index``-th configuration (None when the space is used up)."""
        tried = self._tried_keys()
        total, exhausted = self._space_size_unless_exhausted(tried)
        if exhausted:
            return None
        rng = self._rng(index)
        if self.sampler == "random":
            return self._random_untried(rng, tried, total)
        model = self._configuration_model()
        finished, scores, pending = self._configuration_observations(model.initial_points())
        values = model._propose_from(index, rng, tried, total, finished, scores, pending)
        if values is None:
            self.stop_reason = model.stop_reason
        return values

    def _configuration_model(self) -> BayesianOptimizationOracle:
        """The Bayesian oracle whose proposal logic draws new configurations; it sees
        this oracle's space, seed and trials (its warm start is its own)."""
        if self._model is None:
            self._model = BayesianOptimizationOracle(objective=self.objective, max_trials=None)
        self._model.hyperparameters = self.hyperparameters
        self._model.seed = self.seed
        self._model.trials = self.trials
        return self._model

    def _configuration_observations(
        self, enough: int
    ) -> tuple[list[dict[str, Any]], np.ndarray, list[dict[str, Any]]]:
        """One observation per configuration, for the Gaussian process.

        Scores at different rungs are not comparable, so the reference is the
        highest rung where at least ``enough`` configurations have a result (the
        bottom one at first). A configuration scored there counts with that score;
        one whose best rung is lower counts as stopped there (no better than the
        reference's 75th percentile, see ``floor_stopped``); one that only failed
        counts as a failure; one whose first trial still runs is pending.
        """
        sign = 1.0 if self.objective.direction == "min" else -1.0
        lineages = _lineages(self.trials.values())
        results = [
            {int(t.values.get(ROUND, 0)): t for t in chain if t.has_valid_score}
            for chain in lineages
        ]
        reference = 0
        for k in range(len(self.rungs)):
            if sum(k in r for r in results) >= enough:
                reference = k
        finished, scores, stopped, pending = [], [], [], []
        for chain, by_rung in zip(lineages, results, strict=True):
            values = chain[0].values
            if by_rung:
                rung = reference if reference in by_rung else max(by_rung)
                finished.append(values)
                scores.append(sign * float(by_rung[rung].score))  # type: ignore[arg-type]
                stopped.append(rung != reference)
            elif all(t.status.is_finished for t in chain):
                finished.append(values)
                scores.append(np.inf)
                stopped.append(False)
            else:
                pending.append(values)
        return finished, floor_stopped(np.array(scores, dtype=float), np.array(stopped)), pending


def _lineages(trials: Iterable[Trial]) -> list[list[Trial]]:
    """The trials grouped by configuration (a first trial and its promotions), in order."""
    chains: dict[str, list[Trial]] = {}
    root_of: dict[str, str] = {}
    for trial in sorted(trials, key=lambda t: t.number):
        parent = parent_of(trial)
        root = trial.trial_id if parent is None else root_of.get(parent, parent)
        root_of[trial.trial_id] = root
        chains.setdefault(root, []).append(trial)
    return list(chains.values())
