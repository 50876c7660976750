"""Does a change make ``ask()`` slower? Two revisions of tunesmith, side by side.

For each algorithm (random, grid, Bayesian, Hyperband, ASHA; the Bayesian one also
with a pruner) a study of ``--trials`` trials is run through ``ask()`` / ``report()``
/ ``tell()`` with no store, on a 6-dimensional space (floats, a log float, ints,
a choice); every ``ask()`` is timed. Each revision runs in its own interpreter
(a ``git worktree`` of it under a temporary folder), the revisions alternating
``--rounds`` times so drifts of a shared machine hit both alike. Reported: the
median ask time per algorithm and revision (over rounds, of each round's median)
and the ratio new / old.

With ``--sizes 200,1000,10000`` it measures growth instead: a whole
``tunesmith.tune()`` of that many trials of a cheap function (random search, a
project folder on disk, at ``--verbose`` 0 or 1 with the display written to
/dev/null), wall time per revision and size, and the time per trial at each size
over the time per trial at the smallest: 1.0 is linear growth.

With ``--tail K`` only the last K asks of each study are timed, and the Bayesian
oracles take ``--trials`` minus K quasi-random points first: the ask time at
``--trials`` trials (``--trials 1000 --tail 10 --algorithms bayesian,grid``). ``--old-max`` skips
the old revision above that size (a quadratic one takes long).

Run from the repository root (the project environment)::

    .venv/bin/python benchmarks/ask_time.py --old 38cd0ac --new HEAD
    .venv/bin/python benchmarks/ask_time.py --old 4ea7bdc --new HEAD \
        --sizes 200,1000,3000,10000 --old-max 3000 --verbose 1
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ALGORITHMS = ("random", "grid", "bayesian", "bayesian+median", "hyperband", "asha")

# Runs inside one revision's interpreter: prints {algorithm: [ask seconds...]}.
_PROBE = r"""
import json, math, sys, time
from tunesmith import HyperParameters
from tunesmith.oracles import (ASHAOracle, BayesianOptimizationOracle, GridSearchOracle,
                               HyperbandOracle, RandomSearchOracle)

trials, tail = int(sys.argv[1]), int(sys.argv[3])
# With a tail, the Bayesian oracles draw quasi-random points until the last `tail`
# asks, so the model's asks are timed at `trials` trials without fitting it at
# every size on the way.
initial = {"num_initial_points": trials - tail} if tail else {}

def space():
    hp = HyperParameters()
    hp.Float("x1", 0.0, 1.0); hp.Float("x2", 0.0, 1.0)
    hp.Float("lr", 1e-4, 1e-1, sampling="log")
    hp.Int("units", 16, 512, step=16); hp.Int("layers", 1, 4)
    hp.Choice("act", ["relu", "tanh", "gelu"])
    return hp

def loss(v, epoch):
    return ((v["x1"] - .3) ** 2 + (v["x2"] - .6) ** 2 + abs(math.log10(v["lr"]) + 2.5) / 3
            + abs(v["units"] - 256) / 512 + v["layers"] / 10 + (v["act"] != "gelu") * .1
            + 1.0 / (epoch + 1))

def make(name):
    common = dict(objective="val_loss", hyperparameters=space(), seed=1)
    if name == "random": return RandomSearchOracle(max_trials=trials, **common)
    if name == "grid": return GridSearchOracle(max_trials=trials, **common)
    if name == "bayesian":
        return BayesianOptimizationOracle(max_trials=trials, **initial, **common)
    if name == "bayesian+median":
        return BayesianOptimizationOracle(max_trials=trials, pruner="median", **initial,
                                          **common)
    if name == "hyperband":
        return HyperbandOracle(max_epochs=27, hyperband_iterations=None, **common)
    return ASHAOracle(max_epochs=27, max_trials=trials, **common)

out = {}
for name in sys.argv[2].split(","):
    oracle, times = make(name), []
    while len(times) < trials:
        started = time.perf_counter()
        trial = oracle.ask()
        times.append(time.perf_counter() - started)
        if trial is None:
            break
        start = int(trial.values.get("tuner/initial_epoch", 0))
        end = int(trial.values.get("tuner/epochs", 5))
        value, stopped = math.inf, False
        for epoch in range(start, end):
            value = loss(trial.values, epoch)
            if not oracle.report(trial, epoch, {"val_loss": value}):
                stopped = True
                break
        oracle.tell(trial, {"val_loss": value}, stopped_early=stopped)
    out[name] = times[-tail:] if tail else times
print(json.dumps(out))
"""


# Runs inside one revision's interpreter: prints the seconds a whole tune() took.
_GROWTH_PROBE = r"""
import sys, tempfile, time
import tunesmith

trials, verbose = int(sys.argv[1]), int(sys.argv[2])

def objective(hp):
    x = hp.Float("x", 0.0, 1.0)
    lr = hp.Float("lr", 1e-4, 1e-1, sampling="log")
    return (x - 0.3) ** 2 + abs(lr - 0.01) + hp.Int("units", 16, 512, step=16) / 512

with tempfile.TemporaryDirectory() as folder:
    started = time.perf_counter()
    tunesmith.tune(objective, max_trials=trials, directory=folder, seed=0, verbose=verbose)
    print(time.perf_counter() - started, file=sys.stderr)
"""


def growth(root: Path, trials: int, verbose: int) -> float:
    """Seconds of one whole tune() of ``trials`` trials at ``root``'s revision."""
    result = subprocess.run(
        [sys.executable, "-c", _GROWTH_PROBE, str(trials), str(verbose)],
        cwd=root,
        env={"PYTHONPATH": str(root), "OMP_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"},
        stdout=subprocess.DEVNULL,  # the display, at verbose=1
        stderr=subprocess.PIPE,
        text=True,
        check=True,
    )
    return float(result.stderr.strip().splitlines()[-1])


def growth_table(args: argparse.Namespace, roots: dict[str, Path]) -> None:
    sizes = [int(size) for size in args.sizes.split(",")]
    seconds: dict[tuple[str, int], list[float]] = {}
    for _ in range(args.rounds):
        for size in sizes:
            for which, root in roots.items():
                if which == "old" and args.old_max is not None and size > args.old_max:
                    continue
                seconds.setdefault((which, size), []).append(growth(root, size, args.verbose))
    print(
        f"whole tune() of N random-search trials, seconds (median of {args.rounds}; "
        f"verbose={args.verbose}; old {args.old}, new {args.new})"
    )
    print(
        f"{'N':>7} {'old s':>9} {'new s':>9} {'new/old':>8} {'old ms/trial':>13} "
        f"{'new ms/trial':>13} {'new growth':>11}"
    )
    base = statistics.median(seconds[("new", sizes[0])]) / sizes[0]
    for size in sizes:
        new = statistics.median(seconds[("new", size)])
        old_runs = seconds.get(("old", size))
        old = statistics.median(old_runs) if old_runs else None
        print(
            f"{size:>7} {old if old is not None else float('nan'):>9.2f} {new:>9.2f} "
            f"{(new / old) if old else float('nan'):>8.3f} "
            f"{(old / size * 1e3) if old else float('nan'):>13.2f} {new / size * 1e3:>13.2f} "
            f"{new / size / base:>11.2f}"
        )


def checkout(revision: str, folder: Path) -> Path:
    path = folder / revision.replace("/", "_")
    subprocess.run(
        ["git", "worktree", "add", "--detach", "-f", str(path), revision],
        check=True,
        capture_output=True,
    )
    return path


def probe(root: Path, trials: int, algorithms: str, tail: int) -> dict[str, list[float]]:
    env_path = str(root)
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, str(trials), algorithms, str(tail)],
        cwd=root,
        env={"PYTHONPATH": env_path, "OMP_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--old", required=True, help="the revision to compare against")
    parser.add_argument("--new", default="HEAD")
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--algorithms", default=",".join(ALGORITHMS))
    parser.add_argument(
        "--tail", type=int, default=0,
        help="time only the last TAIL asks (the Bayesian oracles draw quasi-random points "
        "before them): the ask time at --trials trials",
    )  # fmt: skip
    parser.add_argument("--sizes", help="measure growth: whole tune() runs of these sizes")
    parser.add_argument("--old-max", type=int, help="with --sizes: largest size for --old")
    parser.add_argument("--verbose", type=int, default=0, help="with --sizes: 0 or 1")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ask-time-") as tmp:
        roots = {"old": checkout(args.old, Path(tmp)), "new": checkout(args.new, Path(tmp))}
        if args.sizes:
            try:
                growth_table(args, roots)
            finally:
                for root in roots.values():
                    subprocess.run(["git", "worktree", "remove", "--force", str(root)], check=False)
            return
        medians: dict[str, dict[str, list[float]]] = {"old": {}, "new": {}}
        try:
            for _ in range(args.rounds):
                for which, root in roots.items():
                    for name, times in probe(root, args.trials, args.algorithms, args.tail).items():
                        medians[which].setdefault(name, []).append(statistics.median(times))
        finally:
            for root in roots.values():
                subprocess.run(["git", "worktree", "remove", "--force", str(root)], check=False)
    print(
        f"median ask() in ms, {args.trials} trials"
        + (f" (the last {args.tail} asks)" if args.tail else "")
        + f", {args.rounds} rounds "
        f"(old {args.old}, new {args.new})"
    )
    print(f"{'algorithm':<18} {'old':>9} {'new':>9} {'new/old':>8}")
    for name in args.algorithms.split(","):
        old = statistics.median(medians["old"][name]) * 1e3
        new = statistics.median(medians["new"][name]) * 1e3
        print(f"{name:<18} {old:>9.3f} {new:>9.3f} {new / old:>8.2f}")


if __name__ == "__main__":
    main()
