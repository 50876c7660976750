"""The contract of ``Storage``, run on every backend through the same tests.

Each backend is a named factory; no assertion branches on which one it is. What a
backend may do differently (rebuild trials or hand back the saved objects) is left
out of the assertions, as the interface leaves it open.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from store_helpers import make_trial

from tunesmith.errors import StoreError
from tunesmith.store import CurvePoint, MemoryStore, Storage, Store, StudyRecords
from tunesmith.trial import TrialStatus

FACTORIES: dict[str, Callable[[Path], Storage]] = {
    "sqlite": lambda folder: Store.open(folder / "project"),
    "memory": lambda folder: MemoryStore(),
}


@pytest.fixture(params=sorted(FACTORIES))
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Storage]:
    opened = FACTORIES[request.param](tmp_path)
    try:
        yield opened
    finally:
        opened.close()


def test_every_backend_is_a_storage_and_the_old_name_is_the_same_class() -> None:
    assert StudyRecords is Storage
    assert issubclass(Store, Storage) and issubclass(MemoryStore, Storage)
    with pytest.raises(TypeError):
        Storage()  # type: ignore[abstract]


def test_the_study_round_trips_as_a_new_dict(storage: Storage) -> None:
    storage.claim_writer()
    assert storage.load_study() is None
    storage.save_study({"algorithm": "random", "seed": 7, "inf": math.inf})
    storage.save_study({"algorithm": "grid", "seed": 3})
    loaded = storage.load_study()
    assert loaded == {"algorithm": "grid", "seed": 3}
    loaded["seed"] = 99
    assert storage.load_study() == {"algorithm": "grid", "seed": 3}


def test_trials_come_back_by_number_with_their_fields(storage: Storage) -> None:
    storage.save_trial(make_trial(2, {"units": 32}))
    storage.save_trial(make_trial(0, {"units": 8}))
    storage.save_trial(
        make_trial(
            1,
            {"units": 16},
            status=TrialStatus.STOPPED,
            score=0.25,
            best_step=3,
            metrics={"val_loss": 0.25},
        )
    )
    trials = storage.load_trials()
    assert [t.number for t in trials] == [0, 1, 2]
    stopped = trials[1]
    assert (stopped.trial_id, stopped.status, stopped.score, stopped.best_step) == (
        "0001",
        TrialStatus.STOPPED,
        0.25,
        3,
    )
    assert dict(stopped.metrics) == {"val_loss": 0.25}
    assert stopped.hyperparameters.values == {"units": 16}


def test_saving_a_trial_again_replaces_it(storage: Storage) -> None:
    storage.save_trial(make_trial(0))
    storage.save_trial(make_trial(0, status=TrialStatus.COMPLETED, score=0.5))
    (trial,) = storage.load_trials()
    assert (trial.status, trial.score) == (TrialStatus.COMPLETED, 0.5)


def test_a_trial_id_that_cannot_name_a_folder_is_refused(storage: Storage) -> None:
    with pytest.raises(ValueError, match="cannot name a folder"):
        storage.save_trial(make_trial(0, trial_id="a/b"))
    with pytest.raises(ValueError, match="cannot name a folder"):
        storage.trial_dir("..")


def test_curves_are_one_point_per_step_in_trial_order(storage: Storage) -> None:
    storage.save_trial(make_trial(1))
    storage.save_trial(make_trial(0))
    storage.append_metrics("0001", 0, 0, {"loss": 3.0})
    storage.append_metrics("0000", 0, 1, {"loss": 2.0})
    storage.append_metrics("0000", 0, 0, {"loss": 1.0, "acc": 0.5})
    storage.append_metrics("0000", 0, 0, {"loss": 1.5})  # the same step again: replaced
    assert storage.curve_points("0000") == [
        CurvePoint("0000", 0, 0, {"loss": 1.5}),
        CurvePoint("0000", 0, 1, {"loss": 2.0}),
    ]
    assert [(p.trial_id, p.step) for p in storage.curve_points()] == [
        ("0000", 0),
        ("0000", 1),
        ("0001", 0),
    ]
    storage.clear_metrics("0000")
    assert storage.curve_points("0000") == []
    assert [p.trial_id for p in storage.curve_points()] == ["0001"]


def test_a_trial_folder_is_made_once_and_kept(storage: Storage) -> None:
    storage.save_trial(make_trial(0))
    folder = storage.trial_dir("0000")
    assert folder.is_dir() and folder.name == "0000"
    (folder / "best.weights.h5").write_bytes(b"w")
    assert storage.trial_dir("0000") == folder
    assert (folder / "best.weights.h5").read_bytes() == b"w"


def test_a_closed_storage_refuses_reads_and_writes(storage: Storage) -> None:
    storage.save_trial(make_trial(0))
    assert not storage.closed
    storage.close()
    storage.close()  # idempotent
    assert storage.closed
    for call in (
        storage.load_study,
        storage.load_trials,
        storage.curve_points,
        lambda: storage.save_study({}),
        lambda: storage.save_trial(make_trial(1)),
        lambda: storage.append_metrics("0000", 0, 0, {"loss": 1.0}),
        lambda: storage.clear_metrics("0000"),
    ):
        with pytest.raises(StoreError, match="closed"):
            call()


def test_a_storage_is_a_context_manager_that_closes(storage: Storage) -> None:
    with storage as entered:
        assert entered is storage
    assert storage.closed


def test_the_memory_storage_removes_its_temporary_folder_on_close() -> None:
    memory = MemoryStore()
    assert memory.project_dir is None
    folder = memory.trial_dir("00")
    root = folder.parent.parent
    assert root.is_dir()
    memory.close()
    assert not root.exists()
    with pytest.raises(StoreError, match="closed"):
        memory.trial_dir("00")
