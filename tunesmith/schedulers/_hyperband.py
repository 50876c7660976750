"""Hyperband's schedule: keras-tuner's brackets, rounds and ``tuner/*`` values."""

from __future__ import annotations

import math
from typing import Any

from tunesmith.errors import check_count
from tunesmith.objective import Pareto
from tunesmith.samplers import Exhausted, Proposal, Sampler, SamplingContext, Wait
from tunesmith.schedulers._base import Scheduler
from tunesmith.schedulers._brackets import (
    BracketRun,
    bracket_count,
    replay,
    round_epochs,
    round_size,
)
from tunesmith.schedulers._curves import (
    PROMOTE_BY,
    Prediction,
    by_prediction,
    predict_trials,
    predicted_context,
)
from tunesmith.schedulers._fidelity import parent_of, ranked, with_fidelity
from tunesmith.trial import TrialStatus


class HyperbandScheduler(Scheduler):
    """Hyperband (Li et al., 2018) as keras-tuner runs it, over any sampler.

    Each bracket starts new configurations at a few epochs and, round after round,
    promotes the best ``1 / factor`` to ``factor`` times more epochs, up to
    ``max_epochs``; brackets go from the most aggressive (many short trials) to
    full training. The brackets, trials per round and epochs per round are
    keras-tuner's (see :func:`~tunesmith.schedulers.bracket_table`). The sampler
    draws each new configuration: random as in keras-tuner, or a model (the
    Bayesian sampler fitted at the highest fidelity enough configurations reached,
    as BOHB does).

    A round is promoted from as soon as it is certain which trials are in its top:
    the best finished trial of the previous round goes on once fewer of that round's
    trials are still unknown than places are left. When nothing can be handed out
    until running trials are told, the next bracket starts, as in keras-tuner; in
    the last bracket the answer is :class:`~tunesmith.samplers.Wait`. Failed and
    invalid trials are never promoted and do not block a round. When the space is
    used up, the bracket being filled goes on with the configurations it has (its
    later rounds shrink in proportion) and no new bracket starts.

    Under a :class:`~tunesmith.Pareto` objective a round's trials are ordered as
    NSGA-II selects survivors: fronts of the non-dominated sorting of the objective
    values they reached, the last front that must be split by crowding distance
    (extreme points first), trials that break a constraint last. As promotions go
    out before a round is over, a later trial can still reorder the front; the
    order is that of the trials finished so far.

    Args:
        max_epochs: The most epochs one model is trained.
        factor: The reduction factor of epochs and trials between rounds (at least 2).
        hyperband_iterations: How many times the whole set of brackets runs (``None``:
            until the space is used up or the search is stopped).
        promote_by: ``"score"`` (the value reached, keras-tuner's rule) or
            ``"prediction"``: a round's trials are ranked by where a learning-curve
            model (:class:`~tunesmith.schedulers.CurveModel`) predicts they end at
            ``max_epochs``, optimistically, and the sampler sees those predictions
            for curves of 3 epochs or more.

    Example:
        >>> HyperbandScheduler(max_epochs=9).brackets
        3
    """

    name = "hyperband"
    owns_budget = True

    def __init__(
        self,
        max_epochs: int = 100,
        factor: int = 3,
        hyperband_iterations: int | None = 1,
        promote_by: str = "score",
    ) -> None:
        if promote_by not in PROMOTE_BY:
            choices = ", ".join(repr(p) for p in PROMOTE_BY)
            raise ValueError(f"promote_by must be one of {choices}, got {promote_by!r}.")
        self.promote_by = promote_by
        check_count("factor", factor, 2)
        check_count("max_epochs", max_epochs, 1)
        if hyperband_iterations is not None and hyperband_iterations < 0:
            raise ValueError(
                f"hyperband_iterations must be at least 1 (or None), got {hyperband_iterations}."
            )
        self.max_epochs = max_epochs
        self.factor = factor
        # keras-tuner reads 0 (or None) as "no limit".
        self.hyperband_iterations = hyperband_iterations or None

    def get_config(self) -> dict[str, Any]:
        config: dict[str, Any] = {
            "max_epochs": self.max_epochs,
            "factor": self.factor,
            "hyperband_iterations": self.hyperband_iterations,
        }
        if self.promote_by != "score":  # settings stored before the option read the same
            config["promote_by"] = self.promote_by
        return config

    def schedule_config(self) -> dict[str, Any]:
        return {"max_epochs": self.max_epochs, "factor": self.factor}

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

    def remaining(self, context: SamplingContext) -> int | None:
        planned = self.planned_trials
        return None if planned is None else max(0, planned - len(context.trials))

    # ----------------------------------------------------------------- propose
    def next_trial(self, context: SamplingContext, sampler: Sampler) -> Proposal:
        """keras-tuner's order: the runs oldest first; in each, fill the first round,
        else promote into the lowest round that can take one; else start a new run."""
        runs = replay(context.trials, self.max_epochs, self.factor)
        done: Exhausted | None = context.exhausted()
        waiting = False
        predictions = self.predictions(context)
        drawing = context
        if predictions is not None:
            drawing = predicted_context(context, predictions, self.max_epochs)
        for run in runs:
            if self._complete(run, done is not None):
                continue
            if len(run.rounds[0]) < self._target(run, 0, done is not None):
                drawn = self._new_configuration(drawing, sampler, run.bracket)
                if isinstance(drawn, dict):
                    return drawn
                if isinstance(drawn, Exhausted):
                    done = drawn  # the first round goes on with what it has
                waiting = waiting or isinstance(drawn, Wait)
            for round_ in range(1, run.bracket + 1):
                values = self._promotion(context, run, round_, done is not None, predictions)
                if values is not None:
                    return values
        if done is None and self._may_start_run(len(runs)):
            bracket = self.brackets - 1 - len(runs) % self.brackets
            drawn = self._new_configuration(drawing, sampler, bracket)
            if isinstance(drawn, dict):
                return drawn
            if isinstance(drawn, Exhausted):
                done = drawn
            waiting = waiting or isinstance(drawn, Wait)
        if waiting or any(t.status is TrialStatus.RUNNING for t in context.trials):
            return Wait()
        if done is not None:
            return done
        return Exhausted(
            f"Hyperband ran its {self.hyperband_iterations} iteration(s) of "
            f"{self.brackets} bracket(s)."
        )

    def predictions(self, context: SamplingContext) -> dict[str, Prediction] | None:
        """Each trial's predicted value at ``max_epochs`` (lower is better) when
        promotions follow predictions, else None."""
        if self.promote_by != "prediction" or isinstance(context.objective, Pareto):
            return None  # the curve model predicts one objective
        return predict_trials(context.trials, context.curves, self.max_epochs)

    def open_runs(self, context: SamplingContext) -> list[BracketRun]:
        """The bracket runs not over yet, oldest first: a round still to fill, or a
        trial of the last round still running.

        Example:
            >>> from tunesmith import HyperParameters
            >>> from tunesmith.objective import Objective
            >>> from tunesmith.samplers import SamplingContext
            >>> context = SamplingContext(HyperParameters(), (), Objective("loss", "min"),
            ...                           seed=0, number=0)
            >>> HyperbandScheduler(9, 3).open_runs(context)
            []
        """
        exhausted = context.exhausted() is not None
        runs = replay(context.trials, self.max_epochs, self.factor)
        return [
            run
            for run in runs
            if not self._complete(run, exhausted)
            or not all(t.status.is_finished for t in run.rounds[run.bracket])
        ]

    def iterations_started(self, context: SamplingContext) -> int:
        """How many Hyperband iterations have started (each runs every bracket once)."""
        runs = len(replay(context.trials, self.max_epochs, self.factor))
        return -(-runs // self.brackets)

    def _may_start_run(self, runs: int) -> bool:
        return self.hyperband_iterations is None or runs < self.brackets * self.hyperband_iterations

    def _new_configuration(
        self, context: SamplingContext, sampler: Sampler, bracket: int
    ) -> Proposal:
        """The sampler's values in round 0 of ``bracket`` (or why there are none)."""
        drawn = sampler.sample(context.at_fidelity(self.max_epochs))
        if not isinstance(drawn, dict):
            return drawn
        return with_fidelity(
            drawn,
            epochs=round_epochs(bracket, 0, self.max_epochs, self.factor),
            initial_epoch=0,
            bracket=bracket,
            round=0,
        )

    def _promotion(
        self,
        context: SamplingContext,
        run: BracketRun,
        round_: int,
        exhausted: bool,
        predictions: dict[str, Prediction] | None = None,
    ) -> dict[str, Any] | None:
        """The values of the next promotion into ``round_`` of ``run``, if one is certain."""
        previous, current = run.rounds[round_ - 1], run.rounds[round_]
        places = self._target(run, round_, exhausted) - len(current)
        if places <= 0:
            return None
        promoted = {parent_of(t) for t in current}
        # Ranked among the whole round, then the promoted left out: under a Pareto
        # objective the fronts and crowding of a round do not change as it is promoted.
        order = ranked(previous, context.objective)
        if predictions is not None:
            order = by_prediction(order, predictions, context.objective)
        candidates = [t for t in order if t.trial_id not in promoted]
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
