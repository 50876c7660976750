"""Multi-objective Hyperband and ASHA on synthetic learning curves: epochs to a hypervolume.

Two objectives, both minimised: a validation *error* that falls with the epochs
toward a configuration's floor (the curves of ``multi_fidelity_synthetic.py``:
``ranked``, ``crossing`` where the best configurations converge slowest, and
``lr-speed``; per-epoch noise 0.01), and a *cost*, the model's size
``units / 512``, known from the first epoch. Smaller models cost less but end at a
higher error (the landscape is best near 181 units), so the Pareto front runs from
tiny models to mid-sized ones.

What a method holds after ``n`` epochs is every (error, cost) it measured, at any
epoch of any trial (a model trained 3 epochs with that error exists); its progress
is the hypervolume of those points against the reference point (1.0, 1.05).

Per problem and seed, the reference is an unpruned multi-objective random search:
30 configurations, each trained to ``max_epochs`` = 27 (810 epochs). The *target*
is 95 % of the hypervolume it reaches with that whole budget. Its epochs to the
target are the mean over 200 random orders of its own 30 trials (every order is an
equally likely random search; as ``expected_epochs_in_random_order`` does for one
objective). Each method gets the same 810 epochs; a miss counts at the budget (its
mean is then a lower bound, marked ``>=``).

Methods (tunesmith, ``objective=Pareto(["error", "cost"])``, ask / report / tell in
one process): ``hyperband`` and ``asha`` (random sampler; promotions by
non-dominated sorting with NSGA-II's crowding distance), ``hyperband-bo`` and
``asha-bo`` (``sampler="bayesian"``: expected hypervolume improvement), and
``random-full``, an independent unpruned random search (another seed) run the
same way, as a check on the reference's expectation. Ablation: ``hyperband-error``
and ``asha-error`` promote by the error alone (a single objective), as the
schedulers did before they sorted fronts.

``--reference-error`` moves the reference point's error (default 1.0, about the
worst final error of the landscape): a lower one counts only well-trained models.

Run (the benchmark environment)::

    KERAS_BACKEND=jax nice -n 10 .venv-bench/bin/python benchmarks/multi_objective_fidelity.py
    KERAS_BACKEND=jax .venv-bench/bin/python benchmarks/multi_objective_fidelity.py --quick

The default is 10 seeds of the three problems, every method (about 11 minutes on
2 shared cores); ``--quick`` one seed of
one problem with the random-sampler methods (a smoke run of seconds).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from multi_fidelity_synthetic import PROBLEMS, geometric_mean_se, loss_at, mean_se, space

from tunesmith import Pareto
from tunesmith.oracles import ASHAOracle, HyperbandOracle, RandomSearchOracle
from tunesmith.pareto import hypervolume, pareto_mask
from tunesmith.samplers import BayesianSampler

MAX_EPOCHS = 27
FACTOR = 3
REF_TRIALS = 30
TARGET_FRACTION = 0.95
REFERENCE = np.array([1.0, 1.05])  # (error, cost): worse than both is worth nothing
ORDERS = 200  # random orders of the reference's trials averaged for its epochs
METHODS = (
    "hyperband",
    "hyperband-bo",
    "asha",
    "asha-bo",
    "random-full",
    "hyperband-error",
    "asha-error",
)
QUICK_METHODS = ("hyperband", "asha", "random-full")
HYPERPARAMETERS = ("lr", "units", "dropout", "l2")


def objective() -> Pareto:
    return Pareto(["error", "cost"], directions=["min", "min"])


def cost_of(values: dict[str, Any]) -> float:
    """The model's size, known before training: ``units / 512``."""
    return float(values["units"]) / 512.0


class Stop(Exception):
    """The target was reached or the budget spent."""


class Front:
    """The non-dominated (error, cost) points measured so far and their hypervolume."""

    def __init__(self) -> None:
        self.points = np.empty((0, 2))
        self.volume = 0.0

    def add(self, point: Sequence[float]) -> float:
        new = np.asarray(point, dtype=float)
        if len(self.points) and np.any(np.all(self.points <= new, axis=1)):
            return self.volume  # weakly dominated: the volume cannot grow
        stacked = np.vstack([self.points, new])
        self.points = stacked[pareto_mask(stacked)]
        self.volume = hypervolume(self.points, REFERENCE)
        return self.volume


@dataclass
class Run:
    problem: str
    method: str
    seed: int
    epochs: int  # epochs trained until the target was reached (or the budget)
    reached: bool
    volume: float  # the hypervolume held at the end
    target: float
    baseline: float  # unpruned random search's expected epochs to the target
    seconds: float


class Meter:
    """Counts one method's epochs, tracks its hypervolume, stops it at the target."""

    def __init__(self, problem: str, seed: int, target: float, budget: int) -> None:
        self.problem, self.seed, self.target, self.budget = problem, seed, target, budget
        self.epochs, self.reached, self.front = 0, False, Front()

    def epoch(self, values: dict[str, Any], epoch: int) -> dict[str, float]:
        if self.epochs >= self.budget:
            raise Stop
        error = loss_at(self.problem, values, epoch, self.seed)
        cost = cost_of(values)
        self.epochs += 1
        if self.front.add((error, cost)) >= self.target - 1e-12:
            self.reached = True
            raise Stop
        return {"error": error, "cost": cost}


def reference(problem: str, seed: int) -> tuple[float, float]:
    """The target (95 % of the hypervolume 30 unpruned random configurations reach)
    and the epochs an unpruned random search needs to reach it, averaged over random
    orders of those configurations."""
    oracle = RandomSearchOracle(
        objective=objective(), max_trials=REF_TRIALS, hyperparameters=space(), seed=seed
    )
    curves: list[np.ndarray] = []
    while (trial := oracle.ask()) is not None:
        cost = cost_of(trial.values)
        errors = [loss_at(problem, trial.values, e, seed) for e in range(MAX_EPOCHS)]
        curves.append(np.array([[error, cost] for error in errors]))
        oracle.tell(trial, {"error": min(errors), "cost": cost})
    full = Front()
    for curve in curves:
        for point in curve:
            full.add(point)
    target = TARGET_FRACTION * full.volume
    rng = np.random.default_rng(seed)
    epochs = [epochs_to_target(curves, rng.permutation(len(curves)), target) for _ in range(ORDERS)]
    return target, statistics.fmean(epochs)


def epochs_to_target(curves: Sequence[np.ndarray], order: np.ndarray, target: float) -> int:
    """Epochs an unpruned search training ``curves`` in ``order`` needs to ``target``."""
    front, spent = Front(), 0
    for index in order:
        curve = curves[index]
        trial = Front()
        trial.points, trial.volume = front.points.copy(), front.volume
        for point in curve:
            trial.add(point)
        if trial.volume < target - 1e-12:
            front, spent = trial, spent + len(curve)
            continue
        for epoch, point in enumerate(curve, start=1):  # where inside this trial
            if front.add(point) >= target - 1e-12:
                return spent + epoch
    return spent  # not reached (cannot happen: the target is below the full volume)


def drive(oracle: Any, meter: Meter) -> None:
    """ask / report / tell until the oracle ends (or the meter stops it)."""
    while (trial := oracle.ask()) is not None:
        start = int(trial.values.get("tuner/initial_epoch", 0))
        end = int(trial.values.get("tuner/epochs", MAX_EPOCHS))
        values = {k: trial.values[k] for k in HYPERPARAMETERS}
        best: dict[str, float] | None = None
        for epoch in range(start, end):
            logs = meter.epoch(values, epoch)
            if best is None or logs["error"] < best["error"]:
                best = logs
            oracle.report(trial, epoch, logs)
        assert best is not None
        oracle.tell(trial, best)


def make_oracle(method: str, seed: int) -> Any:
    # "-error": the ablation that promotes by the error alone (a single objective).
    goal = "error" if method.endswith("-error") else objective()
    common = {"objective": goal, "hyperparameters": space(), "seed": seed}
    sampler = BayesianSampler() if method.endswith("-bo") else "random"
    if method.startswith("hyperband"):
        return HyperbandOracle(
            max_epochs=MAX_EPOCHS,
            factor=FACTOR,
            hyperband_iterations=None,
            sampler=sampler,
            **common,
        )
    if method.startswith("asha"):
        return ASHAOracle(
            max_epochs=MAX_EPOCHS, factor=FACTOR, max_trials=10_000, sampler=sampler, **common
        )
    if method == "random-full":  # another seed than the reference's configurations
        return RandomSearchOracle(max_trials=10_000, **{**common, "seed": seed + 10_000})
    raise ValueError(f"unknown method {method!r}")


def run_method(problem: str, method: str, seed: int, target: float, baseline: float) -> Run:
    meter = Meter(problem, seed, target, REF_TRIALS * MAX_EPOCHS)
    started = time.perf_counter()
    with contextlib.suppress(Stop):
        drive(make_oracle(method, seed), meter)
    return Run(
        problem,
        method,
        seed,
        meter.epochs if meter.reached else meter.budget,
        meter.reached,
        meter.front.volume,
        target,
        baseline,
        time.perf_counter() - started,
    )


def summarise(runs: Sequence[Run], methods: Sequence[str]) -> str:
    """A Markdown table per problem and overall: epochs to the target (mean ± SE), the
    ratio unpruned / method (per run, then the geometric mean; its SE as a factor)
    and the ratio of the mean epochs, and how many runs reached the target."""
    lines = []
    for problem in [*sorted({r.problem for r in runs}), "all"]:
        chosen = [r for r in runs if problem in ("all", r.problem)]
        cases = {(r.problem, r.seed): r.baseline for r in chosen}
        baseline, baseline_se = mean_se(list(cases.values()))
        lines += [
            "",
            f"**{problem}** ({len(cases)} problem-seeds; unpruned random search: "
            f"{baseline:.0f} ± {baseline_se:.0f} epochs to the target)",
            "",
            "| method | epochs to target | unpruned / method (geo) | ratio of means | reached |",
            "|---|---|---|---|---|",
        ]
        for method in methods:
            mine = [r for r in chosen if r.method == method]
            if not mine:
                continue
            epochs, epochs_se = mean_se([r.epochs for r in mine])
            ratio, factor = geometric_mean_se([r.baseline / r.epochs for r in mine])
            bound = "≥ " if not all(r.reached for r in mine) else ""
            lines.append(
                f"| {method} | {bound}{epochs:.0f} ± {epochs_se:.0f} | "
                f"{ratio:.2f} x/÷ {factor:.2f} | {baseline / epochs:.2f} | "
                f"{sum(r.reached for r in mine)}/{len(mine)} |"
            )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> list[Run]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--first-seed", type=int, default=1)
    parser.add_argument("--problems", default=",".join(PROBLEMS))
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--reference-error", type=float, default=REFERENCE[0])
    parser.add_argument("--quick", action="store_true", help="one seed, one problem")
    parser.add_argument("--output", help="append every run as a JSON line here")
    parser.add_argument("--report", nargs="*", help="print the tables of saved runs")
    args = parser.parse_args(argv)
    REFERENCE[0] = args.reference_error
    methods = args.methods.split(",")
    problems = args.problems.split(",")
    if args.quick:
        args.seeds, problems, methods = 1, ["lr-speed"], list(QUICK_METHODS)
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
        for problem in problems:
            target, baseline = reference(problem, seed)
            for method in methods:
                result = run_method(problem, method, seed, target, baseline)
                runs.append(result)
                print(
                    f"{problem:<9} seed {seed:>3} {method:<13} {result.epochs:>4} epochs "
                    f"{'reached' if result.reached else 'MISSED '} (baseline "
                    f"{baseline:.0f}; {result.seconds:.1f} s)",
                    flush=True,
                )
                if args.output:
                    with open(args.output, "a") as out:
                        out.write(json.dumps(asdict(result)) + "\n")
    print(summarise(runs, methods))
    return runs


if __name__ == "__main__":
    main()
