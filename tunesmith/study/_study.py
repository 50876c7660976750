"""The study: a trial's whole life (ask, report, tell) in one place, over one storage."""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from tunesmith.constraints import Constraint, as_constraints
from tunesmith.errors import (
    InvalidArgumentError,
    check_count,
)
from tunesmith.objective import Objective, Pareto, create_objective
from tunesmith.pruners import Pruner, TrialCurve, make_pruner
from tunesmith.ranking import best_trials, pareto_front
from tunesmith.samplers import (
    Exhausted,
    Proposal,
    Sampler,
    SamplingContext,
    TrialFollower,
    TrialsInOrder,
    TriedKeys,
    Wait,
    make_sampler,
)
from tunesmith.schedulers import Scheduler, make_scheduler
from tunesmith.space import HyperParameters, config_key
from tunesmith.store import SETTINGS_FORMAT, MemoryStore, Storage
from tunesmith.study._budget import Plateau, TimeBudget, ended_scores, parse_duration
from tunesmith.study._enqueue import EnqueuedFirst, already_run, checked_values, pop_untried
from tunesmith.study._import import ImportReport
from tunesmith.study._import_keras_tuner import import_keras_tuner
from tunesmith.study._import_optuna import import_optuna
from tunesmith.study._reports import ReportedObjective
from tunesmith.study._results import TrialResult, numbers_only
from tunesmith.study._settings import part_settings, pruner_settings
from tunesmith.study._space import GrowingSpace
from tunesmith.study._storage import StudyStorage
from tunesmith.study._tell import tell_trial
from tunesmith.trial import Trial, TrialStatus


def _fresh_seed() -> int:
    """A seed below 2**31 from fresh OS entropy."""
    entropy = np.random.SeedSequence().entropy
    assert isinstance(entropy, int)  # drawn here, not given: one int
    return int(entropy % 2**31)


class Study(StudyStorage):
    """Hands out trials (``ask``), hears about their steps (``report``), ends them (``tell``).

    A study owns the trials' lifecycle: pending trials, retries, the
    consecutive-failure limit, the space as it grows, and every write to its
    storage. Which values to try next is its ``sampler``'s answer
    (:mod:`tunesmith.samplers`); with a ``scheduler`` (:mod:`tunesmith.schedulers`)
    the scheduler decides fidelities and promotions and asks the sampler for new
    configurations; a ``pruner`` (:mod:`tunesmith.pruners`) may answer a report
    with "stop". Several trials may be asked before any is told (parallel workers):
    when nothing can be handed out until one is told, :meth:`ask` returns ``None``
    with :attr:`waiting` True. It knows nothing of Keras; keras-tuner's oracle
    protocol is :class:`~tunesmith.oracles.Oracle`, built on this class.

    Example:
        >>> from tunesmith import HyperParameters
        >>> hp = HyperParameters(); _ = hp.Float("x", -2.0, 2.0)
        >>> study = Study(objective="loss", max_trials=5, hyperparameters=hp, seed=1,
        ...               sampler="random")
        >>> while (trial := study.ask()) is not None:
        ...     _ = study.tell(trial, {"loss": trial.values["x"] ** 2})
        >>> len(study.get_best_trials(1)), study.stop_reason
        (1, 'max_trials=5 reached.')
    """

    #: Stored with the study so a resumed search refuses a different algorithm.
    algorithm_name = "base"
    #: The name of a study given a ``sampler=`` / ``scheduler=`` directly.
    composed_name = "composed"
    #: Whether its trials carry ``tuner/epochs`` (a scheduler decides fidelities).
    multi_fidelity = False
    #: Set on the classes that take any sampler (not on a named algorithm): given
    #: one, their studies are stored as ``composed_name``.
    _plain = True

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
        max_time: float | str | None = None,
        stop_on_plateau: Plateau | None = None,
        constraints: object = None,
    ) -> None:
        if max_trials is not None:
            check_count("max_trials", max_trials, least=1)
        check_count("max_retries_per_trial", max_retries_per_trial, least=0)
        check_count("max_consecutive_failed_trials", max_consecutive_failed_trials, least=1)
        self.space = GrowingSpace(
            hyperparameters,
            allow_new_entries=allow_new_entries,
            tune_new_entries=tune_new_entries,
        )
        self.objective = create_objective(objective)
        self.max_trials = max_trials
        # A seed drawn once and stored with the study keeps a resumed search reproducible.
        self.seed = int(seed) if seed is not None else _fresh_seed()
        self.max_retries_per_trial: int = max_retries_per_trial
        self.max_consecutive_failed_trials: int = max_consecutive_failed_trials
        self.pruner = make_pruner(pruner)
        if isinstance(self.objective, Pareto) and self.pruner is not None:
            raise InvalidArgumentError(
                f"The {type(self.pruner).__name__} compares one number per step, and a "
                f"Pareto objective has {len(self.objective.objectives)}: a trial early on "
                "may trail in one objective and lead in another. Stop poor trials early "
                "with a scheduler instead (Hyperband or ASHA promote by non-dominated "
                "sorting), or drop pruner=."
            )
        self._constraints: list[Constraint] = as_constraints(constraints)
        #: Where trials told without running came from (``add_trial``, an import),
        #: by trial id; they do not count against ``max_trials``.
        self.origins: dict[str, str] = {}
        #: Where new configurations go (None: a subclass proposes them itself).
        self.sampler: Sampler | None = (
            make_sampler(sampler) if sampler is not None or scheduler is not None else None
        )
        #: Fidelities and promotions (None: every trial runs in full).
        self.scheduler: Scheduler | None = make_scheduler(scheduler)
        if type(self).__dict__.get("_plain", False) and self.sampler is not None:
            self.algorithm_name = self.composed_name
        #: Every trial by id, in the order of their numbers (a trial's number is the
        #: count of trials before it; a store's are loaded in that order).
        self.trials: dict[str, Trial] = {}
        # The tried configurations, updated per ask rather than rebuilt (samplers read
        # them through the context).
        self._tried_index = TriedKeys(self.trials)
        # The finished trials max_trials counts, likewise kept up to date.
        self._run_follower, self._settled_runs = TrialFollower(self.trials), 0
        self.storage: Storage = MemoryStore()
        self.read_only = False
        self.stop_reason: str | None = None
        #: True when the last ``ask`` returned None only because running trials must be
        #: told first (parallel workers then ask again); the search is not over.
        self.waiting = False
        self._requeued: list[str] = []
        self._consecutive_failures: int = 0
        self._reports = ReportedObjective(self.objective)
        #: The ids of the trials ended in this process, in the order they ended.
        self.end_order: list[str] = []
        self._ended_ids: set[str] = set()  # end_order's ids, for a constant-time check
        self._time = TimeBudget(parse_duration(max_time))
        # Configurations enqueued by hand, run before the sampler's (stored).
        self._enqueued: list[dict[str, Any]] = []
        self._from_queue = False  # whether the last proposal was an enqueued one
        self._plateau: Plateau | None = _checked_plateau(stop_on_plateau)

    # ------------------------------------------------------------------ budget
    @property
    def max_time(self) -> float | None:
        """Seconds the whole search may take, across resumes (None: no limit).

        No trial starts once it is spent, and running trials stop at their next
        report (STOPPED, their epochs kept). Set it as seconds or a text such as
        ``"90m"`` or ``"1h30m"``.
        """
        return self._time.max_time

    @max_time.setter
    def max_time(self, value: float | str | None) -> None:
        self._time.max_time = parse_duration(value)

    # ----------------------------------------------------------- warm starts
    def enqueue_trial(self, values: Mapping[str, Any]) -> None:
        """Run ``values`` next, before any configuration the sampler proposes.

        Enqueued configurations run in the order given and never twice: one that
        a trial already has (a resumed script enqueuing again) is skipped. Missing
        names are drawn by the sampler (and a scheduler gives the fidelity); the
        queue is stored with the study, so it survives a crash. A value outside its
        definition is refused here, before anything is enqueued.

        Example:
            >>> from tunesmith import HyperParameters
            >>> hp = HyperParameters(); _ = hp.Int("units", 8, 64); _ = hp.Float("lr", 1e-4, 1e-1)
            >>> study = Study(objective="loss", hyperparameters=hp, sampler="random", seed=0)
            >>> study.enqueue_trial({"units": 32})
            >>> study.ask().values["units"]
            32
        """
        checked = checked_values(values, self.hyperparameters)
        queued = [config_key(v) for v in self._enqueued]
        if config_key(checked) in queued or already_run(checked, self.trials.values()):
            return  # queued or run already: never twice
        self._enqueued.append(checked)
        self._save_study()

    def _next_enqueued(self) -> dict[str, Any] | None:
        """The first enqueued configuration no trial has yet (those that have one are
        dropped), for a study that proposes values itself."""
        queued = len(self._enqueued)
        taken = pop_untried(self._enqueued, self.trials.values())
        if len(self._enqueued) != queued:
            self._save_study()
        self._from_queue = taken is not None
        return taken

    def add_trial(
        self,
        values: Mapping[str, Any],
        metrics: Mapping[str, float] | float,
        *,
        origin: str = "added",
        best_step: int = 0,
    ) -> Trial:
        """Tell a result obtained elsewhere, without running it: a finished trial.

        ``metrics`` holds the objective (every objective of a
        :class:`~tunesmith.Pareto`; a plain number is the objective's value); the
        constraints are evaluated on them as for any trial. The trial is stored
        COMPLETED, the sampler learns from it, the report shows it, and it does not
        count against ``max_trials``. Values outside their definition, or names the
        space does not have once it is known, are refused with nothing stored.

        Example:
            >>> from tunesmith import HyperParameters
            >>> hp = HyperParameters(); _ = hp.Int("units", 8, 64)
            >>> study = Study(objective="loss", hyperparameters=hp, max_trials=1,
            ...               sampler="random", seed=0)
            >>> study.add_trial({"units": 32}, {"loss": 0.25}).status.value
            'COMPLETED'
            >>> study.ask() is not None  # the added trial does not use up max_trials
            True
        """
        checked = checked_values(values, self.hyperparameters, action="add_trial")
        declared = {hp.name for hp in self.hyperparameters.space}
        unknown = sorted(name for name in checked if declared and name not in declared)
        if unknown:
            raise InvalidArgumentError(
                f"add_trial: {unknown} are not hyperparameters of this search (it has "
                f"{sorted(declared)}); nothing was added. Rename them, or declare them."
            )
        if isinstance(metrics, Mapping):
            result: dict[str, float] = numbers_only(metrics)
        else:
            result = {self.objective.name: float(metrics)}
        if not self.objective.has_value(result):
            missing = (
                self.objective.names
                if isinstance(self.objective, Pareto)
                else [self.objective.name]
            )
            raise InvalidArgumentError(
                f"add_trial: the metrics {sorted(result)} lack the objective "
                f"{[m for m in missing if m not in result]}; nothing was added."
            )
        number = len(self.trials)
        hyperparameters = self.hyperparameters.with_values(checked)
        for name, value in checked.items():
            if name not in declared:
                # A space not learnt yet (define-by-run): the trial's own copy declares
                # the value as fixed, so the store keeps it and reads it back.
                hyperparameters.Fixed(name, value)
        trial = Trial(
            trial_id=self._trial_id(number),
            number=number,
            hyperparameters=hyperparameters,
            started_at=time.time(),
        )
        self.trials[trial.trial_id] = trial
        self.origins[trial.trial_id] = str(origin)
        try:
            tell_trial(self, trial, TrialResult(metrics=result, best_step=best_step, executions=0))
        except BaseException:
            self.trials.pop(trial.trial_id, None)
            self.origins.pop(trial.trial_id, None)
            raise
        self._save_study()
        return trial

    def import_keras_tuner(self, path: str | os.PathLike[str]) -> ImportReport:
        """Import an earlier keras-tuner search from its project folder.

        ``path`` is keras-tuner's ``<directory>/<project_name>`` (``oracle.json`` and
        ``trial_*/trial.json``; only these are read). Each COMPLETED trial is added
        as by :meth:`add_trial`, with its metrics at its best step and the origin
        ``"keras-tuner: <folder> trial <id>"``; the others (failed, invalid, never
        finished) are skipped, as are trials whose values do not fit this study's
        space and trials imported before (so importing twice adds nothing). The
        returned :class:`~tunesmith.study.ImportReport` says which, and why.

        A folder that is not a keras-tuner project, or one searched for another
        objective, is refused before anything is added.

        Example:
            >>> study.import_keras_tuner("runs/kt_project")  # doctest: +SKIP
            ImportReport('keras-tuner: .../runs/kt_project', imported=5, skipped=0)
        """
        return import_keras_tuner(self, Path(path))

    def import_optuna(self, storage: Any, study_name: str) -> ImportReport:
        """Import an earlier optuna study (needs ``pip install "tunesmith[optuna]"``).

        ``storage`` is what optuna takes as ``storage=`` (an URL such as
        ``"sqlite:///optuna.db"``). It is read with ``optuna.load_study``; each
        COMPLETE trial's values go to this study's objectives in order (several
        values: a :class:`~tunesmith.Pareto` with as many objectives), its params
        must fit the space, and it is added as by :meth:`add_trial`, with the
        origin ``"optuna: <storage> <study_name> trial <number>"``. Pruned, failed
        and unfinished trials are skipped, and so are trials imported before.

        A study name the storage lacks (the error lists those it has), or an optuna
        study of other objectives or directions, is refused before anything is
        added.

        Example:
            >>> study.import_optuna("sqlite:///optuna.db", "mlp")  # doctest: +SKIP
            ImportReport('optuna: mlp in sqlite:///optuna.db', imported=40, skipped=2)
        """
        return import_optuna(self, storage, study_name)

    @property
    def enqueued(self) -> tuple[dict[str, Any], ...]:
        """The configurations enqueued and not handed out yet, in order."""
        return tuple(dict(values) for values in self._enqueued)

    @property
    def constraints(self) -> list[Constraint]:
        """Limits a trial must respect to count (:mod:`tunesmith.constraints`).

        Set them as a :class:`~tunesmith.Constraint`, a function of the trial
        returning values that must be ``<= 0``, or a list of those.
        """
        return self._constraints

    @constraints.setter
    def constraints(self, value: object) -> None:
        self._constraints = as_constraints(value)

    @property
    def stop_on_plateau(self) -> Plateau | None:
        """End the search once the best value stops improving (a :class:`Plateau`)."""
        return self._plateau

    @stop_on_plateau.setter
    def stop_on_plateau(self, rule: Plateau | None) -> None:
        self._plateau = _checked_plateau(rule)

    @property
    def time_spent(self) -> float:
        """Seconds of search so far, earlier processes' included."""
        return self._time.spent

    def _search_over(self) -> bool:
        """Whether the time budget or the plateau rule ends the search (then
        ``stop_reason`` says so)."""
        if self._time.exhausted:
            self.stop_reason = self._time.reason()
            return True
        plateau = self._plateau
        if plateau is not None and plateau.reached(
            ended_scores(self.trials.values()), self.objective
        ):
            self.stop_reason = plateau.reason()
            return True
        return False

    # The space's attributes under the names keras-tuner's oracles have.
    @property
    def hyperparameters(self) -> HyperParameters:
        return self.space.hyperparameters

    @hyperparameters.setter
    def hyperparameters(self, value: HyperParameters) -> None:
        self.space.hyperparameters = value

    @property
    def allow_new_entries(self) -> bool:
        return self.space.allow_new_entries

    @allow_new_entries.setter
    def allow_new_entries(self, value: object) -> None:
        self.space.allow_new_entries = bool(value)

    @property
    def tune_new_entries(self) -> bool:
        return self.space.tune_new_entries

    @tune_new_entries.setter
    def tune_new_entries(self, value: object) -> None:
        self.space.tune_new_entries = bool(value)

    def settings(self) -> dict[str, Any]:
        """What identifies this study in its store (JSON-serialisable; see
        :mod:`tunesmith.study` for the format)."""
        return {
            "format": SETTINGS_FORMAT,
            "algorithm": self.algorithm_name,
            "objective": self.objective.get_config(),
            "max_trials": self.max_trials,
            "seed": self.seed,
            "space": self.hyperparameters.get_config(),
            "sampler": part_settings(self.sampler),
            "scheduler": part_settings(self.scheduler),
            "pruner": pruner_settings(self.pruner),
            "max_time": self.max_time,
            "time_spent": round(self._time.spent, 3),
            "stop_reason": self.stop_reason,
            "enqueued": [dict(values) for values in self._enqueued],
            "constraints": [constraint.get_config() for constraint in self.constraints],
            "origins": dict(self.origins),
        }

    # ------------------------------------------------------------------- space
    def update_space(self, hyperparameters: HyperParameters) -> None:
        """Learn hyperparameters a model registered while being built (define-by-run).

        See :class:`~tunesmith.study.GrowingSpace` for the rules; a new name is
        stored at once.
        """
        if self.space.merge(hyperparameters, from_store=False):
            self._save_study()

    def given_hyperparameters(self) -> HyperParameters:
        """The definitions given as ``hyperparameters=``, for a build to start from."""
        return self.space.given()

    @property
    def samples_new_names(self) -> bool:
        """Whether a trial draws random values for the names it declares that the
        space does not know yet, instead of taking their defaults.

        True when the sampler draws at random (random and Bayesian search set
        :attr:`~tunesmith.samplers.Sampler.samples_new_names`) and new names join the
        space (``allow_new_entries`` and ``tune_new_entries``); never for an oracle
        that proposes values itself (keras-tuner's ``populate_space``). Each such
        value is seeded by the study's seed, the trial's number and the name (see
        :meth:`~tunesmith.space.HyperParameters.draw_new_values`), recorded with the
        trial's values when it ends, and its definition joins the space then. So
        while a define-by-run space is still empty, workers need not wait for the
        first trial to declare it: every worker starts a trial at once.

        Example:
            >>> Study(objective="loss", sampler="random").samples_new_names
            True
            >>> Study(objective="loss", sampler="grid").samples_new_names
            False
        """
        return (
            self.sampler is not None
            and self.sampler.samples_new_names
            and not self._proposes_itself
            and self.space.allow_new_entries
            and self.space.tune_new_entries
        )

    def _hand_out(self, trial: Trial) -> Trial:
        """``trial`` set to draw the values of names new to the space, when this
        study's trials do (the same draws each time it is handed out)."""
        if self.samples_new_names:
            trial.hyperparameters.draw_new_values((self.seed, trial.number))
        return trial

    def _learning_space(self) -> bool:
        """Whether nothing is declared yet while a trial runs that will declare it."""
        if self.hyperparameters.space or self._proposes_itself:
            return False
        return any(
            not t.status.is_finished and t.trial_id not in self.origins
            for t in self.trials.values()
        )

    # --------------------------------------------------------------------- ask
    def ask(self) -> Trial | None:
        """The next trial to run, or ``None`` when the search is over.

        When it returns ``None``, :attr:`stop_reason` says why (budget spent,
        space exhausted), or :attr:`waiting` is True: nothing can be handed out until
        running trials are told. Crashed or retried trials come back first.
        """
        self.waiting, self.stop_reason = False, None
        self._from_queue = False
        self._time.start()
        if self._search_over():
            self._save_study()  # the reason, and the time spent, stay with the study
            return None
        if self._requeued:
            return self._hand_out(self._restart(self.trials[self._requeued.pop(0)]))
        if self._budget_spent():
            return None
        number = len(self.trials)
        if not self.samples_new_names and self._learning_space():
            # A second trial now would take every default the first one takes.
            self.waiting = True
            return None
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
        if self._proposes_itself or self._from_queue:
            # keras-tuner keeps what a custom oracle returns, names it never declared too.
            registered = {hp.name for hp in self.hyperparameters.space}
            hyperparameters.values.update({k: v for k, v in values.items() if k not in registered})
        trial = Trial(
            trial_id=self._trial_id(number),
            number=number,
            hyperparameters=hyperparameters,
            started_at=time.time(),
        )
        self.trials[trial.trial_id] = trial
        self._save_trial(trial)
        return self._hand_out(trial)

    #: Whether a subclass proposes values itself (keras-tuner's ``populate_space``).
    _proposes_itself = False

    def _nothing_declared_yet(self) -> bool:
        """Whether every trial run so far failed before declaring a hyperparameter.

        Trials told without running (added, imported) declare nothing: a
        define-by-run search that starts from them asks its sampler (or scheduler)
        as usual, which proposes the empty configuration the first trial fills in.
        """
        if self.hyperparameters.space or self._proposes_itself:
            return False  # checked first: the trials are not walked at every ask
        # Ended ones only: a trial still running (several start at once while the
        # space is learnt) may yet declare it.
        ran = [
            t
            for t in self.trials.values()
            if t.trial_id not in self.origins and t.status.is_finished
        ]
        return bool(ran) and not any(t.status.has_result for t in ran)

    def _budget_spent(self) -> bool:
        """Whether ``max_trials`` trials exist (then ``stop_reason`` says so)."""
        if self.scheduler is not None and self.scheduler.owns_budget:
            return False  # the scheduler counts (configurations, or its own schedule)
        if self.max_trials is not None and self.counted_trials() >= self.max_trials:
            self.stop_reason = f"max_trials={self.max_trials} reached."
            return True
        return False

    def counted_trials(self) -> int:
        """How many trials count against ``max_trials``: those run by this study (not
        those told without running), infeasible configurations left out.

        Example:
            >>> from tunesmith import HyperParameters
            >>> hp = HyperParameters(); _ = hp.Float("x", 0.0, 1.0)
            >>> from tunesmith.samplers import RandomSampler
            >>> study = Study(objective="loss", hyperparameters=hp, max_trials=5,
            ...               sampler=RandomSampler())
            >>> _ = study.add_trial({"x": 0.5}, {"loss": 0.25})
            >>> trial = study.ask()
            >>> study.counted_trials(), len(study.trials)
            (1, 2)
        """
        # Followed as the trials grow, so a call costs only the trials new or running.
        if self._run_follower.trials is not self.trials:  # a dict assigned anew
            self._run_follower = TrialFollower(self.trials)
        finished, running = self._run_follower.update()
        if self._run_follower.restarted:
            self._settled_runs = 0
        self._settled_runs += sum(
            t.status is not TrialStatus.INFEASIBLE and t.trial_id not in self.origins
            for t in finished
        )
        return self._settled_runs + sum(t.trial_id not in self.origins for t in running)

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
        self.storage.clear_metrics(trial.trial_id)
        self._save_trial(trial)
        return trial

    def _trial_id(self, number: int) -> str:
        width = max(2, len(str(self.max_trials - 1))) if self.max_trials else 4
        trial_id = f"{number:0{width}d}"
        while trial_id in self.trials:  # a resumed study may have used another width
            trial_id = f"{number:0{len(trial_id) + 1}d}"
        return trial_id

    def _next_values(self, number: int) -> dict[str, Any] | None:
        """Where an ask gets its values (the keras-tuner protocol routes it through
        ``populate_space`` when a subclass overrides that)."""
        return self._propose(number)

    def _propose(self, number: int) -> dict[str, Any] | None:
        """Values for the next trial, or None (with ``stop_reason`` or ``waiting`` set):
        the scheduler's answer when there is one, else the sampler's."""
        if self.sampler is None:
            raise NotImplementedError(
                f"{type(self).__name__} has no sampler: pass sampler=... "
                "(tunesmith.samplers), or override populate_space(trial_id) (keras-tuner's hook)."
            )
        context = self.sampling_context(number)
        sampler: Sampler = self.sampler
        queued = len(self._enqueued)
        if queued:
            sampler = EnqueuedFirst(self.sampler, self._enqueued)
        if self.scheduler is not None:
            values = self._accept(self.scheduler.next_trial(context, sampler))
        else:
            values = self._accept(sampler.sample(context))
        self._from_queue = isinstance(sampler, EnqueuedFirst) and sampler.took
        if len(self._enqueued) != queued:
            self._save_study()  # the queue changed: a crash must not lose that
        return values

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

    def sampling_context(self, number: int | None = None) -> SamplingContext:
        """What a sampler sees now: the space, the trials, the objective, the seed."""
        number = len(self.trials) if number is None else number
        trials: Sequence[Trial] = TrialsInOrder(self.trials)  # copied when read
        if self._tried_index.trials is not self.trials:  # a dict assigned anew
            self._tried_index = TriedKeys(self.trials)
        index: TriedKeys | None = self._tried_index
        if not self.hyperparameters.space:
            # A define-by-run space not learnt yet: trials told without running are
            # no runs of it, and the first run proposes the empty configuration.
            trials = tuple(t for t in trials if t.trial_id not in self.origins)
            index = None  # a filtered list: not the one the index follows
        return SamplingContext(
            self.hyperparameters,
            trials,
            self.objective,
            self.seed,
            number,
            self.max_trials,
            told_only=frozenset(self.origins),
            tried_index=index,
            curves=self._reports.curves(),
        )

    def full_training_epochs(self) -> int | None:
        """The epochs of full training when a scheduler sets fidelities (Hyperband's
        ``max_epochs``), else None; a subclass's own ``max_epochs`` attribute wins.

        Example:
            >>> from tunesmith.oracles import HyperbandOracle
            >>> HyperbandOracle(objective="loss", max_epochs=9).full_training_epochs()
            9
        """
        epochs = getattr(self, "max_epochs", None)  # its own, as keras-tuner's Hyperband
        if epochs is None and self.scheduler is not None:
            epochs = getattr(self.scheduler, "max_epochs", None)
        return None if epochs is None else int(epochs)

    # ------------------------------------------------------------------ report
    def report(
        self, trial: Trial, step: int, metrics: Mapping[str, float], execution: int = 0
    ) -> bool:
        """Record one step's metrics of a running trial; return whether to go on.

        Without a pruner the answer is always True. With one, the objective's value
        at this step (the mean over the executions that reached it) is compared
        with the other trials' (see :class:`~tunesmith.pruners.Pruner`); a step
        whose logs lack the objective, or hold a non-finite one, never stops a trial.
        """
        clean = numbers_only(metrics)
        self.storage.append_metrics(trial.trial_id, execution, step, clean)
        if self._time.exhausted:
            return False  # the search's time is spent: the trial ends STOPPED here
        recorded = (self.pruner is not None or self.scheduler is not None) and self._reports.record(
            trial.trial_id, execution, step, clean
        )
        if self.pruner is None or not recorded:
            return True
        others = [
            TrialCurve(self._reports.curve(trial_id), self.trials[trial_id].status)
            for trial_id in self._reports.trial_ids()
            if trial_id != trial.trial_id and trial_id in self.trials
        ]
        return not self.pruner.should_stop(step, self._reports.curve(trial.trial_id), others)

    # -------------------------------------------------------------------- tell
    def tell(
        self,
        trial: Trial,
        result: TrialResult | float | Mapping[str, float] | None = None,
        *,
        error: BaseException | str | None = None,
        best_step: int | None = None,
        executions: int | None = None,
        epochs: int | None = None,
        stopped_early: bool = False,
        retryable: bool | None = None,
    ) -> Trial:
        """End ``trial`` with its result, or with the error that ended it: the one
        place a trial ends (see :func:`tunesmith.study.tell_trial`).

        ``result`` is a :class:`TrialResult`, the objective's value, or a dict of
        metrics holding it. A NaN or infinite objective, or training that diverged
        (``TrialResult.diverged``), makes the trial INVALID: it can never be the
        best. An error makes it FAILED with the traceback stored, or sends it back
        to the queue while ``max_retries_per_trial`` allows (``retryable=False``, or
        a :class:`~tunesmith.errors.FailedTrialError`, fails it at once). Once
        ``max_consecutive_failed_trials`` trials in a row have failed, raises
        :class:`TooManyFailedTrialsError` quoting the last traceback (after storing).
        A trial is told once: telling it again is an error and its result stays.
        """
        return tell_trial(
            self,
            trial,
            result,
            error=error,
            best_step=best_step,
            executions=executions,
            epochs=epochs,
            stopped_early=stopped_early,
            retryable=retryable,
        )

    def _ended(self, trial: Trial) -> None:
        if trial.trial_id not in self._ended_ids:
            self._ended_ids.add(trial.trial_id)
            self.end_order.append(trial.trial_id)
        if self.max_time is not None:
            self._save_study()  # the time spent survives a crash
        self._on_trial_end(trial)
        self._forget_running(trial)

    def _on_trial_end(self, trial: Trial) -> None:
        """Hook for subclasses that update a model of the objective."""

    def _forget_running(self, trial: Trial) -> None:
        """Hook for the keras-tuner protocol's record of which tuner runs what."""

    @property
    def requeued(self) -> tuple[str, ...]:
        """The ids of the trials waiting to run again (crashed, or failed with retries
        left), in the order they will be handed out."""
        return tuple(self._requeued)

    # ----------------------------------------------------------------- results
    def get_best_trials(self, num_trials: int | None = None) -> list[Trial]:
        """The ``num_trials`` best finished trials, best first (see
        :func:`tunesmith.ranking.best_trials`: invalid, failed and infeasible excluded).

        Left out, ``num_trials`` is 1, or under a :class:`~tunesmith.Pareto`
        objective the whole Pareto front (:meth:`pareto_front`).
        """
        if num_trials is None:
            if isinstance(self.objective, Pareto):
                return self.pareto_front()
            num_trials = 1
        return best_trials(self.trials.values(), self.objective, num_trials)

    def pareto_front(self) -> list[Trial]:
        """The feasible trials no other dominates, in ranking order (the best trial
        alone for a single objective)."""
        return pareto_front(self.trials.values(), self.objective)

    @property
    def remaining_trials(self) -> int | None:
        """Trials still to run, those to run again included (None when unbounded)."""
        requeued = len(self._requeued)
        if self.scheduler is not None and self.scheduler.owns_budget:
            left = self.scheduler.remaining(self.sampling_context())
            return None if left is None else left + requeued
        if self.max_trials is None:
            return None
        return max(0, self.max_trials - self.counted_trials()) + requeued

    def all_failed(self) -> str | None:
        """When every ended trial failed (none scored), what to tell the user; else None."""
        ended = [t for t in self.trials.values() if t.status.is_finished]
        if not ended or any(t.status is not TrialStatus.FAILED for t in ended):
            return None
        last = max(ended, key=lambda t: (t.ended_at or 0.0, t.number))
        return (
            f"All {len(ended)} trials failed, so no trial has a score; fix the error below "
            "and search again (the failed trials are stored). The last error:\n"
            + (last.error or "(no message)")
        )


def _checked_plateau(rule: object) -> Plateau | None:
    if rule is None or isinstance(rule, Plateau):
        return rule
    raise InvalidArgumentError(
        f"stop_on_plateau={rule!r} is not a rule: pass "
        "tunesmith.Plateau(trials=20, min_delta=1e-3) (end the search after 20 finished "
        "trials without an improvement larger than 1e-3), or None."
    )
