"""The W1 report in a real browser: every chart drawn, no console error.

CI installs Debian's chromium and chromium-driver and sets TUNESMITH_REQUIRE_BROWSER=1,
so there a missing browser fails the test instead of skipping it.
"""

from __future__ import annotations

import os
import re

import pytest

pytest.importorskip("keras")
pytest.importorskip("matplotlib")

from tunesmith.report._browser import find_chromium, render

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
