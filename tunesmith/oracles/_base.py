"""The ask/tell core every search algorithm builds on."""

from __future__ import annotations

import contextlib
import functools
import math
import threading
import time
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from tunesmith.errors import (
    FailedTrialError,
    InvalidArgumentError,
    StudyMismatchError,
    TooManyFailedTrialsError,
    check_count,
    format_trial_error,
)
from tunesmith.objective import Objective, create_objective, infer_direction
from tunesmith.oracles._populate import PopulateSpaceSampler
from tunesmith.oracles._reports import ReportedObjective
from tunesmith.pruners import Pruner, TrialCurve, make_pruner
from tunesmith.samplers import (
    Exhausted,
    Proposal,
    Sampler,
    SamplingContext,
    Wait,
    make_sampler,
    random_untried,
    sampler_settings,
)
from tunesmith.schedulers import Scheduler, make_scheduler, scheduler_settings
from tunesmith.space import HyperParameters, config_key
from tunesmith.store._records import MemoryStore
from tunesmith.trial import Trial, TrialStatus

if TYPE_CHECKING:
    from tunesmith.store import Store
    from tunesmith.store._records import StudyRecords


_Method = TypeVar("_Method", bound=Callable[..., Any])


def synchronized(method: _Method) -> _Method:
    """Run an oracle method under the oracle's lock (keras-tuner's decorator).

    A custom oracle whose methods several threads may call decorates them, as with
    keras-tuner; the lock is re-entrant, so a synchronized method may call another.

    Example:
        >>> class Counting(Oracle):
        ...     @synchronized
        ...     def create_trial(self, tuner_id):
        ...         return super().create_trial(tuner_id)
    """

    @functools.wraps(method)
    def locked(self: Any, *args: Any, **kwargs: Any) -> Any:
        lock = self.__dict__.setdefault("_lock", threading.RLock())
        with lock:
            return method(self, *args, **kwargs)

    return locked  # type: ignore[return-value]


class Oracle:
    """Hands out trials (``ask``), hears about their epochs (``report``) and ends them (``tell``).

    An oracle is a study: it owns the trials' lifecycle (ask, report, tell, retries,
    the consecutive-failure limit, the space as it grows, the store) and knows
    nothing of Keras. Which values to try next is its ``sampler``'s answer
    (:mod:`tunesmith.samplers`); with a ``scheduler`` (:mod:`tunesmith.schedulers`:
    Hyperband, ASHA) the scheduler decides fidelities and promotions and asks the
    sampler for new configurations. ``RandomSearchOracle``, ``HyperbandOracle`` and
    the others are these compositions under keras-tuner's names. Several trials may
    be asked before any is told, for parallel workers.

    With a :class:`~tunesmith.store.Store` attached, every state change is written
    through to SQLite, and attaching to an existing store resumes the study: finished
    trials stay, and trials that were running when the process died are handed out
    again before any new one.

    With a ``pruner`` (:mod:`tunesmith.pruners`), :meth:`report` may answer that a
    trial should stop; the caller then ends it and tells it with ``stopped_early=True``.

    Several workers may hold trials at once. When an algorithm cannot hand out a
    trial until some of those are told (Hyperband's last bracket waiting for its
    round to finish, ASHA's last promotions), :meth:`ask` returns ``None`` with
    :attr:`waiting` True and :attr:`stop_reason` None: ask again after the next tell.

    keras-tuner's protocol works too: a subclass may override
    :meth:`populate_space` instead of ``_propose``, and tuners written for
    keras-tuner call :meth:`create_trial`, :meth:`update_trial` and
    :meth:`end_trial`, which are ask/report/tell under keras-tuner's names.

    Example:
        >>> from tunesmith.oracles import RandomSearchOracle
        >>> from tunesmith import HyperParameters
        >>> hp = HyperParameters()
        >>> _ = hp.Float("x", -2.0, 2.0)
        >>> oracle = RandomSearchOracle(objective="loss", max_trials=5,
        ...                             hyperparameters=hp, seed=1)
        >>> while (trial := oracle.ask()) is not None:
        ...     _ = oracle.tell(trial, {"loss": trial.values["x"] ** 2})
        >>> len(oracle.get_best_trials(1))
        1
    """

    #: Stored with the study so a resumed search refuses a different algorithm.
    algorithm_name = "base"
    #: The name of a plain ``Oracle`` given a ``sampler=`` / ``scheduler=``.
    composed_name = "composed"
    #: Whether its trials carry ``tuner/epochs`` (a scheduler decides fidelities).
    multi_fidelity = False

    def __init__(
        self,
        objective: str | Objective | None = None,
        max_trials: int | None = None,
        hyperparameters: HyperParameters | None = None,
        allow_new_entries: bool = True,
        tune_new_entries: bool = True,
        seed: int | None = None,
        max_retries_per_trial: int = 0,
        max_consecutive_failed_trials: int = 3,
        pruner: Pruner | str | Mapping[str, Any] | None = None,
        sampler: Sampler | str | Mapping[str, Any] | None = None,
        scheduler: Scheduler | str | Mapping[str, Any] | None = None,
    ) -> None:
        if max_trials is not None:
            check_count("max_trials", max_trials, least=1)
        check_count("max_retries_per_trial", max_retries_per_trial, least=0)
        check_count("max_consecutive_failed_trials", max_consecutive_failed_trials, least=1)
        if hyperparameters is None and not (tune_new_entries and allow_new_entries):
            # As keras-tuner: without a given space nothing could ever be tuned.
            flag = "tune_new_entries" if not tune_new_entries else "allow_new_entries"
            raise ValueError(
                f"{flag}=False needs the search space given as hyperparameters=...: "
                "pass a HyperParameters with the definitions to tune, or leave "
                f"{flag}=True."
            )
        self.objective = create_objective(objective)
        self.max_trials = max_trials
        self.hyperparameters = hyperparameters.copy() if hyperparameters else HyperParameters()
        # Names given as hyperparameters=...: their definitions win over the ones a
        # build registers (keras-tuner's "tailor the search space").
        self._given_names = {hp.name for hp in self.hyperparameters.space}
        self.hyperparameters.override_definitions(self._given_names)
        self.allow_new_entries = allow_new_entries
        self.tune_new_entries = tune_new_entries
        # A seed drawn once and stored with the study keeps a resumed search reproducible.
        self.seed = int(seed) if seed is not None else int(np.random.SeedSequence().entropy % 2**31)
        self.max_retries_per_trial = max_retries_per_trial
        self.max_consecutive_failed_trials = max_consecutive_failed_trials
        self.pruner = make_pruner(pruner)
        #: Where new configurations go (None: a subclass proposes them itself).
        self.sampler: Sampler | None = (
            make_sampler(sampler) if sampler is not None or scheduler is not None else None
        )
        #: Fidelities and promotions (None: every trial runs in full).
        self.scheduler: Scheduler | None = make_scheduler(scheduler)
        if type(self) is Oracle and self.sampler is not None:
            self.algorithm_name = self.composed_name

        self.trials: dict[str, Trial] = {}
        #: The SQLite store this study writes through to (None until attached).
        self.store: Store | None = None
        # Where every state change goes: the attached store, else records in memory.
        self._records: StudyRecords = MemoryStore()
        self.stop_reason: str | None = None
        #: True when the last ``ask`` returned None only because running trials must be
        #: told first (parallel workers then ask again); the search is not over.
        self.waiting = False
        self._requeued: list[str] = []
        self._consecutive_failures = 0
        self._last_error: str | None = None
        self._reports = ReportedObjective(self.objective)
        #: keras-tuner's bookkeeping: the trial each tuner (by ``tuner_id``) is running.
        self.ongoing_trials: dict[str, Trial] = {}
        #: The ids of the trials ended in this process, in the order they ended.
        self.end_order: list[str] = []
        self.verbose: int | str = 1

    # ----------------------------------------------------------------- storage
    def settings(self) -> dict[str, Any]:
        """What identifies this study in its store (JSON-serialisable)."""
        algorithm_args = self._algorithm_args()
        if self.pruner is not None:
            algorithm_args["pruner"] = self.pruner.to_settings()
        return {
            "algorithm": self.algorithm_name,
            "objective": self.objective.get_config(),
            "max_trials": self.max_trials,
            "seed": self.seed,
            "space": self.hyperparameters.get_config(),
            "algorithm_args": algorithm_args,
        }

    def _algorithm_args(self) -> dict[str, Any]:
        """The constructor's own arguments, stored so :func:`load_oracle` rebuilds it."""
        args: dict[str, Any] = {}
        if self.sampler is not None:
            args["sampler"] = sampler_settings(self.sampler)
        if self.scheduler is not None:
            args["scheduler"] = scheduler_settings(self.scheduler)
        return args

    def _schedule_args(self) -> dict[str, Any]:
        """The arguments a resumed study must keep (those that shape its trials)."""
        return {} if self.scheduler is None else self.scheduler.schedule_config()

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> Oracle:
        """An oracle built from the settings a study stored (before attaching it)."""
        return cls(
            objective=Objective.from_config(settings["objective"]),
            max_trials=settings.get("max_trials"),
            seed=settings.get("seed"),
            **cls._stored_arguments(settings),
        )

    @staticmethod
    def _stored_arguments(settings: Mapping[str, Any]) -> dict[str, Any]:
        """The stored ``algorithm_args`` with pruner, sampler and scheduler rebuilt; a
        custom class among them cannot be rebuilt here (a reader does not need it)."""
        kwargs = dict(settings.get("algorithm_args", {}))
        pruner = kwargs.get("pruner")
        if isinstance(pruner, Mapping):
            try:
                kwargs["pruner"] = make_pruner(pruner)
            except TypeError:  # a custom pruner class: it cannot be rebuilt here
                kwargs["pruner"] = None
        for name, make in (("sampler", make_sampler), ("scheduler", make_scheduler)):
            if isinstance(kwargs.get(name), Mapping):
                try:
                    kwargs[name] = make(kwargs[name])
                except (TypeError, ValueError):  # a custom class: not rebuilt here
                    kwargs[name] = None if name == "scheduler" else "random"
        return kwargs

    def attach_store(self, store: Store, *, read_only: bool = False) -> None:
        """Write through to ``store`` and resume the study it holds, if any.

        ``read_only`` loads the study for inspection (summaries, exports) without
        writing anything back.

        Raises :class:`StudyMismatchError` when the store holds a study with another
        algorithm or objective: resuming it would mix incomparable results.
        """
        if not read_only:
            store.claim_writer()
        stored = store.load_study()
        if stored is not None:
            self._check_compatible(stored, store)
            self.seed = int(stored.get("seed", self.seed))
            stored_space = HyperParameters.from_config(stored["space"])
            self._merge_space(stored_space, from_store=True)
        for trial in store.load_trials():
            self.trials[trial.trial_id] = trial
            if trial.status is TrialStatus.RUNNING:
                self._requeued.append(trial.trial_id)
        if self.pruner is not None:
            self._reports.load(store.curve_points(), skip=set(self._requeued))
        self._restore_state()
        # A reader reads its curves from the store too; it never writes (nothing
        # it calls changes a trial), and a write to a read-only store would fail.
        self._records = store
        if not read_only:
            self.store = store
            self._save_study()

    def _check_compatible(self, stored: Mapping[str, Any], store: Store) -> None:
        fix = (
            f"To start afresh in {store.project_dir}, pass `overwrite=True`, "
            "or choose another project_name."
        )
        if stored.get("algorithm") != self.algorithm_name:
            raise StudyMismatchError(
                f"The store at {store.project_dir} holds a {stored.get('algorithm')!r} study, "
                f"not {self.algorithm_name!r}. {fix}"
            )
        stored_objective = Objective.from_config(stored["objective"])
        if stored_objective != self.objective:
            raise StudyMismatchError(
                f"The store at {store.project_dir} optimises {stored_objective}, "
                f"not {self.objective}. {fix}"
            )
        stored_args = stored.get("algorithm_args", {})
        for name, value in self._schedule_args().items():
            if name in stored_args and stored_args[name] != value:
                raise StudyMismatchError(
                    f"The store at {store.project_dir} holds a study with {name}="
                    f"{stored_args[name]!r}, not {value!r}: its trials follow that "
                    f"schedule. Pass {name}={stored_args[name]!r} to resume it. {fix}"
                )

    def _restore_state(self) -> None:
        """Hook for subclasses that derive state from the loaded trials."""
        if self.sampler is not None:
            self.sampler.reset()

    def _save_study(self) -> None:
        self._records.save_study(self.settings())

    def _save_trial(self, trial: Trial) -> None:
        self._records.save_trial(trial)

    # ------------------------------------------------------------------- space
    def update_space(self, hyperparameters: HyperParameters) -> None:
        """Learn hyperparameters a model registered while being built (define-by-run).

        New names are added unless ``allow_new_entries`` is False (then an error);
        with ``tune_new_entries=False`` they stay out of the space, so each build
        gives them their defaults. A name
        already known with a different definition means the hypermodel changed
        since the stored study began, which would silently mix results.
        """
        if self._merge_space(hyperparameters, from_store=False):
            self._save_study()

    def _merge_space(self, incoming: HyperParameters, *, from_store: bool) -> bool:
        """Merge ``incoming``'s definitions; return whether any name was new."""
        known: dict[str, list] = {}
        for hp in self.hyperparameters.space:
            known.setdefault(hp.name, []).append(hp)
        added = []
        for hp in incoming.space:
            same_name = known.get(hp.name, [])
            if any(k.same_definition(hp) for k in same_name):
                continue
            if not from_store and hp.name in self._given_names:
                continue  # the given definition overrides the build's
            # One name may live in several conditional branches; a different
            # definition under the same conditions means the hypermodel changed.
            clash = [k for k in same_name if k.conditions == hp.conditions]
            if clash:
                raise StudyMismatchError(
                    f"The hyperparameter {hp.name!r} is defined as {hp.describe()} now, "
                    f"but the study has it as {clash[0].describe()}. The hypermodel "
                    "changed since the study began: to start afresh, pass `overwrite=True`, "
                    "or choose another project_name."
                )
            if same_name:
                added.append(hp)
                continue
            if not from_store and not self.allow_new_entries:
                raise StudyMismatchError(
                    f"`allow_new_entries` is `False`, but the hypermodel registered "
                    f"{hp.name!r}, which is not in the given hyperparameters. Add it to "
                    "hyperparameters=..., or pass allow_new_entries=True."
                )
            added.append(hp)
        if not added:
            return False
        if not from_store and not self.tune_new_entries:
            # keras-tuner's rule: names the build adds stay out of the space, so every
            # trial's build gives them their defaults.
            return False
        self.hyperparameters.merge(added)
        return True

    def given_hyperparameters(self) -> HyperParameters:
        """The definitions given as ``hyperparameters=``, for a build to start from.

        A build that registers one of these names again gets the given definition's
        value, whatever its own definition says.
        """
        given = HyperParameters()
        given.merge([hp for hp in self.hyperparameters.space if hp.name in self._given_names])
        given.override_definitions(self._given_names)
        return given

    # ----------------------------------------------------------------- ask/tell
    def ask(self) -> Trial | None:
        """The next trial to run, or ``None`` when the search is over.

        When it returns ``None``, :attr:`stop_reason` says why (budget spent,
        space exhausted), or :attr:`waiting` is True: nothing can be handed out until
        running trials are told. Crashed trials found at resume come back first.
        """
        self.waiting, self.stop_reason = False, None
        if self._requeued:
            trial = self.trials[self._requeued.pop(0)]
            return self._restart(trial)
        if self._budget_spent():
            return None
        number = len(self.trials)
        trial_id = self._trial_id(number)
        if self._nothing_declared_yet():
            # Every trial so far failed before declaring a hyperparameter: the empty
            # space is not used up, the next trial must show the error again (and
            # max_consecutive_failed_trials ends the search quoting it).
            values: dict[str, Any] | None = {}
        else:
            values = self._next_values(number)
        if values is None:
            return None
        hyperparameters = self.hyperparameters.with_values(values)
        if self._populates_itself:
            # keras-tuner keeps what a custom oracle returns, names it never declared too.
            registered = {hp.name for hp in self.hyperparameters.space}
            hyperparameters.values.update({k: v for k, v in values.items() if k not in registered})
        trial = Trial(
            trial_id=trial_id,
            number=number,
            hyperparameters=hyperparameters,
            started_at=time.time(),
        )
        self.trials[trial.trial_id] = trial
        self._save_trial(trial)
        return trial

    @property
    def _populates_itself(self) -> bool:
        """Whether a subclass answers keras-tuner's ``populate_space`` hook itself."""
        return type(self).populate_space is not Oracle.populate_space

    def _nothing_declared_yet(self) -> bool:
        return (
            not self.hyperparameters.space
            and not self._populates_itself
            and bool(self.trials)
            and not any(t.status.has_result for t in self.trials.values())
        )

    def _budget_spent(self) -> bool:
        """Whether ``max_trials`` trials exist (then ``stop_reason`` says so)."""
        if self.scheduler is not None and self.scheduler.owns_budget:
            return False  # the scheduler counts (configurations, or its own schedule)
        if self.max_trials is not None and len(self.trials) >= self.max_trials:
            self.stop_reason = f"max_trials={self.max_trials} reached."
            return True
        return False

    def _restart(self, trial: Trial) -> Trial:
        trial.status = TrialStatus.RUNNING
        trial.started_at = time.time()
        trial.ended_at = None
        trial.score = None
        trial.best_step = None
        trial.metrics = {}
        trial.executions = 0
        trial.epochs = 0
        self._reports.forget(trial.trial_id)
        self._records.clear_metrics(trial.trial_id)
        self._save_trial(trial)
        return trial

    def _trial_id(self, number: int) -> str:
        width = max(2, len(str(self.max_trials - 1))) if self.max_trials else 4
        trial_id = f"{number:0{width}d}"
        while trial_id in self.trials:  # a resumed study may have used another width
            trial_id = f"{number:0{len(trial_id) + 1}d}"
        return trial_id

    def _propose(self, number: int) -> dict[str, Any] | None:
        """Values for the next trial, or None (with ``stop_reason`` or ``waiting`` set).

        The scheduler's answer when there is one, else the sampler's. A subclass
        may override it (keras-tuner's custom oracles override ``populate_space``).
        """
        if self.sampler is None:
            raise NotImplementedError(
                f"{type(self).__name__} must override populate_space(trial_id) "
                "(keras-tuner's hook), or be given a sampler=... (tunesmith.samplers)."
            )
        context = self.sampling_context(number)
        if self.scheduler is not None:
            return self._accept(self.scheduler.next_trial(context, self.sampler))
        return self._accept(self.sampler.sample(context))

    def full_training_epochs(self) -> int | None:
        """The epochs of full training when a scheduler sets fidelities (Hyperband's
        ``max_epochs``), else None; an oracle's own ``max_epochs`` attribute wins.

        Example:
            >>> from tunesmith.oracles import HyperbandOracle
            >>> HyperbandOracle(objective="loss", max_epochs=9).full_training_epochs()
            9
        """
        epochs = getattr(self, "max_epochs", None)  # its own, as keras-tuner's Hyperband
        if epochs is None and self.scheduler is not None:
            epochs = getattr(self.scheduler, "max_epochs", None)
        return None if epochs is None else int(epochs)

    def sampling_context(self, number: int | None = None) -> SamplingContext:
        """What a sampler sees now: the space, the trials, the objective, the seed.

        Example:
            >>> oracle.sampling_context().trials  # doctest: +SKIP
            (Trial(...), ...)
        """
        number = len(self.trials) if number is None else number
        trials = tuple(sorted(self.trials.values(), key=lambda t: t.number))
        return SamplingContext(
            self.hyperparameters, trials, self.objective, self.seed, number, self.max_trials
        )

    def _accept(self, answer: Proposal) -> dict[str, Any] | None:
        """A sampler's or scheduler's answer as values, or None with ``waiting`` or
        ``stop_reason`` set: the one place those attributes are written."""
        if isinstance(answer, Wait):
            self.waiting, self.stop_reason = True, None
            return None
        if isinstance(answer, Exhausted):
            # The first reason given in this ask stands (a keras-tuner hook that
            # calls the ready-made algorithm gives its reason before its STOPPED).
            self.stop_reason = self.stop_reason or answer.reason
            return None
        return dict(answer)

    def _next_values(self, number: int) -> dict[str, Any] | None:
        """The algorithm's values, through :meth:`populate_space` when a subclass
        overrides it (keras-tuner's hook), so an oracle written for keras-tuner works."""
        if not self._populates_itself:
            return self._propose(number)
        hook = PopulateSpaceSampler(self.populate_space, self._trial_id, type(self).__name__)
        return self._accept(hook.sample(self.sampling_context(number)))

    def populate_space(self, trial_id: str) -> dict[str, Any]:
        """keras-tuner's hook: ``{"status": ..., "values": {...}}`` for a new trial.

        Override it in a custom oracle (as for keras-tuner): status ``"RUNNING"``
        with the values to try (missing ones take their defaults), ``"IDLE"`` when
        nothing can start until running trials end, ``"STOPPED"`` when the search
        is over. The ready-made oracles answer it from their own algorithm, so a
        subclass may call ``super().populate_space(trial_id)`` and adjust.

        Example:
            >>> class Halving(Oracle):
            ...     def populate_space(self, trial_id):
            ...         if len(self.trials) >= 3:
            ...             return {"status": "STOPPED", "values": None}
            ...         return {"status": "RUNNING", "values": {"x": 0.5 ** len(self.trials)}}
        """
        values = self._propose(len(self.trials))
        if values is None:
            status = TrialStatus.IDLE if self.waiting else TrialStatus.STOPPED
            return {"status": status.value, "values": None}
        return {"status": TrialStatus.RUNNING.value, "values": values}

    def _random_values(self) -> dict[str, Any] | None:
        """Random values not tried yet, or None when the space is used up (keras-tuner's
        helper for custom oracles)."""
        return self._accept(random_untried(self.sampling_context()))

    def report(
        self, trial: Trial, step: int, metrics: Mapping[str, float], execution: int = 0
    ) -> bool:
        """Record one step's metrics of a running trial; return whether to go on.

        Without a pruner the answer is always True. With one, the objective's value
        at this step (the mean over the executions that reached it) is compared
        with the other trials' (see :class:`~tunesmith.pruners.Pruner`); a step
        whose logs lack the objective, or hold a non-finite one, never stops a trial.
        """
        clean = {k: float(v) for k, v in metrics.items() if _is_number(v)}
        self._records.append_metrics(trial.trial_id, execution, step, clean)
        if self.pruner is not None and not self._reports.record(
            trial.trial_id, execution, step, clean
        ):
            return True
        return self._should_continue(trial, step, clean)

    def _should_continue(self, trial: Trial, step: int, metrics: Mapping[str, float]) -> bool:
        """Whether ``trial`` goes on after ``step``: the pruner's answer, if any."""
        if self.pruner is None:
            return True
        others = [
            TrialCurve(self._reports.curve(trial_id), self.trials[trial_id].status)
            for trial_id in self._reports.trial_ids()
            if trial_id != trial.trial_id and trial_id in self.trials
        ]
        return not self.pruner.should_stop(step, self._reports.curve(trial.trial_id), others)

    def tell(
        self,
        trial: Trial,
        result: float | Mapping[str, float] | None = None,
        *,
        error: BaseException | str | None = None,
        best_step: int | None = None,
        executions: int | None = None,
        epochs: int | None = None,
        stopped_early: bool = False,
    ) -> Trial:
        """End ``trial`` with its result, or with the error that ended it.

        ``result`` is the objective's value or a dict of metrics holding it. A NaN or
        infinite objective makes the trial INVALID (it can never be the best). An
        error makes it FAILED with the traceback stored, or sends it back to the
        queue while ``max_retries_per_trial`` allows. Once
        ``max_consecutive_failed_trials`` trials in a row have failed, raises
        :class:`TooManyFailedTrialsError` quoting the last traceback (after storing).
        A trial that already ended cannot be told again: its result stays.
        """
        if trial.status.is_finished:
            raise InvalidArgumentError(
                f"Trial {trial.trial_id} already ended ({trial.status.value}, score "
                f"{trial.score}); a trial is told once. Ask for a new trial instead."
            )
        trial.ended_at = time.time()
        if executions is not None:
            trial.executions = executions
        if epochs is not None:
            trial.epochs = epochs
        if error is not None:
            return self._tell_failure(trial, error)

        metrics: dict[str, float]
        if isinstance(result, Mapping):
            metrics = {k: float(v) for k, v in result.items() if _is_number(v)}
            try:
                score = self.objective.value_from(metrics)
            except ValueError as exc:
                return self._tell_failure(trial, exc)
        elif result is None:
            return self._tell_failure(trial, "The trial ended without a result.")
        else:
            score = float(result)
            metrics = {self.objective.name: score}
        return self._finish(trial, score, metrics, best_step, stopped_early)

    def _finish(
        self,
        trial: Trial,
        score: float,
        metrics: Mapping[str, float],
        best_step: int | None,
        stopped_early: bool,
    ) -> Trial:
        """Record a trial's result: COMPLETED, STOPPED, or INVALID for a non-finite score."""
        trial.ended_at = trial.ended_at or time.time()
        trial.score = score
        trial.metrics = dict(metrics)
        trial.best_step = best_step
        trial.stopped_early = stopped_early
        trial.error = None
        if not math.isfinite(score):
            trial.status = TrialStatus.INVALID
            trial.error = (
                f"The objective {self.objective.name!r} was {score}: the trial cannot be "
                "ranked. Lower the learning rate, clip gradients, or check the data for NaNs."
            )
        else:
            trial.status = TrialStatus.STOPPED if stopped_early else TrialStatus.COMPLETED
        self._consecutive_failures = 0
        self._save_trial(trial)
        self._on_trial_end(trial)
        self._forget_ongoing(trial)
        return trial

    @property
    def start_order(self) -> list[str]:
        """The ids of every trial, in the order they were created (keras-tuner's name)."""
        return [t.trial_id for t in sorted(self.trials.values(), key=lambda t: t.number)]

    def _duplicate(self, values: Mapping[str, Any]) -> bool:
        """Whether ``values`` were already tried, pending trials included (keras-tuner's
        helper for custom oracles)."""
        return config_key(dict(values)) in {config_key(t.values) for t in self.trials.values()}

    def _populate_space(self, trial_id: str) -> dict[str, Any]:
        warnings.warn(
            "Oracle._populate_space is deprecated: override and call populate_space.",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.populate_space(trial_id)

    def _score_trial(self, trial: Trial) -> None:
        warnings.warn(
            "Oracle._score_trial is deprecated: override and call score_trial.",
            DeprecationWarning,
            stacklevel=2,
        )
        self.score_trial(trial)

    def _forget_ongoing(self, trial: Trial) -> None:
        if trial.status.is_finished and trial.trial_id not in self.end_order:
            self.end_order.append(trial.trial_id)
        for tuner_id, ongoing in list(self.ongoing_trials.items()):
            if ongoing.trial_id == trial.trial_id:
                del self.ongoing_trials[tuner_id]

    def _tell_failure(
        self, trial: Trial, error: BaseException | str, retryable: bool | None = None
    ) -> Trial:
        text = format_trial_error(error)
        trial.ended_at = trial.ended_at or time.time()
        if retryable is None:
            retryable = not isinstance(error, FailedTrialError)
        if retryable and trial.attempts <= self.max_retries_per_trial:
            trial.attempts += 1
            trial.error = text
            self._requeued.insert(0, trial.trial_id)
            self._save_trial(trial)
            self._forget_ongoing(trial)
            return trial
        trial.status = TrialStatus.FAILED
        trial.error = text
        trial.score = None
        self._save_trial(trial)
        self._consecutive_failures += 1
        self._last_error = text
        self._on_trial_end(trial)
        self._forget_ongoing(trial)
        if self._consecutive_failures >= self.max_consecutive_failed_trials:
            raise TooManyFailedTrialsError(
                "Number of consecutive failures exceeded the limit of "
                f"{self.max_consecutive_failed_trials}: {self._consecutive_failures} trials "
                f"in a row failed (max_consecutive_failed_trials="
                f"{self.max_consecutive_failed_trials}); the search stops. The stored trials "
                "are kept. Last error:\n" + text
            )
        return trial

    def _on_trial_end(self, trial: Trial) -> None:
        """Hook for subclasses that update a model of the objective."""

    def all_failed(self) -> str | None:
        """When every ended trial failed (none scored), what to tell the user; else None.

        A search that ends this way found nothing; the tuners raise it as
        :class:`~tunesmith.errors.TooManyFailedTrialsError` at ``verbose=0``, where no
        line of output would show it, and print it otherwise.

        Example:
            >>> oracle.all_failed()                         # doctest: +SKIP
            'All 2 trials failed, so no trial has a score. The last error: ...'
        """
        ended = [t for t in self.trials.values() if t.status.is_finished]
        if not ended or any(t.status is not TrialStatus.FAILED for t in ended):
            return None
        last = max(ended, key=lambda t: (t.ended_at or 0.0, t.number))
        return (
            f"All {len(ended)} trials failed, so no trial has a score; fix the error below "
            "and search again (the failed trials are stored). The last error:\n"
            + (last.error or "(no message)")
        )

    # ------------------------------------------------- keras-tuner's protocol
    @synchronized
    def create_trial(self, tuner_id: str = "tuner0") -> Trial:
        """keras-tuner's ask: a new trial for ``tuner_id``, or its current one.

        When the search is over the trial returned has status ``STOPPED`` (and when
        nothing can start until running trials end, ``IDLE``); neither is stored.

        Example:
            >>> from tunesmith.oracles import RandomSearchOracle
            >>> from tunesmith import HyperParameters
            >>> hp = HyperParameters()
            >>> _ = hp.Float("x", 0.0, 1.0)
            >>> oracle = RandomSearchOracle(objective="loss", max_trials=1,
            ...                             hyperparameters=hp, seed=0)
            >>> trial = oracle.create_trial("tuner0")
            >>> _ = oracle.update_trial(trial.trial_id, {"loss": 0.3})
            >>> trial.status = "COMPLETED"
            >>> oracle.end_trial(trial)
            >>> oracle.create_trial("tuner0").status
            <TrialStatus.STOPPED: 'STOPPED'>
        """
        if tuner_id in self.ongoing_trials:
            return self.ongoing_trials[tuner_id]
        trial = self.ask()
        if trial is None:
            status = TrialStatus.IDLE if self.waiting else TrialStatus.STOPPED
            return Trial(
                self.hyperparameters.copy(), trial_id=None, status=status, message=self.stop_reason
            )
        self.ongoing_trials[tuner_id] = trial
        return trial

    @synchronized
    def update_trial(self, trial_id: str, metrics: Mapping[str, float], step: int = 0) -> Trial:
        """keras-tuner's report: record ``metrics`` of a running trial at ``step``.

        The values join the trial's tracker (``trial.metrics.get_history``), the
        store's curves and, with a pruner, its decision: the trial returned has
        ``stopped_early`` set when it should stop.
        """
        trial = self.trials[str(trial_id)]
        if not self.objective.has_value(metrics) and not trial.metrics.exists(self.objective.name):
            raise ValueError(
                f"Objective value missing in metrics reported to the Oracle: the objective "
                f"{self.objective.name!r} is not among {sorted(metrics)}. Report it, or "
                "choose one of these names as objective."
            )
        go_on = self.report(trial, int(step), metrics)
        self._track(trial, metrics, step)
        if not go_on:
            trial.stopped_early = True
        return trial

    def _track(self, trial: Trial, metrics: Mapping[str, float], step: int | float) -> None:
        """Add ``metrics`` at ``step`` to the trial's tracker (keras-tuner's history)."""
        values = {k: float(v) for k, v in metrics.items() if _is_number(v)}
        if self.objective.name not in values:
            # The objective may come in a later report.
            with contextlib.suppress(ValueError):
                values[self.objective.name] = self.objective.value_from(values)
        for name, value in values.items():
            if not trial.metrics.exists(name):
                direction = (
                    self.objective.direction
                    if name == self.objective.name
                    else infer_direction(name) or "min"
                )
                trial.metrics.register(name, direction=direction)
            trial.metrics.update(name, value, step=step)

    def score_trial(self, trial: Trial) -> None:
        """Set ``trial.score`` and ``trial.best_step`` from what was reported.

        keras-tuner's hook, called by :meth:`end_trial` for a completed trial: the
        best value of the objective over the steps reported. Override it to score
        trials another way.
        """
        name = self.objective.name
        if trial.metrics.exists(name):
            trial.score = trial.metrics.get_best_value(name)
            trial.best_step = trial.metrics.get_best_step(name)

    @synchronized
    def end_trial(self, trial: Trial | str, status: str | None = None) -> None:
        """keras-tuner's tell: end ``trial`` with the status its tuner set.

        ``"COMPLETED"`` scores it (:meth:`score_trial`) from what
        :meth:`update_trial` recorded; ``"INVALID"`` (keras-tuner's "crashed, may be
        retried") retries it while ``max_retries_per_trial`` allows, then fails it;
        ``"FAILED"`` fails it at once. ``trial.message`` is kept as its error. The
        older form ``end_trial(trial_id, status)`` works too.
        """
        if not isinstance(trial, Trial):
            trial_id, given = str(trial), status
            trial = self.trials[trial_id]
            trial.status = given or TrialStatus.COMPLETED
        stored = self.trials[trial.trial_id]
        if stored is not trial:  # a copy sent back (keras-tuner's workers did)
            stored.hyperparameters = trial.hyperparameters
            stored.status, stored.error = trial.status, trial.error
            trial = stored
        self.update_space(trial.hyperparameters)
        if trial.status in (TrialStatus.COMPLETED, TrialStatus.STOPPED):
            stopped = trial.status is TrialStatus.STOPPED or trial.stopped_early
            trial.score = None
            self.score_trial(trial)
            if trial.score is None:
                self._tell_failure(
                    trial,
                    f"Trial {trial.trial_id} ended COMPLETED without reporting the "
                    f"objective {self.objective.name!r}: report it with "
                    "update_trial(trial_id, {name: value}) before end_trial, or "
                    "return it from run_trial.",
                    retryable=False,
                )
                return
            step = trial.best_step if trial.best_step is not None else 0
            at_best = {name: _value_at(trial, name, step) for name in trial.metrics.metrics}
            metrics = {k: v for k, v in at_best.items() if v is not None}
            metrics[self.objective.name] = float(trial.score)
            self._finish(trial, float(trial.score), metrics, trial.best_step, stopped)
        else:
            retryable = trial.status is TrialStatus.INVALID
            self._tell_failure(trial, trial.error or "The trial failed.", retryable=retryable)

    def save(self) -> None:
        """Write the study's settings (trials are written as they change)."""
        self._save_study()

    def reload(self) -> None:
        """Read the trials back from the attached store."""
        if self.store is not None:
            for trial in self.store.load_trials():
                self.trials[trial.trial_id] = trial

    def _set_project_dir(self, directory: str | Path, project_name: str) -> None:
        """keras-tuner's way to give an oracle its folder: attach the store there."""
        from tunesmith.store import Store

        if self.store is None:
            self.attach_store(Store.open(Path(directory) / project_name))

    # ----------------------------------------------------------------- results
    def get_best_trials(self, num_trials: int = 1) -> list[Trial]:
        """The ``num_trials`` best finished trials, best first (invalid and failed excluded)."""
        ranked = [t for t in self.trials.values() if t.has_valid_score]
        # Ties on the score: the lower loss of the same data, then the earlier trial.
        ranked.sort(key=lambda t: self.objective.rank_key(t.score, t.metrics or {}, t.number))
        return ranked[:num_trials]

    @property
    def remaining_trials(self) -> int | None:
        if self.max_trials is None:
            return None
        return max(0, self.max_trials - len(self.trials)) + len(self._requeued)

    def get_space(self) -> HyperParameters:
        return self.hyperparameters.copy()

    def get_trial(self, trial_id: str) -> Trial:
        return self.trials[trial_id]

    def curves(self, trial_id: str) -> list[tuple[int, int, dict[str, float]]]:
        """Per-step metrics of a trial as (execution, step, metrics) tuples."""
        return [(p.execution, p.step, p.metrics) for p in self._records.curve_points(trial_id)]


def _value_at(trial: Trial, name: str, step: int) -> float | None:
    """The tracked value of ``name`` at ``step`` (averaged), else its last value."""
    history = trial.metrics.get_history(name)
    for observation in history:
        if observation.step == step:
            return observation.mean()
    return trial.metrics.get_last_value(name) if history else None


def _is_number(value: Any) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return not isinstance(value, (str, bytes))
