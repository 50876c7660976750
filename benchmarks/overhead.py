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

An untimed warm-up fits each of the 8 models once (1 epoch) and saves weights once,
so one-time initialisation (JAX/XLA, h5py, JAX's per-shape caches of eager
operations) is not charged to whichever method runs first. The order of the
methods rotates every round; the report gives each method's median wall
time (and CPU time), the ratios, and checks that every method trained the same 8
models for the same number of epochs.

On a small CPU machine most of each fit is XLA compiling the train and evaluation
steps of the new model (the first epoch), and compile times vary by several per
cent from run to run, which is as large as the overhead being measured. So the
report also times every fit and its first epoch with a callback, and gives "wall
minus first epochs" (everything but the compile-dominated first epochs: later
epochs with the tuner's per-epoch callbacks, builds, clear_session, the tuner's
own work) against the bare loop's as the low-noise estimate of what a tuner adds.
It counts the full garbage collections (a ``gc.callbacks`` hook; one costs ~0.2 s
once Keras and JAX are loaded) and measures the CPU other processes used during
each timing, rerunning a timing that another process disturbed.
``--profile`` breaks one tunesmith run down function by function (cProfile).

Run (from the repository root, with the benchmark environment of
``benchmarks/README.md``)::

    KERAS_BACKEND=jax .venv-bench/bin/python benchmarks/overhead.py            # 3 rounds, 20 epochs
    KERAS_BACKEND=jax .venv-bench/bin/python benchmarks/overhead.py --quick    # smoke run
    KERAS_BACKEND=jax .venv-bench/bin/python benchmarks/overhead.py --profile /tmp/ts.prof
"""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import argparse
import cProfile
import gc
import itertools
import platform
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import keras
import numpy as np

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
            model.add(keras.layers.Dense(hp.Choice("units", SPACE["units"]), activation=ACTIVATION))
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

    def Choice(self, name: str, values: list[Any], **kwargs: Any) -> Any:
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
        scaler.transform(x_train).astype("float32"),
        y_train.astype("float32"),
        scaler.transform(x_val).astype("float32"),
        y_val.astype("float32"),
    )


class FitCounter(keras.callbacks.Callback):
    """Counts fits and epochs and times them, in class attributes (the tuners deep-copy it).

    ``seconds`` runs from ``on_train_begin`` to ``on_train_end`` of every fit, so
    ``wall - seconds`` is the time a method spends outside ``fit``: building, clearing
    the session, and (for the tuners) everything they add around the fit. Work a
    tuner does in its own callbacks during the fit (tunesmith's per-epoch report,
    keras-tuner's checkpoints) falls inside ``seconds``. ``first_epoch`` is the
    time of each fit's first epoch, which includes compiling the train and
    evaluation steps.
    """

    fits = 0
    epochs = 0
    seconds = 0.0
    first_epoch = 0.0
    _began = 0.0

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        FitCounter.fits += 1
        FitCounter._began = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        FitCounter.epochs += 1
        if epoch == 0:
            FitCounter.first_epoch += time.perf_counter() - FitCounter._began

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        FitCounter.seconds += time.perf_counter() - FitCounter._began

    @classmethod
    def reset(cls) -> None:
        cls.fits = cls.epochs = 0
        cls.seconds = cls.first_epoch = 0.0


# --------------------------------------------------------------- machine load
def machine_busy_seconds() -> float | None:
    """CPU seconds every process of the machine has used since boot (Linux), else None."""
    try:
        with open("/proc/stat") as stat:
            values = [int(v) for v in stat.readline().split()[1:9]]
    except (OSError, ValueError):
        return None
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values) - idle) / os.sysconf("SC_CLK_TCK")


def wait_for_quiet(max_wait: float, window: float = 2.0, threshold: float = 0.1) -> float:
    """Wait (at most ``max_wait`` s) until other processes use < ``threshold`` of a core.

    Other engineers' test runs on a 2-core machine would otherwise land inside a
    timing. Returns the seconds waited.
    """
    started = time.perf_counter()
    while time.perf_counter() - started < max_wait:
        busy0, cpu0 = machine_busy_seconds(), time.process_time()
        time.sleep(window)
        busy1 = machine_busy_seconds()
        if busy0 is None or busy1 is None:
            break
        if (busy1 - busy0) - (time.process_time() - cpu0) < threshold * window:
            break
    return time.perf_counter() - started


class GcMeter:
    """Counts Python's garbage collections and the time they take (a ``gc.callbacks`` hook).

    A full collection walks every tracked object (about 0.3 million once Keras and
    JAX are imported, ~0.2 s here), so the number of them is a large part of what
    separates the methods.
    """

    def __init__(self) -> None:
        self.full = 0
        self.seconds = 0.0
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
            return
        self.seconds += time.perf_counter() - self._started
        if info["generation"] == 2:
            self.full += 1


def resident_mib() -> str:
    """This process's resident memory (Linux), to see whether memory grows over rounds."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return str(int(line.split()[1]) // 1024)
    except OSError:
        pass
    return "?"


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
    other_cpu: float = float("nan")  # CPU seconds other processes used meanwhile
    gc_full: int = 0  # full (generation 2) garbage collections, explicit or automatic
    gc_seconds: float = 0.0  # time in garbage collections of any generation
    fit_seconds: float = 0.0  # inside fit (on_train_begin to on_train_end), all models
    first_epochs: float = 0.0  # first epochs of all fits (compilation included)

    @property
    def outside_fit(self) -> float:
        """Wall time spent outside ``fit``: build, clear_session, the tuner's own work."""
        return self.wall - self.fit_seconds

    @property
    def later_epochs(self) -> float:
        """Epochs after the first of every fit: training plus per-epoch callbacks."""
        return self.fit_seconds - self.first_epochs

    @property
    def beyond_first_epochs(self) -> float:
        """Wall time minus the compile-dominated first epochs: the low-noise part."""
        return self.wall - self.first_epochs

    @property
    def other_share(self) -> float:
        """Other processes' CPU use during the run, in cores (0 = the machine was ours)."""
        return self.other_cpu / self.wall


def fit_kwargs(data: Data, epochs: int) -> dict[str, Any]:
    return {
        "x": data.x_train,
        "y": data.y_train,
        "validation_data": (data.x_val, data.y_val),
        "epochs": epochs,
        "batch_size": BATCH_SIZE,
        "callbacks": [FitCounter()],
        "verbose": 0,
    }


def run_bare(build: Callable[[Any], keras.Model], data: Data, epochs: int, workdir: Path) -> Run:
    configs = [dict(zip(SPACE, combo, strict=True)) for combo in itertools.product(*SPACE.values())]
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for values in configs:
        model = build(FixedValues(values))
        model.fit(**fit_kwargs(data, epochs))
        keras.backend.clear_session()
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    return Run(
        "bare",
        wall,
        cpu,
        0.0,
        len(configs),
        FitCounter.fits,
        FitCounter.epochs,
        {config_of(v) for v in configs},
    )


def run_tunesmith(
    build: Callable[[Any], keras.Model], data: Data, epochs: int, workdir: Path
) -> Run:
    import tunesmith as kt

    wall0, cpu0 = time.perf_counter(), time.process_time()
    tuner = kt.GridSearch(
        build, objective=OBJECTIVE, directory=str(workdir), project_name="tunesmith", overwrite=True
    )
    setup = time.perf_counter() - wall0
    tuner.search(**fit_kwargs(data, epochs))
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    trials = list(tuner.oracle.trials.values())
    completed = [t for t in trials if t.status.value == "COMPLETED"]
    tuner.store.close()
    return Run(
        "tunesmith",
        wall,
        cpu,
        setup,
        len(completed),
        FitCounter.fits,
        FitCounter.epochs,
        {config_of(t.values) for t in completed},
    )


def run_keras_tuner(
    build: Callable[[Any], keras.Model], data: Data, epochs: int, workdir: Path
) -> Run:
    import keras_tuner

    wall0, cpu0 = time.perf_counter(), time.process_time()
    tuner = keras_tuner.GridSearch(
        build,
        objective=OBJECTIVE,
        directory=str(workdir),
        project_name="keras_tuner",
        overwrite=True,
    )
    setup = time.perf_counter() - wall0
    tuner.search(**fit_kwargs(data, epochs))
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    trials = list(tuner.oracle.trials.values())
    completed = [t for t in trials if t.status == "COMPLETED"]
    return Run(
        "keras-tuner",
        wall,
        cpu,
        setup,
        len(completed),
        FitCounter.fits,
        FitCounter.epochs,
        {config_of(t.hyperparameters.values) for t in completed},
    )


RUNNERS: dict[str, Callable[[Callable[[Any], keras.Model], Data, int, Path], Run]] = {
    "bare": run_bare,
    "tunesmith": run_tunesmith,
    "keras-tuner": run_keras_tuner,
}


def timed(
    method: str, build: Callable[[Any], keras.Model], data: Data, epochs: int, seed: int
) -> Run:
    """Run one method in a fresh temporary folder (created and removed outside the timing)."""
    workdir = Path(tempfile.mkdtemp(prefix=f"overhead-{method}-"))
    try:
        keras.backend.clear_session()
        keras.utils.set_random_seed(seed)
        FitCounter.reset()
        meter = GcMeter()
        gc.callbacks.append(meter)
        busy0, cpu0 = machine_busy_seconds(), time.process_time()
        try:
            run = RUNNERS[method](build, data, epochs, workdir)
        finally:
            busy1, cpu1 = machine_busy_seconds(), time.process_time()
            gc.callbacks.remove(meter)
        run.gc_full, run.gc_seconds = meter.full, meter.seconds
        run.fit_seconds, run.first_epochs = FitCounter.seconds, FitCounter.first_epoch
        if busy0 is not None and busy1 is not None:
            run.other_cpu = max(0.0, (busy1 - busy0) - (cpu1 - cpu0))
        return run
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def warm_up(build: Callable[[Any], keras.Model], data: Data) -> float:
    """Untimed: one fit of each of the 8 models (1 epoch) and one ``save_weights``.

    One fit initialises JAX/XLA and h5py. Fitting every configuration once also
    compiles the eager operations JAX caches per shape (weight initialisers,
    optimizer slots for a 256 x 256 kernel...), which a single fit of one model
    leaves to the first timed run: about 1 s, charged to whichever method ran first.
    The train and evaluation steps are compiled again for every new model anyway.
    """
    started = time.perf_counter()
    for combo in itertools.product(*SPACE.values()):
        model = build(FixedValues(dict(zip(SPACE, combo, strict=True))))
        model.fit(**fit_kwargs(data, 1))
        keras.backend.clear_session()
    with tempfile.TemporaryDirectory() as tmp:
        model.save_weights(Path(tmp) / "warm.weights.h5")
    FitCounter.reset()
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
    import tunesmith.keras._tuner  # the code under test, before its revision is read

    return {
        "python": platform.python_version(),
        "keras": keras.__version__,
        "backend": keras.backend.backend(),
        "jax": jax.__version__,
        "keras-tuner": keras_tuner.__version__,
        "tunesmith": f"{getattr(tunesmith, '__version__', '?')} ({git_revision()})",
    }


def git_revision() -> str:
    """The checkout's commit, and whether ``tunesmith/`` differs from it (editable install)."""
    import subprocess

    root = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "tunesmith"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "no git"
    return f"git {commit}" + (", tunesmith/ modified" if dirty else "")


def print_report(runs: list[Run], methods: tuple[str, ...], epochs: int, rounds: int) -> bool:
    """Print the table and the targets; return whether every run trained the 8 models."""
    by_method = {m: [r for r in runs if r.method == m] for m in methods}
    med = {m: statistics.median(r.wall for r in rs) for m, rs in by_method.items()}
    med_cpu = {m: statistics.median(r.cpu for r in rs) for m, rs in by_method.items()}
    n = len(EXPECTED)

    print(
        f"\n{n} models x {epochs} epochs, batch {BATCH_SIZE}, {rounds} round(s); "
        "times in seconds, medians over the rounds"
    )
    print(
        "bare = build, fit, keras.backend.clear_session() per model (clear_session's own "
        "gc.collect included; no extra gc.collect, no files)"
    )
    header = (
        f"{'method':<15} {'wall per round':<30} {'median wall':>11} {'median CPU':>10} "
        f"{'models':>6} {'epochs':>6} {'vs bare':>8} {'ms/trial':>9}"
    )
    print(header)
    print("-" * len(header))
    for m, rs in by_method.items():
        per_round = " ".join(f"{r.wall:.2f}" for r in rs)
        models = "/".join(sorted({str(r.models) for r in rs}))
        epochs_run = "/".join(sorted({str(r.epochs) for r in rs}))
        extra_ms = (med[m] - med["bare"]) / n * 1000
        print(
            f"{m:<15} {per_round:<30} {med[m]:>11.2f} {med_cpu[m]:>10.2f} {models:>6} "
            f"{epochs_run:>6} {med[m] / med['bare']:>8.3f} {extra_ms:>+9.0f}"
        )
    print("(ms/trial = (median wall - bare median wall) / 8)")

    def mid(m: str, attr: str) -> float:
        return statistics.median(getattr(r, attr) for r in by_method[m])

    print("\nwhere the time goes (medians, seconds):")
    header = (
        f"{'method':<15} {'in fit':>7} {'1st epochs':>10} {'later epochs':>12} "
        f"{'outside fit':>11} {'setup':>6} {'full gc':>7} {'gc s':>5} "
        f"{'wall - 1st epochs':>17} {'vs bare':>16}"
    )
    print(header)
    print("-" * len(header))
    for m in by_method:
        extra = mid(m, "beyond_first_epochs") - mid("bare", "beyond_first_epochs")
        print(
            f"{m:<15} {mid(m, 'fit_seconds'):>7.2f} {mid(m, 'first_epochs'):>10.2f} "
            f"{mid(m, 'later_epochs'):>12.2f} {mid(m, 'outside_fit'):>11.2f} "
            f"{mid(m, 'setup'):>6.2f} {mid(m, 'gc_full'):>7g} {mid(m, 'gc_seconds'):>5.2f} "
            f"{mid(m, 'beyond_first_epochs'):>17.2f} {extra:>+7.2f} ({extra / med['bare']:+6.1%})"
        )
    print(
        "in fit = on_train_begin to on_train_end of every fit; 1st epochs = the first epoch of"
        " every fit, mostly XLA compiling the new model's steps (the noisy part); later epochs"
        " = the other epochs, with the tuner's per-epoch callbacks; outside fit = wall - in fit"
        " (build, clear_session, the tuner's own work); setup = the tuner's constructor; full"
        " gc / gc s = full garbage collections / seconds in all collections; vs bare = (wall -"
        " 1st epochs) minus the bare loop's, in seconds and as a share of the bare median wall:"
        " the low-noise estimate of what the tuner adds."
    )

    def paired(a: str, b: str) -> float:
        return statistics.median(
            x.wall / y.wall for x, y in zip(by_method[a], by_method[b], strict=True)
        )

    ts_bare = med["tunesmith"] / med["bare"]
    kt_bare = med["keras-tuner"] / med["bare"]
    ts_kt = med["tunesmith"] / med["keras-tuner"]
    print("\nratios of the medians (median of the per-round ratios in brackets):")
    print(
        f"  tunesmith / bare        {ts_bare:.3f} ({paired('tunesmith', 'bare'):.3f})   "
        f"target <= {TARGET_VS_BARE:.2f}: {'MET' if ts_bare <= TARGET_VS_BARE else 'MISSED'}"
    )
    print(f"  keras-tuner / bare      {kt_bare:.3f} ({paired('keras-tuner', 'bare'):.3f})")
    print(
        f"  tunesmith / keras-tuner {ts_kt:.3f} ({paired('tunesmith', 'keras-tuner'):.3f})   "
        f"target < 1: {'MET' if ts_kt < 1 else 'MISSED'}"
    )
    print(
        f"  CPU time: tunesmith / bare {med_cpu['tunesmith'] / med_cpu['bare']:.3f}, "
        f"keras-tuner / bare {med_cpu['keras-tuner'] / med_cpu['bare']:.3f}, "
        f"tunesmith / keras-tuner {med_cpu['tunesmith'] / med_cpu['keras-tuner']:.3f}"
    )
    others = [r.other_share for r in runs if r.other_share == r.other_share]
    if others:
        print(
            f"  other processes used {statistics.median(others):.3f} core (median; max "
            f"{max(others):.3f}) while the kept runs were timed"
        )

    problems = [p for r in runs for p in check(r, epochs)]
    if problems:
        print("\nCHECK FAILED:\n  " + "\n  ".join(problems))
    else:
        print(
            f"\ncheck: every kept run of every method trained the same {n} configurations, "
            f"{n} fits x {epochs} epochs (tuners: {n} COMPLETED trials)"
        )
    return not problems


# ------------------------------------------------------------------------- profile
def _short(key: tuple[str, int, str]) -> str:
    path = key[0].split("site-packages/")[-1]
    path = path.split("/tunesmith/", 1)[-1] if "/tunesmith/" in path else path
    return f"{path}:{key[1]}({key[2]})" if key[0] != "~" else key[2]


def profile_tunesmith(
    build: Callable[[Any], keras.Model], data: Data, epochs: int, seed: int, path: str
) -> None:
    """One tunesmith run under cProfile: the tuner's own work, function by function.

    Training (``fit`` minus the tuner's callback), the per-model build and the
    per-model ``clear_session`` are what the bare loop does too; everything else
    listed is tunesmith's addition.
    """
    bare = timed("bare", build, data, epochs, seed)
    profiler = cProfile.Profile()
    profiler.enable()
    run = timed("tunesmith", build, data, epochs, seed)
    profiler.disable()
    profiler.dump_stats(path)
    entries: dict[tuple[str, int, str], tuple] = pstats.Stats(profiler).stats  # type: ignore[attr-defined]

    def find(suffix: str, name: str) -> tuple[str, int, str] | None:
        keys = [k for k in entries if k[2] == name and k[0].endswith(suffix)]
        return max(keys, key=lambda k: entries[k][3]) if keys else None

    def calls_from(
        callee: tuple[str, int, str] | None, caller: tuple[str, int, str] | None
    ) -> tuple[int, float]:
        if callee is None or caller is None:
            return 0, 0.0
        edge = entries[callee][4].get(caller)
        return (edge[1], edge[3]) if edge else (0, 0.0)

    def total(key: tuple[str, int, str] | None) -> tuple[int, float]:
        return (entries[key][1], entries[key][3]) if key else (0, 0.0)

    gc_key = ("~", 0, "<built-in method gc.collect>")
    clear = find("backend/common/global_state.py", "clear_session")
    init = find("tunesmith/keras/_tuner.py", "__init__")
    populate = find("tunesmith/keras/_tuner.py", "_populate_space")
    wrapper = find("tunesmith/keras/_tuner.py", "run")
    run_trial = find("tunesmith/keras/_tuner.py", "run_trial")
    build_key = find("tunesmith/keras/_tuner.py", "_build")
    fit = find("tunesmith/keras/_hypermodel.py", "fit")
    recorder = find("tunesmith/keras/_callbacks.py", "on_epoch_end")
    rows: list[tuple[str, tuple[int, float]]] = [
        ("Tuner.__init__ (store open + space discovery)", total(init)),
        ("  _populate_space: clear_session (each runs a gc.collect)", calls_from(clear, populate)),
        (
            "  _populate_space: the extra build(hp)",
            calls_from(find("tunesmith/keras/_hypermodel.py", "build"), populate),
        ),
        ("search loop: gc.collect of its own", calls_from(gc_key, wrapper)),
        ("run_trial: clear_session (the bare loop does it too)", calls_from(clear, run_trial)),
        ("run_trial: build (the bare loop does it too)", calls_from(build_key, run_trial)),
        ("run_trial: fit, callback included", calls_from(fit, run_trial)),
        ("  TrialRecorder.on_epoch_end", total(recorder)),
        (
            "    Model.get_weights (copy on improvement)",
            calls_from(
                find("keras/src/models/model.py", "get_weights")
                or find("keras/src/layers/layer.py", "get_weights"),
                recorder,
            ),
        ),
        (
            "    Study.report -> store row per epoch (through the trial's context)",
            total(find("tunesmith/study/_study.py", "report")),
        ),
        (
            "run_trial: restore_best_weights",
            total(find("tunesmith/keras/_callbacks.py", "restore_best_weights")),
        ),
        (
            "run_trial: save_weights (h5, once)",
            total(find("tunesmith/keras/_tuner.py", "_save_weights")),
        ),
        ("Study.ask (propose + store insert)", total(find("tunesmith/study/_study.py", "ask"))),
        ("Study.tell (store update)", total(find("tunesmith/study/_study.py", "tell"))),
        ("Study.update_space", total(find("tunesmith/study/_study.py", "update_space"))),
        (
            "display (verbose=0)",
            (
                0,
                sum(
                    v[3]
                    for k, v in entries.items()
                    if k[0].endswith("execution/_display.py")
                    and k[2] in {"trial_begin", "trial_end", "search_begin", "search_end"}
                ),
            ),
        ),
    ]
    print(
        f"\ncProfile of one tunesmith run: {run.wall:.2f} s under the profiler (an "
        f"unprofiled bare run just before: {bare.wall:.2f} s). Stats saved in {path}"
    )
    print(f"{'cumulative s':>12} {'calls':>6}  where")
    for label, (calls, seconds) in rows:
        print(f"{seconds:>12.3f} {calls:>6}  {label}")
    gc_calls, gc_seconds = total(gc_key)
    print(
        f"{gc_seconds:>12.3f} {gc_calls:>6}  all gc.collect calls "
        f"({gc_seconds / max(gc_calls, 1) * 1000:.0f} ms each); callers:"
    )
    for caller, edge in sorted(entries[gc_key][4].items(), key=lambda e: -e[1][3]):
        print(f"{edge[3]:>12.3f} {edge[1]:>6}    {_short(caller)}")


# ---------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20, help="epochs per model (default 20)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the methods (default 3)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 1 round, 5 epochs")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--max-other",
        type=float,
        default=0.05,
        metavar="CORES",
        help="rerun a timing during which other processes used more than "
        "this many cores on average (default 0.05)",
    )
    parser.add_argument(
        "--retries",
        type=int,
        default=3,
        help="reruns allowed per timing when the machine was busy (default 3)",
    )
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=120.0,
        metavar="S",
        help="before each timing wait up to S seconds for the machine to be idle",
    )
    parser.add_argument(
        "--profile",
        metavar="PATH",
        help="after the rounds, profile one tunesmith run (cProfile) into PATH",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds, args.epochs = 1, 5
    if keras.backend.backend() != "jax":
        print(f"This benchmark runs on JAX; KERAS_BACKEND is {keras.backend.backend()!r}.")
        return 2
    methods: tuple[str, ...] = METHODS

    import jax

    info = versions()
    print("tuner overhead: " + ", ".join(f"{k} {v}" for k, v in info.items()))
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} CPU(s), "
        f"jax devices {[d.platform for d in jax.devices()]}"
    )
    print(
        f"command: KERAS_BACKEND={os.environ['KERAS_BACKEND']} "
        f"{' '.join([os.path.relpath(sys.executable), *sys.argv])}"
    )

    data = load_data()
    build = make_build_model(data.x_train.shape[1])
    print(
        f"data: {len(data.y_train)} training rows, {len(data.y_val)} validation rows; "
        f"warm-up (8 fits of 1 epoch) took {warm_up(build, data):.2f} s",
        flush=True,
    )

    runs: list[Run] = []
    discarded = 0
    for round_ in range(args.rounds):
        shift = round_ % len(methods)
        order = methods[shift:] + methods[:shift]
        done = []
        for method in order:
            for attempt in range(args.retries + 1):
                wait_for_quiet(args.quiet_wait)
                run = timed(method, build, data, args.epochs, args.seed)
                if not run.other_share > args.max_other or attempt == args.retries:
                    break
                discarded += 1
                print(
                    f"  (discarded {method} {run.wall:.2f}s: other processes used "
                    f"{run.other_share:.2f} core meanwhile)",
                    flush=True,
                )
            runs.append(run)
            done.append(
                f"{method} {run.wall:.2f}s ({run.gc_full} full gc, others "
                f"{run.other_share:.2f} core)"
            )
        print(
            f"round {round_ + 1}/{args.rounds}: "
            + ", ".join(done)
            + f"; {len(gc.get_objects())} objects tracked by gc, {resident_mib()} MiB resident",
            flush=True,
        )
    if discarded:
        print(f"{discarded} timing(s) were rerun because another process was busy meanwhile")

    ok = print_report(runs, methods, args.epochs, args.rounds)
    if args.profile:
        wait_for_quiet(args.quiet_wait)
        profile_tunesmith(build, data, args.epochs, args.seed, args.profile)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
