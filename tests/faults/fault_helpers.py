"""Helpers of the fault-injection tests: a search killed mid-way, a store's bytes."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

# The child runs a search and SIGKILLs itself in trial `kill_at`: the committed trials
# are in the -wal file beside the database, as after any crash or during a search.
KILLED_SEARCH = """
import os, signal, sys
import tunesmith

kill_at = int(sys.argv[2])

def objective(hp):
    x = hp.Float("x", -2.0, 2.0)
    if objective.calls == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)
    objective.calls += 1
    return x * x

objective.calls = 0
tunesmith.tune(objective, max_trials=20, seed=0, directory=sys.argv[1],
               project_name="study", verbose=0)
"""

FRAME_SIZE = 24 + 4096  # a -wal frame: its header and one page of the default size


def killed_search(root: Path, kill_at: int) -> Path:
    """The project of a search SIGKILLed in trial ``kill_at`` (``kill_at`` trials done)."""
    root.mkdir(parents=True, exist_ok=True)
    script = root / "child.py"
    script.write_text(textwrap.dedent(KILLED_SEARCH))
    result = subprocess.run(
        [sys.executable, str(script), str(root), str(kill_at)], capture_output=True
    )
    assert result.returncode == -9, result.stderr.decode()
    project = root / "study"
    assert (project / "tunesmith.db-wal").stat().st_size > 0  # the trials live in the log
    return project


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


def damage(path: Path, offset: int, length: int = 32) -> None:
    """Overwrite ``length`` bytes of ``path`` at ``offset`` with bytes they differ from."""
    data = bytearray(path.read_bytes())
    data[offset : offset + length] = bytes(b ^ 0xA5 for b in data[offset : offset + length])
    path.write_bytes(bytes(data))
