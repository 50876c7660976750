"""A parameter limit on the W1 and W2 studies: checked before training, or trained and discarded.

For each workload and seed, three searches over the same random proposals:

* ``tunesmith``: ``RandomSearch(..., constraints=[Constraint("model/params", max=L)])``.
  A configuration over the limit is stored INFEASIBLE right after its build and
  never trained; ``max_trials`` counts trained (feasible) models only.
* ``discard``: what one does without constraints: the same tuner, no limit, trains
  every proposal and the models over the limit are thrown away afterwards. Random
  proposals depend on ``(seed, trial number)`` only, so it trains exactly the
  configurations the constrained search proposed, infeasible ones included.
* ``keras-tuner``: keras-tuner 1.4.8's own answer, ``max_model_size=L``: an
  oversized model fails its trial (counted in ``max_trials``; three in a row end
  the search), so fewer feasible models come out of the same ``max_trials``.

It prints, per workload, the feasible models trained, the infeasible models
trained (tunesmith: must be 0), the wall time, and the time saved against
training then discarding (mean ± standard error over the seeds).

Run in the benchmark environment (keras-tuner is needed for its column)::

    KERAS_BACKEND=jax nice -n 10 .venv-bench/bin/python benchmarks/model_limits.py
    KERAS_BACKEND=jax .venv-bench/bin/python benchmarks/model_limits.py --quick
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras
import numpy as np

import tunesmith
from tunesmith import Constraint, TrialStatus


@dataclass
class Workload:
    name: str
    build: Callable[[Any], Any]
    data: tuple[np.ndarray, ...]
    limit: int
    epochs: int
    batch_size: int


def w1() -> Workload:
    from tunesmith.studies.breast_cancer import make_build_model, scale_and_split
    from tunesmith.studies.breast_cancer_data import load_embedded

    split = scale_and_split(load_embedded())
    return Workload(
        "W1 breast cancer (units 32-512, 0-3 more layers)",
        make_build_model(split.x_train.shape[1]),
        (split.x_train, split.y_train, split.x_val, split.y_val),
        limit=30_000,
        epochs=20,
        batch_size=32,
    )


def w2() -> Workload:
    from tunesmith.studies.cifar10_data import load_digits_images
    from tunesmith.studies.cifar10_models import depth_width_dense

    data = load_digits_images()
    return Workload(
        "W2 dense depth x width (digits stand-in)",
        depth_width_dense(data.x_train.shape[1:]),
        (data.x_train, data.y_train, data.x_val, data.y_val),
        limit=150_000,
        epochs=10,
        batch_size=64,
    )


def _fit_kwargs(work: Workload) -> dict[str, Any]:
    x, y, x_val, y_val = work.data
    return {
        "x": x,
        "y": y,
        "validation_data": (x_val, y_val),
        "epochs": work.epochs,
        "batch_size": work.batch_size,
        "callbacks": [keras.callbacks.EarlyStopping("val_loss", patience=3)],
        "verbose": 0,
    }


def run_tunesmith(work: Workload, seed: int, trials: int, limit: bool) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        tuner = tunesmith.RandomSearch(
            work.build,
            objective="val_accuracy",
            max_trials=trials,
            seed=seed,
            directory=folder,
            project_name="limits",
            constraints=[Constraint("model/params", max=work.limit)] if limit else None,
            verbose=0,
        )
        tuner.search(**_fit_kwargs(work))
        seconds = time.perf_counter() - start
        ended = list(tuner.oracle.trials.values())
        trained = [t for t in ended if t.status is not TrialStatus.INFEASIBLE]
        over = [t for t in trained if t.metrics.get("model/params", 0) > work.limit]
        skipped = [t for t in ended if t.status is TrialStatus.INFEASIBLE]
        return {
            "seconds": seconds,
            "trained": len(trained),
            "feasible": len(trained) - len(over),
            "infeasible_trained": len(over),
            "skipped": len(skipped),
            "proposals": len(ended),
        }


def run_keras_tuner(work: Workload, seed: int, trials: int) -> dict[str, float]:
    import keras_tuner

    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        tuner = keras_tuner.RandomSearch(
            work.build,
            objective="val_accuracy",
            max_trials=trials,
            seed=seed,
            directory=folder,
            project_name="limits",
            max_model_size=work.limit,
        )
        try:
            tuner.search(**_fit_kwargs(work))
            stopped = ""
        except Exception as exc:  # three oversized models in a row end its search
            stopped = type(exc).__name__
        seconds = time.perf_counter() - start
        statuses = [t.status for t in tuner.oracle.trials.values()]
        return {
            "seconds": seconds,
            "trained": statuses.count("COMPLETED"),
            "feasible": statuses.count("COMPLETED"),
            "infeasible_trained": 0,
            "failed": statuses.count("FAILED"),
            "ended_by_error": float(bool(stopped)),
        }


def _mean_se(values: list[float]) -> str:
    mean = statistics.fmean(values)
    se = statistics.stdev(values) / len(values) ** 0.5 if len(values) > 1 else 0.0
    return f"{mean:.1f} ± {se:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--trials", type=int, default=8)
    parser.add_argument("--quick", action="store_true", help="1 seed, 3 trials, W1 only")
    parser.add_argument("--no-keras-tuner", action="store_true")
    args = parser.parse_args()
    seeds, trials = (1, 3) if args.quick else (args.seeds, args.trials)
    workloads = [w1()] if args.quick else [w1(), w2()]
    print(
        f"tunesmith {tunesmith.__version__}, keras {keras.__version__}, "
        f"backend {keras.backend.backend()}; {seeds} seeds, max_trials={trials}"
    )
    for work in workloads:
        rows: dict[str, list[dict[str, float]]] = {
            "tunesmith": [],
            "discard": [],
            "keras-tuner": [],
        }
        for seed in range(seeds):
            limited = run_tunesmith(work, seed, trials, limit=True)
            rows["tunesmith"].append(limited)
            # The same proposals, every one trained: as many trials as were proposed.
            rows["discard"].append(
                run_tunesmith(work, seed, int(limited["proposals"]), limit=False)
            )
            if not args.no_keras_tuner:
                rows["keras-tuner"].append(run_keras_tuner(work, seed, trials))
        print(
            f"\n{work.name}: model/params <= {work.limit:,}, {work.epochs} epochs "
            "(EarlyStopping patience 3)"
        )
        print(
            f"{'method':<12} {'feasible trained':>17} {'infeasible trained':>19} "
            f"{'skipped untrained':>18} {'wall s':>14}"
        )
        for method, results in rows.items():
            if not results:
                continue
            skipped = [r.get("skipped", r.get("failed", 0.0)) for r in results]
            print(
                f"{method:<12} {_mean_se([r['feasible'] for r in results]):>17} "
                f"{_mean_se([r['infeasible_trained'] for r in results]):>19} "
                f"{_mean_se(skipped):>18} {_mean_se([r['seconds'] for r in results]):>14}"
            )
        saved = [
            d["seconds"] - t["seconds"]
            for t, d in zip(rows["tunesmith"], rows["discard"], strict=True)
        ]
        ratio = [
            d["seconds"] / t["seconds"]
            for t, d in zip(rows["tunesmith"], rows["discard"], strict=True)
        ]
        print(
            f"time saved against training then discarding: {_mean_se(saved)} s "
            f"(discard / tunesmith = {statistics.fmean(ratio):.2f}x)"
        )
        assert all(r["infeasible_trained"] == 0 for r in rows["tunesmith"]), "trained one!"


if __name__ == "__main__":
    main()
