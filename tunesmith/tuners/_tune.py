"""Tuning any Python function, no Keras needed."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tunesmith.errors import InvalidArgumentError
from tunesmith.execution import (
    Callback,
    DisplayCallback,
    FunctionTask,
    SearchDisplay,
    as_executor,
    format_value,
    run_study,
    wants_steps,
)
from tunesmith.objective import Objective, Pareto, create_objective
from tunesmith.oracles import Oracle, algorithm_class
from tunesmith.space import HyperParameters, config_key
from tunesmith.store import Storage, Store, open_storage
from tunesmith.study import Plateau
from tunesmith.trial import Trial
from tunesmith.tuners._search_callbacks import search_callbacks

if TYPE_CHECKING:
    import pandas as pd


class TuneResult:
    """What :func:`tune` found: the oracle, its trials and, when stored, the store.

    A stored result keeps its store open (to read curves, export...) until
    :meth:`close`, or the end of a ``with`` block.

    Example:
        >>> result = tune(lambda hp: (hp.Float("x", -1, 1) - 0.3) ** 2, max_trials=5, seed=0)
        >>> result
        TuneResult(5 trials: 5 completed; best score 0.2173 at trial 04, x=0.7661)
        >>> list(result.results_frame().columns[:4])
        ['trial_id', 'number', 'status', 'score']
    """

    def __init__(self, oracle: Oracle, store: Storage | None) -> None:
        self.oracle = oracle
        self.store = store

    def results_frame(self) -> pd.DataFrame:
        """One row per trial (pandas): id, number, status, score, timings, values.

        The same columns as :meth:`tunesmith.store.Store.results_frame`, with or
        without a store.
        """
        # Only a Store reads its frame from its file; another storage (a MemoryStore,
        # a user's own) has no results_frame: its trials are here.
        if isinstance(self.store, Store) and not self.store.closed:
            return self.store.results_frame()
        from tunesmith.store import records_frame, trial_record  # pandas, when asked

        records = [trial_record(trial) for trial in self.trials]
        return records_frame(records, self.oracle.settings())

    def close(self) -> None:
        """Close the store (and give back the project's lock); the trials stay readable."""
        if self.store is not None:
            self.store.close()

    def __enter__(self) -> TuneResult:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        trials = self.trials
        counts = Counter(trial.status.value.lower() for trial in trials)
        listed = ", ".join(f"{n} {status}" for status, n in counts.most_common())
        text = f"{len(trials)} trials" + (f": {listed}" if listed else "")
        best = self.best_trial
        if isinstance(self.oracle.objective, Pareto):
            front = self.pareto_front
            text += f"; Pareto front of {len(front)}"
            text += f": trials {', '.join(t.trial_id for t in front[:6])}" if front else ""
            text += " …" if len(front) > 6 else ""
        elif best is not None and best.score is not None:
            values = ", ".join(f"{k}={format_value(v)}" for k, v in best.values.items())
            text += f"; best score {best.score:.4g} at trial {best.trial_id}"
            text += f", {values}" if values else ""
        elif trials:
            text += "; no trial has a score"
        return f"TuneResult({text})"

    @property
    def trials(self) -> list[Trial]:
        return sorted(self.oracle.trials.values(), key=lambda t: t.number)

    @property
    def stop_reason(self) -> str | None:
        """Why the search ended (``max_trials``, ``max_time``, a plateau, a used-up
        space), as printed at its end."""
        return self.oracle.stop_reason

    @property
    def best_trials(self) -> list[Trial]:
        """The best trial in a list, or under a :class:`~tunesmith.Pareto` objective
        the Pareto front (feasible trials only), in ranking order."""
        return self.oracle.get_best_trials()

    @property
    def pareto_front(self) -> list[Trial]:
        """The feasible trials no other dominates (see :class:`~tunesmith.Pareto`)."""
        return self.oracle.pareto_front()

    @property
    def best_trial(self) -> Trial | None:
        best = self.oracle.get_best_trials(1)
        return best[0] if best else None

    @property
    def best_score(self) -> float | None:
        return self.best_trial.score if self.best_trial else None

    @property
    def best_values(self) -> dict[str, Any]:
        return dict(self.best_trial.values) if self.best_trial else {}

    @property
    def best_hyperparameters(self) -> HyperParameters | None:
        return self.best_trial.hyperparameters if self.best_trial else None


def tune(
    objective_fn: Callable[[HyperParameters], float | Mapping[str, float]],
    *,
    max_trials: int | None = 20,
    objective: str | Objective | None = None,
    direction: str | None = None,
    algorithm: str | Oracle = "random",
    hyperparameters: HyperParameters | None = None,
    directory: str | os.PathLike[str] | None = None,
    project_name: str = "untitled_project",
    overwrite: bool = False,
    seed: int | None = None,
    max_retries_per_trial: int = 0,
    max_consecutive_failed_trials: int = 3,
    verbose: int = 0,
    executor: Any = None,
    pruner: Any = None,
    max_epochs: int | None = None,
    sampler: Any = None,
    promote_by: str | None = None,
    storage: Storage | str | None = None,
    max_time: float | str | None = None,
    stop_on_plateau: Plateau | None = None,
    enqueue: Sequence[Mapping[str, Any]] = (),
    add: Sequence[tuple[Mapping[str, Any], Mapping[str, float] | float]] = (),
    constraints: Any = None,
    callbacks: Sequence[Callback] | None = None,
) -> TuneResult:
    """Minimise (or maximise) ``objective_fn(hp)`` over the hyperparameters it declares.

    ``direction`` is ``"min"`` (the default for an unnamed objective) or ``"max"``;
    for a named metric such as ``objective="accuracy"`` it is inferred.
    ``algorithm`` is ``"random"``, ``"grid"``, ``"bayesian"`` (a Gaussian process;
    see :class:`~tunesmith.oracles.BayesianOptimizationOracle`), ``"hyperband"`` or
    ``"asha"`` (with ``max_epochs``; ``sampler="bayesian"`` makes them model-based),
    or an oracle. With those two, ``promote_by="prediction"`` continues the trials a
    learning-curve model predicts will end best rather than those best so far.
    Under ``"asha"``, ``max_trials`` counts configurations: each
    promotion is one more trial, so more than ``max_trials`` trials run (the display
    says "configuration k of N" and names promotions).

    A function that takes a second argument gets a
    :class:`~tunesmith.execution.Steps`: the fidelity to train to
    (``steps.initial_epoch``, ``steps.epochs``; ``steps.epochs`` is None unless
    ``algorithm`` is ``"hyperband"`` or ``"asha"``, so the function chooses, e.g.
    ``steps.epochs or 20``) and ``steps.report(step, value)``
    after each step, whose answer says whether to go on. That is how Hyperband
    and ASHA run plain functions, and how a ``pruner=`` (``"median"``,
    ``"successive_halving"``, a :class:`~tunesmith.pruners.Pruner`) stops
    random or Bayesian trials early.

    The function declares its hyperparameters as a Keras build function does
    (``hp.Float(...)``, ``hp.Choice(...)``) and returns the objective's value, or a
    dict of metrics naming it. With ``directory`` set, every trial goes to a SQLite
    store at ``<directory>/<project_name>/`` and a second call resumes the study;
    ``storage=`` gives another :class:`~tunesmith.store.Storage` instead.
    ``executor=tunesmith.LocalWorkers(workers=4)`` (or ``"processes"``) runs trials
    in worker processes at once; the function is sent to them with cloudpickle.

    ``max_time`` (seconds, or a text such as ``"90m"``) bounds the whole search,
    across resumes: no trial starts once it is spent, and a running trial's next
    ``steps.report`` answers stop. ``stop_on_plateau=tunesmith.Plateau(trials=20,
    min_delta=1e-3)`` ends the search once 20 finished trials brought no larger
    improvement. Either way the result's ``stop_reason`` says why it ended.
    ``enqueue=[{"x": 0.5}, ...]`` runs those configurations first, in order (missing
    names are sampled; one already run is skipped, so a resumed call runs nothing
    twice). ``add=[({"x": 0.5}, 0.25), ...]`` tells results obtained elsewhere
    (values and their metrics, or the objective's value) without running them, as
    :meth:`~tunesmith.study.Study.add_trial` does; a pair whose values a trial added
    by an earlier ``add=`` already has is skipped, so a resumed call adds nothing
    twice.

    ``objective=tunesmith.Pareto(["error", "size"], directions=["min", "min"])``
    searches for the Pareto front of several objectives (the function returns a
    dict holding each); ``result.best_trials`` is then the front.
    ``constraints=[tunesmith.Constraint("size", max=100)]`` (or functions of the
    trial returning values that must be ``<= 0``) declare limits: only trials
    within them can be best, and a function that measures its model first can
    skip training an infeasible one with ``steps.check_model({...})``.

    ``callbacks=[...]`` are :class:`~tunesmith.execution.Callback` s that follow the
    search on the driver, e.g. :class:`~tunesmith.integrations.MLflowCallback` or
    :class:`~tunesmith.integrations.WandbCallback` to track each trial as a run.

    Example:
        >>> def f(hp):
        ...     x = hp.Float("x", -5.0, 5.0)
        ...     return (x - 1.0) ** 2
        >>> result = tune(f, max_trials=30, seed=0)
        >>> abs(result.best_values["x"] - 1.0) < 1.0
        True
    """
    if isinstance(objective, Objective) and direction is not None:
        raise InvalidArgumentError(
            f"direction={direction!r} applies to an objective named by a string; "
            f"{objective!r} has its direction(s) already: leave direction out."
        )
    if isinstance(objective, Objective):
        target = objective
    elif direction is not None and not isinstance(objective, (str, type(None))):
        raise InvalidArgumentError(
            f"direction={direction!r} applies to one objective named by a string; for "
            "several, pass objective=[tunesmith.Objective(name, direction), ...] and no "
            "direction."
        )
    elif direction is not None:
        target = Objective(objective or "objective", direction)
    elif objective is None:
        target = Objective("objective", "min")
    else:
        target = create_objective(objective)
    if isinstance(algorithm, Oracle):
        if promote_by is not None:
            raise InvalidArgumentError(
                f"promote_by= applies to algorithm='hyperband' or 'asha' given by name; "
                f"the oracle passed ({type(algorithm).__name__}) takes it itself, e.g. "
                "ASHAOracle(..., promote_by='prediction')."
            )
        oracle = algorithm
    else:
        oracle = _make_oracle(
            algorithm,
            objective=target,
            max_trials=max_trials,
            hyperparameters=hyperparameters,
            seed=seed,
            max_retries_per_trial=max_retries_per_trial,
            max_consecutive_failed_trials=max_consecutive_failed_trials,
            pruner=pruner,
            max_epochs=max_epochs,
            sampler=sampler,
            promote_by=promote_by,
        )
    oracle.max_time = max_time
    oracle.stop_on_plateau = stop_on_plateau
    if constraints is not None:
        oracle.constraints = constraints
    if oracle.multi_fidelity and not wants_steps(objective_fn):
        raise InvalidArgumentError(
            f"{type(oracle).__name__} trains each trial to a number of epochs it "
            "chooses: the objective function needs a second argument, "
            "`def objective(hp, steps)`, to read `steps.epochs` and call "
            "`steps.report(step, value)` after each epoch."
        )
    followers = search_callbacks(callbacks, "tune()")
    store = None
    project_dir = None if directory is None else Path(directory) / project_name
    if storage is not None or project_dir is not None:
        store = open_storage(storage, project_dir, overwrite=overwrite)
    if store is not None and oracle.trials and oracle.store is None:
        store.close()
        raise InvalidArgumentError(
            f"The oracle given holds {len(oracle.trials)} trial(s) in memory only (added, "
            "imported or run before a store was attached); attaching the store now would "
            "not keep them. Pass the results with add=[(values, metrics), ...], or attach "
            "the store first (oracle.attach_store(tunesmith.store.Store.open(path))) and "
            "then add or import."
        )
    try:
        if store is not None:
            oracle.attach_store(store)
        for values in enqueue:  # after attaching: a resumed study skips what ran
            oracle.enqueue_trial(values)
        _add_results(oracle, add)
        task = FunctionTask(
            objective_fn,
            oracle.objective,
            project_dir=None if project_dir is None else project_dir.resolve(),
            max_epochs=oracle.full_training_epochs(),
            constraints=oracle.constraints,
        )
        display = DisplayCallback(SearchDisplay(verbose=verbose))
        run_study(oracle, task, as_executor(executor), [display, *followers])
    except BaseException:
        # Nothing to return: give the store (and the project's lock) back now, not
        # whenever the garbage collector gets to it.
        if store is not None:
            store.close()
        raise
    return TuneResult(oracle, store)


#: The origin of the trials ``tune(add=...)`` tells; a resumed call skips their values.
ADDED_BY_TUNE = "tune(add=...)"


def _add_results(
    oracle: Oracle, pairs: Sequence[tuple[Mapping[str, Any], Mapping[str, float] | float]]
) -> None:
    """Tell each ``(values, metrics)`` pair, but none whose values an earlier
    ``tune(add=...)`` added already (a resumed call)."""
    added = [
        trial.values
        for trial_id, trial in oracle.trials.items()
        if oracle.origins.get(trial_id) == ADDED_BY_TUNE
    ]
    for pair in pairs:
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise InvalidArgumentError(
                f"add= takes (values, metrics) pairs, e.g. [({{'x': 0.5}}, 0.25)]; got {pair!r}."
            )
        values, metrics = pair
        key = config_key(dict(values))
        if any(config_key({k: v[k] for k in values if k in v}) == key for v in added):
            continue
        trial = oracle.add_trial(values, metrics, origin=ADDED_BY_TUNE)
        added.append(trial.values)


def _make_oracle(
    algorithm: str,
    *,
    pruner: Any,
    max_epochs: int | None,
    sampler: Any,
    promote_by: str | None,
    max_trials: int | None,
    **common: Any,
) -> Oracle:
    """The oracle ``algorithm`` names, with the arguments that apply to it."""
    cls = algorithm_class(algorithm)
    if not cls.multi_fidelity:
        if max_epochs is not None:
            raise InvalidArgumentError(
                f"max_epochs applies to algorithm='hyperband' or 'asha', not {algorithm!r}: "
                "leave it out, or choose one of those."
            )
        if sampler is not None:
            raise InvalidArgumentError(
                f"sampler= chooses how Hyperband and ASHA draw configurations; "
                f"algorithm={algorithm!r} is itself one: leave sampler out."
            )
        if promote_by is not None:
            raise InvalidArgumentError(
                f"promote_by= chooses which trials Hyperband and ASHA continue; "
                f"algorithm={algorithm!r} continues none: leave promote_by out."
            )
        return cls(max_trials=max_trials, pruner=pruner, **common)
    if max_epochs is None:
        raise InvalidArgumentError(
            f"algorithm={algorithm!r} needs max_epochs=...: the most epochs (steps) one "
            "trial trains."
        )
    if pruner is not None:
        raise InvalidArgumentError(
            f"algorithm={algorithm!r} stops trials by its own schedule; pass no pruner."
        )
    if algorithm == "asha":
        common["max_trials"] = max_trials
    if promote_by is not None:
        common["promote_by"] = promote_by
    return cls(max_epochs=max_epochs, sampler=sampler or "random", **common)
