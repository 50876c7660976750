"""keras-tuner's module paths, declared in one table.

Code written for keras-tuner imports from its modules as well as from the top
level: ``from keras_tuner.engine import trial as trial_module``,
``keras_tuner.engine.hyperparameters.hp_types.Float``,
``from keras_tuner.tuners.bayesian import BayesianOptimizationOracle``. tunesmith
keeps each name where it belongs (the search space in :mod:`tunesmith.space`, the
Keras tuners in :mod:`tunesmith.keras`, ...) and declares here, in
:data:`KERAS_TUNER_PATHS`, which of its names each of keras-tuner's modules holds,
so ``import tunesmith as kt`` reaches them by the same paths.

* A path with no module file of its own (``engine.trial``, ``tuners.bayesian``,
  ``applications.resnet``, ...) is made on first import by the finder that
  ``tunesmith/__init__.py`` installs: a plain module whose names load when first
  touched, so ``import tunesmith.engine.tuner`` imports no Keras until ``Tuner`` is
  used, and ``tunesmith.engine.oracle.Oracle`` never does. A path that another
  path extends (``engine``, ``engine.hyperparameters``) is a package.
* A path that is a real tunesmith module (the package itself ``""``, ``tuners``,
  ``oracles``, ``errors``, ``applications``, ``tuners.sklearn_tuner``) stays that
  module: its entry lists keras-tuner's names it must hold (the tests import each),
  and a package that loads some of them lazily takes its ``__getattr__`` and
  ``__dir__`` from :func:`lazy_attributes`.

Each entry maps a keras-tuner name to ``"module:attribute"`` (where the object
lives in tunesmith); a name tunesmith spells differently says so there
(``index_to_prob`` is ``tunesmith.space:index_to_unit``). keras-tuner names that
tunesmith has no counterpart for (its gRPC chief and workers, protobuf
conversions, its ``utils`` and ``backend`` modules, the console ``Display``, the
ResNet and Xception block functions) are left out rather than faked; importing
one fails as for any missing name.

Example:
    >>> import tunesmith
    >>> from tunesmith.engine import trial as trial_module
    >>> trial_module.Trial is tunesmith.Trial
    True
    >>> KERAS_TUNER_PATHS["engine.trial"]["TrialStatus"]
    'tunesmith.trial:TrialStatus'
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
import types
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from tunesmith.space import (
    Boolean,
    Choice,
    Condition,
    Fixed,
    Float,
    HyperParameter,
    HyperParameters,
    Int,
    Parent,
)

PACKAGE = "tunesmith"


def _same(module: str, *names: str) -> dict[str, str]:
    """Names that keep their name in ``module``."""
    return {name: f"{module}:{name}" for name in names}


_SPACE = "tunesmith.space"
_CLASS_LISTS = __name__  # the class lists below the table
_KERAS = "tunesmith.keras"
_ORACLES = "tunesmith.oracles"

#: keras-tuner's module path (relative to the package; ``""`` is the package) →
#: {name it exposes: ``"module:attribute"`` where tunesmith keeps it}. Child module
#: paths are attributes of their parent as well (``kt.engine.tuner``).
KERAS_TUNER_PATHS: dict[str, dict[str, str]] = {
    "": {
        **_same("tunesmith.hypermodel", "HyperModel"),
        **_same(_SPACE, "HyperParameter", "HyperParameters"),
        **_same("tunesmith.objective", "Objective"),
        **_same(_ORACLES, "Oracle", "synchronized"),
        **_same(_KERAS, "Tuner", "BayesianOptimization", "GridSearch", "Hyperband", "RandomSearch"),
        **_same("tunesmith.tuners.sklearn_tuner", "SklearnTuner"),
        **_same("tunesmith._version", "__version__"),
    },
    "version": _same("tunesmith._version", "__version__"),
    "errors": _same(
        "tunesmith.errors",
        "FailedTrialError",
        "FatalError",
        "FatalValueError",
        "FatalTypeError",
        "FatalRuntimeError",
    ),
    # --- engine: the building blocks
    "engine": {},
    "engine.base_tuner": _same("tunesmith.tuners", "BaseTuner"),
    "engine.conditions": {
        **_same(_SPACE, "Condition", "Parent", "deserialize", "serialize"),
        "OBJECTS": f"{_CLASS_LISTS}:CONDITION_CLASSES",
        "ALL_CLASSES": f"{_CLASS_LISTS}:CONDITION_CLASSES_BY_NAME",
    },
    "engine.hypermodel": _same(
        "tunesmith.hypermodel", "HyperModel", "DefaultHyperModel", "get_hypermodel"
    ),
    "engine.hyperparameters": {
        **_same(_SPACE, "Boolean", "Choice", "Fixed", "Float", "Int"),
        **_same(_SPACE, "HyperParameter", "HyperParameters", "deserialize", "serialize"),
        "OBJECTS": f"{_CLASS_LISTS}:HP_CLASSES",
        "ALL_CLASSES": f"{_CLASS_LISTS}:HP_CLASSES_BY_NAME",
    },
    "engine.hyperparameters.hp_types": {
        **_same(_SPACE, "Boolean", "Choice", "Fixed", "Float", "Int", "deserialize", "serialize"),
        "OBJECTS": f"{_CLASS_LISTS}:HP_TYPES",
        "ALL_CLASSES": f"{_CLASS_LISTS}:HP_TYPES_BY_NAME",
    },
    "engine.hyperparameters.hp_types.boolean_hp": _same(_SPACE, "Boolean"),
    "engine.hyperparameters.hp_types.choice_hp": _same(_SPACE, "Choice"),
    "engine.hyperparameters.hp_types.fixed_hp": _same(_SPACE, "Fixed"),
    "engine.hyperparameters.hp_types.float_hp": _same(_SPACE, "Float"),
    "engine.hyperparameters.hp_types.int_hp": _same(_SPACE, "Int"),
    "engine.hyperparameters.hp_types.numerical": _same(_SPACE, "Numerical"),
    "engine.hyperparameters.hp_utils": {
        "index_to_prob": f"{_SPACE}:index_to_unit",
        "prob_to_index": f"{_SPACE}:unit_to_index",
    },
    "engine.hyperparameters.hyperparameter": _same(_SPACE, "HyperParameter"),
    "engine.hyperparameters.hyperparameters": _same(_SPACE, "HyperParameters"),
    "engine.metrics_tracking": _same(
        "tunesmith.metrics_tracking",
        "MetricHistory",
        "MetricObservation",
        "MetricsTracker",
        "infer_metric_direction",
    ),
    "engine.objective": {
        **_same("tunesmith.objective", "Objective", "DefaultObjective", "MultiObjective"),
        # keras-tuner's reads None as "the score run_trial returned"
        "create_objective": "tunesmith.objective:objective_or_default",
    },
    "engine.oracle": {
        **_same("tunesmith.objective", "Objective"),
        **_same(_ORACLES, "Oracle", "synchronized"),
    },
    "engine.trial": _same("tunesmith.trial", "Trial", "TrialStatus"),
    "engine.tuner": _same(_KERAS, "Tuner"),
    "engine.tuner_utils": _same(
        _KERAS,
        "SaveBestEpoch",
        "average_metrics_dicts",
        "convert_to_metrics_dict",
        "get_best_step",
        "validate_trial_results",
    ),
    # --- the ready-made tuners and their oracles
    "tuners": {
        **_same(_KERAS, "BayesianOptimization", "GridSearch", "Hyperband", "RandomSearch", "Tuner"),
        **_same("tunesmith.tuners.sklearn_tuner", "SklearnTuner"),
    },
    "tuners.bayesian": {
        **_same(_KERAS, "BayesianOptimization"),
        **_same(_ORACLES, "BayesianOptimizationOracle"),
    },
    "tuners.gridsearch": {**_same(_KERAS, "GridSearch"), **_same(_ORACLES, "GridSearchOracle")},
    "tuners.hyperband": {**_same(_KERAS, "Hyperband"), **_same(_ORACLES, "HyperbandOracle")},
    "tuners.randomsearch": {
        **_same(_KERAS, "RandomSearch"),
        **_same(_ORACLES, "RandomSearchOracle"),
    },
    "tuners.sklearn_tuner": _same("tunesmith.tuners.sklearn_tuner", "SklearnTuner"),
    "oracles": _same(
        _ORACLES,
        "BayesianOptimizationOracle",
        "GridSearchOracle",
        "HyperbandOracle",
        "RandomSearchOracle",
    ),
    # --- ready-made hypermodels (their package imports Keras, as keras-tuner's does)
    "applications": _same(
        "tunesmith.applications",
        "HyperEfficientNet",
        "HyperImageAugment",
        "HyperResNet",
        "HyperXception",
    ),
    "applications.augment": _same("tunesmith.applications", "HyperImageAugment", "RandAugment"),
    "applications.efficientnet": _same("tunesmith.applications", "HyperEfficientNet"),
    "applications.resnet": _same("tunesmith.applications", "HyperResNet"),
    "applications.xception": _same("tunesmith.applications", "HyperXception"),
}


# keras-tuner's modules also list their classes, as a tuple (OBJECTS) and by class
# name (ALL_CLASSES), for code that looks a class up by the name serialize wrote.
# tunesmith itself looks classes up through tunesmith.space.deserialize and never
# uses these lists, so they live beside the table that exposes them.
HP_TYPES: tuple[type[HyperParameter], ...] = (Fixed, Float, Int, Choice, Boolean)
HP_TYPES_BY_NAME: dict[str, type[HyperParameter]] = {cls.__name__: cls for cls in HP_TYPES}
HP_CLASSES: tuple[type, ...] = (*HP_TYPES, HyperParameter, HyperParameters)
HP_CLASSES_BY_NAME: dict[str, type] = {cls.__name__: cls for cls in HP_CLASSES}
#: keras-tuner's ``Parent`` is tunesmith's ``Condition``.
CONDITION_CLASSES: tuple[type[Condition], ...] = (Condition, Parent)
CONDITION_CLASSES_BY_NAME: dict[str, type[Condition]] = {"Condition": Condition, "Parent": Parent}


def _path_of(module_name: str) -> str | None:
    """The table's key for a tunesmith module name, or None outside the package."""
    if module_name == PACKAGE:
        return ""
    if module_name.startswith(PACKAGE + "."):
        return module_name[len(PACKAGE) + 1 :]
    return None


def _module_name(path: str) -> str:
    return f"{PACKAGE}.{path}" if path else PACKAGE


def _children(path: str) -> set[str]:
    """The table's paths one level below ``path``, by their last part."""
    prefix = f"{path}." if path else ""
    return {
        other[len(prefix) :]
        for other in KERAS_TUNER_PATHS
        if other and other.startswith(prefix) and "." not in other[len(prefix) :]
    }


#: A missing top-level module → the extra that installs it (with Keras' backends:
#: Keras imports the one ``KERAS_BACKEND`` names, TensorFlow when none is named).
EXTRA_FOR_MODULE: dict[str, str] = {
    "keras": "keras",
    "jax": "keras",
    "jaxlib": "keras",
    "tensorflow": "keras",
    "torch": "keras",
    "sklearn": "report",
    "matplotlib": "report",
    "starlette": "dashboard",
    "uvicorn": "dashboard",
    "mlflow": "mlflow",
    "wandb": "wandb",
}


def missing_extra_error(error: ModuleNotFoundError, needed_for: str) -> ImportError | None:
    """An ImportError naming the extra to install for ``error``'s missing module.

    None when the missing module is none that an extra of tunesmith installs.

    Example:
        >>> error = ModuleNotFoundError("No module named 'keras'", name="keras")
        >>> print(missing_extra_error(error, "tunesmith.RandomSearch"))
        tunesmith.RandomSearch needs keras, which is not installed: pip install "tunesmith[keras]"
    """
    missing = (error.name or "").partition(".")[0]
    extra = EXTRA_FOR_MODULE.get(missing)
    if extra is None:
        return None
    message = (
        f'{needed_for} needs {missing}, which is not installed: pip install "tunesmith[{extra}]"'
    )
    if extra == "keras" and missing != "keras":
        backend = os.environ.get("KERAS_BACKEND")
        message += (
            f" (Keras found no {missing} for its backend"
            + (f" KERAS_BACKEND={backend!r}" if backend else ", and no KERAS_BACKEND is set")
            + "; that extra brings JAX, or install TensorFlow or torch and set"
            " KERAS_BACKEND=tensorflow or torch)"
        )
    return ModuleNotFoundError(message, name=error.name)


def _load(target: str, asked_for: str | None = None) -> Any:
    """The object ``"module:attribute"`` (or the module ``"module"``) names.

    A missing Keras, Keras backend or other optional dependency raises a
    ModuleNotFoundError that names the extra to install (and ``asked_for``, the
    name the user reached it by).
    """
    module_name, _, attribute = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        friendly = missing_extra_error(error, asked_for or target.replace(":", "."))
        if friendly is None:
            raise
        raise friendly from error
    return getattr(module, attribute) if attribute else module


def lazy_attributes(
    module_name: str, own: Mapping[str, str] | None = None
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """A module's ``__getattr__`` and ``__dir__`` (PEP 562) over the table's names.

    A name of the module's entry, a child path (``kt.engine.tuner``) or one of
    ``own`` (tunesmith's own lazily loaded names, ``"module:attribute"`` or
    ``"module"``) is imported when first asked for and kept on the module, so the
    next lookup is an ordinary attribute and ``mock.patch`` works as on any module.
    """
    path = _path_of(module_name)
    if path is None:
        raise ValueError(f"{module_name!r} is not a {PACKAGE} module.")
    names = {**KERAS_TUNER_PATHS.get(path, {}), **(own or {})}
    children = _children(path)

    def __getattr__(name: str) -> Any:
        if name in names:
            value = _load(names[name], f"{module_name}.{name}")
        elif name in children:
            value = importlib.import_module(f"{module_name}.{name}")
        else:
            raise AttributeError(f"module {module_name!r} has no attribute {name!r}")
        setattr(sys.modules[module_name], name, value)
        return value

    def __dir__() -> list[str]:
        return sorted(set(vars(sys.modules[module_name])) | set(names) | children)

    return __getattr__, __dir__


def _has_source(fullname: str, path: Sequence[str] | None) -> bool:
    # A module file of its own wins over the table. A folder left with only a
    # __pycache__ after its modules were deleted would import as an empty
    # namespace package; it does not count.
    spec = importlib.machinery.PathFinder.find_spec(fullname, path)
    return spec is not None and spec.origin not in (None, "namespace")


class _PathLoader(importlib.abc.Loader):
    """Makes the module of one of the table's paths; its names load on first use."""

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType | None:
        return None  # a plain module

    def exec_module(self, module: types.ModuleType) -> None:
        path = _path_of(module.__name__)
        assert path is not None  # the finder only answers for the table's paths
        names = KERAS_TUNER_PATHS[path]
        module.__doc__ = (
            f"keras-tuner's ``keras_tuner.{path}``: "
            + (", ".join(f"{n} ({t.replace(':', '.')})" for n, t in names.items()) or "a package")
            + f". Declared in {__name__}; names load on first use."
        )
        # A module's own __all__, __getattr__ and __dir__ (PEP 562), which typeshed's
        # ModuleType does not let a type checker assign.
        module.__all__ = sorted(names)  # type: ignore[attr-defined]
        module.__getattr__, module.__dir__ = lazy_attributes(  # type: ignore[method-assign]
            module.__name__
        )


class KerasTunerPathFinder(importlib.abc.MetaPathFinder):
    """Finds the table's paths that have no module file, for the import system."""

    _loader = _PathLoader()

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: types.ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        relative = _path_of(fullname)
        if not relative or relative not in KERAS_TUNER_PATHS or _has_source(fullname, path):
            return None
        # origin: what the module's repr names as where it came from
        return importlib.util.spec_from_loader(
            fullname, self._loader, origin=__name__, is_package=bool(_children(relative))
        )


def install() -> None:
    """Put the finder first on ``sys.meta_path`` (once), ahead of a stale folder."""
    if not any(isinstance(finder, KerasTunerPathFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, KerasTunerPathFinder())
