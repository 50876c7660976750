"""Many workers, simulated trials: is the driver ever the bottleneck?

Each trial sleeps for 1-30 s (log-uniform, fixed by a hash of its values), scaled
by ``--scale`` so the run fits in minutes; the workers are real ``LocalWorkers``
processes (they import no framework, so dozens fit on a small machine). Reported per
algorithm:

* worker utilisation: the time trials slept, over ``workers x`` the time from the
  first trial's start to the last one's end (the workers' start-up is excluded);
* steady utilisation: the same over the span from the first trial's start to the
  last trial's start, while every worker could have had a trial (the drain at the
  end, when trials run out, is no one's fault and is left out; the time a trial
  spends in the driver and on the way is counted as idle);
* the driver's time per ``ask`` and per ``tell``, early (first 10 % of trials) and
  late (last 10 %), since a model-based search grows slower as the study grows.

    KERAS_BACKEND=jax nice .venv/bin/python benchmarks/parallel_scale.py \\
        --workers 64 --trials 1000 --scale 0.02

Algorithms: ``random``, ``bayesian`` (the Gaussian process; with trials running it
refits its kernel once the results grew by 10 %), ``asha`` (random configurations,
rungs at 1, 3, 9, 27 epochs; every trial sleeps its drawn duration).
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import tempfile
import time
from typing import Any

import tunesmith
from tunesmith.oracles import ASHAOracle, BayesianOptimizationOracle, RandomSearchOracle


def make_sleeper(scale: float) -> Any:
    def sleeper(hp: Any) -> dict[str, float]:
        x, y = hp.Float("x", 0.0, 1.0), hp.Float("y", 0.0, 1.0)
        # A duration of 1-30 s (log-uniform), fixed by the trial's values, scaled.
        digest = hashlib.sha256(f"{x!r},{y!r}".encode()).digest()
        fraction = int.from_bytes(digest[:8], "big") / 2**64
        seconds = scale * 30.0**fraction
        time.sleep(seconds)
        # ASHA's rungs: more epochs, a truer score (any other algorithm: no rungs).
        epochs = float(hp.values.get("tuner/epochs", 1))
        return {"objective": (x - 0.3) ** 2 + (y - 0.7) ** 2 + 0.1 / epochs, "slept": seconds}

    return sleeper


class Timed:
    """Wraps an oracle's ask and tell to time them."""

    def __init__(self, oracle: Any) -> None:
        self.asks: list[float] = []
        self.tells: list[float] = []
        ask, tell = oracle.ask, oracle.tell

        def timed_ask(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            trial = ask(*args, **kwargs)
            if trial is not None:  # the asks that proposed something
                self.asks.append(time.perf_counter() - started)
            return trial

        def timed_tell(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return tell(*args, **kwargs)
            finally:
                self.tells.append(time.perf_counter() - started)

        oracle.ask, oracle.tell = timed_ask, timed_tell


def run(algorithm: str, workers: int, trials: int, scale: float, seed: int) -> dict[str, Any]:
    space = tunesmith.HyperParameters()
    space.Float("x", 0.0, 1.0)
    space.Float("y", 0.0, 1.0)
    objective = tunesmith.Objective("objective", "min")
    common = {"objective": objective, "max_trials": trials, "hyperparameters": space, "seed": seed}
    if algorithm == "asha":
        # Rungs at 1, 3, 9 and 27 epochs; each trial still sleeps its drawn duration.
        oracle: Any = ASHAOracle(max_epochs=27, factor=3, **common)
    elif algorithm == "bayesian":
        oracle = BayesianOptimizationOracle(**common)
    else:
        oracle = RandomSearchOracle(**common)
    timed = Timed(oracle)
    executor = tunesmith.LocalWorkers(workers=workers, devices="cpu")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:  # a store, as a real search has
        result = tunesmith.tune(
            make_sleeper(scale), algorithm=oracle, executor=executor, directory=folder
        )
        result.close()
    wall = time.perf_counter() - started
    slept = sum(t.metrics.get("slept", 0.0) for t in result.trials)
    # Start-up: before the first trial could run, every worker imported tunesmith.
    first_start = min(t.started_at for t in result.trials if t.started_at)
    last_end = max(t.ended_at for t in result.trials if t.ended_at)
    working = last_end - first_start
    last_start = max(t.started_at for t in result.trials if t.started_at)
    steady = steady_busy(result.trials, first_start, last_start)
    tenth = max(1, len(timed.asks) // 10)
    return {
        "algorithm": algorithm,
        "wall": wall,
        "utilisation": slept / (workers * working),
        "steady": steady / (workers * (last_start - first_start)),
        "ask_early_ms": 1e3 * statistics.mean(timed.asks[:tenth]),
        "ask_late_ms": 1e3 * statistics.mean(timed.asks[-tenth:]),
        "tell_late_ms": 1e3 * statistics.mean(timed.tells[-tenth:]),
        "trials": len(result.trials),
    }


def steady_busy(trials: list[Any], start: float, end: float) -> float:
    """Seconds of sleeping (the trials' work) inside ``[start, end]``, over all trials.

    A trial slept its last ``slept`` seconds before it ended, so its work is
    ``[ended - slept, ended]``, cut to the window.
    """
    busy = 0.0
    for trial in trials:
        if not trial.ended_at or "slept" not in (trial.metrics or {}):
            continue
        work_end = trial.ended_at
        work_start = work_end - trial.metrics["slept"]
        busy += max(0.0, min(work_end, end) - max(work_start, start))
    return busy


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=64)
    parser.add_argument("--trials", type=int, default=1000)
    parser.add_argument("--scale", type=float, default=0.02, help="seconds per drawn second")
    parser.add_argument("--algorithms", default="random,bayesian,asha")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    print(f"{args.workers} workers, {args.trials} trials, durations 1-30 s x {args.scale:g}")
    print(
        f"{'algorithm':<10} {'wall s':>7} {'util':>6} {'steady':>7} {'ask ms early/late':>18} "
        f"{'tell ms':>8}"
    )
    for algorithm in args.algorithms.split(","):
        row = run(algorithm, args.workers, args.trials, args.scale, args.seed)
        print(
            f"{row['algorithm']:<10} {row['wall']:7.1f} {row['utilisation']:6.1%} "
            f"{row['steady']:7.1%} "
            f"{row['ask_early_ms']:8.1f}/{row['ask_late_ms']:<8.1f} {row['tell_late_ms']:8.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
