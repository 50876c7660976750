"""keras-tuner's record of tried configurations, kept as a view of the real trials.

Oracles written for keras-tuner that propose values themselves check a hash of
each candidate against ``oracle._tried_so_far`` and add the ones they hand out.
Here that set is derived from the study's trials every time it is read, so it
can never drift from what was really tried (a resumed study, a retried trial, a
trial whose build added values); what a subclass adds on top is kept as well.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableSet
from typing import Any

from tunesmith.space import config_key
from tunesmith.trial import Trial


def values_hash(values: Mapping[str, Any]) -> str:
    """A short hex digest equal for equal configurations (see :func:`config_key`).

    Example:
        >>> values_hash({"a": 1, "b": 0.1 + 0.2}) == values_hash({"b": 0.3, "a": 1})
        True
        >>> len(values_hash({"a": 1}))
        32
    """
    return hashlib.sha256(repr(config_key(dict(values))).encode("utf-8")).hexdigest()[:32]


class TriedValues(MutableSet[str]):
    """The hashes of every trial's values, plus those added by hand.

    ``add`` and ``discard`` change only the hand-added part: a trial's own hash is
    in the set for as long as the trial exists.
    """

    def __init__(self, trials: Callable[[], Iterable[Trial]], added: set[str]) -> None:
        self._trials = trials
        self.added = added

    def _of_trials(self) -> set[str]:
        return {values_hash(trial.values) for trial in self._trials()}

    def __contains__(self, item: object) -> bool:
        return item in self.added or item in self._of_trials()

    def __iter__(self) -> Iterator[str]:
        return iter(self._of_trials() | self.added)

    def __len__(self) -> int:
        return len(self._of_trials() | self.added)

    def add(self, value: str) -> None:
        self.added.add(value)

    def discard(self, value: str) -> None:
        self.added.discard(value)

    def __repr__(self) -> str:
        return f"TriedValues({sorted(self)!r})"
