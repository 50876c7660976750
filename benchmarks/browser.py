"""Open a written report in headless Chromium and say how it rendered.

Used by the report's browser test and by ``benchmarks/report_render.py``: a report
is only finished when a real browser draws every chart without a console error.
Needs the ``selenium`` package and Chromium with its driver (Debian: ``chromium``
and ``chromium-driver``).
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Flags for a closed network: without the background-networking ones Chromium keeps
# trying to reach Google's services and logs the refusals.
_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
)

_CHARTS_JS = """
return Array.from(document.querySelectorAll('figure[data-chart]')).map(function (f) {
  var img = f.querySelector('img');
  var canvas = f.querySelector('canvas');
  return {name: f.getAttribute('data-chart'), complete: !!img && img.complete,
          width: img ? img.naturalWidth : 0, height: img ? img.naturalHeight : 0,
          spec: f.getAttribute('data-spec'),
          interactive: !!canvas && canvas.width > 0 && canvas.height > 0};
});
"""

_LOAD_MS_JS = """
var nav = performance.getEntriesByType('navigation')[0];
return nav ? nav.loadEventEnd - nav.startTime : null;
"""


@dataclass(frozen=True)
class RenderResult:
    """What the browser saw: load time, every chart's state, console errors."""

    load_ms: float
    charts: list[dict[str, Any]]
    console_errors: list[str]
    title: str

    @property
    def broken_charts(self) -> list[str]:
        return [c["name"] for c in self.charts if not (c["complete"] and c["width"] > 0)]

    @property
    def undrawn_interactive_charts(self) -> list[str]:
        """Charts meant to be interactive (``data-spec``) that drew no canvas."""
        return [c["name"] for c in self.charts if c.get("spec") and not c.get("interactive")]


def find_chromium() -> tuple[str, str] | None:
    """Paths of a Chromium binary and its driver, or None when either is missing."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


@contextlib.contextmanager
def chromium(width: int = 1400, height: int = 1000) -> Iterator[Any]:
    """A selenium driver of headless Chromium with a fresh profile, quit on exit."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    found = find_chromium()
    if found is None:
        raise RuntimeError(
            "Chromium and chromedriver are needed here "
            "(Debian: apt-get install chromium chromium-driver)."
        )
    browser, driver_path = found
    with tempfile.TemporaryDirectory(prefix="tunesmith-chromium-") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = browser
        for flag in (*_FLAGS, f"--window-size={width},{height}", f"--user-data-dir={profile}"):
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        driver = webdriver.Chrome(service=Service(driver_path), options=options)
        try:
            yield driver
        finally:
            driver.quit()


def console_errors(driver: Any) -> list[str]:
    """The SEVERE console messages logged since the last call."""
    return [e["message"] for e in driver.get_log("browser") if e.get("level") == "SEVERE"]


def render(report: str | Path, screenshot: str | Path | None = None) -> RenderResult:
    """Load ``report`` in headless Chromium; optionally save a full-page screenshot."""
    with chromium() as driver:
        driver.get(Path(report).resolve().as_uri())  # returns after the load event
        load_ms = driver.execute_script(_LOAD_MS_JS)
        charts = driver.execute_script(_CHARTS_JS)
        errors = console_errors(driver)
        if screenshot is not None:
            height = driver.execute_script("return document.documentElement.scrollHeight")
            driver.set_window_size(1400, min(int(height), 12000))
            driver.save_screenshot(str(screenshot))
        return RenderResult(float(load_ms or 0.0), charts, errors, driver.title)
