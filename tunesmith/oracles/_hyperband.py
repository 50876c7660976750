"""Hyperband with keras-tuner's schedule, arguments and ``tuner/*`` values."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from tunesmith.objective import Objective
from tunesmith.oracles._base import Oracle
from tunesmith.oracles._brackets import (
    BracketRun,
    bracket_count,
    replay,
    round_epochs,
    round_size,
)
from tunesmith.oracles._fidelity import check_whole, parent_of, ranked, with_fidelity
from tunesmith.space import HyperParameters
from tunesmith.trial import TrialStatus


class HyperbandOracle(Oracle):
    """Hyperband (Li et al., 2018) as keras-tuner runs it.

    Each bracket starts random configurations at a few epochs and, round after round,
    promotes the best ``1 / factor`` to ``factor`` times more epochs, up to
    ``max_epochs``; brackets go from the most aggressive (many short trials) to plain
    random search at ``max_epochs``. The brackets, trials per round and epochs per
    round are keras-tuner's for the same ``max_epochs`` and ``factor`` (see
    :func:`~tunesmith.oracles._brackets.bracket_table`), and so are the trials'
    values: ``tuner/epochs`` (train up to this epoch), ``tuner/initial_epoch`` (start
    from this one), ``tuner/bracket``, ``tuner/round`` and, for a promoted trial,
    ``tuner/trial_id`` (the parent it continues from). A promotion is a new trial with
    its parent's hyperparameters; a configuration is never drawn twice.

    A round is promoted from as soon as it is certain which trials are in its top:
    the best finished trial of the previous round goes on once fewer of that round's
    trials are still unknown than places are left. When nothing can be handed out
    until running trials are told, the next bracket starts, as in keras-tuner;
    only in the last bracket does :meth:`ask` return ``None`` with :attr:`waiting`
    True. Failed and invalid trials are never promoted, and do not block a round:
    one that cannot be filled any more goes on with the trials it has. When a finite
    space is used up, the bracket being filled goes on with the configurations it
    has (its later rounds shrink in proportion) and no new bracket starts.

    The schedule's state is rebuilt from the trials' ``tuner/*`` values at every
    ``ask``, so a resumed search (``RUNNING`` trials run again first) continues the
    same brackets and rounds.

    Args:
        objective: The metric to optimise (a name or an :class:`Objective`).
        max_epochs: The most epochs one model is trained.
        factor: The reduction factor of epochs and trials between rounds (at least 2).
        hyperband_iterations: How many times the whole set of brackets runs (``None``
            or 0: until the space is used up or the search is stopped).
        seed: Makes the random configurations reproducible.
        hyperparameters, allow_new_entries, tune_new_entries, max_retries_per_trial,
            max_consecutive_failed_trials: As for every :class:`Oracle`.

    Example:
        >>> from tunesmith import HyperParameters
        >>> hp = HyperParameters(); _ = hp.Float("lr", 1e-3, 1e-1, sampling="log")
        >>> oracle = HyperbandOracle(objective="val_loss", max_epochs=9, factor=3,
        ...                          hyperparameters=hp, seed=0)
        >>> trial = oracle.ask()
        >>> {k: v for k, v in trial.values.items() if k.startswith("tuner/")}
        {'tuner/epochs': 1, 'tuner/initial_epoch': 0, 'tuner/bracket': 2, 'tuner/round': 0}
        >>> for epoch in range(trial.values["tuner/initial_epoch"], trial.values["tuner/epochs"]):
        ...     _ = oracle.report(trial, epoch, {"val_loss": 1.0 / (epoch + 1)})
        >>> _ = oracle.tell(trial, {"val_loss": 1.0})
    """

    algorithm_name = "hyperband"

    def __init__(
        self,
        objective: str | Objective | None = None,
        max_epochs: int = 100,
        factor: int = 3,
        hyperband_iterations: int | None = 1,
        seed: int | None = None,
        hyperparameters: HyperParameters | None = None,
        allow_new_entries: bool = True,
        tune_new_entries: bool = True,
        max_retries_per_trial: int = 0,
        max_consecutive_failed_trials: int = 3,
    ) -> None:
        super().__init__(
            objective=objective,
            hyperparameters=hyperparameters,
            allow_new_entries=allow_new_entries,
            tune_new_entries=tune_new_entries,
            seed=seed,
            max_retries_per_trial=max_retries_per_trial,
            max_consecutive_failed_trials=max_consecutive_failed_trials,
        )
        check_whole("factor", factor, 2)
        check_whole("max_epochs", max_epochs, 1)
        if hyperband_iterations is not None and hyperband_iterations < 0:
            raise ValueError(
                f"hyperband_iterations must be at least 1 (or None), got {hyperband_iterations}."
            )
        self.max_epochs = max_epochs
        self.factor = factor
        # keras-tuner reads 0 (or None) as "no limit".
        self.hyperband_iterations = hyperband_iterations or None

    # ----------------------------------------------------------------- storage
    def _algorithm_args(self) -> dict[str, Any]:
        return {
            "max_epochs": self.max_epochs,
            "factor": self.factor,
            "hyperband_iterations": self.hyperband_iterations,
        }

    def _schedule_args(self) -> dict[str, Any]:
        return {"max_epochs": self.max_epochs, "factor": self.factor}

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> Oracle:
        settings = {k: v for k, v in settings.items() if k != "max_trials"}
        return cls(
            objective=Objective.from_config(settings["objective"]),
            seed=settings.get("seed"),
            **settings.get("algorithm_args", {}),
        )

    # ---------------------------------------------------------------- schedule
    @property
    def brackets(self) -> int:
        """How many brackets one iteration runs."""
        return bracket_count(self.max_epochs, self.factor)

    @property
    def planned_trials(self) -> int | None:
        """Trials in the whole schedule (``None`` without an iteration limit)."""
        if self.hyperband_iterations is None:
            return None
        per_iteration = sum(
            round_size(b, r, self.max_epochs, self.factor)
            for b in range(self.brackets)
            for r in range(b + 1)
        )
        return per_iteration * self.hyperband_iterations

    @property
    def remaining_trials(self) -> int | None:
        planned = self.planned_trials
        if planned is None:
            return None
        return max(0, planned - len(self.trials)) + len(self._requeued)

    # ----------------------------------------------------------------- propose
    def _propose(self, number: int) -> dict[str, Any] | None:
        values = self._next_in_schedule(number)
        if values is not None:
            self.stop_reason = None  # a used-up space may have said so, yet promotions go on
        return values

    def _next_in_schedule(self, number: int) -> dict[str, Any] | None:
        """keras-tuner's order: the runs oldest first; in each, fill the first round,
        else promote into the lowest round that can take one; else start a new run."""
        runs = replay(self.trials.values(), self.max_epochs, self.factor)
        tried = self._tried_keys()
        _, exhausted = self._space_size_unless_exhausted(tried)
        for run in runs:
            if self._complete(run, exhausted):
                continue
            if len(run.rounds[0]) < self._target(run, 0, exhausted):
                values = self._new_configuration(number, run.bracket)
                if values is not None:
                    return values
                exhausted = True  # the first round goes on with what it has
            for round_ in range(1, run.bracket + 1):
                values = self._promotion(run, round_, exhausted)
                if values is not None:
                    return values
        if not exhausted and self._may_start_run(len(runs)):
            bracket = self.brackets - 1 - len(runs) % self.brackets
            values = self._new_configuration(number, bracket)
            if values is not None:
                return values
            exhausted = True
        if any(t.status is TrialStatus.RUNNING for t in self.trials.values()):
            self.waiting, self.stop_reason = True, None
            return None
        if not exhausted:
            self.stop_reason = (
                f"Hyperband ran its {self.hyperband_iterations} iteration(s) of "
                f"{self.brackets} bracket(s)."
            )
        return None

    def _may_start_run(self, runs: int) -> bool:
        return self.hyperband_iterations is None or runs < self.brackets * self.hyperband_iterations

    def _new_configuration(self, number: int, bracket: int) -> dict[str, Any] | None:
        """Random untried values in round 0 of ``bracket`` (None when the space is used up)."""
        tried = self._tried_keys()
        total, exhausted = self._space_size_unless_exhausted(tried)
        values = None if exhausted else self._random_untried(self._rng(number), tried, total)
        if values is None:
            return None
        return with_fidelity(
            values,
            epochs=round_epochs(bracket, 0, self.max_epochs, self.factor),
            initial_epoch=0,
            bracket=bracket,
            round=0,
        )

    def _promotion(self, run: BracketRun, round_: int, exhausted: bool) -> dict[str, Any] | None:
        """The values of the next promotion into ``round_`` of ``run``, if one is certain."""
        previous, current = run.rounds[round_ - 1], run.rounds[round_]
        places = self._target(run, round_, exhausted) - len(current)
        if places <= 0:
            return None
        promoted = {parent_of(t) for t in current}
        candidates = ranked((t for t in previous if t.trial_id not in promoted), self.objective)
        # Trials of the previous round whose rank is not known yet: running, or not
        # even started. The best finished candidate is surely in the top once fewer
        # of them remain than places.
        unknown = self._target(run, round_ - 1, exhausted) - sum(
            t.status.is_finished for t in previous
        )
        if not candidates or unknown >= places:
            return None
        parent = candidates[0]
        return with_fidelity(
            parent.values,
            epochs=round_epochs(run.bracket, round_, self.max_epochs, self.factor),
            initial_epoch=round_epochs(run.bracket, round_ - 1, self.max_epochs, self.factor),
            bracket=run.bracket,
            round=round_,
            parent=parent.trial_id,
        )

    def _target(self, run: BracketRun, round_: int, exhausted: bool) -> int:
        """How many trials ``round_`` of ``run`` will hold.

        keras-tuner's size, unless the run's first round stopped short because the
        space was used up (later rounds then shrink in proportion), or the previous
        round has no trial left to promote (failed ones are never promoted).
        """
        nominal = round_size(run.bracket, round_, self.max_epochs, self.factor)
        first = run.rounds[0]
        first_nominal = round_size(run.bracket, 0, self.max_epochs, self.factor)
        if exhausted and len(first) < first_nominal:
            nominal = min(nominal, math.ceil(len(first) * nominal / first_nominal))
        if round_ == 0:
            return nominal
        previous, current = run.rounds[round_ - 1], run.rounds[round_]
        settled = len(previous) >= self._target(run, round_ - 1, exhausted) and all(
            t.status.is_finished for t in previous
        )
        promoted = {parent_of(t) for t in current}
        left = [t for t in previous if t.has_valid_score and t.trial_id not in promoted]
        if settled and not left:
            return min(nominal, len(current))
        return nominal

    def _complete(self, run: BracketRun, exhausted: bool) -> bool:
        last = run.bracket
        return len(run.rounds[last]) >= self._target(run, last, exhausted)
