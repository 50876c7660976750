"""How sample-efficient is each search algorithm? Best value found after N trials.

What is measured
----------------
Six methods minimise the same problems through their own ask/tell interfaces,
each given the same search space declared the natural way (ints, log-scaled
floats, categories, booleans, conditional hyperparameters):

* ``tunesmith-bo``: ``tunesmith.oracles.BayesianOptimizationOracle`` (skipped with a
  note when this tunesmith has none), ``tunesmith-random``: ``RandomSearchOracle``;
  both driven by ``ask()`` / ``tell(trial, value)`` with no store attached.
* ``kt-bo`` / ``kt-random``: keras-tuner's ``BayesianOptimizationOracle`` and
  ``RandomSearchOracle``, driven as keras-tuner's own tuners drive them:
  ``create_trial(tuner_id)``, ``update_trial(trial_id, {"value": v})``, then
  ``trial.status = "COMPLETED"; end_trial(trial)``, with a
  ``keras_tuner.Objective("value", "min")``, display off, and a temporary project
  directory per run (keras-tuner writes its trial and oracle JSON files there on
  every call; that is part of its ask time, as in a real search).
* ``tunesmith-bo-cap50`` / ``tunesmith-bo-cap100`` (run only when named): the
  Bayesian oracle with ``max_model_points`` 50 or 100, to measure what fitting the
  GP on a subset costs at budgets beyond the cap.
* ``optuna-tpe`` / ``optuna-gp``: ``optuna.samplers.TPESampler`` and ``GPSampler``
  with their defaults (seeded); conditional hyperparameters by define-by-run.

Every method uses its library's defaults (initial random points, acquisition...).
The space is written once, as a neutral list of dicts (``Param``), and one adapter
per library builds that library's space from it. A method's values are checked
against the space (types, bounds, which hyperparameters are active) before they
are evaluated, so an adapter bug fails loudly instead of skewing a score.

Problems (all minimised):

* synthetic, optimum known: ``branin`` (2-D, 0.397887), ``hartmann6`` (6-D,
  -3.32237), ``mixed10`` (10-D: 2 linear floats in a rotated, rippled quadratic, a
  stepped float, 2 log floats, a log int, a linear int, 2 categories with lookup
  tables and an optimizer-dependent best learning rate, a boolean; optimum 0),
  ``conditional`` (a ``model`` choice with its own 2 or 3 hyperparameters per
  branch; optimum 0, in the ``net`` branch only);
* scikit-learn models by 3-fold stratified cross-validation (fixed folds and model
  seeds, so an evaluation is deterministic): ``mlp_digits`` (MLPClassifier, 20
  epochs, 600 rows of digits; 1 - accuracy), ``svm_cancer`` (SVC on breast cancer,
  C and gamma log-scaled, kernel choice with a conditional degree and coef0;
  1 - ROC AUC), ``hgb_wine`` (HistGradientBoostingClassifier on wine; log loss),
  ``mlp_cancer`` and ``mlp_wine`` (a scaled MLPClassifier, 30 epochs, tuned as
  people tune networks on tabular data: log learning rate, log batch size, log
  width, depth 1-3, log L2 alpha; log loss).
  ``step_mlp_cancer`` and ``step_mlp_wine``: the same MLPs over the same space,
  but trained only on a coarse grid (lr and alpha 6 log-spaced levels, batch size
  and width 5 powers of 2, depth 1-3); every value is snapped to its nearest level
  on the log scale, so the objective moves in steps, as a table of results trained
  in advance does. A grid point is trained once per process, or once in all with
  ``--grid-cache DIR``.
  Their optimum is unknown: the best value any method or the random reference saw
  in the run stands in for it (as bayesmark does). Identical configurations are
  evaluated once per process (a cache per problem).

Score: normalised regret at budget b (bayesmark-style),
``(best of the first b trials - optimum) / (R_b - optimum)``, where ``R_b`` is the
expected best of b uniformly random configurations, computed exactly (order
statistics, drawing without replacement) from a reference pool of random
configurations: 5000 fresh draws (tunesmith's ``sample_values``, fixed seed) for the
synthetic problems; for the scikit-learn problems, every configuration the two
random methods evaluated in the run, topped up with fresh draws to ``--ref-min``.
So 0 is the optimum and about 1 is random search at the same budget. Reported per
problem (mean and standard error over seeds), aggregated (mean of the problems'
means; SE combined), and as the mean rank of each method among the methods of the
same problem and seed (1 = best, ties share ranks). Ask time per method: the
wall time of one ``ask()`` (keras-tuner: ``create_trial``; optuna: ``study.ask()``
plus the ``suggest_*`` calls, where its samplers do their work), median and p90
over every trial of the run; ``tell`` times too.

A separate timing: the median ``ask()`` time with 200 completed trials in
``mixed10``'s 10-D space for tunesmith's Bayesian oracle and optuna's GPSampler
(issue target: tunesmith under 0.5 s). Both are built with 200 initial random
points (``num_initial_points`` / ``n_startup_trials``), are told 200 random
trials, then the next ``--timing-asks`` asks are timed (each told before the next).

BLAS/OpenMP/torch run on one thread (``OMP_NUM_THREADS=1`` etc. unless set), so
timings do not depend on what else the shared machine runs and ``--workers`` can
use the cores. ``--output`` writes every run's trace (configurations, values,
ask/tell times) and the reference pools; ``--report FILE`` recomputes the tables
from such a file without running anything.

Run (from the repository root, with the benchmark environment of
``benchmarks/README.md``)::

    KERAS_BACKEND=jax .venv-bench/bin/python benchmarks/search_quality.py --quick
    KERAS_BACKEND=jax .venv-bench/bin/python benchmarks/search_quality.py \\
        --seeds 10 --budget 50 --output results.json        # full run
    KERAS_BACKEND=jax .venv-bench/bin/python benchmarks/search_quality.py \\
        --problems branin,mixed10 --methods tunesmith-bo,optuna-gp --seeds 5
    KERAS_BACKEND=jax .venv-bench/bin/python benchmarks/search_quality.py --report results.json
"""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("OMP_NUM_THREADS", "1")  # BLAS, OpenMP and torch on one thread each
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import argparse
import contextlib
import functools
import json
import logging
import math
import platform
import statistics
import sys
import tempfile
import time
import traceback
import warnings
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from importlib import metadata
from multiprocessing import get_context
from typing import Any, Protocol, TypedDict

import numpy as np

# ============================================================================ space


class Param(TypedDict, total=False):
    """One hyperparameter of the neutral space description.

    ``type`` is ``"int"``, ``"float"``, ``"choice"`` or ``"bool"``; numbers have
    ``low``/``high`` (inclusive), optional ``log`` and ``step`` (linear scale only);
    choices have ``choices``; ``condition`` is ``(parent name, [parent values])``
    and makes the hyperparameter active only for those values of an earlier one.
    """

    name: str
    type: str
    low: float
    high: float
    log: bool
    step: float
    choices: list[Any]
    condition: tuple[str, list[Any]]


Space = list[Param]
Values = dict[str, Any]


def is_active(param: Param, values: Values) -> bool:
    """Whether ``param``'s condition holds for the (active) ``values`` chosen so far."""
    cond = param.get("condition")
    return cond is None or (cond[0] in values and values[cond[0]] in cond[1])


def check_values(space: Space, values: Values, clipped: list[str] | None = None) -> Values:
    """``values`` reduced to the active hyperparameters, as plain Python values.

    Raises ``ValueError`` when an active hyperparameter is missing or outside its
    definition: an adapter that builds the space wrongly must not go unnoticed.
    With a ``clipped`` list, a number outside its bounds is clipped into them
    instead and the fact appended to the list (keras-tuner's Bayesian oracle
    proposes ``max_value + 1`` for an ``Int`` whose acquisition optimum lies on the
    upper bound: its ``Int.prob_to_value(1.0)``).
    """
    out: Values = {}
    for p in space:
        if not is_active(p, out):
            continue
        name = p["name"]
        if name not in values:
            raise ValueError(f"{name!r} is active but has no value in {values!r}")
        v = values[name]
        if hasattr(v, "item"):  # numpy scalar
            v = v.item()
        kind = p["type"]
        if kind in ("int", "float"):
            v = round(v) if kind == "int" else float(v)
            tol = 1e-9 * max(1.0, abs(p["high"]))
            if not p["low"] - tol <= v <= p["high"] + tol:
                problem = f"{name}={v!r} outside [{p['low']}, {p['high']}]"
                if clipped is None:
                    raise ValueError(problem)
                clipped.append(problem)
                v = min(max(v, p["low"]), p["high"])
                v = round(v) if kind == "int" else float(v)
        elif kind == "bool":
            v = bool(v)
        elif v not in p["choices"]:
            raise ValueError(f"{name}={v!r} not in {p['choices']!r}")
        out[name] = v
    return out


def config_key(values: Values) -> tuple[tuple[str, Any], ...]:
    """A hashable key, equal for equal configurations (floats to 12 digits)."""
    return tuple(
        sorted((k, float(f"{v:.12g}") if isinstance(v, float) else v) for k, v in values.items())
    )


def space_dims(space: Space) -> int:
    return len(space)


# ========================================================================= problems


@dataclass
class Problem:
    name: str
    space: Space
    fn: Callable[[Values], float]
    optimum: float | None  # None: unknown (scikit-learn problems)
    description: str

    @property
    def cheap(self) -> bool:
        return self.optimum is not None


def branin(v: Values) -> float:
    x1, x2 = v["x1"], v["x2"]
    b, c = 5.1 / (4 * math.pi**2), 5 / math.pi
    return (x2 - b * x1**2 + c * x1 - 6) ** 2 + 10 * (1 - 1 / (8 * math.pi)) * math.cos(x1) + 10


_H6_ALPHA = np.array([1.0, 1.2, 3.0, 3.2])
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


def hartmann6(v: Values) -> float:
    x = np.array([v[f"x{i}"] for i in range(1, 7)])
    return float(-np.sum(_H6_ALPHA * np.exp(-np.sum(_H6_A * (x - _H6_P) ** 2, axis=1))))


def _log_unit(x: float, best: float, lo: float, hi: float) -> float:
    """Signed distance of ``x`` from ``best`` on the log scale of [lo, hi], in units
    of the range (so -1..1)."""
    return (math.log(x) - math.log(best)) / (math.log(hi) - math.log(lo))


_MIXED_ACTIVATION = {"relu": 0.3, "tanh": 0.6, "gelu": 0.0, "sigmoid": 1.2, "elu": 0.45}
_MIXED_OPTIMIZER = {"sgd": 0.8, "adam": 0.0, "rmsprop": 0.25, "adagrad": 0.6}
_MIXED_BEST_LR = {"sgd": 3e-2, "adam": 3e-3, "rmsprop": 1e-3, "adagrad": 1e-2}


def mixed10(v: Values) -> float:
    """0 at x1=0.3, x2=0.77, dropout=0.15, lr=3e-3, wd=1e-4, units=128, layers=3,
    activation=gelu, optimizer=adam, batch_norm=True; positive elsewhere."""
    a, b = v["x1"] - 0.3, v["x2"] - 0.77
    f = 2 * (a + b) ** 2 + 8 * (a - b) ** 2  # rotated quadratic: x1, x2 interact
    f += 0.3 * (1 - math.cos(6 * math.pi * a))  # ripples: local minima along x1
    f += 4 * ((v["dropout"] - 0.15) / 0.5) ** 2
    u_lr = _log_unit(v["lr"], _MIXED_BEST_LR[v["optimizer"]], 1e-5, 1e-1)
    f += 6 * u_lr**2 + 0.2 * (1 - math.cos(8 * math.pi * u_lr))
    f += 3 * _log_unit(v["wd"], 1e-4, 1e-7, 1e-2) ** 2
    f += 4 * _log_unit(v["units"], 128, 8, 1024) ** 2
    f += 3 * ((v["layers"] - 3) / 7) ** 2
    f += _MIXED_ACTIVATION[v["activation"]] + _MIXED_OPTIMIZER[v["optimizer"]]
    f += 0.0 if v["batch_norm"] else 0.4
    return f


_COND_PENALTY = {"l1": 0.1, "l2": 0.0, "elasticnet": 0.05}


def conditional(v: Values) -> float:
    """Each ``model`` branch has its own floor (linear 0.5, tree 0.25, net 0)."""
    model = v["model"]
    if model == "linear":
        return 0.5 + 2 * _log_unit(v["alpha"], 1e-2, 1e-6, 1e2) ** 2 + _COND_PENALTY[v["penalty"]]
    if model == "tree":
        return 0.25 + 2 * ((v["depth"] - 7) / 19) ** 2 + 2 * _log_unit(v["min_leaf"], 4, 1, 64) ** 2
    return (
        3 * _log_unit(v["width"], 64, 4, 512) ** 2
        + 4 * _log_unit(v["net_lr"], 1e-2, 1e-5, 1.0) ** 2
        + 2 * ((v["momentum"] - 0.9) / 0.99) ** 2
    )


@functools.cache
def _dataset(name: str) -> tuple[np.ndarray, np.ndarray]:
    from sklearn import datasets

    if name == "digits":
        x, y = datasets.load_digits(return_X_y=True)
        rows = np.random.default_rng(0).permutation(len(x))[:600]
        return x[rows] / 16.0, y[rows]
    loader = {"cancer": datasets.load_breast_cancer, "wine": datasets.load_wine}[name]
    x, y = loader(return_X_y=True)
    return x, y


def _cv_score(model: Any, data: str, scoring: str) -> float:
    from sklearn.model_selection import StratifiedKFold, cross_val_score

    x, y = _dataset(data)
    folds = StratifiedKFold(n_splits=3, shuffle=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence warnings at low max_iter
        scores = cross_val_score(model, x, y, cv=folds, scoring=scoring, error_score=np.nan)
    return float(np.mean(scores))


def mlp_digits(v: Values) -> float:
    from sklearn.neural_network import MLPClassifier

    model = MLPClassifier(
        hidden_layer_sizes=(v["hidden"],),
        activation=v["activation"],
        alpha=v["alpha"],
        learning_rate_init=v["lr"],
        batch_size=v["batch_size"],
        max_iter=20,
        random_state=0,
    )
    return 1.0 - _cv_score(model, "digits", "accuracy")


def _mlp_log_loss(v: Values, data: str) -> float:
    """A scaled MLP's 3-fold CV log loss: width, depth, learning rate, batch size and
    L2 alpha, the hyperparameters people tune on tabular data (30 epochs)."""
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    model = MLPClassifier(
        hidden_layer_sizes=(v["width"],) * v["depth"],
        alpha=v["alpha"],
        learning_rate_init=v["lr"],
        batch_size=v["batch_size"],
        max_iter=30,
        random_state=0,
    )
    loss = -_cv_score(make_pipeline(StandardScaler(), model), data, "neg_log_loss")
    return loss if math.isfinite(loss) else 10.0  # a diverged fit: a bad, finite score


def mlp_cancer(v: Values) -> float:
    return _mlp_log_loss(v, "cancer")


def mlp_wine(v: Values) -> float:
    return _mlp_log_loss(v, "wine")


# The stepped family: the MLP of ``_mlp_log_loss`` trained only on a coarse grid of
# values, as a table of results trained in advance would hold them. The space is
# declared as usual (log-scaled ranges); each value is snapped to the nearest grid
# level on its own scale, so the objective is a staircase of plateaus.
STEP_LEVELS: dict[str, list[float]] = {
    "lr": [float(10**e) for e in np.linspace(-4, -1, 6)],
    "batch_size": [16, 32, 64, 128, 256],
    "width": [8, 16, 32, 64, 128],
    "depth": [1, 2, 3],
    "alpha": [float(10**e) for e in np.linspace(-6, -1, 6)],
}
# Where a grid point's result is kept between processes and runs (set by --grid-cache).
GRID_CACHE_ENV = "SEARCH_QUALITY_GRID_CACHE"
_GRID_MEMO: dict[tuple[str, tuple[int, ...]], float] = {}


def snap_to_grid(v: Values) -> tuple[int, ...]:
    """The level index of each of ``v``'s values in :data:`STEP_LEVELS` (nearest on
    the log scale, so a level owns the interval halfway to its neighbours)."""
    out = []
    for name, levels in STEP_LEVELS.items():
        logs = np.log(np.asarray(levels, dtype=float))
        out.append(int(np.argmin(np.abs(logs - math.log(v[name])))))
    return tuple(out)


def _stepped_mlp(v: Values, data: str) -> float:
    """``_mlp_log_loss`` at the grid point of ``v``: trained once per grid point and
    process (and once in all when ``$SEARCH_QUALITY_GRID_CACHE`` names a folder)."""
    point = snap_to_grid(v)
    key = (data, point)
    if key in _GRID_MEMO:
        return _GRID_MEMO[key]
    folder = os.environ.get(GRID_CACHE_ENV)
    path = os.path.join(folder, f"step_{data}.jsonl") if folder else None
    if path and os.path.exists(path):
        with open(path) as f:
            for line in f:
                entry = json.loads(line)
                _GRID_MEMO[(data, tuple(entry["point"]))] = entry["value"]
        if key in _GRID_MEMO:
            return _GRID_MEMO[key]
    snapped = {name: STEP_LEVELS[name][i] for name, i in zip(STEP_LEVELS, point, strict=True)}
    value = _mlp_log_loss(snapped, data)
    _GRID_MEMO[key] = value
    if path:
        # One short line appended at once: concurrent workers do not interleave.
        with open(path, "a") as f:
            f.write(json.dumps({"point": list(point), "value": value}) + "\n")
    return value


def step_mlp_cancer(v: Values) -> float:
    return _stepped_mlp(v, "cancer")


def step_mlp_wine(v: Values) -> float:
    return _stepped_mlp(v, "wine")


def svm_cancer(v: Values) -> float:
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    svc = SVC(
        C=v["C"],
        gamma=v["gamma"],
        kernel=v["kernel"],
        degree=v.get("degree", 3),
        coef0=v.get("coef0", 0.0),
        max_iter=200_000,
    )
    return 1.0 - _cv_score(make_pipeline(StandardScaler(), svc), "cancer", "roc_auc")


def hgb_wine(v: Values) -> float:
    from sklearn.ensemble import HistGradientBoostingClassifier

    model = HistGradientBoostingClassifier(
        learning_rate=v["learning_rate"],
        max_iter=v["max_iter"],
        max_leaf_nodes=v["max_leaf_nodes"],
        min_samples_leaf=v["min_samples_leaf"],
        l2_regularization=v["l2_regularization"],
        early_stopping=False,
        random_state=0,
    )
    return -_cv_score(model, "wine", "neg_log_loss")


def _unit_floats(names: Sequence[str], low: float = 0.0, high: float = 1.0) -> Space:
    return [{"name": n, "type": "float", "low": low, "high": high} for n in names]


#: The space of the scaled MLPs (mlp_cancer, mlp_wine) and of their stepped versions.
MLP_SPACE = [
    {"name": "lr", "type": "float", "low": 1e-4, "high": 1e-1, "log": True},
    {"name": "batch_size", "type": "int", "low": 16, "high": 256, "log": True},
    {"name": "width", "type": "int", "low": 8, "high": 128, "log": True},
    {"name": "depth", "type": "int", "low": 1, "high": 3},
    {"name": "alpha", "type": "float", "low": 1e-6, "high": 1e-1, "log": True},
]

PROBLEMS: dict[str, Problem] = {
    p.name: p
    for p in [
        Problem(
            "branin",
            [
                {"name": "x1", "type": "float", "low": -5.0, "high": 10.0},
                {"name": "x2", "type": "float", "low": 0.0, "high": 15.0},
            ],
            branin,
            0.39788735772973816,
            "Branin, 2 floats, 3 global minima",
        ),
        Problem(
            "hartmann6",
            _unit_floats([f"x{i}" for i in range(1, 7)]),
            hartmann6,
            -3.322368011415515,
            "Hartmann-6, 6 floats in [0, 1]",
        ),
        Problem(
            "mixed10",
            [
                *_unit_floats(["x1", "x2"]),
                {"name": "dropout", "type": "float", "low": 0.0, "high": 0.5, "step": 0.05},
                {"name": "lr", "type": "float", "low": 1e-5, "high": 1e-1, "log": True},
                {"name": "wd", "type": "float", "low": 1e-7, "high": 1e-2, "log": True},
                {"name": "units", "type": "int", "low": 8, "high": 1024, "log": True},
                {"name": "layers", "type": "int", "low": 1, "high": 8},
                {"name": "activation", "type": "choice", "choices": list(_MIXED_ACTIVATION)},
                {"name": "optimizer", "type": "choice", "choices": list(_MIXED_OPTIMIZER)},
                {"name": "batch_norm", "type": "bool"},
            ],
            mixed10,
            0.0,
            "10-D: 3 linear floats (one stepped), 2 log floats, log int, int, 2 choices, bool",
        ),
        Problem(
            "conditional",
            [
                {"name": "model", "type": "choice", "choices": ["linear", "tree", "net"]},
                {"name": "alpha", "type": "float", "low": 1e-6, "high": 1e2, "log": True,
                 "condition": ("model", ["linear"])},
                {"name": "penalty", "type": "choice", "choices": list(_COND_PENALTY),
                 "condition": ("model", ["linear"])},
                {"name": "depth", "type": "int", "low": 1, "high": 20,
                 "condition": ("model", ["tree"])},
                {"name": "min_leaf", "type": "int", "low": 1, "high": 64, "log": True,
                 "condition": ("model", ["tree"])},
                {"name": "width", "type": "int", "low": 4, "high": 512, "log": True,
                 "condition": ("model", ["net"])},
                {"name": "net_lr", "type": "float", "low": 1e-5, "high": 1.0, "log": True,
                 "condition": ("model", ["net"])},
                {"name": "momentum", "type": "float", "low": 0.0, "high": 0.99,
                 "condition": ("model", ["net"])},
            ],
            conditional,
            0.0,
            "model choice with 2-3 conditional hyperparameters per branch, optimum in 'net'",
        ),
        Problem(
            "mlp_digits",
            [
                {"name": "hidden", "type": "int", "low": 8, "high": 128, "log": True},
                {"name": "activation", "type": "choice", "choices": ["relu", "tanh", "logistic"]},
                {"name": "alpha", "type": "float", "low": 1e-6, "high": 1e-1, "log": True},
                {"name": "lr", "type": "float", "low": 1e-4, "high": 3e-1, "log": True},
                {"name": "batch_size", "type": "int", "low": 16, "high": 256, "log": True},
            ],
            mlp_digits,
            None,
            "MLPClassifier on 600 digits, 20 epochs, 3-fold CV error",
        ),
        *(
            Problem(
                name,
                MLP_SPACE,
                function,
                None,
                f"scaled MLPClassifier on {data}, 30 epochs, 3-fold CV log loss",
            )
            for name, function, data in (
                ("mlp_cancer", mlp_cancer, "breast cancer"),
                ("mlp_wine", mlp_wine, "wine"),
            )
        ),
        *(
            Problem(
                name,
                MLP_SPACE,
                function,
                None,
                f"mlp_{data} trained only on a grid (6 x 5 x 5 x 3 x 6 levels): a staircase",
            )
            for name, function, data in (
                ("step_mlp_cancer", step_mlp_cancer, "cancer"),
                ("step_mlp_wine", step_mlp_wine, "wine"),
            )
        ),
        Problem(
            "svm_cancer",
            [
                {"name": "C", "type": "float", "low": 1e-3, "high": 1e3, "log": True},
                {"name": "gamma", "type": "float", "low": 1e-5, "high": 1e1, "log": True},
                {"name": "kernel", "type": "choice", "choices": ["rbf", "poly", "sigmoid"]},
                {"name": "degree", "type": "int", "low": 2, "high": 5,
                 "condition": ("kernel", ["poly"])},
                {"name": "coef0", "type": "float", "low": 0.0, "high": 1.0,
                 "condition": ("kernel", ["poly", "sigmoid"])},
            ],
            svm_cancer,
            None,
            "SVC on breast cancer, 3-fold CV 1 - ROC AUC, conditional degree/coef0",
        ),
        Problem(
            "hgb_wine",
            [
                {"name": "learning_rate", "type": "float", "low": 1e-3, "high": 1.0, "log": True},
                {"name": "max_iter", "type": "int", "low": 10, "high": 100, "log": True},
                {"name": "max_leaf_nodes", "type": "int", "low": 2, "high": 64, "log": True},
                {"name": "min_samples_leaf", "type": "int", "low": 1, "high": 40, "log": True},
                {"name": "l2_regularization", "type": "float", "low": 1e-6, "high": 10.0,
                 "log": True},
            ],
            hgb_wine,
            None,
            "HistGradientBoosting on wine, 3-fold CV log loss",
        ),
    ]
}  # fmt: skip

# Evaluations are deterministic: one cache per problem and process.
_CACHE: dict[str, dict[tuple[tuple[str, Any], ...], float]] = {}


def evaluate(problem: Problem, values: Values) -> tuple[float, float, bool]:
    """``(value, seconds, cached)``; a failed or non-finite evaluation scores +inf."""
    cache = _CACHE.setdefault(problem.name, {})
    key = config_key(values)
    if key in cache:
        return cache[key], 0.0, True
    start = time.perf_counter()
    try:
        value = float(problem.fn(values))
    except Exception:  # a crashing configuration is a bad one, not a crash of the run
        value = math.inf
    if not math.isfinite(value):
        value = math.inf
    cache[key] = value
    return value, time.perf_counter() - start, False


# ========================================================================= adapters


class Runner(Protocol):
    """One search of one method: ``ask`` returns a configuration (``None`` = done)."""

    trial: Any  # what the last ask() handed out; tell(value, trial) ends that one

    def ask(self) -> Values | None: ...

    def tell(self, value: float, trial: Any = None) -> None: ...

    def close(self) -> None: ...


@dataclass
class Method:
    name: str
    library: str
    make: Callable[[Space, int, int], Runner]  # (space, seed, budget)
    is_random: bool = False


def _bound(p: Param, key: str) -> Any:
    return int(p[key]) if p["type"] == "int" else float(p[key])


# ----------------------------------------------------------------------- tunesmith


def declare_space(hp: Any, space: Space) -> Any:
    """Declare ``space`` on ``hp``: tunesmith's and keras-tuner's ``HyperParameters``
    share these methods and arguments, so one declaration serves both."""
    for p in space:
        cond = p.get("condition")
        where = {"parent_name": cond[0], "parent_values": list(cond[1])} if cond else {}
        kind, name = p["type"], p["name"]
        if kind in ("int", "float"):
            define = hp.Int if kind == "int" else hp.Float
            define(
                name,
                _bound(p, "low"),
                _bound(p, "high"),
                step=p.get("step"),
                sampling="log" if p.get("log") else "linear",
                **where,
            )
        elif kind == "choice":
            hp.Choice(name, list(p["choices"]), **where)
        else:
            hp.Boolean(name, **where)
    return hp


def tunesmith_space(space: Space) -> Any:
    """A ``tunesmith.HyperParameters`` declaring ``space``."""
    from tunesmith import HyperParameters

    return declare_space(HyperParameters(), space)


class TunesmithRunner:
    def __init__(self, oracle: Any) -> None:
        self.oracle = oracle
        self.trial: Any = None

    def ask(self) -> Values | None:
        self.trial = self.oracle.ask()
        return None if self.trial is None else dict(self.trial.values)

    def tell(self, value: float, trial: Any = None) -> None:
        self.oracle.tell(trial or self.trial, {"value": value})

    def close(self) -> None:
        pass


def _tunesmith_objective() -> Any:
    from tunesmith import Objective

    return Objective("value", "min")


def make_tunesmith_random(space: Space, seed: int, budget: int) -> Runner:
    from tunesmith.oracles import RandomSearchOracle

    oracle = RandomSearchOracle(
        objective=_tunesmith_objective(),
        max_trials=budget,
        hyperparameters=tunesmith_space(space),
        seed=seed,
    )
    return TunesmithRunner(oracle)


def tunesmith_bo_class() -> Any | None:
    """tunesmith's Bayesian oracle, or None while this checkout has none."""
    try:
        from tunesmith.oracles import BayesianOptimizationOracle
    except ImportError:
        return None
    return BayesianOptimizationOracle


def make_tunesmith_bo(space: Space, seed: int, budget: int, **options: Any) -> Runner:
    cls = tunesmith_bo_class()
    if cls is None:
        raise RuntimeError("tunesmith.oracles.BayesianOptimizationOracle is not available")
    oracle = cls(
        objective=_tunesmith_objective(),
        max_trials=budget,
        hyperparameters=tunesmith_space(space),
        seed=seed,
        **options,
    )
    return TunesmithRunner(oracle)


def make_tunesmith_bo_capped(cap: int) -> Callable[[Space, int, int], Runner]:
    """tunesmith's Bayesian oracle with its GP fitted on at most ``cap`` results: the
    quality cost of the bound, measured at budgets beyond a small cap."""

    def make(space: Space, seed: int, budget: int) -> Runner:
        return make_tunesmith_bo(space, seed, budget, max_model_points=cap)

    return make


# --------------------------------------------------------------------- keras-tuner


def keras_tuner_space(space: Space) -> Any:
    """A ``keras_tuner.HyperParameters`` declaring ``space``."""
    import keras_tuner

    return declare_space(keras_tuner.HyperParameters(), space)


class KerasTunerRunner:
    """Calls a keras-tuner oracle the way ``BaseTuner.search`` does."""

    TUNER_ID = "tuner0"

    def __init__(self, oracle: Any) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="kt-bench-")
        self.oracle = oracle
        self.oracle._set_project_dir(self._tmp.name, "search")  # what BaseTuner.__init__ does
        self.oracle.verbose = 0  # no per-trial display
        self.trial: Any = None

    def ask(self) -> Values | None:
        from keras_tuner.src.engine import trial as trial_module

        while True:
            trial = self.oracle.create_trial(self.TUNER_ID)
            if trial.status == trial_module.TrialStatus.STOPPED:
                return None
            if trial.status != trial_module.TrialStatus.IDLE:
                break
        self.trial = trial
        return dict(trial.hyperparameters.values)

    def tell(self, value: float, trial: Any = None) -> None:
        from keras_tuner.src.engine import trial as trial_module

        if trial is not None and trial is not self.trial:
            raise ValueError("keras-tuner's oracle holds one running trial per tuner id")

        self.oracle.update_trial(self.trial.trial_id, {"value": value}, step=0)
        self.trial.status = trial_module.TrialStatus.COMPLETED
        self.oracle.end_trial(self.trial)

    def close(self) -> None:
        self._tmp.cleanup()


def make_keras_tuner(kind: str) -> Callable[[Space, int, int], Runner]:
    def make(space: Space, seed: int, budget: int) -> Runner:
        import keras_tuner

        cls = {
            "bo": keras_tuner.oracles.BayesianOptimizationOracle,
            "random": keras_tuner.oracles.RandomSearchOracle,
        }[kind]
        oracle = cls(
            objective=keras_tuner.Objective("value", "min"),
            max_trials=budget,
            hyperparameters=keras_tuner_space(space),
            seed=seed,  # keras-tuner treats 0 as "no seed": see library_seed
        )
        return KerasTunerRunner(oracle)

    return make


# -------------------------------------------------------------------------- optuna


def optuna_suggest(trial: Any, space: Space) -> Values:
    """Define-by-run: suggest the active hyperparameters in order."""
    values: Values = {}
    for p in space:
        if not is_active(p, values):
            continue
        kind, name = p["type"], p["name"]
        if kind == "int":
            values[name] = trial.suggest_int(
                name, int(p["low"]), int(p["high"]), step=int(p.get("step", 1)),
                log=bool(p.get("log")),
            )  # fmt: skip
        elif kind == "float":
            values[name] = trial.suggest_float(
                name, float(p["low"]), float(p["high"]), step=p.get("step"),
                log=bool(p.get("log")),
            )  # fmt: skip
        elif kind == "choice":
            values[name] = trial.suggest_categorical(name, list(p["choices"]))
        else:
            values[name] = trial.suggest_categorical(name, [False, True])
    return values


class OptunaRunner:
    def __init__(self, sampler: Any, space: Space) -> None:
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        self.study = optuna.create_study(direction="minimize", sampler=sampler)
        self.space = space
        self.trial: Any = None

    def ask(self) -> Values | None:
        self.trial = self.study.ask()
        return optuna_suggest(self.trial, self.space)

    def tell(self, value: float, trial: Any = None) -> None:
        self.study.tell(trial or self.trial, value)

    def close(self) -> None:
        pass


def make_optuna(kind: str) -> Callable[[Space, int, int], Runner]:
    def make(space: Space, seed: int, budget: int, **options: Any) -> Runner:
        import optuna

        if kind == "tpe":
            # With trials pending, optuna's documented way: the constant liar.
            liar = {"constant_liar": True} if options.pop("pending", 1) > 1 else {}
            sampler = optuna.samplers.TPESampler(seed=seed, **liar, **options)
        else:
            options.pop("pending", None)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # ExperimentalWarning in some versions
                sampler = optuna.samplers.GPSampler(
                    seed=seed, warn_independent_sampling=False, **options
                )
        return OptunaRunner(sampler, space)

    return make


METHODS: dict[str, Method] = {
    m.name: m
    for m in [
        Method("tunesmith-bo", "tunesmith", make_tunesmith_bo),
        Method("tunesmith-bo-cap50", "tunesmith", make_tunesmith_bo_capped(50)),
        Method("tunesmith-bo-cap100", "tunesmith", make_tunesmith_bo_capped(100)),
        Method("tunesmith-random", "tunesmith", make_tunesmith_random, is_random=True),
        Method("kt-bo", "keras-tuner", make_keras_tuner("bo")),
        Method("kt-random", "keras-tuner", make_keras_tuner("random"), is_random=True),
        Method("optuna-tpe", "optuna", make_optuna("tpe")),
        Method("optuna-gp", "optuna", make_optuna("gp")),
    ]
}


# Run only when named: the bounded GP's quality cost (see make_tunesmith_bo_capped).
OPT_IN = ("tunesmith-bo-cap50", "tunesmith-bo-cap100")


def split_method(label: str) -> tuple[str, int]:
    """``"tunesmith-bo@4"`` → ``("tunesmith-bo", 4)``: a method with 4 trials pending."""
    name, _, pending = label.partition("@")
    return name, int(pending) if pending else 1


def method_label(name: str, pending: int) -> str:
    return name if pending == 1 else f"{name}@{pending}"


def method_available(name: str, pending: int = 1) -> str | None:
    """Why ``name`` cannot run here, or None when it can."""
    if pending > 1 and METHODS[name].library == "keras-tuner":
        return "keras-tuner's oracle runs one trial per tuner id (its workers are tuners)"
    if name.startswith("tunesmith-bo") and tunesmith_bo_class() is None:
        return "tunesmith.oracles.BayesianOptimizationOracle does not exist yet"
    if name == "optuna-gp":
        try:
            import torch  # noqa: F401  (GPSampler needs it)
        except ImportError:
            return "optuna's GPSampler needs torch, which is not installed"
    return None


# ============================================================================= runs


@dataclass
class Run:
    problem: str
    method: str
    seed: int
    configs: list[Values] = field(default_factory=list)
    values: list[float] = field(default_factory=list)
    ask_s: list[float] = field(default_factory=list)
    tell_s: list[float] = field(default_factory=list)
    eval_s: float = 0.0
    cache_hits: int = 0
    wall_s: float = 0.0
    stopped_early: str | None = None
    pending: int = 1  # trials running at once (asked, not yet told)
    error: str | None = None
    clipped: list[str] = field(default_factory=list)  # proposals outside the space


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


# keras-tuner seeds its draws with ``seed, seed + 1, seed + 2...`` (one number per value
# drawn), so its runs with seeds 1 and 2 are the same draws shifted by one. Seed i of
# the benchmark is passed to every library as ``i * SEED_SPACING``: far enough apart
# that no keras-tuner run reuses another's numbers.
SEED_SPACING = 100_003


def library_seed(seed: int) -> int:
    return seed * SEED_SPACING


def run_one(problem_name: str, method_name: str, seed: int, budget: int) -> Run:
    """One search: ``budget`` ask -> evaluate -> tell rounds of one method
    (``method@k``: with ``k`` trials pending, see :func:`run_pending`)."""
    return run_pending(problem_name, method_name, seed, budget)


def run_pending(problem_name: str, label: str, seed: int, budget: int) -> Run:
    """``budget`` trials with ``k`` running at once, as ``k`` workers would run them
    (``k = 1``: ask, evaluate, tell, one trial after another).

    Each trial is given a duration drawn uniformly from 1 to 30 (simulated
    seconds, the same draws for every method at a seed); the method is asked
    for trials until ``k`` run, and the one that ends first is told, then the
    next is asked. Values are recorded in the order they are told, so
    "best of the first b" means the first b results a parallel search had.
    """
    import heapq

    base, pending = split_method(label)
    problem, method = PROBLEMS[problem_name], METHODS[base]
    run = Run(problem_name, label, seed, pending=pending)
    durations = np.random.default_rng([seed, 77]).uniform(1.0, 30.0, size=budget)
    start = time.perf_counter()
    runner: Runner | None = None
    try:
        with _quiet():
            options = {"pending": pending} if method.library == "optuna" else {}
            runner = method.make(problem.space, library_seed(seed), budget, **options)
            running: list[tuple[float, int, Any, Values, float]] = []
            clock, asked = 0.0, 0
            while len(run.values) < budget:
                while len(running) < pending and asked < budget:
                    t0 = time.perf_counter()
                    raw = runner.ask()
                    if raw is None:
                        break
                    run.ask_s.append(time.perf_counter() - t0)
                    values = check_values(problem.space, raw, run.clipped)
                    value, seconds, cached = evaluate(problem, values)
                    run.eval_s += seconds
                    run.cache_hits += cached
                    entry = (clock + durations[asked], asked, runner.trial, values, value)
                    heapq.heappush(running, entry)
                    asked += 1
                if not running:
                    run.stopped_early = f"ask() returned nothing after {len(run.values)} trials"
                    break
                clock, _, trial, values, value = heapq.heappop(running)
                t2 = time.perf_counter()
                runner.tell(value, trial)
                run.tell_s.append(time.perf_counter() - t2)
                run.configs.append(values)
                run.values.append(value)
    except Exception:
        run.error = traceback.format_exc()
    finally:
        if runner is not None:
            runner.close()
    run.wall_s = time.perf_counter() - start
    return run


def _worker_init() -> None:
    logging.getLogger("optuna").setLevel(logging.WARNING)


def run_jobs(
    jobs: list[tuple[str, str, int]], budget: int, workers: int, max_minutes: float | None
) -> tuple[list[Run], int]:
    """Run every job (problem, method, seed); return the runs and how many were skipped
    by the time limit. Progress goes to stderr."""
    runs: list[Run] = []
    start = time.perf_counter()
    deadline = start + max_minutes * 60 if max_minutes else math.inf

    def progress(run: Run) -> None:
        done = len(runs)
        elapsed = time.perf_counter() - start
        eta = elapsed / done * (len(jobs) - done)
        best = min(run.values) if run.values else math.nan
        flag = "  ERROR" if run.error else ""
        print(
            f"[{done:4d}/{len(jobs)}] {run.problem:<12} {run.method:<17} seed {run.seed:<3} "
            f"best {best:<10.5g} {run.wall_s:6.1f} s (ask {sum(run.ask_s):5.1f} s, "
            f"eval {run.eval_s:5.1f} s)  elapsed {elapsed / 60:5.1f} min, "
            f"eta {eta / 60:5.1f} min{flag}",
            file=sys.stderr,
            flush=True,
        )

    if workers <= 1:
        _worker_init()
        for job in jobs:
            if time.perf_counter() > deadline:
                break
            runs.append(run_one(*job, budget))
            progress(runs[-1])
        return runs, len(jobs) - len(runs)

    pending = list(jobs)
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=get_context("spawn"), initializer=_worker_init
    ) as pool:
        running: set[Future[Run]] = set()
        while pending or running:
            while pending and len(running) < workers and time.perf_counter() < deadline:
                running.add(pool.submit(run_one, *pending.pop(0), budget))
            if not running:
                break
            finished, running = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                runs.append(future.result())
                progress(runs[-1])
    return runs, len(pending)


# ==================================================================== normalisation


def expected_best_of(pool: Sequence[float], b: int) -> float:
    """Expected minimum of ``b`` values drawn without replacement from ``pool``."""
    ordered = sorted(pool)
    n = len(ordered)
    if n < b:
        raise ValueError(f"reference pool of {n} values is smaller than the budget {b}")
    total = math.comb(n, b)
    # P(min is the k-th smallest, k from 0) = C(n - k - 1, b - 1) / C(n, b)
    return sum(v * math.comb(n - k - 1, b - 1) / total for k, v in enumerate(ordered) if n - k >= b)


def reference_pools(
    problems: Sequence[str], runs: Sequence[Run], cheap_size: int, ref_min: int
) -> dict[str, list[float]]:
    """Per problem, the values of uniformly random configurations that define R_b."""
    from tunesmith.space import sample_values

    pools: dict[str, list[float]] = {}
    for name in problems:
        problem = PROBLEMS[name]
        if problem.cheap:
            pool: list[float] = []
            target = cheap_size
        else:
            pool = [
                v
                for r in runs
                if r.problem == name and METHODS[split_method(r.method)[0]].is_random
                for v in r.values
            ]
            target = ref_min
        missing = target - len(pool)
        if missing > 0:
            hp = tunesmith_space(problem.space)
            rng = np.random.default_rng(20240611)
            if not problem.cheap:
                print(
                    f"reference pool of {name}: evaluating {missing} random configurations",
                    file=sys.stderr,
                    flush=True,
                )
            with _quiet():
                for _ in range(missing):
                    values = check_values(problem.space, sample_values(hp, rng))
                    pool.append(evaluate(problem, values)[0])
        pools[name] = pool
    return pools


# ========================================================================== scoring


def best_at(values: Sequence[float], b: int) -> float:
    head = values[:b]
    return min(head) if head else math.inf


def _mean_se(xs: Sequence[float]) -> tuple[float, float]:
    if not xs:
        return math.nan, math.nan
    mean = statistics.fmean(xs)
    se = statistics.stdev(xs) / math.sqrt(len(xs)) if len(xs) > 1 else math.nan
    return mean, se


def _ranks(scores: Sequence[float]) -> list[float]:
    """Ranks from 1 (lowest score), ties sharing the mean of their ranks."""
    order = sorted(range(len(scores)), key=lambda i: scores[i])
    ranks = [0.0] * len(scores)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and scores[order[j + 1]] == scores[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def _fmt(mean: float, se: float, digits: int = 2) -> str:
    if math.isnan(mean):
        return "-"
    if math.isinf(mean):
        return "inf"
    return f"{mean:.{digits}f}" if math.isnan(se) else f"{mean:.{digits}f} ± {se:.{digits}f}"


def _percentile(xs: Sequence[float], q: float) -> float:
    return float(np.percentile(xs, q)) if xs else math.nan


def text_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        first = cells[0].ljust(widths[0])
        return "  ".join([first, *(c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True))])

    return "\n".join([line(headers), "  ".join("-" * w for w in widths), *map(line, rows)])


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    out = [
        "| " + " | ".join(headers) + " |",
        "|" + "|".join(["---"] + ["--:"] * (len(headers) - 1)) + "|",
    ]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


def report(data: dict[str, Any]) -> str:
    """Every table of a results document (what ``--output`` writes)."""
    runs = [Run(**r) for r in data["runs"]]
    budgets: list[int] = data["meta"]["report_at"]
    pools: dict[str, list[float]] = data["pools"]
    methods = [m for m in data["meta"]["methods"] if any(r.method == m for r in runs)]
    problems = [p for p in data["meta"]["problems"] if p in pools]
    out: list[str] = []

    failed = [r for r in runs if r.error]
    for r in failed:
        last = r.error.strip().splitlines()[-1] if r.error else ""
        out.append(f"NOTE: {r.method} on {r.problem} seed {r.seed} failed: {last}")
    clipped: dict[str, list[str]] = {}
    for r in runs:
        clipped.setdefault(r.method, []).extend(r.clipped)
    for m, items in clipped.items():
        if items:
            out.append(
                f"NOTE: {m} proposed {len(items)} values outside the space, clipped into it "
                f"(e.g. {items[0]})"
            )
    short = [r for r in runs if r.stopped_early and not r.error]
    for r in short:
        out.append(f"NOTE: {r.method} on {r.problem} seed {r.seed}: {r.stopped_early}")
    good = [r for r in runs if not r.error]

    # Optimum (known, or best seen) and R_b per problem.
    optimum: dict[str, float] = {}
    ref: dict[str, dict[int, float]] = {}
    rows = []
    for p in problems:
        known = data["problems"][p]["optimum"]
        seen = [v for r in good if r.problem == p for v in r.values] + pools[p]
        optimum[p] = known if known is not None else min(seen)
        ref[p] = {b: expected_best_of(pools[p], b) for b in budgets}
        rows.append(
            [p, data["problems"][p]["dims_text"], "known" if known is not None else "best seen",
             f"{optimum[p]:.6g}", str(len(pools[p])),
             *(f"{ref[p][b]:.6g}" for b in budgets)]
        )  # fmt: skip
    out.append("")
    out.append("Problems (optimum used for the regret; R_b = expected best of b random draws)")
    out.append(
        text_table(
            ["problem", "dims", "optimum", "value", "pool", *(f"R_{b}" for b in budgets)], rows
        )
    )

    # Complete (problem, seed) cells: every method ran without error.
    by_key = {(r.problem, r.method, r.seed): r for r in good}
    seeds = sorted({r.seed for r in runs})
    cells = [(p, s) for p in problems for s in seeds if all((p, m, s) in by_key for m in methods)]
    incomplete = {(r.problem, r.seed) for r in runs} - set(cells)
    if incomplete:
        out.append(f"NOTE: {len(incomplete)} (problem, seed) cells lack a method and are left out")

    def nreg(p: str, m: str, s: int, b: int) -> float:
        best = best_at(by_key[(p, m, s)].values, b)
        return (best - optimum[p]) / max(ref[p][b] - optimum[p], 1e-12)

    for b in budgets:
        headers = ["method", *problems, "all problems", "mean rank"]
        rows = []
        ranks: dict[str, list[float]] = {m: [] for m in methods}
        for p, s in cells:
            scores = [best_at(by_key[(p, m, s)].values, b) for m in methods]
            for m, rank in zip(methods, _ranks(scores), strict=True):
                ranks[m].append(rank)
        for m in methods:
            per_problem = [
                _mean_se([nreg(p, m, s, b) for q, s in cells if q == p]) for p in problems
            ]
            means = [mp for mp, _ in per_problem if not math.isnan(mp)]
            agg = statistics.fmean(means) if means else math.nan
            ses = [se for _, se in per_problem if not math.isnan(se)]
            agg_se = math.sqrt(sum(se**2 for se in ses)) / len(ses) if ses else math.nan
            rows.append(
                [m, *(_fmt(mp, se) for mp, se in per_problem), _fmt(agg, agg_se),
                 _fmt(*_mean_se(ranks[m]))]
            )  # fmt: skip
        counts = sorted({sum(q == p for q, _ in cells) for p in problems})
        n_seeds = "-".join(map(str, dict.fromkeys([counts[0], counts[-1]]))) if counts else "0"
        title = (
            f"Normalised regret at budget {b} (0 = optimum, ~1 = random search at {b} trials; "
            f"mean ± SE over {n_seeds} seeds per problem; rank among {len(methods)} methods "
            "per problem and seed, 1 = best)"
        )
        out += ["", title, text_table(headers, rows), "", markdown_table(headers, rows)]

    headers = ["method", "asks", "ask median ms", "ask p90 ms", "ask max ms", "tell median ms",
               "ask+tell s per run"]  # fmt: skip
    rows = []
    for m in methods:
        asks = [t for r in good if r.method == m for t in r.ask_s]
        tells = [t for r in good if r.method == m for t in r.tell_s]
        per_run = [sum(r.ask_s) + sum(r.tell_s) for r in good if r.method == m]
        rows.append(
            [m, str(len(asks)), f"{_percentile(asks, 50) * 1e3:.1f}",
             f"{_percentile(asks, 90) * 1e3:.1f}", f"{max(asks, default=math.nan) * 1e3:.1f}",
             f"{_percentile(tells, 50) * 1e3:.1f}", f"{statistics.fmean(per_run):.2f}"]
        )  # fmt: skip
    out += ["", "Time per call, every trial of every problem", text_table(headers, rows), ""]
    out.append(markdown_table(headers, rows))

    timing = data.get("timing")
    if timing:
        headers = ["method", "history", "asks timed", "ask median s", "ask max s", "tell median s"]
        rows, notes = [], []
        for t in timing["results"]:
            if t.get("error"):
                notes.append(f"NOTE: {t['method']}: {t['error']}")
                rows.append([t["method"], str(t["history"]), "0", "-", "-", "-"])
                continue
            rows.append(
                [t["method"], str(t["history"]), str(len(t["ask_s"])),
                 f"{statistics.median(t['ask_s']):.3f}", f"{max(t['ask_s']):.3f}",
                 f"{statistics.median(t['tell_s']):.3f}"]
            )  # fmt: skip
        title = (
            f"ask() with {timing['history']} completed trials, {timing['problem']} (10-D); "
            "target: tunesmith median < 0.5 s"
        )
        out += ["", title, *notes, text_table(headers, rows), ""]
        out.append(markdown_table(headers, rows))
    return "\n".join(out)


def merge_results(specs: Sequence[str]) -> dict[str, Any]:
    """One results document from several (``FILE`` or ``FILE=TAG``): the first file's
    problems, pools and budgets, every file's runs, a tagged file's methods renamed
    ``METHOD+TAG`` (to set a changed sampler beside the methods of an earlier run)."""
    merged: dict[str, Any] | None = None
    for spec in specs:
        path, _, tag = spec.partition("=")
        with open(path) as f:
            data = json.load(f)
        if tag:
            for r in data["runs"]:
                r["method"] = f"{r['method']}+{tag}"
            data["meta"]["methods"] = [f"{m}+{tag}" for m in data["meta"]["methods"]]
        if merged is None:
            merged = data
            continue
        merged["runs"] += data["runs"]
        known = merged["meta"]["methods"]
        known += [m for m in data["meta"]["methods"] if m not in known]
    if merged is None:
        raise SystemExit("--report needs a file")
    return merged


# =========================================================================== timing


def time_with_history(method_name: str, history: int, asks: int, seed: int = 1) -> dict[str, Any]:
    """ask()/tell() times once ``history`` random trials are complete (mixed10 space)."""
    problem = PROBLEMS["mixed10"]
    result: dict[str, Any] = {"method": method_name, "history": history}
    why = method_available(method_name)
    if why:
        result["error"] = f"skipped: {why}"
        return result
    try:
        with _quiet():
            if method_name == "tunesmith-bo":
                runner = make_tunesmith_bo(
                    problem.space, seed, history + asks, num_initial_points=history
                )
            elif method_name == "optuna-gp":
                runner = make_optuna("gp")(
                    problem.space, seed, history + asks, n_startup_trials=history
                )
            else:
                raise ValueError(f"no history timing for {method_name}")
            ask_s, tell_s = [], []
            for i in range(history + asks):
                t0 = time.perf_counter()
                raw = runner.ask()
                t1 = time.perf_counter()
                if raw is None:
                    raise RuntimeError(f"ask() returned nothing at trial {i}")
                value = problem.fn(check_values(problem.space, raw))
                t2 = time.perf_counter()
                runner.tell(value)
                t3 = time.perf_counter()
                if i >= history:
                    ask_s.append(t1 - t0)
                    tell_s.append(t3 - t2)
            runner.close()
        result.update(ask_s=ask_s, tell_s=tell_s)
    except Exception as exc:
        result["error"] = f"{type(exc).__name__}: {exc}"
        result["traceback"] = traceback.format_exc()
    return result


# ============================================================================= main


def _tunesmith_source() -> dict[str, str]:
    """The commit of this checkout and a digest of ``tunesmith/`` as it is now (the
    oracles may be uncommitted work in progress)."""
    import hashlib
    import subprocess
    from pathlib import Path

    import tunesmith

    root = Path(tunesmith.__file__).parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode() + path.read_bytes())
    try:
        commit = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--", "."],
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        commit, dirty = "unknown", ""
    return {
        "tunesmith commit": commit + (" + uncommitted changes" if dirty else ""),
        "tunesmith sources sha256": digest.hexdigest()[:12],
    }


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version(), "platform": platform.platform()}
    for dist in ("tunesmith", "keras-tuner", "keras", "optuna", "torch", "scikit-learn", "numpy"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = "not installed"
    return out


def _names(text: str, known: dict[str, Any], what: str) -> list[str]:
    if text == "all":
        return [n for n in known if n not in OPT_IN]
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in known]
    if unknown:
        raise SystemExit(f"unknown {what}: {', '.join(unknown)} (known: {', '.join(known)})")
    return names


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seeds", type=int, default=10, help="seeds per problem and method")
    parser.add_argument(
        "--first-seed", type=int, default=1,
        help="the first seed (seeds run from it on; to add seeds to an earlier run)",
    )  # fmt: skip
    parser.add_argument("--budget", type=int, default=50, help="trials per run")
    parser.add_argument(
        "--report-at", default=None, help="budgets to score, comma-separated (default: half, full)"
    )
    parser.add_argument("--problems", default="all", help=f"comma list of {', '.join(PROBLEMS)}")
    parser.add_argument("--methods", default="all", help=f"comma list of {', '.join(METHODS)}")
    parser.add_argument("--workers", type=int, default=1, help="worker processes")
    parser.add_argument(
        "--pending", default="1",
        help="trials running at once, comma-separated (e.g. 1,4,8): each method runs at "
        "each, as METHOD@k; k > 1 asks k trials ahead and tells in completion order",
    )  # fmt: skip
    parser.add_argument(
        "--quick", action="store_true",
        help="smoke run: 2 seeds, budget 10, problems branin and svm_cancer",
    )  # fmt: skip
    parser.add_argument("--output", help="write raw traces and pools as JSON here")
    parser.add_argument(
        "--report", metavar="RESULTS_JSON", nargs="+",
        help="only print the tables of a file; with several (FILE or FILE=TAG), their runs "
        "together, each method of a tagged file named METHOD+TAG (reference pools and "
        "budgets from the first file)",
    )  # fmt: skip
    parser.add_argument(
        "--ref-min", type=int, default=None,
        help="least random configurations behind R_b of a scikit-learn problem (default 200)",
    )  # fmt: skip
    parser.add_argument("--ref-cheap", type=int, default=5000, help="pool size, synthetic")
    parser.add_argument("--timing-history", type=int, default=200)
    parser.add_argument("--timing-asks", type=int, default=None, help="default 5 (quick: 3)")
    parser.add_argument("--no-timing", action="store_true", help="skip the 200-trial timing")
    parser.add_argument(
        "--grid-cache", metavar="DIR",
        help="keep the stepped problems' grid results in DIR (shared by workers and runs)",
    )  # fmt: skip
    parser.add_argument(
        "--max-minutes", type=float, default=None,
        help="start no run after this many minutes (the tables use the (problem, seed) pairs "
        "that every method finished)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.quick:
        args.seeds, args.budget = 2, 10
        if args.problems == "all":
            args.problems = "branin,svm_cancer"
    args.report_at = (
        sorted({int(b) for b in args.report_at.split(",")})
        if args.report_at
        else sorted({max(1, args.budget // 2), args.budget})
    )
    if max(args.report_at) > args.budget:
        parser.error("--report-at budgets cannot exceed --budget")
    if args.ref_min is None:
        args.ref_min = max(30 if args.quick else 200, args.budget)
    if args.timing_asks is None:
        args.timing_asks = 3 if args.quick else 5
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.report:
        print(report(merge_results(args.report)))
        return 0

    problems = _names(args.problems, PROBLEMS, "problems")
    if args.grid_cache:
        os.makedirs(args.grid_cache, exist_ok=True)
        os.environ[GRID_CACHE_ENV] = os.path.abspath(args.grid_cache)  # workers inherit it
    methods = []
    pendings = sorted({int(k) for k in args.pending.split(",")})
    for name in _names(args.methods, METHODS, "methods"):
        for pending in pendings:
            label = method_label(name, pending)
            why = method_available(name, pending)
            if why:
                print(f"NOTE: skipping {label}: {why}", flush=True)
            else:
                methods.append(label)
    if not methods:
        raise SystemExit("no method can run")

    started = time.time()
    source = _tunesmith_source()  # before the runs: the code the runs import
    # seed-major order: a time limit leaves whole seeds; methods alternate within a seed
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))  # as library_seed(seed)
    jobs = [(p, m, s) for s in seeds for p in problems for m in methods]
    print(
        f"{len(jobs)} runs: {len(problems)} problems x {len(methods)} methods x {args.seeds} seeds"
        f", budget {args.budget}, {args.workers} worker(s)",
        flush=True,
    )
    runs, skipped = run_jobs(jobs, args.budget, args.workers, args.max_minutes)
    if skipped:
        print(f"NOTE: --max-minutes reached, {skipped} runs not started", flush=True)
    search_s = time.time() - started

    pools = reference_pools(problems, runs, args.ref_cheap, args.ref_min)

    timing = None
    if not args.no_timing:
        results = []
        for name in ("tunesmith-bo", "optuna-gp"):
            print(f"timing {name} with {args.timing_history} trials...", file=sys.stderr)
            results.append(time_with_history(name, args.timing_history, args.timing_asks))
        timing = {"problem": "mixed10", "history": args.timing_history, "results": results}

    data = {
        "meta": {
            "argv": sys.argv,
            "seeds": seeds,
            "budget": args.budget,
            "report_at": args.report_at,
            "problems": problems,
            "methods": methods,
            "workers": args.workers,
            "ref_min": args.ref_min,
            "ref_cheap": args.ref_cheap,
            "started": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(started)),
            "search_s": search_s,
            "total_s": time.time() - started,
            "versions": {**_versions(), **source},
            "threads": {v: os.environ.get(v) for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")},
        },
        "problems": {
            p: {
                "optimum": PROBLEMS[p].optimum,
                "description": PROBLEMS[p].description,
                "space": PROBLEMS[p].space,
                "dims_text": str(space_dims(PROBLEMS[p].space)),
            }
            for p in problems
        },
        "pools": pools,
        "runs": [asdict(r) for r in runs],
        "timing": timing,
    }
    print(report(data))
    print(
        f"\nsearch {search_s / 60:.1f} min, total {(time.time() - started) / 60:.1f} min; "
        f"versions: {', '.join(f'{k} {v}' for k, v in data['meta']['versions'].items())}"
    )
    if args.output:
        with open(args.output, "w") as f:
            json.dump(data, f, default=_json_default)
        print(f"traces written to {args.output}")
    return 0


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, tuple):
        return list(obj)
    raise TypeError(f"not JSON-serialisable: {type(obj).__name__}")


if __name__ == "__main__":
    sys.exit(main())
