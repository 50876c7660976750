"""A study's records in this process only: :class:`MemoryStore`."""

from __future__ import annotations

import copy
import shutil
import tempfile
import weakref
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tunesmith.errors import StoreError
from tunesmith.store._base import CurvePoint, Storage
from tunesmith.store._paths import TRIALS_DIRNAME, check_trial_id
from tunesmith.trial import Trial


class MemoryStore(Storage):
    """A study's records in this process only (a search without ``directory=``).

    Nothing is persisted: the records go with the process. :meth:`load_trials` gives
    back the saved :class:`~tunesmith.trial.Trial` objects themselves. Trial files go
    to a temporary folder made on first :meth:`trial_dir` and removed by
    :meth:`close` (or when the store is garbage collected, or at exit). No other
    process can see these records, so :meth:`claim_writer` has nothing to lock, and
    unlike the SQLite store it checks neither trial numbers nor that a trial was
    saved before its metrics. One thread at a time.

    Example:
        >>> memory = MemoryStore()
        >>> memory.append_metrics("00", 0, 0, {"loss": 1.0})
        >>> memory.curve_points("00")
        [CurvePoint(trial_id='00', execution=0, step=0, metrics={'loss': 1.0})]
        >>> memory.trial_dir("00").name
        '00'
        >>> memory.close()
    """

    def __init__(self) -> None:
        self._study: dict[str, Any] | None = None
        self._trials: dict[str, Trial] = {}
        # {trial_id: {(execution, step): metrics}}, in the order steps were logged.
        self._curves: dict[str, dict[tuple[int, int], dict[str, float]]] = {}
        self._files: Path | None = None
        self._remove_files: weakref.finalize[..., MemoryStore] | None = None
        self._closed = False

    def claim_writer(self) -> None:
        """Nothing to lock: no other process can see these records."""
        self._check_open()

    def load_study(self) -> dict[str, Any] | None:
        self._check_open()
        # A deep copy both ways: changing the settings read or given changes nothing stored.
        return None if self._study is None else copy.deepcopy(self._study)

    def save_study(self, settings: Mapping[str, Any]) -> None:
        self._check_open()
        self._study = copy.deepcopy(dict(settings))

    def load_trials(self) -> list[Trial]:
        self._check_open()
        return sorted(self._trials.values(), key=lambda t: t.number)

    def save_trial(self, trial: Trial) -> None:
        self._check_open()
        self._trials[check_trial_id(trial.trial_id)] = trial

    def append_metrics(
        self, trial_id: str, execution: int, step: int, metrics: Mapping[str, float]
    ) -> None:
        self._check_open()
        steps = self._curves.setdefault(trial_id, {})
        steps[(int(execution), int(step))] = {k: float(v) for k, v in metrics.items()}

    def clear_metrics(self, trial_id: str) -> None:
        self._check_open()
        self._curves.pop(trial_id, None)

    def curve_points(self, trial_id: str | None = None) -> list[CurvePoint]:
        self._check_open()
        if trial_id is None:
            numbers = {tid: trial.number for tid, trial in self._trials.items()}
            # Trial order (as the SQLite store); steps of unsaved trials last.
            ids = sorted(self._curves, key=lambda tid: (tid not in numbers, numbers.get(tid, 0)))
        else:
            ids = [trial_id]
        return [
            CurvePoint(tid, execution, step, dict(metrics))
            for tid in ids
            for (execution, step), metrics in sorted(self._curves.get(tid, {}).items())
        ]

    def trial_dir(self, trial_id: str) -> Path:
        """``<temporary folder>/trials/<trial_id>/``, created if missing."""
        self._check_open()
        check_trial_id(trial_id)
        if self._files is None:
            self._files = Path(tempfile.mkdtemp(prefix="tunesmith-memory-"))
            self._remove_files = weakref.finalize(
                self, shutil.rmtree, self._files, ignore_errors=True
            )
        path = self._files / TRIALS_DIRNAME / trial_id
        path.mkdir(parents=True, exist_ok=True)
        return path

    def close(self) -> None:
        """Remove the temporary folder of trial files; the store is not used afterwards."""
        if self._remove_files is not None:
            self._remove_files()
        self._closed = True

    @property
    def closed(self) -> bool:
        return self._closed

    def __enter__(self) -> MemoryStore:
        return self

    def __repr__(self) -> str:
        state = " (closed)" if self._closed else ""
        return f"MemoryStore({len(self._trials)} trials){state}"

    def _check_open(self) -> None:
        if self._closed:
            raise StoreError("This in-memory store was closed; its records are gone.")
