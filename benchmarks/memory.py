"""Memory of a long in-process Keras search: RSS after 10 and after 200 trials.

The W1 space and model (``tunesmith.studies.breast_cancer``) on the embedded
breast-cancer data, ``--trials`` trials of ``--epochs`` epochs each (batch 32), in
one process per method, on the JAX backend:

* ``tunesmith``: ``tunesmith.RandomSearch(seed=...)`` with a store in a temporary
  folder; its configurations are the ones the other methods train.
* ``keras-tuner``: ``keras_tuner.Tuner`` over the same configurations in the same
  order (an ``Oracle`` whose ``populate_space`` hands them out).
* ``bare``: a user's loop over the same configurations: build, fit,
  ``keras.backend.clear_session()``; nothing kept.

The resident set size (``/proc/self/statm``) is read at the start of each fit,
after the tuner has ended the previous trial and cleared the session, so the
reading ``k`` is the memory after ``k`` trials (the last one after the search).
Both tuners write the same files (one weights file per trial); the compilation
cache folder is a fresh one per round, shared by the methods of that round, so the
first method pays the compiles (their time, not their memory, is what differs).

Reported: RSS after 10 trials and after ``--trials``, the growth between them, and
a curve every ``--every`` trials; over ``--rounds`` rounds, mean ± standard error.

Run with the benchmark environment (keras-tuner installed)::

    KERAS_BACKEND=jax .venv-bench/bin/python benchmarks/memory.py --trials 200 --rounds 2

``--no-clear-jax`` (tunesmith only) leaves JAX's in-memory caches as they are
between trials, to measure what clearing them saves.
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

METHODS = ("tunesmith", "keras-tuner", "bare")

# Runs one method in a fresh interpreter; prints {"rss_mb": [...], "configs": [...]}.
_RUN = r"""
import json, os, sys
import keras
from tunesmith.studies.breast_cancer import make_build_model, scale_and_split
from tunesmith.studies.breast_cancer_data import load_embedded

method, folder, trials, epochs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
configs_file = sys.argv[5]
split = scale_and_split(load_embedded(), seed=42)
build = make_build_model(split.x_train.shape[1])
fit = dict(x=split.x_train, y=split.y_train, validation_data=(split.x_val, split.y_val),
           epochs=epochs, batch_size=32, verbose=0)
PAGE = os.sysconf("SC_PAGE_SIZE")

def rss_mb():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE / 2**20

readings = []

class Rss(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        readings.append(rss_mb())  # after the previous trial and its clear_session

configs = None
if method == "tunesmith":
    import tunesmith as kt
    tuner = kt.RandomSearch(build, objective="val_accuracy", max_trials=trials, seed=7,
                            directory=folder, project_name="mem", overwrite=True, verbose=0)
    tuner.search(callbacks=[Rss()], **fit)
    trials_run = sorted(tuner.oracle.trials.values(), key=lambda t: t.number)
    configs = [t.hyperparameters.values for t in trials_run]
elif method == "keras-tuner":
    import keras_tuner
    wanted = json.load(open(configs_file))

    class Replay(keras_tuner.Oracle):
        def populate_space(self, trial_id):
            if not wanted:
                return {"status": "STOPPED", "values": None}
            return {"status": "RUNNING", "values": wanted.pop(0)}

    oracle = Replay(objective=keras_tuner.Objective("val_accuracy", "max"),
                    max_trials=trials, seed=7)
    tuner = keras_tuner.Tuner(oracle=oracle, hypermodel=build, directory=folder,
                              project_name="mem", overwrite=True)
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
readings.append(rss_mb())  # after the last trial
print(json.dumps({"rss_mb": readings, "configs": configs}))
"""


def run(method: str, folder: Path, args: argparse.Namespace, cache: Path, configs: Path) -> dict:
    env = {**os.environ, "KERAS_BACKEND": "jax", "TUNESMITH_CACHE_DIR": str(cache)}
    env.pop("JAX_COMPILATION_CACHE_DIR", None)
    if args.no_clear_jax:
        env["TUNESMITH_CLEAR_JAX_CACHES"] = "0"
    command = [sys.executable, "-c", _RUN, method, str(folder), str(args.trials)]
    command += [str(args.epochs), str(configs)]
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{method} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


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
    parser.add_argument("--no-clear-jax", action="store_true")
    args = parser.parse_args()
    methods = args.methods.split(",")
    readings: dict[str, list[list[float]]] = {m: [] for m in methods}
    with tempfile.TemporaryDirectory(prefix="memory-bench-") as tmp:
        for round_ in range(args.rounds):
            cache = Path(tmp) / f"cache-{round_}"
            configs = Path(tmp) / f"configs-{round_}.json"
            order = methods[round_ % len(methods) :] + methods[: round_ % len(methods)]
            if "tunesmith" in order:  # it draws the configurations the others replay
                order.remove("tunesmith")
                order.insert(0, "tunesmith")
            for method in order:
                result = run(method, Path(tmp) / method, args, cache, configs)
                if result["configs"] is not None:
                    configs.write_text(json.dumps(result["configs"]))
                readings[method].append(result["rss_mb"])
                rss = result["rss_mb"]
                print(
                    f"round {round_ + 1} {method}: {rss[min(10, len(rss) - 1)]:.0f} MB after "
                    f"10 trials, {rss[-1]:.0f} MB after {len(rss) - 1}",
                    flush=True,
                )
    n = args.trials
    print(f"\nRSS (MB) of a {n}-trial W1 search, {args.epochs} epochs a trial, "
          f"{args.rounds} rounds, mean ± SE")
    print(f"{'method':<12} {'after 10':>13} {'after ' + str(n):>13} {'growth':>13}")
    for method in methods:
        runs = readings[method]
        print(
            f"{method:<12} {mean_se([r[10] for r in runs])} {mean_se([r[n] for r in runs])} "
            f"{mean_se([r[n] - r[10] for r in runs])}"
        )
    steps = list(range(0, n + 1, args.every))
    print("\ncurve (MB, mean over rounds) at trials " + " ".join(f"{s:>5}" for s in steps))
    for method in methods:
        curve = [statistics.fmean(r[s] for r in readings[method]) for s in steps]
        print(f"{method:<12}" + " " * 27 + " ".join(f"{c:>5.0f}" for c in curve))


if __name__ == "__main__":
    main()
