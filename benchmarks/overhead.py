"""What does a tuner cost on top of the training it drives?

The same 8 configurations of the W1 breast-cancer MLP (a 2 x 2 x 2 grid: ``units``
in {64, 256}, ``Layers`` in {0, 1}, ``learning_rate`` in {1e-3, 1e-4}; ReLU and
dropout 0.2 fixed) are trained for a fixed number of epochs, with no early
stopping, on the JAX backend, three ways in one process:

* ``bare``: a plain user loop: for each configuration build the model, ``fit`` it,
  then ``keras.backend.clear_session()``. Nothing is stored, nothing is collected.
* ``tunesmith``: ``tunesmith.GridSearch(..., overwrite=True)`` in a fresh folder,
  ``search(..., verbose=0)``.
* ``keras-tuner``: ``keras_tuner.GridSearch(..., overwrite=True)`` in a fresh
  folder, ``search(..., verbose=0)``.

All three call one build function (the bare loop hands it a dict-backed stand-in
for ``hp``) with the same data: scikit-learn's ``load_breast_cancer``, an 80/20
stratified split, ``StandardScaler`` fitted on the training rows, the 20 % as
``validation_data``, batch size 32. Each tuner's time runs from its constructor
(which includes its space-discovery build) to the end of ``search``.

The difference between a tuner and the bare loop is what the tuner adds per
trial: bookkeeping, the store, weight copies and files, garbage collection, an
extra build. Since the models are small, that overhead is a visible fraction of
the total; the targets are tunesmith within 5 % of the bare loop and faster than
keras-tuner.

One untimed fit (and one ``save_weights``) warms JAX/XLA and h5py up first, so
one-time initialisation is not charged to whichever method runs first. The order
of the methods rotates every round; the report gives each method's median wall
time (and CPU time, which is less sensitive to other processes on the machine),
the ratios, and checks that every method trained the same 8 models for the same
number of epochs.

Run (from the repository root, with the benchmark environment of
``benchmarks/README.md``)::

    KERAS_BACKEND=jax .venv-bench/bin/python benchmarks/overhead.py            # 3 rounds, 20 epochs
    KERAS_BACKEND=jax .venv-bench/bin/python benchmarks/overhead.py --quick    # smoke run
    KERAS_BACKEND=jax .venv-bench/bin/python benchmarks/overhead.py --profile /tmp/ts.prof
"""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import argparse  # noqa: E402
import cProfile  # noqa: E402
import itertools  # noqa: E402
import platform  # noqa: E402
import pstats  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import keras  # noqa: E402
import numpy as np  # noqa: E402

# --------------------------------------------------------------------------- space
SPACE: dict[str, list[Any]] = {
    "units": [64, 256],
    "Layers": [0, 1],
    "learning_rate": [1e-3, 1e-4],
}
ACTIVATION = "relu"
DROPOUT = 0.2
BATCH_SIZE = 32
OBJECTIVE = "val_accuracy"
TARGET_VS_BARE = 1.05  # tunesmith within 5 % of the bare loop
METHODS = ("bare", "tunesmith", "keras-tuner")

Config = tuple[tuple[str, Any], ...]


def config_of(values: dict[str, Any]) -> Config:
    """A hashable, order-independent key for one configuration of :data:`SPACE`."""
    return tuple(sorted((name, values[name]) for name in SPACE))


EXPECTED: frozenset[Config] = frozenset(
    config_of(dict(zip(SPACE, combo, strict=True))) for combo in itertools.product(*SPACE.values())
)


def make_build_model(input_dim: int) -> Callable[[Any], keras.Model]:
    """The W1 hypermodel (``tunesmith/studies/breast_cancer.py``) on an 8-point grid.

    Dense -> BatchNormalization -> Dropout, then ``Layers`` more such blocks reusing
    the same ``units``, then a sigmoid output; Adam with ``learning_rate``.
    """

    def build_model(hp: Any) -> keras.Model:
        model = keras.Sequential()
        model.add(keras.Input(shape=(input_dim,)))
        units = hp.Choice("units", SPACE["units"])
        model.add(keras.layers.Dense(units, activation=ACTIVATION))
        model.add(keras.layers.BatchNormalization())
        model.add(keras.layers.Dropout(DROPOUT))
        for _ in range(hp.Choice("Layers", SPACE["Layers"])):
            model.add(keras.layers.Dense(hp.Choice("units", SPACE["units"]),
                                         activation=ACTIVATION))
            model.add(keras.layers.BatchNormalization())
            model.add(keras.layers.Dropout(DROPOUT))
        model.add(keras.layers.Dense(1, activation="sigmoid"))
        model.compile(
            loss="binary_crossentropy",
            optimizer=keras.optimizers.Adam(hp.Choice("learning_rate", SPACE["learning_rate"])),
            metrics=["accuracy"],
        )
        return model

    return build_model


class FixedValues:
    """A stand-in for ``hp`` in the bare loop: every call returns the given value."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = dict(values)

    def Choice(self, name: str, values: list[Any], **kwargs: Any) -> Any:  # noqa: N802
        if self.values[name] not in values:
            raise ValueError(f"{name}={self.values[name]!r} is not one of {values}")
        return self.values[name]


# ---------------------------------------------------------------------------- data
@dataclass
class Data:
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray


def load_data(seed: int = 42) -> Data:
    """scikit-learn's breast-cancer set, 80/20 stratified, standard-scaled on the 80 %."""
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    x, y = load_breast_cancer(return_X_y=True)
    x_train, x_val, y_train, y_val = train_test_split(
        x, y, test_size=0.2, random_state=seed, stratify=y
    )
    scaler = StandardScaler().fit(x_train)
    return Data(
        scaler.transform(x_train).astype("float32"), y_train.astype("float32"),
        scaler.transform(x_val).astype("float32"), y_val.astype("float32"),
    )


class FitCounter(keras.callbacks.Callback):
    """Counts fits and epochs in class attributes, so the tuners' deep copies count too."""

    fits = 0
    epochs = 0

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        FitCounter.fits += 1

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        FitCounter.epochs += 1

    @classmethod
    def reset(cls) -> None:
        cls.fits = 0
        cls.epochs = 0


# ------------------------------------------------------------------------- methods
@dataclass
class Run:
    """One timed run of one method."""

    method: str
    wall: float
    cpu: float
    setup: float  # constructor time (0 for the bare loop)
    models: int  # trials completed (tuners) or models trained (bare)
    fits: int
    epochs: int
    configs: set[Config] = field(default_factory=set)


def fit_kwargs(data: Data, epochs: int) -> dict[str, Any]:
    return {
        "x": data.x_train, "y": data.y_train,
        "validation_data": (data.x_val, data.y_val),
        "epochs": epochs, "batch_size": BATCH_SIZE,
        "callbacks": [FitCounter()], "verbose": 0,
    }


def run_bare(build: Callable[[Any], keras.Model], data: Data, epochs: int, workdir: Path) -> Run:
    configs = [dict(zip(SPACE, combo, strict=True)) for combo in itertools.product(*SPACE.values())]
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for values in configs:
        model = build(FixedValues(values))
        model.fit(**fit_kwargs(data, epochs))
        keras.backend.clear_session()
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    return Run("bare", wall, cpu, 0.0, len(configs), FitCounter.fits, FitCounter.epochs,
               {config_of(v) for v in configs})


def run_tunesmith(
    build: Callable[[Any], keras.Model], data: Data, epochs: int, workdir: Path
) -> Run:
    import tunesmith as kt

    wall0, cpu0 = time.perf_counter(), time.process_time()
    tuner = kt.GridSearch(build, objective=OBJECTIVE, directory=str(workdir),
                          project_name="tunesmith", overwrite=True)
    setup = time.perf_counter() - wall0
    tuner.search(**fit_kwargs(data, epochs))
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    trials = list(tuner.oracle.trials.values())
    completed = [t for t in trials if t.status.value == "COMPLETED"]
    tuner.store.close()
    return Run("tunesmith", wall, cpu, setup, len(completed), FitCounter.fits, FitCounter.epochs,
               {config_of(t.values) for t in completed})


def run_keras_tuner(
    build: Callable[[Any], keras.Model], data: Data, epochs: int, workdir: Path
) -> Run:
    import keras_tuner

    wall0, cpu0 = time.perf_counter(), time.process_time()
    tuner = keras_tuner.GridSearch(build, objective=OBJECTIVE, directory=str(workdir),
                                   project_name="keras_tuner", overwrite=True)
    setup = time.perf_counter() - wall0
    tuner.search(**fit_kwargs(data, epochs))
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    trials = list(tuner.oracle.trials.values())
    completed = [t for t in trials if t.status == "COMPLETED"]
    return Run("keras-tuner", wall, cpu, setup, len(completed), FitCounter.fits,
               FitCounter.epochs, {config_of(t.hyperparameters.values) for t in completed})


RUNNERS: dict[str, Callable[[Callable[[Any], keras.Model], Data, int, Path], Run]] = {
    "bare": run_bare,
    "tunesmith": run_tunesmith,
    "keras-tuner": run_keras_tuner,
}


def timed(method: str, build: Callable[[Any], keras.Model], data: Data, epochs: int,
          seed: int) -> Run:
    """Run one method in a fresh temporary folder (created and removed outside the timing)."""
    workdir = Path(tempfile.mkdtemp(prefix=f"overhead-{method}-"))
    try:
        keras.backend.clear_session()
        keras.utils.set_random_seed(seed)
        FitCounter.reset()
        return RUNNERS[method](build, data, epochs, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def warm_up(build: Callable[[Any], keras.Model], data: Data, epochs: int) -> float:
    """One untimed fit and one save_weights: JAX/XLA and h5py initialise here."""
    started = time.perf_counter()
    first = {name: values[0] for name, values in SPACE.items()}
    model = build(FixedValues(first))
    model.fit(**fit_kwargs(data, epochs))
    with tempfile.TemporaryDirectory() as tmp:
        model.save_weights(Path(tmp) / "warm.weights.h5")
    keras.backend.clear_session()
    return time.perf_counter() - started


# -------------------------------------------------------------------------- report
def check(run: Run, epochs: int) -> list[str]:
    """Problems with what a run trained (empty when it trained the 8 expected models)."""
    problems = []
    n = len(EXPECTED)
    if run.models != n:
        problems.append(f"{run.method}: {run.models} models/trials completed, expected {n}")
    if run.fits != n:
        problems.append(f"{run.method}: {run.fits} fits, expected {n}")
    if run.epochs != n * epochs:
        problems.append(f"{run.method}: {run.epochs} epochs, expected {n * epochs}")
    if run.configs != EXPECTED:
        problems.append(f"{run.method}: trained configurations differ from the 8 of the grid")
    return problems


def versions() -> dict[str, str]:
    import jax
    import keras_tuner

    import tunesmith

    return {
        "python": platform.python_version(),
        "keras": keras.__version__,
        "backend": keras.backend.backend(),
        "jax": jax.__version__,
        "keras-tuner": keras_tuner.__version__,
        "tunesmith": getattr(tunesmith, "__version__", "?"),
    }


def print_report(runs: list[Run], epochs: int, rounds: int) -> bool:
    """Print the table and the targets; return whether every run trained the 8 models."""
    by_method = {m: [r for r in runs if r.method == m] for m in METHODS}
    med = {m: statistics.median(r.wall for r in rs) for m, rs in by_method.items()}
    med_cpu = {m: statistics.median(r.cpu for r in rs) for m, rs in by_method.items()}
    n = len(EXPECTED)

    print(f"\n{n} models x {epochs} epochs, batch {BATCH_SIZE}, {rounds} round(s); "
          "times in seconds, median over rounds")
    print("bare = build, fit, keras.backend.clear_session() per model (no gc.collect, no files)")
    header = (f"{'method':<12} {'wall (per round)':<28} {'median wall':>11} {'median CPU':>10} "
              f"{'setup':>6} {'models':>6} {'epochs':>6} {'vs bare':>8} {'ms/trial':>9}")
    print(header)
    print("-" * len(header))
    for m, rs in by_method.items():
        per_round = " ".join(f"{r.wall:.2f}" for r in rs)
        setup = statistics.median(r.setup for r in rs)
        models = "/".join(sorted({str(r.models) for r in rs}))
        epochs_run = "/".join(sorted({str(r.epochs) for r in rs}))
        extra_ms = (med[m] - med["bare"]) / n * 1000
        print(f"{m:<12} {per_round:<28} {med[m]:>11.2f} {med_cpu[m]:>10.2f} {setup:>6.2f} "
              f"{models:>6} {epochs_run:>6} {med[m] / med['bare']:>8.3f} {extra_ms:>+9.0f}")

    def paired(a: str, b: str) -> float:
        return statistics.median(x.wall / y.wall for x, y in zip(by_method[a], by_method[b],
                                                                strict=True))

    ts_bare = med["tunesmith"] / med["bare"]
    kt_bare = med["keras-tuner"] / med["bare"]
    ts_kt = med["tunesmith"] / med["keras-tuner"]
    print("\nratios of medians (median of per-round ratios in brackets):")
    print(f"  tunesmith / bare        {ts_bare:.3f} ({paired('tunesmith', 'bare'):.3f})   "
          f"target <= {TARGET_VS_BARE:.2f}: {'MET' if ts_bare <= TARGET_VS_BARE else 'MISSED'}")
    print(f"  keras-tuner / bare      {kt_bare:.3f} ({paired('keras-tuner', 'bare'):.3f})")
    print(f"  tunesmith / keras-tuner {ts_kt:.3f} ({paired('tunesmith', 'keras-tuner'):.3f})   "
          f"target < 1: {'MET' if ts_kt < 1 else 'MISSED'}")
    print(f"  CPU time: tunesmith / bare {med_cpu['tunesmith'] / med_cpu['bare']:.3f}, "
          f"keras-tuner / bare {med_cpu['keras-tuner'] / med_cpu['bare']:.3f}")

    problems = [p for r in runs for p in check(r, epochs)]
    if problems:
        print("\nCHECK FAILED:\n  " + "\n  ".join(problems))
    else:
        print(f"\ncheck: every run of every method trained the same {n} configurations, "
              f"{n} fits x {epochs} epochs (tuners: {n} COMPLETED trials)")
    return not problems


# ------------------------------------------------------------------------- profile
PROFILE_GROUPS: dict[str, tuple[str, str]] = {
    # label: (file suffix, function name) whose cumulative time is reported
    "Tuner.__init__ (store open, space-discovery build)": ("keras/_tuner.py", "__init__"),
    "  _populate_space (the extra build)": ("keras/_tuner.py", "_populate_space"),
    "Tuner.search": ("keras/_tuner.py", "search"),
    "  Tuner.run_trial": ("keras/_tuner.py", "run_trial"),
    "    model.fit": ("trainers/trainer.py", "fit"),  # placeholder, replaced below
    "    TrialRecorder.on_epoch_end": ("keras/_callbacks.py", "on_epoch_end"),
    "      Model.get_weights (best-epoch copy)": ("", "get_weights"),
    "      Oracle.report (store row per epoch)": ("oracles/_base.py", "report"),
    "    TrialRecorder.restore_best_weights": ("keras/_callbacks.py", "restore_best_weights"),
    "    Tuner._save_weights (h5 file)": ("keras/_tuner.py", "_save_weights"),
    "  gc.collect": ("~", "<built-in method gc.collect>"),
    "  Oracle.update_space": ("oracles/_base.py", "update_space"),
    "  Oracle.ask": ("oracles/_base.py", "ask"),
    "  Oracle.tell": ("oracles/_base.py", "tell"),
    "  keras.backend.clear_session": ("", "clear_session"),
}


def profile_tunesmith(build: Callable[[Any], keras.Model], data: Data, epochs: int, seed: int,
                      path: str) -> None:
    """One tunesmith run under cProfile; prints where its time goes beside a bare run."""
    bare = timed("bare", build, data, epochs, seed)
    profiler = cProfile.Profile()
    profiler.enable()
    run = timed("tunesmith", build, data, epochs, seed)
    profiler.disable()
    profiler.dump_stats(path)
    stats = pstats.Stats(profiler)
    entries: dict[tuple[str, int, str], Any] = stats.stats  # type: ignore[attr-defined]
    print(f"\ncProfile of one tunesmith run ({run.wall:.2f} s under the profiler; an "
          f"unprofiled bare run just before took {bare.wall:.2f} s). Stats in {path}")
    print(f"{'cumulative s':>12} {'calls':>7}  what")
    for label, (suffix, name) in PROFILE_GROUPS.items():
        if name == "fit":
            matches = [(k, v) for k, v in entries.items()
                       if k[2] == "fit" and "keras/src/backend/jax/trainer.py" in k[0]]
        else:
            matches = [(k, v) for k, v in entries.items()
                       if k[2] == name and (not suffix or k[0].endswith(suffix))]
        if not matches:
            continue
        calls = sum(v[1] for _, v in matches)
        cumulative = max(v[3] for _, v in matches)  # outermost of (possibly) nested entries
        print(f"{cumulative:>12.3f} {calls:>7}  {label}")


# ---------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20, help="epochs per model (default 20)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the 3 methods (default 3)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 1 round, 5 epochs")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", metavar="PATH",
                        help="after the rounds, profile one tunesmith run (cProfile) into PATH")
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds, args.epochs = 1, 5
    if keras.backend.backend() != "jax":
        print(f"This benchmark runs on JAX; KERAS_BACKEND is {keras.backend.backend()!r}.")
        return 2

    info = versions()
    print("tuner overhead: " + ", ".join(f"{k} {v}" for k, v in info.items()))
    print(f"machine: {platform.platform()}, {os.cpu_count()} CPU(s), "
          f"jax devices {[d.platform for d in __import__('jax').devices()]}")
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")

    data = load_data()
    build = make_build_model(data.x_train.shape[1])
    print(f"data: {len(data.y_train)} training rows, {len(data.y_val)} validation rows; "
          f"warm-up fit took {warm_up(build, data, args.epochs):.2f} s")

    runs: list[Run] = []
    for round_ in range(args.rounds):
        order = METHODS[round_ % 3:] + METHODS[:round_ % 3]
        load = os.getloadavg()[0]
        done = []
        for method in order:
            run = timed(method, build, data, args.epochs, args.seed)
            runs.append(run)
            done.append(f"{method} {run.wall:.2f}s")
        print(f"round {round_ + 1}/{args.rounds} (load avg {load:.2f} before): " + ", ".join(done),
              flush=True)

    ok = print_report(runs, args.epochs, args.rounds)
    if args.profile:
        profile_tunesmith(build, data, args.epochs, args.seed, args.profile)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
