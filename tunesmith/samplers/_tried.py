"""The configurations a study has tried, kept up to date instead of rebuilt per ask.

Rebuilding every trial's key at each ask made a search quadratic (2 000 asks took
40 s, nearly all of it keys). A running trial's values can still change (a
define-by-run build adds the names it meets), so only a finished trial's key is
kept; running trials are keyed at each ask. The keys cover the space's names, so a
space that gains a name starts the index afresh.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet

from tunesmith.samplers._follow import TrialFollower
from tunesmith.space import ConfigKey, HyperParameters, config_key, is_tuner_value
from tunesmith.trial import Trial


def trial_key(trial: Trial, names: AbstractSet[str]) -> ConfigKey:
    """``trial``'s configuration key over ``names`` (and the tuner's own values)."""
    return config_key({k: v for k, v in trial.values.items() if k in names or is_tuner_value(k)})


class TriedKeys:
    """The keys of every trial's configuration, running ones included.

    Example:
        >>> from tunesmith import HyperParameters
        >>> from tunesmith.trial import Trial
        >>> hp = HyperParameters(); _ = hp.Int("units", 1, 4)
        >>> done = Trial(hp.with_values({"units": 2}), "0", "COMPLETED", number=0)
        >>> trials = {"0": done}
        >>> index = TriedKeys(trials)
        >>> len(index.keys(hp))
        1
        >>> trials["1"] = Trial(hp.with_values({"units": 3}), "1", number=1)
        >>> len(index.keys(hp))  # the running one too
        2
    """

    def __init__(self, trials: dict[str, Trial]) -> None:
        self._names: frozenset[str] = frozenset()
        self._settled: set[ConfigKey] = set()  # finished trials' keys
        self._follower = TrialFollower(trials)

    @property
    def trials(self) -> dict[str, Trial]:
        """The trials followed (the study's own dict)."""
        return self._follower.trials

    def keys(self, space: HyperParameters) -> AbstractSet[ConfigKey]:
        """The keys of the trials' configurations over ``space``'s names."""
        names = frozenset(hp.name for hp in space.space)
        if names != self._names:
            self._names, self._follower = names, TrialFollower(self.trials)
        finished, running = self._follower.update()
        if self._follower.restarted:
            self._settled = set()
        self._settled.update(trial_key(t, names) for t in finished)
        if not running:
            return self._settled
        return self._settled | {trial_key(t, names) for t in running}
