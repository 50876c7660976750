"""Readers (summary, export, report) open the store read-only and change nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tunesmith.cli import main
from tunesmith.errors import StoreError
from tunesmith.store import Store

# The child runs a search and is SIGKILLed in its fourth trial: the committed trials
# are in the -wal file beside the database, as after any crash or during a search.
KILLED_SEARCH = """
import os, signal, sys
import tunesmith

def objective(hp):
    x = hp.Float("x", -2.0, 2.0)
    if objective.calls == 3:
        os.kill(os.getpid(), signal.SIGKILL)
    objective.calls += 1
    return x * x

objective.calls = 0
tunesmith.tune(objective, max_trials=10, seed=0, directory=sys.argv[1],
               project_name="study", verbose=0)
"""


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file under ``folder`` with its bytes; the -shm index by name only, since
    every SQLite reader of a log marks in it what it reads (SQLite's design)."""
    files = {}
    for path in sorted(folder.rglob("*")):
        relative = str(path.relative_to(folder))
        if path.is_dir():
            files[relative + "/"] = None
        else:
            files[relative] = None if relative.endswith("-shm") else path.read_bytes()
    return files


@pytest.fixture(scope="module")
def killed_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("killed")
    script = root / "child.py"
    script.write_text(textwrap.dedent(KILLED_SEARCH))
    result = subprocess.run([sys.executable, str(script), str(root)], capture_output=True)
    assert result.returncode == -9, result.stderr.decode()
    project = root / "study"
    assert (project / "tunesmith.db-wal").stat().st_size > 0  # the trials live in the log
    return project


def test_summary_export_and_report_change_no_file_of_the_store(killed_project, tmp_path, capsys):
    before = snapshot(killed_project)
    assert main(["summary", str(killed_project)]) == 0
    assert "Showing 3 best trials" in capsys.readouterr().out  # read from the log
    assert main(["export", str(killed_project), "-o", str(tmp_path / "t.csv")]) == 0
    assert len((tmp_path / "t.csv").read_text().splitlines()) == 1 + 4  # 3 done, 1 killed
    assert main(["report", str(killed_project), "-o", str(tmp_path / "r.html")]) == 0
    assert snapshot(killed_project) == before


def test_a_read_only_store_refuses_writes_and_keeps_the_drivers_lock(killed_project):
    from tunesmith.store import _lock

    with Store.open_read_only(killed_project) as store:
        assert len(store.load_trials()) == 4
        with pytest.raises(StoreError, match="opened read-only"):
            store.save_study({"algorithm": "random"})
        assert not (killed_project / "trials" / "99").exists()
        store.trial_dir("99")  # a reader creates no folder
        assert not (killed_project / "trials" / "99").exists()

    driver = Store.open(killed_project.parent / "other")
    driver.claim_writer()
    Store.open_read_only(killed_project).close()
    held = (killed_project.parent / "other" / "driver.lock").resolve()
    assert held in _lock._held  # closing a reader gave back no lock of this process
    driver.close()


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores chmod")
def test_a_read_only_folder_can_be_read(killed_project, tmp_path, capsys):
    copy = tmp_path / "ro"
    shutil.copytree(killed_project, copy)
    for path in [copy, *copy.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    try:
        assert main(["summary", str(copy)]) == 0
        assert "Showing 3 best trials" in capsys.readouterr().out
    finally:
        for path in [copy, *copy.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)


def test_reading_a_folder_without_a_store_is_a_clear_error(tmp_path):
    with pytest.raises(StoreError, match="No tunesmith store"):
        Store.open_read_only(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_backup_copies_the_trials_still_in_the_log_and_changes_nothing(
    killed_project, tmp_path, capsys
):
    before = snapshot(killed_project)
    copy = tmp_path / "backup"
    assert main(["backup", str(killed_project), str(copy)]) == 0
    assert snapshot(killed_project) == before
    assert not (copy / "tunesmith.db-wal").exists()  # everything is in the copied file
    capsys.readouterr()
    assert main(["summary", str(copy)]) == 0
    assert "Showing 3 best trials" in capsys.readouterr().out
    # Copying the database file alone, the trap the backup avoids: the log is missing.
    alone = tmp_path / "alone"
    alone.mkdir()
    shutil.copy(killed_project / "tunesmith.db", alone / "tunesmith.db")
    with pytest.raises(StoreError, match="no study yet"):
        Store.open_read_only(alone)
    with Store.open_read_only(copy) as backed_up:
        assert len(backed_up.load_trials()) == 4
    assert main(["backup", str(killed_project), str(copy)]) == 2  # never over a store


@pytest.mark.parametrize("damage", ["copied_without_log", "truncated"])
def test_a_database_without_its_data_beside_trials_is_refused(killed_project, tmp_path, damage):
    import tunesmith

    project = tmp_path / "study"
    shutil.copytree(killed_project, project)
    (project / "trials" / "00").mkdir(parents=True, exist_ok=True)
    (project / "trials" / "00" / "best.weights.h5").write_bytes(b"weights of trial 00")
    for name in ("tunesmith.db-wal", "tunesmith.db-shm"):
        (project / name).unlink()  # the database file alone (a WAL beside it is refused)
    if damage == "truncated":
        (project / "tunesmith.db").write_bytes(b"")
    before = snapshot(project)
    with pytest.raises(StoreError, match=r"holds no study, but .* 1 trial"):
        tunesmith.tune(
            lambda hp: hp.Float("x", 0, 1),
            max_trials=2,
            directory=tmp_path,
            project_name="study",
            verbose=0,
        )
    assert snapshot(project) == before  # nothing changed, the old weights kept


def test_a_directory_that_is_a_file_is_a_clear_error(tmp_path):
    import tunesmith

    (tmp_path / "runs").write_text("not a folder")
    with pytest.raises(StoreError, match="Cannot create the project folder"):
        tunesmith.tune(lambda hp: 0.0, max_trials=1, directory=tmp_path / "runs", verbose=0)


def test_a_full_disk_keeps_the_store_and_says_how_to_resume(tmp_path):
    import tunesmith

    def objective(hp):
        return hp.Float("x", 0.0, 1.0) + len("padding" * hp.Int("n", 0, 10))

    tunesmith.tune(objective, max_trials=2, seed=0, directory=tmp_path, project_name="p", verbose=0)
    store = Store.open(tmp_path / "p")
    # SQLite's own limit stands in for a full disk: the next page cannot be allocated.
    pages = store._conn.execute("PRAGMA page_count").fetchone()[0]
    store._conn.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(StoreError, match=r"disk holding .* is full.*run the same search"):
        for number in range(200):
            store.save_study({"algorithm": "random", "padding": "x" * 4096 * (number + 1)})
    store.close()
    with Store.open_read_only(tmp_path / "p") as reopened:
        assert len(reopened.load_trials()) == 2  # nothing already stored was lost
