"""The dashboard benchmark's tunesmith side on a tiny study, in a real Chromium.

The optuna side is not run (CI has no optuna): the benchmark only imports optuna in
its export child process. CI sets TUNESMITH_REQUIRE_BROWSER=1, so there a missing
browser fails the test instead of skipping it.
"""

from __future__ import annotations

import contextlib
import math
import os
import sqlite3

import pytest

from tests.benchmark_support import benchmark_module


@pytest.fixture(scope="module")
def bench():
    with benchmark_module("dashboard.py", "dashboard_bench") as module:
        yield module


def _need_browser(bench) -> None:
    from browser import find_chromium

    if find_chromium() is None:
        if os.environ.get("TUNESMITH_REQUIRE_BROWSER") == "1":
            pytest.fail("Chromium and chromedriver are required here but not installed")
        pytest.skip("needs chromium and chromedriver (apt-get install chromium chromium-driver)")
    pytest.importorskip("selenium")
    pytest.importorskip("uvicorn")


def test_mean_and_standard_error(bench):
    mean, se = bench.mean_se([1.0, 2.0, 3.0])
    assert mean == 2.0 and se == pytest.approx(1 / math.sqrt(3))
    assert math.isnan(bench.mean_se([5.0])[1])
    assert bench.fmt([1.0, 2.0, 3.0], digits=1) == "2.0 ± 0.6"


def test_a_tiny_study_loads_and_is_cached(bench, tmp_path):
    _need_browser(bench)
    study = bench.ensure_study(tmp_path, trials=30, epochs=5, optuna_python=None)
    db = study["root"] / bench.PROJECT / "tunesmith.db"
    # Read-only and closed at once: a writable connection left to the garbage
    # collector would checkpoint the database and change its mtime later.
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        assert conn.execute("SELECT count(*) FROM trials").fetchone()[0] == 30
        assert conn.execute("SELECT count(DISTINCT step) FROM curves").fetchone()[0] == 5
    marker = study["root"].parent / "built.json"  # written once a build is complete
    stamp = marker.stat().st_mtime_ns
    again = bench.ensure_study(tmp_path, trials=30, epochs=5, optuna_python=None)
    assert again["build_s"] == study["build_s"] and marker.stat().st_mtime_ns == stamp

    out = bench.measure_loads(study, repeats=1, optuna_dashboard=None)
    (load,) = out["tunesmith"]
    assert load["shown"] == 30
    assert load["console_errors"] == []
    # Positive and ordered: painted, data in, drawn; and well under the timeout.
    assert 0 < load["fcp_ms"] < 30_000
    assert 0 < load["data_ms"] <= load["own_ms"] <= load["interactive_ms"] < 30_000
    assert 10 < out["tunesmith_rss_mb"] < 2_000
    assert "optuna" not in out
