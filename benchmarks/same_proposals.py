"""Do two revisions of tunesmith propose the same trials? A check for refactors.

Each revision is checked out into a temporary ``git worktree`` (``WORKTREE`` is the
current working tree as it is) and runs, in a fresh subprocess that imports
tunesmith from that tree, a fixed set of studies through the public ask / report /
tell API: random, grid and Bayesian search, Bayesian search with a median pruner,
Hyperband and ASHA (random and model-based, ``max_epochs=9``), Bayesian search with
``max_retries_per_trial=1`` where every 5th trial fails once, and a Bayesian study
run half-way against a store, closed, and finished by a new oracle on that store.
All share one Branin-like mixed space (two floats, an int, a choice), a fixed seed
and a deterministic synthetic objective (reported per epoch where a pruner or a
scheduler uses the curves).

Each study is recorded as the sequence of its ask / tell rounds: (trial_id, status
after the tell, values, score), floats rounded to 12 significant digits. The two
revisions are compared study by study, exactly; the resumed Bayesian study within
a relative 1e-6 (its state goes through the store). The exit status is 1 when
anything differs.

Run from the repository root::

    KERAS_BACKEND=jax .venv/bin/python benchmarks/same_proposals.py \\
        --old b47b4ff --new WORKTREE
    # against the stored sequences of b47b4ff instead of re-running it:
    KERAS_BACKEND=jax .venv/bin/python benchmarks/same_proposals.py \\
        --old-json benchmarks/results/same_proposals_b47b4ff.json --new WORKTREE

``run_studies`` uses only API present at revision b47b4ff, so any later revision
that keeps that API can be compared with it.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

WORKTREE = "WORKTREE"
SEED = 7
TRIALS = 25
CAP = 200  # asks at most in a multi-fidelity study (they end well before)
DIGITS = 12
RESUMED = "bayesian-resumed"
TOLERANCES = {RESUMED: 1e-6}  # relative; every other study is compared exactly

Record = dict[str, Any]


def run_studies(trials: int = TRIALS, cap: int = CAP) -> dict[str, list[Record]]:
    """Run every study on the tunesmith that imports here; its records by study.

    ``trials`` is the number of trials of each single-fidelity study; the
    multi-fidelity ones run until ``ask()`` returns None, or ``cap`` asks. Uses
    only API present at revision b47b4ff.
    """
    from tunesmith import HyperParameters
    from tunesmith.oracles import (
        ASHAOracle,
        BayesianOptimizationOracle,
        GridSearchOracle,
        HyperbandOracle,
        RandomSearchOracle,
    )
    from tunesmith.pruners import MedianPruner
    from tunesmith.store import Store

    space = HyperParameters()
    space.Float("x1", -5.0, 10.0)
    space.Float("x2", 0.0, 15.0)
    space.Int("n", 1, 6)
    space.Choice("kind", ["a", "b", "c"])
    kind_offset = {"a": 0.0, "b": 1.5, "c": 4.0}

    def final_loss(values: dict[str, Any]) -> float:
        x1, x2 = values["x1"], values["x2"]
        branin = (x2 - 5.1 / (4 * math.pi**2) * x1**2 + 5 / math.pi * x1 - 6) ** 2
        branin += 10 * (1 - 1 / (8 * math.pi)) * math.cos(x1) + 10
        return branin + 0.3 * (values["n"] - 3) ** 2 + kind_offset[values["kind"]]

    def loss_at(values: dict[str, Any], epoch: int) -> float:
        # Falls towards the final loss; configurations with a large n learn slower.
        return final_loss(values) + (2.0 + 0.5 * values["n"]) * 0.6**epoch

    def clean(value: Any) -> Any:
        if hasattr(value, "item"):
            value = value.item()  # a NumPy scalar
        if isinstance(value, float) and math.isfinite(value):
            return float(f"{value:.{DIGITS}g}")
        if isinstance(value, float):
            return repr(value)  # nan, inf: JSON has no spelling for them
        return value

    def record(trial: Any) -> Record:
        status = getattr(trial.status, "value", trial.status)
        values = {name: clean(v) for name, v in sorted(trial.values.items())}
        return {
            "trial_id": trial.trial_id,
            "status": str(status),
            "values": values,
            "score": clean(trial.score),
        }

    def run(
        oracle: Any,
        rounds: int,
        *,
        epochs: int = 0,
        fail_every: int = 0,
    ) -> list[Record]:
        """Ask, report and tell up to ``rounds`` times; a record per round.

        Multi-fidelity trials report each epoch of their ``tuner/*`` range;
        single-fidelity ones report ``epochs`` epochs (stopping when a pruner says
        so). With ``fail_every``, every such trial (by number) fails once.
        """
        records: list[Record] = []
        failed: set[str] = set()
        for _ in range(rounds):
            trial = oracle.ask()
            if trial is None:
                break
            values = trial.values
            fails = fail_every and trial.number % fail_every == fail_every - 1
            if fails and trial.trial_id not in failed:
                failed.add(trial.trial_id)
                oracle.tell(trial, error=RuntimeError(f"trial {trial.trial_id} fails once"))
                records.append(record(trial))
                continue
            if "tuner/epochs" in values:
                first, last = values["tuner/initial_epoch"], values["tuner/epochs"]
            else:
                first, last = 0, epochs
            stopped = False
            loss = final_loss(values)
            for epoch in range(first, last):
                loss = loss_at(values, epoch)
                if not oracle.report(trial, epoch, {"loss": loss}):
                    stopped = True
                    break
            oracle.tell(trial, {"loss": loss}, stopped_early=stopped)
            records.append(record(trial))
        return records

    common = {"objective": "loss", "hyperparameters": space, "seed": SEED}
    single = {**common, "max_trials": trials}
    studies: dict[str, list[Record]] = {}
    studies["random"] = run(RandomSearchOracle(**single), trials)
    studies["grid"] = run(GridSearchOracle(**single), trials)
    studies["bayesian"] = run(BayesianOptimizationOracle(**single), trials)
    pruner = MedianPruner(n_startup_trials=3, n_warmup_steps=1)
    studies["bayesian+median"] = run(
        BayesianOptimizationOracle(**single, pruner=pruner), trials, epochs=6
    )
    studies["hyperband"] = run(HyperbandOracle(**common, max_epochs=9), cap)
    studies["asha"] = run(ASHAOracle(**common, max_epochs=9), cap)
    studies["hyperband-bo"] = run(HyperbandOracle(**common, max_epochs=9, sampler="bayesian"), cap)
    studies["asha-bo"] = run(ASHAOracle(**common, max_epochs=9, sampler="bayesian"), cap)
    # Every 5th trial fails once and comes back (a retry): each round is a record.
    studies["bayesian-retries"] = run(
        BayesianOptimizationOracle(**single, max_retries_per_trial=1),
        2 * trials,
        fail_every=5,
    )
    # Half the study against a store, closed; a new oracle on that store finishes it.
    with tempfile.TemporaryDirectory(prefix="same-proposals-") as folder:
        half = trials // 2
        store = Store.open(Path(folder) / "study")
        oracle = BayesianOptimizationOracle(**single)
        oracle.attach_store(store)
        resumed = run(oracle, half)
        store.close()
        store = Store.open(Path(folder) / "study")
        oracle = BayesianOptimizationOracle(**single)
        oracle.attach_store(store)
        resumed += run(oracle, trials)
        store.close()
    studies[RESUMED] = resumed
    return studies


# --------------------------------------------------------------- the revisions
def _git(*args: str, cwd: Path) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"git {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout.strip()


def _run_tree(tree: Path, trials: int, cap: int) -> dict[str, Any]:
    """The studies of ``run_studies`` in a fresh interpreter importing tunesmith from
    ``tree`` (``PYTHONPATH``, ``-P``, ``cwd``), checked by ``tunesmith.__file__``."""
    env = {**os.environ, "PYTHONPATH": str(tree), "KERAS_BACKEND": "jax"}
    with tempfile.TemporaryDirectory(prefix="same-proposals-out-") as folder:
        out = Path(folder) / "studies.json"
        command = [sys.executable, "-P", str(Path(__file__).resolve()), "--worker", str(out)]
        command += ["--trials", str(trials), "--cap", str(cap)]
        if subprocess.run(command, cwd=tree, env=env).returncode != 0:
            raise SystemExit(f"The studies failed in {tree} (the traceback is above).")
        result = json.loads(out.read_text())
    imported = Path(result["tunesmith_file"]).resolve()
    if not imported.is_relative_to(tree.resolve()):
        raise SystemExit(f"The subprocess imported tunesmith from {imported}, not from {tree}.")
    return result


def run_revision(rev: str, trials: int, cap: int) -> dict[str, Any]:
    """Run the studies on ``rev`` (a git revision, or ``WORKTREE``)."""
    root = Path(_git("rev-parse", "--show-toplevel", cwd=Path(__file__).resolve().parent))
    if rev == WORKTREE:
        dirty = bool(_git("status", "--porcelain", "--", "tunesmith", cwd=root))
        commit = _git("rev-parse", "HEAD", cwd=root) + ("+changes" if dirty else "")
        result = _run_tree(root, trials, cap)
    else:
        commit = _git("rev-parse", "--verify", f"{rev}^{{commit}}", cwd=root)
        folder = Path(tempfile.mkdtemp(prefix="same-proposals-tree-"))
        tree = folder / "tree"
        _git("worktree", "add", "--detach", str(tree), commit, cwd=root)
        try:
            result = _run_tree(tree, trials, cap)
        finally:
            _git("worktree", "remove", "--force", str(tree), cwd=root)
            folder.rmdir()
    print(f"{rev}: tunesmith imported from {result['tunesmith_file']}", file=sys.stderr)
    return {"revision": rev, "commit": commit, **result}


# ------------------------------------------------------------------ comparing
def _same(a: Any, b: Any, rel: float) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (rel > 0 and math.isclose(a, b, rel_tol=rel))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k], rel) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y, rel) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def compare(old: dict[str, list[Record]], new: dict[str, list[Record]]) -> list[dict[str, Any]]:
    """One row per study: the trials of each, whether identical, the first difference."""
    rows = []
    for study in list(old) + [s for s in new if s not in old]:
        a, b = old.get(study), new.get(study)
        rel = TOLERANCES.get(study, 0.0)
        first = None
        if a is None or b is None:
            first = "study missing in " + ("old" if a is None else "new")
        else:
            for i in range(max(len(a), len(b))):
                if i >= len(a) or i >= len(b) or not _same(a[i], b[i], rel):
                    trial = (a[i] if i < len(a) else b[i])["trial_id"]
                    first = f"round {i} (trial {trial})"
                    break
        rows.append(
            {
                "study": study,
                "old": None if a is None else len(a),
                "new": None if b is None else len(b),
                "identical": first is None,
                "first_difference": first,
                "tolerance": f"{rel:g} relative" if rel else "exact",
            }
        )
    return rows


def print_table(rows: list[dict[str, Any]], old: dict[str, Any], new: dict[str, Any]) -> None:
    print(f"old: {old['revision']} ({old['commit']})")
    print(f"new: {new['revision']} ({new['commit']})")
    header = ("study", "trials old", "trials new", "identical", "first differing trial")
    lines = [
        (
            row["study"],
            str(row["old"]),
            str(row["new"]),
            "yes" if row["identical"] else "NO",
            row["first_difference"] or "-",
        )
        for row in rows
    ]
    widths = [max(len(line[i]) for line in [header, *lines]) for i in range(len(header))]
    for line in [header, tuple("-" * w for w in widths), *lines]:
        print("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip())
    print(
        f"Floats rounded to {DIGITS} significant digits and compared exactly, except "
        f"{RESUMED} (within a relative {TOLERANCES[RESUMED]:g}: it resumes from a store)."
    )
    same = all(row["identical"] for row in rows)
    print("All studies identical." if same else "DIFFERENT: the revisions propose other trials.")


def _print_difference(study: str, old: list[Record], new: list[Record]) -> None:
    rel = TOLERANCES.get(study, 0.0)
    for i in range(max(len(old), len(new))):
        a = old[i] if i < len(old) else "(none: the study ended)"
        b = new[i] if i < len(new) else "(none: the study ended)"
        if i >= len(old) or i >= len(new) or not _same(a, b, rel):
            print(f"  {study}, round {i}:\n    old {a}\n    new {b}")
            return


def _load(path: Path) -> dict[str, Any]:
    """A run stored by ``--save-old`` (or the ``old`` of an ``--output`` file)."""
    data = json.loads(path.read_text())
    return data["old"] if "old" in data and "studies" not in data else data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    old = parser.add_mutually_exclusive_group()
    old.add_argument("--old", help="a git revision, or WORKTREE")
    old.add_argument("--old-json", type=Path, help="the old run, saved with --save-old")
    parser.add_argument("--new", default=WORKTREE, help="a git revision, or WORKTREE (default)")
    parser.add_argument("--output", type=Path, help="write both runs and the table as JSON")
    parser.add_argument("--save-old", type=Path, help="write the old run as JSON (for --old-json)")
    parser.add_argument("--trials", type=int, default=TRIALS, help="per single-fidelity study")
    parser.add_argument("--cap", type=int, default=CAP, help="asks per multi-fidelity study")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker is not None:  # inside the subprocess: run and write the records
        import tunesmith

        print(f"tunesmith.__file__ = {tunesmith.__file__}", file=sys.stderr)
        started = time.perf_counter()
        studies = run_studies(args.trials, args.cap)
        args.worker.write_text(
            json.dumps(
                {
                    "tunesmith_file": tunesmith.__file__,
                    "trials": args.trials,
                    "cap": args.cap,
                    "seconds": round(time.perf_counter() - started, 1),
                    "studies": studies,
                }
            )
        )
        return 0

    if args.old is None and args.old_json is None:
        parser.error("give --old REV or --old-json FILE")
    if args.old_json is not None:
        old_run = _load(args.old_json)
        if (old_run["trials"], old_run["cap"]) != (args.trials, args.cap):
            parser.error(
                f"{args.old_json} holds --trials {old_run['trials']} --cap {old_run['cap']}; "
                "pass the same."
            )
    else:
        old_run = run_revision(args.old, args.trials, args.cap)
    if args.save_old is not None:
        args.save_old.parent.mkdir(parents=True, exist_ok=True)
        args.save_old.write_text(json.dumps(old_run, indent=1) + "\n")
    new_run = run_revision(args.new, args.trials, args.cap)

    rows = compare(old_run["studies"], new_run["studies"])
    print_table(rows, old_run, new_run)
    for row in rows:
        if not row["identical"] and row["old"] is not None and row["new"] is not None:
            study = row["study"]
            _print_difference(study, old_run["studies"][study], new_run["studies"][study])
    if args.output is not None:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        document = {"old": old_run, "new": new_run, "comparison": rows}
        args.output.write_text(json.dumps(document, indent=1) + "\n")
    return 0 if all(row["identical"] for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
