"""Fixtures of the store tests.

The store rebuilds trials with ``tunesmith.space.HyperParameters``, imported when
needed. These tests put a small stand-in with the same four members in its place,
so they exercise the store alone; ``test_store_space.py`` checks the real class.
"""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest
from store_helpers import StandInHyperParameters

from tunesmith.store import Store


@pytest.fixture(autouse=True)
def stand_in_space(monkeypatch: pytest.MonkeyPatch) -> type[StandInHyperParameters]:
    module = types.ModuleType("tunesmith.space")
    module.HyperParameters = StandInHyperParameters  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tunesmith.space", module)
    return StandInHyperParameters


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return tmp_path / "project"


@pytest.fixture
def store(project: Path):
    with Store.open(project) as opened:
        yield opened
