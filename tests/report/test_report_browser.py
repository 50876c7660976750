"""The W1 report in a real browser: every chart drawn, no console error.

CI installs Debian's chromium and chromium-driver and sets TUNESMITH_REQUIRE_BROWSER=1,
so there a missing browser fails the test instead of skipping it.
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
from pathlib import Path

import pytest

pytest.importorskip("keras")
pytest.importorskip("matplotlib")

# The harness lives with the benchmarks (benchmarks/report_render.py uses it too).
_HARNESS = Path(__file__).resolve().parents[2] / "benchmarks" / "browser.py"
_spec = importlib.util.spec_from_file_location("report_browser_harness", _HARNESS)
assert _spec is not None and _spec.loader is not None
_browser = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = _browser  # its dataclasses look their module up there
_spec.loader.exec_module(_browser)
find_chromium, render = _browser.find_chromium, _browser.render

# data views, search views (importance needs 4 distinct scores), curves, 2 confusions, ROC
W1_CHARTS_AT_LEAST = 4 + 3 + 2 + 2 + 1


def _need_browser() -> None:
    if find_chromium() is None:
        if os.environ.get("TUNESMITH_REQUIRE_BROWSER") == "1":
            pytest.fail("Chromium and chromedriver are required here but not installed")
        pytest.skip("needs chromium and chromedriver (apt-get install chromium chromium-driver)")
    pytest.importorskip("selenium")


@pytest.mark.slow
def test_w1_report_renders_in_chromium(tmp_path):
    _need_browser()
    from tunesmith.studies.breast_cancer import run_study

    artifacts = run_study(directory=str(tmp_path), max_trials=5, epochs=4, verbose=0)
    assert artifacts.report is not None and artifacts.report.exists()
    shot = tmp_path / "w1_report.png"
    result = render(artifacts.report, screenshot=shot)
    assert result.console_errors == []
    written = re.findall(r'<figure data-chart="([^"]+)"', artifacts.report.read_text("utf-8"))
    assert [c["name"] for c in result.charts] == written
    assert len(written) >= W1_CHARTS_AT_LEAST, written
    assert result.broken_charts == []
    interactive = [c["name"] for c in result.charts if c["spec"]]
    assert len(interactive) >= 5, result.charts  # history, parallel, slices, importance, curves
    assert result.undrawn_interactive_charts == []
    size = artifacts.report.stat().st_size
    assert size < 5_000_000, size
    assert all(c["width"] >= 300 and c["height"] >= 200 for c in result.charts)
    assert "Breast-cancer MLP (W1)" in result.title
    assert shot.stat().st_size > 50_000


def test_a_broken_image_is_detected(tmp_path):
    """The check can fail: a chart whose image does not decode is reported."""
    _need_browser()
    page = tmp_path / "broken.html"
    page.write_text(
        "<!DOCTYPE html><html><head><title>t</title></head><body>"
        '<figure data-chart="bad"><img alt="x" src="data:image/png;base64,AAAA"></figure>'
        "<script>console.error('boom')</script></body></html>",
        encoding="utf-8",
    )
    result = render(page)
    assert result.broken_charts == ["bad"]
    assert any("boom" in message for message in result.console_errors)
