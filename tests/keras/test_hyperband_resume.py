"""Hyperband killed with SIGKILL mid-bracket, during a promoted trial, resumes its schedule."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tunesmith import TrialStatus
from tunesmith.keras._fidelity import LAST_FILE
from tunesmith.store import Store

CHILD = textwrap.dedent(
    """
    import os, sys, time
    os.environ.setdefault("KERAS_BACKEND", "jax")
    import keras
    import numpy as np
    import tunesmith as kt

    directory, log = sys.argv[1], sys.argv[2]

    class Slow(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            time.sleep(0.25)

    class Logged(kt.HyperModel):
        def build(self, hp):
            model = keras.Sequential([keras.Input(shape=(4,)),
                                      keras.layers.Dense(hp.Int("units", 2, 64), activation="relu"),
                                      keras.layers.Dense(1)])
            model.compile(optimizer="adam", loss="mse")
            return model

        def fit(self, hp, model, *args, **kwargs):
            # The tuner has loaded the parent's checkpoint by now.
            with open(log, "a") as f:
                f.write(f"{hp.values.get('tuner/trial_id')} {kwargs['initial_epoch']} "
                        f"{kwargs['epochs']} {int(model.optimizer.iterations)}\\n")
            return model.fit(*args, **kwargs)

    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    tuner = kt.Hyperband(Logged(), objective="val_loss", max_epochs=3, factor=3, seed=5,
                         directory=directory, project_name="crash")
    tuner.search(x, y, validation_split=0.25, batch_size=32, callbacks=[Slow()], verbose=0)
    """
)


def starts(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


@pytest.mark.slow
def test_sigkill_during_a_promotion_then_resume(tmp_path):
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    log = tmp_path / "fits.log"
    env = {**os.environ, "KERAS_BACKEND": os.environ.get("KERAS_BACKEND", "jax")}
    command = [sys.executable, str(script), str(tmp_path), str(log)]

    # Bracket 1: three 1-epoch trials, then the best continues to epoch 3. Kill it there.
    child = subprocess.Popen(command, env=env)
    deadline = time.time() + 120
    while len(starts(log)) < 4 and time.time() < deadline and child.poll() is None:
        time.sleep(0.05)
    assert len(starts(log)) == 4, "the child never reached the promoted trial"
    time.sleep(0.3)  # inside its two slow epochs
    os.kill(child.pid, signal.SIGKILL)
    child.wait()

    with Store.open(tmp_path / "crash") as store:
        before = {t.trial_id: t for t in store.load_trials()}
    running = [t for t in before.values() if t.status is TrialStatus.RUNNING]
    assert len(before) == 4 and len(running) == 1
    promoted = running[0]
    parent = str(promoted.values["tuner/trial_id"])
    assert (tmp_path / "crash" / "trials" / parent / LAST_FILE).exists()

    subprocess.run(command, env=env, check=True, timeout=180)
    with Store.open(tmp_path / "crash") as store:
        after = sorted(store.load_trials(), key=lambda t: t.number)
        curve = store.load_curves(promoted.trial_id)
    # The whole schedule: 3 x 1 epoch, 1 promotion to 3, then bracket 0's 2 x 3 epochs.
    assert [(t.values["tuner/bracket"], t.values["tuner/epochs"]) for t in after] == [
        (1, 1),
        (1, 1),
        (1, 1),
        (1, 3),
        (0, 3),
        (0, 3),
    ]
    assert all(t.status is TrialStatus.COMPLETED for t in after)
    assert after[3].values == promoted.values  # the interrupted promotion, not a new one
    assert list(curve["step"]) == [1, 2]  # its partial curve was cleared, then redone

    lines = starts(log)
    assert len(lines) == 4 + 3
    # Run again from the parent's checkpoint: same start epoch, same optimizer step count.
    assert lines[4] == lines[3] == f"{parent} 1 3 2"
    assert not (tmp_path / "crash" / "trials" / parent / LAST_FILE).exists()
