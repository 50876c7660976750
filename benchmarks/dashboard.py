"""Load time, server memory and live delay of ``tunesmith dashboard`` beside optuna-dashboard.

What it measures, and how:

1. Studies of 200, 2 000 and 10 000 trials (``--sizes``) are built once and cached
   under ``--workdir``: random trials written into a tunesmith store through its
   API (4 hyperparameters, ``loss``/``val_loss`` curves of ``--epochs`` steps), and
   the SAME trials (values, score, ``val_loss`` per step as intermediate values) go
   into an optuna RDB study (a sqlite file) through ``optuna.create_study`` and
   ``study.add_trials``. The optuna side runs in ``--optuna-python`` (the benchmark
   env, which has optuna), so this script itself never imports optuna.
2. Each dashboard is served by its own process (``tunesmith dashboard ROOT`` and
   ``optuna-dashboard sqlite:///...``) and its study page is loaded ``--repeats``
   times, each in a fresh headless Chromium with a fresh profile (nothing cached).
   Two figures per load, both in the page's ``performance.now()`` milliseconds:

   * first paint: the ``first-contentful-paint`` entry of
     ``performance.getEntriesByType('paint')``;
   * interactive, polled the same way for both (a ``execute_script`` every 20 ms
     after navigation; the time of the first poll that sees the signal):

     - tunesmith: ``document.body.dataset.ready == "study"`` (set after the first
       full render: table and every chart) and the trials card showing every trial;
       its own mark ``tunesmithTimings.interactive`` is reported beside it;
     - optuna-dashboard: its history plot (plotly graph ``#plot-history``) drawn
       with at least one ``.scatterlayer .point`` per trial AND its intermediate
       values plot (``#graph-intermediate-values``, the curves) drawn with one
       ``.scatterlayer .trace`` per trial: the two views that need every trial,
       as tunesmith's mark needs its table and every chart. The time the history
       plot alone is complete is reported beside it (``history``).

   Mean ± standard error over the loads; the ratio optuna/tunesmith per size.
3. Server memory: VmRSS of each server process (``/proc/<pid>/status``) after the
   loads of each size.
4. Live delay: a ``tune()`` search in a subprocess starts a trial every ~0.5 s while
   the study page is open. A thread here reads the store's trial count every 10 ms
   (the time it first sees trial k is the commit time, at most ~10 ms late); a
   MutationObserver in the page records ``Date.now()`` when the trials card first
   shows k. Delay = page time - commit time, same clock. optuna-dashboard's live
   delay is not measured (it refreshes on its own timer, chosen in its UI).
5. Search speed while watched: the same ``tune()`` search (``--search-trials`` x
   ``--search-steps`` of a cheap function) alone and with the tunesmith dashboard
   open in Chromium on it, ``--search-rounds`` pairs in alternating order.

Targets (issue): 10 000 trials interactive in < 2 s; >= 3x faster than
optuna-dashboard; live delay < 2 s; search speed unchanged (a difference inside one
standard error is a tie).

    .venv/bin/python benchmarks/dashboard.py                       # everything
    .venv/bin/python benchmarks/dashboard.py --sizes 200 --repeats 1 --skip-optuna
    .venv/bin/python benchmarks/dashboard.py --output /tmp/dashboard.json

Run it from the project env (tunesmith, starlette, uvicorn, selenium); optuna and
optuna-dashboard come from ``.venv-bench`` (``--optuna-python``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OBJECTIVE = "val_loss"
ACTIVATIONS = ["relu", "tanh", "elu", "gelu"]
PROJECT = "study"  # the project folder (and so the page's key) inside each size's root

# --------------------------------------------------------------------- studies


def make_space() -> Any:
    """The search space; ``optuna_distributions`` in the export mirrors it."""
    from tunesmith.space import HyperParameters

    hp = HyperParameters()
    hp.Float("lr", 1e-4, 1e-1, sampling="log")
    hp.Int("units", 16, 512, step=16)
    hp.Choice("activation", ACTIVATIONS)
    hp.Float("dropout", 0.0, 0.5)
    return hp


def curves(values: dict[str, Any], epochs: int, rng: np.random.Generator) -> dict[str, list]:
    """Training-like curves: the learning rate and width set how low they get."""
    quality = max(0.05, 1 - abs(math.log10(values["lr"]) + 2.5) / 2.5)
    floor = 0.2 + 0.6 * (1 - quality) + 0.1 * values["dropout"]
    steps = np.arange(epochs)
    decay = np.exp(-(steps + 1) / (2 + 4 * rng.random()))
    loss = floor + (2.3 - floor) * decay + rng.normal(0, 0.01, epochs)
    val_loss = loss + 0.05 + rng.normal(0, 0.02, epochs)
    return {"loss": loss.tolist(), "val_loss": val_loss.tolist()}


def sample(rng: np.random.Generator) -> dict[str, Any]:
    """Random values of the space of ``make_space`` (what a random search draws)."""
    return {
        "lr": float(10 ** rng.uniform(-4, -1)),
        "units": int(16 * rng.integers(1, 33)),
        "activation": str(rng.choice(ACTIVATIONS)),
        "dropout": float(rng.uniform(0.0, 0.5)),
    }


def build_tunesmith(project_dir: Path, trials: int, epochs: int, seed: int = 0) -> list[dict]:
    """Write the study into a tunesmith store; return each trial for the optuna export.

    The oracle writes the study's settings, but the trials are written straight
    through the store (``save_trial`` + ``append_metrics``, what the oracle itself
    calls): ``oracle.ask()`` costs O(trials so far) (its sampler rebuilds the set of
    tried configurations each time), so 10 000 asks take tens of minutes.
    """
    from tunesmith.objective import Objective
    from tunesmith.oracles import RandomSearchOracle
    from tunesmith.store import Store
    from tunesmith.trial import Trial, TrialStatus

    rng = np.random.default_rng(seed)
    space = make_space()
    oracle = RandomSearchOracle(
        objective=Objective(OBJECTIVE, "min"), max_trials=trials, seed=seed, hyperparameters=space
    )
    width = max(2, len(str(trials - 1)))  # the oracle's own trial ids
    records = []
    clock = time.time() - trials * epochs  # a plausible history: a second per epoch
    with Store.open(project_dir, overwrite=True) as store:
        oracle.attach_store(store)
        for number in range(trials):
            values = sample(rng)
            curve = curves(values, epochs, rng)
            trial = Trial(
                trial_id=f"{number:0{width}d}",
                number=number,
                hyperparameters=space.with_values(values),
                started_at=clock,
            )
            store.save_trial(trial)
            for step in range(epochs):
                store.append_metrics(
                    trial.trial_id, 0, step, {k: v[step] for k, v in curve.items()}
                )
            best = int(np.argmin(curve["val_loss"]))
            score = curve["val_loss"][best]
            clock += epochs
            trial.status, trial.score, trial.best_step = TrialStatus.COMPLETED, score, best
            trial.metrics = {k: v[best] for k, v in curve.items()}
            trial.ended_at, trial.executions, trial.epochs = clock, 1, epochs
            store.save_trial(trial)
            records.append({"values": values, "score": score, "curve": curve["val_loss"]})
    return records


def export_optuna(records_path: Path, db_path: Path, study_name: str) -> None:
    """The same trials as an optuna RDB study (run in the env that has optuna)."""
    import optuna
    from optuna.distributions import (
        CategoricalDistribution,
        FloatDistribution,
        IntDistribution,
    )

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    distributions = {
        "lr": FloatDistribution(1e-4, 1e-1, log=True),
        "units": IntDistribution(16, 512, step=16),
        "activation": CategoricalDistribution(ACTIVATIONS),
        "dropout": FloatDistribution(0.0, 0.5),
    }
    records = json.loads(records_path.read_text("utf-8"))
    db_path.unlink(missing_ok=True)
    study = optuna.create_study(
        storage=f"sqlite:///{db_path}", study_name=study_name, direction="minimize"
    )
    study.add_trials(
        [
            optuna.trial.create_trial(
                params=r["values"],
                distributions={k: distributions[k] for k in r["values"]},
                value=r["score"],
                intermediate_values=dict(enumerate(r["curve"])),
                state=optuna.trial.TrialState.COMPLETE,
            )
            for r in records
        ]
    )


def ensure_study(
    workdir: Path, trials: int, epochs: int, optuna_python: str | None
) -> dict[str, Any]:
    """Build (or reuse) one size's tunesmith root and optuna database."""
    folder = workdir / f"trials-{trials}-epochs-{epochs}"
    root, db = folder / "root", folder / "optuna.db"
    records_path, done = folder / "records.json", folder / "built.json"
    info: dict[str, Any] = json.loads(done.read_text()) if done.exists() else {}
    if "tunesmith" not in info:  # a build of 0.0 s (rounded) is a build too
        started = time.perf_counter()
        records = build_tunesmith(root / PROJECT, trials, epochs)
        records_path.write_text(json.dumps(records), "utf-8")
        info = {"tunesmith": round(time.perf_counter() - started, 1)}
        done.write_text(json.dumps(info))
    if optuna_python and "optuna" not in info:
        started = time.perf_counter()
        subprocess.run(
            [optuna_python, __file__, "--export-optuna", str(records_path), str(db)],
            check=True,
        )
        info["optuna"] = round(time.perf_counter() - started, 1)
        done.write_text(json.dumps(info))
    return {"root": root, "db": db, "trials": trials, "build_s": info}


# --------------------------------------------------------------------- servers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mb(pid: int) -> float:
    """Resident memory of one process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@contextlib.contextmanager
def server(command: Sequence[str], port: int, probe: str = "/") -> Iterator[subprocess.Popen]:
    """Run a dashboard process until its port answers; stop it on exit."""
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(list(command), stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while not _answers(f"http://127.0.0.1:{port}{probe}"):
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise RuntimeError(f"{command[0]} did not start: {log.read().decode()}")
                time.sleep(0.1)
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5):
            return True
    except OSError:
        return False


def tunesmith_server(root: Path) -> tuple[contextlib.AbstractContextManager, str]:
    port = free_port()
    # ``python -m tunesmith.cli``, not the console script: the same interpreter as
    # this process, wherever (or whether) its scripts were installed.
    cmd = [sys.executable, "-m", "tunesmith.cli", "dashboard", str(root), "--port", str(port)]
    return server(cmd, port), f"http://127.0.0.1:{port}/"


def optuna_server(db: Path, executable: str) -> tuple[contextlib.AbstractContextManager, str]:
    port = free_port()
    cmd = [executable, f"sqlite:///{db}", "--port", str(port), "--host", "127.0.0.1"]
    return server(cmd, port, probe="/api/studies"), f"http://127.0.0.1:{port}/"


# ---------------------------------------------------------------- page loads

_FCP_JS = """
var p = performance.getEntriesByType('paint').filter(function (e) {
  return e.name === 'first-contentful-paint'; })[0];
return p ? p.startTime : null;
"""

_TUNESMITH_READY_JS = """
var h = document.querySelector('[data-summary="trials"] h3');
if (document.body.dataset.ready !== 'study' || !h || Number(h.textContent) < arguments[0])
  return null;
return {now: performance.now(), own: (window.tunesmithTimings || {}).interactive,
        data: (window.tunesmithTimings || {}).data, shown: Number(h.textContent)};
"""

_OPTUNA_READY_JS = """
var count = function (sel) { var g = document.querySelector(sel); return g ? g : null; };
var hist = count('#plot-history'), curves = count('#graph-intermediate-values');
var points = hist ? hist.querySelectorAll('.scatterlayer .point').length : 0;
var traces = curves ? curves.querySelectorAll('.scatterlayer .trace').length : 0;
var now = performance.now();
if (points < arguments[0]) return null;
if (!window.__historyAt) window.__historyAt = now;
if (traces < arguments[0]) return null;
return {now: now, history: window.__historyAt, shown: points, curves: traces};
"""


def study_url(base: str, key: str) -> str:
    return f"{base}#/study/{urllib.parse.quote(key, safe='')}"


def poll(driver: Any, script: str, args: Sequence[Any], timeout: float, every: float = 0.02):
    """Run ``script`` until it returns a value, every ``every`` s; None at the timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = driver.execute_script(script, *args)
        if found:
            return found
        time.sleep(every)
    return None


def load_page(kind: str, url: str, trials: int, timeout: float = 240) -> dict[str, Any]:
    """One fresh-browser load of a study page: first paint and interactive (ms)."""
    from browser import chromium, console_errors  # benchmarks/browser.py

    with chromium(1400, 1000) as driver:
        driver.set_page_load_timeout(timeout)
        driver.set_script_timeout(timeout)
        script = _TUNESMITH_READY_JS if kind == "tunesmith" else _OPTUNA_READY_JS
        started = time.monotonic()
        try:
            driver.get(url)  # returns after the load event; the signals are polled after
            found = poll(driver, script, [trials], timeout)
        except Exception as exc:  # a renderer busy past the driver's own timeout
            print(f"NOTE: {kind} at {url}: {type(exc).__name__}", file=sys.stderr)
            found = None
        waited_ms = (time.monotonic() - started) * 1000
        try:
            fcp, errors = driver.execute_script(_FCP_JS), console_errors(driver)
        except Exception:  # still busy: no paint entry to read
            fcp, errors = None, []
    if not found:  # reported as a lower bound, not an error: the other loads still count
        print(f"NOTE: {kind} not interactive after {waited_ms / 1000:.0f} s", file=sys.stderr)
        found = {"now": None, "shown": None}
    return {
        "fcp_ms": fcp,
        "interactive_ms": found["now"],
        "timed_out": found["now"] is None,
        "waited_ms": waited_ms,
        "own_ms": found.get("own"),
        "data_ms": found.get("data"),
        "history_ms": found.get("history"),
        "shown": found["shown"],
        "console_errors": errors,
    }


def optuna_study_url(base: str) -> str:
    """optuna-dashboard's page of the (only) study in its storage."""
    with urllib.request.urlopen(base + "api/studies", timeout=30) as answer:
        studies = json.load(answer)["study_summaries"]
    return f"{base}dashboard/studies/{studies[0]['study_id']}"


# ------------------------------------------------------------------ statistics


def mean_se(values: Sequence[float]) -> tuple[float, float]:
    values = [v for v in values if v is not None]
    if not values:
        return float("nan"), float("nan")
    mean = statistics.fmean(values)
    se = statistics.stdev(values) / math.sqrt(len(values)) if len(values) > 1 else float("nan")
    return mean, se


def fmt(values: Sequence[float], scale: float = 1.0, digits: int = 0) -> str:
    mean, se = mean_se(values)
    if math.isnan(mean):
        return "-"
    if math.isnan(se):
        return f"{mean * scale:.{digits}f}"
    return f"{mean * scale:.{digits}f} ± {se * scale:.{digits}f}"


def column(rows: Sequence[dict[str, Any]], key: str) -> list[float]:
    return [r[key] for r in rows if r.get(key) is not None]


def ratio(slow: Sequence[dict[str, Any]], fast: Sequence[dict[str, Any]]) -> float:
    """Mean interactive time of ``slow`` over that of ``fast``."""
    return mean_se(column(slow, "interactive_ms"))[0] / mean_se(column(fast, "interactive_ms"))[0]


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


# ----------------------------------------------------------------- live delay

_OBSERVE_JS = """
window.__seen = [];
var last = -1;
function look() {
  var h = document.querySelector('[data-summary="trials"] h3');
  var n = h ? Number(h.textContent) : -1;
  if (n !== last) { last = n; window.__seen.push([n, Date.now() / 1000]); }
}
new MutationObserver(look).observe(document.body, {subtree: true, childList: true,
                                                   characterData: true});
look();
"""

_WRITER = """
import sys, time
from tunesmith import tune

pause, trials, steps = float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
work = int(sys.argv[5])  # pure-Python loop per step: a cheap model's epoch

def fn(hp, run):
    x = hp.Float("lr", 1e-4, 1e-1, sampling="log")
    units = hp.Int("units", 16, 512, step=16)
    loss = 1.0
    for s in range(run.initial_epoch, run.epochs or steps):
        loss = 0.9 * loss + 0.01 * units / 512 + abs(x - 0.01)
        loss += sum(i * i for i in range(work)) * 1e-18
        run.report(s, {"loss": loss, "val_loss": loss + 0.05})
        if pause:
            time.sleep(pause / steps)
    return {"loss": loss, "val_loss": loss + 0.05}

started = time.perf_counter()
tune(fn, objective="val_loss", directory=sys.argv[1], project_name="search",
     max_trials=trials, algorithm="random", verbose=0, seed=0)
print(time.perf_counter() - started, flush=True)
"""


def start_search(
    root: Path, trials: int, steps: int, pause: float, work: int = 0
) -> subprocess.Popen:
    """A tune() search in its own process (what a user's script would be)."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(root), str(pause), str(trials), str(steps), str(work)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )


def wait_for_trials(db: Path, count: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if db.exists():
            uri = f"file:{db}?mode=ro"
            with (
                contextlib.suppress(sqlite3.Error),
                contextlib.closing(sqlite3.connect(uri, uri=True)) as c,
            ):
                if c.execute("SELECT count(*) FROM trials").fetchone()[0] >= count:
                    return
        time.sleep(0.02)
    raise RuntimeError(f"no {count} trials in {db} after {timeout} s")


def live_delay(workdir: Path, trials: int, pause: float) -> dict[str, Any]:
    """Commit-to-page delay of each new trial while a search runs."""
    from browser import chromium, console_errors

    root = Path(tempfile.mkdtemp(prefix="live-", dir=workdir))
    db = root / "search" / "tunesmith.db"
    search = start_search(root, trials, 5, pause)
    commits: dict[int, float] = {}
    stop = threading.Event()

    def watch_store() -> None:
        # Read-only polling: sees a trial within ~10 ms of its commit.
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        last = 0
        while not stop.is_set():
            with contextlib.suppress(sqlite3.Error):
                n = conn.execute("SELECT count(*) FROM trials").fetchone()[0]
                now = time.time()
                for k in range(last + 1, n + 1):
                    commits.setdefault(k, now)
                last = max(last, n)
            time.sleep(0.01)
        conn.close()

    try:
        wait_for_trials(db, 1)
        watcher = threading.Thread(target=watch_store, daemon=True)
        watcher.start()
        ctx, base = tunesmith_server(root)
        with ctx as proc, chromium(1400, 1000) as driver:
            driver.get(study_url(base, "search"))
            if not poll(driver, _TUNESMITH_READY_JS, [1], 60):
                raise RuntimeError("the live study page never became interactive")
            driver.execute_script(_OBSERVE_JS)
            search.wait(trials * pause * 4 + 60)
            time.sleep(4)  # the last change reaches the page (a 3 s poll after the end)
            seen = driver.execute_script("return window.__seen")
            updates = driver.execute_script("return document.body.dataset.updates")
            errors = console_errors(driver)
            memory = rss_mb(proc.pid)
    finally:
        stop.set()
        if search.poll() is None:
            search.kill()
    shown: dict[int, float] = {}
    for n, t in seen:
        for k in range(1, int(n) + 1):
            shown.setdefault(k, t)
    first_seen = min(int(n) for n, _ in seen)
    # Trials already on the page when it was opened say nothing about the delay.
    delays = [shown[k] - commits[k] for k in sorted(commits) if k > first_seen and k in shown]
    return {
        "delays_s": delays,
        "missing": [k for k in sorted(commits) if k > first_seen and k not in shown],
        "updates": updates,
        "console_errors": errors,
        "rss_mb": memory,
    }


# --------------------------------------------------------------- search speed


def timed_search(root: Path, trials: int, steps: int, work: int, watched: bool) -> float:
    """Seconds of one search (as the search process itself measures them).

    Watched: the dashboard server and Chromium are started before the search, and
    the study page is opened as soon as the search's first trial is stored, so the
    page's load and its live polling both overlap the search.
    """
    from browser import chromium

    if not watched:
        out, _ = start_search(root, trials, steps, 0.0, work).communicate(timeout=600)
        return float(out.strip().splitlines()[-1])
    ctx, base = tunesmith_server(root)
    with ctx, chromium(1400, 1000) as driver:
        search = start_search(root, trials, steps, 0.0, work)
        wait_for_trials(root / "search" / "tunesmith.db", 1)
        driver.get(study_url(base, "search"))
        out, _ = search.communicate(timeout=600)
    return float(out.strip().splitlines()[-1])


def search_speed(
    workdir: Path, trials: int, steps: int, work: int, rounds: int
) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"alone": [], "watched": []}
    for i in range(rounds):
        order = (False, True) if i % 2 == 0 else (True, False)  # drift hits both alike
        for watched in order:
            root = Path(tempfile.mkdtemp(prefix="speed-", dir=workdir))
            times["watched" if watched else "alone"].append(
                timed_search(root, trials, steps, work, watched)
            )
    return times


# ----------------------------------------------------------------------- main


def measure_loads(
    study: dict[str, Any], repeats: int, optuna_dashboard: str | None, timeout: float = 150
) -> dict[str, Any]:
    """Page loads of one size on both dashboards, and each server's memory after."""
    out: dict[str, Any] = {"trials": study["trials"], "build_s": study["build_s"]}
    ctx, base = tunesmith_server(study["root"])
    with ctx as proc:
        url = study_url(base, PROJECT)
        out["tunesmith"] = [load_page("tunesmith", url, study["trials"]) for _ in range(repeats)]
        out["tunesmith_rss_mb"] = rss_mb(proc.pid)
    if optuna_dashboard:
        ctx, base = optuna_server(study["db"], optuna_dashboard)
        with ctx as proc:
            url = optuna_study_url(base)
            out["optuna"] = []
            for _ in range(repeats):
                out["optuna"].append(load_page("optuna", url, study["trials"], timeout))
                if out["optuna"][-1]["timed_out"]:
                    break  # the next loads would only time out too: minutes for nothing
            out["optuna_rss_mb"] = rss_mb(proc.pid)
    return out


def print_loads(loads: list[dict[str, Any]]) -> None:
    print("\nPage load of the study page (ms, mean ± SE over fresh browsers)")
    print(
        "| trials | tunesmith paint | tunesmith interactive | (own mark) "
        "| optuna paint | optuna interactive | (history plot only) | optuna / tunesmith |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in loads:
        ts, op = row["tunesmith"], row.get("optuna", [])
        cells = [fmt(column(ts, k)) for k in ("fcp_ms", "interactive_ms", "own_ms")]
        cells += [fmt(column(op, k)) if op else "-" for k in ("fcp_ms", "interactive_ms")]
        cells.append(fmt(column(op, "history_ms")) if op else "-")
        cells.append(f"{ratio(op, ts):.1f}x" if op else "-")
        for rows, at in ((ts, 1), (op, 4)):
            late = [r["waited_ms"] for r in rows if r["timed_out"]]
            if late:  # the mean is of the loads that ended; these are lower bounds
                cells[at] += f" ({len(late)} load(s) not interactive after > {min(late):.0f} ms)"
                if at == 4:
                    cells[-1] = f"> {min(late) / mean_se(column(ts, 'interactive_ms'))[0]:.1f}x"
        print(f"| {row['trials']} | " + " | ".join(cells) + " |")
    print("\nServer memory after the loads (VmRSS, MB)")
    print("| trials | tunesmith | optuna-dashboard |\n|---:|---:|---:|")
    for row in loads:
        theirs = f"{row['optuna_rss_mb']:.0f}" if "optuna_rss_mb" in row else "-"
        print(f"| {row['trials']} | {row['tunesmith_rss_mb']:.0f} | {theirs} |")
    for row in loads:
        for kind in ("tunesmith", "optuna"):
            errors = sorted({e for r in row.get(kind, []) for e in r["console_errors"]})
            if errors:
                print(f"console errors, {kind}, {row['trials']} trials: {errors}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[200, 2000, 10000])
    parser.add_argument("--epochs", type=int, default=20, help="curve length of each trial")
    parser.add_argument("--repeats", type=int, default=3, help="fresh page loads per page")
    parser.add_argument("--workdir", default="/tmp/dashboard-bench", help="cache of studies")
    parser.add_argument("--optuna-python", default=str(REPO / ".venv-bench" / "bin" / "python"))
    parser.add_argument(
        "--optuna-dashboard", default=str(REPO / ".venv-bench" / "bin" / "optuna-dashboard")
    )
    parser.add_argument(
        "--load-timeout", type=float, default=150, help="s before a load counts as never"
    )
    parser.add_argument("--skip-optuna", action="store_true", help="tunesmith only")
    parser.add_argument("--live-trials", type=int, default=14)
    parser.add_argument("--live-pause", type=float, default=0.5, help="seconds per trial")
    parser.add_argument("--search-trials", type=int, default=200)
    parser.add_argument("--search-steps", type=int, default=20)
    parser.add_argument(
        "--search-work", type=int, default=20000, help="loop length per step (CPU work)"
    )
    parser.add_argument("--search-rounds", type=int, default=3, help="alone/watched pairs")
    parser.add_argument("--skip", nargs="*", default=[], choices=["loads", "live", "speed"])
    parser.add_argument("--output", help="write every figure to this JSON file")
    parser.add_argument(
        "--export-optuna", nargs=2, metavar=("RECORDS", "DB"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)

    if args.export_optuna:  # the child run in the optuna env (see ensure_study)
        records, db = map(Path, args.export_optuna)
        export_optuna(records, db, study_name=db.parent.name)
        return 0

    sys.path.insert(0, str(HERE))  # benchmarks/browser.py
    from browser import find_chromium

    if find_chromium() is None:
        raise SystemExit(
            "needs chromium and chromedriver (apt-get install chromium chromium-driver)"
        )
    use_optuna = not args.skip_optuna
    for tool in (args.optuna_python, args.optuna_dashboard):
        if use_optuna and not Path(tool).exists():
            print(f"NOTE: {tool} missing; tunesmith only", file=sys.stderr)
            use_optuna = False
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {"args": vars(args)}

    if "loads" not in args.skip:
        loads = []
        for size in args.sizes:
            study = ensure_study(
                workdir, size, args.epochs, args.optuna_python if use_optuna else None
            )
            print(f"{size} trials x {args.epochs} epochs built in {study['build_s']} s", flush=True)
            loads.append(
                measure_loads(
                    study,
                    args.repeats,
                    args.optuna_dashboard if use_optuna else None,
                    args.load_timeout,
                )
            )
            results["loads"] = loads
            if args.output:  # kept as it goes: a later failure loses nothing measured
                Path(args.output).write_text(json.dumps(results, indent=2, default=str))
        print_loads(loads)
        results["loads"] = loads

    if "live" not in args.skip:
        live = live_delay(workdir, args.live_trials, args.live_pause)
        results["live"] = live
        d = live["delays_s"]
        print(f"\nLive delay, commit to page ({len(d)} trials, one every ~{args.live_pause} s)")
        if d:
            print(f"  mean {statistics.fmean(d):.2f} s, max {max(d):.2f} s, min {min(d):.2f} s")
        print(f"  missing on the page: {live['missing']}; updates merged: {live['updates']}")
        if live["console_errors"]:
            print(f"  console errors: {live['console_errors']}")

    if "speed" not in args.skip:
        times = search_speed(
            workdir, args.search_trials, args.search_steps, args.search_work, args.search_rounds
        )
        results["speed"] = times
        print(
            f"\nSearch speed, {args.search_trials} trials x {args.search_steps} steps "
            f"({args.search_rounds} rounds, s)"
        )
        print(f"  alone   {fmt(times['alone'], digits=2)}")
        print(f"  watched {fmt(times['watched'], digits=2)}")

    print_verdicts(results)
    if args.output:
        Path(args.output).write_text(json.dumps(results, indent=2, default=str), "utf-8")
    return 0


def print_verdicts(results: dict[str, Any]) -> None:
    print("\nTargets")
    loads = results.get("loads") or []
    if loads:
        big = max(loads, key=lambda r: r["trials"])
        ts = mean_se([r["interactive_ms"] for r in big["tunesmith"]])
        print(
            f"  {big['trials']} trials interactive < 2 s: {ts[0] / 1000:.2f} s -> "
            f"{verdict(ts[0] < 2000)}"
        )
        for row in loads:
            if "optuna" not in row:
                continue
            ts = mean_se(column(row["tunesmith"], "interactive_ms"))[0]
            op = mean_se(column(row["optuna"], "interactive_ms"))[0]
            bound = ""
            late = [r["waited_ms"] for r in row["optuna"] if r["timed_out"]]
            if late:  # a load that never ended: its wait is a lower bound of its time
                op, bound = max(min(late), op if not math.isnan(op) else 0), "> "
            print(
                f"  >= 3x faster than optuna-dashboard at {row['trials']}: "
                f"{bound}{op / ts:.1f}x -> {verdict(op >= 3 * ts)}"
            )
    if "live" in results and results["live"]["delays_s"]:
        d = results["live"]["delays_s"]
        ok = max(d) < 2 and not results["live"]["missing"]
        print(
            f"  live delay < 2 s: mean {statistics.fmean(d):.2f}, max {max(d):.2f} -> {verdict(ok)}"
        )
    if "speed" in results:
        alone, watched = (mean_se(results["speed"][k]) for k in ("alone", "watched"))
        se = math.hypot(alone[1], watched[1])
        tie = abs(watched[0] - alone[0]) <= se
        print(
            f"  search speed unchanged: watched/alone {watched[0] / alone[0]:.3f} "
            f"(difference {watched[0] - alone[0]:+.2f} s, one SE {se:.2f} s) -> "
            f"{'met (a tie)' if tie else ('met (faster)' if watched[0] < alone[0] else 'NOT met')}"
        )


if __name__ == "__main__":
    sys.exit(main())
