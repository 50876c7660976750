"""Runs trials: one loop over one executor interface, with callbacks.

:func:`run_study` asks a study for a trial per free slot, runs it on an
:class:`Executor` (:class:`Inline` in this process, :class:`LocalWorkers` in worker
processes, :class:`RayWorkers` on Ray, or your own) and ends it when it ends; what a
person sees and what else follows the search are :class:`Callback` s. A running
trial talks to the driver only through its :class:`TrialContext`. The driver alone
talks to the study and writes the store.

Example:
    >>> from tunesmith import HyperParameters
    >>> from tunesmith.execution import FunctionTask, run_study
    >>> from tunesmith.study import Study
    >>> hp = HyperParameters(); _ = hp.Float("x", -1.0, 1.0)
    >>> study = Study(objective="loss", max_trials=4, hyperparameters=hp, sampler="random")
    >>> run_study(study, FunctionTask(lambda hp: hp["x"] ** 2, study.objective))
    >>> len(study.trials)
    4
"""

from tunesmith.execution._callback import Callback
from tunesmith.execution._choose import as_executor
from tunesmith.execution._context import Link, OracleView, TrialContext
from tunesmith.execution._display import (
    DisplayCallback,
    SearchDisplay,
    format_duration,
    format_value,
)
from tunesmith.execution._executor import (
    Executor,
    Inline,
    Pool,
    Responder,
    TrialTask,
    WorkerEvent,
)
from tunesmith.execution._loop import StudyProtocol, run_search, run_study
from tunesmith.execution._ray import RayWorkers
from tunesmith.execution._summary import results_summary_text, search_space_summary_text
from tunesmith.execution._tasks import (
    FunctionTask,
    TunerTask,
    refuse_unshippable_data,
    wants_steps,
)
from tunesmith.execution._workers import LocalWorkers
from tunesmith.study import TrialResult, is_history, to_trial_result

#: The context an objective function gets as its second argument (its old name).
Steps = TrialContext

__all__ = [
    "Callback",
    "DisplayCallback",
    "Executor",
    "FunctionTask",
    "Inline",
    "Link",
    "LocalWorkers",
    "OracleView",
    "Pool",
    "RayWorkers",
    "Responder",
    "SearchDisplay",
    "Steps",
    "StudyProtocol",
    "TrialContext",
    "TrialResult",
    "TrialTask",
    "TunerTask",
    "WorkerEvent",
    "as_executor",
    "format_duration",
    "format_value",
    "is_history",
    "refuse_unshippable_data",
    "results_summary_text",
    "run_search",
    "run_study",
    "search_space_summary_text",
    "to_trial_result",
    "wants_steps",
]
