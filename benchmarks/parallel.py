"""Trials in parallel: the W1 study with 1 and 2 tunesmith workers, and optuna n_jobs=1 and 2.

The same 20 configurations of the W1 breast-cancer MLP (drawn once from the W1
space with a fixed seed: units, activation, dropout, extra layers, learning rate)
are trained for a fixed number of epochs with no early stopping, on the JAX
backend, on scikit-learn's breast-cancer data (80/20 stratified split, scaled on
the training rows, batch 32), by:

* ``tunesmith-inline``: ``tunesmith.GridSearch`` over exactly those 20
  configurations (a ``Choice`` of configuration index), trials in this process;
* ``tunesmith-2-workers``: the same with ``executor=tunesmith.LocalWorkers(2)``,
  which includes starting the two worker processes;
* ``optuna-1-job`` / ``optuna-2-jobs``: ``optuna.create_study().optimize(objective,
  n_trials=20, n_jobs=1 or 2)`` whose objective trains configuration
  ``trial.number`` with a plain ``fit`` (nothing stored per epoch, no weights kept),
  in one or two threads of this process (optuna's own way to run trials at once on
  one machine).

Each method's wall time runs from the tuner's constructor (or ``create_study``) to
the end of the search, over ``--rounds`` rounds with the order rotated; the report
gives median and standard error per method and the speed-up over
``tunesmith-inline``. Also, with ``--ray`` (Ray installed):

* ``tunesmith-ray-2``: ``executor=tunesmith.RayWorkers(workers=2)`` on a local Ray
  started once before the rounds (its start is not timed, its actors' start is);

and with ``--keras-tuner`` (keras-tuner and grpcio installed):

* ``kt-chief-2-workers``: keras-tuner's own parallel mode, a ``GridSearch`` over the
  same configuration index run as three processes on localhost (a chief serving
  the oracle over gRPC and two workers, set up by ``KERASTUNER_TUNER_ID``,
  ``KERASTUNER_ORACLE_IP`` and ``KERASTUNER_ORACLE_PORT`` as its documentation
  says), timed from the launch of the three to the end of the last.

    KERAS_BACKEND=jax nice .venv-bench/bin/python benchmarks/parallel.py --rounds 3
    KERAS_BACKEND=jax nice .venv-bench/bin/python benchmarks/parallel.py --rounds 3 \\
        --ray --keras-tuner
    KERAS_BACKEND=jax .venv-bench/bin/python benchmarks/parallel.py --quick   # smoke run

``--cpu-bound`` measures something else: ``tunesmith.tune()`` on 8 trials of a
define-by-run function (its space is empty until a trial declares it) that keeps
one core busy for 1.5 s, with one and with two ``LocalWorkers``, and optuna's own
parallel modes on the same function (``n_jobs=2`` threads, and two processes on one
``JournalStorage``). ``--work spin`` (the default) busies the core until 1.5 s of wall
time have passed, which measures how the trials are scheduled whatever else runs on
the machine; ``--work fixed`` does a fixed amount of arithmetic, 1.5 s on an idle core
(calibrated at start), which also measures how the cores are shared.
``tunesmith-2-first-alone`` is the behaviour before trials drew the values of names
new to the space: a sampler that does not (``samples_new_names = False``), so the
first trial runs alone. The load average (``os.getloadavg``) is printed with each round.

    KERAS_BACKEND=jax nice .venv-bench/bin/python benchmarks/parallel.py --cpu-bound \\
        --rounds 5 [--work fixed]
"""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import argparse
import json
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np


def load_data() -> dict[str, np.ndarray]:
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    x, y = load_breast_cancer(return_X_y=True)
    x_train, x_val, y_train, y_val = train_test_split(
        x, y, test_size=0.2, random_state=42, stratify=y
    )
    scaler = StandardScaler().fit(x_train)
    return {
        "x": scaler.transform(x_train).astype("float32"),
        "y": y_train.astype("float32"),
        "x_val": scaler.transform(x_val).astype("float32"),
        "y_val": y_val.astype("float32"),
    }


def configurations(count: int, seed: int = 0) -> list[dict[str, Any]]:
    """``count`` configurations of the W1 space, drawn once."""
    rng = random.Random(seed)
    return [
        {
            "units": rng.randrange(32, 513, 32),
            "activation": rng.choice(["relu", "tanh"]),
            "dropout": rng.choice([0.0, 0.1, 0.2, 0.3, 0.4, 0.5]),
            "layers": rng.randint(0, 3),
            "lr": rng.choice([1e-2, 1e-3, 1e-4]),
        }
        for _ in range(count)
    ]


def build(config: dict[str, Any]) -> Any:
    import keras

    # Names of our own: Keras' automatic layer names are not thread-safe, and optuna's
    # n_jobs runs trials in threads ("Name 'dense' is already the name of a layer").
    tag = uuid.uuid4().hex[:8]
    model = keras.Sequential([keras.Input(shape=(30,))], name=f"w1_{tag}")
    for i in range(1 + config["layers"]):
        model.add(
            keras.layers.Dense(
                config["units"], activation=config["activation"], name=f"dense_{tag}_{i}"
            )
        )
        model.add(keras.layers.BatchNormalization(name=f"norm_{tag}_{i}"))
        model.add(keras.layers.Dropout(config["dropout"], name=f"dropout_{tag}_{i}"))
    model.add(keras.layers.Dense(1, activation="sigmoid", name=f"output_{tag}"))
    model.compile(
        optimizer=keras.optimizers.Adam(config["lr"]),
        loss="binary_crossentropy",
        metrics=["accuracy"],
    )
    return model


def make_build_model(configs: list[dict[str, Any]]) -> Callable[[Any], Any]:
    def build_model(hp: Any) -> Any:
        return build(configs[hp.Choice("config", list(range(len(configs))))])

    return build_model


def run_tunesmith(
    configs: list[dict[str, Any]], data: dict, epochs: int, workers: int | None, ray: bool = False
) -> float:
    import tunesmith

    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        tuner = tunesmith.GridSearch(
            make_build_model(configs),
            objective="val_accuracy",
            max_trials=len(configs),
            directory=folder,
            project_name="w1",
            overwrite=True,
            executor=(
                None
                if workers is None
                else tunesmith.RayWorkers(workers=workers)
                if ray
                else tunesmith.LocalWorkers(workers=workers)
            ),
            verbose=0,
        )
        tuner.search(
            data["x"],
            data["y"],
            validation_data=(data["x_val"], data["y_val"]),
            epochs=epochs,
            batch_size=32,
        )
        done = sum(t.status.value == "COMPLETED" for t in tuner.oracle.trials.values())
        if done != len(configs):
            raise RuntimeError(f"tunesmith completed {done} of {len(configs)} trials")
    return time.perf_counter() - started


def run_optuna(configs: list[dict[str, Any]], data: dict, epochs: int, jobs: int) -> float:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)

    def objective(trial: Any) -> float:
        model = build(configs[trial.number])
        history = model.fit(
            data["x"],
            data["y"],
            validation_data=(data["x_val"], data["y_val"]),
            epochs=epochs,
            batch_size=32,
            verbose=0,
        )
        # No keras.backend.clear_session() here: with n_jobs=2 it clears the other
        # thread's model while it builds ("'NoneType' object is not callable").
        return max(history.history["val_accuracy"])

    started = time.perf_counter()
    study = optuna.create_study(direction="maximize")
    study.optimize(objective, n_trials=len(configs), n_jobs=jobs)
    if len(study.trials) != len(configs):
        raise RuntimeError("optuna ran a different number of trials")
    return time.perf_counter() - started


KT_PROCESS = """
import json, os, sys
sys.path.insert(0, {benchmarks!r})
import numpy as np
import keras_tuner
from parallel import build

folder = sys.argv[1]
configs = json.load(open(os.path.join(folder, "configs.json")))
data = np.load(os.path.join(folder, "data.npz"))

def build_model(hp):
    return build(configs[hp.Choice("config", list(range(len(configs))))])

tuner = keras_tuner.GridSearch(build_model, objective="val_accuracy",
                               max_trials=len(configs), directory=folder,
                               project_name="w1", overwrite=False)
tuner.search(data["x"], data["y"], validation_data=(data["x_val"], data["y_val"]),
             epochs={epochs}, batch_size=32, verbose=0)
if os.environ["KERASTUNER_TUNER_ID"] == "chief":
    done = sum(t.status == "COMPLETED" for t in tuner.oracle.trials.values())
    print("COMPLETED", done)
"""


def run_keras_tuner_distributed(
    configs: list[dict[str, Any]], data: dict, epochs: int, workers: int = 2
) -> float:
    """keras-tuner's chief and ``workers`` workers on localhost, as its docs set them up."""
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "configs.json").write_text(json.dumps(configs))
        np.savez(Path(folder) / "data.npz", **data)
        script = Path(folder) / "kt_process.py"
        benchmarks = str(Path(__file__).resolve().parent)
        script.write_text(textwrap.dedent(KT_PROCESS.format(benchmarks=benchmarks, epochs=epochs)))
        with socket.socket() as probe:  # a free port for the chief's gRPC server
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        started = time.perf_counter()
        processes = []
        for tuner_id in ["chief", *(f"tuner{i}" for i in range(workers))]:
            env = {
                **os.environ,
                "KERASTUNER_TUNER_ID": tuner_id,
                "KERASTUNER_ORACLE_IP": "127.0.0.1",
                "KERASTUNER_ORACLE_PORT": str(port),
            }
            processes.append(
                subprocess.Popen(
                    [sys.executable, str(script), folder],
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL,
                    text=True,
                )
            )
        try:
            for process in processes[1:]:
                process.wait(timeout=1800)
            # The chief serves until every worker has ended; give it a minute more.
            out, _ = processes[0].communicate(timeout=60)
        finally:
            for process in processes:
                if process.poll() is None:
                    process.kill()
        elapsed = time.perf_counter() - started
        if f"COMPLETED {len(configs)}" not in out:
            raise RuntimeError(f"keras-tuner's chief reported: {out.strip()!r}")
    return elapsed


# ------------------------------------------------------------------ --cpu-bound
CPU_TRIALS = 8
CPU_SECONDS = 1.5


def busy(seconds: float, work: str, rate: float) -> None:
    """Keep this process's core busy: ``seconds`` of wall time (``spin``), or the
    arithmetic an idle core does in ``seconds`` (``fixed``, ``rate`` loops a second)."""
    if work == "spin":
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            pass
        return
    total = 0
    for i in range(int(seconds * rate)):
        total += i * i


def loops_per_second() -> float:
    """How many iterations of :func:`busy`'s fixed loop an idle core runs a second
    (the best of 5 short calibrations, to see past other processes)."""
    best = 0.0
    for _ in range(5):
        count = 2_000_000
        started = time.perf_counter()
        busy(count, "fixed", 1.0)
        best = max(best, count / (time.perf_counter() - started))
    return best


def make_objective(work: str, rate: float) -> Callable[[Any], float]:
    def objective(hp: Any) -> float:
        # Declared as the trial runs: the study knows none of these before the first trial.
        x = hp.Float("x", -2.0, 2.0)
        layers = hp.Int("layers", 1, 3)
        busy(CPU_SECONDS, work, rate)
        return (x - 0.5) ** 2 + 0.1 * layers

    return objective


def optuna_objective(work: str, rate: float) -> Callable[[Any], float]:
    def objective(trial: Any) -> float:
        x = trial.suggest_float("x", -2.0, 2.0)
        layers = trial.suggest_int("layers", 1, 3)
        busy(CPU_SECONDS, work, rate)
        return (x - 0.5) ** 2 + 0.1 * layers

    return objective


def run_tune_cpu(
    work: str, rate: float, workers: int, first_alone: bool = False
) -> tuple[float, float]:
    import tunesmith
    from tunesmith.samplers import RandomSampler

    class FirstAlone(RandomSampler):
        samples_new_names = False  # as before: the first trial teaches the space alone

    algorithm: Any = "random"
    if first_alone:
        algorithm = tunesmith.oracles.RandomSearchOracle(
            objective=tunesmith.Objective("objective", "min"),
            max_trials=CPU_TRIALS,
            seed=0,
            sampler=FirstAlone(),
        )
    started = time.perf_counter()
    result = tunesmith.tune(
        make_objective(work, rate),
        max_trials=CPU_TRIALS,
        seed=0,
        algorithm=algorithm,
        executor=tunesmith.LocalWorkers(workers=workers),
    )
    elapsed = time.perf_counter() - started
    done = sum(t.status.value == "COMPLETED" for t in result.trials)
    if done != CPU_TRIALS:
        raise RuntimeError(f"tunesmith completed {done} of {CPU_TRIALS} trials")
    span = max(t.ended_at for t in result.trials) - min(t.started_at for t in result.trials)
    return elapsed, span


def run_optuna_threads(work: str, rate: float, jobs: int) -> tuple[float, float]:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    started = time.perf_counter()
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    study.optimize(optuna_objective(work, rate), n_trials=CPU_TRIALS, n_jobs=jobs)
    return time.perf_counter() - started, optuna_span(study.trials)


def optuna_span(trials: list[Any]) -> float:
    """From the first trial's start to the last one's end, in seconds."""
    first = min(t.datetime_start for t in trials)
    return (max(t.datetime_complete for t in trials) - first).total_seconds()


OPTUNA_PROCESS = """
import sys
sys.path.insert(0, {benchmarks!r})
import optuna
from optuna.storages import JournalStorage
from optuna.storages.journal import JournalFileBackend
from parallel import optuna_objective

optuna.logging.set_verbosity(optuna.logging.WARNING)
storage = JournalStorage(JournalFileBackend(sys.argv[1]))
study = optuna.load_study(study_name="cpu", storage=storage,
                          sampler=optuna.samplers.RandomSampler())
study.optimize(optuna_objective({work!r}, {rate!r}), n_trials=int(sys.argv[2]))
"""


def run_optuna_processes(work: str, rate: float, processes: int) -> tuple[float, float]:
    """optuna's way to run trials in processes: one study in a journal file, a
    process per worker each optimising its share of the trials."""
    import optuna
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend

    with tempfile.TemporaryDirectory() as folder:
        journal = str(Path(folder) / "journal.log")
        script = Path(folder) / "optuna_process.py"
        benchmarks = str(Path(__file__).resolve().parent)
        script.write_text(
            textwrap.dedent(OPTUNA_PROCESS.format(benchmarks=benchmarks, work=work, rate=rate))
        )
        started = time.perf_counter()
        optuna.create_study(study_name="cpu", storage=JournalStorage(JournalFileBackend(journal)))
        share = CPU_TRIALS // processes
        running = [
            subprocess.Popen([sys.executable, str(script), journal, str(share)])
            for _ in range(processes)
        ]
        for process in running:
            if process.wait(timeout=600) != 0:
                raise RuntimeError("an optuna process failed")
        elapsed = time.perf_counter() - started
        study = optuna.load_study(
            study_name="cpu", storage=JournalStorage(JournalFileBackend(journal))
        )
        if len(study.trials) != CPU_TRIALS:
            raise RuntimeError(f"optuna ran {len(study.trials)} trials")
        return elapsed, optuna_span(study.trials)


def cpu_bound_main(rounds: int, work: str) -> None:
    rate = loops_per_second() if work == "fixed" else 0.0
    methods: dict[str, Callable[[], tuple[float, float]]] = {
        "tunesmith-1-worker": lambda: run_tune_cpu(work, rate, 1),
        "tunesmith-2-workers": lambda: run_tune_cpu(work, rate, 2),
        "tunesmith-2-first-alone": lambda: run_tune_cpu(work, rate, 2, first_alone=True),
    }
    try:
        import optuna  # noqa: F401

        methods["optuna-2-threads"] = lambda: run_optuna_threads(work, rate, 2)
        methods["optuna-2-processes"] = lambda: run_optuna_processes(work, rate, 2)
    except ImportError:
        print("optuna is not installed: its rows are left out")
    walls: dict[str, list[float]] = {name: [] for name in methods}
    spans: dict[str, list[float]] = {name: [] for name in methods}
    loads: list[float] = []
    names = list(methods)
    for round_ in range(rounds):
        order = names[round_ % len(names) :] + names[: round_ % len(names)]
        for name in order:
            load = os.getloadavg()[0]
            loads.append(load)
            wall, span = methods[name]()
            walls[name].append(wall)
            spans[name].append(span)
            print(
                f"round {round_ + 1}: {name} {wall:.2f} s, trials {span:.2f} s (load {load:.2f})",
                flush=True,
            )
    print(
        f"\n{CPU_TRIALS} trials of {CPU_SECONDS} s ({work}), {rounds} round(s), "
        f"{os.cpu_count()} CPUs, 1-min load {min(loads):.1f} to {max(loads):.1f}"
    )
    print("wall: the whole call, workers' start included; trials: first start to last end")
    print(
        f"{'method':<24} {'wall s':>7} {'± se':>5} {'vs 1 worker':>11} {'trials s':>9} {'vs 1':>6}"
    )
    base_wall = statistics.median(walls["tunesmith-1-worker"])
    base_span = statistics.median(spans["tunesmith-1-worker"])
    for name in names:
        wall, span = statistics.median(walls[name]), statistics.median(spans[name])
        se = statistics.stdev(walls[name]) / rounds**0.5 if rounds > 1 else 0.0
        print(
            f"{name:<24} {wall:7.2f} {se:5.2f} {base_wall / wall:10.2f}x "
            f"{span:9.2f} {base_span / span:5.2f}x"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="4 trials, 2 epochs, 1 round")
    parser.add_argument("--ray", action="store_true", help="also tunesmith on a local Ray")
    parser.add_argument(
        "--keras-tuner", action="store_true", help="also keras-tuner's chief and 2 workers"
    )
    parser.add_argument(
        "--cpu-bound", action="store_true", help="tune() on 8 CPU-bound 1.5 s trials instead"
    )
    parser.add_argument("--work", choices=["spin", "fixed"], default="spin")
    args = parser.parse_args(argv)
    if args.cpu_bound:
        cpu_bound_main(args.rounds, args.work)
        return
    if args.quick:
        args.rounds, args.trials, args.epochs = 1, 4, 2
    data = load_data()
    configs = configurations(args.trials)
    methods: dict[str, Callable[[], float]] = {
        "tunesmith-inline": lambda: run_tunesmith(configs, data, args.epochs, None),
        "tunesmith-1-worker": lambda: run_tunesmith(configs, data, args.epochs, 1),
        "tunesmith-2-workers": lambda: run_tunesmith(configs, data, args.epochs, 2),
    }
    try:
        import optuna  # noqa: F401

        methods["optuna-1-job"] = lambda: run_optuna(configs, data, args.epochs, 1)
        methods["optuna-2-jobs"] = lambda: run_optuna(configs, data, args.epochs, 2)
    except ImportError:
        print("optuna is not installed: its row is left out")
    if args.ray:
        import ray

        ray.init(num_cpus=os.cpu_count(), include_dashboard=False, log_to_driver=False)
        methods["tunesmith-ray-2"] = lambda: run_tunesmith(configs, data, args.epochs, 2, True)
    if args.keras_tuner:
        methods["kt-chief-2-workers"] = lambda: run_keras_tuner_distributed(
            configs, data, args.epochs
        )
    build(configs[0]).fit(data["x"], data["y"], epochs=1, verbose=0)  # warm up JAX
    times: dict[str, list[float]] = {name: [] for name in methods}
    names = list(methods)
    for round_ in range(args.rounds):
        order = names[round_ % len(names) :] + names[: round_ % len(names)]
        for name in order:
            seconds = methods[name]()
            times[name].append(seconds)
            print(f"round {round_ + 1}: {name} {seconds:.1f} s", flush=True)
    base = statistics.median(times["tunesmith-inline"])
    print(
        f"\n{args.trials} trials x {args.epochs} epochs, {args.rounds} round(s), "
        f"{os.cpu_count()} CPUs"
    )
    print(f"{'method':<22} {'median s':>9} {'± se':>6} {'speed-up':>9}")
    for name, values in times.items():
        median = statistics.median(values)
        se = statistics.stdev(values) / len(values) ** 0.5 if len(values) > 1 else 0.0
        print(f"{name:<22} {median:9.1f} {se:6.1f} {base / median:8.2f}x")


if __name__ == "__main__":
    main()
