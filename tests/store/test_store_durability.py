"""A writer killed with SIGKILL at any moment leaves a store that opens, with whole trials."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tunesmith.store import Store
from tunesmith.trial import TrialStatus

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")

REPO = Path(__file__).resolve().parents[2]

# The writer: each trial is saved RUNNING, gets three steps of metrics, then is saved
# COMPLETED, the way the driver does it. It prints each finished trial's number.
WRITER = """
import sys, time
from tunesmith.store import Store
from tunesmith.trial import Trial, TrialStatus

class HP:
    def __init__(self, values):
        self.values = values
    def get_config(self):
        return {"space": [{"name": "x", "class_name": "Int"}]}

print("opening", flush=True)
store = Store.open(sys.argv[1])
start = store.next_trial_number()
for number in range(start, start + 1_000_000):
    trial = Trial(
        trial_id=f"{number:06d}", number=number, hyperparameters=HP({"x": number}),
        started_at=time.time(),
    )
    store.save_trial(trial)
    for step in range(3):
        store.append_metrics(
            trial.trial_id, 0, step, {"loss": number + step, "acc": step / 3, "val": -1.0}
        )
    trial.status = TrialStatus.COMPLETED
    trial.score, trial.best_step, trial.metrics = float(number), 2, {"loss": number + 2.0}
    trial.executions, trial.epochs, trial.ended_at = 1, 3, time.time()
    store.save_trial(trial)
    print(number, flush=True)
"""


def run_and_kill(project: Path, lines: int, delay: float) -> None:
    """Start the writer, SIGKILL it ``delay`` seconds after its ``lines``-th line."""
    path = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": path}
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(project)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env=env,
    )
    try:
        for _ in range(lines):
            if not proc.stdout.readline():
                pytest.fail("the writer ended early:\n" + proc.stderr.read())
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL


def check_whole(project: Path) -> int:
    """Open the store and check every trial is whole; return how many trials it holds."""
    with Store.open(project) as store:
        trials = store.load_trials()
        curves = store.load_curves()
    assert [t.number for t in trials] == list(range(len(trials)))
    for trial in trials:
        assert trial.values == {"x": trial.number}
        steps = curves[curves["trial_id"] == trial.trial_id]
        # A step is written whole or not at all: no metric of a written step is missing.
        assert not steps[["loss", "acc", "val"]].isna().any().any() if len(steps) else True
        assert steps["step"].tolist() == list(range(len(steps)))
        assert (steps["loss"] == trial.number + steps["step"]).all()
        if trial.status is TrialStatus.COMPLETED:
            assert trial.score == trial.number and trial.best_step == 2
            assert trial.metrics == {"loss": trial.number + 2.0}
            assert (trial.executions, trial.epochs) == (1, 3)
            assert trial.ended_at is not None and len(steps) == 3
        else:
            assert trial.status is TrialStatus.RUNNING
            assert trial.score is None and trial.ended_at is None and trial.metrics == {}
    return len(trials)


def test_killed_writers_leave_whole_trials(tmp_path: Path) -> None:
    project = tmp_path / "project"
    rng = random.Random(1234)
    done = 0
    for round_ in range(4):
        run_and_kill(project, lines=5 + round_ * 7, delay=rng.uniform(0, 0.01))
        count = check_whole(project)
        assert count > done  # every round adds trials and loses none of the earlier ones
        done = count
    with Store.open(project) as store:
        running = [t for t in store.load_trials() if t.status is TrialStatus.RUNNING]
    assert len(running) <= 4  # at most the one in flight per kill


@pytest.mark.parametrize("delay", [0.0, 0.002, 0.005, 0.01, 0.02, 0.04])
def test_a_writer_killed_while_creating_the_store(tmp_path: Path, delay: float) -> None:
    project = tmp_path / "project"
    run_and_kill(project, lines=1, delay=delay)  # killed soon after "opening"
    count = check_whole(project)  # the trials it holds are numbered 0 .. count - 1
    with Store.open(project) as store:  # and the store is usable afterwards
        assert store.next_trial_number() == count  # the writer's next number after them
