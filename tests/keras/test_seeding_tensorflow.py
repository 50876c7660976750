"""Seeding a trial imports TensorFlow only where the program already has."""

from __future__ import annotations

import importlib.abc
import random
import sys
import types

import numpy as np
import pytest
from keras.src.utils import rng_utils
from keras.src.utils.module_utils import LazyModule

from tunesmith.keras._seeding import seed_execution


class RecordsImports(importlib.abc.MetaPathFinder):
    """Notes every attempt to import ``tensorflow`` and lets it fail."""

    def __init__(self) -> None:
        self.attempts = 0

    def find_spec(self, name, path=None, target=None):  # type: ignore[no-untyped-def]
        if name == "tensorflow":
            self.attempts += 1
            raise ImportError("tensorflow is not importable in this test")
        return None


@pytest.fixture
def fresh_lazy_tensorflow(monkeypatch: pytest.MonkeyPatch) -> LazyModule:
    """A lazy ``tensorflow`` that has never been probed, as in a new process."""
    lazy = LazyModule("tensorflow")
    monkeypatch.setattr(rng_utils, "tf", lazy)
    return lazy


def test_seeding_does_not_import_tensorflow_the_program_never_imported(
    fresh_lazy_tensorflow: LazyModule, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delitem(sys.modules, "tensorflow", raising=False)
    finder = RecordsImports()
    monkeypatch.setattr(sys, "meta_path", [finder, *sys.meta_path])
    value = seed_execution(7, "03")
    assert finder.attempts == 0
    assert fresh_lazy_tensorflow._available is None  # left unprobed for later callers
    # Python's and numpy's generators are still seeded.
    first = (random.random(), np.random.random())
    assert seed_execution(7, "03") == value
    assert (random.random(), np.random.random()) == first


def test_a_program_that_imported_tensorflow_has_it_seeded(
    fresh_lazy_tensorflow: LazyModule, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeds: list[int] = []
    fake = types.ModuleType("tensorflow")
    fake.random = types.SimpleNamespace(set_seed=seeds.append)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tensorflow", fake)
    value = seed_execution(7, "03")
    assert seeds == [value]
