"""The one object a running trial talks to, in this process, in a worker or on Ray."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol

from tunesmith.constraints import CONSTRAINT_PREFIX, Constraint, InfeasibleTrial, constraint_values
from tunesmith.errors import InvalidArgumentError
from tunesmith.objective import Objective
from tunesmith.space import EPOCHS, INITIAL_EPOCH
from tunesmith.store import TRIALS_DIRNAME, check_trial_id
from tunesmith.trial import Trial


class Link(Protocol):
    """How a running trial reaches the driver: direct calls in its process, a socket
    from a local worker, a Ray queue from an actor."""

    def report(self, execution: int, step: int, metrics: Mapping[str, float]) -> bool: ...

    def epoch(
        self, execution: int, epoch: int, epochs: int | None, logs: Mapping[str, float]
    ) -> None: ...


class TrialContext:
    """What a running trial talks to: its reports and their go-on answer, its
    progress line, its folder and its fidelity. The same object in this process, in
    a worker process and in a Ray actor; only its link to the driver differs.

    An objective function given to :func:`tunesmith.tune` that takes a second
    argument gets one (it is also ``tunesmith.Steps``): ``initial_epoch`` and
    ``epochs`` are the trial's fidelity under Hyperband or ASHA (a promoted trial
    continues from ``initial_epoch``; a function that keeps no state trains from
    scratch up to ``epochs``).

    **Without a scheduler (random, grid, Bayesian search, with or without a pruner)
    ``epochs`` is None**: nothing chooses a fidelity, so the function decides how
    long to train, e.g. ``range(steps.initial_epoch, steps.epochs or 20)``; and
    ``initial_epoch`` is 0. ``range(steps.epochs)`` there is a ``TypeError``.

    ``report(step, value)`` records the objective (a number, or a
    dict of metrics holding it) at ``step`` and answers whether to go on: with a
    pruner it may answer False, and the function then returns the value it has,
    which is stored as a stopped trial. The Keras tuners report each epoch through
    the same call.

    In a worker, where the study and the store stay with the driver, a tuner's
    ``run_trial`` finds this object as its ``store`` (``trial_dir``) and its
    :meth:`oracle_view` as its ``oracle``.

    Example:
        >>> import tunesmith
        >>> def objective(hp, steps):
        ...     lr = hp.Float("lr", 1e-3, 1.0, sampling="log")
        ...     loss = 1.0
        ...     for step in range(steps.initial_epoch, steps.epochs or 10):
        ...         loss *= 1.0 - lr
        ...         if not steps.report(step, loss):
        ...             break
        ...     return loss
        >>> result = tunesmith.tune(objective, max_trials=4, seed=0, pruner="median")
        >>> result.best_values["lr"] > 0.01
        True
    """

    read_only = False

    def __init__(
        self,
        trial: Trial,
        link: Link,
        objective: Objective,
        *,
        project_dir: Path | None = None,
        max_epochs: int | None = None,
        constraints: Sequence[Constraint] = (),
    ) -> None:
        self.trial = trial
        #: The study's constraints; those on model metrics are checked by
        #: :meth:`check_model`.
        self.constraints = list(constraints)
        self.objective = objective
        self.project_dir = project_dir
        self.max_epochs = max_epochs
        self._link = link
        values = trial.hyperparameters.values
        epochs = values.get(EPOCHS)
        #: The epoch to train up to under a scheduler (None: the function chooses).
        self.epochs: int | None = None if epochs is None else int(epochs)
        #: The epoch to start from (a promotion continues its parent's training).
        self.initial_epoch: int = int(values.get(INITIAL_EPOCH, 0))
        #: Whether a report answered that the trial should stop.
        self.stopped = False
        #: The objective's value at each step reported (the last execution's).
        self.reported: dict[int, float] = {}
        #: What :meth:`check_model` was last given (the model's ``model/*`` metrics).
        self.model_metrics: dict[str, float] = {}

    def report(self, step: int, value: float | Mapping[str, float], execution: int = 0) -> bool:
        """Record the objective (or a dict of metrics) at ``step``; False when the
        trial should stop."""
        if isinstance(value, Mapping):
            metrics = {k: float(v) for k, v in value.items()}
        else:
            metrics = {self.objective.name: float(value)}
        objective = metrics.get(self.objective.name)
        if objective is not None:
            self.reported[int(step)] = objective
        go_on = bool(self._link.report(int(execution), int(step), metrics))
        self.stopped = self.stopped or not go_on
        return go_on

    def step_of(self, value: float | None) -> int:
        """The step whose report gave ``value`` (the result a function returned), or
        the last step reported; 0 when nothing was reported."""
        if not self.reported:
            return 0
        if value is not None:
            for step, reported in sorted(self.reported.items()):
                if reported == value:
                    return step
        return max(self.reported)

    def check_model(self, model_metrics: Mapping[str, float]) -> None:
        """Check what was measured of a model before training against the limits.

        ``model_metrics`` are the model's ``model/*`` metrics (the Keras tuners
        measure ``model/params``, ``model/bytes`` and ``model/latency_ms`` after each
        build). When one breaks a declared :class:`~tunesmith.Constraint`, this raises
        :class:`~tunesmith.constraints.InfeasibleTrial`: let it propagate, and the
        trial is stored INFEASIBLE, never trained, and not counted against
        ``max_trials``. A ``tune()`` function can measure its own model and call it.

        Example:
            >>> import tunesmith
            >>> def objective(hp, steps):
            ...     width = hp.Int("width", 8, 512)
            ...     steps.check_model({"model/params": width * 100})
            ...     return 1.0 / width
            >>> result = tunesmith.tune(objective, max_trials=5, seed=0, objective="loss",
            ...     constraints=[tunesmith.Constraint("model/params", max=20_000)])
            >>> result.best_values["width"] <= 200
            True
        """
        numbers = {str(k): float(v) for k, v in model_metrics.items()}
        checked = [
            c
            for c in self.constraints
            if c.before_training and all(name in numbers for name in c.metrics)
        ]
        values = constraint_values(checked, numbers, self.trial)
        broken = [label for label, value in values.items() if value > 0]
        self.model_metrics = numbers
        if broken:
            raise InfeasibleTrial(
                {**numbers, **values}, [b[len(CONSTRAINT_PREFIX) :] for b in broken]
            )

    def progress(
        self, execution: int, epoch: int, epochs: int | None, logs: Mapping[str, float]
    ) -> None:
        """Show an epoch on the driver's progress line (``verbose=2``)."""
        self._link.epoch(int(execution), int(epoch), epochs, dict(logs))

    def trial_dir(self, trial_id: str | None = None) -> Path:
        """The folder for this trial's files (or another trial's, by id), created if
        missing; a search without a project folder has none."""
        if self.project_dir is None:
            raise InvalidArgumentError(
                "This search keeps no files: pass directory=... to tune() to give each "
                "trial a folder."
            )
        path = self.project_dir / TRIALS_DIRNAME / check_trial_id(trial_id or self.trial.trial_id)
        path.mkdir(parents=True, exist_ok=True)
        return path

    def full_training_epochs(self) -> int | None:
        """The epochs of full training under a scheduler (promotions stop below them)."""
        return self.max_epochs

    def oracle_view(self) -> OracleView:
        """The calls a running trial may make of its tuner's oracle, answered here
        (a tuner copied to a worker has this as its ``oracle``)."""
        return OracleView(self)


class OracleView:
    """The oracle a tuner's ``run_trial`` sees in a worker: the calls a running trial
    makes (keras-tuner's included), each answered by its :class:`TrialContext`.

    Example:
        >>> view = context.oracle_view()                  # doctest: +SKIP
        >>> view.report(trial, 3, {"val_loss": 0.2})      # doctest: +SKIP
        True
    """

    def __init__(self, context: TrialContext) -> None:
        self.context = context
        self.objective = context.objective

    def report(
        self, trial: Trial, step: int, metrics: Mapping[str, float], execution: int = 0
    ) -> bool:
        return self.context.report(step, metrics, execution=execution)

    def update_trial(self, trial_id: object, metrics: Mapping[str, float], step: int = 0) -> str:
        """keras-tuner's older reporting call, sent as a report."""
        self.context.report(step, metrics)
        return "RUNNING"

    def full_training_epochs(self) -> int | None:
        return self.context.full_training_epochs()

    @property
    def trials(self) -> dict[str, Trial]:
        """The running trial only: the study's trials stay with the driver."""
        return {str(self.context.trial.trial_id): self.context.trial}

    def get_trial(self, trial_id: str) -> Trial:
        return self.trials[str(trial_id)]
