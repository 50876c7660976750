"""The package's imports show its layers: no cycles, no reaching into another
package's private modules.

The imports are read from the source (``ast``), function-local ones included: an
import hidden inside a function still ties two modules together.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import tunesmith

ROOT = Path(tunesmith.__file__).parent
#: Folders outside the library's layers (the reference workloads behind the demo).


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> Iterator[str]:
    """Every tunesmith module ``path`` imports at run time (``from a import b``
    counts ``a.b`` when ``a.b`` is a module, else ``a``); imports for type checkers
    only (under ``if TYPE_CHECKING:``) are left out."""
    tree = ast.parse(path.read_text(), str(path))
    here = module_name(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    for node in _runtime_nodes(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("tunesmith"):
                    yield alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")
                base = ".".join(parent[: len(parent) - node.level + 1] + ([base] if base else []))
            if not base.startswith("tunesmith"):
                continue
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                yield candidate if _is_module(candidate) else base


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            yield from (n for child in node.orelse for n in ast.walk(child))
            continue
        yield node
        yield from _runtime_nodes(node)


def _is_module(name: str) -> bool:
    path = ROOT.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def sources() -> list[Path]:
    return sorted(p for p in ROOT.rglob("*.py") if "__pycache__" not in p.parts)


def package_of(module: str) -> str:
    """``tunesmith.store._sqlite`` → ``tunesmith.store``; a top-level module is its own."""
    parts = module.split(".")
    if len(parts) > 2 or _is_package(module):
        return ".".join(parts[:2])
    return module


def _is_package(name: str) -> bool:
    return (ROOT.parent.joinpath(*name.split(".")) / "__init__.py").exists()


def is_private(module: str) -> bool:
    return any(part.startswith("_") and part != "__init__" for part in module.split(".")[1:])


def test_no_module_imports_another_package_private_module():
    offenders = []
    for path in sources():
        here = module_name(path)
        for target in imported_modules(path):
            if (
                is_private(target)
                and package_of(target) != package_of(here)
                and not target.startswith("tunesmith._")  # the package's own top-level
            ):
                offenders.append(f"{here} imports {target}")
    assert not offenders, "\n".join(offenders)


def test_no_import_cycle_between_modules():
    graph = {module_name(p): set(imported_modules(p)) for p in sources()}
    cycles = []
    for start in graph:
        # Depth-first: a path that comes back to its start is a cycle.
        stack = [(start, [start])]
        while stack:
            node, path = stack.pop()
            for nxt in graph.get(node, ()):
                if nxt == start:
                    cycles.append(" -> ".join([*path, nxt]))
                elif nxt not in path and nxt in graph and len(path) < 8:
                    stack.append((nxt, [*path, nxt]))
    # A package's __init__ importing its own modules, which import the package
    # back for a public name, is not a cycle between files of different jobs.
    real = [c for c in cycles if not _through_own_init(c)]
    assert not real, "\n".join(sorted(set(real))[:40])


def _through_own_init(cycle: str) -> bool:
    modules = cycle.split(" -> ")
    packages = {package_of(m) for m in modules}
    return len(packages) == 1 and any(_is_package(m) for m in modules)


def test_the_reference_workloads_sit_outside_the_library():
    """Only the command line (``tunesmith demo``) reaches into ``tunesmith.studies``."""
    offenders = [
        f"{module_name(path)} imports {target}"
        for path in sources()
        if not module_name(path).startswith(("tunesmith.studies", "tunesmith.cli"))
        for target in imported_modules(path)
        if target.startswith("tunesmith.studies")
    ]
    assert not offenders, "\n".join(offenders)
