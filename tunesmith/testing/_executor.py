"""The contract every executor keeps: :class:`ExecutorContract`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest

from tunesmith.errors import FatalError
from tunesmith.execution import (
    Callback,
    Executor,
    FunctionTask,
    Pool,
    Responder,
    TrialTask,
    WorkerEvent,
    run_study,
)
from tunesmith.pruners import Pruner
from tunesmith.space import HyperParameters
from tunesmith.study import Study
from tunesmith.testing._objectives import (
    STEPS,
    StopFromTwo,
    fails_at_one,
    fatal_at_one,
    reports_until_stopped,
    square,
)
from tunesmith.trial import Trial, TrialStatus

_ENDINGS = ("done", "error", "died")


class ExecutorContract:
    """The checks every :class:`~tunesmith.execution.Executor` passes, as a pytest suite.

    Subclass it in a test module, under a name pytest collects (``Test...``), and
    override :meth:`make_executor`; pytest then runs every ``test_*`` method below:
    each runs a small search with :func:`~tunesmith.execution.run_study` and a
    :class:`~tunesmith.execution.FunctionTask` on a new executor. The objective
    functions are module-level functions of ``tunesmith.testing``, so worker
    processes import them by name.

    What is checked: the search completes ``max_trials`` trials, each with its own
    result; reports reach the study (its curves, the callbacks' progress lines) and a
    pruner's stop reaches the trial (``report`` answers False and the trial ends
    STOPPED); a trial that raises fails (FAILED, traceback stored) and the search
    goes on; a :class:`~tunesmith.errors.FatalError` stops the search, the trial
    stored FAILED; a pool offers only free slots, sends only reports and progress
    lines to the responder, and ends every submitted trial exactly once.

    Example:
        >>> from tunesmith.execution import Inline
        >>> from tunesmith.testing import ExecutorContract
        >>> class TestInline(ExecutorContract):
        ...     def make_executor(self):
        ...         return Inline()
        >>> TestInline().test_run_study_completes_max_trials()

        In a test module, pytest collects ``TestInline`` and runs every check.
    """

    def make_executor(self) -> Executor:
        """A new executor to check (one per search)."""
        raise NotImplementedError(
            f"{type(self).__name__} must override make_executor() to return the executor to check."
        )

    def test_run_study_completes_max_trials(self) -> None:
        study, record = self._search(square, self._study(6))
        trials = _by_n(study)
        assert sorted(trials) == list(range(6)), f"Trials ran: {sorted(trials)}"
        for n, trial in trials.items():
            assert trial.status is TrialStatus.COMPLETED, (trial.trial_id, trial.error)
            assert trial.score == (n - 2) ** 2, f"Trial {trial.trial_id} got another's result."
        assert study.stop_reason
        record.check_every_trial_ended_once()

    def test_reports_reach_the_study_and_a_stop_reaches_the_trial(self) -> None:
        progress = _Progress()
        study = self._study(4, pruner=StopFromTwo())
        _, record = self._search(reports_until_stopped, study, callbacks=[progress])
        trials = _by_n(study)
        assert sorted(trials) == [0, 1, 2, 3]
        for n, trial in trials.items():
            steps = [p.step for p in study.storage.curve_points(trial.trial_id)]
            stopped = n >= 2  # the pruner stops a value of 2 or more at step 2
            last = 2 if stopped else STEPS - 1
            assert steps == list(range(last + 1)), f"Trial {trial.trial_id} reported {steps}."
            assert progress.epochs.get(trial.trial_id) == list(range(last + 1))
            assert trial.metrics["stopped_at"] == (2 if stopped else -1), (
                f"report() did not answer the pruner's stop to trial {trial.trial_id}."
            )
            expected = TrialStatus.STOPPED if stopped else TrialStatus.COMPLETED
            assert trial.status is expected, (trial.trial_id, trial.status, trial.error)
        record.check_every_trial_ended_once()

    def test_an_exception_fails_its_trial_and_the_search_goes_on(self) -> None:
        study, record = self._search(fails_at_one, self._study(6))
        trials = _by_n(study)
        assert sorted(trials) == list(range(6))
        failed = trials.pop(1)
        assert failed.status is TrialStatus.FAILED
        assert failed.error is not None, "The failed trial keeps no traceback."
        assert "Traceback" in failed.error and "n=1 is refused" in failed.error, failed.error
        assert all(t.status is TrialStatus.COMPLETED for t in trials.values())
        stored = {t.trial_id: t.status for t in study.storage.load_trials()}
        assert stored[failed.trial_id] is TrialStatus.FAILED
        record.check_every_trial_ended_once()

    def test_a_fatal_error_stops_the_search(self) -> None:
        study, order = self._study(6), _Order()
        with pytest.raises(FatalError, match="n=1 stops the whole search"):
            self._search(fatal_at_one, study, callbacks=[order])
        fatal = _by_n(study)[1]
        assert fatal.status is TrialStatus.FAILED
        assert "n=1 stops the whole search" in (fatal.error or "")
        stored = {t.trial_id: t.status for t in study.storage.load_trials()}
        assert stored[fatal.trial_id] is TrialStatus.FAILED
        after = order.events[order.events.index(("end", fatal.trial_id)) + 1 :]
        assert not [e for e in after if e[0] == "begin"], "Trials began after the fatal error."
        assert all(count == 1 for count in Counter(order.ended()).values())

    # -------------------------------------------------------------- helpers
    def _study(self, max_trials: int, pruner: Pruner | None = None) -> Study:
        hp = HyperParameters()
        hp.Int("n", 0, 5)
        return Study(
            objective="loss",
            max_trials=max_trials,
            hyperparameters=hp,
            sampler="grid",  # n = 0, 1, 2...: each trial's value is known
            seed=0,
            pruner=pruner,
        )

    def _search(
        self,
        function: Callable[..., Any],
        study: Study,
        callbacks: Sequence[Callback] = (),
    ) -> tuple[Study, _RecordingExecutor]:
        """Run ``function``'s search of ``study`` on a new executor, recorded."""
        record = _RecordingExecutor(self.make_executor())
        run_study(study, FunctionTask(function, study.objective), record, callbacks)
        return study, record


def _by_n(study: Study) -> dict[int, Trial]:
    return {int(t.values["n"]): t for t in study.trials.values()}


class _Progress(Callback):
    """The epochs of each trial's progress lines."""

    def __init__(self) -> None:
        self.epochs: dict[str, list[int]] = {}

    def on_trial_progress(
        self,
        study: Study,
        trial: Trial,
        execution: int,
        epoch: int,
        epochs: int | None,
        logs: dict[str, float],
    ) -> None:
        self.epochs.setdefault(trial.trial_id, []).append(epoch)


class _Order(Callback):
    """When each trial began and ended, in order."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str]] = []

    def on_trial_begin(self, study: Study, trial: Trial) -> None:
        self.events.append(("begin", trial.trial_id))

    def on_trial_end(self, study: Study, trial: Trial) -> None:
        self.events.append(("end", trial.trial_id))

    def ended(self) -> list[str]:
        return [trial_id for kind, trial_id in self.events if kind == "end"]


class _RecordingExecutor:
    """Passes everything to ``inner`` and checks the pool keeps its side of the protocol."""

    def __init__(self, inner: Executor) -> None:
        self.inner = inner
        self.submitted: list[str] = []
        self.ended: list[str] = []

    def pool(self, task: TrialTask, respond: Responder) -> _RecordingPool:
        return _RecordingPool(self, task, respond)

    def check_every_trial_ended_once(self) -> None:
        assert self.submitted, "No trial was submitted."
        counts = Counter(self.ended)
        twice = sorted(t for t, count in counts.items() if count > 1)
        assert not twice, f"Trials ended more than once: {twice}"
        assert sorted(counts) == sorted(self.submitted), (
            f"Submitted {sorted(self.submitted)}, ended {sorted(counts)}."
        )


class _RecordingPool:
    def __init__(self, record: _RecordingExecutor, task: TrialTask, respond: Responder) -> None:
        self.record = record
        self.running: dict[int, str] = {}
        self._respond = respond
        self.inner: Pool = record.inner.pool(task, self._checked_respond)

    def _checked_respond(self, event: WorkerEvent) -> bool | None:
        assert event.kind in ("report", "epoch"), (
            f"The pool sent a {event.kind!r} event to the responder: only reports and "
            "progress lines go there; a trial's end comes from wait()."
        )
        assert event.slot in self.running, f"A report from slot {event.slot}, which runs nothing."
        return self._respond(event)

    def __enter__(self) -> _RecordingPool:
        self.inner.__enter__()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.inner.__exit__(*exc_info)

    def free_slots(self) -> list[int]:
        slots = list(self.inner.free_slots())
        busy = sorted(set(slots) & set(self.running))
        assert not busy, f"free_slots() offered slots {busy}, which still run a trial."
        return slots

    def submit(self, slot: int, trial: Trial) -> None:
        self.running[slot] = trial.trial_id
        self.record.submitted.append(trial.trial_id)
        self.inner.submit(slot, trial)

    def wait(self, timeout: float) -> Iterator[WorkerEvent]:
        for event in self.inner.wait(timeout):
            assert event.kind in _ENDINGS, (
                f"wait() yielded a {event.kind!r} event: it yields only how trials ended "
                f"({', '.join(_ENDINGS)})."
            )
            assert event.slot in self.running, f"Slot {event.slot} ended, but it ran nothing."
            self.record.ended.append(self.running.pop(event.slot))
            yield event

    def shutdown(self) -> None:
        self.inner.shutdown()
