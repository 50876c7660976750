"""Bounded disk: keep the best-epoch weights of the best trials only.

With ``keep_best_models=N`` a tuner deletes ``trials/<id>/best.weights.h5`` (and its
``best.build.json``) of every ended trial that is not among the ``N`` best, as ranked
by the oracle's ``get_best_trials`` (the rule ``get_best_models`` reads them by), and
not on the Pareto front under a :class:`~tunesmith.Pareto` objective: the whole front
stays, plus up to ``N`` more in ranking order. Trials leave the top ``N`` for good
(their scores never change), so a file once deleted is never wanted again.

Safe under a kill at any moment: the driver deletes only after a trial's weights file
was written (atomically) and its end was stored, and only the files of trials that
have ended and ranked out. A kill in between leaves an extra file, never a missing
best one; the next trial's end, or the next search's start, deletes it. Last-epoch
checkpoints of promotions (``last.weights.h5``) are not touched.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tunesmith.execution import Callback
from tunesmith.study import Study
from tunesmith.trial import Trial, TrialStatus

#: Where a trial's best-epoch weights stand, and the files beside them that go too.
WeightsPath = Callable[[Trial], Path]

_ENDED = {
    TrialStatus.COMPLETED,
    TrialStatus.STOPPED,
    TrialStatus.FAILED,
    TrialStatus.INVALID,
    TrialStatus.INFEASIBLE,
}


def kept_trial_ids(oracle: Any, count: int) -> set[str]:
    """The ids whose weights stay: the ``count`` best trials and the Pareto front."""
    kept = {str(t.trial_id) for t in oracle.get_best_trials(count)}
    front = getattr(oracle, "pareto_front", None)
    if front is not None:
        kept |= {str(t.trial_id) for t in front()}
    return kept


def release_weights(
    oracle: Any, count: int, weights_path: WeightsPath, companions: tuple[str, ...] = ()
) -> list[str]:
    """Delete the weights of ended trials outside :func:`kept_trial_ids`; their ids.

    ``companions`` are file names beside the weights that go with them (the build
    configuration); they are deleted after the weights, so a kill between the two
    leaves a stray configuration, never weights without theirs.

    Example:
        >>> release_weights(tuner.oracle, 3, tuner._weights_path)  # doctest: +SKIP
        ['04', '07']
    """
    kept = kept_trial_ids(oracle, count)
    released = []
    for trial in list(oracle.trials.values()):
        if str(trial.trial_id) in kept or trial.status not in _ENDED:
            continue  # a running trial's file may be newer than its stored state
        path = weights_path(trial)
        stray = [path.with_name(name) for name in companions if path.with_name(name).exists()]
        if not path.exists() and not stray:
            continue
        path.unlink(missing_ok=True)
        for other in stray:
            other.unlink(missing_ok=True)
        released.append(str(trial.trial_id))
    return released


class KeepBest(Callback):
    """Deletes the weights of trials that fell out of the best ``count`` (driver side)."""

    def __init__(
        self, oracle: Any, count: int, weights_path: WeightsPath, companions: tuple[str, ...]
    ) -> None:
        self.oracle, self.count = oracle, count
        self.weights_path, self.companions = weights_path, companions

    def _release(self) -> None:
        release_weights(self.oracle, self.count, self.weights_path, self.companions)

    def on_search_begin(self, study: Study) -> None:
        self._release()  # what a kill left after an earlier search's last trial

    def on_trial_end(self, study: Study, trial: Trial) -> None:
        self._release()  # the study stored the trial's end before this call
