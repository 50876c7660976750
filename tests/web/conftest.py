"""The dashboard's test projects."""

from __future__ import annotations

from pathlib import Path

import pytest
from web_helpers import write_study

pytest.importorskip("starlette")


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> Path:
    """A folder of two good studies (random, Hyperband) and a damaged one."""
    root = tmp_path_factory.mktemp("runs")
    write_study(root, "random_search")
    write_study(root / "group", "hyperband", trials=None, algorithm="hyperband", max_epochs=9)
    damaged = root / "damaged"
    damaged.mkdir()
    (damaged / "tunesmith.db").write_bytes(b"not a database at all" * 10)
    return root
