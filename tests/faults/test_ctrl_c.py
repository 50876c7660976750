"""Ctrl-C ends a search with the resume message and a short stderr, not a traceback
from inside the fit; ``tunesmith demo`` exits with status 130."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

ENV = {**os.environ, "KERAS_BACKEND": "jax", "PYTHONUNBUFFERED": "1", "COLUMNS": "200"}


def interrupt_when(process: subprocess.Popen, ready, timeout: float = 120.0) -> None:
    """Send SIGINT once ``ready()`` holds, then wait for the process to end."""
    deadline = time.monotonic() + timeout
    while not ready():
        assert process.poll() is None, "the search ended before it could be interrupted"
        assert time.monotonic() < deadline, "the search never started"
        time.sleep(0.1)
    time.sleep(0.3)  # well inside the trial
    process.send_signal(signal.SIGINT)


def run_script(
    tmp_path: Path, body: str, second_interrupt_after: float | None = None
) -> tuple[int, str, str]:
    """Run ``body`` (``{marker}`` and ``{directory}`` filled in) and press Ctrl-C once
    it has touched the marker; a second time ``second_interrupt_after`` seconds later
    when given, while the first one's clean-up is under way."""
    marker = tmp_path / "started"
    script = tmp_path / "search.py"
    script.write_text(textwrap.dedent(body).format(marker=str(marker), directory=str(tmp_path)))
    process = subprocess.Popen(
        [sys.executable, str(script)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
    )
    interrupt_when(process, marker.exists)
    if second_interrupt_after is not None:
        time.sleep(second_interrupt_after)
        process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)  # ends: no hang waiting on workers
    return process.returncode, out, err


def assert_short_and_resumable(code: int, out: str, err: str) -> None:
    assert code in (-signal.SIGINT, 130), (code, err)
    assert "Search interrupted" in out and "to resume" in out
    assert err.count("Traceback") <= 1, err
    assert "During handling" not in err and "jax" not in err.lower(), err
    assert len(err.strip().splitlines()) <= 12, err
    assert err.strip().endswith("KeyboardInterrupt"), err


def test_a_tune_script_interrupted_prints_the_resume_message_and_a_short_stderr(tmp_path):
    code, out, err = run_script(
        tmp_path,
        """
        import time
        import tunesmith

        def objective(hp):
            hp.Float("x", 0.0, 1.0)
            open({marker!r}, "w").close()
            time.sleep(60)
            return 0.0

        tunesmith.tune(objective, max_trials=3, verbose=1, directory={directory!r})
        """,
    )
    assert_short_and_resumable(code, out, err)


def test_a_keras_search_interrupted_during_fit_shows_no_jax_traceback(tmp_path):
    code, out, err = run_script(
        tmp_path,
        """
        import time
        import keras
        import numpy as np
        import tunesmith as kt

        class Slow(keras.callbacks.Callback):
            def on_train_batch_end(self, batch, logs=None):
                open({marker!r}, "w").close()
                time.sleep(0.05)

        def build(hp):
            model = keras.Sequential(
                [keras.Input((4,)), keras.layers.Dense(hp.Int("units", 2, 8)),
                 keras.layers.Dense(1)]
            )
            model.compile("adam", "mse")
            return model

        x = np.random.default_rng(0).normal(size=(256, 4)).astype("float32")
        y = x.sum(axis=1, keepdims=True)
        tuner = kt.RandomSearch(build, objective="loss", max_trials=3,
                                directory={directory!r}, project_name="p")
        tuner.search(x, y, epochs=1000, batch_size=8, callbacks=[Slow()], verbose=1)
        """,
    )
    assert_short_and_resumable(code, out, err)


def test_the_cli_demo_interrupted_exits_130_without_a_traceback(tmp_path):
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tunesmith.cli",
            "demo",
            "--directory",
            str(tmp_path),
            "--max-trials",
            "20",
            "--epochs",
            "500",
            "--no-report",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
    )
    seen: list[str] = []
    reader = threading.Thread(target=lambda: seen.extend(process.stdout), daemon=True)
    reader.start()
    interrupt_when(process, lambda: any("Search: trial" in line for line in seen))
    err = process.stderr.read()
    process.wait(timeout=60)
    reader.join(timeout=10)
    assert process.returncode == 130, err
    assert "Traceback" not in err, err
    assert "tunesmith: interrupted." in err
    assert any("Search interrupted" in line for line in seen)


WORKERS_SCRIPT = """
import os
import time
import tunesmith

def objective(hp):
    hp.Float("x", 0.0, 1.0)
    with open({marker!r}, "a") as pids:
        pids.write(f"{{os.getpid()}}\\n")
    time.sleep(120)
    return 0.0

if __name__ == "__main__":
    tunesmith.tune(objective, max_trials=4, verbose=1, directory={directory!r},
                   executor=tunesmith.LocalWorkers(workers=2, devices="cpu"))
"""


def worker_pids(marker: Path) -> list[int]:
    return [int(line) for line in marker.read_text().split()]


def gone(pid: int, within: float = 15.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.2)
    return False


def test_local_workers_interrupted_end_short_and_leave_no_worker_behind(tmp_path):
    code, out, err = run_script(tmp_path, WORKERS_SCRIPT)
    assert_short_and_resumable(code, out, err)
    assert all(gone(pid) for pid in worker_pids(tmp_path / "started"))


def test_a_second_ctrl_c_during_the_cleanup_still_ends_the_process(tmp_path):
    code, _, _ = run_script(tmp_path, WORKERS_SCRIPT, second_interrupt_after=0.05)
    assert code in (-signal.SIGINT, 130, 1)
    assert all(gone(pid) for pid in worker_pids(tmp_path / "started"))
