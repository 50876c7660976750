"""The tables of tests/conftest.py that keep `make test-fast` fast stay true: every name
they hold is a test that exists, and every marker is registered and deselected."""

from __future__ import annotations

import ast
import importlib.util
import re
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    tomllib = None

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent


def _conftest():
    spec = importlib.util.spec_from_file_location("tunesmith_tests_conftest", TESTS / "conftest.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


lanes = _conftest()


def _top_level_names(module: str) -> set[str]:
    tree = ast.parse((TESTS / module).read_text(encoding="utf-8"))
    return {
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
    }


def test_every_module_and_test_in_the_tables_exists():
    missing = []
    for modules in lanes.MODULES.values():
        missing += [module for module in modules if not (TESTS / module).is_file()]
    for by_module in lanes.TESTS.values():
        for module, tests in by_module.items():
            if not (TESTS / module).is_file():
                missing.append(module)
                continue
            names = _top_level_names(module)
            missing += [
                f"{module}::{test}"
                for test in tests
                if not test.startswith("[") and test.split("[")[0] not in names
            ]
    assert missing == []


def test_every_fixture_in_the_tables_exists():
    defined = set()
    for path in TESTS.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        defined.update(re.findall(r"@pytest\.fixture[^\n]*\n(?:@[^\n]*\n)*def (\w+)", text))
    named = {fixture for fixtures in lanes.FIXTURES.values() for fixture in fixtures}
    assert named <= defined


def test_every_marker_is_registered_and_make_test_fast_deselects_it():
    used = set(lanes.MODULES) | set(lanes.TESTS) | set(lanes.FIXTURES)
    assert used <= set(lanes.LANE_MARKERS)
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\ntest-fast:", 1)[1].split("\n\n", 1)[0]
    (expression,) = re.findall(r'-m "([^"]+)"', recipe)
    deselected = set(re.findall(r"not (\w+)", expression))
    assert deselected == set(lanes.LANE_MARKERS)
    if tomllib is not None:
        with open(ROOT / "pyproject.toml", "rb") as file:
            options = tomllib.load(file)["tool"]["pytest"]["ini_options"]
        registered = {line.split(":")[0] for line in options["markers"]}
        assert set(lanes.LANE_MARKERS) <= registered
