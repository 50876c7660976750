"""What only Ray actors do: resources, files shipped both ways, arrays read in place,
two nodes, a killed driver; what every executor does is in test_executors.py.

One local Ray (2 CPUs) serves the module; the two-node test starts its own cluster
in a separate process with Ray's test-cluster helper.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

ray = pytest.importorskip("ray")

from worker_helpers import alive, start_local_ray  # noqa: E402

import tunesmith  # noqa: E402
from tunesmith import RayWorkers  # noqa: E402
from tunesmith.errors import InvalidArgumentError  # noqa: E402
from tunesmith.execution._ray_actor import read_trial_folders, write_trial_folders  # noqa: E402
from tunesmith.store import Store  # noqa: E402
from tunesmith.trial import TrialStatus  # noqa: E402


@pytest.fixture(scope="module", autouse=True)
def local_ray():
    start_local_ray()
    yield
    ray.shutdown()


def test_workers_default_to_what_the_cluster_holds():
    assert RayWorkers().slots(ray) == 2  # 2 CPUs, 1 per trial
    assert RayWorkers(resources_per_trial={"cpu": 0.5}).slots(ray) == 4
    with pytest.raises(InvalidArgumentError, match=r"cannot hold one trial.*ask for less"):
        RayWorkers(resources_per_trial={"cpu": 1, "gpu": 1}).slots(ray)
    with pytest.raises(InvalidArgumentError, match="positive integer"):
        RayWorkers(workers=0).slots(ray)


def test_a_gpu_share_limits_each_frameworks_memory():
    shared = RayWorkers(resources_per_trial={"cpu": 1, "gpu": 0.5}).actor_options()
    assert shared["num_gpus"] == 0.5
    assert shared["runtime_env"]["env_vars"]["XLA_PYTHON_CLIENT_MEM_FRACTION"] == "0.45"
    whole = RayWorkers(resources_per_trial={"gpu": 1, "accelerator_type:H100": 0.01})
    options = whole.actor_options()
    assert options["num_cpus"] == 1 and options["resources"] == {"accelerator_type:h100": 0.01}
    assert "XLA_PYTHON_CLIENT_MEM_FRACTION" not in options["runtime_env"]["env_vars"]
    cpu = RayWorkers().actor_options()
    assert cpu["runtime_env"]["env_vars"]["CUDA_VISIBLE_DEVICES"] == ""


def test_large_arrays_are_read_in_place_from_the_object_store():
    import numpy as np

    big = np.arange(300_000, dtype="float64")

    def objective(hp):
        hp.Float("x", 0, 1)
        # Zero-copy: the actor reads Ray's shared copy, so the array is read-only.
        return {"objective": 0.0, "in_place": float(not big.flags.writeable),
                "total": float(big.sum())}  # fmt: skip

    result = tunesmith.tune(objective, max_trials=2, seed=0, executor=RayWorkers(workers=2))
    assert all(t.metrics["in_place"] == 1.0 for t in result.trials)
    assert all(t.metrics["total"] == float(big.sum()) for t in result.trials)


def test_trial_folders_travel_as_files_and_never_leave_their_folder(tmp_path):
    write_trial_folders(tmp_path, {"t1/sub/w.h5": b"w", "t2/a": b"a"})
    assert read_trial_folders(tmp_path, only=["t1"]) == {"t1/sub/w.h5": b"w"}
    assert read_trial_folders(tmp_path, exclude={"t2/a": b"a"}) == {"t1/sub/w.h5": b"w"}
    for bad in ("t1/../../evil", "../x/y", "t1/"):
        with pytest.raises(ValueError):
            write_trial_folders(tmp_path, {bad: b"x"})


TWO_NODES = """
import os
import ray
from ray.cluster_utils import Cluster
import tunesmith

cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1})
cluster.add_node(num_cpus=1)
cluster.wait_for_nodes()
ray.init(address=cluster.address, log_to_driver=False)

def where(hp):
    import time
    x = hp.Float("x", 0, 1)
    time.sleep(1.0)
    return {"objective": x, "node": float(int(ray.get_runtime_context().get_node_id()[:8], 16))}

space = tunesmith.HyperParameters()
space.Float("x", 0, 1)
result = tunesmith.tune(where, max_trials=4, seed=0, hyperparameters=space,
                        executor=tunesmith.RayWorkers())
print("NODES", len({t.metrics["node"] for t in result.trials}))
print("DONE", sum(t.status.name == "COMPLETED" for t in result.trials))
ray.shutdown()
cluster.shutdown()
"""


@pytest.mark.slow
def test_trials_run_on_both_nodes_of_a_two_node_cluster(tmp_path):
    script = tmp_path / "two_nodes.py"
    script.write_text(textwrap.dedent(TWO_NODES))
    env = {**os.environ, "RAY_ADDRESS": ""}
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=300, env=env
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "NODES 2" in done.stdout and "DONE 4" in done.stdout, done.stdout


KILLED_DRIVER = """
import os, sys, time
import ray
import tunesmith

ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)

def slow(hp):
    x = hp.Float("x", 0, 1)
    with open(os.path.join(sys.argv[1], f"actor-{os.getpid()}"), "w"):
        pass
    time.sleep(float(sys.argv[2]))
    return x

space = tunesmith.HyperParameters()
space.Float("x", 0, 1)
tunesmith.tune(slow, max_trials=4, seed=0, directory=sys.argv[1], project_name="p",
               hyperparameters=space, executor=tunesmith.RayWorkers(workers=2))
"""


@pytest.mark.slow
def test_no_actor_outlives_a_killed_driver_and_the_search_resumes(tmp_path):
    script = tmp_path / "driver.py"
    script.write_text(textwrap.dedent(KILLED_DRIVER))
    env = {**os.environ, "RAY_ADDRESS": ""}
    # Its own process group: Ray's node daemons, which outlive a SIGKILLed driver
    # that started them, are ended with it below.
    driver = subprocess.Popen(
        [sys.executable, str(script), str(tmp_path), "60"], env=env, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 120
        while len(list(tmp_path.glob("actor-*"))) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        actors = [int(p.name.split("-")[1]) for p in tmp_path.glob("actor-*")]
        assert len(actors) == 2
        driver.send_signal(signal.SIGKILL)
        driver.wait()
        deadline = time.monotonic() + 30
        while any(alive(pid) for pid in actors) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert [pid for pid in actors if alive(pid)] == []
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(driver.pid, signal.SIGKILL)
    result = subprocess.run([sys.executable, str(script), str(tmp_path), "0"], timeout=180, env=env)
    assert result.returncode == 0
    with Store.open_read_only(tmp_path / "p") as store:
        trials = store.load_trials()
    assert len(trials) == 4 and all(t.status is TrialStatus.COMPLETED for t in trials)
