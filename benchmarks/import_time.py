"""How long `import X` takes in a fresh interpreter: tunesmith, keras-tuner, optuna.

Each library is imported in a new process `--repeats` times, alternating between
libraries so that a slow moment of the machine hits them alike; the figure is the
cumulative time `python -X importtime` reports for the top-level package (the
interpreter's own start-up excluded). Prints mean ± standard error per library and
the ratio of each to tunesmith.

    KERAS_BACKEND=jax .venv-bench/bin/python benchmarks/import_time.py --repeats 15

The target is `import tunesmith` under 0.3 s without Keras (no Keras, scipy
submodule, pandas or matplotlib is loaded by it).
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import statistics
import subprocess
import sys

LIBRARIES = ("tunesmith", "keras_tuner", "optuna")


def import_seconds(module: str) -> float:
    """Seconds ``import module`` takes in a fresh interpreter (``-X importtime``)."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        capture_output=True,
        text=True,
        check=True,
    )
    pattern = re.compile(rf"^import time:\s+\d+ \|\s+(\d+) \| {re.escape(module)}$")
    for line in result.stderr.splitlines():
        match = pattern.match(line)
        if match:
            return int(match.group(1)) / 1e6
    raise RuntimeError(f"no importtime line for {module}:\n{result.stderr[-2000:]}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args(argv)
    present = [name for name in LIBRARIES if importlib.util.find_spec(name) is not None]
    times: dict[str, list[float]] = {name: [] for name in present}
    for _ in range(args.repeats):
        for name in present:
            times[name].append(import_seconds(name))
    base = statistics.mean(times["tunesmith"])
    print(f"{'library':<12} {'mean s':>8} {'± se':>7} {'ratio':>7}   ({args.repeats} runs)")
    for name, values in times.items():
        mean = statistics.mean(values)
        se = statistics.stdev(values) / len(values) ** 0.5 if len(values) > 1 else 0.0
        print(f"{name:<12} {mean:8.3f} {se:7.3f} {mean / base:7.2f}x")


if __name__ == "__main__":
    main()
