"""The store on disk: resume, overwrite, damaged or foreign files, versions, find_store."""

from __future__ import annotations

import hashlib
import math
import os
import random
import sqlite3
from pathlib import Path

import pytest
from store_helpers import make_trial

from tunesmith.errors import StoreCorruptError, StoreError, StoreVersionError
from tunesmith.store import SCHEMA_VERSION, Store, _schema, find_store
from tunesmith.trial import TrialStatus


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (relative path) with a digest of its bytes."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def build_store(project: Path, trials: int = 3, steps: int = 2) -> None:
    with Store.open(project) as store:
        store.save_study({"algorithm": "random", "max_trials": 10})
        for number in range(trials):
            store.save_trial(
                make_trial(
                    number,
                    {"units": 8 * (number + 1)},
                    status=TrialStatus.COMPLETED,
                    score=1.0 / (number + 1),
                    best_step=steps - 1,
                    epochs=steps,
                    executions=1,
                )
            )
            for step in range(steps):
                store.append_metrics(f"{number:04d}", 0, step, {"loss": step + number * 0.1})


def test_a_missing_folder_gets_a_fresh_store(tmp_path: Path) -> None:
    project = tmp_path / "a" / "b" / "project"
    with Store.open(project) as store:
        assert store.load_trials() == [] and store.load_study() is None
    assert (project / "tunesmith.db").is_file()
    # Closing the last connection folds the log back into the database.
    assert sorted(p.name for p in project.iterdir()) == ["tunesmith.db"]


def test_a_store_uses_wal(store: Store) -> None:
    conn = sqlite3.connect(store.path)
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert dict(conn.execute("SELECT key, value FROM meta"))["schema_version"] == str(
        SCHEMA_VERSION
    )
    conn.close()


def test_reopening_resumes_with_the_same_content(project: Path) -> None:
    build_store(project)
    with Store.open(project) as store:
        trials = store.load_trials()
        frame = store.results_frame()
        curves = store.load_curves()
        study = store.load_study()
        store.save_trial(make_trial(3, status=TrialStatus.INVALID, score=math.nan))
    with Store.open(project) as store:
        assert [t.trial_id for t in store.load_trials()] == ["0000", "0001", "0002", "0003"]
        assert store.load_trials()[:3] == trials
        assert store.results_frame().iloc[:3].equals(frame)
        assert store.load_curves().equals(curves)
        assert store.load_study() == study
        assert store.next_trial_number() == 4
        assert math.isnan(store.get_trial("0003").score)


def test_overwrite_removes_only_our_files(project: Path) -> None:
    build_store(project)
    with Store.open(project) as store:
        store.trial_dir("0001").joinpath("best.weights.h5").write_bytes(b"weights")
    (project / "notes.txt").write_text("mine")
    (project / "tunesmith.db.bak").write_bytes(b"backup")
    (project / "other").mkdir()
    (project / "other" / "data.csv").write_text("1,2")
    keep = snapshot(project)
    with Store.open(project, overwrite=True) as store:
        assert store.load_trials() == [] and store.load_study() is None
    assert not (project / "trials").exists()
    after = snapshot(project)
    for name in ("notes.txt", "tunesmith.db.bak", "other/data.csv"):
        assert after[name] == keep[name]
    assert set(after) == {
        "notes.txt",
        "tunesmith.db.bak",
        "other/data.csv",
        "tunesmith.db",
        "driver.lock",
    }


def test_overwrite_replaces_a_damaged_file(project: Path) -> None:
    project.mkdir()
    (project / "tunesmith.db").write_bytes(os.urandom(4096))
    (project / "tunesmith.db-wal").write_bytes(os.urandom(100))
    with Store.open(project, overwrite=True) as store:
        assert store.load_trials() == []


def test_a_file_given_as_project_folder_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "file"
    path.write_text("x")
    with pytest.raises(StoreError, match="is a file, not a folder"):
        Store.open(path)
    assert path.read_text() == "x"


def test_an_empty_file_gets_a_fresh_store(project: Path) -> None:
    project.mkdir()
    (project / "tunesmith.db").touch()  # what a crash while creating the store leaves
    with Store.open(project) as store:
        store.save_trial(make_trial(0))
    with Store.open(project) as store:
        assert len(store.load_trials()) == 1


def test_an_empty_sqlite_database_gets_a_fresh_store(project: Path) -> None:
    project.mkdir()
    conn = sqlite3.connect(project / "tunesmith.db")
    conn.execute("PRAGMA user_version = 0")
    conn.commit()
    conn.close()
    with Store.open(project) as store:
        assert store.load_trials() == []


def test_a_hot_rollback_journal_is_played_back(tmp_path: Path, project: Path) -> None:
    # A crash in the middle of a rollback-journal transaction (SQLite uses one while
    # switching a new file to WAL) leaves a file that is consistent only with its journal.
    source = tmp_path / "source"
    build_store(source, trials=40, steps=20)
    with Store.open(source) as store:
        expected = store.load_curves()
    db = source / "tunesmith.db"
    clean = db.read_bytes()
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("PRAGMA cache_size = 2")  # spill changed pages into the file early
    conn.execute("BEGIN")
    conn.execute("UPDATE curves SET value = value + 1000")
    project.mkdir()
    for name in ("tunesmith.db", "tunesmith.db-journal"):  # the files as a crash leaves them
        (project / name).write_bytes((source / name).read_bytes())
    conn.execute("ROLLBACK")
    conn.close()
    assert (project / "tunesmith.db").read_bytes() != clean  # half-written without the journal
    with Store.open(project) as store:
        assert store.load_curves().equals(expected)
    assert not (project / "tunesmith.db-journal").exists()


# -------------------------------------------------------------- refused files
def assert_refused(project: Path, error: type[Exception], *fragments: str) -> None:
    """Store.open fails with ``error`` naming the file and the fix; no byte changes."""
    before = snapshot(project)
    with pytest.raises(error) as info:
        Store.open(project)
    message = str(info.value)
    assert str(project / "tunesmith.db") in message
    assert "overwrite=True" in message and "Nothing was changed" in message
    for fragment in fragments:
        assert fragment in message
    assert snapshot(project) == before


@pytest.mark.parametrize("size", [1, 15, 16, 100, 4096, 50_000])
def test_random_bytes_are_refused(project: Path, size: int) -> None:
    project.mkdir()
    (project / "tunesmith.db").write_bytes(random.Random(size).randbytes(size))
    assert_refused(project, StoreCorruptError, "not a SQLite database")


def test_another_programs_database_is_refused(project: Path) -> None:
    project.mkdir()
    conn = sqlite3.connect(project / "tunesmith.db")
    conn.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute("INSERT INTO users (name) VALUES ('ada')")
    conn.commit()
    conn.close()
    assert_refused(project, StoreCorruptError, "another program", "users")


@pytest.mark.parametrize(
    "ddl",
    [
        "CREATE TABLE meta (id INTEGER, blob BLOB)",  # a 'meta' table of another shape
        "CREATE TABLE meta (key TEXT, value TEXT)",  # ours in shape, without our marker
    ],
)
def test_a_foreign_meta_table_is_refused(project: Path, ddl: str) -> None:
    project.mkdir()
    conn = sqlite3.connect(project / "tunesmith.db")
    conn.execute(ddl)
    conn.commit()
    conn.close()
    assert_refused(project, StoreCorruptError, "another program")


@pytest.mark.parametrize("keep", [50, 100, 4096, 0.5, -4096, -1])
def test_a_truncated_store_is_refused(project: Path, keep: float) -> None:
    build_store(project, trials=40, steps=20)
    db = project / "tunesmith.db"
    data = db.read_bytes()
    assert len(data) > 8 * 4096
    cut = int(len(data) * keep) if isinstance(keep, float) else keep % len(data)
    db.write_bytes(data[:cut])
    assert_refused(project, StoreCorruptError)


def test_a_store_failing_the_integrity_check_is_refused(project: Path) -> None:
    build_store(project, trials=40, steps=20)
    db = project / "tunesmith.db"
    data = bytearray(db.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    # Scribble over the headers of a few b-tree pages in the middle of the file.
    for page in range(3, 7):
        start = page * page_size
        data[start : start + 64] = b"\xa5" * 64
    db.write_bytes(bytes(data))
    assert_refused(project, StoreCorruptError)


def test_a_store_failing_quick_check_is_refused(project: Path) -> None:
    build_store(project)
    db = project / "tunesmith.db"
    data = bytearray(db.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    # Page 2 is the root of the first table; bytes 1-2 of a b-tree page point to its
    # first freeblock. A wrong pointer reads fine but fails SQLite's own check.
    data[page_size + 1 : page_size + 3] = b"\x0f\xf0"
    db.write_bytes(bytes(data))
    assert_refused(project, StoreCorruptError, "integrity check fails")


def test_a_missing_table_is_refused(project: Path) -> None:
    build_store(project)
    conn = sqlite3.connect(project / "tunesmith.db")
    conn.execute("DROP TABLE curves")
    conn.commit()
    conn.close()
    assert_refused(project, StoreCorruptError, "curves")


@pytest.mark.parametrize("database", [None, b""])
def test_a_stray_log_without_its_database_is_refused(project: Path, database) -> None:
    # Creating a database next to a log from elsewhere could replay that log into it.
    project.mkdir()
    (project / "tunesmith.db-wal").write_bytes(b"\x37\x7f\x06\x82" + bytes(60))
    if database is not None:
        (project / "tunesmith.db").write_bytes(database)
    before = snapshot(project)
    with pytest.raises(StoreCorruptError, match="write-ahead log"):
        Store.open(project)
    assert snapshot(project) == before


def _set_meta(project: Path, **values: str) -> None:
    conn = sqlite3.connect(project / "tunesmith.db")
    conn.executemany("UPDATE meta SET value = ? WHERE key = ?", [(v, k) for k, v in values.items()])
    conn.commit()
    conn.close()


def test_a_newer_store_is_refused(project: Path) -> None:
    build_store(project)
    _set_meta(project, schema_version=str(SCHEMA_VERSION + 1), written_by="9.9.9")
    assert_refused(
        project,
        StoreVersionError,
        "tunesmith 9.9.9",
        f"version {SCHEMA_VERSION + 1}",
        f"up to version {SCHEMA_VERSION}",
        "Upgrade tunesmith",
        "project_name",
    )
    with Store.open(project, overwrite=True) as store:  # the advertised way out
        assert store.load_trials() == []


def test_an_unreadable_version_is_refused(project: Path) -> None:
    build_store(project)
    _set_meta(project, schema_version="one")
    assert_refused(project, StoreCorruptError, "format version")


def test_an_older_store_is_migrated(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build_store(project)

    def add_notes(conn: sqlite3.Connection) -> None:
        conn.execute("ALTER TABLE trials ADD COLUMN notes TEXT")

    # Pretend this code is one format newer than the file it opens.
    new = SCHEMA_VERSION + 1
    monkeypatch.setattr(_schema, "SCHEMA_VERSION", new)
    monkeypatch.setitem(_schema._MIGRATIONS, SCHEMA_VERSION, add_notes)
    monkeypatch.setitem(_schema._TABLES, new, _schema._TABLES[SCHEMA_VERSION])
    with Store.open(project) as store:
        assert len(store.load_trials()) == 3
    conn = sqlite3.connect(project / "tunesmith.db")
    assert dict(conn.execute("SELECT key, value FROM meta"))["schema_version"] == str(new)
    assert "notes" in [row[1] for row in conn.execute("PRAGMA table_info(trials)")]
    conn.close()


# ----------------------------------------------------------------- find_store
def test_find_store(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    assert find_store(runs) is None  # missing
    runs.mkdir()
    assert find_store(runs) is None  # empty
    (runs / "not_a_project").mkdir()
    (runs / "notes.txt").write_text("x")
    build_store(runs / "mnist", trials=1)
    assert find_store(runs) == runs / "mnist"
    assert find_store(runs / "mnist") == runs / "mnist"
    assert find_store(runs / "mnist" / "tunesmith.db") == runs / "mnist"
    assert find_store(str(runs / "mnist")) == runs / "mnist"
    build_store(runs / "cifar", trials=1)
    with pytest.raises(StoreError) as info:
        find_store(runs)
    assert str(runs / "mnist") in str(info.value) and str(runs / "cifar") in str(info.value)
    assert find_store(runs / "cifar") == runs / "cifar"
    assert find_store(runs / "notes.txt") is None
