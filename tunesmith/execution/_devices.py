"""Which device and cores each worker process gets, decided before it imports Keras.

A framework reads ``CUDA_VISIBLE_DEVICES`` and its memory settings once, when it
starts; so the driver decides them (without importing any framework itself) and
each worker sets them first thing, before anything imports Keras.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence

#: Of a shared GPU's memory, the part the workers on it may take together.
_SHARED_GPU_MEMORY = 0.9


def visible_gpus() -> list[str]:
    """The GPUs this machine shows (their ids for ``CUDA_VISIBLE_DEVICES``).

    Read from ``CUDA_VISIBLE_DEVICES`` when it is set, else from ``nvidia-smi -L``;
    no framework is initialised. An empty list means CPU only.

    Example:
        >>> isinstance(visible_gpus(), list)
        True
    """
    given = os.environ.get("CUDA_VISIBLE_DEVICES")
    if given is not None:
        return [d.strip() for d in given.split(",") if d.strip() and d.strip() != "-1"]
    smi = shutil.which("nvidia-smi")
    if smi is None:
        return []
    try:
        listing = subprocess.run([smi, "-L"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return []
    return [str(i) for i, line in enumerate(listing.stdout.splitlines()) if line.startswith("GPU")]


def worker_environments(
    workers: int,
    gpus: Sequence[str],
    trials_per_gpu: int = 1,
    cpu_count: int | None = None,
) -> list[dict[str, str]]:
    """The environment variables of each of ``workers`` worker processes.

    With GPUs, worker ``i`` sees only GPU ``gpus[i // trials_per_gpu]``; workers that
    share one get an equal part of its memory (JAX, TensorFlow and PyTorch each
    through their own setting). Without, each worker sees no GPU and gets an equal
    share of the cores for its thread pools, so workers do not fight over them.

    Example:
        >>> envs = worker_environments(4, ["0", "1"], trials_per_gpu=2)
        >>> [e["CUDA_VISIBLE_DEVICES"] for e in envs]
        ['0', '0', '1', '1']
        >>> envs[0]["XLA_PYTHON_CLIENT_MEM_FRACTION"]
        '0.45'
    """
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}.")
    if trials_per_gpu < 1:
        raise ValueError(f"trials_per_gpu must be at least 1, got {trials_per_gpu}.")
    if gpus and workers > len(gpus) * trials_per_gpu:
        raise ValueError(
            f"{workers} workers do not fit on {len(gpus)} GPU(s) at {trials_per_gpu} trial(s) "
            f"per GPU: pass workers={len(gpus) * trials_per_gpu} or fewer, or raise "
            "trials_per_gpu to share each GPU between more trials."
        )
    cores = cpu_count or os.cpu_count() or 1
    threads = str(max(1, cores // workers))
    environments = []
    for index in range(workers):
        env = {
            # Each framework's CPU thread pools: a share of the cores each.
            "OMP_NUM_THREADS": threads,
            "TF_NUM_INTRAOP_THREADS": threads,
            "TF_NUM_INTEROP_THREADS": "1",
            "MKL_NUM_THREADS": threads,
            "OPENBLAS_NUM_THREADS": threads,
        }
        if gpus:
            env["CUDA_VISIBLE_DEVICES"] = gpus[index // trials_per_gpu]
            if trials_per_gpu > 1:
                env.update(shared_gpu_environment(1 / trials_per_gpu))
        else:
            env["CUDA_VISIBLE_DEVICES"] = ""  # a CPU worker never grabs a GPU
        environments.append(env)
    return environments


def shared_gpu_environment(share: float) -> dict[str, str]:
    """The settings that keep each framework within ``share`` of one GPU's memory.

    JAX takes a fraction and does not preallocate, TensorFlow grows as it needs,
    PyTorch gets a per-process fraction (set by the worker once torch is loaded).

    Example:
        >>> shared_gpu_environment(0.5)["XLA_PYTHON_CLIENT_MEM_FRACTION"]
        '0.45'
    """
    fraction = f"{_SHARED_GPU_MEMORY * share:.3g}"
    return {
        "XLA_PYTHON_CLIENT_PREALLOCATE": "false",
        "XLA_PYTHON_CLIENT_MEM_FRACTION": fraction,
        "TF_FORCE_GPU_ALLOW_GROWTH": "true",
        "TUNESMITH_TORCH_MEMORY_FRACTION": fraction,
    }
