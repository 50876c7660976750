"""pytest plugin: ``import keras_tuner`` resolves to tunesmith.

Loaded with ``-p alias_plugin`` by ``run.py``. ``keras_tuner.<path>`` is
``tunesmith.<path>``: the same module object, so ``mock.patch("keras_tuner.x.y")``
patches tunesmith. Two paths are not tunesmith's to provide:

* ``keras_tuner.backend`` is keras-tuner's private switch between Keras 3 and
  ``tf.keras``; its tests import Keras through it. Here it is Keras 3 itself.
* ``keras_tuner.test_utils`` is keras-tuner's test support (threads that pretend
  to be a chief and workers). It is loaded from the keras-tuner checkout given in
  ``KT_COMPAT_CHECKOUT``: test infrastructure, not the library under test.
* keras-tuner's private modules (``distribute``, its gRPC chief and workers;
  ``protos``; ``utils``; ``engine.stateful``) are empty stand-ins here, so a test
  file that imports one at its top still runs its other tests; a test that uses
  one fails on the missing attribute, and the report classifies it.

A path tunesmith lacks raises ``ModuleNotFoundError`` naming both, which the
report classifies.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import shutil
import sys
import types
from pathlib import Path

PREFIX = "keras_tuner"
PRIVATE = ("distribute", "protos", "utils", "engine.stateful")


def _backend_config() -> types.ModuleType:
    import keras

    module = types.ModuleType("keras_tuner.backend.config")
    module.multi_backend = lambda: True
    module.backend = keras.backend.backend
    return module


def _backend_io() -> types.ModuleType:
    import glob

    module = types.ModuleType("keras_tuner.backend.io")
    module.exists = os.path.exists
    module.rmtree = shutil.rmtree
    module.File = open
    module.glob = glob.glob
    module.makedirs = lambda path: os.makedirs(path, exist_ok=True)
    return module


def _backend() -> types.ModuleType:
    import keras

    module = types.ModuleType("keras_tuner.backend")
    module.__path__ = []  # a package, so its submodules resolve through this finder
    module.keras = keras
    module.ops = keras.ops
    module.random = keras.random
    module.config = _backend_config()
    module.io = _backend_io()
    return module


class _TopLevel(types.ModuleType):
    """``keras_tuner`` itself: tunesmith's names, then keras-tuner's private modules."""

    def __getattr__(self, name: str):
        import tunesmith

        try:
            return getattr(tunesmith, name)
        except AttributeError:
            if name.startswith("__"):
                raise
            return importlib.import_module(f"{PREFIX}.{name}")

    def __dir__(self):
        import tunesmith

        return dir(tunesmith)


def _top_level() -> types.ModuleType:
    import tunesmith

    module = _TopLevel(PREFIX, tunesmith.__doc__)
    module.__path__ = []  # its submodules resolve through this finder
    return module


def _target(fullname: str) -> types.ModuleType:
    rest = fullname[len(PREFIX) :]
    if fullname == PREFIX:
        return _top_level()
    if fullname == "keras_tuner.backend":
        return _backend()
    if rest.startswith(".backend."):
        backend = importlib.import_module("keras_tuner.backend")
        name = rest[len(".backend.") :]
        if name in ("config", "io"):
            return getattr(backend, name)
        if name == "ops":
            return importlib.import_module("keras.ops")
        if name == "random":
            return importlib.import_module("keras.random")
        if name == "keras" or name.startswith("keras."):
            return importlib.import_module(name)
    if rest == ".test_utils" or rest.startswith(".test_utils."):
        return _from_checkout(fullname)
    if any(rest == f".{p}" or rest.startswith(f".{p}.") for p in PRIVATE):
        return _stand_in(fullname)
    try:
        return importlib.import_module("tunesmith" + rest)
    except ModuleNotFoundError as exc:
        if exc.name is not None and exc.name.startswith("tunesmith"):
            raise ModuleNotFoundError(
                f"{fullname} has no counterpart in tunesmith (tunesmith{rest})", name=fullname
            ) from None
        raise


class _StandIn(types.ModuleType):
    """An empty module for one of keras-tuner's private ones."""

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        raise AttributeError(
            f"{self.__name__}.{name}: keras-tuner's private module, not in tunesmith"
        )


def _stand_in(fullname: str) -> types.ModuleType:
    module = _StandIn(fullname)
    module.__path__ = []
    return module


def _from_checkout(fullname: str) -> types.ModuleType:
    checkout = Path(os.environ["KT_COMPAT_CHECKOUT"])
    relative = Path(*fullname.split("."))
    package = checkout / relative / "__init__.py"
    path = package if package.exists() else checkout / relative.with_suffix(".py")
    spec = importlib.util.spec_from_file_location(
        fullname, path, submodule_search_locations=[str(path.parent)] if package.exists() else None
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[fullname] = module
    spec.loader.exec_module(module)
    return module


class _AliasLoader(importlib.abc.Loader):
    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        return _target(spec.name)

    def exec_module(self, module: types.ModuleType) -> None:
        """The target module is already executed."""


class _AliasFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        if fullname != PREFIX and not fullname.startswith(PREFIX + "."):
            return None
        spec = importlib.machinery.ModuleSpec(fullname, _AliasLoader())
        return spec


def _install() -> None:
    for name in list(sys.modules):
        if name == PREFIX or name.startswith(PREFIX + "."):
            del sys.modules[name]
    sys.meta_path.insert(0, _AliasFinder())


_install()


#: The variables keras-tuner's test threads set to pretend to be a chief or a worker.
_DISTRIBUTE_VARIABLES = ("KERASTUNER_ORACLE_IP", "KERASTUNER_ORACLE_PORT", "KERASTUNER_TUNER_ID")


def pytest_runtest_setup(item) -> None:
    """Each test starts without what an earlier test's leftover thread wrote into the
    real environment.

    ``mock_distribute`` starts its chief as a daemon thread and, unless told to wait,
    leaves once the workers end. Refused at once here, they can end before the chief
    thread runs: it then sets the chief's variables in the real ``os.environ`` after
    the mock is gone, and every later test would run as keras-tuner's chief (the
    order of the threads decides, so a run may or may not show it).
    """
    for name in _DISTRIBUTE_VARIABLES:
        os.environ.pop(name, None)
