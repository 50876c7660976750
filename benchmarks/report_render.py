"""Size and render time of the HTML report of a 200-trial study, beside optuna's plotly views.

A synthetic study (real oracle and store, curves shaped like Keras training: 200
trials of up to 50 epochs, 6 hyperparameters, one conditional, a few failed trials)
gets tunesmith's report. The same trials go into an optuna study whose equivalent
views (optimisation history, parallel coordinates, slice plots, importances,
intermediate values) are written as one self-contained plotly page. Both pages are
loaded in the same headless Chromium several times; the load event's time is
reported (every chart of both is drawn by then: ours are decoded images, plotly
draws synchronously in inline scripts).

Targets (issue): our report under 5 MB and rendered in under 2 s.

    .venv-bench/bin/python benchmarks/report_render.py            # 200 trials, 5 loads
    .venv-bench/bin/python benchmarks/report_render.py --trials 50 --rounds 3
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from tunesmith.objective import Objective
from tunesmith.oracles import RandomSearchOracle
from tunesmith.space import HyperParameters
from tunesmith.store import Store

OBJECTIVE = "val_accuracy"


def make_space() -> HyperParameters:
    hp = HyperParameters()
    hp.Int("num_layers", 1, 4)
    hp.Int("units", 32, 512, step=32)
    hp.Choice("activation", ["relu", "tanh", "elu", "selu", "swish"])
    hp.Float("learning_rate", 1e-5, 1e-1, sampling="log")
    hp.Int("batch_size", 16, 256, step=2, sampling="log")
    with hp.conditional_scope("num_layers", [2, 3, 4]):
        hp.Float("dropout", 0.0, 0.5, step=0.05)
    return hp


def _curves(values: dict, epochs: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Keras-like curves: quality set by the learning rate and width, early stopping."""
    quality = np.clip(1 - abs(np.log10(values["learning_rate"]) + 3) / 3, 0.05, 1)
    quality *= 0.8 + 0.2 * values["units"] / 512
    steps = np.arange(epochs)
    accuracy = 0.1 + 0.85 * quality * (1 - np.exp(-(steps + 1) / (3 + 5 * rng.random())))
    overfit = np.maximum(0, steps - epochs * rng.uniform(0.3, 0.9)) * 0.004
    val_accuracy = accuracy - 0.02 - overfit + rng.normal(0, 0.01, epochs)
    return {
        "loss": 2.3 * (1 - accuracy) + rng.normal(0, 0.01, epochs),
        "accuracy": accuracy,
        "val_loss": 2.3 * (1 - val_accuracy) + 4 * overfit,
        "val_accuracy": val_accuracy,
    }


def make_study(project_dir: Path, trials: int, epochs: int, seed: int = 0) -> list[dict]:
    """Store the study; return each trial's values, status, score and curve for optuna."""
    rng = np.random.default_rng(seed)
    oracle = RandomSearchOracle(
        objective=Objective(OBJECTIVE, "max"),
        max_trials=trials,
        seed=seed,
        hyperparameters=make_space(),
    )
    records = []
    with Store.open(project_dir, overwrite=True) as store:
        oracle.attach_store(store)
        for _ in range(trials):
            trial = oracle.ask()
            values = trial.hyperparameters.active_values()
            if rng.random() < 0.03:
                oracle.tell(trial, error="ResourceExhaustedError: out of memory")
                records.append({"values": values, "score": None, "curve": []})
                continue
            stop = int(rng.integers(epochs // 3, epochs + 1))  # early stopping
            curves = _curves(values, epochs, rng)
            for step in range(stop):
                oracle.report(trial, step, {k: float(v[step]) for k, v in curves.items()})
            best = int(np.argmax(curves["val_accuracy"][:stop]))
            score = float(curves["val_accuracy"][best])
            oracle.tell(trial, {OBJECTIVE: score}, best_step=best, epochs=stop)
            curve = [float(v) for v in curves["val_accuracy"][:stop]]
            records.append({"values": values, "score": score, "curve": curve})
    return records


def optuna_page(records: list[dict], path: Path) -> float:
    """Optuna's equivalent views of the same trials as one self-contained page."""
    import optuna
    from optuna.distributions import (
        CategoricalDistribution,
        FloatDistribution,
        IntDistribution,
    )

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    distributions = {
        "num_layers": IntDistribution(1, 4),
        "units": IntDistribution(32, 512, step=32),
        "activation": CategoricalDistribution(["relu", "tanh", "elu", "selu", "swish"]),
        "learning_rate": FloatDistribution(1e-5, 1e-1, log=True),
        "batch_size": IntDistribution(16, 256, log=True),
        "dropout": FloatDistribution(0.0, 0.5, step=0.05),
    }
    started = time.perf_counter()
    study = optuna.create_study(direction="maximize")
    for record in records:
        params = record["values"]
        state = (
            optuna.trial.TrialState.FAIL
            if record["score"] is None
            else optuna.trial.TrialState.COMPLETE
        )
        study.add_trial(
            optuna.trial.create_trial(
                params=params,
                distributions={k: distributions[k] for k in params},
                value=record["score"],
                state=state,
                intermediate_values=dict(enumerate(record["curve"])),
            )
        )
    views = optuna.visualization
    figures = [
        views.plot_optimization_history(study),
        views.plot_parallel_coordinate(study),
        views.plot_slice(study),
        views.plot_param_importances(study),
        views.plot_intermediate_values(study),
    ]
    parts = [
        fig.to_html(full_html=False, include_plotlyjs=(i == 0)) for i, fig in enumerate(figures)
    ]
    path.write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>optuna views</title></head>"
        f"<body>{''.join(parts)}</body></html>",
        encoding="utf-8",
    )
    return time.perf_counter() - started


def _size(path: Path) -> float:
    return path.stat().st_size / 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=200)
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5, help="page loads per page")
    parser.add_argument("--keep", help="folder to keep the pages in (default: temporary)")
    args = parser.parse_args(argv)

    from browser import find_chromium, render  # benchmarks/browser.py, beside this file

    from tunesmith.report import write_report

    if find_chromium() is None:
        raise SystemExit(
            "needs chromium and chromedriver (apt-get install chromium chromium-driver)"
        )
    with tempfile.TemporaryDirectory(prefix="report-bench-") as tmp:
        root = Path(args.keep or tmp)
        root.mkdir(parents=True, exist_ok=True)
        records = make_study(root / "study", args.trials, args.epochs)
        started = time.perf_counter()
        ours = write_report(root / "study")
        ours_write = time.perf_counter() - started
        theirs = root / "optuna_views.html"
        try:
            theirs_write = optuna_page(records, theirs)
        except ImportError as exc:
            print(f"NOTE: optuna/plotly not installed ({exc}); tunesmith only", file=sys.stderr)
            theirs = None

        loads: dict[str, list[float]] = {"tunesmith": [], "optuna+plotly": []}
        charts: dict[str, int] = {}
        for _ in range(args.rounds):  # alternate, so drift hits both alike
            for name, page in (("tunesmith", ours), ("optuna+plotly", theirs)):
                if page is None:
                    continue
                result = render(page)
                if result.console_errors:
                    print(f"{name}: console errors {result.console_errors}", file=sys.stderr)
                if name == "tunesmith":
                    undrawn = result.broken_charts + result.undrawn_interactive_charts
                    if undrawn:
                        raise SystemExit(f"charts not drawn: {undrawn}")
                    charts[name] = len(result.charts)
                    charts["interactive"] = sum(bool(c.get("spec")) for c in result.charts)
                loads[name].append(result.load_ms / 1000)
        # Sized here: the temporary folder is gone after this block.
        rows = [("tunesmith", _size(ours), ours_write)]
        if theirs is not None:
            rows.append(("optuna+plotly", _size(theirs), theirs_write))

    print(f"{args.trials} trials x up to {args.epochs} epochs; {args.rounds} loads per page")
    print(f"{'page':<16}{'size MB':>9}{'write s':>9}{'load s median':>15}{'load s max':>12}")
    for name, size, write in rows:
        median = statistics.median(loads[name])
        print(f"{name:<16}{size:>9.2f}{write:>9.2f}{median:>15.3f}{max(loads[name]):>12.3f}")
    print(
        f"tunesmith charts drawn: {charts.get('tunesmith', 0)}, "
        f"of which interactive: {charts.get('interactive', 0)}"
    )
    if theirs is not None:
        load_ratio = statistics.median(loads["tunesmith"]) / statistics.median(
            loads["optuna+plotly"]
        )
        print(
            f"ratios tunesmith/optuna+plotly: size {rows[0][1] / rows[1][1]:.2f}, "
            f"load {load_ratio:.2f}"
        )
    size_ok = rows[0][1] < 5
    load_ok = statistics.median(loads["tunesmith"]) < 2
    print(
        f"targets: size < 5 MB {'met' if size_ok else 'MISSED'}, "
        f"load < 2 s {'met' if load_ok else 'MISSED'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
