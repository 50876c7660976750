"""What only local worker processes do: devices, memory limits, memory-mapped data, a
killed driver; what every executor does is in test_executors.py."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from worker_helpers import (
    StopAtStepTwo,
    StopsWhenTold,
    alive,
    where_it_ran,
)

import tunesmith
from tunesmith import LocalWorkers
from tunesmith.errors import FatalError, InvalidArgumentError
from tunesmith.store import Store
from tunesmith.trial import TrialStatus


def gpu_seen(hp):
    hp.Float("x", 0, 1)
    time.sleep(0.2)
    return {"objective": 0.0, "gpu": float(os.environ["CUDA_VISIBLE_DEVICES"])}


def test_each_worker_sees_its_own_gpu(tmp_path):
    # A faked GPU list: the workers import no framework, so only the variables count.
    executor = LocalWorkers(workers=4, devices=["3", "5"], trials_per_gpu=2)
    environments = executor.plan()
    assert [e["CUDA_VISIBLE_DEVICES"] for e in environments] == ["3", "3", "5", "5"]
    assert environments[0]["XLA_PYTHON_CLIENT_MEM_FRACTION"] == "0.45"
    result = tunesmith.tune(gpu_seen, max_trials=8, seed=0, executor=executor)
    assert {t.metrics["gpu"] for t in result.trials} == {3.0, 5.0}
    with pytest.raises(InvalidArgumentError, match="do not fit on 2 GPU"):
        LocalWorkers(workers=5, devices=["0", "1"], trials_per_gpu=2).plan()
    cpu = LocalWorkers(workers=2, devices="cpu").plan()
    assert all(e["CUDA_VISIBLE_DEVICES"] == "" for e in cpu)


def test_what_cannot_be_pickled_is_named():
    lock = threading.Lock()

    def holds_a_lock(hp):
        with lock:
            return hp.Float("x", 0, 1)

    with pytest.raises(InvalidArgumentError, match=r"cannot be sent to them .*lock"):
        tunesmith.tune(holds_a_lock, max_trials=2, executor=LocalWorkers(workers=2))


def pid_of(hp):
    hp.Float("x", 0, 1)
    return {"objective": 0.0, "pid": os.getpid()}


def test_a_worker_over_its_memory_limit_is_replaced():
    result = tunesmith.tune(
        pid_of, max_trials=4, seed=0, executor=LocalWorkers(workers=1, max_worker_memory_mb=1)
    )
    assert len({t.metrics["pid"] for t in result.trials}) == 4  # a fresh worker each time


def test_workers_kept_alive_run_the_next_search_and_stop_when_closed():
    workers = LocalWorkers(workers=2, keep_alive=True)
    try:
        first = tunesmith.tune(pid_of, max_trials=4, seed=0, executor=workers)
        second = tunesmith.tune(where_it_ran, max_trials=4, seed=1, executor=workers)
    finally:
        kept = [w.process for w in workers._kept or [] if w is not None]
        workers.close()
    pids = {t.metrics["pid"] for t in first.trials}
    assert len(pids) == 2 and {t.metrics["pid"] for t in second.trials} == pids
    # The second search ran its own task in the same processes.
    assert all(t.status.value == "COMPLETED" for t in second.trials)
    assert {p.pid for p in kept} == pids and all(p.poll() is not None for p in kept)


def returns_a_string(hp):
    hp.Float("x", 0, 1)
    return "not a number"


def test_a_failed_search_does_not_keep_its_workers():
    workers = LocalWorkers(workers=1, keep_alive=True)
    with pytest.raises(FatalError):
        tunesmith.tune(returns_a_string, max_trials=2, executor=workers)
    assert workers._kept is None


DRIVER = """
import os, sys, time
import tunesmith

def slow(hp):
    x = hp.Float("x", 0, 1)
    with open(os.path.join(sys.argv[1], f"worker-{os.getpid()}"), "w"):
        pass
    time.sleep(float(sys.argv[2]))
    return x

# Declared up front, so the first two trials start at once (tune() otherwise learns
# the space from the first trial before it starts the others).
space = tunesmith.HyperParameters()
space.Float("x", 0, 1)
tunesmith.tune(slow, max_trials=4, seed=0, directory=sys.argv[1], project_name="p",
               hyperparameters=space, executor=tunesmith.LocalWorkers(workers=2))
"""


def test_no_worker_outlives_a_killed_driver_and_the_search_resumes(tmp_path):
    script = tmp_path / "driver.py"
    script.write_text(textwrap.dedent(DRIVER))
    driver = subprocess.Popen([sys.executable, str(script), str(tmp_path), "60"])
    deadline = time.monotonic() + 60
    while len(list(tmp_path.glob("worker-*"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    workers = [int(p.name.split("-")[1]) for p in tmp_path.glob("worker-*")]
    assert len(workers) == 2
    driver.send_signal(signal.SIGKILL)
    driver.wait()
    time.sleep(3.0)  # they check every half second
    assert [pid for pid in workers if alive(pid)] == []
    result = subprocess.run([sys.executable, str(script), str(tmp_path), "0"], timeout=120)
    assert result.returncode == 0
    with Store.open_read_only(tmp_path / "p") as store:
        trials = store.load_trials()
    assert len(trials) == 4 and all(t.status is TrialStatus.COMPLETED for t in trials)


def test_a_generator_for_workers_is_named_before_any_worker_starts(tmp_path):
    oracle = StopAtStepTwo(objective=tunesmith.Objective("score", "min"), max_trials=2, seed=0)
    tuner = StopsWhenTold(
        oracle, directory=tmp_path, project_name="g", executor=LocalWorkers(workers=2), verbose=0
    )
    batches = (i for i in range(3))
    with pytest.raises(InvalidArgumentError, match=r"got a generator as argument 0.*HyperModel"):
        tuner.search(batches)
    with pytest.raises(InvalidArgumentError, match=r"an iterator as validation_data\[0\]"):
        tuner.search(validation_data=(iter([1, 2]), None))
    assert tuner.oracle.trials == {}


def test_large_arrays_reach_the_workers_memory_mapped(tmp_path):
    big = np.arange(300_000, dtype="float64")  # 2.4 MB: shared through one file
    small = np.arange(10.0)  # pickled as usual

    def objective(hp):
        hp.Float("x", 0, 1)
        mapped = float(isinstance(big, np.memmap))
        big[0] = -1.0  # copy-on-write: this worker's page only, the file stays
        return {"objective": 0.0, "mapped": mapped, "small": float(type(small) is np.ndarray),
                "total": float(big[1:].sum())}  # fmt: skip

    result = tunesmith.tune(objective, max_trials=4, seed=0, executor=LocalWorkers(workers=2))
    assert all(t.metrics["mapped"] == 1.0 and t.metrics["small"] == 1.0 for t in result.trials)
    assert all(t.metrics["total"] == float(big[1:].sum()) for t in result.trials)
    assert big[0] == 0.0  # the driver's array is untouched
    mine = list(Path(tempfile.gettempdir()).glob(f"tunesmith-arrays-{os.getpid()}-*"))
    assert mine == []  # removed when the search ended


def test_keras_fits_on_memory_mapped_data(tmp_path):
    pytest.importorskip("keras")
    big_x = np.random.default_rng(0).normal(size=(4096, 64)).astype("float32")  # 1 MiB
    y = (big_x[:, 0] > 0).astype("float32")

    def build(hp):
        import keras

        model = keras.Sequential(
            [keras.Input(shape=(64,)), keras.layers.Dense(hp.Int("units", 2, 4, step=2)),
             keras.layers.Dense(1, activation="sigmoid")]
        )  # fmt: skip
        model.compile(optimizer="adam", loss="binary_crossentropy")
        return model

    tuner = tunesmith.RandomSearch(
        build, objective="val_loss", max_trials=2, directory=tmp_path, project_name="m",
        executor=LocalWorkers(workers=2), verbose=0,
    )  # fmt: skip
    tuner.search(big_x, y, validation_split=0.25, epochs=1, batch_size=512)
    assert [t.status for t in tuner.oracle.trials.values()] == [TrialStatus.COMPLETED] * 2


def test_array_folders_of_killed_drivers_are_removed():
    from tunesmith.execution._shared_arrays import ArrayFolder

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # a process id that no longer runs
    orphan = Path(tempfile.gettempdir()) / f"tunesmith-arrays-{gone.pid}-test"
    orphan.mkdir()
    (orphan / "0.npy").write_bytes(b"x")
    folder = ArrayFolder()
    try:
        assert not orphan.exists() and folder.path.exists()
    finally:
        folder.cleanup()
