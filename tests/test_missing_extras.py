"""A missing optional dependency names the extra that installs it
(``tunesmith._compat_paths.missing_extra_error``): Keras, or Keras without the
backend it needs, behind tunesmith's lazily loaded Keras names. The missing
packages are simulated in ``sys.modules`` and with an import hook; nothing is
uninstalled."""

from __future__ import annotations

import importlib.abc
import sys
from collections.abc import Iterator

import pytest

import tunesmith
from tunesmith._compat_paths import missing_extra_error

_KERAS_NAMES = ("RandomSearch", "Tuner")


@pytest.fixture
def fresh_keras_front(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Forget Keras and the Keras front for one test, then put back exactly what was there."""
    before = dict(sys.modules)
    for name in list(sys.modules):
        if name == "keras" or name.startswith(("keras.", "tunesmith.keras")):
            del sys.modules[name]
    for name in (*_KERAS_NAMES, "keras"):
        if name in vars(tunesmith):  # (hasattr would load the lazy name)
            monkeypatch.delattr(tunesmith, name)
    try:
        yield
    finally:
        for name in set(sys.modules) - set(before):
            del sys.modules[name]
        sys.modules.update(before)


class _Missing(importlib.abc.MetaPathFinder):
    """Importing keras fails as without ``missing``: Keras itself, or its backend's package."""

    def __init__(self, missing: str) -> None:
        self.missing = missing

    def find_spec(self, fullname, path, target=None):
        if fullname == "keras" or fullname.startswith("keras."):
            raise ModuleNotFoundError(f"No module named {self.missing!r}", name=self.missing)
        return None


def test_without_keras_the_error_names_the_keras_extra(fresh_keras_front, monkeypatch):
    monkeypatch.setattr(sys, "meta_path", [_Missing("keras"), *sys.meta_path])
    with pytest.raises(ModuleNotFoundError, match=r'pip install "tunesmith\[keras\]"') as caught:
        tunesmith.RandomSearch  # noqa: B018
    assert "tunesmith.RandomSearch needs keras" in str(caught.value)
    assert caught.value.name == "keras"
    assert isinstance(caught.value.__cause__, ModuleNotFoundError)


def test_keras_without_a_backend_names_the_keras_extra(fresh_keras_front, monkeypatch):
    monkeypatch.setattr(sys, "meta_path", [_Missing("tensorflow"), *sys.meta_path])
    monkeypatch.delenv("KERAS_BACKEND", raising=False)
    with pytest.raises(ImportError, match=r'pip install "tunesmith\[keras\]"') as caught:
        tunesmith.Tuner  # noqa: B018
    message = str(caught.value)
    assert "needs tensorflow" in message and "no KERAS_BACKEND is set" in message
    assert "KERAS_BACKEND=tensorflow or torch" in message


def test_keras_paths_of_keras_tuner_say_it_too(fresh_keras_front, monkeypatch):
    monkeypatch.setattr(sys, "meta_path", [_Missing("jax"), *sys.meta_path])
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    monkeypatch.delitem(sys.modules, "tunesmith.engine.tuner", raising=False)
    import tunesmith.engine.tuner as tuner_module

    with pytest.raises(ImportError, match=r'pip install "tunesmith\[keras\]"') as caught:
        tuner_module.Tuner  # noqa: B018
    assert "tunesmith.engine.tuner.Tuner needs jax" in str(caught.value)
    assert "KERAS_BACKEND='jax'" in str(caught.value)


def test_other_missing_modules_are_left_alone():
    error = ModuleNotFoundError("No module named 'nothing_here'", name="nothing_here")
    assert missing_extra_error(error, "tunesmith.Tuner") is None
    sklearn = ModuleNotFoundError("No module named 'sklearn'", name="sklearn")
    assert 'pip install "tunesmith[report]"' in str(missing_extra_error(sklearn, "x"))
