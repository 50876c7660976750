"""What the tracking callbacks share: one run per trial, and a backend that may fail.

:class:`TrackingCallback` turns the search's moments into a tracking backend's
calls (a run begins, logs a step, ends with its outcome) and keeps the search safe
from the backend: an error there warns once and the search goes on, so a tracking
server that is down never costs a trial. Subclasses write the backend's calls.
"""

from __future__ import annotations

import math
import re
import time
import warnings
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any, Generic, TypeVar

from tunesmith.execution import Callback
from tunesmith.study import Study
from tunesmith.trial import Trial, TrialStatus

#: What a backend calls one trial's run (an MLflow run id, a W&B ``Run``).
RunT = TypeVar("RunT")

#: The search's name when its study has no project folder to be named after.
DEFAULT_NAME = "tunesmith"

# MLflow accepts letters, digits, "_", "-", ".", " ", "/" (and ":" on some stores);
# W&B accepts more. The common set keeps one metric's name the same in both.
_UNSAFE = re.compile(r"[^A-Za-z0-9_\-. /]")


def metric_key(name: str, execution: int = 0) -> str:
    """The name a metric is logged under: the metric's own for the first execution,
    ``execution_<k>/<name>`` for the ``k``-th after it (their epochs would collide).

    Example:
        >>> metric_key("model/params"), metric_key("val_loss", 1), metric_key("f(x)")
        ('model/params', 'execution_1/val_loss', 'f_x_')
    """
    safe = _UNSAFE.sub("_", str(name))
    return safe if execution == 0 else f"execution_{execution}/{safe}"


def numbers(metrics: Mapping[str, Any]) -> dict[str, float]:
    """The real numbers among ``metrics`` (a backend refuses anything else)."""
    kept = {}
    for name, value in metrics.items():
        try:
            number = float(value)
        except (TypeError, ValueError):
            continue
        if not isinstance(value, bool) and not math.isnan(number):
            kept[str(name)] = number
    return kept


def search_name(study: Study) -> str:
    """The study's project folder name (``<directory>/<project_name>``), else
    :data:`DEFAULT_NAME`."""
    store = getattr(study, "store", None)
    folder = getattr(store, "project_dir", None) if store is not None else None
    return folder.name if folder is not None else DEFAULT_NAME


def status_text(trial: Trial) -> str:
    """The trial's status as logged: ``completed``, ``failed``, ``pruned`` (ended
    early by a pruner or a schedule), ``infeasible``, ``invalid``, or ``retried``
    (it failed, and runs again: a new run logs its next attempt)."""
    if not trial.status.is_finished:
        return "retried"
    if trial.status is TrialStatus.STOPPED:
        return "pruned"
    return trial.status.value.lower()


def duration(trial: Trial) -> float | None:
    """Seconds from the trial's start to its end, as the study recorded them."""
    return trial.seconds


class TrackingCallback(Callback, Generic[RunT]):
    """One backend run per trial; each backend call guarded (see the module).

    Subclasses implement :meth:`_start_search`, :meth:`_start_run`, :meth:`_log`,
    :meth:`_finish_run` and may implement :meth:`_finish_search`.
    """

    #: The backend's name, in the warning.
    backend = "tracking"

    def __init__(self) -> None:
        self._runs: dict[str, RunT] = {}  # the open run of each running trial
        self._logged: dict[str, set[str]] = {}  # the metric keys each run logged
        self._warned = False
        self._started = False
        self.name = DEFAULT_NAME

    # ---------------------------------------------------------------- guard
    def _guard(self, what: str, call: Callable[[], Any]) -> Any:
        """``call()``, or None after warning (once per callback) of its error."""
        try:
            return call()
        except Exception as error:  # any backend error: the search must go on
            if not self._warned:
                self._warned = True
                warnings.warn(
                    f"{type(self).__name__} could not {what} ({type(error).__name__}: "
                    f"{error}). The search goes on and keeps every trial in its own "
                    f"store; {self.backend} may miss some of them. This warning is "
                    "shown once.",
                    RuntimeWarning,
                    stacklevel=2,
                )
            return None

    # ---------------------------------------------------------- the moments
    def on_search_begin(self, study: Study) -> None:
        self.name = search_name(study)
        self._started = bool(self._guard("start the search", lambda: self._start_search(study)))

    def on_trial_begin(self, study: Study, trial: Trial) -> None:
        if not self._started:
            return
        run = self._guard(f"start trial {trial.trial_id}'s run", lambda: self._start_run(trial))
        if run is not None:
            self._runs[trial.trial_id] = run
            self._logged[trial.trial_id] = set()

    def on_trial_report(
        self,
        study: Study,
        trial: Trial,
        execution: int,
        step: int,
        metrics: dict[str, float],
    ) -> None:
        run = self._runs.get(trial.trial_id)
        if run is None:
            return
        logged = {metric_key(k, execution): v for k, v in numbers(metrics).items()}
        if logged:
            self._logged[trial.trial_id].update(logged)
            self._guard(f"log trial {trial.trial_id}'s step", lambda: self._log(run, step, logged))

    def on_trial_end(self, study: Study, trial: Trial) -> None:
        run = self._runs.pop(trial.trial_id, None)
        logged = self._logged.pop(trial.trial_id, set())
        if run is None:
            return
        # Metrics that no step reported (a function's returned dict, model/params,
        # constraint values) are logged once, at the best step.
        final = {
            key: value
            for key, value in ((metric_key(k), v) for k, v in numbers(trial.metrics).items())
            if key not in logged
        }
        self._guard(
            f"end trial {trial.trial_id}'s run", lambda: self._finish_run(run, trial, final)
        )

    def on_interrupt(self, study: Study, trial: Trial | None) -> None:
        # The running trials stay RUNNING in the store and run again on resume, in
        # new runs: these are closed as killed rather than left open.
        for trial_id, run in list(self._runs.items()):
            self._guard(f"close trial {trial_id}'s run", partial(self._kill_run, run))
        self._runs.clear()
        self._logged.clear()

    def on_search_end(self, study: Study) -> None:
        if self._started:
            self._guard("end the search", lambda: self._finish_search(study))

    def on_close(self, study: Study) -> None:
        # After an error in the search: close what is still open, as killed.
        if self._runs:
            self.on_interrupt(study, None)

    # ---------------------------------------------------------- the backend
    def _start_search(self, study: Study) -> bool:
        """Prepare the backend for the search; True when trials can be logged."""
        raise NotImplementedError

    def _start_run(self, trial: Trial) -> RunT | None:
        """Open ``trial``'s run (None: the trial is not logged, e.g. logged already)."""
        raise NotImplementedError

    def _log(self, run: RunT, step: int, metrics: dict[str, float]) -> None:
        """Log one step's metrics."""
        raise NotImplementedError

    def _finish_run(self, run: RunT, trial: Trial, final: dict[str, float]) -> None:
        """Log the trial's outcome (values, score, status, duration, ``final``) and
        close its run."""
        raise NotImplementedError

    def _kill_run(self, run: RunT) -> None:
        """Close a run whose trial was interrupted."""
        raise NotImplementedError

    def _finish_search(self, study: Study) -> None:
        """The search is over."""


def now() -> float:
    """The time, as the trials' timestamps are written (POSIX seconds)."""
    return time.time()
