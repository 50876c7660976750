"""Only one process drives a project; readers and a dead driver never block it."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from tunesmith.errors import StoreLockedError
from tunesmith.store import Store

HOLD = textwrap.dedent(
    """
    import sys, time
    from tunesmith.store import Store
    store = Store.open(sys.argv[1])
    store.claim_writer()
    print("held", flush=True)
    time.sleep(60)
    """
)


def start_holder(project):
    child = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(project)], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout.readline().strip() == "held"
    return child


def test_a_second_process_cannot_drive_the_same_project(tmp_path):
    project = tmp_path / "p"
    child = start_holder(project)
    try:
        store = Store.open(project)  # reading is fine
        with pytest.raises(StoreLockedError, match=f"pid {child.pid}"):
            store.claim_writer()
        with pytest.raises(StoreLockedError):
            Store.open(project, overwrite=True)
        assert (project / "tunesmith.db").exists()  # overwrite removed nothing
    finally:
        child.kill()
        child.wait()
    # The kernel released the dead holder's lock.
    Store.open(project).claim_writer()


def test_one_process_may_reopen_its_own_project(tmp_path):
    first = Store.open(tmp_path / "p")
    first.claim_writer()
    second = Store.open(tmp_path / "p")
    second.claim_writer()
    second.close()
    first.close()
