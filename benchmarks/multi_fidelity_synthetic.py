"""Multi-fidelity methods on synthetic learning curves: fast enough for many seeds.

The Keras studies of ``multi_fidelity.py`` take minutes per seed; these problems
take seconds, so every method runs on 10+ seeds and the ratios get standard errors.
The measure is the same: epochs a method trains until it holds a configuration as
good as the best of a 30-trial unpruned random search at ``--max-epochs`` (the
*target*), against the epochs unpruned random search needs on average to reach
that best (``expected_epochs_in_random_order`` over the reference's trials). A
method gets the reference's whole cost (30 x 27 epochs) as its budget; a miss
counts at the budget (its mean is then a lower bound, marked ``>=``).

Problems (minimise a validation loss over ``lr`` (log 1e-4..1e-1), ``units`` (log
16..512), ``dropout`` (0..0.5), ``l2`` (log 1e-6..1e-2); every configuration has a
final loss from one smooth landscape with an interaction; per-epoch noise 0.01):

* ``ranked``: the curves fall as a power law at about the same speed, so a few
  epochs rank configurations as full training does (where Hyperband shines);
* ``crossing``: the configurations with the best final loss converge slowest, so
  low fidelity ranks them *worse* (where it misleads; a method must not lose badly);
* ``lr-speed``: speed grows with the learning rate, which also sets the final loss
  (too high overshoots): the realistic middle.

Methods: ``ts-hyperband`` (random, keras-tuner's schedule), ``ts-hyperband-bo``
(``sampler="bayesian"``, model-based as in BOHB), ``ts-asha`` and ``ts-asha-bo``,
``ts-asha-curves`` and ``ts-asha-curves-bo`` (``promote_by="prediction"``: a
learning-curve model's predicted final value ranks each rung and feeds the sampler;
bottom rung at ASHA's 1 epoch, ``--curve-min-epochs`` to change it),
``ts-asha-min3`` and ``ts-asha-min3-bo`` (ASHA from 3 epochs, promotions by the
value reached: the ablation of ``--curve-min-epochs 3``), ``ts-hyperband-curves``
and ``ts-hyperband-curves-bo`` (predictions under keras-tuner's Hyperband
schedule), ``ts-bo+median`` and ``ts-random+median`` (``MedianPruner()``),
``kt-hyperband`` (keras-tuner's ``HyperbandOracle`` through its own protocol) and
``optuna-tpe+hb`` (optuna's TPE with its ``HyperbandPruner``, same resources). All
run through ask/report/tell in one process, sequentially.

Run (the benchmark environment, with keras-tuner and optuna)::

    .venv-bench/bin/python benchmarks/multi_fidelity_synthetic.py --seeds 10

Duration on 2 CPU cores: about a minute per seed and problem for every method.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import tempfile
import time
import zlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tunesmith import HyperParameters
from tunesmith.oracles import (
    ASHAOracle,
    BayesianOptimizationOracle,
    HyperbandOracle,
    RandomSearchOracle,
)
from tunesmith.pruners import MedianPruner
from tunesmith.samplers import BayesianSampler

MAX_EPOCHS = 27
FACTOR = 3
REF_TRIALS = 30
NOISE = 0.01
PROBLEMS = ("ranked", "crossing", "lr-speed")
METHODS = (
    "ts-hyperband",
    "ts-hyperband-bo",
    "ts-asha",
    "ts-asha-bo",
    "ts-asha-curves",
    "ts-hyperband-curves",
    "ts-hyperband-curves-bo",
    "ts-asha-curves-bo",
    "ts-bo+median",
    "ts-random+median",
    "kt-hyperband",
    "optuna-tpe+hb",
)


# ---------------------------------------------------------------------- problems
def units_of(values: dict[str, Any]) -> np.ndarray:
    """The configuration on [0, 1]^4 (log scales where the space is log-scaled)."""
    return np.array(
        [
            (math.log10(values["lr"]) + 4) / 3,
            (math.log2(values["units"]) - 4) / 5,
            values["dropout"] / 0.5,
            (math.log10(values["l2"]) + 6) / 4,
        ]
    )


def final_loss(u: np.ndarray) -> float:
    """The loss a configuration ends at: one smooth landscape, best near
    lr 10^-2.35, 181 units, dropout 0.15, l2 10^-4.4, with an lr-units interaction."""
    bowl = 2.0 * (u[0] - 0.55) ** 2 + (u[1] - 0.7) ** 2 + 0.7 * (u[2] - 0.3) ** 2
    bowl += 0.5 * (u[3] - 0.4) ** 2 + 0.8 * (u[0] - 0.55) * (u[1] - 0.7)
    return 0.15 + 0.6 * bowl + 0.03 * math.sin(6 * u[0] + 4 * u[1])


def loss_at(problem: str, values: dict[str, Any], epoch: int, seed: int) -> float:
    """The validation loss after ``epoch + 1`` epochs (noise fixed by configuration,
    epoch and seed, so a promotion sees the same curve its parent would have)."""
    u = units_of(values)
    final = final_loss(u)
    t = epoch + 1
    if problem == "ranked":
        value = final + (0.8 + 0.3 * final) * t**-0.8
    elif problem == "crossing":
        quality = min(max((final - 0.15) / 0.6, 0.0), 1.0)  # 0 best, 1 worst
        speed = 0.12 + 1.5 * quality  # the best converge slowest
        value = final + 1.2 * math.exp(-speed * t)
    elif problem == "lr-speed":
        speed = 0.08 + 1.2 * u[0]
        value = final + math.exp(-speed * t)
    else:
        raise ValueError(f"unknown problem {problem!r}")
    config = "|".join(f"{values[k]:.12g}" for k in ("lr", "units", "dropout", "l2"))
    key = f"{seed}|{config}|{t}"
    noise = np.random.default_rng(zlib.crc32(key.encode())).normal(0.0, NOISE)
    return float(value + noise)


def space() -> HyperParameters:
    hp = HyperParameters()
    hp.Float("lr", 1e-4, 1e-1, sampling="log")
    hp.Int("units", 16, 512, sampling="log")
    hp.Float("dropout", 0.0, 0.5)
    hp.Float("l2", 1e-6, 1e-2, sampling="log")
    return hp


# ------------------------------------------------------------------------ runs
class Stop(Exception):
    """The target was reached or the budget spent."""


@dataclass
class Run:
    problem: str
    method: str
    seed: int
    epochs: int  # epochs trained until the target was reached (or the budget)
    reached: bool
    best: float
    target: float
    baseline: float  # unpruned random search's expected epochs to its best
    seconds: float


class Meter:
    """Counts epochs and watches the target for one method's run."""

    def __init__(self, problem: str, seed: int, target: float, budget: int) -> None:
        self.problem, self.seed, self.target, self.budget = problem, seed, target, budget
        self.epochs, self.best, self.reached = 0, math.inf, False

    def epoch(self, values: dict[str, Any], epoch: int) -> float:
        if self.epochs >= self.budget:
            raise Stop
        value = loss_at(self.problem, values, epoch, self.seed)
        self.epochs += 1
        self.best = min(self.best, value)
        if value <= self.target + 1e-12:
            self.reached = True
            raise Stop
        return value


def reference(problem: str, seed: int) -> tuple[float, float]:
    """Target (the best loss of 30 random configurations at full training) and the
    expected epochs unpruned random search needs to reach it."""
    from multi_fidelity import expected_epochs_in_random_order

    oracle = RandomSearchOracle(
        objective="val_loss", max_trials=REF_TRIALS, hyperparameters=space(), seed=seed
    )
    curves = []
    while (trial := oracle.ask()) is not None:
        curve = [loss_at(problem, trial.values, e, seed) for e in range(MAX_EPOCHS)]
        curves.append(curve)
        oracle.tell(trial, {"val_loss": min(curve)})
    target = min(min(c) for c in curves)
    # The helper counts epochs to reach a maximum: negate the losses.
    negated = [[-v for v in c] for c in curves]
    return target, expected_epochs_in_random_order(negated, -target)


def drive_tunesmith(oracle: Any, meter: Meter) -> None:
    """ask / report / tell until the oracle ends (or the meter stops it)."""
    while (trial := oracle.ask()) is not None:
        start = int(trial.values.get("tuner/initial_epoch", 0))
        end = int(trial.values.get("tuner/epochs", MAX_EPOCHS))
        values = {k: trial.values[k] for k in ("lr", "units", "dropout", "l2")}
        best, stopped = math.inf, False
        for epoch in range(start, end):
            value = meter.epoch(values, epoch)
            best = min(best, value)
            if not oracle.report(trial, epoch, {"val_loss": value}):
                stopped = True
                break
        oracle.tell(trial, {"val_loss": best}, stopped_early=stopped)


#: ``--curve-min-epochs``: the bottom rung of ``ts-asha-curves*``.
CURVE_MIN_EPOCHS = 1

#: ``--random-fraction``: the Bayesian sampler's share of random draws (None: its default).
RANDOM_FRACTION: float | None = None


def bayesian_or_random(method: str) -> Any:
    if not method.endswith("-bo"):
        return "random"
    return BayesianSampler(random_fraction=RANDOM_FRACTION)


def tunesmith_oracle(method: str, seed: int) -> Any:
    common = {"objective": "val_loss", "hyperparameters": space(), "seed": seed}
    if method in ("ts-hyperband", "ts-hyperband-bo"):
        sampler = bayesian_or_random(method)
        return HyperbandOracle(
            max_epochs=MAX_EPOCHS,
            factor=FACTOR,
            hyperband_iterations=None,
            sampler=sampler,
            **common,
        )
    if method in ("ts-hyperband-curves", "ts-hyperband-curves-bo"):
        return HyperbandOracle(
            max_epochs=MAX_EPOCHS,
            factor=FACTOR,
            hyperband_iterations=None,
            sampler=bayesian_or_random(method),
            promote_by="prediction",
            **common,
        )
    if method in ("ts-asha-curves", "ts-asha-curves-bo"):
        # Promotions by the learning-curve model's predicted final value.
        sampler = bayesian_or_random(method)
        return ASHAOracle(
            max_epochs=MAX_EPOCHS,
            factor=FACTOR,
            min_epochs=CURVE_MIN_EPOCHS,
            max_trials=10_000,
            sampler=sampler,
            promote_by="prediction",
            **common,
        )
    if method in ("ts-asha-min3", "ts-asha-min3-bo"):
        # The ablation of the above: the same rungs, promotions by the value reached.
        return ASHAOracle(
            max_epochs=MAX_EPOCHS,
            factor=FACTOR,
            min_epochs=3,
            max_trials=10_000,
            sampler=bayesian_or_random(method),
            **common,
        )
    if method in ("ts-asha", "ts-asha-bo"):
        sampler = bayesian_or_random(method)
        return ASHAOracle(
            max_epochs=MAX_EPOCHS, factor=FACTOR, max_trials=10_000, sampler=sampler, **common
        )
    if method == "ts-bo+median":
        return BayesianOptimizationOracle(max_trials=10_000, pruner=MedianPruner(), **common)
    if method == "ts-random+median":
        return RandomSearchOracle(max_trials=10_000, pruner=MedianPruner(), **common)
    raise ValueError(method)


def drive_keras_tuner(meter: Meter, seed: int) -> None:
    import keras_tuner

    hp = keras_tuner.HyperParameters()
    hp.Float("lr", 1e-4, 1e-1, sampling="log")
    hp.Int("units", 16, 512, sampling="log")
    hp.Float("dropout", 0.0, 0.5)
    hp.Float("l2", 1e-6, 1e-2, sampling="log")
    oracle = keras_tuner.oracles.HyperbandOracle(
        objective=keras_tuner.Objective("val_loss", "min"),
        max_epochs=MAX_EPOCHS,
        factor=FACTOR,
        hyperband_iterations=100,
        seed=seed,
        hyperparameters=hp,
    )
    with tempfile.TemporaryDirectory(prefix="kt-synthetic-") as folder:
        oracle._set_project_dir(folder, "p")
        while True:
            trial = oracle.create_trial("tuner0")
            if trial.status == "STOPPED":
                return
            values = trial.hyperparameters.values
            start, end = (
                values.get("tuner/initial_epoch", 0),
                values.get("tuner/epochs", MAX_EPOCHS),
            )
            config = {k: values[k] for k in ("lr", "units", "dropout", "l2")}
            for epoch in range(start, end):
                oracle.update_trial(
                    trial.trial_id, {"val_loss": meter.epoch(config, epoch)}, step=epoch
                )
            trial.status = "COMPLETED"
            oracle.end_trial(trial)


def drive_optuna(meter: Meter, seed: int) -> None:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(
        direction="minimize",
        sampler=optuna.samplers.TPESampler(seed=seed),
        pruner=optuna.pruners.HyperbandPruner(
            min_resource=1, max_resource=MAX_EPOCHS, reduction_factor=FACTOR
        ),
    )
    while True:
        trial = study.ask()
        config = {
            "lr": trial.suggest_float("lr", 1e-4, 1e-1, log=True),
            "units": trial.suggest_int("units", 16, 512, log=True),
            "dropout": trial.suggest_float("dropout", 0.0, 0.5),
            "l2": trial.suggest_float("l2", 1e-6, 1e-2, log=True),
        }
        best = math.inf
        for epoch in range(MAX_EPOCHS):
            value = meter.epoch(config, epoch)
            best = min(best, value)
            trial.report(value, epoch)
            if trial.should_prune():
                study.tell(trial, state=optuna.trial.TrialState.PRUNED)
                break
        else:
            study.tell(trial, best)


def run_method(problem: str, method: str, seed: int, target: float, baseline: float) -> Run:
    meter = Meter(problem, seed, target, REF_TRIALS * MAX_EPOCHS)
    started = time.perf_counter()
    try:
        if method == "kt-hyperband":
            drive_keras_tuner(meter, seed)
        elif method == "optuna-tpe+hb":
            drive_optuna(meter, seed)
        else:
            drive_tunesmith(tunesmith_oracle(method, seed), meter)
    except Stop:
        pass
    return Run(
        problem,
        method,
        seed,
        meter.epochs if meter.reached else meter.budget,
        meter.reached,
        meter.best,
        target,
        baseline,
        time.perf_counter() - started,
    )


# --------------------------------------------------------------------- tables
def mean_se(values: Sequence[float]) -> tuple[float, float]:
    mean = statistics.fmean(values)
    se = statistics.stdev(values) / math.sqrt(len(values)) if len(values) > 1 else math.nan
    return mean, se


def geometric_mean_se(ratios: Sequence[float]) -> tuple[float, float]:
    """The geometric mean of ``ratios`` and its standard error as a factor (x/÷)."""
    logs = [math.log(r) for r in ratios]
    se = statistics.stdev(logs) / math.sqrt(len(logs)) if len(logs) > 1 else math.nan
    return math.exp(statistics.fmean(logs)), math.exp(se)


def summarise(runs: Sequence[Run], methods: Sequence[str]) -> str:
    """Per problem and overall: epochs to target (mean ± SE; a miss counts at the
    budget), how many times fewer than unpruned random search needs (per run, then
    the geometric mean, the right mean of ratios; its SE as a factor), and the
    success rate."""
    lines = []
    for problem in [*sorted({r.problem for r in runs}), "all"]:
        chosen = [r for r in runs if problem in ("all", r.problem)]
        seeds = len({(r.problem, r.seed) for r in chosen})
        baseline, baseline_se = mean_se([r.baseline for r in chosen if r.method == methods[0]])
        lines.append(
            f"\n{problem} ({seeds} problem-seeds): random search needs "
            f"{baseline:.0f} ± {baseline_se:.0f} epochs to its best"
        )
        lines.append(
            f"  {'method':<18} {'epochs to target':>18} {'x fewer (geo)':>16} {'reached':>8}"
        )
        for method in methods:
            mine = [r for r in chosen if r.method == method]
            if not mine:
                continue
            epochs, epochs_se = mean_se([r.epochs for r in mine])
            ratio, factor = geometric_mean_se([r.baseline / r.epochs for r in mine])
            bound = ">=" if not all(r.reached for r in mine) else "  "
            reached = sum(r.reached for r in mine)
            lines.append(
                f"  {method:<18} {bound}{epochs:>7.0f} ± {epochs_se:<6.0f} "
                f"{ratio:>7.2f} x/÷ {factor:<5.2f} {reached:>4}/{len(mine)}"
            )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> list[Run]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--first-seed", type=int, default=1)
    parser.add_argument("--problems", default=",".join(PROBLEMS))
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--output", help="write every run as JSON lines here")
    parser.add_argument("--report", nargs="*", help="print the tables of saved runs")
    parser.add_argument(
        "--random-fraction",
        type=float,
        default=None,
        help="the Bayesian sampler's share of random configurations (default: its own)",
    )
    parser.add_argument(
        "--curve-min-epochs",
        type=int,
        default=1,
        help="the bottom rung of ts-asha-curves and ts-asha-curves-bo (default 1, ASHA's)",
    )
    args = parser.parse_args(argv)
    global RANDOM_FRACTION, CURVE_MIN_EPOCHS
    RANDOM_FRACTION = args.random_fraction
    CURVE_MIN_EPOCHS = args.curve_min_epochs
    methods = args.methods.split(",")
    if args.report:
        runs = [
            Run(**json.loads(line))
            for p in args.report
            for line in Path(p).read_text().splitlines()
        ]
        print(summarise(runs, methods))
        return runs
    runs: list[Run] = []
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        for problem in args.problems.split(","):
            target, baseline = reference(problem, seed)
            for method in methods:
                result = run_method(problem, method, seed, target, baseline)
                runs.append(result)
                print(
                    f"{problem:<9} seed {seed:>3} {method:<18} {result.epochs:>4} epochs "
                    f"{'reached' if result.reached else 'MISSED '} ({result.seconds:.1f} s)",
                    flush=True,
                )
                if args.output:
                    with open(args.output, "a") as out:
                        out.write(json.dumps(asdict(result)) + "\n")
    print(summarise(runs, methods))
    return runs


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
