"""One evaluated configuration of a search and its outcome."""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tunesmith.space import HyperParameters


class TrialStatus(str, enum.Enum):
    """Where a trial stands.

    ``RUNNING`` trials found in a store at start-up were interrupted by a crash
    and are run again. ``INVALID`` marks a trial whose objective was NaN or
    infinite: it finished, but can never be the best. ``STOPPED`` marks a trial
    ended early by a pruner; it counts as a result at the fidelity it reached.
    """

    RUNNING = "RUNNING"
    COMPLETED = "COMPLETED"
    STOPPED = "STOPPED"
    FAILED = "FAILED"
    INVALID = "INVALID"

    @property
    def is_finished(self) -> bool:
        return self is not TrialStatus.RUNNING

    @property
    def has_result(self) -> bool:
        """Whether the trial's score can be compared with others."""
        return self in (TrialStatus.COMPLETED, TrialStatus.STOPPED)


@dataclass
class Trial:
    """A configuration handed out by an oracle, and what became of it.

    Attributes:
        trial_id: Stable identifier, unique within a project (``"0000"``, ``"0001"``...).
        number: Position in the order the trials were created, from 0.
        hyperparameters: The search space with this trial's values set.
        status: A :class:`TrialStatus`.
        score: The objective, averaged over executions; ``None`` until told.
        best_step: The epoch (from 0) at which the best execution scored best.
        metrics: Every logged metric at the best step, averaged over executions.
        started_at / ended_at: POSIX timestamps.
        error: The traceback of a failed trial.
        executions: How many executions (repeated fits) finished.
        epochs: Epochs trained, summed over executions.
    """

    trial_id: str
    number: int
    hyperparameters: HyperParameters
    status: TrialStatus = TrialStatus.RUNNING
    score: float | None = None
    best_step: int | None = None
    metrics: dict[str, float] = field(default_factory=dict)
    started_at: float | None = None
    ended_at: float | None = None
    error: str | None = None
    executions: int = 0
    epochs: int = 0
    attempts: int = 1

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
        if self.score is not None:
            lines.append(f"Score: {self.score}")
        if self.best_step is not None:
            lines.append(f"Best step: {self.best_step}")
        if self.status is not TrialStatus.COMPLETED:
            lines.append(f"Status: {self.status.value}")
        if self.error:
            lines.append("Error: " + self.error.strip().splitlines()[-1])
        return lines
