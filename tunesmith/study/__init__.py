"""The study core: one trial lifecycle, ask / report / tell, over one storage.

:class:`Study` hands out trials, hears their steps and ends them; it composes a
sampler (where), optionally a scheduler (how long) and a pruner (stop early), and
writes every state change to its :class:`~tunesmith.store.Storage`.
:class:`TrialResult` is what one run of a trial produced, the one result type a
study is told. The settings a study stores have one format
(:func:`normalise_settings` reads older ones). keras-tuner's oracle protocol is an
adapter on top (:class:`tunesmith.oracles.Oracle`); the loop that runs trials is
in :mod:`tunesmith.execution`.

Example:
    >>> from tunesmith import HyperParameters
    >>> from tunesmith.study import Study
    >>> hp = HyperParameters(); _ = hp.Int("n", 1, 4)
    >>> study = Study(objective="loss", max_trials=3, hyperparameters=hp, seed=0,
    ...               sampler="random")
    >>> trial = study.ask()
    >>> study.tell(trial, {"loss": 1.0 / trial.values["n"]}).status
    <TrialStatus.COMPLETED: 'COMPLETED'>
"""

from tunesmith.study._budget import Plateau, format_duration, parse_duration
from tunesmith.study._import import ImportReport, SkippedTrial
from tunesmith.study._results import TrialResult, is_history, numbers_only, to_trial_result
from tunesmith.study._settings import (
    StoredSampler,
    StoredScheduler,
    part_settings,
    pruner_from_settings,
    sampler_from_settings,
    scheduler_from_settings,
)
from tunesmith.study._space import GrowingSpace
from tunesmith.study._study import Study
from tunesmith.study._tell import tell_trial

__all__ = [
    "GrowingSpace",
    "ImportReport",
    "Plateau",
    "SkippedTrial",
    "StoredSampler",
    "StoredScheduler",
    "Study",
    "TrialResult",
    "format_duration",
    "is_history",
    "numbers_only",
    "parse_duration",
    "part_settings",
    "pruner_from_settings",
    "sampler_from_settings",
    "scheduler_from_settings",
    "tell_trial",
    "to_trial_result",
]
