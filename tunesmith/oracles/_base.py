"""The ask/tell core every search algorithm builds on."""

from __future__ import annotations

import math
import time
import traceback as traceback_module
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from tunesmith.errors import (
    FailedTrialError,
    StudyMismatchError,
    TooManyFailedTrialsError,
)
from tunesmith.objective import Objective, create_objective
from tunesmith.oracles._reports import ReportedObjective
from tunesmith.pruners import Pruner, TrialCurve, make_pruner
from tunesmith.space import (
    HyperParameters,
    config_key,
    count_configurations,
    iterate_grid,
    sample_values,
)
from tunesmith.trial import Trial, TrialStatus

if TYPE_CHECKING:
    from tunesmith.store import Store


# Draws in a row that may land on tried configurations before the untried ones of a
# finite space are listed and one picked directly.
_DRAWS_BEFORE_ENUMERATING = 20
# For spaces with continuous dimensions a repeat is nearly impossible; this many in
# a row means the known space is effectively used up.
_DRAWS_BEFORE_GIVING_UP = 1000


class Oracle:
    """Hands out trials (``ask``), hears about their epochs (``report``) and ends them (``tell``).

    An oracle knows nothing of Keras: it sees hyperparameter values and scores.
    Subclasses decide which values to try next by overriding :meth:`_propose`.
    Several trials may be asked before any is told, for parallel workers.

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
    ) -> None:
        if max_trials is not None and max_trials < 1:
            raise ValueError(f"max_trials must be at least 1, got {max_trials}.")
        if max_retries_per_trial < 0:
            raise ValueError("max_retries_per_trial must be 0 or more.")
        if max_consecutive_failed_trials < 1:
            raise ValueError("max_consecutive_failed_trials must be at least 1.")
        self.objective = create_objective(objective)
        self.max_trials = max_trials
        self.hyperparameters = hyperparameters.copy() if hyperparameters else HyperParameters()
        self.allow_new_entries = allow_new_entries
        self.tune_new_entries = tune_new_entries
        # A seed drawn once and stored with the study keeps a resumed search reproducible.
        self.seed = int(seed) if seed is not None else int(np.random.SeedSequence().entropy % 2**31)
        self.max_retries_per_trial = max_retries_per_trial
        self.max_consecutive_failed_trials = max_consecutive_failed_trials
        self.pruner = make_pruner(pruner)

        self.trials: dict[str, Trial] = {}
        self.store: Store | None = None
        self.stop_reason: str | None = None
        #: True when the last ``ask`` returned None only because running trials must be
        #: told first (parallel workers then ask again); the search is not over.
        self.waiting = False
        self._requeued: list[str] = []
        self._consecutive_failures = 0
        self._last_error: str | None = None
        self._curves: dict[str, list[tuple[int, int, dict[str, float]]]] = {}
        self._reports = ReportedObjective(self.objective)

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
        return {}

    def _schedule_args(self) -> dict[str, Any]:
        """The arguments a resumed study must keep (those that shape its trials)."""
        return {}

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> Oracle:
        """An oracle built from the settings a study stored (before attaching it)."""
        kwargs = dict(settings.get("algorithm_args", {}))
        pruner = kwargs.get("pruner")
        if isinstance(pruner, Mapping):
            try:
                kwargs["pruner"] = make_pruner(pruner)
            except TypeError:  # a custom pruner class: it cannot be rebuilt here
                kwargs["pruner"] = None
        return cls(
            objective=Objective.from_config(settings["objective"]),
            max_trials=settings.get("max_trials"),
            seed=settings.get("seed"),
            **kwargs,
        )

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
            self._reports.load(store, skip=set(self._requeued))
        self._restore_state()
        if not read_only:
            self.store = store
            self._save_study()

    def _check_compatible(self, stored: Mapping[str, Any], store: Store) -> None:
        fix = (
            f"Pass overwrite=True to start afresh in {store.project_dir}, "
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

    def _save_study(self) -> None:
        if self.store is not None:
            self.store.save_study(self.settings())

    def _save_trial(self, trial: Trial) -> None:
        if self.store is not None:
            self.store.save_trial(trial)

    # ------------------------------------------------------------------- space
    def update_space(self, hyperparameters: HyperParameters) -> None:
        """Learn hyperparameters a model registered while being built (define-by-run).

        New names are added unless ``allow_new_entries`` is False (then an error);
        with ``tune_new_entries=False`` they are fixed at their defaults. A name
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
            # One name may live in several conditional branches; a different
            # definition under the same conditions means the hypermodel changed.
            clash = [k for k in same_name if k.conditions == hp.conditions]
            if clash:
                raise StudyMismatchError(
                    f"The hyperparameter {hp.name!r} is defined as {hp.describe()} now, "
                    f"but the study has it as {clash[0].describe()}. The hypermodel "
                    "changed since the study began: pass overwrite=True to start afresh, "
                    "or choose another project_name."
                )
            if same_name:
                added.append(hp)
                continue
            if not from_store and not self.allow_new_entries:
                raise StudyMismatchError(
                    f"The hypermodel registered {hp.name!r}, which is not in the given "
                    "hyperparameters and allow_new_entries=False. Add it to "
                    "hyperparameters=..., or pass allow_new_entries=True."
                )
            added.append(hp)
        if not added:
            return False
        if not from_store and not self.tune_new_entries:
            fixed = HyperParameters()
            for hp in added:
                fixed.Fixed(hp.name, hp.default)
            added = list(fixed.space)
        self.hyperparameters.merge(added)
        return True

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
        values = self._propose(number)
        if values is None:
            return None
        trial = Trial(
            trial_id=self._trial_id(number),
            number=number,
            hyperparameters=self.hyperparameters.with_values(values),
            started_at=time.time(),
        )
        self.trials[trial.trial_id] = trial
        self._save_trial(trial)
        return trial

    def _budget_spent(self) -> bool:
        """Whether ``max_trials`` trials exist (then ``stop_reason`` says so)."""
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
        self._curves.pop(trial.trial_id, None)
        self._reports.forget(trial.trial_id)
        if self.store is not None:
            self.store.clear_metrics(trial.trial_id)
        self._save_trial(trial)
        return trial

    def _trial_id(self, number: int) -> str:
        width = max(2, len(str(self.max_trials - 1))) if self.max_trials else 4
        trial_id = f"{number:0{width}d}"
        while trial_id in self.trials:  # a resumed study may have used another width
            trial_id = f"{number:0{len(trial_id) + 1}d}"
        return trial_id

    def _propose(self, number: int) -> dict[str, Any] | None:
        """Values for the next trial, or None (with ``stop_reason`` set) when done."""
        raise NotImplementedError

    def _rng(self, number: int) -> np.random.Generator:
        """A generator seeded by (seed, trial number): a resumed search draws as an
        uninterrupted one would."""
        return np.random.default_rng([self.seed, number])

    def _space_size_unless_exhausted(self, tried: set[tuple]) -> tuple[int | None, bool]:
        """The size of a finite space (None if continuous), and whether ``tried`` covers it.

        When it does, ``stop_reason`` says so and the caller proposes nothing.
        """
        total = count_configurations(self.hyperparameters)
        if total is not None and len(tried) >= total:
            self.stop_reason = f"All {total} configurations of the search space have been tried."
            return total, True
        return total, False

    def _random_untried(
        self, rng: np.random.Generator, tried: set[tuple], total: int | None
    ) -> dict[str, Any] | None:
        """A random configuration not in ``tried``, or None (with ``stop_reason`` set).

        ``total`` is the size of a finite space (None when continuous). After
        ``_DRAWS_BEFORE_ENUMERATING`` repeated draws the untried configurations of a
        finite space are listed and one is picked, so the search only ends when the
        space is really used up.
        """
        limit = _DRAWS_BEFORE_ENUMERATING if total is not None else _DRAWS_BEFORE_GIVING_UP
        for _ in range(limit):
            values = sample_values(self.hyperparameters, rng)
            if config_key(values) not in tried:
                return values
        if total is None:
            self.stop_reason = (
                f"{limit} random draws in a row repeated tried configurations; "
                "the search space looks exhausted."
            )
            return None
        untried = [v for v in iterate_grid(self.hyperparameters) if config_key(v) not in tried]
        if not untried:
            self.stop_reason = f"All {total} configurations of the search space have been tried."
            return None
        return untried[int(rng.integers(len(untried)))]

    def _tried_keys(self) -> set[tuple]:
        return {config_key(t.values) for t in self.trials.values()}

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
        if self.store is not None:
            self.store.append_metrics(trial.trial_id, execution, step, clean)
        else:
            self._curves.setdefault(trial.trial_id, []).append((execution, step, clean))
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
        """
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
        trial.score = score
        trial.metrics = metrics
        trial.best_step = best_step
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
        return trial

    def _tell_failure(self, trial: Trial, error: BaseException | str) -> Trial:
        text = _format_error(error)
        retryable = not isinstance(error, FailedTrialError)
        if retryable and trial.attempts <= self.max_retries_per_trial:
            trial.attempts += 1
            trial.error = text
            self._requeued.insert(0, trial.trial_id)
            self._save_trial(trial)
            return trial
        trial.status = TrialStatus.FAILED
        trial.error = text
        trial.score = None
        self._save_trial(trial)
        self._consecutive_failures += 1
        self._last_error = text
        self._on_trial_end(trial)
        if self._consecutive_failures >= self.max_consecutive_failed_trials:
            raise TooManyFailedTrialsError(
                f"{self._consecutive_failures} trials in a row failed "
                f"(max_consecutive_failed_trials={self.max_consecutive_failed_trials}); "
                "the search stops. The stored trials are kept. Last error:\n" + text
            )
        return trial

    def _on_trial_end(self, trial: Trial) -> None:
        """Hook for subclasses that update a model of the objective."""

    # ----------------------------------------------------------------- results
    def get_best_trials(self, num_trials: int = 1) -> list[Trial]:
        """The ``num_trials`` best finished trials, best first (invalid and failed excluded)."""
        ranked = [t for t in self.trials.values() if t.has_valid_score]
        ranked.sort(key=lambda t: (self.objective.sort_key(t.score), t.number))
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
        if self.store is None:
            return list(self._curves.get(trial_id, []))
        frame = self.store.load_curves(trial_id)
        out = []
        for row in frame.to_dict("records"):
            execution, step = int(row.pop("execution")), int(row.pop("step"))
            row.pop("trial_id", None)
            out.append((execution, step, {k: v for k, v in row.items() if _is_number(v)}))
        return out


def _is_number(value: Any) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return not isinstance(value, (str, bytes))


_OUT_OF_MEMORY_MARKS = ("RESOURCE_EXHAUSTED", "out of memory", "OutOfMemory", "OOM when")


def _format_error(error: BaseException | str) -> str:
    if isinstance(error, BaseException):
        text = "".join(traceback_module.format_exception(error))
        if error.__traceback__ is None:
            text = f"{type(error).__name__}: {error}"
    else:
        text = str(error)
    if isinstance(error, MemoryError) or any(m in text for m in _OUT_OF_MEMORY_MARKS):
        # Said last, so the summary line (the last line) tells what to do.
        text += (
            "\nOut of memory in this trial: lower the batch size or the model's size "
            "(e.g. the range of units or layers); the other trials are unaffected."
        )
    return text
