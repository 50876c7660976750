"""Readers (summary, export, report) open the store read-only and change nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from fault_helpers import snapshot

from tunesmith.cli import main
from tunesmith.errors import StoreError
from tunesmith.store import Store


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


def _without_root_powers() -> list[str]:
    """A command prefix under which permissions hold, or skip the test.

    Root ignores them; in a user namespace of its own it keeps its uid (so it can
    still reach the Python under /root) but loses the power to override them.
    """
    if os.geteuid() != 0:
        return []
    prefix = ["unshare", "--user"]
    probe_file = Path(tempfile.mkdtemp(prefix="tunesmith-probe-")) / "f"
    probe_file.write_text("")
    probe_file.chmod(0o444)
    try:
        probe = subprocess.run([*prefix, "sh", "-c", f"echo x > {probe_file}"], capture_output=True)
    except OSError:
        pytest.skip("root, and no `unshare` to drop its power over permissions")
    finally:
        shutil.rmtree(probe_file.parent)
    if probe.returncode == 0:
        pytest.skip("root, and `unshare --user` does not drop its power over permissions")
    return prefix


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_a_read_only_folder_can_be_read(killed_project, tmp_path):
    prefix = _without_root_powers()
    copy = tmp_path / "ro"
    shutil.copytree(killed_project, copy)
    for path in [copy, *copy.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    try:
        before = snapshot(copy)
        for command in ("summary", "export", "report"):
            out = ["-o", str(tmp_path / f"out.{command}")] if command != "summary" else []
            result = subprocess.run(
                [*prefix, sys.executable, "-m", "tunesmith.cli", command, str(copy), *out],
                capture_output=True,
                text=True,
            )
            assert result.returncode == 0, result.stderr
        assert "Showing 3 best trials" in result.stdout or command != "summary"
        assert snapshot(copy) == before
        # The default output goes inside the project: a read-only one gets a clear error.
        result = subprocess.run(
            [*prefix, sys.executable, "-m", "tunesmith.cli", "report", str(copy)],
            capture_output=True,
            text=True,
        )
        assert result.returncode != 0
        assert "-o" in result.stderr and "Traceback" not in result.stderr
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
    with pytest.raises(
        StoreError, match=r"its log tunesmith\.db-wal, which held every trial, is missing"
    ):
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
