"""Hyperband with keras-tuner's schedule, arguments and ``tuner/*`` values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tunesmith.objective import Objective
from tunesmith.oracles._protocol import Oracle
from tunesmith.samplers import Sampler
from tunesmith.schedulers import HyperbandScheduler, round_epochs, round_size
from tunesmith.space import PARENT, HyperParameters
from tunesmith.trial import Trial


class HyperbandOracle(Oracle):
    """Hyperband (Li et al., 2018) as keras-tuner runs it.

    Each bracket starts new configurations at a few epochs and, round after round,
    promotes the best ``1 / factor`` to ``factor`` times more epochs, up to
    ``max_epochs``; brackets go from the most aggressive (many short trials) to plain
    random search at ``max_epochs``. The brackets, trials per round and epochs per
    round are keras-tuner's for the same ``max_epochs`` and ``factor`` (see
    :func:`~tunesmith.schedulers.bracket_table`), and so are the trials'
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
    same brackets and rounds. It is the study with a
    :class:`~tunesmith.schedulers.HyperbandScheduler` over a sampler: random
    configurations as in keras-tuner, or ``sampler="bayesian"`` for model-based
    Hyperband (BOHB's idea: the Gaussian process is fitted at the highest number of
    epochs enough configurations reached, those stopped below count as no better
    than its 75th percentile).

    Args:
        objective: The metric to optimise (a name or an :class:`Objective`).
        max_epochs: The most epochs one model is trained.
        factor: The reduction factor of epochs and trials between rounds (at least 2).
        hyperband_iterations: How many times the whole set of brackets runs (``None``
            or 0: until the space is used up or the search is stopped).
        seed: Makes the configurations reproducible.
        sampler: Draws each new configuration: ``"random"`` (keras-tuner's),
            ``"bayesian"``, or a :class:`~tunesmith.samplers.Sampler`.
        promote_by: ``"score"`` (keras-tuner's rule) or ``"prediction"``: rounds
            ranked by a learning-curve model's predicted value at ``max_epochs``
            (see :class:`~tunesmith.schedulers.HyperbandScheduler`).
        hyperparameters, allow_new_entries, tune_new_entries: As for every
            :class:`Oracle`, and so are ``max_retries_per_trial`` and
            ``max_consecutive_failed_trials``.

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
    multi_fidelity = True

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
        sampler: Sampler | str | Mapping[str, Any] = "random",
        promote_by: str = "score",
    ) -> None:
        super().__init__(
            objective=objective,
            hyperparameters=hyperparameters,
            allow_new_entries=allow_new_entries,
            tune_new_entries=tune_new_entries,
            seed=seed,
            max_retries_per_trial=max_retries_per_trial,
            max_consecutive_failed_trials=max_consecutive_failed_trials,
            sampler=sampler,
            scheduler=HyperbandScheduler(max_epochs, factor, hyperband_iterations, promote_by),
        )
        self._open_brackets: list[dict[str, Any]] | None = None

    # ---------------------------------------- keras-tuner's private members
    # Code written against keras-tuner's HyperbandOracle reads its bracket
    # arithmetic and bookkeeping; here they are views of the schedule.
    def _get_num_brackets(self) -> int:
        return self.brackets

    def _get_num_rounds(self, bracket_num: int) -> int:
        return int(bracket_num) + 1

    def _get_size(self, bracket_num: int, round_num: int) -> int:
        return round_size(bracket_num, round_num, self.max_epochs, self.factor)

    def _get_epochs(self, bracket_num: int, round_num: int) -> int:
        return round_epochs(bracket_num, round_num, self.max_epochs, self.factor)

    @property
    def _current_iteration(self) -> int:
        """The Hyperband iteration under way, from 0 (read from the trials)."""
        return max(0, self._schedule.iterations_started(self.sampling_context()) - 1)

    @_current_iteration.setter
    def _current_iteration(self, value: int) -> None:
        """Ignored: the iteration follows the trials."""

    @property
    def _brackets(self) -> list[dict[str, Any]]:
        """keras-tuner's open brackets, ``{"bracket_num", "rounds": [[{"past_id",
        "id"}]]}``, as of the last :meth:`ask` (a bracket completed since stays
        listed until the next one, as keras-tuner's does)."""
        if self._open_brackets is None:
            self._open_brackets = self._bracket_view()
        return self._open_brackets

    @_brackets.setter
    def _brackets(self, value: Any) -> None:
        """Ignored: the brackets follow the trials."""

    def _bracket_view(self) -> list[dict[str, Any]]:
        return [
            {
                "bracket_num": run.bracket,
                "rounds": [
                    [{"past_id": t.values.get(PARENT), "id": t.trial_id} for t in round_]
                    for round_ in run.rounds
                    if round_
                ],
            }
            for run in self._schedule.open_runs(self.sampling_context())
        ]

    def ask(self) -> Trial | None:
        trial = super().ask()
        self._open_brackets = self._bracket_view()
        return trial

    def _budget_spent(self) -> bool:
        # The schedule decides how many trials run; ``max_trials`` is None unless set
        # after construction (as code built on keras-tuner's Hyperband does), and
        # then caps the trials, promotions included, as keras-tuner's oracle does.
        if self.max_trials is not None and len(self.trials) >= self.max_trials:
            self.stop_reason = f"max_trials={self.max_trials} reached."
            return True
        return False

    @property
    def remaining_trials(self) -> int | None:
        """Trials still to run: the schedule's, capped by ``max_trials`` when set."""
        left = super().remaining_trials
        if self.max_trials is None:
            return left
        capped = max(0, self.max_trials - len(self.trials)) + len(self._requeued)
        return capped if left is None else min(left, capped)

    @property
    def _schedule(self) -> HyperbandScheduler:
        assert isinstance(self.scheduler, HyperbandScheduler)
        return self.scheduler

    max_epochs = property(lambda self: self._schedule.max_epochs)
    factor = property(lambda self: self._schedule.factor)
    hyperband_iterations = property(lambda self: self._schedule.hyperband_iterations)

    # ---------------------------------------------------------------- schedule
    @property
    def brackets(self) -> int:
        """How many brackets one iteration runs."""
        return self._schedule.brackets

    @property
    def planned_trials(self) -> int | None:
        """Trials in the whole schedule (``None`` without an iteration limit)."""
        return self._schedule.planned_trials
