"""What a study needs of its store, typed: records in, records out (no display frames).

The SQLite :class:`~tunesmith.store.Store` and the in-memory :class:`MemoryStore`
both provide it, so a study writes through the same calls whether or not it is
persisted, and no code checks for a missing store.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from tunesmith.trial import Trial


@dataclass(frozen=True)
class CurvePoint:
    """The metrics of one step of one execution of a trial.

    Example:
        >>> CurvePoint("0003", 0, 4, {"val_loss": 0.35}).step
        4
    """

    trial_id: str
    execution: int
    step: int
    metrics: dict[str, float] = field(default_factory=dict)


class StudyRecords(Protocol):
    """The calls a study makes on its store."""

    def claim_writer(self) -> None: ...

    def load_study(self) -> dict[str, Any] | None: ...

    def save_study(self, settings: Mapping[str, Any]) -> None: ...

    def load_trials(self) -> list[Trial]: ...

    def save_trial(self, trial: Trial) -> None: ...

    def append_metrics(
        self, trial_id: str, execution: int, step: int, metrics: Mapping[str, float]
    ) -> None: ...

    def clear_metrics(self, trial_id: str) -> None: ...

    def curve_points(self, trial_id: str | None = None) -> list[CurvePoint]: ...


class MemoryStore:
    """A study's records in this process only (a search without ``directory=``).

    Example:
        >>> memory = MemoryStore()
        >>> memory.append_metrics("00", 0, 0, {"loss": 1.0})
        >>> memory.curve_points("00")
        [CurvePoint(trial_id='00', execution=0, step=0, metrics={'loss': 1.0})]
    """

    def __init__(self) -> None:
        self._study: dict[str, Any] | None = None
        self._trials: dict[str, Trial] = {}
        # {trial_id: {(execution, step): metrics}}, in the order steps were logged.
        self._curves: dict[str, dict[tuple[int, int], dict[str, float]]] = {}

    def claim_writer(self) -> None:
        """Nothing to lock: no other process can see these records."""

    def load_study(self) -> dict[str, Any] | None:
        return None if self._study is None else dict(self._study)

    def save_study(self, settings: Mapping[str, Any]) -> None:
        self._study = dict(settings)

    def load_trials(self) -> list[Trial]:
        return sorted(self._trials.values(), key=lambda t: t.number)

    def save_trial(self, trial: Trial) -> None:
        self._trials[trial.trial_id] = trial

    def append_metrics(
        self, trial_id: str, execution: int, step: int, metrics: Mapping[str, float]
    ) -> None:
        steps = self._curves.setdefault(trial_id, {})
        steps[(int(execution), int(step))] = {k: float(v) for k, v in metrics.items()}

    def clear_metrics(self, trial_id: str) -> None:
        self._curves.pop(trial_id, None)

    def curve_points(self, trial_id: str | None = None) -> list[CurvePoint]:
        ids = list(self._curves) if trial_id is None else [trial_id]
        return [
            CurvePoint(tid, execution, step, dict(metrics))
            for tid in ids
            for (execution, step), metrics in sorted(self._curves.get(tid, {}).items())
        ]
