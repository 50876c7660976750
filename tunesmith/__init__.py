"""tunesmith: hyperparameter tuning for Keras models and any Python objective.

Code written for keras-tuner runs with ``import tunesmith as kt``:

    >>> import tunesmith as kt
    >>> def build_model(hp):
    ...     model = keras.Sequential([keras.layers.Dense(hp.Int("units", 32, 512, step=32),
    ...                                                  activation="relu"),
    ...                               keras.layers.Dense(1, activation="sigmoid")])
    ...     model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    ...     return model
    >>> tuner = kt.RandomSearch(build_model, objective="val_accuracy", max_trials=5)
    >>> tuner.search(x, y, epochs=20, validation_data=(x_val, y_val))  # doctest: +SKIP

Without Keras, :func:`tune` searches any function, and the oracles in
:mod:`tunesmith.oracles` offer ask/tell. The Keras names (``RandomSearch``,
``GridSearch``, ``BayesianOptimization``, ``Hyperband``, ``ASHA``, ``Tuner``)
import Keras on first use only; ``SklearnTuner`` imports scikit-learn.
"""

from __future__ import annotations

from tunesmith._backend import choose_keras_backend

choose_keras_backend()  # before anything can import Keras

from tunesmith import _compat_paths  # noqa: E402

_compat_paths.install()  # keras-tuner's module paths (kt.engine.trial, ...)

from tunesmith import errors, oracles, pruners, samplers, schedulers  # noqa: E402
from tunesmith._version import __version__  # noqa: E402
from tunesmith.constraints import Constraint  # noqa: E402
from tunesmith.execution import Callback, LocalWorkers, RayWorkers, Steps  # noqa: E402
from tunesmith.hypermodel import HyperModel  # noqa: E402
from tunesmith.objective import Objective, Pareto  # noqa: E402
from tunesmith.oracles import Oracle, synchronized  # noqa: E402
from tunesmith.space import HyperParameter, HyperParameters  # noqa: E402
from tunesmith.study import Plateau  # noqa: E402
from tunesmith.trial import Trial, TrialStatus  # noqa: E402
from tunesmith.tuners import TuneResult, tune  # noqa: E402

# Keras (and its backend) load only when a Keras name is first used, so the
# ask/tell core and `tune()` stay light: keras-tuner's names come from the table
# in `_compat_paths`, tunesmith's own lazy names from here.
__getattr__, __dir__ = _compat_paths.lazy_attributes(
    __name__,
    own={
        "ASHA": "tunesmith.keras:ASHA",
        "dashboard": "tunesmith.web:dashboard",  # the web server loads when asked for
        "integrations": "tunesmith.integrations",
        "MLflowCallback": "tunesmith.integrations:MLflowCallback",  # mlflow, when used
        "WandbCallback": "tunesmith.integrations:WandbCallback",  # wandb, when used
        "keras": "tunesmith.keras",
        "load": "tunesmith._project:load",  # a saved project, read back
        "Project": "tunesmith._project:Project",
        "web": "tunesmith.web",
    },
)

__all__ = [
    "ASHA",
    "BayesianOptimization",
    "Callback",
    "Constraint",
    "GridSearch",
    "HyperModel",
    "HyperParameter",
    "HyperParameters",
    "Hyperband",
    "LocalWorkers",
    "MLflowCallback",
    "Objective",
    "Oracle",
    "Pareto",
    "Plateau",
    "Project",
    "RandomSearch",
    "RayWorkers",
    "SklearnTuner",
    "Steps",
    "Trial",
    "TrialStatus",
    "TuneResult",
    "Tuner",
    "WandbCallback",
    "__version__",
    "applications",
    "dashboard",
    "errors",
    "integrations",
    "load",
    "oracles",
    "pruners",
    "samplers",
    "schedulers",
    "synchronized",
    "tune",
]
