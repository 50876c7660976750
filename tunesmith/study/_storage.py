"""A study and its storage: attaching (which resumes), writing through, reading back."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from tunesmith.errors import StudyMismatchError
from tunesmith.objective import Objective
from tunesmith.space import HyperParameters
from tunesmith.store import MemoryStore, Storage, normalise_settings
from tunesmith.trial import Trial, TrialStatus

if TYPE_CHECKING:
    from tunesmith.pruners import Pruner
    from tunesmith.samplers import Sampler
    from tunesmith.schedulers import Scheduler
    from tunesmith.study._budget import TimeBudget
    from tunesmith.study._reports import ReportedObjective
    from tunesmith.study._space import GrowingSpace


class StudyStorage:
    """The storage side of :class:`~tunesmith.study.Study` (a mixin of it).

    Every state change of a study goes to ``self.storage``: an in-memory one until
    :meth:`attach_store` gives it a persistent one, so no code checks for a missing
    store. Attaching to a storage that holds a study resumes it.
    """

    storage: Storage
    read_only: bool
    # The study's state that attaching restores and saving writes (Study.__init__ sets it).
    seed: int
    space: GrowingSpace
    trials: dict[str, Trial]
    objective: Objective
    algorithm_name: str
    pruner: Pruner | None
    sampler: Sampler | None
    scheduler: Scheduler | None
    _requeued: list[str]
    _time: TimeBudget
    _enqueued: list[dict[str, Any]]
    origins: dict[str, str]
    _reports: ReportedObjective

    if TYPE_CHECKING:

        def settings(self) -> dict[str, Any]: ...

    @property
    def store(self) -> Storage | None:
        """The persistent storage written through to (None while the study lives in
        memory only, and for a study read read-only)."""
        if self.read_only or isinstance(self.storage, MemoryStore):
            return None
        return self.storage

    def attach_store(self, store: Storage, *, read_only: bool = False) -> None:
        """Write through to ``store`` and resume the study it holds, if any.

        ``read_only`` loads the study for inspection (summaries, exports) without
        writing anything back.

        Raises :class:`StudyMismatchError` when the store holds a study with another
        algorithm, objective or schedule: resuming it would mix incomparable results.
        """
        if not read_only:
            store.claim_writer()
        stored = store.load_study()
        if stored is not None:
            stored = normalise_settings(stored)
            self._check_compatible(stored, store)
            self.seed = int(stored.get("seed", self.seed))
            # The search's time goes on from what earlier processes spent.
            self._time.spent_before = float(stored.get("time_spent") or 0.0)
            # What was enqueued before goes first; what this process enqueued, after.
            self._enqueued[:0] = [dict(v) for v in stored.get("enqueued") or []]
            self.origins.update({str(k): str(v) for k, v in (stored.get("origins") or {}).items()})
            self.space.merge(HyperParameters.from_config(stored["space"]), from_store=True)
        for trial in sorted(store.load_trials(), key=lambda t: t.number):
            self.trials[trial.trial_id] = trial
            if trial.status is TrialStatus.RUNNING:
                self._requeued.append(trial.trial_id)
        if self.pruner is not None or self.scheduler is not None:
            self._reports.load(store.curve_points(), skip=set(self._requeued))
        self._restore_state(stored)
        # A reader reads its curves from the store too; it never writes (nothing
        # it calls changes a trial), and a write to a read-only store would fail.
        self.storage, self.read_only = store, read_only
        if not read_only:
            self._save_study()

    def _check_compatible(self, stored: Mapping[str, Any], store: Storage) -> None:
        where = getattr(store, "project_dir", "this storage")
        fix = f"To start afresh in {where}, pass `overwrite=True`, or choose another project_name."
        if stored.get("algorithm") != self.algorithm_name:
            raise StudyMismatchError(
                f"The store at {where} holds a {stored.get('algorithm')!r} study, "
                f"not {self.algorithm_name!r}. {fix}"
            )
        stored_objective = Objective.from_config(stored["objective"])
        if stored_objective != self.objective:
            raise StudyMismatchError(
                f"The store at {where} optimises {stored_objective}, not {self.objective}. {fix}"
            )
        schedule = {} if self.scheduler is None else self.scheduler.schedule_config()
        stored_schedule = (stored.get("scheduler") or {}).get("config", {})
        for name, value in schedule.items():
            if name in stored_schedule and stored_schedule[name] != value:
                raise StudyMismatchError(
                    f"The store at {where} holds a study with {name}="
                    f"{stored_schedule[name]!r}, not {value!r}: its trials follow that "
                    f"schedule. Pass {name}={stored_schedule[name]!r} to resume it. {fix}"
                )

    def _restore_state(self, stored: Mapping[str, Any] | None) -> None:
        """Hook for subclasses that restore state from the loaded trials and the
        stored settings (``None`` for a new study); nothing is written yet."""
        if self.sampler is not None:
            self.sampler.reset()

    def _save_study(self) -> None:
        if not self.read_only:
            self.storage.save_study(self.settings())

    def _save_trial(self, trial: Trial) -> None:
        self.storage.save_trial(trial)

    def reload(self) -> None:
        """Read the trials back from the attached storage."""
        for trial in sorted(self.storage.load_trials(), key=lambda t: t.number):
            self.trials[trial.trial_id] = trial

    def curves(self, trial_id: str) -> list[tuple[int, int, dict[str, float]]]:
        """Per-step metrics of a trial as (execution, step, metrics) tuples."""
        return [(p.execution, p.step, p.metrics) for p in self.storage.curve_points(trial_id)]
