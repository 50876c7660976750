"""Asynchronous successive halving (ASHA): promote whenever possible, never idle."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tunesmith.errors import check_count
from tunesmith.objective import Pareto
from tunesmith.samplers import Exhausted, Proposal, Sampler, SamplingContext, Wait
from tunesmith.schedulers._base import Scheduler
from tunesmith.schedulers._curves import (
    PROMOTE_BY,
    Prediction,
    by_prediction,
    predict_trials,
    predicted_context,
)
from tunesmith.schedulers._fidelity import parent_of, ranked, with_fidelity
from tunesmith.schedulers.rungs import promotion_quota, rung_ladder
from tunesmith.space import EPOCHS, ROUND
from tunesmith.trial import Trial, TrialStatus


class ASHAScheduler(Scheduler):
    """Asynchronous successive halving (Li et al., 2020) over any sampler.

    Rung ``k`` trains to ``min_epochs * factor**k`` epochs, the last rung to
    ``max_epochs``. At every ask, if a finished trial is in the top ``1 / factor``
    of its rung (by score, among the finished trials of that rung) and was not
    promoted yet, the best such one is promoted to the next rung, highest rung
    first; otherwise the sampler draws a new configuration for the bottom rung.
    Under a :class:`~tunesmith.Pareto` objective "best" is NSGA-II's order: the
    fronts of the non-dominated sorting of the objectives each trial reached at
    the rung, the last front split by crowding distance (extreme points first), and
    trials that break a constraint after every feasible one.

    ``max_trials`` counts configurations, not promotions (default: ``factor **
    (rungs - 1)``, the fewest with which one of them can reach ``max_epochs``).
    Once they are all started, the search ends when no promotion is possible;
    while trials below the top rung still run the answer is
    :class:`~tunesmith.samplers.Wait` (their results may allow one).

    With ``promote_by="prediction"`` a learning-curve model
    (:class:`~tunesmith.schedulers.CurveModel`) predicts where each configuration's
    curve ends at ``max_epochs``, a promotion's curve continuing its parent's. A
    rung's top is then chosen by that prediction, optimistically (the predicted
    value less one standard deviation), instead of by the value reached, so a
    configuration that learns slowly but is still falling steeply goes on; and the
    sampler sees each configuration's predicted final value at full training. A
    curve of one or two epochs has no shape of its own: where the longer curves
    show that a low early value ends high (curves that cross), such curves are
    ranked by the line through the longer curves' ends, else by their value.

    Example:
        >>> ASHAScheduler(max_epochs=9).rungs
        [1, 3, 9]
        >>> ASHAScheduler(max_epochs=27, promote_by="prediction").rungs
        [1, 3, 9, 27]
    """

    name = "asha"
    owns_budget = True

    def __init__(
        self,
        max_epochs: int = 100,
        factor: int = 3,
        min_epochs: int = 1,
        promote_by: str = "score",
    ) -> None:
        if promote_by not in PROMOTE_BY:
            choices = ", ".join(repr(p) for p in PROMOTE_BY)
            raise ValueError(f"promote_by must be one of {choices}, got {promote_by!r}.")
        check_count("max_epochs", max_epochs, 1)
        check_count("factor", factor, 2)
        check_count("min_epochs", min_epochs, 1)
        self.max_epochs = max_epochs
        self.factor = factor
        self.min_epochs = min_epochs
        self.promote_by = promote_by
        #: The epochs of each rung, bottom first.
        self.rungs = rung_ladder(min_epochs, factor, max_epochs)

    def get_config(self) -> dict[str, Any]:
        config: dict[str, Any] = {
            "max_epochs": self.max_epochs,
            "factor": self.factor,
            "min_epochs": self.min_epochs,
        }
        if self.promote_by != "score":  # settings stored before the option read the same
            config["promote_by"] = self.promote_by
        return config

    @property
    def default_configurations(self) -> int:
        """The configurations started without ``max_trials``."""
        configurations: int = self.factor ** (len(self.rungs) - 1)  # int ** int: untyped
        return configurations

    def budget(self, context: SamplingContext) -> int:
        return context.max_trials if context.max_trials is not None else self.default_configurations

    def remaining(self, context: SamplingContext) -> int | None:
        return max(0, self.budget(context) - context.configurations_run)

    def next_trial(self, context: SamplingContext, sampler: Sampler) -> Proposal:
        predictions = self.predictions(context)
        values = self._promotion(context, predictions)
        if values is not None:
            return values
        started = context.configurations_started  # numbers the draw: never reused
        answer: Proposal
        if context.configurations_run < self.budget(context):
            drawing = context.for_number(started).at_fidelity(self.max_epochs)
            if predictions is not None:
                drawing = predicted_context(drawing, predictions, self.max_epochs)
            answer = sampler.sample(drawing)
            if isinstance(answer, dict):
                return with_fidelity(
                    answer, epochs=self.rungs[0], initial_epoch=0, bracket=0, round=0
                )
        else:
            answer = Exhausted(
                f"max_trials={self.budget(context)} configurations were started and no "
                "trial can be promoted."
            )
        below_top = len(self.rungs) - 1
        if any(
            t.status is TrialStatus.RUNNING and int(t.values.get(ROUND, 0)) < below_top
            for t in context.trials
        ):
            return Wait()
        return answer

    def by_rung(self, trials: Iterable[Trial]) -> list[list[Trial]]:
        """The trials of each rung, bottom first, in creation order."""
        rungs: list[list[Trial]] = [[] for _ in self.rungs]
        for trial in sorted(trials, key=lambda t: t.number):
            if EPOCHS not in trial.values:
                continue  # told without running (added, imported): no fidelity, no rung
            rung = int(trial.values.get(ROUND, 0))
            if rung < len(rungs):
                rungs[rung].append(trial)
        return rungs

    def predictions(self, context: SamplingContext) -> dict[str, Prediction] | None:
        """Each trial's predicted value at ``max_epochs`` (lower is better) when
        promotions follow predictions, else None."""
        if self.promote_by != "prediction" or isinstance(context.objective, Pareto):
            return None  # the curve model predicts one objective
        return predict_trials(context.trials, context.curves, self.max_epochs)

    def _promotion(
        self, context: SamplingContext, predictions: dict[str, Prediction] | None = None
    ) -> dict[str, Any] | None:
        """The values of the best promotable trial, highest rung first, or None."""
        rungs = self.by_rung(context.trials)
        promoted = {parent_of(t) for t in context.trials}
        for k in reversed(range(len(self.rungs) - 1)):
            finished = ranked(rungs[k], context.objective)
            if predictions is not None:
                finished = by_prediction(finished, predictions, context.objective)
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
