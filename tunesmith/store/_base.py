"""The public storage interface: what a study reads from and writes to its store.

A study talks to its storage through these calls only, so the same study code runs
on the SQLite :class:`~tunesmith.store.Store` (a project on disk, the default) and on
the in-memory :class:`~tunesmith.store.MemoryStore` (tests, a search without a
folder), and no code checks for a missing store.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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


class Storage(abc.ABC):
    """Where a study keeps its settings, its trials, their learning curves and files.

    Subclass it to keep a study somewhere else; implement every abstract method with
    the contract its docstring states. tunesmith ships two: :class:`~tunesmith.store.Store`
    (one SQLite file per project, crash-safe, the default) and
    :class:`~tunesmith.store.MemoryStore` (this process only).

    What is stored:

    * the **study**: one JSON-able settings document (:meth:`save_study`);
    * **trials**: every stored field of a :class:`~tunesmith.trial.Trial`, keyed by
      ``trial_id``, with a ``number`` unique within the study (:meth:`save_trial`);
    * **curves**: the metrics of each step (epoch) of each execution of a trial
      (:meth:`append_metrics`), read back as :class:`CurvePoint`\\ s;
    * **files**: a folder per trial for what is too big for a record (weights,
      checkpoints), :meth:`trial_dir`. The storage hands out the folder; what is
      written there, and how, is the writer's business.

    Thread and process guarantees:

    * **One writer process.** Only the search driver writes a storage; it calls
      :meth:`claim_writer` before its first write, which refuses (for a storage other
      processes can see) when another live process holds the study. Workers never
      write: they send their results to the driver.
    * **One thread at a time per instance**, unless an implementation says more.
      (:class:`~tunesmith.store.Store` serialises its calls with a lock, so a driver
      may report from a callback thread.)
    * **Readers in other processes open read-only** (for the SQLite store,
      :meth:`Store.open_read_only <tunesmith.store.Store.open_read_only>`): they see
      every committed write, never a half-written one, never block the writer and
      never change a file.
    * **Each write is atomic.** :meth:`save_study`, :meth:`save_trial`,
      :meth:`append_metrics` and :meth:`clear_metrics` each take effect whole or not
      at all. For a persistent storage a write that returned survives the process
      being killed at any moment (SIGKILL included): the study loses at most the
      trial in flight, which the next driver finds ``RUNNING`` and runs again. (The
      SQLite store does not sync each commit, so an operating-system crash or power
      cut may lose its last few writes, never its consistency.) An in-memory storage
      keeps nothing once its process ends.
    * Files under :meth:`trial_dir` are outside those transactions; write them to a
      temporary name and rename, as tunesmith's own writers do.

    After :meth:`close`, every call but :meth:`close` (a no-op then) and
    :attr:`closed` raises :class:`~tunesmith.errors.StoreError`. A storage is a
    context manager that closes itself.

    Example:
        >>> from tunesmith import HyperParameters, Trial
        >>> from tunesmith.store import MemoryStore
        >>> with MemoryStore() as storage:
        ...     storage.save_study({"algorithm": "random"})
        ...     storage.save_trial(Trial(HyperParameters(), trial_id="00"))
        ...     storage.append_metrics("00", execution=0, step=0, metrics={"loss": 0.5})
        ...     [t.trial_id for t in storage.load_trials()], storage.curve_points("00")[0].metrics
        (['00'], {'loss': 0.5})
    """

    # ------------------------------------------------------------------ study
    @abc.abstractmethod
    def claim_writer(self) -> None:
        """Make this process the study's only writer; call it before the first write.

        Idempotent within the process that holds the claim. The claim ends with
        :meth:`close` or with the process, however it ends.

        Raises:
            StoreLockedError: another live process writes this study.
        """

    @abc.abstractmethod
    def load_study(self) -> dict[str, Any] | None:
        """The settings last given to :meth:`save_study`, or None before the first.

        Returns a new dict each call; changing it changes nothing stored.
        """

    @abc.abstractmethod
    def save_study(self, settings: Mapping[str, Any]) -> None:
        """Replace the study's settings with ``settings`` (one JSON-able document).

        Atomic. What :meth:`load_study` gives back equals ``settings`` up to JSON
        (tuples may come back as lists); non-finite floats round trip.
        """

    # ----------------------------------------------------------------- trials
    @abc.abstractmethod
    def load_trials(self) -> list[Trial]:
        """Every stored trial, as last saved, ordered by ``number``.

        Whether these are the saved objects themselves or rebuilt copies is the
        storage's choice (:class:`~tunesmith.store.Store` rebuilds them, with
        hyperparameters as they were at the save); callers must not rely on either.
        """

    @abc.abstractmethod
    def save_trial(self, trial: Trial) -> None:
        """Insert ``trial``, or replace every stored field of the trial with its id.

        Atomic: after a crash the trial is stored as before the call or as after it.
        The caller keeps ``number`` unique within the study (a storage may refuse a
        number another trial holds, with :class:`~tunesmith.errors.StoreError`).

        Raises:
            ValueError: ``trial.trial_id`` cannot name a folder (it holds a path
                separator or is empty).
        """

    # ----------------------------------------------------------------- curves
    @abc.abstractmethod
    def append_metrics(
        self, trial_id: str, execution: int, step: int, metrics: Mapping[str, float]
    ) -> None:
        """Record the metrics of one step of one execution of a saved trial.

        Atomic. Writing the same ``(trial_id, execution, step)`` again replaces that
        step's metrics as a whole. The caller saves the trial first (a storage may
        refuse metrics of an unknown trial with :class:`~tunesmith.errors.StoreError`).
        """

    @abc.abstractmethod
    def clear_metrics(self, trial_id: str) -> None:
        """Forget every step of ``trial_id`` (before running it again). Atomic."""

    @abc.abstractmethod
    def curve_points(self, trial_id: str | None = None) -> list[CurvePoint]:
        """The steps of one trial, or of every trial, one :class:`CurvePoint` per step.

        Ordered by trial number, then execution, then step.
        """

    # ------------------------------------------------------------------ files
    @abc.abstractmethod
    def trial_dir(self, trial_id: str) -> Path:
        """A folder for the files of trial ``trial_id``, the same one on every call.

        A writer's call creates it if missing; a read-only storage never creates
        anything, so the folder may not exist. An in-memory storage keeps its folders
        in a temporary directory, made on first use and removed by :meth:`close`.

        Raises:
            ValueError: ``trial_id`` cannot name a folder.
        """

    @property
    def project_dir(self) -> Path | None:
        """The folder the study lives in, or None for a storage without one."""
        return None

    # -------------------------------------------------------------- lifetime
    @abc.abstractmethod
    def close(self) -> None:
        """Release what the storage holds (connection, writer claim, temporary files).

        Idempotent. Everything written before it stays stored (for a persistent
        storage); afterwards only :meth:`close` and :attr:`closed` may be called.
        """

    @property
    @abc.abstractmethod
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""

    def __enter__(self) -> Storage:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


#: The name this interface had as a protocol; new code names :class:`Storage`.
StudyRecords = Storage
