"""``open_storage``: what a ``storage=`` argument turns into."""

from __future__ import annotations

from pathlib import Path

import pytest
from store_helpers import make_trial

from tunesmith.errors import InvalidArgumentError
from tunesmith.store import MemoryStore, Storage, Store, open_storage


def test_none_opens_the_sqlite_store_of_the_project(tmp_path: Path) -> None:
    with open_storage(None, tmp_path / "p", overwrite=False) as storage:
        assert isinstance(storage, Store)
        assert storage.project_dir == tmp_path / "p"
        storage.save_trial(make_trial(0))
    with open_storage(None, str(tmp_path / "p"), overwrite=False) as again:
        assert [t.trial_id for t in again.load_trials()] == ["0000"]


def test_none_with_overwrite_starts_afresh(tmp_path: Path) -> None:
    with open_storage(None, tmp_path / "p") as storage:
        storage.save_trial(make_trial(0))
    with open_storage(None, tmp_path / "p", overwrite=True) as fresh:
        assert fresh.load_trials() == []


def test_none_without_a_folder_says_what_to_pass() -> None:
    with pytest.raises(InvalidArgumentError, match="storage='memory'"):
        open_storage(None, None)


def test_memory_is_a_new_in_memory_store_and_ignores_the_folder(tmp_path: Path) -> None:
    first = open_storage("memory", tmp_path / "p", overwrite=True)
    second = open_storage("memory", None)
    assert isinstance(first, MemoryStore) and isinstance(second, MemoryStore)
    assert first is not second
    assert not (tmp_path / "p").exists()


def test_a_storage_instance_is_used_as_it_is(tmp_path: Path) -> None:
    mine = MemoryStore()
    assert open_storage(mine, tmp_path / "p") is mine
    assert not (tmp_path / "p").exists()


def test_overwrite_cannot_empty_a_storage_instance() -> None:
    with pytest.raises(InvalidArgumentError, match="cannot empty the storage"):
        open_storage(MemoryStore(), None, overwrite=True)


@pytest.mark.parametrize("wrong", ["sqlite", "Memory", 3, Path("runs"), {"kind": "memory"}])
def test_anything_else_is_refused_naming_the_accepted_forms(wrong: object) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        open_storage(wrong, "runs/p")  # type: ignore[arg-type]
    message = str(caught.value)
    assert repr(wrong) in message
    assert "None" in message and "'memory'" in message and "Storage" in message


def test_a_storage_class_instead_of_an_instance_says_so() -> None:
    with pytest.raises(InvalidArgumentError, match=r"is a class: pass an instance"):
        open_storage(MemoryStore, None)  # type: ignore[arg-type]
    assert issubclass(MemoryStore, Storage)
