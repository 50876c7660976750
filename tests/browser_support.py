"""Headless Chromium for the browser tests (the report's and the dashboard's).

The harness itself lives with the benchmarks (``benchmarks/browser.py``), which use it
too. CI installs Debian's chromium and chromium-driver and sets
TUNESMITH_REQUIRE_BROWSER=1, so there a missing browser fails a test instead of
skipping it.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

_HARNESS = Path(__file__).resolve().parents[1] / "benchmarks" / "browser.py"
_spec = importlib.util.spec_from_file_location("tunesmith_browser_harness", _HARNESS)
assert _spec is not None and _spec.loader is not None
browser = sys.modules.get(_spec.name) or importlib.util.module_from_spec(_spec)
if _spec.name not in sys.modules:
    sys.modules[_spec.name] = browser  # its dataclasses look their module up there
    _spec.loader.exec_module(browser)


def need_browser() -> None:
    """Skip the calling test without Chromium (fail instead where CI requires it)."""
    if browser.find_chromium() is None:
        if os.environ.get("TUNESMITH_REQUIRE_BROWSER") == "1":
            pytest.fail("Chromium and chromedriver are required here but not installed")
        pytest.skip("needs chromium and chromedriver (apt-get install chromium chromium-driver)")
    pytest.importorskip("selenium")
