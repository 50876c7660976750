"""keras-tuner's module paths (``tunesmith._compat_paths``): every path imports,
every name it declares is the object the table names, and none loads Keras early."""

from __future__ import annotations

import importlib
import importlib.util
import pickle
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest

import tunesmith
from tunesmith import _compat_paths
from tunesmith._compat_paths import KERAS_TUNER_PATHS

# What a target module needs beyond tunesmith's own dependencies.
_OPTIONAL = {
    "tunesmith.keras": "keras",
    "tunesmith.applications": "keras",
    "tunesmith.tuners.sklearn_tuner": "sklearn",
}


def _module(path: str) -> str:
    return f"tunesmith.{path}" if path else "tunesmith"


def _skip_without_dependency(target: str) -> None:
    module = target.partition(":")[0]
    for prefix, dependency in _OPTIONAL.items():
        if module == prefix or module.startswith(prefix + "."):
            pytest.importorskip(dependency)


def _load(target: str) -> object:
    module, _, attribute = target.partition(":")
    return getattr(importlib.import_module(module), attribute)


DECLARED = [
    pytest.param(path, name, target, id=f"{_module(path)}.{name}")
    for path, names in KERAS_TUNER_PATHS.items()
    for name, target in names.items()
]


@pytest.mark.parametrize(("path", "name", "target"), DECLARED)
def test_every_declared_name_is_the_object_the_table_names(
    path: str, name: str, target: str
) -> None:
    _skip_without_dependency(target)
    module = importlib.import_module(_module(path))
    assert getattr(module, name) is _load(target)
    assert name in dir(module)


@pytest.mark.parametrize("path", [path for path in KERAS_TUNER_PATHS if path])
def test_every_path_imports_and_is_an_attribute_of_its_parent(path: str) -> None:
    if path.startswith("applications"):
        pytest.importorskip("keras")
    module = importlib.import_module(_module(path))
    parent_path, _, last = path.rpartition(".")
    parent = importlib.import_module(_module(parent_path))
    assert getattr(parent, last) is module
    assert last in dir(parent)
    if _compat_paths._children(path):  # a package: its submodules resolve
        assert hasattr(module, "__path__")


def test_same_objects_as_the_top_level() -> None:
    from tunesmith.engine.hyperparameters import HyperParameters
    from tunesmith.tuners.bayesian import BayesianOptimizationOracle

    assert tunesmith.engine.oracle.Oracle is tunesmith.Oracle
    assert tunesmith.engine.oracle.synchronized is tunesmith.synchronized
    assert HyperParameters is tunesmith.HyperParameters
    assert BayesianOptimizationOracle is tunesmith.oracles.BayesianOptimizationOracle
    assert tunesmith.engine.hyperparameters.hp_types.Float is tunesmith.space.Float
    assert tunesmith.engine.conditions.Parent is tunesmith.space.Condition


def test_keras_names_through_the_paths() -> None:
    pytest.importorskip("keras")
    import tunesmith.engine.trial as trial_module
    from tunesmith.applications.resnet import HyperResNet

    assert tunesmith.engine.tuner.Tuner is tunesmith.Tuner
    assert tunesmith.tuners.randomsearch.RandomSearch is tunesmith.RandomSearch
    assert HyperResNet is tunesmith.applications.HyperResNet
    assert trial_module.TrialStatus.COMPLETED == "COMPLETED"


def test_objects_reached_through_the_paths_pickle() -> None:
    from tunesmith.engine import hyperparameters as hp_module
    from tunesmith.engine import objective, trial

    hp = hp_module.HyperParameters()
    hp.Float("lr", 1e-4, 1e-1, sampling="log")
    for obj in (hp, trial.Trial(hp, trial_id="1"), objective.Objective("val_auc", "max")):
        copy = pickle.loads(pickle.dumps(obj))
        assert type(copy) is type(obj)
    assert pickle.loads(pickle.dumps(hp)).get("lr") == hp.get("lr")


def test_a_function_using_a_path_module_travels_to_a_worker() -> None:
    cloudpickle = pytest.importorskip("cloudpickle")
    import tunesmith.engine.trial as trial_module

    def status() -> object:
        return trial_module.TrialStatus.RUNNING

    assert pickle.loads(cloudpickle.dumps(trial_module)) is trial_module
    assert pickle.loads(cloudpickle.dumps(status))() is tunesmith.TrialStatus.RUNNING


def test_star_import_gives_the_declared_names() -> None:
    namespace: dict[str, object] = {}
    exec("from tunesmith.engine.hyperparameters.hp_types import *", namespace)
    assert set(KERAS_TUNER_PATHS["engine.hyperparameters.hp_types"]) <= set(namespace)


def test_paths_and_names_outside_the_table_stay_missing() -> None:
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("tunesmith.engine.stateful")
    with pytest.raises(AttributeError, match="generate_trial_id"):
        _ = tunesmith.engine.trial.generate_trial_id
    with pytest.raises(ImportError):
        exec("from tunesmith.engine.oracle import Display", {})


def test_mock_patch_replaces_and_restores_a_path_name() -> None:
    import tunesmith.engine.trial as trial_module

    original = trial_module.Trial
    with mock.patch("tunesmith.engine.trial.Trial") as patched:
        assert trial_module.Trial is patched
    assert trial_module.Trial is original


def test_a_module_file_wins_over_the_table_but_a_leftover_folder_does_not(tmp_path: Path) -> None:
    (tmp_path / "engine" / "__pycache__").mkdir(parents=True)
    assert not _compat_paths._has_source("tunesmith.engine", [str(tmp_path)])
    (tmp_path / "engine.py").write_text("")
    assert _compat_paths._has_source("tunesmith.engine", [str(tmp_path)])


def test_sklearn_tuner_stays_a_module_of_its_own() -> None:
    pytest.importorskip("sklearn")
    import tunesmith.tuners.sklearn_tuner as sklearn_tuner

    assert sklearn_tuner.__file__.endswith("sklearn_tuner.py")
    assert tunesmith.tuners.SklearnTuner is sklearn_tuner.SklearnTuner


@pytest.mark.slow
def test_import_tunesmith_and_the_keras_free_paths_load_no_keras() -> None:
    code = (
        "import sys, tunesmith\n"
        "assert 'keras' not in sys.modules, 'import tunesmith'\n"
        "import tunesmith.engine.tuner, tunesmith.engine.tuner_utils, tunesmith.tuners.bayesian\n"
        "from tunesmith.engine.oracle import Oracle\n"
        "from tunesmith.engine.hyperparameters import HyperParameters\n"
        "from tunesmith.tuners.bayesian import BayesianOptimizationOracle\n"
        "import tunesmith.engine.trial as trial_module\n"
        "trial_module.Trial, tunesmith.engine.metrics_tracking.MetricsTracker\n"
        "dir(tunesmith.engine.tuner), dir(tunesmith), dir(tunesmith.tuners)\n"
        "print(sorted(m for m in ('keras', 'jax', 'tensorflow', 'torch') if m in sys.modules))\n"
    )
    root = Path(tunesmith.__file__).resolve().parents[1]
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["[]"]
