"""keras-tuner's oracle protocol, as an adapter over the study's ask / report / tell.

keras-tuner's tuners and the oracles written for it speak ``create_trial``,
``update_trial``, ``end_trial``, ``score_trial`` and ``populate_space``;
:class:`Oracle` translates each into the :class:`~tunesmith.study.Study` calls, so
a trial still begins in ``ask`` and ends in ``tell``, whichever protocol drives it.
"""

from __future__ import annotations

import collections
import contextlib
import functools
import threading
import warnings
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from tunesmith.errors import StoreError
from tunesmith.objective import infer_direction
from tunesmith.oracles._populate import PopulateSpaceSampler
from tunesmith.oracles._state import json_state
from tunesmith.oracles._tried import TriedValues, values_hash
from tunesmith.samplers import random_untried
from tunesmith.study import Study, TrialResult, numbers_only
from tunesmith.trial import Trial, TrialStatus

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


class Oracle(Study):
    """A :class:`~tunesmith.study.Study` that also speaks keras-tuner's oracle protocol.

    Everything a study does (``ask``, ``report``, ``tell``, the store, samplers,
    schedulers, pruners) works unchanged; on top, tuners and custom oracles written
    for keras-tuner call :meth:`create_trial`, :meth:`update_trial` and
    :meth:`end_trial`, and a subclass may override :meth:`populate_space` (the
    values of each new trial) or :meth:`score_trial` instead of giving a sampler.
    ``RandomSearchOracle``, ``HyperbandOracle`` and the others are studies with a
    given sampler (and scheduler) under keras-tuner's names.

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

    _plain = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: keras-tuner's bookkeeping: the trial each tuner (by ``tuner_id``) is running.
        self.ongoing_trials: dict[str, Trial] = {}
        self.verbose: int | str = 1
        # What record_result noted of each running trial, for its end.
        self._recorded: dict[str, TrialResult] = {}
        #: keras-tuner's members for oracles that propose values themselves: how
        #: many repeated draws mean the space is used up, and the seed of the next
        #: ``hp.random_sample(self._seed_state)`` (such an oracle increments it).
        self._max_collisions = 20
        self._seed_state: int = self.seed
        self._tried_added: set[str] = set()
        #: What each tuner's ``get_state()`` returned at its last save, by tuner id.
        self.tuner_states: dict[str, dict[str, Any]] = {}

    # ------------------------------------------- keras-tuner's private members
    @property
    def _tried_so_far(self) -> TriedValues:
        """Hashes (:meth:`_compute_values_hash`) of every trial's values, and of
        those a subclass added; derived from the trials, so it never drifts."""
        return TriedValues(self.trials.values, self._tried_added)

    @_tried_so_far.setter
    def _tried_so_far(self, hashes: Iterable[str]) -> None:
        self._tried_added = set(hashes)

    @property
    def _id_to_hash(self) -> collections.defaultdict[str, str | None]:
        """Each trial's id with the hash of its values (read-only: derived)."""
        hashes: collections.defaultdict[str, str | None] = collections.defaultdict(lambda: None)
        hashes.update({tid: values_hash(t.values) for tid, t in self.trials.items()})
        return hashes

    @_id_to_hash.setter
    def _id_to_hash(self, value: Any) -> None:
        """Ignored: the hashes always follow the trials' values."""

    def _compute_values_hash(self, values: Mapping[str, Any]) -> str:
        """A hash equal for equal configurations (keras-tuner's helper; the
        ``tuner/*`` bookkeeping values do not count)."""
        return values_hash(values)

    # ---------------------------------------------------------------- state
    def get_state(self) -> dict[str, Any]:
        """What this oracle keeps beyond its trials, as JSON (keras-tuner's method).

        Written with the study at every :meth:`save` (a tuner saves after each
        trial) and given back to :meth:`set_state` when a tuner resumes the
        project. A subclass with state of its own extends it::

            def get_state(self):
                return {**super().get_state(), "tried_initial": self.tried_initial}
        """
        # No trial lists or space here: the store holds those, and this is written
        # with every new trial (its size must not grow with the study).
        return {
            "ongoing_trials": {tid: t.trial_id for tid, t in self.ongoing_trials.items()},
            "seed": self.seed,
            "seed_state": self._seed_state,
            "tried_so_far": sorted(self._tried_added),
        }

    def set_state(self, state: Mapping[str, Any]) -> None:
        """Restore what :meth:`get_state` returned (keras-tuner's method).

        The trials, the space and the running trials come back from the store
        itself (running ones are run again first), so only the random-seed state
        and the hand-added tried values are read here; a subclass calls
        ``super().set_state(state)`` and reads its own keys.
        """
        self._seed_state = int(state.get("seed_state", self._seed_state))
        self._tried_added = set(state.get("tried_so_far", ()))

    def keep_tuner_state(self, tuner_id: str, state: Mapping[str, Any], owner: type) -> None:
        """Keep a tuner's ``get_state()`` (``owner`` is its class, named in errors);
        the next :meth:`save` writes it with the study, and :attr:`tuner_states`
        holds it for the tuner's ``set_state`` when the project resumes."""
        self.tuner_states[str(tuner_id)] = json_state(dict(state), owner)

    def _restore_state(self, stored: Mapping[str, Any] | None) -> None:
        """While attaching, before anything is written: the stored :meth:`get_state`
        (if any) goes to :meth:`set_state`."""
        super()._restore_state(stored)
        self._seed_state = self.seed  # the stored seed, unless the state says more
        self._apply_saved_state(stored)

    def _apply_saved_state(self, stored: Mapping[str, Any] | None) -> None:
        saved = (stored or {}).get("state") or {}
        self.tuner_states = dict(saved.get("tuners") or {})
        if saved.get("oracle") is None:
            return
        try:
            self.set_state(saved["oracle"])
        except KeyError as exc:
            raise StoreError(
                f"{type(self).__name__}.set_state() looked for {exc} in the state stored "
                f"with this project, which has {sorted(saved['oracle'])}: the project "
                "was saved by another version of this oracle. Pass overwrite=True to "
                "start afresh, or make set_state accept the stored keys."
            ) from exc

    def _save_study(self) -> None:
        if self.read_only:
            return
        state = {"oracle": self.get_state(), "tuners": self.tuner_states}
        self.storage.save_study({**self.settings(), "state": json_state(state, type(self))})

    def reload(self) -> None:
        """Read the trials back from the store, and this oracle's saved state."""
        super().reload()
        self._apply_saved_state(self.storage.load_study())

    # ------------------------------------------------------- populate_space
    @property
    def _proposes_itself(self) -> bool:  # type: ignore[override]
        """Whether a subclass answers keras-tuner's ``populate_space`` hook itself."""
        return type(self).populate_space is not Oracle.populate_space

    def _next_values(self, number: int) -> dict[str, Any] | None:
        """The algorithm's values, through :meth:`populate_space` when a subclass
        overrides it (keras-tuner's hook), so an oracle written for keras-tuner works."""
        if not self._proposes_itself:
            return self._propose(number)
        enqueued = self._next_enqueued()
        if enqueued is not None:
            return enqueued
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

    def _duplicate(self, values: Mapping[str, Any]) -> bool:
        """Whether ``values`` were already tried, pending trials included (keras-tuner's
        helper for custom oracles; see :attr:`_tried_so_far`)."""
        return values_hash(values) in self._tried_so_far

    def _populate_space(self, trial_id: str) -> dict[str, Any]:
        warnings.warn(
            "Oracle._populate_space is deprecated: override and call populate_space.",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.populate_space(trial_id)

    # --------------------------------------------------- ask, under its name
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
        # As keras-tuner does: what populate_space changed in a subclass's state
        # (an initial configuration marked as tried) is stored with the new trial.
        self.save()
        return trial

    def _forget_running(self, trial: Trial) -> None:
        for tuner_id, ongoing in list(self.ongoing_trials.items()):
            if ongoing.trial_id == trial.trial_id:
                del self.ongoing_trials[tuner_id]

    # ------------------------------------------------ report, under its name
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
        self.record_result(trial, metrics, step)
        if not go_on:
            trial.stopped_early = True
        return trial

    def record_result(
        self,
        trial: Trial,
        result: TrialResult | Mapping[str, float],
        step: int | None = None,
    ) -> None:
        """Note what a run of ``trial`` produced, for :meth:`end_trial` to score.

        The metrics join the trial's tracker (keras-tuner's history) at ``step``
        (a :class:`~tunesmith.study.TrialResult`'s best step), where
        :meth:`score_trial` reads them; a ``TrialResult``'s executions, epochs and
        whether it stopped early or diverged are kept for the trial's end.
        """
        if isinstance(result, TrialResult):
            self._recorded[trial.trial_id] = result
            metrics: Mapping[str, float] = result.metrics
            step = result.best_step if step is None else step
        else:
            metrics = result
        values = numbers_only(metrics)
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
            trial.metrics.update(name, value, step=step or 0)

    # -------------------------------------------------- tell, under its name
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

    def _score_trial(self, trial: Trial) -> None:
        warnings.warn(
            "Oracle._score_trial is deprecated: override and call score_trial.",
            DeprecationWarning,
            stacklevel=2,
        )
        self.score_trial(trial)

    @synchronized
    def end_trial(self, trial: Trial | str, status: str | None = None) -> None:
        """keras-tuner's tell: end ``trial`` with the status its tuner set.

        ``"COMPLETED"`` scores it (:meth:`score_trial`) from what
        :meth:`update_trial` or :meth:`record_result` recorded; ``"INVALID"``
        (keras-tuner's "crashed, may be retried") retries it while
        ``max_retries_per_trial`` allows, then fails it; ``"FAILED"`` fails it at
        once. ``trial.message`` is kept as its error. The older form
        ``end_trial(trial_id, status)`` works too. Either way the trial ends in
        :meth:`tell`.
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
        ended_as, trial.status = trial.status, TrialStatus.RUNNING  # tell() ends it
        recorded = self._recorded.pop(trial.trial_id, None) or TrialResult(
            executions=trial.executions, epochs=trial.epochs
        )
        if recorded.infeasible:
            self.tell(trial, recorded)
            return
        if ended_as not in (TrialStatus.COMPLETED, TrialStatus.STOPPED):
            retryable = ended_as is TrialStatus.INVALID
            self.tell(trial, error=trial.error or "The trial failed.", retryable=retryable)
            return
        trial.score = None
        self.score_trial(trial)
        if trial.score is None:
            self.tell(
                trial,
                error=f"Trial {trial.trial_id} ended COMPLETED without reporting the "
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
        stopped = ended_as is TrialStatus.STOPPED or trial.stopped_early or recorded.stopped_early
        result = TrialResult(
            metrics=metrics,
            best_step=trial.best_step,
            executions=recorded.executions,
            epochs=recorded.epochs,
            stopped_early=stopped,
            diverged=recorded.diverged,
        )
        self.tell(trial, result)

    # ------------------------------------------------------- the rest of it
    @property
    def start_order(self) -> list[str]:
        """The ids of every trial, in the order they were created (keras-tuner's name)."""
        return [t.trial_id for t in sorted(self.trials.values(), key=lambda t: t.number)]

    def save(self) -> None:
        """Write the study's settings (trials are written as they change)."""
        self._save_study()

    def _set_project_dir(self, directory: str | Path, project_name: str) -> None:
        """keras-tuner's way to give an oracle its folder: attach the store there."""
        from tunesmith.store import Store

        if self.store is None:
            self.attach_store(Store.open(Path(directory) / project_name))

    def get_space(self) -> Any:
        return self.hyperparameters.copy()

    def get_trial(self, trial_id: str) -> Trial:
        return self.trials[trial_id]


def _value_at(trial: Trial, name: str, step: int) -> float | None:
    """The tracked value of ``name`` at ``step`` (averaged), else its last value."""
    history = trial.metrics.get_history(name)
    for observation in history:
        if observation.step == step:
            return observation.mean()
    return trial.metrics.get_last_value(name) if history else None
