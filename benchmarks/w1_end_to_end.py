"""A W1 search end to end: tunesmith, keras-tuner and a bare loop, wall time.

The seed's own space and model (``tunesmith.studies.breast_cancer``: units,
activation, dropout, 0-3 more blocks, learning rate), on the embedded breast-cancer
data split as the study splits it, ``--trials`` configurations of at most
``--epochs`` epochs with ``EarlyStopping("val_loss", patience=3)``, batch 32, on the
JAX backend, all in one process per method:

* ``tunesmith``: ``tunesmith.RandomSearch(seed=...)`` with a fresh compilation
  cache folder (a first search on a machine): its configurations are the ones
  every other method trains.
* ``tunesmith-warm``: the same search again, with the cache the first one left (a
  later search, another worker, a resumed run).
* ``keras-tuner``: ``keras_tuner.RandomSearch`` over the same configurations, in
  the same order (a ``keras_tuner.Oracle`` whose ``populate_space`` hands them
  out, keras-tuner's documented extension point).
* ``bare``: a user's loop over the same configurations: build, fit with the same
  callback, ``keras.backend.clear_session()``; nothing stored.

Each method runs in its own interpreter (JAX's cache settings are per process),
the methods alternating ``--rounds`` times; a round's tunesmith runs start from an
empty cache folder. Timed: from the tuner's constructor (the loop's first build)
to the end of the search, after the data are loaded and Keras imported. Reported:
median wall time per method, ratios, and the epochs each trained (the same
configurations, but early stopping sees different random weights, so epoch counts
differ a little between methods).

Run with the benchmark environment (keras-tuner installed)::

    KERAS_BACKEND=jax .venv-bench/bin/python benchmarks/w1_end_to_end.py --trials 50 --rounds 2
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

METHODS = ("tunesmith", "tunesmith-warm", "keras-tuner", "bare")

# Runs one method in a fresh interpreter; prints {"seconds", "epochs", "configs"}.
_RUN = r"""
import json, os, sys, time
import keras
import numpy as np
from tunesmith.studies.breast_cancer import make_build_model, scale_and_split
from tunesmith.studies.breast_cancer_data import load_embedded

method, folder, trials, epochs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
configs_file = sys.argv[5]
split = scale_and_split(load_embedded(), seed=42)
build = make_build_model(split.x_train.shape[1])
fit = dict(x=split.x_train, y=split.y_train, validation_data=(split.x_val, split.y_val),
           epochs=epochs, batch_size=32, verbose=0)

class Epochs(keras.callbacks.Callback):
    count = 0  # on the class: tuners run deep copies of callbacks
    def on_epoch_end(self, epoch, logs=None):
        type(self).count += 1

def stopper():
    return keras.callbacks.EarlyStopping("val_loss", patience=3)

started = time.perf_counter()
configs = None
if method.startswith("tunesmith"):
    import tunesmith as kt
    tuner = kt.RandomSearch(build, objective="val_accuracy", max_trials=trials, seed=7,
                            directory=folder, project_name="w1", overwrite=True, verbose=0)
    tuner.search(callbacks=[stopper(), Epochs()], **fit)
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
                              project_name="w1", overwrite=True)
    tuner.search(callbacks=[stopper(), Epochs()], **fit)
else:
    import keras_tuner  # its HyperParameters stand in for hp, values fixed
    for values in json.load(open(configs_file)):
        hp = keras_tuner.HyperParameters()
        for name, value in values.items():
            hp.values[name] = value
        model = build(hp)
        model.fit(callbacks=[stopper(), Epochs()], **fit)
        keras.backend.clear_session()
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "epochs": Epochs.count, "configs": configs}))
"""


def run(method: str, folder: Path, args: argparse.Namespace, cache: Path, configs: Path) -> dict:
    env = {**os.environ, "KERAS_BACKEND": "jax", "TUNESMITH_CACHE_DIR": str(cache)}
    env.pop("JAX_COMPILATION_CACHE_DIR", None)
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            _RUN,
            method,
            str(folder),
            str(args.trials),
            str(args.epochs),
            str(configs),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{method} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=50)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    results: dict[str, list[dict]] = {m: [] for m in METHODS}
    with tempfile.TemporaryDirectory(prefix="w1-end-to-end-") as tmp:
        for round_ in range(args.rounds):
            cache = Path(tmp) / f"cache-{round_}"  # empty: the first search on a machine
            configs = Path(tmp) / f"configs-{round_}.json"
            first = run("tunesmith", Path(tmp) / "ts", args, cache, configs)
            configs.write_text(json.dumps(first["configs"]))
            results["tunesmith"].append(first)
            # The other three in a rotating order, so drifts hit each alike.
            others = ["tunesmith-warm", "keras-tuner", "bare"]
            others = others[round_ % 3 :] + others[: round_ % 3]
            for method in others:
                results[method].append(run(method, Path(tmp) / method, args, cache, configs))
            print(
                f"round {round_ + 1}: "
                + ", ".join(f"{m} {results[m][-1]['seconds']:.1f} s" for m in METHODS),
                flush=True,
            )
    seconds = {m: statistics.median(r["seconds"] for r in results[m]) for m in METHODS}
    print(
        f"\nW1 end to end: {args.trials} configurations, <= {args.epochs} epochs, "
        f"EarlyStopping(patience=3); median of {args.rounds} rounds"
    )
    print(f"{'method':<16} {'wall s':>8} {'epochs':>8} {'keras-tuner / it':>17} {'bare / it':>10}")
    for method in METHODS:
        epochs = statistics.median(r["epochs"] for r in results[method])
        print(
            f"{method:<16} {seconds[method]:>8.1f} {epochs:>8.0f} "
            f"{seconds['keras-tuner'] / seconds[method]:>17.2f} "
            f"{seconds['bare'] / seconds[method]:>10.2f}"
        )


if __name__ == "__main__":
    main()
