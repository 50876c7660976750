"""One evaluated configuration of a search and its outcome."""

from __future__ import annotations

import enum
import math
import uuid
from collections.abc import ItemsView, Iterable, Iterator, KeysView, Mapping, ValuesView
from typing import TYPE_CHECKING, Any, TypeVar, overload

from tunesmith.metrics_tracking import MetricsTracker

if TYPE_CHECKING:
    from tunesmith.space import HyperParameters

    # A mapping for type checkers; at run time Mapping.register(TrialMetrics) below.
    _MetricsMapping = Mapping[str, float]
else:
    _MetricsMapping = object

_T = TypeVar("_T")


class TrialStatus(str, enum.Enum):
    """Where a trial stands.

    ``RUNNING`` trials found in a store at start-up were interrupted by a crash
    and are run again. ``INVALID`` marks a trial whose objective was NaN or
    infinite: it finished, but can never be the best (a custom tuner may also end
    a trial ``INVALID`` to have it retried, as in keras-tuner). ``STOPPED`` marks a
    trial ended early by a pruner; it counts as a result at the fidelity it
    reached. ``INFEASIBLE`` marks a configuration whose model broke a declared
    limit on a model metric (``model/params`` …) right after its build: it was
    never trained, does not count against ``max_trials``, and has no score (its
    model metrics and constraint values are its metrics). ``IDLE`` is never
    stored: ``Oracle.create_trial`` hands out an
    ``IDLE`` trial when nothing can start until running trials end, and a
    ``STOPPED`` one, not stored either, when the search is over. The members are
    strings, so ``trial.status == "COMPLETED"`` holds as in keras-tuner.
    """

    RUNNING = "RUNNING"
    IDLE = "IDLE"
    COMPLETED = "COMPLETED"
    STOPPED = "STOPPED"
    FAILED = "FAILED"
    INVALID = "INVALID"
    INFEASIBLE = "INFEASIBLE"

    @property
    def is_finished(self) -> bool:
        return self not in (TrialStatus.RUNNING, TrialStatus.IDLE)

    @property
    def has_result(self) -> bool:
        """Whether the trial's score can be compared with others."""
        return self in (TrialStatus.COMPLETED, TrialStatus.STOPPED)

    def __str__(self) -> str:
        return self.value

    @classmethod
    def _missing_(cls, value: object) -> TrialStatus | None:
        # keras-tuner code once ended trials as "COMPLETE"; any case is accepted.
        if isinstance(value, str):
            text = value.upper()
            if text == "COMPLETE":
                return cls.COMPLETED
            for member in cls:
                if member.value == text:
                    return member
        return None


class TrialMetrics(MetricsTracker, _MetricsMapping):
    """A trial's metrics: keras-tuner's ``MetricsTracker`` and a mapping at once.

    As a mapping it holds every metric at the trial's best step (averaged over
    executions), which is what the store keeps: ``trial.metrics["val_loss"]``.
    As a tracker it keeps what ``Oracle.update_trial`` reported, step by step:
    ``trial.metrics.get_best_value("val_loss")``, ``get_history(...)``. The two
    meet when a trial is told: the mapping is the tracker's values at the best
    step. A trial loaded from a store has the mapping; its per-epoch curves are
    in the store (``tunesmith.store.Store.load_curves``).

    Example:
        >>> metrics = TrialMetrics({"loss": 0.5})
        >>> metrics["loss"], dict(metrics)
        (0.5, {'loss': 0.5})
        >>> metrics.update("acc", 0.9, step=3)  # True: a new best
        True
        >>> metrics.get_best_value("acc")
        0.9
    """

    def __init__(
        self, at_best_step: Mapping[str, float] | None = None, **kwargs: Iterable[object] | None
    ) -> None:
        super().__init__(**kwargs)
        self._at_best_step: dict[str, float] = dict(at_best_step or {})

    # The mapping side: values at the best step.
    def __getitem__(self, name: str) -> float:
        return self._at_best_step[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._at_best_step)

    def __len__(self) -> int:
        return len(self._at_best_step)

    def __contains__(self, name: object) -> bool:
        return name in self._at_best_step

    def __bool__(self) -> bool:
        return bool(self._at_best_step) or bool(self.metrics)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return dict(self._at_best_step) == dict(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def keys(self) -> KeysView[str]:
        return self._at_best_step.keys()

    def values(self) -> ValuesView[float]:
        return self._at_best_step.values()

    def items(self) -> ItemsView[str, float]:
        return self._at_best_step.items()

    @overload
    def get(self, name: str) -> float | None: ...
    @overload
    def get(self, name: str, default: float | _T) -> float | _T: ...
    def get(self, name: str, default: object = None) -> object:
        return self._at_best_step.get(name, default)

    def __repr__(self) -> str:
        return f"TrialMetrics({self._at_best_step!r})"


Mapping.register(TrialMetrics)


class Trial:
    """A configuration handed out by an oracle, and what became of it.

    Constructed as in keras-tuner (``Trial(hyperparameters, trial_id=None,
    status="RUNNING", message=None)``); oracles also pass the rest by keyword.

    Attributes:
        trial_id: Stable identifier, unique within a project (``"00"``, ``"01"``...).
        number: Position in the order the trials were created, from 0.
        hyperparameters: The search space with this trial's values set.
        status: A :class:`TrialStatus`.
        score: The objective, averaged over executions; ``None`` until told.
        best_step: The epoch (from 0) at which the best execution scored best.
        metrics: A :class:`TrialMetrics`: every logged metric at the best step,
            averaged over executions, and keras-tuner's tracker methods.
        started_at / ended_at: POSIX timestamps.
        error: The traceback of a failed trial (``message`` is keras-tuner's name).
        executions: How many executions (repeated fits) finished.
        epochs: Epochs trained, summed over executions.
        stopped_early: A pruner or the oracle stopped it before its last epoch.

    Example:
        >>> from tunesmith import HyperParameters
        >>> hp = HyperParameters()
        >>> _ = hp.Int("units", 8, 64)
        >>> trial = Trial(hp, trial_id="07", status="COMPLETED")
        >>> trial.status is TrialStatus.COMPLETED, trial.number, trial.values
        (True, 7, {'units': 8})
    """

    #: What the store keeps of a trial (``tunesmith.store`` writes each of these).
    STORED_FIELDS = (
        "trial_id",
        "number",
        "hyperparameters",
        "status",
        "score",
        "best_step",
        "metrics",
        "started_at",
        "ended_at",
        "error",
        "executions",
        "epochs",
        "attempts",
    )
    #: Set while a trial runs and not stored: once told, its status says it.
    TRANSIENT_FIELDS = ("stopped_early",)

    def __init__(
        self,
        hyperparameters: HyperParameters | None = None,
        trial_id: str | None = None,
        status: TrialStatus | str = TrialStatus.RUNNING,
        message: str | None = None,
        *,
        number: int | None = None,
        score: float | None = None,
        best_step: int | None = None,
        metrics: Mapping[str, float] | None = None,
        started_at: float | None = None,
        ended_at: float | None = None,
        error: str | None = None,
        executions: int = 0,
        epochs: int = 0,
        attempts: int = 1,
        stopped_early: bool = False,
    ) -> None:
        if hyperparameters is None:
            from tunesmith.space import HyperParameters

            hyperparameters = HyperParameters()
        self.trial_id = str(trial_id) if trial_id is not None else uuid.uuid4().hex[:16]
        if number is None:
            number = int(self.trial_id) if self.trial_id.isdigit() else 0
        self.number = number
        self.hyperparameters = hyperparameters
        self.status = status
        self.score = score
        self.best_step = best_step
        self.metrics = metrics or {}
        self.started_at = started_at
        self.ended_at = ended_at
        self.error = error if error is not None else message
        self.executions = executions
        self.epochs = epochs
        self.attempts = attempts
        self.stopped_early = stopped_early

    @property
    def status(self) -> TrialStatus:
        return self._status

    @status.setter
    def status(self, value: TrialStatus | str) -> None:
        # keras-tuner code sets plain strings ("COMPLETED").
        self._status = TrialStatus(value)

    @property
    def metrics(self) -> TrialMetrics:
        return self._metrics

    @metrics.setter
    def metrics(self, value: Mapping[str, float] | TrialMetrics) -> None:
        if isinstance(value, TrialMetrics):
            self._metrics = value
        elif isinstance(value, MetricsTracker):
            self._metrics = TrialMetrics()
            self._metrics.metrics = value.metrics
        else:
            # Keep what update_trial reported; the mapping becomes the given values.
            tracker = getattr(self, "_metrics", None)
            self._metrics = TrialMetrics(value)
            if tracker is not None:
                self._metrics.metrics = tracker.metrics

    @property
    def message(self) -> str | None:
        """keras-tuner's name for :attr:`error`."""
        return self.error

    @message.setter
    def message(self, value: str | None) -> None:
        self.error = value

    @property
    def values(self) -> dict[str, Any]:
        """The trial's hyperparameter values (active ones only)."""
        return self.hyperparameters.values

    @property
    def seconds(self) -> float | None:
        if self.started_at is None or self.ended_at is None:
            return None
        return self.ended_at - self.started_at

    @property
    def has_valid_score(self) -> bool:
        return self.status.has_result and self.score is not None and math.isfinite(self.score)

    def summary_lines(self) -> list[str]:
        """The lines ``results_summary()`` prints for this trial."""
        lines = [f"Trial {self.trial_id} summary", "Hyperparameters:"]
        lines += [f"{name}: {value}" for name, value in self.values.items()]
        if not self.values:
            lines.append("default configuration")
        if self.score is not None:
            lines.append(f"Score: {self.score}")
        if self.best_step is not None:
            lines.append(f"Best step: {self.best_step}")
        if self.status is not TrialStatus.COMPLETED:
            lines.append(f"Status: {self.status.value}")
        if self.error:
            lines.append("Error: " + self.error.strip().splitlines()[-1])
        return lines

    def summary(self) -> None:
        """Print this trial's values, score, status and whole error (keras-tuner's
        ``Trial.summary``)."""
        lines = [line for line in self.summary_lines() if not line.startswith("Error: ")]
        print("\n".join(lines))
        if self.error:
            print(self.error)

    def display_hyperparameters(self) -> None:
        """Print the trial's values, one per line."""
        for name, value in self.values.items():
            print(f"{name}:", value)
        if not self.values:
            print("default configuration")

    def get_state(self) -> dict[str, Any]:
        """A JSON-serialisable description (keras-tuner's ``Trial.get_state``)."""
        return {
            "trial_id": self.trial_id,
            "number": self.number,
            "hyperparameters": self.hyperparameters.get_config(),
            "metrics": self.metrics.get_config(),
            "at_best_step": dict(self.metrics),
            "score": self.score,
            "best_step": self.best_step,
            "status": self.status.value,
            "message": self.error,
        }

    def set_state(self, state: Mapping[str, Any]) -> None:
        from tunesmith.space import HyperParameters

        self.trial_id = state["trial_id"]
        self.number = state.get("number", self.number)
        self.hyperparameters = HyperParameters.from_config(state["hyperparameters"])
        tracker = MetricsTracker.from_config(state["metrics"])
        self.metrics = TrialMetrics(state.get("at_best_step"))
        self.metrics.metrics = tracker.metrics
        self.score = state["score"]
        self.best_step = state["best_step"]
        self.status = state["status"]
        self.error = state.get("message")

    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> Trial:
        trial = cls()
        trial.set_state(state)
        return trial

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Trial):
            return NotImplemented
        return all(
            _comparable(getattr(self, name)) == _comparable(getattr(other, name))
            for name in (*self.STORED_FIELDS, *self.TRANSIENT_FIELDS)
        )

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value

    def __repr__(self) -> str:
        return (
            f"Trial(trial_id={self.trial_id!r}, status={self.status.value!r}, "
            f"score={self.score!r}, values={self.values!r})"
        )


def _comparable(value: object) -> object:
    return dict(value) if isinstance(value, TrialMetrics) else value
