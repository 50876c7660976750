"""Run AutoKeras on tunesmith in keras-tuner's place, beside AutoKeras on keras-tuner.

AutoKeras subclasses keras-tuner's ``Tuner`` (``AutoTuner``), ``Oracle``
(``GreedyOracle``), ``HyperModel`` (its ``Graph`` and blocks) and the built-in
``RandomSearch`` / ``BayesianOptimization`` / ``Hyperband`` tuners, and reaches into
their private members. This script runs a handful of small AutoKeras workflows
through its public API only, each in its own subprocess with a timeout, on two sides:

* ``keras-tuner``: AutoKeras as installed, importing the real keras-tuner;
* ``tunesmith``: the same, with ``import keras_tuner`` mapped onto tunesmith by the
  meta-path finder of ``benchmarks/kt_compat/alias_plugin.py``.

Workflows (tiny random data, fixed seeds, ``max_trials`` 2, 1 epoch each):

* ``structured-greedy``: ``StructuredDataClassifier`` on a synthetic table (numeric
  and categorical columns), AutoKeras's default tuner (greedy, task initial hps);
* ``image-<tuner>``: ``ImageClassifier`` on 64 random 16 x 16 x 1 images, 2 classes,
  ``tuner=`` random, bayesian, hyperband, greedy (the first three with the block type
  fixed to ``vanilla`` through ``hyperparameters=``, so no ResNet/EfficientNet is
  built; greedy keeps AutoKeras's own initial hyperparameters);
* ``automodel-clf-<tuner>`` / ``automodel-reg-<tuner>``: ``AutoModel`` with the graph
  ``Input -> DenseBlock -> ClassificationHead`` / ``RegressionHead``, each tuner;
* ``resume-<tuner>``: the classification ``AutoModel`` fitted twice with
  ``overwrite=False`` into the same directory; the second ``fit`` must not fail and
  must not run new trials (AutoKeras's ``AutoTuner`` reloads its ``finished`` state).

After each ``fit`` it calls ``export_model()``, ``predict`` and ``evaluate``. It prints
a table workflow x side -> passed / failed (the error's first line) and, with
``--output``, writes every outcome (traceback tail, trial counts, scores) as JSON.

AutoKeras 3.0.0 builds ``Dense(units)`` from ``numpy.int64`` shapes, which Keras >=
3.12 rejects (``units=1`` "expected a positive integer") on either side. Unless
``--no-shim`` is given, the child process replaces
``autokeras.utils.data_utils.dataset_shape`` by one returning Python ints (both sides
alike); that is a Keras/AutoKeras incompatibility, not a tuner one.

    cd /path/to/tunesmith
    KERAS_BACKEND=jax .venv-bench/bin/python benchmarks/autokeras_compat/run.py \\
        --side both --output autokeras_compat.json

``--only image,resume`` keeps the workflows whose name contains one of the parts;
``--backend tensorflow`` runs the children on Keras's TensorFlow backend.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ALIAS_DIR = HERE.parent / "kt_compat"
SIDES = ("keras-tuner", "tunesmith")
TUNERS = ("random", "bayesian", "hyperband", "greedy")
SEED = 7
TRACEBACK_LINES = 40


# ----------------------------------------------------------------------------- data


def _image_data():
    import numpy as np

    rng = np.random.default_rng(SEED)
    x = rng.random((64, 16, 16, 1), dtype=np.float32)
    y = rng.integers(0, 2, 64)
    return x, y


def _dense_data(regression: bool):
    import numpy as np

    rng = np.random.default_rng(SEED)
    x = rng.normal(size=(96, 8)).astype("float32")
    if regression:
        y = (x @ rng.normal(size=8) + 0.1 * rng.normal(size=96)).astype("float32")
    else:
        y = (x[:, 0] + x[:, 1] > 0).astype("int64")
    return x, y


def _table_data():
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(SEED)
    n = 120
    frame = pd.DataFrame(
        {
            "age": rng.integers(18, 80, n).astype("float64"),
            "income": rng.normal(50.0, 15.0, n),
            "score": rng.random(n),
            "city": rng.choice(["paris", "lyon", "nice"], n),
        }
    )
    y = ((frame["income"] > 50) ^ (frame["city"] == "nice")).astype("int64").to_numpy()
    # AutoKeras 3 accepts numpy arrays only (it rejects a DataFrame in fit).
    return frame.to_numpy(dtype=object).astype(str), y


# ------------------------------------------------------------------------ workflows


def _fixed_vanilla():
    import keras_tuner

    hp = keras_tuner.HyperParameters()
    hp.Fixed("image_block_1/block_type", "vanilla")
    return hp


def _tuner_kwargs(tuner: str) -> dict[str, Any]:
    # AutoKeras's Hyperband defaults to max_epochs=1000; keep its brackets tiny.
    return {"max_epochs": 2} if tuner == "hyperband" else {}


def _use(model, x, y, fit_kwargs: dict[str, Any]) -> dict[str, Any]:
    """fit, then export_model / predict / evaluate; what was found.

    ``export_model()`` rebuilds the best trial's model through the tuner's
    ``get_best_models`` and loads that trial's weights; its weight shapes must be
    those of ``best_model.keras``, the model AutoKeras built from the same best
    hyperparameters (through ``_try_build``) and trained at the end of ``fit``.
    """
    start = time.perf_counter()
    model.fit(x, y, epochs=1, verbose=0, **fit_kwargs)
    fit_seconds = round(time.perf_counter() - start, 1)
    exported = model.export_model()
    final_shapes = _final_model_shapes(model.tuner.best_model_path)
    exported_shapes = [list(w.shape) for w in exported.weights]
    if final_shapes is not None and final_shapes != exported_shapes:
        raise AssertionError(
            f"export_model() is not the best trial's architecture: weight shapes "
            f"{exported_shapes} differ from best_model.keras's {final_shapes}"
        )
    predictions = model.predict(x[:8], verbose=0)
    evaluation = model.evaluate(x, y, verbose=0)
    oracle = model.tuner.oracle
    best = oracle.get_best_trials(1)
    return {
        "fit_seconds": fit_seconds,
        "trials": len(oracle.trials),
        "trial_statuses": sorted({str(t.status) for t in oracle.trials.values()}),
        "best_score": None if not best else best[0].score,
        "trial_values": [
            {"id": t.trial_id, "score": t.score, "values": t.hyperparameters.values}
            for t in sorted(oracle.trials.values(), key=lambda t: str(t.trial_id))
        ],
        "exported": type(exported).__name__,
        "exported_params": int(exported.count_params()),
        "exported_matches_final_model": None if final_shapes is None else True,
        "predict_shape": list(getattr(predictions, "shape", ())),
        "evaluate": [float(v) for v in evaluation]
        if isinstance(evaluation, list)
        else float(evaluation),
    }


def _final_model_shapes(path: str) -> list[list[int]] | None:
    """The weight shapes of AutoKeras's ``best_model.keras``; None when unreadable."""
    import autokeras
    import keras

    try:
        final = keras.models.load_model(path, custom_objects=autokeras.CUSTOM_OBJECTS)
    except Exception:
        return None
    return [list(w.shape) for w in final.weights]


def structured_greedy(workdir: Path) -> dict[str, Any]:
    import autokeras as ak

    x, y = _table_data()
    clf = ak.StructuredDataClassifier(
        max_trials=2, directory=str(workdir), overwrite=True, seed=SEED
    )
    return _use(clf, x, y, {})


def image(tuner: str) -> Callable[[Path], dict[str, Any]]:
    def run(workdir: Path) -> dict[str, Any]:
        import autokeras as ak

        x, y = _image_data()
        extra = _tuner_kwargs(tuner)
        if tuner != "greedy":
            extra["hyperparameters"] = _fixed_vanilla()
        clf = ak.ImageClassifier(
            max_trials=2,
            tuner=tuner,
            directory=str(workdir),
            overwrite=True,
            seed=SEED,
            **extra,
        )
        return _use(clf, x, y, {})

    return run


def _dense_automodel(tuner: str, regression: bool, workdir: Path, overwrite: bool):
    import autokeras as ak

    node = ak.Input()
    hidden = ak.DenseBlock()(node)
    head = ak.RegressionHead() if regression else ak.ClassificationHead()
    return ak.AutoModel(
        inputs=node,
        outputs=head(hidden),
        max_trials=2,
        tuner=tuner,
        directory=str(workdir),
        project_name="dense",
        overwrite=overwrite,
        seed=SEED,
        **_tuner_kwargs(tuner),
    )


def automodel(tuner: str, regression: bool) -> Callable[[Path], dict[str, Any]]:
    def run(workdir: Path) -> dict[str, Any]:
        x, y = _dense_data(regression)
        model = _dense_automodel(tuner, regression, workdir, overwrite=True)
        return _use(model, x, y, {})

    return run


def resume(tuner: str) -> Callable[[Path], dict[str, Any]]:
    def run(workdir: Path) -> dict[str, Any]:
        x, y = _dense_data(regression=False)
        first = _use(_dense_automodel(tuner, False, workdir, overwrite=False), x, y, {})
        second = _use(_dense_automodel(tuner, False, workdir, overwrite=False), x, y, {})
        if second["trials"] != first["trials"]:
            raise AssertionError(
                f"the second fit ran new trials: {first['trials']} trials after the "
                f"first fit, {second['trials']} after the second"
            )
        return {"first": first, "second": second}

    return run


WORKFLOWS: dict[str, Callable[[Path], dict[str, Any]]] = {
    "structured-greedy": structured_greedy,
    **{f"image-{t}": image(t) for t in TUNERS},
    **{f"automodel-clf-{t}": automodel(t, regression=False) for t in TUNERS},
    **{f"automodel-reg-{t}": automodel(t, regression=True) for t in TUNERS},
    **{f"resume-{t}": resume(t) for t in ("greedy", "hyperband")},
}


# ---------------------------------------------------------------------------- child


def _install_alias() -> None:
    """Map ``import keras_tuner`` onto tunesmith (alias_plugin installs on import)."""
    sys.path.insert(0, str(ALIAS_DIR))
    import alias_plugin  # noqa: F401


def _shim_autokeras() -> None:
    """Shapes as Python ints: Keras >= 3.12 rejects ``Dense(numpy.int64(1))``."""
    import numpy as np
    import tree
    from autokeras.utils import data_utils

    def dataset_shape(dataset):
        return tree.map_structure(
            lambda a: np.array([int(d) for d in a.shape], dtype=object), dataset
        )

    data_utils.dataset_shape = dataset_shape


def _shorten(message: str, limit: int = 1500) -> str:
    """An error message cut to ``limit`` characters (Keras prints whole tensors)."""
    return message if len(message) <= limit else message[:limit] + " [...]"


def child(name: str, side: str, workdir: Path, result_file: Path, shim: bool) -> None:
    result: dict[str, Any] = {"workflow": name, "side": side}
    start = time.perf_counter()
    try:
        if side == "tunesmith":
            _install_alias()
        import keras
        import keras_tuner

        result["keras_tuner_module"] = keras_tuner.Tuner.__module__
        expected = "tunesmith" if side == "tunesmith" else "keras_tuner"
        if not keras_tuner.Tuner.__module__.startswith(expected):
            raise RuntimeError(f"keras_tuner.Tuner is {keras_tuner.Tuner!r} on side {side}")
        import autokeras

        result["autokeras"] = autokeras.__version__
        result["backend"] = keras.backend.backend()
        if shim:
            _shim_autokeras()
        keras.utils.set_random_seed(SEED)
        result["details"] = WORKFLOWS[name](workdir)
        result["status"] = "passed"
    except BaseException as exc:  # a workflow's failure is its result
        result["status"] = "failed"
        result["error"] = _shorten(f"{type(exc).__name__}: {exc}".strip())
        frames = "".join(traceback.format_tb(exc.__traceback__)).rstrip().splitlines()
        result["traceback_tail"] = [*frames[-TRACEBACK_LINES:], result["error"]]
    result["seconds"] = round(time.perf_counter() - start, 1)
    result_file.write_text(json.dumps(result, indent=2, default=str))


# --------------------------------------------------------------------------- parent


def run_one(name: str, side: str, args: argparse.Namespace, scratch: Path) -> dict[str, Any]:
    workdir = scratch / side / name
    workdir.mkdir(parents=True, exist_ok=True)
    result_file = workdir / "result.json"
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        name,
        "--side",
        side,
        "--workdir",
        str(workdir),
        "--result-file",
        str(result_file),
    ]
    if args.no_shim:
        command.append("--no-shim")
    env = dict(os.environ, KERAS_BACKEND=args.backend, TF_CPP_MIN_LOG_LEVEL="3")
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=args.timeout
        )
        output = (proc.stdout or "") + (proc.stderr or "")
        returncode: int | None = proc.returncode
    except subprocess.TimeoutExpired as exc:
        output = _text(exc.stdout) + _text(exc.stderr)
        returncode = None
    seconds = round(time.perf_counter() - start, 1)
    if result_file.exists():
        result = json.loads(result_file.read_text())
    else:
        error = (
            f"TimeoutError: no result after {args.timeout} s"
            if returncode is None
            else f"ChildCrashed: exit status {returncode}, no result written"
        )
        result = {"workflow": name, "side": side, "status": "failed", "error": error}
        result["traceback_tail"] = output.rstrip().splitlines()[-TRACEBACK_LINES:]
    result["wall_seconds"] = seconds
    return result


def _text(value: str | bytes | None) -> str:
    if value is None:
        return ""
    return value.decode(errors="replace") if isinstance(value, bytes) else value


def _revision() -> str:
    """The tunesmith checkout's commit, ``+dirty`` when tunesmith/ has changes."""
    root = HERE.parent.parent

    def git(*arguments: str) -> str:
        done = subprocess.run(["git", "-C", str(root), *arguments], capture_output=True, text=True)
        return done.stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    return commit + ("+dirty" if git("status", "--porcelain", "--", "tunesmith") else "")


def cell(result: dict[str, Any] | None) -> str:
    if result is None:
        return "-"
    if result["status"] == "passed":
        return f"passed ({result['wall_seconds']:.0f} s)"
    first_line = result.get("error", "").splitlines()[0] if result.get("error") else "?"
    return f"FAILED: {first_line[:110]}"


def print_table(names: list[str], sides: list[str], results: dict) -> None:
    width = max(len(n) for n in names) + 2
    print()
    print("workflow".ljust(width) + " | ".join(s.ljust(24) for s in sides))
    print("-" * (width + 27 * len(sides)))
    for name in names:
        cells = [cell(results.get((name, side))) for side in sides]
        print(name.ljust(width) + " | ".join(c.ljust(24) for c in cells))
    for side in sides:
        passed = sum(1 for n in names if results.get((n, side), {}).get("status") == "passed")
        print(f"{side}: {passed}/{len(names)} passed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", choices=(*SIDES, "both"), default="both")
    parser.add_argument(
        "--only", default="", help="comma-separated parts of workflow names to keep"
    )
    parser.add_argument("--output", type=Path, help="write every outcome as JSON here")
    parser.add_argument("--backend", default=os.environ.get("KERAS_BACKEND", "jax"))
    parser.add_argument("--timeout", type=int, default=900, help="seconds per workflow")
    parser.add_argument("--no-shim", action="store_true", help="leave AutoKeras unpatched")
    parser.add_argument("--list", action="store_true", help="list the workflows and exit")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result-file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        child(args.child, args.side, args.workdir, args.result_file, shim=not args.no_shim)
        return
    parts = [p for p in args.only.split(",") if p]
    names = [n for n in WORKFLOWS if not parts or any(p in n for p in parts)]
    if args.list:
        print("\n".join(names))
        return
    if not names:
        sys.exit(f"no workflow matches --only {args.only!r}")
    sides = list(SIDES) if args.side == "both" else [args.side]

    results: dict[tuple[str, str], dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="autokeras_compat_") as scratch:
        for name in names:
            for side in sides:
                result = run_one(name, side, args, Path(scratch))
                results[(name, side)] = result
                print(f"{name:<24} {side:<12} {cell(result)}", flush=True)
    print_table(names, sides, results)
    print(
        f"tunesmith {_revision()}, backend {args.backend}, shim {'off' if args.no_shim else 'on'}"
    )
    if args.output:
        payload = {
            "tunesmith_revision": _revision(),
            "autokeras": next((r["autokeras"] for r in results.values() if "autokeras" in r), None),
            "backend": args.backend,
            "shim": not args.no_shim,
            "python": sys.version.split()[0],
            "results": list(results.values()),
        }
        args.output.write_text(json.dumps(payload, indent=2, default=str))
        print(f"\nwrote {args.output}")


if __name__ == "__main__":
    main()
