"""A search killed with SIGKILL mid-trial resumes and finishes with exactly max_trials."""

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
            with open(log, "a") as f:
                f.write(f"start {hp.values['units']}\\n")
            return model.fit(*args, **kwargs)

    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    tuner = kt.RandomSearch(Logged(), objective="val_loss", max_trials=4, seed=5,
                            directory=directory, project_name="crash")
    tuner.search(x, y, validation_split=0.25, epochs=6, callbacks=[Slow()], verbose=0)
    """
)


def starts(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


@pytest.mark.slow
def test_sigkill_mid_trial_then_resume(tmp_path):
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    log = tmp_path / "fits.log"
    env = {**os.environ, "KERAS_BACKEND": os.environ.get("KERAS_BACKEND", "jax")}
    command = [sys.executable, str(script), str(tmp_path), str(log)]

    child = subprocess.Popen(command, env=env)
    deadline = time.time() + 120
    while len(starts(log)) < 3 and time.time() < deadline and child.poll() is None:
        time.sleep(0.05)
    assert len(starts(log)) == 3, "the child never reached its third trial"
    time.sleep(0.6)  # well inside the third trial's six slow epochs
    os.kill(child.pid, signal.SIGKILL)
    child.wait()

    with Store.open(tmp_path / "crash") as store:
        before = {t.trial_id: t for t in store.load_trials()}
    completed = {i: t.ended_at for i, t in before.items() if t.status is TrialStatus.COMPLETED}
    running = [i for i, t in before.items() if t.status is TrialStatus.RUNNING]
    assert len(completed) == 2 and len(running) == 1

    subprocess.run(command, env=env, check=True, timeout=180)
    with Store.open(tmp_path / "crash") as store:
        after = {t.trial_id: t for t in store.load_trials()}
    assert len(after) == 4
    assert all(t.status is TrialStatus.COMPLETED for t in after.values())
    # The completed trials were not run again; the interrupted one and one new one were.
    assert {i: after[i].ended_at for i in completed} == completed
    assert len(starts(log)) == 3 + 2
    assert starts(log)[3] == starts(log)[2]  # the interrupted configuration, run again
