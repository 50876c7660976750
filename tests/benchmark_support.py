"""The benchmark scripts, loaded as modules for their tests (benchmarks/ is not a package)."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


@contextmanager
def benchmark_module(filename: str, module_name: str) -> Iterator[ModuleType]:
    """``benchmarks/<filename>`` as the module ``module_name``, for as long as it is used.

    The folder is on ``sys.path`` meanwhile (scripts import their neighbours, such as
    ``browser.py``) and the module is in ``sys.modules`` (dataclasses and pickling look
    it up there); both are undone afterwards.
    """
    spec = importlib.util.spec_from_file_location(module_name, BENCHMARKS / filename)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(BENCHMARKS))
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop(module_name, None)
        sys.path.remove(str(BENCHMARKS))
