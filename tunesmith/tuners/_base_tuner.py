"""The tuner every other builds on: a search loop over any ``run_trial``, no Keras.

keras-tuner's ``BaseTuner``: subclass it and implement :meth:`BaseTuner.run_trial`
to tune anything (``SklearnTuner`` does, for scikit-learn models); the Keras
:class:`~tunesmith.Tuner` adds model building, fitting and weights.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from tunesmith.errors import (
    ChiefWorkerEnvironmentError,
    FatalError,
    InvalidArgumentError,
    NoRankedTrialError,
    UnknownArgumentError,
    format_trial_error,
)
from tunesmith.execution import (
    Callback,
    DisplayCallback,
    Inline,
    SearchDisplay,
    StudyProtocol,
    TrialContext,
    TunerTask,
    as_executor,
    refuse_unshippable_data,
    results_summary_text,
    run_study,
    search_space_summary_text,
)
from tunesmith.hypermodel import HyperModel, as_hypermodel
from tunesmith.oracles import Oracle
from tunesmith.space import HyperParameters
from tunesmith.store import Storage, Store, open_storage
from tunesmith.study import ImportReport, Study, TrialResult, to_trial_result
from tunesmith.trial import Trial, TrialStatus
from tunesmith.tuners._search_callbacks import split_callbacks

#: keras-tuner's variables for its gRPC chief and workers.
CHIEF_WORKER_VARIABLES = ("KERASTUNER_ORACLE_IP", "KERASTUNER_ORACLE_PORT")


class BaseTuner:
    """Runs a search: asks the oracle for trials, runs each, ends it.

    Subclass it and implement :meth:`run_trial`, returning the objective's value,
    a dict of metrics, a Keras ``History`` or a list of those (one per execution).
    Results live in one SQLite store per project at ``<directory>/<project_name>/``;
    with ``overwrite=False`` (the default) a new tuner on the same folder resumes
    the study where it stopped.

    The hooks are keras-tuner's and called at the same moments: ``on_search_begin``,
    ``pre_create_trial``, ``on_trial_begin``, ``on_trial_end`` (which ends the trial
    with the oracle: an override calls ``super().on_trial_end(trial)``), and
    ``on_search_end``.

    Example:
        >>> class Quadratic(BaseTuner):
        ...     def run_trial(self, trial):
        ...         x = trial.hyperparameters.Float("x", -5, 5)
        ...         return (x - 1) ** 2
        >>> from tunesmith.oracles import RandomSearchOracle
        >>> tuner = Quadratic(RandomSearchOracle(objective="score", max_trials=5),
        ...                   directory="runs", project_name="quadratic")  # doctest: +SKIP
        >>> tuner.search()  # doctest: +SKIP
    """

    #: keras-tuner's private steps of its own search loop, which tunesmith's loop
    #: does not have (a trial runs in an executor, and ends in the driver).
    _UNCALLED_HOOKS = ("_try_run_and_update_trial", "_run_and_update_trial")

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name in cls._UNCALLED_HOOKS:
            if name in cls.__dict__:
                warnings.warn(
                    f"{cls.__name__}.{name} overrides a private step of keras-tuner's "
                    "search loop, which tunesmith never calls: the override has no "
                    "effect. Override run_trial (to run a trial) or on_trial_end (to act "
                    "on its result, calling super()) instead.",
                    UserWarning,
                    stacklevel=2,
                )

    def __init__(
        self,
        oracle: Oracle,
        hypermodel: Any = None,
        directory: str | os.PathLike[str] | None = None,
        project_name: str | None = None,
        overwrite: bool = False,
        verbose: int = 1,
        **kwargs: Any,
    ) -> None:
        logger = kwargs.pop("logger", None)
        tuner_id = kwargs.pop("tuner_id", None)
        executor = as_executor(kwargs.pop("executor", None))
        storage = kwargs.pop("storage", None)
        budget = {
            name: kwargs.pop(name)
            for name in ("max_time", "stop_on_plateau", "constraints")
            if name in kwargs
        }
        if kwargs:
            raise UnknownArgumentError(
                f"Unrecognized arguments for {type(self).__name__}: "
                f"{', '.join(sorted(kwargs))}. Check their spelling against the tuner's "
                "documented arguments (fit arguments go to search(), not the tuner)."
            )
        if logger is not None:
            warnings.warn(
                "The logger argument is ignored: tunesmith writes every trial to its "
                "store, which `tunesmith summary`, `export` and `report` read.",
                DeprecationWarning,
                stacklevel=2,
            )
        if not isinstance(oracle, Oracle):
            raise InvalidArgumentError(
                "Expected `oracle` argument to be an instance of `Oracle` (e.g. "
                f"tunesmith.oracles.RandomSearchOracle(...)); got {type(oracle).__name__}."
            )
        refuse_chief_worker_environment()
        self.logger = logger
        #: Where trials run (:class:`~tunesmith.execution.Inline`: this process).
        self.executor = executor
        self.oracle = oracle
        self.hypermodel = self._hypermodel_or_none(hypermodel)
        self.verbose = verbose
        self.directory = Path(directory if directory is not None else ".")
        self.project_name = project_name or "untitled_project"
        self.tuner_id = tuner_id or os.environ.get("KERASTUNER_TUNER_ID") or "tuner0"
        self.store: Storage = open_storage(storage, self.project_dir, overwrite=overwrite)
        self.oracle.attach_store(self.store)
        for name, value in budget.items():  # the search's budget is the study's
            setattr(self.oracle, name, value)
        self._restore_tuner_state()
        self.display = SearchDisplay(verbose=verbose)
        self._populate_initial_space()

    def _hypermodel_or_none(self, hypermodel: Any) -> HyperModel | None:
        """A build function becomes a :class:`~tunesmith.HyperModel`; None is allowed
        unless the tuner's own ``run_trial`` needs one (see :meth:`_uses_hypermodel`)."""
        if hypermodel is None and not self._uses_hypermodel():
            return None
        return as_hypermodel(hypermodel)

    def _uses_hypermodel(self) -> bool:
        """Whether this tuner's ``run_trial`` builds through ``self.hypermodel``; a
        subclass that writes its own ``run_trial`` may go without one."""
        return False

    # ------------------------------------------------------------------ search
    def search(self, *fit_args: Any, **fit_kwargs: Any) -> None:
        """Run the search; the arguments are passed to :meth:`run_trial` for every trial,
        exactly as given.

        An exception in a trial fails that trial (stored with its traceback) and the
        search goes on, until ``max_consecutive_failed_trials`` in a row; a
        :class:`~tunesmith.errors.FatalError` stops it at once. Ctrl-C leaves the
        interrupted trial RUNNING in the store, so the next search resumes it.

        ``callbacks=[...]`` may hold search callbacks
        (:class:`~tunesmith.execution.Callback`, such as
        :class:`~tunesmith.integrations.MLflowCallback`): they follow the search on
        the driver and are taken out of the list; the rest reach :meth:`run_trial`.
        """
        if "verbose" in fit_kwargs:
            self.display.verbose = int(fit_kwargs["verbose"])
        self._run_search(fit_args, fit_kwargs)

    def _run_search(self, fit_args: tuple, fit_kwargs: dict) -> None:
        """The one loop (:func:`~tunesmith.execution.run_study`) with keras-tuner's
        protocol and hooks, on this tuner's executor."""
        fit_kwargs = dict(fit_kwargs)
        user_callbacks: list[Callback] = []
        if "callbacks" in fit_kwargs:
            user_callbacks, fit_callbacks = split_callbacks(
                fit_kwargs["callbacks"],
                self._fit_callback_check(),
                f"{type(self).__name__}.search()",
            )
            if fit_callbacks or not user_callbacks:
                fit_kwargs["callbacks"] = fit_callbacks
            else:  # only search callbacks: run_trial gets no callbacks= it never had
                del fit_kwargs["callbacks"]
        if not isinstance(self.executor, Inline):
            refuse_unshippable_data(fit_args, fit_kwargs)
        run_study(
            self.oracle,
            TunerTask(self, fit_args, fit_kwargs),
            self.executor,
            [
                _TunerHooks(self),
                DisplayCallback(self.display),
                *self._search_callbacks(),
                *user_callbacks,
            ],
            _TunerProtocol(self, parallel=not isinstance(self.executor, Inline)),
        )

    def _fit_callback_check(self) -> Callable[[Any], bool] | None:
        """How to tell the callbacks ``run_trial`` passes to Keras' ``fit`` (None: the
        tuner's own ``run_trial`` takes whatever it is given).

        The Keras tuners' ``run_trial`` gives them to ``model.fit``, so anything there
        must be a Keras callback; a subclass with its own ``run_trial`` decides itself.
        """
        if not self._uses_hypermodel() or "keras" not in sys.modules:
            return None
        keras_callback = sys.modules["keras"].callbacks.Callback
        return lambda callback: isinstance(callback, keras_callback)

    def _search_callbacks(self) -> list[Callback]:
        """More callbacks for this tuner's searches (the Keras tuner's board, checkpoints)."""
        return []

    #: The running trial's context while ``run_trial`` runs (see :meth:`running`).
    trial_context: TrialContext | None

    @contextlib.contextmanager
    def running(self, context: TrialContext) -> Iterator[None]:
        """While a trial runs: its context is :attr:`trial_context`. In a worker, where
        this is a copy without the driver's study and store, the context stands for
        both for the calls a running trial makes (``self.store``, and
        ``self.oracle`` as :meth:`TrialContext.oracle_view`)."""
        if self.__dict__.get("_in_worker"):
            self.oracle = context.oracle_view()  # type: ignore[assignment]
            self.store = context  # type: ignore[assignment]
            self.display = SearchDisplay(verbose=0)
            self._in_worker_trial(context)
        previous, self.trial_context = self.__dict__.get("trial_context"), context
        try:
            yield
        finally:
            self.trial_context = previous

    def _in_worker_trial(self, context: TrialContext) -> None:
        """Hook: set up what a subclass needs for a trial in a worker."""

    def __getstate__(self) -> dict[str, Any]:
        # What travels to a worker: everything but the driver's study, store, display
        # and what holds them (marked ``stays_with_driver``).
        state = {
            name: value
            for name, value in self.__dict__.items()
            if not _stays_with_driver(value) and name != "logger"
        }
        state["_in_worker"] = True
        return state

    def _record(self, trial: Trial, results: Any) -> None:
        objective = self.oracle.objective
        if results is None and trial.metrics.exists(objective.name):
            # Older keras-tuner code reports through oracle.update_trial itself.
            warnings.warn(
                "run_trial reported its metrics with self.oracle.update_trial(...) and "
                "returned None; this still works, but is deprecated as in keras-tuner. "
                "Please remove the call and return the metrics from run_trial instead.",
                DeprecationWarning,
                stacklevel=3,
            )
            return
        result = results if isinstance(results, TrialResult) else self._convert(results)
        self.oracle.record_result(trial, result)

    def _convert(self, results: Any) -> TrialResult:
        return to_trial_result(results, self.oracle.objective, "Tuner.run_trial()")

    def run_trial(self, trial: Trial, *fit_args: Any, **fit_kwargs: Any) -> Any:
        """Evaluate ``trial.hyperparameters``; return the result (see the class docstring)."""
        raise NotImplementedError(f"{type(self).__name__} must implement run_trial(trial, ...).")

    # ------------------------------------------------------------------- hooks
    def on_search_begin(self) -> None:
        """Called once when :meth:`search` starts."""

    def pre_create_trial(self) -> None:
        """Called before each ``oracle.create_trial``."""

    def on_trial_begin(self, trial: Trial) -> None:
        """Called before each trial runs."""

    def on_trial_end(self, trial: Trial) -> None:
        """Called after each trial ran: ends it with the oracle (keep the super call)."""
        self.oracle.end_trial(trial)
        self.save()

    def on_search_end(self) -> None:
        """Called once when the search is over."""

    # ----------------------------------------------------------------- results
    def save_model(self, trial_id: str, model: Any, step: int = 0) -> None:
        """Save a trial's model; tuners that keep models implement it."""
        raise NotImplementedError

    def load_model(self, trial: Trial) -> Any:
        """Load a trial's model; tuners that keep models implement it."""
        raise NotImplementedError

    def get_best_models(self, num_models: int = 1) -> list[Any]:
        """The models of the ``num_models`` best trials, best first.

        Raises :class:`~tunesmith.errors.NoRankedTrialError` when no trial has a
        score (keras-tuner returns ``[]``, whose ``[0]`` is a bare ``IndexError``).
        """
        return [self.load_model(t) for t in self._ranked_trials(num_models, "model")]

    def get_best_hyperparameters(self, num_trials: int = 1) -> list[HyperParameters]:
        """The hyperparameters of the ``num_trials`` best trials, best first.

        Raises :class:`~tunesmith.errors.NoRankedTrialError` when no trial has a score.
        """
        return [t.hyperparameters for t in self._ranked_trials(num_trials, "hyperparameters")]

    def _ranked_trials(self, count: int, what: str) -> list[Trial]:
        best = self.oracle.get_best_trials(count)
        if best or count < 1:
            return best
        trials = list(self.oracle.trials.values())
        statuses = Counter(t.status.value.lower() for t in trials)
        if not trials:
            happened = "no trial has run yet"
            todo = "run tuner.search(...) first"
        else:
            listed = ", ".join(f"{n} {status}" for status, n in statuses.most_common())
            happened = f"none of the {len(trials)} trial(s) has a score ({listed})"
            todo = (
                "tuner.results_summary() shows each trial's last error; fix it and search "
                "again (overwrite=False keeps the stored trials)"
            )
        raise NoRankedTrialError(f"There is no best {what}: {happened}. To get one, {todo}.")

    def results_summary(self, num_trials: int = 10) -> None:
        """Print the best trials: id, score, best step and hyperparameters, best first."""
        self.display.console.print(
            results_summary_text(self.oracle, self.project_dir, num_trials),
            markup=False,
            soft_wrap=True,
        )

    def search_space_summary(self, extended: bool = False) -> None:
        """Print every hyperparameter of the search space with its definition."""
        self.display.console.print(
            search_space_summary_text(self.oracle.get_space(), extended),
            markup=False,
            soft_wrap=True,
        )

    def dashboard(self, **options: Any) -> Any:
        """Start the live dashboard of this tuner's directory in the background.

        Returns its URL, opened on this study (in Jupyter it shows inline; ``.stop()``
        ends it); the other studies of the directory are a click away. ``options`` go
        to :func:`tunesmith.dashboard` (``port``, ``host``, ``allow_remote``, and
        ``root_path`` to serve it behind a proxy's path prefix, e.g.
        ``root_path="/proxy/{port}"`` with jupyter-server-proxy).

        Example:
            >>> url = tuner.dashboard()        # doctest: +SKIP
        """
        from tunesmith.web import dashboard

        return dashboard(self.directory, study=self.project_name, **options)

    def results_frame(self) -> Any:
        """One row per trial (a pandas DataFrame): values, score, status, best step, epochs."""
        if isinstance(self.store, Store):
            return self.store.results_frame()
        # Another storage (a MemoryStore, a user's own) has no results_frame.
        from tunesmith.store import records_frame, trial_record  # pandas, when asked

        trials = sorted(self.oracle.trials.values(), key=lambda t: t.number)
        return records_frame([trial_record(trial) for trial in trials])

    @property
    def remaining_trials(self) -> int | None:
        """Trials still to run (``None`` without ``max_trials``)."""
        return self.oracle.remaining_trials

    @property
    def project_dir(self) -> Path:
        return self.directory / self.project_name

    def get_trial_dir(self, trial_id: str) -> str:
        """The folder of one trial's files (created if missing)."""
        return str(self.store.trial_dir(str(trial_id)))

    def enqueue_trial(self, values: dict[str, Any]) -> None:
        """Run ``values`` before the configurations the oracle proposes (see
        :meth:`tunesmith.study.Study.enqueue_trial`): in order, never twice,
        missing names sampled, stored with the study.

        Example:
            >>> tuner.enqueue_trial({"units": 64, "learning_rate": 1e-3})  # doctest: +SKIP
        """
        self.oracle.enqueue_trial(values)

    def add_trial(
        self, values: dict[str, Any], metrics: dict[str, float] | float, *, origin: str = "added"
    ) -> Trial:
        """Tell the oracle a result obtained elsewhere, without running it (see
        :meth:`tunesmith.study.Study.add_trial`): stored COMPLETED, learnt from by
        the oracle, shown in the results, not counted against ``max_trials``.

        Example:
            >>> tuner.add_trial({"units": 64, "learning_rate": 1e-3},
            ...                 {"val_accuracy": 0.91})  # doctest: +SKIP
        """
        return self.oracle.add_trial(values, metrics, origin=origin)

    def import_keras_tuner(self, path: str | os.PathLike[str]) -> ImportReport:
        """Import an earlier keras-tuner search from its project folder (see
        :meth:`tunesmith.study.Study.import_keras_tuner`); the returned report
        lists what was imported and what was skipped, and why.

        Example:
            >>> print(tuner.import_keras_tuner("old_runs/my_project"))  # doctest: +SKIP
            Imported 12 of 12 trials from keras-tuner: /home/me/old_runs/my_project.
        """
        return self.oracle.import_keras_tuner(path)

    def import_optuna(self, storage: Any, study_name: str) -> ImportReport:
        """Import an earlier optuna study (see
        :meth:`tunesmith.study.Study.import_optuna`; needs the ``optuna`` extra).

        Example:
            >>> print(tuner.import_optuna("sqlite:///optuna.db", "mlp"))  # doctest: +SKIP
            Imported 40 of 42 trials from optuna: mlp in sqlite:///optuna.db; skipped 2: ...
        """
        return self.oracle.import_optuna(storage, study_name)

    def get_state(self) -> dict[str, Any]:
        """What this tuner keeps beyond the study, as JSON (keras-tuner's method).

        Saved with the study by :meth:`save` (after every trial) and handed to
        :meth:`set_state` when a tuner of the same ``tuner_id`` resumes the project,
        so a subclass's own state survives a crash. Nothing by default; a subclass
        extends it::

            def get_state(self):
                return {**super().get_state(), "finished": self.finished}
        """
        return {}

    def set_state(self, state: dict[str, Any]) -> None:
        """Restore what :meth:`get_state` returned (called while resuming, from
        ``__init__``, so set what it reads before calling ``super().__init__``)."""

    def save(self) -> None:
        """Write the study's settings with this tuner's and the oracle's
        ``get_state()``; trials are already written as they change."""
        self.oracle.keep_tuner_state(self.tuner_id, self.get_state(), type(self))
        self.oracle.save()

    def reload(self) -> None:
        """Read the trials and the saved states back from the store (a tuner on an
        existing project resumes it when created; this re-reads it)."""
        self.oracle.reload()
        self._restore_tuner_state()

    def _restore_tuner_state(self) -> None:
        state = self.oracle.tuner_states.get(self.tuner_id)
        if state is not None:
            self.set_state(state)

    # ------------------------------------------------------------------- space
    def _populate_initial_space(self) -> None:
        """Build with defaults, then again until every conditional scope was active once,
        so the oracle knows the space before the first trial.

        Each build starts from an empty space, so a definition that differs from the
        stored study's is caught here (``StudyMismatchError``) rather than failing
        every trial. Definitions given as ``hyperparameters=`` come first and win
        over the build's own (keras-tuner's "tailor the search space"). A scope a
        build entered only while it did not hold is opened in the next build by
        setting its parents to a value it accepts (as keras-tuner does, so a grid
        search counts every branch); a scope that stays closed is not tried again,
        and at most 20 builds are made.
        """
        if self.hypermodel is None:
            return
        max_builds = 20
        opened: list[list[Any]] = []  # scopes seen active in some build
        closed: list[list[Any]] = []  # scopes seen, never active
        attempted: list[list[Any]] = []  # scopes a build was set up to open
        opening: list[Any] = []  # the conditions of the scope this build opens
        for build in range(max_builds):
            hp = self.oracle.given_hyperparameters()
            self.hypermodel.declare_hyperparameters(hp)
            # Read by the parents' definitions during the build.
            hp.values.update({condition.name: condition.values[0] for condition in opening})
            try:
                self._build_for_space(hp)
            except Exception:
                if build == 0:
                    return  # the first trial reports the error with its traceback
            else:
                self.oracle.update_space(hp)
                opened += [scope for scope in hp.active_scopes if scope not in opened]
                closed = [scope for scope in closed if scope not in opened]
                closed += [s for s in hp.inactive_scopes if s not in opened and s not in closed]
            untried = [scope for scope in closed if scope not in attempted]
            if not untried:
                return
            opening = untried[0]
            attempted.append(opening)

    def _build_for_space(self, hp: HyperParameters) -> None:
        """One build whose only purpose is to register hyperparameters in ``hp``."""
        assert self.hypermodel is not None  # only called with a hypermodel
        self.hypermodel.build(hp)


class _TunerProtocol(StudyProtocol):
    """keras-tuner's way to ask and end: ``create_trial`` per tuner id, and the
    tuner's ``on_trial_end`` (which calls ``oracle.end_trial``)."""

    def __init__(self, tuner: BaseTuner, *, parallel: bool) -> None:
        super().__init__(tuner.oracle)
        self.tuner = tuner
        self.parallel = parallel
        self._tuner_ids: dict[str, str] = {}
        self._idle = 0

    def ask(self, slot: int) -> Trial | None:
        tuner_id = f"{self.tuner.tuner_id}-{slot}" if self.parallel else self.tuner.tuner_id
        trial = self.tuner.oracle.create_trial(tuner_id)
        self.finished = trial.status is TrialStatus.STOPPED
        if trial.status in (TrialStatus.STOPPED, TrialStatus.IDLE):
            return None
        self._idle = 0
        self._tuner_ids[trial.trial_id] = tuner_id
        return trial

    def wait_idle(self) -> None:
        # A custom oracle may hand out IDLE while it waits on something of its own.
        super().wait_idle()
        self._idle += 1
        time.sleep(min(1.0, 0.01 * self._idle))

    def done(self, trial: Trial, value: Any) -> None:
        result, hyperparameters = value
        trial.hyperparameters = hyperparameters  # what the trial declared joins the space
        try:
            self.tuner._record(trial, result)
        except FatalError as exc:
            self.failed(trial, "fatal", format_trial_error(exc), exc)
            raise
        trial.status = TrialStatus.COMPLETED
        self._end(trial)

    def failed(self, trial: Trial, kind: str, text: str, error: BaseException | None) -> None:
        trial.status = TrialStatus.FAILED if kind in ("failed", "fatal") else TrialStatus.INVALID
        trial.message = text
        if kind == "fatal":
            self.tuner.oracle.end_trial(trial)  # stored, then the search stops
            return
        self._end(trial)

    def _end(self, trial: Trial) -> None:
        self.tuner.on_trial_end(trial)
        tuner_id = self._tuner_ids.pop(trial.trial_id, None)
        if self.tuner.oracle.ongoing_trials.get(tuner_id or "") is trial:
            # An on_trial_end override that did not call super(): end it here, or the
            # next create_trial would hand the same trial back forever.
            self.tuner.oracle.end_trial(trial)


class _TunerHooks(Callback):
    """keras-tuner's tuner hooks at the loop's moments."""

    def __init__(self, tuner: BaseTuner) -> None:
        self.tuner = tuner

    def on_search_begin(self, study: Study) -> None:
        self.tuner.on_search_begin()

    def before_ask(self, study: Study) -> None:
        self.tuner.pre_create_trial()

    def on_trial_begin(self, study: Study, trial: Trial) -> None:
        self.tuner.on_trial_begin(trial)

    def on_search_end(self, study: Study) -> None:
        self.tuner.on_search_end()


def _stays_with_driver(value: Any) -> bool:
    """Whether a tuner's attribute holds driver state a worker must not get."""
    return isinstance(value, (Study, Storage, SearchDisplay)) or bool(
        getattr(type(value), "stays_with_driver", False)
    )


def refuse_chief_worker_environment() -> None:
    """Stop with an explanation when keras-tuner's chief/worker variables are set.

    keras-tuner runs a distributed search as one chief process and worker processes
    talking gRPC; tunesmith does not implement that protocol, and running each
    process as a search of its own would only make them compete for one store.
    """
    found = {name: os.environ[name] for name in CHIEF_WORKER_VARIABLES if os.environ.get(name)}
    if not found:
        return
    shown = ", ".join(f"{k}={v}" for k, v in found.items())
    tuner_id = os.environ.get("KERASTUNER_TUNER_ID")
    raise ChiefWorkerEnvironmentError(
        f"keras-tuner's chief/worker variables are set ({shown}"
        + (f", KERASTUNER_TUNER_ID={tuner_id}" if tuner_id else "")
        + "). tunesmith does not run keras-tuner's gRPC chief and workers: one process "
        "drives the search and is the only one that writes the store, and trials run "
        "in parallel through an executor instead. Unset these variables, start the "
        "search once, and pass executor=: LocalWorkers for several GPUs (or cores) of "
        "one machine, RayWorkers for several machines, e.g.\n"
        "    tuner = kt.RandomSearch(build_model, objective='val_loss', max_trials=20,\n"
        "                            executor=kt.LocalWorkers(workers=2))  # or kt.RayWorkers()\n"
        "(see docs/coming_from_keras_tuner.md, 'Distributed tuning')."
    )
