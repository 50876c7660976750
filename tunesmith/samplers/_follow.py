"""Follow a study's trials as they are added, so per-ask work stays small.

A study's trials (a dict by id, in number order) only grow at their end. A finished
trial's values and status are final, so whatever is derived from it is computed
once; running trials (one per worker at most) are looked up again at each call, so
a trial object replaced by a reload is seen as it now is. Fewer trials than seen
before, or the last one seen gone, start it over.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import islice
from typing import overload

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
        # The new ones, read from the end: no walk over the trials seen before.
        added = list(islice(reversed(trials), len(trials) - self._seen))
        self._running.extend(reversed(added))
        self._seen = len(trials)
        self._last_id = next(reversed(trials), None)
        finished: list[Trial] = []
        running: list[Trial] = []
        for trial in (trials[trial_id] for trial_id in self._running):
            (finished if trial.status.is_finished else running).append(trial)
        self._running = [trial.trial_id for trial in running]
        return finished, running

    def _extends(self) -> bool:
        """Whether the trials are those seen last time, perhaps with more at the end.

        Checked in constant time: no fewer trials, and the last one seen is still
        there. The study removes a trial in one case only, the newest, when an
        ``add_trial`` fails: if it was seen, it is gone, which starts over.
        """
        if self._seen == 0:
            return True
        return len(self.trials) >= self._seen and self._last_id in self.trials


class TrialsInOrder(Sequence[Trial]):
    """A study's trials as a sequence, in number order, copied only when read.

    A sampler that reads no trial (random search: it reads the tried keys) costs no
    copy of them at each ask; one that reads them gets one copy, made at its first
    read.

    Example:
        >>> from tunesmith.trial import Trial
        >>> trials = TrialsInOrder({"0": Trial(trial_id="0", number=0)})
        >>> len(trials), [t.trial_id for t in trials], trials[-1].trial_id
        (1, ['0'], '0')
    """

    def __init__(self, trials: dict[str, Trial]) -> None:
        self._trials = trials
        self._copy: tuple[Trial, ...] | None = None

    def _frozen(self) -> tuple[Trial, ...]:
        if self._copy is None:
            self._copy = tuple(self._trials.values())
        return self._copy

    def __len__(self) -> int:
        return len(self._frozen()) if self._copy is not None else len(self._trials)

    @overload
    def __getitem__(self, index: int) -> Trial: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Trial, ...]: ...

    def __getitem__(self, index: int | slice) -> Trial | tuple[Trial, ...]:
        return self._frozen()[index]

    def __iter__(self) -> Iterator[Trial]:
        return iter(self._frozen())
