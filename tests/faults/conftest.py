"""Fixtures of the fault-injection tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from fault_helpers import killed_search


@pytest.fixture(scope="module")
def killed_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A search SIGKILLed in its fourth trial (3 completed, 1 running); copy to change it."""
    return killed_search(tmp_path_factory.mktemp("killed"), kill_at=3)
