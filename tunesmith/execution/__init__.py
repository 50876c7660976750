"""Runs trials: in this process, in local worker processes (``LocalWorkers``) or on Ray
(``RayWorkers``) behind the same search loop; the driver alone talks to the oracle
and writes the store."""

from tunesmith.execution._base_tuner import BaseTuner, refuse_chief_worker_environment
from tunesmith.execution._display import SearchDisplay, format_duration
from tunesmith.execution._loop import TrialOutcome, run_search
from tunesmith.execution._ray import RayWorkers
from tunesmith.execution._results import TrialResult, is_history, to_trial_result
from tunesmith.execution._steps import Steps
from tunesmith.execution._summary import results_summary_text, search_space_summary_text
from tunesmith.execution._workers import LocalWorkers, as_executor

__all__ = [
    "BaseTuner",
    "LocalWorkers",
    "RayWorkers",
    "SearchDisplay",
    "Steps",
    "TrialOutcome",
    "TrialResult",
    "as_executor",
    "format_duration",
    "is_history",
    "refuse_chief_worker_environment",
    "results_summary_text",
    "run_search",
    "search_space_summary_text",
    "to_trial_result",
]
