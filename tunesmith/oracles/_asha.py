"""Asynchronous successive halving (ASHA): promote whenever possible, never idle."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tunesmith.objective import Objective
from tunesmith.oracles._protocol import Oracle
from tunesmith.samplers import SAMPLERS, Sampler
from tunesmith.schedulers import ASHAScheduler
from tunesmith.space import HyperParameters


class ASHAOracle(Oracle):
    """Asynchronous successive halving (Li et al., 2020): many configurations at a
    few epochs, the best continued to more, and no worker ever waits for a round.

    Rung ``k`` trains to ``min_epochs * factor**k`` epochs, the last rung to
    ``max_epochs``. At every :meth:`ask`, if a finished trial is in the top ``1 /
    factor`` of its rung (by score, among the finished trials of that rung) and was
    not promoted yet, the best such one is promoted to the next rung, highest rung
    first; otherwise a new configuration starts at the bottom rung, drawn by
    ``sampler``: ``"random"``, or ``"bayesian"`` (the Gaussian process of
    :class:`~tunesmith.samplers.BayesianSampler`, fitted on each configuration's
    score at the highest rung that enough configurations reached; configurations
    that stopped below it count as no better than its 75th percentile), or any
    :class:`~tunesmith.samplers.Sampler`. It is the study with an
    :class:`~tunesmith.schedulers.ASHAScheduler`.

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
        promote_by: ``"score"`` (the value a trial reached, the default) or
            ``"prediction"``: a learning-curve model's prediction of the value at
            ``max_epochs`` ranks each rung and feeds the sampler (see
            :class:`~tunesmith.schedulers.ASHAScheduler`).
        max_trials: How many configurations to start (see above).
        sampler: ``"random"``, ``"bayesian"`` or a :class:`~tunesmith.samplers.Sampler`.
        seed: Makes the proposals reproducible.
        hyperparameters, allow_new_entries, tune_new_entries: As for every
            :class:`Oracle`, and so are ``max_retries_per_trial`` and
            ``max_consecutive_failed_trials``.

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
    multi_fidelity = True

    def __init__(
        self,
        objective: str | Objective | None = None,
        max_epochs: int = 100,
        factor: int = 3,
        min_epochs: int = 1,
        max_trials: int | None = None,
        sampler: Sampler | str | Mapping[str, Any] = "random",
        seed: int | None = None,
        hyperparameters: HyperParameters | None = None,
        allow_new_entries: bool = True,
        tune_new_entries: bool = True,
        max_retries_per_trial: int = 0,
        max_consecutive_failed_trials: int = 3,
        promote_by: str = "score",
    ) -> None:
        if isinstance(sampler, str) and sampler not in SAMPLERS:
            raise ValueError(
                f"Unknown sampler {sampler!r}; choose one of {', '.join(SAMPLERS)}, "
                "or pass a Sampler."
            )
        scheduler = ASHAScheduler(max_epochs, factor, min_epochs, promote_by)
        super().__init__(
            objective=objective,
            max_trials=max_trials if max_trials is not None else scheduler.default_configurations,
            hyperparameters=hyperparameters,
            allow_new_entries=allow_new_entries,
            tune_new_entries=tune_new_entries,
            seed=seed,
            max_retries_per_trial=max_retries_per_trial,
            max_consecutive_failed_trials=max_consecutive_failed_trials,
            sampler=sampler,
            scheduler=scheduler,
        )

    @property
    def _schedule(self) -> ASHAScheduler:
        assert isinstance(self.scheduler, ASHAScheduler)
        return self.scheduler

    max_epochs = property(lambda self: self._schedule.max_epochs)
    factor = property(lambda self: self._schedule.factor)
    min_epochs = property(lambda self: self._schedule.min_epochs)
    #: The epochs of each rung, bottom first.
    rungs = property(lambda self: self._schedule.rungs)

    # ---------------------------------------------------------------- schedule
    @property
    def configurations(self) -> int:
        """How many configurations were started (trials at the bottom rung; those told
        without running and those found infeasible before training left out)."""
        return self.sampling_context().configurations_run
