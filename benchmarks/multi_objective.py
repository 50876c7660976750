"""Multi-objective and constrained search quality: tunesmith against optuna 5.0.

Two studies, each on problems whose answer is known:

* **Multi-objective** (``--part pareto``): the normalised hypervolume regret
  ``1 - HV(front found) / HV(true front)`` after 25, 50 and 100 trials, in an
  objective space normalised by the true front's ideal and nadir points (both
  0 and 1 for ZDT and DTLZ2), with the reference point 1.1 in every objective.
  Problems: ZDT1 and ZDT2 with 5 variables, DTLZ2 with 2 and 3 objectives (5
  variables), and a mixed space (a 3-way categorical, an integer in [0, 10], two
  floats) whose front is computed by dense enumeration (every category and integer,
  ``x1`` on a 4001-point grid, ``x2`` at its optimum 0.3, see ``mixed``). True
  hypervolumes: ZDT1 ``1.21 - 1/3``, ZDT2 ``1.21 - 2/3``, DTLZ2 ``1.1**m`` less
  the volume of the unit ball's orthant (``pi/4``, ``pi/6``); the mixed one from
  its enumerated front.
  Samplers: tunesmith ``bayesian`` and ``random`` (a floor); optuna's
  ``NSGAIISampler``, ``TPESampler`` (multivariate) and ``GPSampler``.
* **Constrained** (``--part constrained``): the regret of the best feasible trial
  (its objective minus the constrained optimum) after 25 and 50 trials. Problems:
  Branin with ``x1 + x2 >= 14`` (which cuts away all three unconstrained optima),
  Hartmann-6 within the ball ``|x| <= 0.8`` (cuts its optimum, of norm 0.95), and
  the pressure-vessel ("gas cylinder") design (4 variables, 3 constraints). Optima
  by SLSQP from many starts (printed). A run with no feasible trial yet counts the
  worst feasible value of 20 000 random points. Samplers: tunesmith ``bayesian``
  and ``random``; optuna's ``GPSampler`` and ``TPESampler``, constraints given with
  ``trial.set_constraint`` (optuna 5.0's way; ``constraints_func`` is deprecated).

Each (problem, sampler, seed) is one run to the largest budget; the smaller
budgets are read from its history. Runs go to ``--jobs`` worker processes (one
BLAS thread each); results are written to ``benchmarks/results/multi_objective*.json``
as they come, and the tables (mean ± standard error over seeds, and tunesmith
Bayesian's mean regret divided by each other sampler's) are printed at the end.

Run from the repository root (optuna 5.0 and torch, which its GPSampler needs,
are in ``.venv-bench``)::

    KERAS_BACKEND=jax nice -n 10 .venv-bench/bin/python benchmarks/multi_objective.py --quick
    KERAS_BACKEND=jax nice -n 10 .venv-bench/bin/python benchmarks/multi_objective.py \\
        --part pareto --seeds 5 --long-seeds 3
    KERAS_BACKEND=jax nice -n 10 .venv-bench/bin/python benchmarks/multi_objective.py \\
        --part constrained --seeds 5
"""

from __future__ import annotations

# ruff: noqa: E402  (one BLAS thread per worker is set before numpy loads)
import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import argparse
import json
import math
import time
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results"
REFERENCE = 1.1

# ----------------------------------------------------------------- problems
Space = list[tuple[Any, ...]]  # ("float", name, low, high) / ("int", ...) / ("cat", name, choices)


@dataclass
class Problem:
    name: str
    space: Space
    evaluate: Callable[[dict[str, Any]], tuple[tuple[float, ...], tuple[float, ...]]]
    objectives: int
    true_hv: float = 0.0
    ideal: np.ndarray = field(default_factory=lambda: np.zeros(0))
    nadir: np.ndarray = field(default_factory=lambda: np.zeros(0))
    optimum: float = 0.0  # constrained problems
    penalty: float = 0.0  # regret of a run with no feasible trial


def _floats(count: int) -> Space:
    return [("float", f"x{i}", 0.0, 1.0) for i in range(count)]


def _vector(values: dict[str, Any], count: int) -> np.ndarray:
    return np.array([values[f"x{i}"] for i in range(count)], dtype=float)


def zdt(kind: int, n: int = 5) -> Problem:
    def evaluate(values: dict[str, Any]) -> tuple[tuple[float, ...], tuple[float, ...]]:
        x = _vector(values, n)
        f1 = x[0]
        g = 1.0 + 9.0 * float(np.mean(x[1:]))
        ratio = f1 / g
        f2 = g * (1.0 - (math.sqrt(ratio) if kind == 1 else ratio**2))
        return (f1, f2), ()

    area = 1.0 / 3.0 if kind == 1 else 2.0 / 3.0  # the region the front leaves undominated
    return Problem(
        f"ZDT{kind} (n={n})",
        _floats(n),
        evaluate,
        2,
        true_hv=REFERENCE**2 - area,
        ideal=np.zeros(2),
        nadir=np.ones(2),
    )


def dtlz2(m: int, n: int = 5) -> Problem:
    def evaluate(values: dict[str, Any]) -> tuple[tuple[float, ...], tuple[float, ...]]:
        x = _vector(values, n)
        g = float(np.sum((x[m - 1 :] - 0.5) ** 2))
        angles = x[: m - 1] * math.pi / 2
        f = []
        for i in range(m):
            value = 1.0 + g
            for a in angles[: m - 1 - i]:
                value *= math.cos(a)
            if i > 0:
                value *= math.sin(angles[m - 1 - i])
            f.append(value)
        return tuple(f), ()

    ball = math.pi / 4 if m == 2 else math.pi / 6
    return Problem(
        f"DTLZ2 (m={m}, n={n})",
        _floats(n),
        evaluate,
        m,
        true_hv=REFERENCE**m - ball,
        ideal=np.zeros(m),
        nadir=np.ones(m),
    )


_SHIFT = {"a": 0.0, "b": 0.05, "c": 0.15}
_SCALE = {"a": 0.3, "b": 0.0, "c": -0.1}


def _mixed_objectives(c: str, k: int, x1: np.ndarray, x2: np.ndarray) -> tuple[Any, Any]:
    f1 = x1 + _SHIFT[c] + 0.02 * abs(k - 3)
    f2 = (1.0 + _SCALE[c]) * (1.0 - np.sqrt(x1)) + 0.5 * (x2 - 0.3) ** 2 + 0.01 * (k - 6) ** 2
    return f1, f2


def _front_2d(points: np.ndarray) -> np.ndarray:
    order = np.lexsort((points[:, 1], points[:, 0]))
    ordered = points[order]
    best = np.minimum.accumulate(ordered[:, 1])
    keep = np.concatenate([[True], ordered[1:, 1] < best[:-1]])
    return ordered[keep]


def mixed() -> Problem:
    """Two objectives over a categorical, an integer and two floats; the front by
    dense enumeration (x2 = 0.3 minimises f2 and leaves f1 alone)."""

    def evaluate(values: dict[str, Any]) -> tuple[tuple[float, ...], tuple[float, ...]]:
        f1, f2 = _mixed_objectives(
            values["c"], int(values["k"]), np.array(values["x1"]), np.array(values["x2"])
        )
        return (float(f1), float(f2)), ()

    grid = np.linspace(0.0, 1.0, 4001)
    points = np.vstack(
        [
            np.column_stack(_mixed_objectives(c, k, grid, np.full_like(grid, 0.3)))
            for c in _SHIFT
            for k in range(11)
        ]
    )
    front = _front_2d(points)
    ideal, nadir = front.min(axis=0), front.max(axis=0)
    problem = Problem(
        "mixed (cat 3, int 0-10, 2 floats)",
        [("cat", "c", ["a", "b", "c"]), ("int", "k", 0, 10), *_floats_named(["x1", "x2"])],
        evaluate,
        2,
        ideal=ideal,
        nadir=nadir,
    )
    problem.true_hv = hypervolume_2d((front - ideal) / (nadir - ideal))
    return problem


def _floats_named(names: Sequence[str]) -> Space:
    return [("float", name, 0.0, 1.0) for name in names]


def hypervolume_2d(front: np.ndarray) -> float:
    inside = front[np.all(front < REFERENCE, axis=1)]
    if not len(inside):
        return 0.0
    kept = _front_2d(inside)
    widths = np.diff(np.append(kept[:, 0], REFERENCE))
    return float(np.sum(widths * (REFERENCE - kept[:, 1])))


def branin_cut() -> Problem:
    def evaluate(values: dict[str, Any]) -> tuple[tuple[float, ...], tuple[float, ...]]:
        x1, x2 = values["x1"], values["x2"]
        return (_branin(x1, x2),), (14.0 - x1 - x2,)

    return Problem(
        "Branin, x1 + x2 >= 14",
        [("float", "x1", -5.0, 10.0), ("float", "x2", 0.0, 15.0)],
        evaluate,
        1,
    )


def _branin(x1: float, x2: float) -> float:
    b, c, t = 5.1 / (4 * math.pi**2), 5 / math.pi, 1 / (8 * math.pi)
    return float((x2 - b * x1**2 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10)


_H6_A = np.array(
    [
        [10, 3, 17, 3.5, 1.7, 8],
        [0.05, 10, 17, 0.1, 8, 14],
        [3, 3.5, 1.7, 10, 17, 8],
        [17, 8, 0.05, 10, 0.1, 14],
    ]
)
_H6_P = 1e-4 * np.array(
    [
        [1312, 1696, 5569, 124, 8283, 5886],
        [2329, 4135, 8307, 3736, 1004, 9991],
        [2348, 1451, 3522, 2883, 3047, 6650],
        [4047, 8828, 8732, 5743, 1091, 381],
    ]
)
_H6_ALPHA = np.array([1.0, 1.2, 3.0, 3.2])


def _hartmann6(x: np.ndarray) -> float:
    return float(-np.sum(_H6_ALPHA * np.exp(-np.sum(_H6_A * (x - _H6_P) ** 2, axis=1))))


def hartmann_ball() -> Problem:
    def evaluate(values: dict[str, Any]) -> tuple[tuple[float, ...], tuple[float, ...]]:
        x = _vector(values, 6)
        return (_hartmann6(x),), (float(np.linalg.norm(x)) - 0.8,)

    return Problem("Hartmann-6, |x| <= 0.8", _floats(6), evaluate, 1)


def pressure_vessel() -> Problem:
    def evaluate(values: dict[str, Any]) -> tuple[tuple[float, ...], tuple[float, ...]]:
        x1, x2, x3, x4 = (values[f"x{i}"] for i in range(1, 5))
        cost = (
            0.6224 * x1 * x3 * x4 + 1.7781 * x2 * x3**2 + 3.1661 * x1**2 * x4 + 19.84 * x1**2 * x3
        )
        g1 = -x1 + 0.0193 * x3
        g2 = -x2 + 0.00954 * x3
        g3 = (1_296_000 - math.pi * x3**2 * x4 - 4 / 3 * math.pi * x3**3) / 1e5
        return (float(cost),), (g1, g2, g3)

    space: Space = [
        ("float", "x1", 0.1, 2.0),
        ("float", "x2", 0.1, 2.0),
        ("float", "x3", 10.0, 200.0),
        ("float", "x4", 10.0, 200.0),
    ]
    return Problem("pressure vessel (4 vars, 3 constraints)", space, evaluate, 1)


def constrained_optimum(problem: Problem, rng: np.random.Generator) -> tuple[float, float]:
    """(optimum, penalty): SLSQP from the best feasible of 20 000 random points and
    from 40 random starts; the penalty is the worst feasible random value's regret."""
    import scipy.optimize

    lows = np.array([d[2] for d in problem.space])
    highs = np.array([d[3] for d in problem.space])
    names = [d[1] for d in problem.space]

    def values_of(u: np.ndarray) -> dict[str, Any]:
        return dict(zip(names, (lows + u * (highs - lows)).tolist(), strict=True))

    def f(u: np.ndarray) -> float:
        return problem.evaluate(values_of(u))[0][0]

    def g(u: np.ndarray) -> np.ndarray:
        return -np.array(problem.evaluate(values_of(u))[1])

    samples = rng.random((20_000, len(names)))
    results = [problem.evaluate(values_of(u)) for u in samples]
    feasible = [i for i, (_, c) in enumerate(results) if max(c) <= 0]
    worst = max(results[i][0][0] for i in feasible)
    starts = [samples[i] for i in sorted(feasible, key=lambda i: results[i][0][0])[:20]]
    starts += list(rng.random((40, len(names))))
    best = min(results[i][0][0] for i in feasible)
    for start in starts:
        found = scipy.optimize.minimize(
            f,
            start,
            method="SLSQP",
            bounds=[(0.0, 1.0)] * len(names),
            constraints=[{"type": "ineq", "fun": g}],
            options={"maxiter": 500, "ftol": 1e-12},
        )
        if found.success and max(problem.evaluate(values_of(found.x))[1]) <= 1e-9:
            best = min(best, float(found.fun))
    return best, worst - best


PARETO_PROBLEMS: dict[str, Callable[[], Problem]] = {
    "zdt1": lambda: zdt(1),
    "zdt2": lambda: zdt(2),
    "dtlz2-2": lambda: dtlz2(2),
    "dtlz2-3": lambda: dtlz2(3),
    "mixed": mixed,
}
CONSTRAINED_PROBLEMS: dict[str, Callable[[], Problem]] = {
    "branin": branin_cut,
    "hartmann6": hartmann_ball,
    "vessel": pressure_vessel,
}
PARETO_SAMPLERS = [
    "tunesmith-bayesian",
    "tunesmith-random",
    "optuna-nsga2",
    "optuna-tpe",
    "optuna-gp",
]
CONSTRAINED_SAMPLERS = ["tunesmith-bayesian", "tunesmith-random", "optuna-gp", "optuna-tpe"]


# ------------------------------------------------------------------ runners
def run_tunesmith(problem: Problem, algorithm: str, seed: int, trials: int) -> list[list[float]]:
    """Each trial's objectives then constraint values, in order."""
    import tunesmith
    from tunesmith.study import Study

    hp = tunesmith.HyperParameters()
    for kind, name, *rest in problem.space:
        if kind == "float":
            hp.Float(name, rest[0], rest[1])
        elif kind == "int":
            hp.Int(name, rest[0], rest[1])
        else:
            hp.Choice(name, rest[0])
    names = [f"f{i}" for i in range(problem.objectives)]
    objective: Any = (
        tunesmith.Pareto(names, directions=["min"] * len(names))
        if len(names) > 1
        else tunesmith.Objective("f0", "min")
    )
    constraint_count = len(problem.evaluate(_any_values(problem))[1])
    constraints = [tunesmith.Constraint(f"g{i}", max=0.0) for i in range(constraint_count)]
    study = Study(
        objective=objective,
        sampler=algorithm,
        hyperparameters=hp,
        constraints=constraints or None,
        seed=seed,
        max_trials=trials,
    )
    history = []
    while (trial := study.ask()) is not None:
        values, limits = problem.evaluate(dict(trial.values))
        metrics = {f"f{i}": v for i, v in enumerate(values)}
        metrics.update({f"g{i}": v for i, v in enumerate(limits)})
        study.tell(trial, metrics)
        history.append([*values, *limits])
    return history


def _any_values(problem: Problem) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for kind, name, *rest in problem.space:
        out[name] = rest[0][0] if kind == "cat" else rest[0]
    return out


def run_optuna(problem: Problem, kind: str, seed: int, trials: int) -> list[list[float]]:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    warnings.simplefilter("ignore")
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:
        pass
    if kind == "optuna-nsga2":
        sampler: Any = optuna.samplers.NSGAIISampler(seed=seed)
    elif kind == "optuna-tpe":
        sampler = optuna.samplers.TPESampler(seed=seed, multivariate=True)
    else:
        sampler = optuna.samplers.GPSampler(seed=seed)
    study = optuna.create_study(directions=["minimize"] * problem.objectives, sampler=sampler)
    history = []

    def objective(trial: Any) -> Any:
        values: dict[str, Any] = {}
        for kind_, name, *rest in problem.space:
            if kind_ == "float":
                values[name] = trial.suggest_float(name, rest[0], rest[1])
            elif kind_ == "int":
                values[name] = trial.suggest_int(name, rest[0], rest[1])
            else:
                values[name] = trial.suggest_categorical(name, rest[0])
        found, limits = problem.evaluate(values)
        for i, limit in enumerate(limits):
            trial.set_constraint(f"g{i}", limit)
        history.append([*found, *limits])
        return found if problem.objectives > 1 else found[0]

    study.optimize(objective, n_trials=trials)
    return history


def run_one(part: str, problem_key: str, sampler: str, seed: int, trials: int) -> dict[str, Any]:
    problems = PARETO_PROBLEMS if part == "pareto" else CONSTRAINED_PROBLEMS
    problem = problems[problem_key]()
    start = time.perf_counter()
    if sampler.startswith("tunesmith-"):
        history = run_tunesmith(problem, sampler.split("-", 1)[1], seed, trials)
    else:
        history = run_optuna(problem, sampler, seed, trials)
    return {
        "part": part,
        "problem": problem_key,
        "sampler": sampler,
        "seed": seed,
        "trials": trials,
        "seconds": time.perf_counter() - start,
        "history": history,
    }


# ------------------------------------------------------------------ metrics
def hv_regret(problem: Problem, history: list[list[float]], budget: int) -> float:
    from tunesmith.pareto import hypervolume

    points = np.array([row[: problem.objectives] for row in history[:budget]])
    normalised = (points - problem.ideal) / (problem.nadir - problem.ideal)
    if problem.objectives == 2:
        found = hypervolume_2d(normalised)
    else:
        found = hypervolume(normalised, np.full(problem.objectives, REFERENCE))
    return 1.0 - found / problem.true_hv


def constrained_regret(problem: Problem, history: list[list[float]], budget: int) -> float:
    feasible = [row[0] for row in history[:budget] if max(row[1:]) <= 0]
    if not feasible:
        return problem.penalty
    return max(min(feasible) - problem.optimum, 0.0)


def mean_se(values: Sequence[float]) -> tuple[float, float]:
    array = np.asarray(values, dtype=float)
    se = float(array.std(ddof=1) / math.sqrt(array.size)) if array.size > 1 else float("nan")
    return float(array.mean()), se


def report(part: str, runs: list[dict[str, Any]], budgets: Sequence[int], problems: dict) -> str:
    samplers = PARETO_SAMPLERS if part == "pareto" else CONSTRAINED_SAMPLERS
    lines = []
    built = {key: problems[key]() for key in {r["problem"] for r in runs}}
    if part == "constrained":
        rng = np.random.default_rng(0)
        for key, problem in built.items():
            problem.optimum, problem.penalty = constrained_optimum(problem, rng)
            # SLSQP can stop short (the vessel's scales differ by 10**5): any feasible
            # value a run measured bounds the optimum too.
            measured = [
                row[0]
                for r in runs
                if r["problem"] == key
                for row in r["history"]
                if max(row[1:]) <= 0
            ]
            if measured and min(measured) < problem.optimum:
                problem.penalty += problem.optimum - min(measured)
                problem.optimum = min(measured)
            lines.append(
                f"{problem.name}: optimum {problem.optimum:.6g}, no-feasible penalty "
                f"{problem.penalty:.4g}"
            )
        lines.append("")
    metric = hv_regret if part == "pareto" else constrained_regret
    header = "| problem | trials | " + " | ".join(samplers) + " |"
    rule = "|---" * (len(samplers) + 2) + "|"
    lines += [header, rule]
    ratios = [
        "| problem | trials | "
        + " | ".join(f"bayesian / {s}" for s in samplers if s != "tunesmith-bayesian")
        + " | lowest? |",
        "|---" * (len(samplers) + 2) + "|",
    ]
    for key in [k for k in problems if k in built]:
        problem = built[key]
        for budget in budgets:
            stats, cells, seeds = {}, [], set()
            for sampler in samplers:
                values = [
                    metric(problem, r["history"], budget)
                    for r in runs
                    if r["problem"] == key and r["sampler"] == sampler and r["trials"] >= budget
                ]
                seeds.add(len(values))
                if values:
                    stats[sampler] = mean_se(values)
                    cells.append(f"{stats[sampler][0]:.4g} ± {stats[sampler][1]:.2g}")
                else:
                    cells.append("-")
            count = "/".join(str(s) for s in sorted(seeds))
            lines.append(
                f"| {problem.name} | {budget} ({count} seeds) | " + " | ".join(cells) + " |"
            )
            if "tunesmith-bayesian" not in stats:
                continue
            ours, our_se = stats["tunesmith-bayesian"]
            row, lost, tied = [], [], []
            for sampler in samplers[1:]:
                if sampler not in stats:
                    row.append("-")
                    continue
                theirs, their_se = stats[sampler]
                row.append(f"{ours / theirs:.2f}" if theirs > 0 else "-")
                if ours > theirs:
                    close = ours - theirs <= max(our_se, their_se)
                    (tied if close else lost).append(sampler)
            verdict = (
                f"no ({', '.join(lost)})"
                if lost
                else (f"tie ({', '.join(tied)})" if tied else "yes")
            )
            ratios.append(f"| {problem.name} | {budget} | " + " | ".join(row) + f" | {verdict} |")
    seconds: dict[str, list[float]] = {}
    for r in runs:
        seconds.setdefault(r["sampler"], []).append(r["seconds"] / r["trials"])
    timing = ", ".join(f"{s} {np.mean(v):.2f}" for s, v in seconds.items())
    return "\n".join(
        [
            *lines,
            "",
            "Ratio of mean regrets (below 1: tunesmith Bayesian lower):",
            "",
            *ratios,
            "",
            f"Mean seconds per trial (sampler and objective, one process): {timing}",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["pareto", "constrained", "both"], default="both")
    parser.add_argument("--seeds", type=int, default=5, help="seeds at the middle budget")
    parser.add_argument(
        "--long-seeds", type=int, default=3, help="of those, how many run to the largest budget"
    )
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--problems", nargs="*", help="problem keys (default: all of the part)")
    parser.add_argument("--samplers", nargs="*", help="sampler names (default: all)")
    parser.add_argument("--quick", action="store_true", help="smoke: 1 seed, 12 trials, 2 problems")
    parser.add_argument("--tag", default="", help="suffix of the results file")
    parser.add_argument(
        "--resume", action="store_true", help="keep the runs already in the results file"
    )
    parser.add_argument(
        "--report-only", action="store_true", help="print the tables of the results file"
    )
    args = parser.parse_args()
    parts = ["pareto", "constrained"] if args.part == "both" else [args.part]
    for part in parts:
        problems = PARETO_PROBLEMS if part == "pareto" else CONSTRAINED_PROBLEMS
        samplers = args.samplers or (PARETO_SAMPLERS if part == "pareto" else CONSTRAINED_SAMPLERS)
        keys = args.problems or list(problems)
        keys = [k for k in keys if k in problems]
        if args.quick:
            budgets, keys = [6, 12], keys[:2]
            plan = {0: 12}
        elif part == "pareto":
            budgets = [25, 50, 100]
            plan = {s: (100 if s < args.long_seeds else 50) for s in range(args.seeds)}
        else:
            budgets = [25, 50]
            plan = {s: 50 for s in range(args.seeds)}
        tasks = [(part, k, s, seed, n) for k in keys for seed, n in plan.items() for s in samplers]
        # Seed by seed (a cut run covers every problem), the slowest samplers first.
        tasks.sort(key=lambda t: (t[3], -t[4], t[2] != "optuna-gp", t[2] != "tunesmith-bayesian"))
        path = (
            RESULTS / f"multi_objective_{part}{args.tag or ('_quick' if args.quick else '')}.json"
        )
        RESULTS.mkdir(exist_ok=True)
        runs: list[dict[str, Any]] = []
        if args.report_only:
            print(f"\n## {part}\n")
            print(report(part, json.loads(path.read_text()), budgets, problems))
            continue
        if args.resume and path.exists():
            done = {
                (r["problem"], r["sampler"], r["seed"]): r for r in json.loads(path.read_text())
            }
            runs = [r for r in done.values() if r["problem"] in keys and r["sampler"] in samplers]
            tasks = [
                t
                for t in tasks
                if (t[1], t[2], t[3]) not in done or done[(t[1], t[2], t[3])]["trials"] < t[4]
            ]
        started = time.perf_counter()
        with ProcessPoolExecutor(args.jobs) as pool:
            futures = [pool.submit(run_one, *task) for task in tasks]
            for future in as_completed(futures):
                run = future.result()
                runs.append(run)
                print(
                    f"[{time.perf_counter() - started:7.0f}s] {part} {run['problem']} "
                    f"{run['sampler']} seed {run['seed']}: {run['trials']} trials in "
                    f"{run['seconds']:.1f}s",
                    flush=True,
                )
                path.write_text(json.dumps(runs))
        print(f"\n## {part} ({len(runs)} runs, {time.perf_counter() - started:.0f}s wall)\n")
        print(report(part, runs, budgets, problems))


if __name__ == "__main__":
    main()
