"""Runs trials. In this process for now; worker processes and Ray come behind the same loop."""

from tunesmith.execution._display import SearchDisplay, format_duration
from tunesmith.execution._loop import TrialOutcome, run_search
from tunesmith.execution._summary import results_summary_text, search_space_summary_text

__all__ = [
    "SearchDisplay",
    "TrialOutcome",
    "format_duration",
    "results_summary_text",
    "run_search",
    "search_space_summary_text",
]
