"""The contract every storage keeps: :class:`StorageContract`."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tunesmith.errors import StoreError
from tunesmith.store import Storage
from tunesmith.testing._studies import (
    mixed_space,
    new_study,
    next_trial,
    run_sequentially,
    synthetic_loss,
    train,
)
from tunesmith.trial import Trial, TrialStatus


def _settings() -> dict[str, Any]:
    """Study settings with every kind of JSON value, nested (a new dict each call)."""
    return {
        "format": 2,
        "algorithm": "composed",
        "seed": 7,
        "max_trials": None,
        "objective": {"name": "val_loss", "direction": "min"},
        "space": {
            "space": [
                {
                    "class_name": "Float",
                    "config": {"name": "lr", "min_value": 0.0001, "step": None},
                },
                {"class_name": "Choice", "config": {"name": "act", "values": ["relu", "tanh"]}},
            ],
            "values": {"lr": 0.001, "act": "relu"},
        },
        "flags": [True, False],
        "ratio": 0.1,
        "limit": math.inf,
        "note": "résumé, 東京",
    }


class StorageContract:
    """The checks every :class:`~tunesmith.store.Storage` passes, as a pytest suite.

    Subclass it in a test module, under a name pytest collects (``Test...``), and
    override :meth:`make_storage`; pytest then runs every ``test_*`` method below on
    a new storage each (closed after the test).

    What is checked: the study's settings round-trip (nested JSON values, a new dict
    each load); every stored field of a trial round-trips (status, values of every
    type, score ``None`` and NaN, metrics, best step, timings, error, attempts);
    curve points come back in step order per execution, a step written again is
    replaced, and ``clear_metrics`` forgets one trial's steps only; ``trial_dir``
    gives each trial its own existing folder; a :class:`~tunesmith.study.Study`
    attached to the storage resumes the study it holds; after ``close()``,
    ``closed`` is True and calls raise :class:`~tunesmith.errors.StoreError`.

    Example:
        >>> from tunesmith.store import MemoryStore
        >>> from tunesmith.testing import StorageContract
        >>> class TestMemoryStore(StorageContract):
        ...     def make_storage(self, tmp_path):
        ...         return MemoryStore()
        >>> TestMemoryStore().test_close_then_closed_is_true(MemoryStore())

        In a test module, pytest collects ``TestMemoryStore`` and runs every check,
        each on a storage of its own.
    """

    def make_storage(self, tmp_path: Path) -> Storage:
        """A new, empty storage to check; ``tmp_path`` is a fresh folder it may use."""
        raise NotImplementedError(
            f"{type(self).__name__} must override make_storage(tmp_path) to return the "
            "storage to check."
        )

    @pytest.fixture
    def storage(self, tmp_path: Path) -> Iterator[Storage]:
        """The storage of one test, closed after it."""
        opened = self.make_storage(tmp_path)
        assert isinstance(opened, Storage), f"make_storage() gave {opened!r}, not a Storage."
        try:
            yield opened
        finally:
            opened.close()

    # ------------------------------------------------------------------ study
    def test_study_settings_round_trip(self, storage: Storage) -> None:
        storage.claim_writer()
        assert storage.load_study() is None
        storage.save_study({"algorithm": "random"})
        storage.save_study(_settings())
        loaded = storage.load_study()
        assert loaded == _settings()
        loaded["seed"] = 99
        loaded["space"]["values"]["act"] = "tanh"
        loaded["flags"].append(None)
        assert storage.load_study() == _settings(), "Changing a loaded dict changed the store."

    # ----------------------------------------------------------------- trials
    def test_trials_round_trip_every_stored_field(self, storage: Storage) -> None:
        saved = _sample_trials()
        for trial in reversed(saved):
            storage.save_trial(trial)
        loaded = storage.load_trials()
        assert [t.trial_id for t in loaded] == [t.trial_id for t in saved], "Not by number."
        for before, after in zip(saved, loaded, strict=True):
            assert _fields(after) == _fields(before), f"Trial {before.trial_id} changed."
            assert _typed(after.values) == _typed(before.values)
            assert [hp.name for hp in after.hyperparameters.space] == [
                hp.name for hp in before.hyperparameters.space
            ]

    def test_saving_a_trial_again_replaces_it(self, storage: Storage) -> None:
        trial = _trial(0, {"units": 32})
        storage.save_trial(trial)
        trial.status, trial.score, trial.ended_at = TrialStatus.COMPLETED, 0.5, 12.5
        storage.save_trial(trial)
        (loaded,) = storage.load_trials()
        assert (loaded.status, loaded.score, loaded.ended_at) == (TrialStatus.COMPLETED, 0.5, 12.5)

    def test_a_trial_id_that_cannot_name_a_folder_is_refused(self, storage: Storage) -> None:
        with pytest.raises(ValueError):
            storage.save_trial(_trial(0, {"units": 32}, trial_id="a/b"))
        with pytest.raises(ValueError):
            storage.trial_dir("..")

    # ----------------------------------------------------------------- curves
    def test_curve_points_come_in_step_order_per_execution(self, storage: Storage) -> None:
        storage.save_trial(_trial(1, {"units": 16}))
        storage.save_trial(_trial(0, {"units": 32}))
        for execution, step, loss in [(1, 1, 0.4), (0, 2, 0.3), (0, 0, 0.9), (1, 0, 0.8)]:
            storage.append_metrics("0000", execution, step, {"loss": loss})
        storage.append_metrics("0000", 0, 1, {"loss": 0.5, "accuracy": 0.75})
        storage.append_metrics("0001", 0, 0, {"loss": 2.0})
        storage.append_metrics("0000", 0, 0, {"loss": 1.0})  # written again: replaced
        expected = [
            ("0000", 0, 0, {"loss": 1.0}),
            ("0000", 0, 1, {"loss": 0.5, "accuracy": 0.75}),
            ("0000", 0, 2, {"loss": 0.3}),
            ("0000", 1, 0, {"loss": 0.8}),
            ("0000", 1, 1, {"loss": 0.4}),
        ]
        assert _points(storage, "0000") == expected
        assert _points(storage) == [*expected, ("0001", 0, 0, {"loss": 2.0})]
        storage.clear_metrics("0000")
        assert _points(storage, "0000") == []
        assert _points(storage) == [("0001", 0, 0, {"loss": 2.0})], "Another trial's steps went."
        storage.append_metrics("0000", 0, 0, {"loss": 0.7})  # the trial runs again
        assert _points(storage, "0000") == [("0000", 0, 0, {"loss": 0.7})]

    # ------------------------------------------------------------------ files
    def test_trial_dir_is_a_distinct_existing_folder_per_trial(self, storage: Storage) -> None:
        storage.save_trial(_trial(0, {"units": 32}))
        storage.save_trial(_trial(1, {"units": 16}))
        first, second = storage.trial_dir("0000"), storage.trial_dir("0001")
        assert first.is_dir() and second.is_dir() and first != second
        (first / "best.weights.h5").write_bytes(b"weights")
        assert storage.trial_dir("0000") == first
        assert (storage.trial_dir("0000") / "best.weights.h5").read_bytes() == b"weights"
        assert not (second / "best.weights.h5").exists()

    # ----------------------------------------------------------------- resume
    def test_a_study_attached_to_it_resumes(self, storage: Storage) -> None:
        first = new_study(mixed_space(), sampler="random", max_trials=6)
        first.attach_store(storage)
        for number in range(3):
            trial = next_trial(first)
            if number == 1:
                first.tell(trial, error="RuntimeError: the trial crashed")
            else:
                train(first, trial, synthetic_loss)
        crashed = next_trial(first)  # left RUNNING: the driver "dies" here
        first.report(crashed, 0, {"loss": 0.5})
        ended = {t.trial_id: (t.status, t.score) for t in first.trials.values()}
        ranked = [t.trial_id for t in first.get_best_trials(3)]

        resumed = new_study(mixed_space(), sampler="random", max_trials=6)
        resumed.attach_store(storage)
        assert resumed.requeued == (crashed.trial_id,), "The RUNNING trial is not run again."
        assert {t.trial_id: (t.status, t.score) for t in resumed.trials.values()} == ended
        assert [t.trial_id for t in resumed.get_best_trials(3)] == ranked
        again = next_trial(resumed)
        assert again.trial_id == crashed.trial_id and again.values == crashed.values
        assert _points(storage, crashed.trial_id) == [], "The rerun starts a new curve."
        train(resumed, again, synthetic_loss)
        run_sequentially(resumed)
        statuses = {t.trial_id: t.status for t in storage.load_trials()}
        assert len(statuses) == 6
        assert [s for s in statuses.values() if s is not TrialStatus.COMPLETED] == [
            TrialStatus.FAILED
        ]

    # --------------------------------------------------------------- lifetime
    def test_close_then_closed_is_true(self, storage: Storage) -> None:
        storage.save_trial(_trial(0, {"units": 32}))
        assert storage.closed is False
        storage.close()
        assert storage.closed is True
        storage.close()  # a second close does nothing
        with pytest.raises(StoreError):
            storage.load_trials()

    def test_it_is_a_context_manager_that_closes(self, storage: Storage) -> None:
        with storage as entered:
            assert entered is storage
        assert storage.closed is True


def _trial(number: int, values: dict[str, Any], **fields: Any) -> Trial:
    fields.setdefault("trial_id", f"{number:04d}")
    return Trial(mixed_space().with_values(values), number=number, **fields)


def _sample_trials() -> list[Trial]:
    """One trial of each kind a study stores, with values of every type."""
    adam = {"lr": 0.00123456789, "units": 64, "optimizer": "adam", "batch_norm": True}
    sgd = {"lr": 0.05, "units": 128, "optimizer": "sgd", "batch_norm": False, "momentum": 0.9}
    promoted = {**adam, "tuner/epochs": 9, "tuner/initial_epoch": 3, "tuner/trial_id": "0000"}
    return [
        _trial(
            0,
            adam,
            status=TrialStatus.COMPLETED,
            score=0.25,
            metrics={"loss": 0.25, "accuracy": 0.875},
            best_step=3,
            started_at=1_700_000_000.125,
            ended_at=1_700_000_042.5,
            executions=2,
            epochs=8,
        ),
        _trial(
            1,
            sgd,
            status=TrialStatus.FAILED,
            error="Traceback (most recent call last):\n  ...\nValueError: bad «input»",
            started_at=1_700_000_043.0,
            ended_at=1_700_000_044.0,
            attempts=3,
        ),
        _trial(2, adam | {"units": 16}, status=TrialStatus.RUNNING, started_at=1_700_000_045.0),
        _trial(
            3,
            sgd | {"lr": 0.001},
            status=TrialStatus.INVALID,
            score=math.nan,
            metrics={"loss": math.nan},
            error="The objective 'loss' was nan.",
        ),
        _trial(
            4,
            promoted,
            status=TrialStatus.STOPPED,
            score=1.5,
            metrics={"loss": 1.5},
            best_step=5,
            epochs=3,
        ),
    ]


def _fields(trial: Trial) -> dict[str, Any]:
    """Every stored field but the hyperparameters, NaN made comparable."""
    out = {}
    for name in Trial.STORED_FIELDS:
        if name == "hyperparameters":
            continue
        value = getattr(trial, name)
        if name == "metrics":
            value = {k: _comparable(v) for k, v in dict(value).items()}
        out[name] = _comparable(value)
    return out


def _comparable(value: Any) -> Any:
    return "NaN" if isinstance(value, float) and math.isnan(value) else value


def _typed(values: dict[str, Any]) -> dict[str, tuple[str, Any]]:
    """Values with their types: ``True`` must not come back as ``1``, nor ``64`` as ``64.0``."""
    return {k: (type(v).__name__, v) for k, v in values.items()}


def _points(storage: Storage, trial_id: str | None = None) -> list[tuple]:
    return [
        (p.trial_id, p.execution, p.step, dict(p.metrics)) for p in storage.curve_points(trial_id)
    ]
