"""How many epochs does each multi-fidelity method need to match a 30-trial random search?

What is measured
----------------
For each problem and seed, a *reference* search runs first: tunesmith's
``RandomSearch`` without pruning, ``--ref-trials`` (30) configurations, each trained
for ``--max-epochs`` (27) epochs. Its best ``val_accuracy`` is the *target*, and its
cost in epochs (``30 x 27 = 810``) is the *budget* every other method gets.

Then each method searches the same problem from scratch, until it *holds a model
as good as the target* (some trained epoch reached ``val_accuracy >= target``; the
tuners keep the best epoch's weights) or it has trained the budget:

* ``ts-hyperband``: ``tunesmith.Hyperband(max_epochs, factor=3)``, iterations
  repeated while the budget lasts; ``ts-hyperband-bo`` the same with
  ``sampler="bayesian"`` (model-based, as BOHB);
* ``ts-asha``: ``tunesmith.ASHA(max_epochs, factor=3, min_epochs=1)``, random sampler,
  new configurations started while the budget lasts;
* ``ts-bo+median``: ``tunesmith.BayesianOptimization(pruner=MedianPruner())``;
* ``ts-random+median``: ``tunesmith.RandomSearch(pruner=MedianPruner())``;
* ``kt-hyperband``: keras-tuner's ``Hyperband`` with the same arguments (in the same
  process, the same build function and data);
* optional (``--methods``): ``ts-random+sh`` (``SuccessiveHalvingPruner()``),
  ``ts-asha-bayesian`` (ASHA with ``sampler="bayesian"``).

Epochs are counted by a callback on every fit: a promoted trial (Hyperband, ASHA)
counts only the epochs it trains on top of its parent's. "Epochs to target" is
the number of epochs trained when the target was first reached; wall time to
target runs from the tuner's constructor to that epoch. The baseline of the ratio
``x fewer`` is what unpruned random search needs *on average* to reach its own best:
the reference's trials are independent draws, so every order of them is an equally
likely random search, and the expected epochs over all orders follow from each
trial's curve (``expected_epochs_in_random_order``). The one order that happened is
shown too ("random, as run"): one lucky early trial makes it small, one late trial
large. ``x budget`` divides the reference's whole cost instead (what it takes to
*know* that best: all 30 trials). A method that misses the target within the budget
is counted at the budget (so its mean is a lower bound, marked ``>=``) and
lowers the success rate.

On a small CPU machine each fit's first epoch (XLA compiling the new model) costs
seconds, more than several later epochs of these small models, so wall time grows
with the number of fits as much as with epochs: methods that start many short fits
(ASHA from 1 epoch) save epochs more than seconds.

Problems (both maximise ``val_accuracy`` on a fixed 20 % validation split):

* ``w1``: the W1 study (``tunesmith.studies.breast_cancer``): the embedded
  breast-cancer data, scaled, 80/20 stratified split; the study's hypermodel
  (units, activation, dropout, 0-3 extra layers, learning rate); batch size 32.
* ``digits``: scikit-learn's ``load_digits`` (1797 8x8 images / 16), 80/20
  stratified; an MLP with 1-3 layers of ``units`` (32-512), ``dropout`` (0-0.5) and
  a log-scaled Adam ``learning_rate`` (1e-4 to 1e-2); batch size 64.

Every run calls ``keras.utils.set_random_seed(seed)`` first. Seeds are
``--first-seed`` (1) and the ``--seeds`` - 1 after it (times 1009 for the libraries'
samplers); ``--report a.json b.json`` prints the tables of runs saved with
``--output``, merged.

Duration on 2 CPU cores: about 15 minutes per seed (both problems, every default
method) at ``--max-epochs 9``; at the default 27 the reference alone trains 810 epochs
per problem and seed, so plan on hours for several seeds (``--max-minutes`` stops
starting new seeds; ``--first-seed`` and ``--report`` split a run).

Run (from the repository root, with the benchmark environment of
``benchmarks/README.md``)::

    KERAS_BACKEND=jax .venv-bench/bin/python benchmarks/multi_fidelity.py --quick  # ~8 min
    KERAS_BACKEND=jax .venv-bench/bin/python benchmarks/multi_fidelity.py --seeds 3
    KERAS_BACKEND=jax .venv-bench/bin/python benchmarks/multi_fidelity.py \
        --max-epochs 9 --first-seed 2 --seeds 1 --output s2.json   # ~15 min on 2 cores
    KERAS_BACKEND=jax .venv-bench/bin/python benchmarks/multi_fidelity.py --report s1.json s2.json
    KERAS_BACKEND=jax .venv-bench/bin/python benchmarks/multi_fidelity.py \
        --problems digits --methods ts-hyperband,kt-hyperband --output mf.json
"""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import argparse
import gc
import json
import math
import platform
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import keras
import numpy as np

OBJECTIVE = "val_accuracy"
DEFAULT_METHODS = (
    "ts-hyperband",
    "ts-hyperband-bo",
    "ts-asha",
    "ts-bo+median",
    "ts-random+median",
    "kt-hyperband",
)
EXTRA_METHODS = ("ts-random+sh", "ts-asha-bayesian")
REFERENCE = "random"
PROBLEMS = ("w1", "digits")
# Trials allowed to the methods whose max_trials bounds them; the epoch budget ends
# them long before.
MANY_TRIALS = 10_000


# --------------------------------------------------------------------- problems
@dataclass
class Problem:
    name: str
    build: Callable[[Any], keras.Model]
    x: np.ndarray
    y: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    batch_size: int


def w1_problem() -> Problem:
    """The W1 study's data, split and hypermodel."""
    from tunesmith.studies.breast_cancer import load_embedded, make_build_model, scale_and_split

    split = scale_and_split(load_embedded(), seed=42)
    return Problem(
        "w1",
        make_build_model(split.x_train.shape[1]),
        split.x_train,
        split.y_train,
        split.x_test,
        split.y_test,
        batch_size=32,
    )


def build_digits_mlp(hp: Any) -> keras.Model:
    """A dense classifier for the 64 pixels of a digit (works with either library's hp)."""
    model = keras.Sequential([keras.Input(shape=(64,))])
    for _ in range(hp.Int("layers", 1, 3)):
        model.add(keras.layers.Dense(hp.Int("units", 32, 512, step=32), activation="relu"))
        model.add(keras.layers.Dropout(hp.Float("dropout", 0.0, 0.5, step=0.1)))
    model.add(keras.layers.Dense(10, activation="softmax"))
    model.compile(
        optimizer=keras.optimizers.Adam(hp.Float("learning_rate", 1e-4, 1e-2, sampling="log")),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def digits_problem() -> Problem:
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    x, y = load_digits(return_X_y=True)
    x = (x / 16.0).astype("float32")
    x_train, x_val, y_train, y_val = train_test_split(
        x, y, test_size=0.2, random_state=42, stratify=y
    )
    return Problem("digits", build_digits_mlp, x_train, y_train, x_val, y_val, batch_size=64)


LOADERS: dict[str, Callable[[], Problem]] = {"w1": w1_problem, "digits": digits_problem}


# ---------------------------------------------------------------------- counting
class TargetReached(BaseException):
    """Ends a search from inside ``fit``.

    A ``BaseException``, so neither library's per-trial ``except Exception`` turns it
    into a failed trial and goes on.
    """


class BudgetSpent(BaseException):
    """The method has trained as many epochs as the reference search."""


class Tracker(keras.callbacks.Callback):
    """Counts epochs and fits, keeps the best value so far, ends the search at the target.

    State lives in class attributes: both tuners deep-copy callbacks for each fit.
    """

    target: float | None = None
    budget: float = math.inf
    started = 0.0
    epochs = 0
    fits = 0
    best = -math.inf
    reached: tuple[int, float] | None = None
    trajectory: list[tuple[int, float, float]] = []
    fit_curves: list[list[float]] = []

    @classmethod
    def reset(cls, target: float | None, budget: float) -> None:
        cls.target, cls.budget = target, budget
        cls.started = time.perf_counter()
        cls.epochs = cls.fits = 0
        cls.best = -math.inf
        cls.reached = None
        cls.trajectory = []
        cls.fit_curves = []

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        Tracker.fits += 1
        Tracker.fit_curves.append([])

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        Tracker.epochs += 1
        value = float((logs or {}).get(OBJECTIVE, math.nan))
        seconds = time.perf_counter() - Tracker.started
        if Tracker.fit_curves:
            Tracker.fit_curves[-1].append(value)
        if math.isfinite(value) and value > Tracker.best:
            Tracker.best = value
            Tracker.trajectory.append((Tracker.epochs, seconds, value))
        if Tracker.target is not None and Tracker.best >= Tracker.target - 1e-9:
            Tracker.reached = (Tracker.epochs, seconds)
            raise TargetReached
        if Tracker.epochs >= Tracker.budget:
            raise BudgetSpent


@dataclass
class RunResult:
    problem: str
    method: str
    seed: int
    target: float | None
    best: float
    epochs: int
    seconds: float
    fits: int
    epochs_to_target: int | None
    seconds_to_target: float | None
    trajectory: list[tuple[int, float, float]] = field(default_factory=list)
    # Each fit's objective per epoch, in the order the fits ran.
    fit_curves: list[list[float]] = field(default_factory=list)


def expected_epochs_in_random_order(curves: Sequence[Sequence[float]], target: float) -> float:
    """Epochs an unpruned random search needs, on average, to first reach ``target``.

    The reference's trials are independent draws, so every order of them is an
    equally likely random search. A trial that never reaches the target comes before
    all ``k`` that do with probability ``1 / (k + 1)`` and then costs all its epochs;
    the first trial that does reach it costs the epochs up to that point.

    >>> expected_epochs_in_random_order([[0.5, 0.9], [0.5, 0.6]], 0.9)
    3.0
    """
    threshold = target - 1e-9
    hits: list[int] = []
    misses = 0
    for curve in curves:
        # NaN compares False, so a diverged epoch never counts as reaching the target.
        first = next((i + 1 for i, v in enumerate(curve) if v >= threshold), None)
        if first is None:
            misses += len(curve)
        else:
            hits.append(first)
    if not hits:
        return math.nan
    return misses / (len(hits) + 1) + statistics.fmean(hits)


# ----------------------------------------------------------------------- tuners
def make_tuner(
    method: str, problem: Problem, seed: int, directory: Path, args: argparse.Namespace
) -> Any:
    import tunesmith as kt
    from tunesmith.pruners import MedianPruner, SuccessiveHalvingPruner

    common: dict[str, Any] = {
        "objective": OBJECTIVE,
        "seed": seed,
        "directory": directory,
        "project_name": "run",
        "overwrite": True,
        "verbose": 0,
    }
    multi = {"max_epochs": args.max_epochs, "factor": args.factor}
    if method == REFERENCE:
        return kt.RandomSearch(problem.build, max_trials=args.ref_trials, **common)
    if method in ("ts-hyperband", "ts-hyperband-bo"):
        sampler = "bayesian" if method == "ts-hyperband-bo" else "random"
        return kt.Hyperband(
            problem.build, hyperband_iterations=100, sampler=sampler, **multi, **common
        )
    if method in ("ts-asha", "ts-asha-bayesian"):
        sampler = "bayesian" if method == "ts-asha-bayesian" else "random"
        return kt.ASHA(
            problem.build,
            min_epochs=1,
            max_trials=MANY_TRIALS,
            sampler=sampler,
            **multi,
            **common,
        )
    if method == "ts-bo+median":
        return kt.BayesianOptimization(
            problem.build, max_trials=MANY_TRIALS, pruner=MedianPruner(), **common
        )
    if method == "ts-random+median":
        return kt.RandomSearch(
            problem.build, max_trials=MANY_TRIALS, pruner=MedianPruner(), **common
        )
    if method == "ts-random+sh":
        return kt.RandomSearch(
            problem.build, max_trials=MANY_TRIALS, pruner=SuccessiveHalvingPruner(), **common
        )
    if method == "kt-hyperband":
        import keras_tuner

        return keras_tuner.Hyperband(
            problem.build,
            objective=OBJECTIVE,
            hyperband_iterations=100,
            seed=seed,
            directory=str(directory),
            project_name="run",
            overwrite=True,
            **multi,
        )
    raise ValueError(f"unknown method {method!r}")


def run_method(
    method: str,
    problem: Problem,
    seed: int,
    target: float | None,
    budget: float,
    args: argparse.Namespace,
) -> RunResult:
    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)
    workdir = Path(tempfile.mkdtemp(prefix=f"mf-{method}-"))
    Tracker.reset(target, budget)
    tuner = None
    try:
        tuner = make_tuner(method, problem, seed * 1009, workdir, args)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tuner.search(
                problem.x,
                problem.y,
                validation_data=(problem.x_val, problem.y_val),
                epochs=args.max_epochs,
                batch_size=problem.batch_size,
                callbacks=[Tracker()],
                verbose=0,
            )
    except (TargetReached, BudgetSpent):
        pass
    finally:
        seconds = time.perf_counter() - Tracker.started
        store = getattr(tuner, "store", None)
        if store is not None:
            store.close()
        del tuner
        shutil.rmtree(workdir, ignore_errors=True)
        keras.backend.clear_session()
        gc.collect()
    reached = Tracker.reached
    if target is None and Tracker.trajectory:
        # The reference's own target is its best: when did it first hold it?
        first = next(p for p in Tracker.trajectory if p[2] >= Tracker.best - 1e-9)
        reached = (first[0], first[1])
    return RunResult(
        problem=problem.name,
        method=method,
        seed=seed,
        target=target if target is not None else Tracker.best,
        best=Tracker.best,
        epochs=Tracker.epochs,
        seconds=seconds,
        fits=Tracker.fits,
        epochs_to_target=None if reached is None else reached[0],
        seconds_to_target=None if reached is None else reached[1],
        trajectory=list(Tracker.trajectory),
        fit_curves=[list(c) for c in Tracker.fit_curves],
    )


# ------------------------------------------------------------------------ report
def baseline_epochs(reference: RunResult) -> float:
    """The unpruned random search's expected epochs to its best, over trial orders.

    Falls back to the order observed for runs saved before curves were recorded.
    """
    if reference.fit_curves:
        return expected_epochs_in_random_order(reference.fit_curves, reference.best)
    return float(reference.epochs_to_target or reference.epochs)


def summarise(results: list[RunResult], methods: Sequence[str], budget: int) -> str:
    lines = []
    for problem in dict.fromkeys(r.problem for r in results):
        rows = [r for r in results if r.problem == problem]
        reference = [r for r in rows if r.method == REFERENCE]
        ref_epochs = statistics.fmean(baseline_epochs(r) for r in reference)
        targets = ", ".join(f"{r.target:.4f}" for r in reference)
        lines += [
            "",
            f"Problem {problem}: target = best {OBJECTIVE} of the unpruned random search "
            f"per seed ({targets}); budget {budget} epochs",
            f"{'method':<22}{'reached':>8}{'epochs to target':>18}{'x fewer':>9}{'x budget':>10}"
            f"{'s to target':>13}{'best':>8}{'epochs':>8}{'fits':>6}",
            f"{'random, any order':<22}{'':>8}{f'{ref_epochs:.0f}':>18}{1.0:>9.2f}"
            f"{budget / ref_epochs:>10.2f}",
        ]
        for method in [REFERENCE, *methods]:
            runs = [r for r in rows if r.method == method]
            if not runs:
                continue
            hits = [r for r in runs if r.epochs_to_target is not None]
            epochs = statistics.fmean(r.epochs_to_target or budget for r in runs)
            seconds = statistics.fmean(
                r.seconds_to_target if r.seconds_to_target is not None else r.seconds for r in runs
            )
            bound = ">=" if len(hits) < len(runs) else ""
            ratio = ref_epochs / epochs if epochs else math.inf
            name = "random, as run" if method == REFERENCE else method
            lines.append(
                f"{name:<22}{len(hits):>4}/{len(runs):<3}{bound + f'{epochs:.0f}':>18}"
                f"{ratio:>9.2f}{budget / epochs if epochs else math.inf:>10.2f}{seconds:>13.1f}"
                f"{statistics.fmean(r.best for r in runs):>8.4f}"
                f"{statistics.fmean(r.epochs for r in runs):>8.0f}"
                f"{statistics.fmean(r.fits for r in runs):>6.0f}"
            )
    lines += [
        "",
        "random, any order: the unpruned random search's expected epochs to its own best "
        "over every order of its trials (they are independent draws), mean over seeds; "
        "the baseline of x fewer. random, as run: the order that happened. reached: seeds "
        "whose search reached the target within the budget. epochs to target: mean over "
        "seeds (a miss counts as the budget, hence >=). x budget: the unpruned random "
        "search's whole cost (the budget) / the method's epochs to target. s to target: "
        "mean wall seconds (a miss counts its whole run). best, epochs, fits: mean best "
        "value, epochs trained and fits run.",
    ]
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seeds", type=int, default=3, help="how many seeds")
    parser.add_argument("--first-seed", type=int, default=1, help="seeds run from this one")
    parser.add_argument("--problems", default=",".join(PROBLEMS))
    parser.add_argument(
        "--methods",
        default=",".join(DEFAULT_METHODS),
        help=f"comma list of {', '.join(DEFAULT_METHODS + EXTRA_METHODS)}",
    )
    parser.add_argument("--max-epochs", type=int, default=27)
    parser.add_argument("--factor", type=int, default=3)
    parser.add_argument("--ref-trials", type=int, default=30)
    parser.add_argument("--output", help="write every run (with its trajectory) as JSON here")
    parser.add_argument(
        "--report",
        nargs="+",
        metavar="JSON",
        help="only print the tables of --output files (merged; runs nothing)",
    )
    parser.add_argument(
        "--max-minutes",
        type=float,
        default=None,
        help="start no new (problem, seed) after this many minutes; the tables keep those done",
    )
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: 1 seed, max 9 epochs, 8 reference trials"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.seeds, args.max_epochs, args.ref_trials = 1, 9, 8
    return args


def report(paths: Sequence[str]) -> list[RunResult]:
    """The tables of saved runs (several files merge, e.g. seeds run apart)."""
    results = [RunResult(**row) for path in paths for row in json.loads(Path(path).read_text())]
    methods = list(dict.fromkeys(r.method for r in results if r.method != REFERENCE))
    reference = next(r for r in results if r.method == REFERENCE)
    print(summarise(results, methods, reference.epochs))
    return results


def main(argv: Sequence[str] | None = None) -> list[RunResult]:
    args = parse_args(argv)
    if args.report:
        return report(args.report)
    methods = [m for m in args.methods.split(",") if m]
    unknown = set(methods) - set(DEFAULT_METHODS + EXTRA_METHODS)
    if unknown:
        raise SystemExit(f"unknown method(s): {', '.join(sorted(unknown))}")
    if "kt-hyperband" in methods:
        try:
            import keras_tuner  # noqa: F401
        except ImportError:
            print("keras-tuner is not installed: kt-hyperband skipped.")
            methods.remove("kt-hyperband")
    budget = args.ref_trials * args.max_epochs
    print(
        f"multi_fidelity: Python {platform.python_version()}, Keras {keras.__version__} "
        f"({keras.backend.backend()}), {os.cpu_count()} CPUs; max_epochs={args.max_epochs}, "
        f"factor={args.factor}, reference {args.ref_trials} trials, seeds "
        f"{args.first_seed}..{args.first_seed + args.seeds - 1}"
    )
    results: list[RunResult] = []
    began = time.perf_counter()
    # Seeds outermost, so a --max-minutes cut leaves every problem with the same seeds.
    problems = [LOADERS[name]() for name in args.problems.split(",")]
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        if args.max_minutes is not None and time.perf_counter() - began > 60 * args.max_minutes:
            print(f"--max-minutes={args.max_minutes} reached: seeds {seed} and later skipped.")
            break
        for problem in problems:
            reference = run_method(REFERENCE, problem, seed, None, math.inf, args)
            _keep(reference, results, args.output)
            for method in methods:
                result = run_method(method, problem, seed, reference.best, budget, args)
                _keep(result, results, args.output)
    print(summarise(results, methods, budget))
    print(f"\nTotal time: {time.perf_counter() - began:.0f} s")
    return results


def _keep(result: RunResult, results: list[RunResult], output: str | None) -> None:
    """Print a finished run and rewrite ``--output`` so a cut run keeps what it did."""
    results.append(result)
    print(_line(result), flush=True)
    if output:
        Path(output).write_text(json.dumps([asdict(r) for r in results], indent=1))


def _line(r: RunResult) -> str:
    got = (
        f"target {r.target:.4f} at epoch {r.epochs_to_target} ({r.seconds_to_target:.1f} s)"
        if r.epochs_to_target is not None
        else f"missed target {r.target:.4f}"
    )
    return (
        f"  {r.problem:<7} seed {r.seed}  {r.method:<18} {got}; best {r.best:.4f}, "
        f"{r.epochs} epochs, {r.fits} fits, {r.seconds:.1f} s"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
