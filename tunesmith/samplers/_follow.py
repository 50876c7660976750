"""Follow a study's trials as they are added, so per-ask work stays small.

A study's trials (a dict by id, in number order) only grow at their end. A finished
trial's values and status are final, so whatever is derived from it is computed
once; running trials (one per worker at most) are looked up again at each call, so
a trial object replaced by a reload is seen as it now is. Trials that are not the
ones seen before plus new ones at the end (a trial removed) start it over.
"""

from __future__ import annotations

from itertools import islice

from tunesmith.trial import Trial


class TrialFollower:
    """Hands each trial of ``trials`` over once it has finished; says which still run.

    Example:
        >>> from tunesmith.trial import Trial, TrialStatus
        >>> trials = {
        ...     "0": Trial(trial_id="0", number=0, status="COMPLETED"),
        ...     "1": Trial(trial_id="1", number=1),
        ... }
        >>> follower = TrialFollower(trials)
        >>> finished, running = follower.update()
        >>> [t.trial_id for t in finished], [t.trial_id for t in running]
        (['0'], ['1'])
        >>> trials["1"].status = TrialStatus.FAILED
        >>> [t.trial_id for t in follower.update()[0]]
        ['1']
    """

    def __init__(self, trials: dict[str, Trial]) -> None:
        self.trials = trials
        #: Whether the last update started over (its finished trials are all of them).
        self.restarted = True
        self._running: list[str] = []
        self._seen = 0
        self._last_id: str | None = None

    def update(self) -> tuple[list[Trial], list[Trial]]:
        """The trials that finished since the last call (every finished one after a
        restart, see :attr:`restarted`) and those still running."""
        trials = self.trials
        self.restarted = not self._extends()
        if self.restarted:
            self._running, self._seen = [], 0
        self._running.extend(islice(trials.keys(), self._seen, None))
        self._seen = len(trials)
        self._last_id = next(reversed(trials), None)
        finished: list[Trial] = []
        running: list[Trial] = []
        for trial in (trials[trial_id] for trial_id in self._running):
            (finished if trial.status.is_finished else running).append(trial)
        self._running = [trial.trial_id for trial in running]
        return finished, running

    def _extends(self) -> bool:
        """Whether the trials are those seen last time, perhaps with more at the end."""
        if self._seen == 0:
            return True
        if len(self.trials) < self._seen:
            return False
        return next(islice(self.trials.keys(), self._seen - 1, None)) == self._last_id
