"""Run keras-tuner's own test suite against tunesmith, beside keras-tuner itself.

Takes a checkout of keras-team/keras-tuner (its path given on the command line;
nothing of it is copied into this repository), copies its ``*_test.py`` files and
its test ``conftest.py`` to a scratch folder, and runs them twice with pytest:

* ``keras-tuner``: with the checkout on ``PYTHONPATH``, i.e. against keras-tuner;
* ``tunesmith``: with ``alias_plugin`` mapping ``import keras_tuner`` onto tunesmith.

It prints, per test file: the tests that pass on keras-tuner, how many of those pass
on tunesmith, how many fail for a reason listed in ``intentional.py`` and how many
fail otherwise (each of those named below the table). ``--output`` keeps every
test's outcome on both sides as JSON.

    KERAS_BACKEND=jax .venv-bench/bin/python benchmarks/kt_compat/run.py \\
        --keras-tuner /path/to/keras-tuner --output kt_compat.json
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from intentional import reason_for  # noqa: E402

OUTCOMES = ("passed", "failed", "skipped")


def copy_tests(checkout: Path, scratch: Path, only: list[str]) -> list[str]:
    """Copy the test files (and keras-tuner's test conftest) to ``scratch/kt_tests``."""
    package = checkout / "keras_tuner"
    if not package.is_dir():
        sys.exit(f"{checkout} is not a keras-tuner checkout: it has no keras_tuner/ folder.")
    root = scratch / "kt_tests"
    files = []
    for source in sorted(package.rglob("*_test.py")):
        relative = source.relative_to(package).as_posix()
        if only and not any(part in relative for part in only):
            continue
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, target)
        files.append(relative)
    if (package / "conftest.py").exists():
        shutil.copy(package / "conftest.py", root / "conftest.py")
    return files


def run_side(
    side: str, checkout: Path, scratch: Path, python: str, timeout: int, extra: list[str]
) -> dict[str, str]:
    """Run the copied tests against one side; return {"file::test": outcome}."""
    report = scratch / f"{side}.xml"
    env = dict(os.environ)
    env.setdefault("KERAS_BACKEND", "jax")
    env["KT_COMPAT_CHECKOUT"] = str(checkout)
    command = [python, "-m", "pytest", "kt_tests", "-q", "-p", "no:cacheprovider"]
    command += ["--import-mode=importlib", "-o", "addopts=", f"--junitxml={report}"]
    command += ["-W", "ignore::DeprecationWarning", "--continue-on-collection-errors", *extra]
    if side == "tunesmith":
        env["PYTHONPATH"] = os.pathsep.join([str(HERE), env.get("PYTHONPATH", "")])
        command += ["-p", "alias_plugin"]
    else:
        env["PYTHONPATH"] = os.pathsep.join([str(checkout), env.get("PYTHONPATH", "")])
    if _has_timeout_plugin(python):
        command += [f"--timeout={timeout}"]
    print(f"[{side}] {' '.join(command)}", flush=True)
    completed = subprocess.run(command, cwd=scratch, env=env, capture_output=True, text=True)
    (scratch / f"{side}.log").write_text(completed.stdout + completed.stderr)
    if not report.exists():
        sys.exit(f"pytest wrote no report for {side}; see {scratch / f'{side}.log'}")
    return parse_junit(report)


def _has_timeout_plugin(python: str) -> bool:
    probe = subprocess.run([python, "-c", "import pytest_timeout"], capture_output=True)
    return probe.returncode == 0


def _case_key(case: ElementTree.Element) -> str | None:
    """``"file::test"`` of a junit test case; None for a module that failed to import."""
    classname = case.get("classname", "")
    if not classname:
        return None  # a collection error: its tests are missing from the report
    file = classname.replace(".", "/").split("kt_tests/")[-1]
    return f"{file}.py::{case.get('name', '')}"


def parse_junit(path: Path) -> dict[str, str]:
    outcomes: dict[str, str] = {}
    for case in ElementTree.parse(path).getroot().iter("testcase"):
        key = _case_key(case)
        if key is None:
            continue
        outcome = "passed"
        for child in case:
            if child.tag in ("failure", "error"):
                outcome = "failed"
            elif child.tag == "skipped" and outcome != "failed":
                outcome = "skipped"
        # A test failing in teardown gets a second entry: the failure wins.
        if outcomes.get(key) != "failed":
            outcomes[key] = outcome
    return outcomes


def failure_messages(path: Path) -> dict[str, str]:
    """The first line of each failure's message (or of its text), by test."""
    messages = {}
    for case in ElementTree.parse(path).getroot().iter("testcase"):
        for child in case:
            if child.tag not in ("failure", "error"):
                continue
            key = _case_key(case) or f"{case.get('name', '').replace('.', '/')}.py (import)"
            text = (child.get("message") or "").strip() or (child.text or "").strip()
            lines = [line for line in text.splitlines() if line.strip()]
            if lines:
                messages[key] = (lines[0] if child.get("message") else lines[-1])[:200]
    return messages


def summarise(reference: dict[str, str], ours: dict[str, str]) -> dict:
    rows: dict[str, Counter] = {}
    unexplained, intentional = [], []
    for key in sorted(set(reference) | set(ours)):
        file = key.split("::")[0]
        row = rows.setdefault(file, Counter())
        ref, mine = reference.get(key, "missing"), ours.get(key, "missing")
        row["tests"] += 1
        row[f"kt_{ref}"] += 1
        if ref != "passed":
            continue
        if mine == "passed":
            row["ts_passed"] += 1
        elif (reason := reason_for(key)) is not None:
            row["intentional"] += 1
            intentional.append((key, reason))
        else:
            row["ts_failed"] += 1
            unexplained.append(key)
    return {"rows": rows, "unexplained": unexplained, "intentional": intentional}


def print_table(summary: dict, messages: dict[str, str]) -> None:
    header = f"{'test file':58} {'tests':>5} {'kt ok':>5} {'ts ok':>5} {'intent':>6} {'failed':>6}"
    print(header)
    print("-" * len(header))
    totals: Counter = Counter()
    for file, row in sorted(summary["rows"].items()):
        totals.update(row)
        print(
            f"{file:58} {row['tests']:5d} {row['kt_passed']:5d} {row['ts_passed']:5d} "
            f"{row['intentional']:6d} {row['ts_failed']:6d}"
        )
    print("-" * len(header))
    print(
        f"{'total':58} {totals['tests']:5d} {totals['kt_passed']:5d} {totals['ts_passed']:5d} "
        f"{totals['intentional']:6d} {totals['ts_failed']:6d}"
    )
    print(
        "\nkt ok: passes on keras-tuner; ts ok: of those, passes on tunesmith; intent: "
        "fails on tunesmith for a reason in intentional.py; failed: fails otherwise."
    )
    imports = {k: v for k, v in messages.items() if k.endswith("(import)")}
    if imports:
        print("\nTest files that failed to import on tunesmith (their tests count as failed):")
        for key, message in imports.items():
            print(f"  {key}\n      {message}")
    if summary["unexplained"]:
        print("\nFailing on tunesmith, not explained:")
        for key in summary["unexplained"]:
            print(f"  {key}\n      {messages.get(key, '')}")
    reasons = Counter(reason for _, reason in summary["intentional"])
    if reasons:
        print("\nIntentional differences (tests: reason):")
        for reason, count in reasons.most_common():
            print(f"  {count:3d}: {reason}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keras-tuner", required=True, type=Path, help="keras-tuner checkout")
    parser.add_argument("--python", default=sys.executable, help="interpreter to run pytest")
    parser.add_argument("--output", type=Path, help="write every outcome as JSON here")
    parser.add_argument("--only", nargs="*", default=[], help="substrings of test paths")
    parser.add_argument("--reference", type=Path, help="reuse keras-tuner outcomes (JSON)")
    parser.add_argument("--timeout", type=int, default=300, help="seconds per test")
    parser.add_argument("--workdir", type=Path, help="scratch folder (default: a temporary one)")
    parser.add_argument("pytest_args", nargs="*", help="passed to pytest after --")
    args = parser.parse_args(argv)
    checkout = args.keras_tuner.resolve()
    scratch = args.workdir or Path(tempfile.mkdtemp(prefix="kt_compat_"))
    scratch.mkdir(parents=True, exist_ok=True)
    files = copy_tests(checkout, scratch, args.only)
    commit = _commit(checkout)
    print(f"keras-tuner {commit} at {checkout}: {len(files)} test files, scratch {scratch}")
    if args.reference:
        reference = json.loads(args.reference.read_text())["keras-tuner"]
        reference = {k: v for k, v in reference.items() if any(k.startswith(f) for f in files)}
    else:
        reference = run_side(
            "keras-tuner", checkout, scratch, args.python, args.timeout, args.pytest_args
        )
    ours = run_side("tunesmith", checkout, scratch, args.python, args.timeout, args.pytest_args)
    summary = summarise(reference, ours)
    print_table(summary, failure_messages(scratch / "tunesmith.xml"))
    if args.output:
        args.output.write_text(
            json.dumps(
                {"keras_tuner_commit": commit, "keras-tuner": reference, "tunesmith": ours},
                indent=1,
                sort_keys=True,
            )
        )
    return 0


def _commit(checkout: Path) -> str:
    try:
        return subprocess.run(
            ["git", "-C", str(checkout), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown commit"


if __name__ == "__main__":
    raise SystemExit(main())
