"""Damaged, detached or full stores: refused or reported clearly, nothing lost."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from fault_helpers import FRAME_SIZE, damage, killed_search, snapshot

import tunesmith
from tunesmith.cli import main
from tunesmith.errors import StoreCorruptError, StoreError
from tunesmith.store import Store
from tunesmith.trial import TrialStatus


def objective(hp):
    x = hp.Float("x", -2.0, 2.0)
    return x * x


def resume(project: Path, max_trials: int = 20):
    return tunesmith.tune(
        objective,
        max_trials=max_trials,
        seed=0,
        directory=project.parent,
        project_name=project.name,
        verbose=0,
    )


@pytest.fixture(scope="module")
def six_done(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A search SIGKILLed in its seventh trial: six trials done, all in the -wal file."""
    return killed_search(tmp_path_factory.mktemp("six"), kill_at=6)


def copy_of(project: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "study"
    shutil.copytree(project, copy)
    return copy


def frames(project: Path) -> int:
    return ((project / "tunesmith.db-wal").stat().st_size - 32) // FRAME_SIZE


# ----------------------------------------------------------- a damaged write-ahead log
def test_a_log_damaged_in_the_middle_is_refused_by_readers_and_drivers(six_done, tmp_path, capsys):
    project = copy_of(six_done, tmp_path)
    # An early frame: SQLite would stop reading there and show no trial at all.
    damage(project / "tunesmith.db-wal", 32 + 3 * FRAME_SIZE + 200)
    before = snapshot(project)
    assert main(["summary", str(project)]) == 2
    assert "tunesmith.db-wal is damaged at byte" in capsys.readouterr().err
    for command in (
        ["export", str(project), "-o", str(tmp_path / "t.csv")],
        ["report", str(project), "-o", str(tmp_path / "r.html")],
    ):
        assert main(command) == 2
    with pytest.raises(StoreCorruptError, match=r"damaged at byte .*back.*tunesmith recover"):
        resume(project)
    assert snapshot(project) == before  # the log and everything else left as they were


def test_recover_keeps_the_damaged_files_and_the_search_resumes(six_done, tmp_path, capsys):
    project = copy_of(six_done, tmp_path)
    damage(project / "tunesmith.db-wal", 32 + (frames(project) - 6) * FRAME_SIZE + 100)
    damaged_bytes = snapshot(project)
    assert main(["recover", str(project)]) == 0
    assert "Run the same search again to resume" in capsys.readouterr().out
    (kept,) = project.glob("damaged-*")
    for name in ("tunesmith.db", "tunesmith.db-wal"):
        assert (kept / name).read_bytes() == damaged_bytes[name]  # an exact copy kept
    with Store.open_read_only(project) as store:
        recovered = store.load_trials()
    assert 1 <= len(recovered) <= 7  # what precedes the damage: some trials, not all
    assert not (project / "tunesmith.db-wal").exists()
    result = resume(project)
    assert len(result.trials) == 20
    assert all(t.status is TrialStatus.COMPLETED for t in result.trials[len(recovered) :])
    assert main(["summary", str(project)]) == 0  # the copy kept inside is not a project
    capsys.readouterr()
    assert main(["recover", str(project)]) == 2  # an intact store needs no recovery
    assert "needs no recovery" in capsys.readouterr().err


def test_a_torn_last_frame_is_what_a_power_cut_leaves_and_is_not_refused(six_done, tmp_path):
    project = copy_of(six_done, tmp_path)
    wal = project / "tunesmith.db-wal"
    with wal.open("r+b") as log:
        log.truncate(wal.stat().st_size - FRAME_SIZE // 2)
    damage(wal, 32 + (frames(project) - 1) * FRAME_SIZE + 50)
    with Store.open_read_only(project) as store:
        assert len(store.load_trials()) >= 6


def test_frames_of_an_earlier_life_of_the_log_are_not_damage(tmp_path):
    from tunesmith.store._wal import find_damage

    # A log SQLite restarted after a checkpoint: new frames at its start, older ones
    # (other salts) after them, as a long search leaves it when killed.
    child = textwrap.dedent(
        """
        import os, sqlite3, sys
        conn = sqlite3.connect(sys.argv[1], isolation_level=None)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA wal_autocheckpoint = 0")
        conn.execute("CREATE TABLE t (x)")
        for i in range(30):
            conn.execute("INSERT INTO t VALUES (?)", (os.urandom(3000),))
        conn.execute("PRAGMA wal_checkpoint(RESTART)")
        for i in range(3):
            conn.execute("INSERT INTO t VALUES (?)", (os.urandom(3000),))
        os._exit(0)
        """
    )
    db = tmp_path / "x.db"
    subprocess.run([sys.executable, "-c", child, str(db)], check=True)
    assert (db.parent / "x.db-wal").stat().st_size > 20 * FRAME_SIZE  # the old tail is there
    assert find_damage(db.parent / "x.db-wal") is None
    damage(db.parent / "x.db-wal", 32 + 100)  # the restarted log's first frame
    found = find_damage(db.parent / "x.db-wal")
    assert found.offset == 32 and found.frames_lost < 10  # only the restarted log's frames
    damage(db.parent / "x.db-wal", 8)  # the header
    assert find_damage(db.parent / "x.db-wal").offset == 0


# --------------------------------------------------- a database without all its trials
def test_trial_folders_the_database_has_no_record_of_are_refused(six_done, tmp_path, capsys):
    project = copy_of(six_done, tmp_path)
    # As after putting back an older copy of the database: newer trials' files remain.
    for trial_id in ("07", "08"):
        (project / "trials" / trial_id).mkdir(parents=True)
        (project / "trials" / trial_id / "best.weights.h5").write_bytes(b"weights")
    before = snapshot(project)
    with pytest.raises(StoreError, match=r"holds 7 trial.*no record of \(07, 08\)"):
        resume(project)
    assert snapshot(project) == before
    assert main(["recover", str(project)]) == 0
    (kept,) = project.glob("damaged-*")
    assert (kept / "trials" / "08" / "best.weights.h5").read_bytes() == b"weights"
    assert len(resume(project).trials) == 20


def test_a_backup_holds_no_folder_of_a_trial_it_has_no_record_of(six_done, tmp_path):
    project = copy_of(six_done, tmp_path)
    (project / "trials" / "03").mkdir(parents=True)
    (project / "trials" / "03" / "best.weights.h5").write_bytes(b"weights of 03")
    (project / "trials" / "42").mkdir(parents=True)  # a trial started after the copy
    (project / "trials" / "42" / "best.weights.h5").write_bytes(b"not in the copy")
    with Store.open_read_only(project) as store:
        copy = store.backup(tmp_path / "backup")
    assert (copy / "trials" / "03" / "best.weights.h5").read_bytes() == b"weights of 03"
    assert not (copy / "trials" / "42").exists()
    assert len(resume(copy).trials) == 20  # the copy opens as a project of its own


def test_a_missing_log_is_named_by_readers(six_done, tmp_path, capsys):
    project = copy_of(six_done, tmp_path)
    (project / "tunesmith.db-wal").unlink()
    (project / "tunesmith.db-shm").unlink()
    assert main(["summary", str(project)]) == 2
    assert "tunesmith.db-wal, which held every trial, is missing" in capsys.readouterr().err


# ------------------------------------------------------------ damaged database content
@pytest.fixture
def finished(tmp_path: Path) -> Path:
    resume(tmp_path / "study", max_trials=3).store.close()  # all in tunesmith.db now
    assert not (tmp_path / "study" / "tunesmith.db-wal").exists()
    return tmp_path / "study"


def test_damaged_text_in_the_database_is_a_corrupt_store_error(finished, capsys):
    conn = sqlite3.connect(finished / "tunesmith.db")
    conn.execute("UPDATE spaces SET config = CAST(x'7b22ff22' AS TEXT)")  # not UTF-8
    conn.commit()
    conn.close()
    assert main(["summary", str(finished)]) == 2
    err = capsys.readouterr().err
    assert "not a usable tunesmith store" in err and "UTF-8" in err
    with Store.open(finished) as store, pytest.raises(StoreCorruptError, match="UTF-8"):
        store.load_trials()


def test_a_header_with_an_impossible_page_size_is_named_as_such(finished):
    db = finished / "tunesmith.db"
    data = bytearray(db.read_bytes())
    data[16:18] = (768).to_bytes(2, "big")
    db.write_bytes(bytes(data))
    with pytest.raises(StoreCorruptError, match="page size 768 is not one SQLite uses"):
        Store.open(finished)
    assert db.read_bytes() == bytes(data)


# -------------------------------------------------------------------------- a full disk
FILL_THE_DISK = """
import resource, signal, sys
import tunesmith
from tunesmith.errors import StoreError

project, limit = sys.argv[1], int(sys.argv[2])
if limit:
    # A file-size limit stands in for the disk: writes past it fail like a full one.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

def objective(hp):
    x = hp.Float("x", -2.0, 2.0)
    return x * x + len(hp.Choice("pad", ["p" * 3000, "q" * 3000]))

try:
    tunesmith.tune(objective, max_trials=400, seed=0, directory=project, project_name="study",
                   verbose=0)
except StoreError as exc:
    print("StoreError:", exc)
    sys.exit(3)
"""


def _fill(prefix: list[str], project_root: Path, limit: int) -> subprocess.CompletedProcess:
    script = project_root.parent / "fill.py"
    script.write_text(textwrap.dedent(FILL_THE_DISK))
    return subprocess.run(
        [*prefix, sys.executable, str(script), str(project_root), str(limit)],
        capture_output=True,
        text=True,
        timeout=300,
    )


def _check_full_then_resume(result: subprocess.CompletedProcess, project: Path) -> None:
    assert result.returncode == 3, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    message = result.stdout
    assert ("is full" in message and "run the same search again" in message) or (
        "could not write" in message and "run again to resume" in message
    ), message
    with Store.open_read_only(project) as store:
        kept = [t for t in store.load_trials() if t.status is TrialStatus.COMPLETED]
    assert len(kept) >= 2  # the trials written before the disk filled
    result = tunesmith.tune(
        lambda hp: hp.Float("x", -2.0, 2.0) ** 2 + len(hp.Choice("pad", ["p" * 3000, "q" * 3000])),
        max_trials=len(kept) + 3,
        seed=0,
        directory=project.parent,
        project_name="study",
        verbose=0,
    )
    assert sum(t.status is TrialStatus.COMPLETED for t in result.trials) >= len(kept) + 2


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_FSIZE semantics of Linux")
def test_a_file_size_limit_like_a_full_disk_keeps_the_store(tmp_path):
    root = tmp_path / "runs"
    assert _fill([], root, 0).returncode == 0  # 400 trials fit without a limit
    shutil.rmtree(root)
    # Room for the store's first trials, not for 400 of them.
    result = _fill([], root, 400 * 1024)
    _check_full_then_resume(result, root / "study")


def test_a_small_tmpfs_filling_up_keeps_the_store(tmp_path):
    mount_point = tmp_path / "small"
    mount_point.mkdir()
    probe = (
        subprocess.run(
            [
                "unshare",
                "-Urm",
                "mount",
                "-t",
                "tmpfs",
                "-o",
                "size=256k",
                "none",
                str(mount_point),
            ],
            capture_output=True,
        )
        if shutil.which("unshare")
        else None
    )
    if probe is None or probe.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs unshare -Urm)")
    # In one namespace: mount 256 KiB, search into it until full, copy the project out.
    script = tmp_path / "fill.py"
    script.write_text(textwrap.dedent(FILL_THE_DISK))
    shell = (
        f"mount -t tmpfs -o size=256k none {mount_point} && "
        f"{sys.executable} {script} {mount_point} 0; status=$?; "
        f"cp -r {mount_point}/study {tmp_path}/study; exit $status"
    )
    result = subprocess.run(
        ["unshare", "-Urm", "sh", "-c", shell], capture_output=True, text=True, timeout=300
    )
    _check_full_then_resume(result, tmp_path / "study")
    assert not any(mount_point.iterdir())  # the tmpfs went with its namespace
