"""Memory of a long in-process Keras search: RSS after 10 and after 200 trials.

The W1 space and model (``tunesmith.studies.breast_cancer``) on the embedded
breast-cancer data, ``--trials`` trials of ``--epochs`` epochs each (batch 32), in
one process per method, on the JAX backend:

* ``tunesmith``: ``tunesmith.RandomSearch(seed=...)`` with a store in a temporary
  folder; its configurations are the ones the bare loop trains.
* ``tunesmith-keep``: the same with ``TUNESMITH_CLEAR_JAX_CACHES=0`` (JAX's
  in-memory caches kept between trials, as before they were cleared).
* ``keras-tuner``: ``keras_tuner.RandomSearch(seed=...)`` over the same space (its
  own draws, the same distribution), so it runs beside the others.
* ``bare``: a user's loop over tunesmith's configurations: build, fit,
  ``keras.backend.clear_session()``; nothing kept. It runs after tunesmith.

The resident set size (``/proc/self/statm``) is read at the start of each fit,
after the tuner has ended the previous trial and cleared the session, so the
reading ``k`` is the memory after ``k`` trials (the last one after the search).
The methods of a round run at the same time, each in its own interpreter (RSS is
per process); each has its own compilation cache folder, empty at the start.

Reported: RSS after 10 trials and after ``--trials``, the growth between them, and
a curve every ``--every`` trials; over ``--rounds`` rounds, mean ± standard error.

Run with the benchmark environment (keras-tuner installed)::

    KERAS_BACKEND=jax .venv-bench/bin/python benchmarks/memory.py --trials 200 --rounds 2

Also printed: each method's wall time (the methods share the cores, so it is
only indicative).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

METHODS = ("tunesmith", "tunesmith-keep", "keras-tuner", "bare")

# Runs one method in a fresh interpreter; prints {"rss_mb": [...], "configs": [...]}.
_RUN = r"""
import json, os, sys, time
import keras
from tunesmith.studies.breast_cancer import make_build_model, scale_and_split
from tunesmith.studies.breast_cancer_data import load_embedded

method, folder, trials, epochs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
configs_file, readings_file = sys.argv[5], sys.argv[6]
split = scale_and_split(load_embedded(), seed=42)
build = make_build_model(split.x_train.shape[1])
fit = dict(x=split.x_train, y=split.y_train, validation_data=(split.x_val, split.y_val),
           epochs=epochs, batch_size=32, verbose=0)
PAGE = os.sysconf("SC_PAGE_SIZE")

def rss_mb():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE / 2**20

readings = []

def read():
    readings.append(rss_mb())
    with open(readings_file, "a") as out:  # as it goes: a long run can be cut short
        out.write(f"{readings[-1]:.1f}\n")

class Rss(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        read()  # after the previous trial and its clear_session

configs = None
started = time.perf_counter()
if method.startswith("tunesmith"):
    import tunesmith as kt
    tuner = kt.RandomSearch(build, objective="val_accuracy", max_trials=trials, seed=7,
                            directory=folder, project_name="mem", overwrite=True, verbose=0)
    tuner.search(callbacks=[Rss()], **fit)
    trials_run = sorted(tuner.oracle.trials.values(), key=lambda t: t.number)
    configs = [t.hyperparameters.values for t in trials_run]
elif method == "keras-tuner":
    import keras_tuner
    tuner = keras_tuner.RandomSearch(build, objective="val_accuracy", max_trials=trials,
                                     seed=7, directory=folder, project_name="mem",
                                     overwrite=True, max_consecutive_failed_trials=trials)
    tuner.search(callbacks=[Rss()], **fit)
else:
    import keras_tuner  # its HyperParameters stand in for hp, values fixed
    for values in json.load(open(configs_file)):
        hp = keras_tuner.HyperParameters()
        for name, value in values.items():
            hp.values[name] = value
        model = build(hp)
        model.fit(callbacks=[Rss()], **fit)
        del model
        keras.backend.clear_session()
import gc
gc.collect()
read()  # after the last trial
print(json.dumps({"rss_mb": readings, "configs": configs,
                  "seconds": time.perf_counter() - started}))
"""


def start(method: str, tmp: Path, args: argparse.Namespace, configs: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "KERAS_BACKEND": "jax",
        "TUNESMITH_CACHE_DIR": str(tmp / f"cache-{method}"),
    }
    env.pop("JAX_COMPILATION_CACHE_DIR", None)
    if method == "tunesmith-keep":
        env["TUNESMITH_CLEAR_JAX_CACHES"] = "0"
    command = [sys.executable, "-c", _RUN, method, str(tmp / method), str(args.trials)]
    command += [str(args.epochs), str(configs), str(tmp / f"{method}.rss")]
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )


def finish(method: str, process: subprocess.Popen) -> dict:
    out, err = process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"{method} failed:\n{err[-3000:]}")
    return json.loads(out.strip().splitlines()[-1])


def mean_se(values: list[float]) -> str:
    mean = statistics.fmean(values)
    se = statistics.stdev(values) / math.sqrt(len(values)) if len(values) > 1 else 0.0
    return f"{mean:7.0f} ± {se:3.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=200)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--every", type=int, default=25, help="curve step, in trials")
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--save", type=Path, help="write every reading here (JSON)")
    args = parser.parse_args()
    methods = args.methods.split(",")
    readings: dict[str, list[list[float]]] = {m: [] for m in methods}
    seconds: dict[str, list[float]] = {m: [] for m in methods}
    with tempfile.TemporaryDirectory(prefix="memory-bench-") as tmp_name:
        for round_ in range(args.rounds):
            tmp = Path(tmp_name) / f"round-{round_}"
            configs = tmp / "configs.json"
            tmp.mkdir()
            first = [m for m in methods if m != "bare"]  # bare replays tunesmith's draws
            running = {m: start(m, tmp, args, configs) for m in first}
            results = {m: finish(m, p) for m, p in running.items()}
            if "bare" in methods:
                configs.write_text(json.dumps(results["tunesmith"]["configs"]))
                results["bare"] = finish("bare", start("bare", tmp, args, configs))
            for method in methods:
                rss = results[method]["rss_mb"]
                readings[method].append(rss)
                seconds[method].append(results[method]["seconds"])
                print(
                    f"round {round_ + 1} {method}: {rss[min(10, len(rss) - 1)]:.0f} MB after "
                    f"10 trials, {rss[-1]:.0f} MB after {len(rss) - 1}, "
                    f"{results[method]['seconds']:.0f} s",
                    flush=True,
                )
    if args.save is not None:
        args.save.write_text(json.dumps({"readings": readings, "seconds": seconds}))
    n = args.trials
    print(
        f"\nRSS (MB) of a {n}-trial W1 search, {args.epochs} epochs a trial, "
        f"{args.rounds} rounds, mean ± SE"
    )
    print(f"{'method':<15} {'after 10':>13} {'after ' + str(n):>13} {'growth':>13} {'wall s':>13}")
    for method in methods:
        runs = readings[method]
        print(
            f"{method:<15} {mean_se([r[10] for r in runs])} {mean_se([r[-1] for r in runs])} "
            f"{mean_se([r[-1] - r[10] for r in runs])} {mean_se(seconds[method])}"
        )
    steps = list(range(0, n + 1, args.every))
    print("\ncurve (MB, mean over rounds) at trials " + " ".join(f"{s:>5}" for s in steps))
    for method in methods:
        curve = [statistics.fmean(r[min(s, len(r) - 1)] for r in readings[method]) for s in steps]
        print(f"{method:<15}" + " " * 24 + " ".join(f"{c:>5.0f}" for c in curve))


if __name__ == "__main__":
    main()
