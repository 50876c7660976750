"""The display's "best so far", updated from the trials that ended since it last
looked rather than by ranking every trial twice per trial (which made a long
search's display quadratic: 3 000 trials spent 80 % of their time there)."""

from __future__ import annotations

from tunesmith.objective import Pareto
from tunesmith.ranking import is_ranked
from tunesmith.samplers import TrialFollower
from tunesmith.study import Study
from tunesmith.trial import Trial


class BestSoFar:
    """The best ranked trial of ``study``, by the ranking's rules for one objective.

    A Pareto objective, or an oracle with its own ``get_best_trials``, is asked
    each time instead.

    Example:
        >>> from tunesmith import HyperParameters
        >>> study = Study(objective="loss", hyperparameters=HyperParameters())
        >>> BestSoFar(study).get() is None
        True
    """

    def __init__(self, study: Study) -> None:
        self.study = study
        self._follower = TrialFollower(study.trials)
        self._best: Trial | None = None
        self._key: tuple[float, float, int] | None = None

    def get(self) -> Trial | None:
        """The best trial so far, or None while no trial is ranked."""
        study, objective = self.study, self.study.objective
        if isinstance(objective, Pareto) or type(study).get_best_trials is not (
            Study.get_best_trials
        ):
            best = study.get_best_trials(1)
            return best[0] if best else None
        if self._follower.trials is not study.trials:  # a dict assigned anew
            self._follower = TrialFollower(study.trials)
        finished, _ = self._follower.update()
        if self._follower.restarted:
            self._best, self._key = None, None
        for trial in finished:
            if not is_ranked(trial):
                continue
            key = objective.rank_key(trial.score, trial.metrics or {}, trial.number)
            if self._key is None or key < self._key:
                self._best, self._key = trial, key
        return self._best
