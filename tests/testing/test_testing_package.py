"""``tunesmith.testing`` stays apart: only its suites import pytest, and
``import tunesmith`` imports neither it nor pytest."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import tunesmith

ROOT = Path(tunesmith.__file__).parent
SUITES = {"_sampler.py", "_scheduler.py", "_storage.py", "_executor.py"}


def imports_pytest(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import) and any(
            a.name.split(".")[0] == "pytest" for a in node.names
        ):
            return True
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "pytest":
            return True
    return False


def test_only_the_suites_import_pytest():
    importers = {
        str(path.relative_to(ROOT))
        for path in ROOT.rglob("*.py")
        if "__pycache__" not in path.parts and imports_pytest(path)
    }
    assert importers <= {f"testing/{name}" for name in SUITES}, importers


def test_import_tunesmith_imports_neither_the_suites_nor_pytest():
    code = (
        "import sys, tunesmith, tunesmith.execution, tunesmith.study, tunesmith.store\n"
        "loaded = sorted(m for m in sys.modules "
        "if m == 'pytest' or m.startswith(('tunesmith.testing', '_pytest')))\n"
        "print(loaded)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == "[]"
