"""Trial functions and small tuners shared by the worker tests (local and Ray).

They live in a module of their own so that workers unpickle them by reference.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from tunesmith.errors import FatalValueError
from tunesmith.oracles import RandomSearchOracle
from tunesmith.tuners import BaseTuner


def where_it_ran(hp):
    x = hp.Float("x", -2.0, 2.0)
    time.sleep(0.2)  # long enough for both workers to get trials
    return {"objective": (x - 0.5) ** 2, "pid": os.getpid()}


class CountedData:
    """Stands for fit data: counts how often it is unpickled (once per worker)."""

    def __init__(self, log: Path) -> None:
        self.log = log

    def __setstate__(self, state):
        self.__dict__.update(state)
        with open(self.log, "a") as log:
            log.write("x")


class StopsWhenTold(BaseTuner):
    """Reports ten steps unless the oracle says stop; returns how many it ran."""

    def run_trial(self, trial):
        trial.hyperparameters.Float("x", 0, 1)
        steps = 0
        for step in range(10):
            steps += 1
            if not self.oracle.report(trial, step, {"score": float(step)}):
                break
        return {"score": float(steps)}


class StopAtStepTwo(RandomSearchOracle):
    def report(self, trial, step, metrics, execution=0):
        super().report(trial, step, metrics, execution=execution)
        return step < 2


def tiny_model(hp):
    """A Keras model of 4 inputs small enough to build and fit in a moment."""
    import keras

    model = keras.Sequential(
        [
            keras.Input(shape=(4,)),
            keras.layers.Dense(hp.Int("units", 2, 8, step=2), activation="relu"),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def tiny_data(seed: int):
    import numpy as np

    x = np.random.default_rng(seed).normal(size=(80, 4)).astype("float32")
    return x, (x[:, 0] > 0).astype("float32")


def killed_once(hp):
    x = hp.Float("x", 0, 1)
    try:  # the first trial to get here, only: creating the marker is atomic
        os.close(os.open(os.environ["TUNESMITH_TEST_MARKER"], os.O_CREAT | os.O_EXCL))
    except FileExistsError:
        return x
    os.kill(os.getpid(), signal.SIGKILL)
    return x


def sleeps(hp):
    if hp.Float("x", 0, 1) < 2:
        time.sleep(30)
    return 0.0


def fatal(hp):
    hp.Float("x", 0, 1)
    raise FatalValueError("the data are wrong for every trial")


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead: its parent (the killed driver) is gone, so init reaps it soon.
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"
    except OSError:
        return False


def start_local_ray():
    """A local Ray of 2 CPUs for a test module; the caller shuts it down."""
    import ray

    ray.init(
        num_cpus=2,
        include_dashboard=False,
        object_store_memory=150 * 2**20,
        log_to_driver=False,
        configure_logging=False,
    )
    return ray
