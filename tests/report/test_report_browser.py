"""The W1 report in a real browser: every chart drawn, no console error.

CI installs Debian's chromium and chromium-driver and sets TUNESMITH_REQUIRE_BROWSER=1,
so there a missing browser fails the test instead of skipping it.
"""

from __future__ import annotations

import re

import pytest

from tests.browser_support import browser, need_browser

pytest.importorskip("keras")
pytest.importorskip("matplotlib")
find_chromium, render = browser.find_chromium, browser.render

# data views, search views (importance needs 4 distinct scores), curves, 2 confusions, ROC
W1_CHARTS_AT_LEAST = 4 + 3 + 2 + 2 + 1


@pytest.mark.slow
def test_w1_report_renders_in_chromium(tmp_path):
    need_browser()
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
    need_browser()
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
