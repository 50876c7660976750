"""Search algorithms behind one ask/tell interface; none of them imports Keras.

An :class:`Oracle` is a study: the trials' lifecycle and the store, composing a
sampler (:mod:`tunesmith.samplers`: random, grid, a Gaussian process of our own) and
optionally a scheduler (:mod:`tunesmith.schedulers`: Hyperband, ASHA). The
classes below are those compositions under keras-tuner's names; ``ALGORITHMS`` is
their registry. Random and Bayesian search take a ``pruner=`` (:mod:`tunesmith.pruners`).

Example:
    >>> from tunesmith import HyperParameters
    >>> from tunesmith.oracles import RandomSearchOracle
    >>> hp = HyperParameters(); _ = hp.Int("n", 1, 4)
    >>> oracle = RandomSearchOracle(objective="loss", max_trials=3, hyperparameters=hp, seed=0)
    >>> trial = oracle.ask(); _ = oracle.tell(trial, {"loss": 1.0 / trial.values["n"]})
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tunesmith.oracles._asha import ASHAOracle
from tunesmith.oracles._bayesian import BayesianOptimizationOracle
from tunesmith.oracles._grid import GridSearchOracle
from tunesmith.oracles._hyperband import HyperbandOracle
from tunesmith.oracles._protocol import Oracle, synchronized
from tunesmith.oracles._random import RandomSearchOracle
from tunesmith.oracles._registry import ALGORITHMS, algorithm_class

if TYPE_CHECKING:
    from tunesmith.store import Storage

# keras-tuner spells these names without the Oracle suffix in some places.
RandomSearch = RandomSearchOracle
GridSearch = GridSearchOracle
BayesianOptimization = BayesianOptimizationOracle
Hyperband = HyperbandOracle
ASHA = ASHAOracle

__all__ = [
    "ALGORITHMS",
    "ASHA",
    "ASHAOracle",
    "BayesianOptimization",
    "BayesianOptimizationOracle",
    "GridSearch",
    "GridSearchOracle",
    "Hyperband",
    "HyperbandOracle",
    "Oracle",
    "RandomSearch",
    "RandomSearchOracle",
    "algorithm_class",
    "load_oracle",
    "synchronized",
]


def load_oracle(store: Storage) -> Oracle:
    """The study held in ``store`` as its oracle, with its trials loaded, for reading.

    One function for every algorithm: the stored settings (any format this version
    or an older one wrote) name the oracle class and its sampler, scheduler and
    pruner, which are composed as the class's constructor would. A user's own
    sampler or scheduler comes back as a stand-in that names it (a reader never
    proposes).

    Example:
        >>> from tunesmith.store import Store
        >>> oracle = load_oracle(Store.open("runs/w1"))  # doctest: +SKIP
        >>> oracle.get_best_trials(1)  # doctest: +SKIP
    """
    from tunesmith.errors import StoreError
    from tunesmith.objective import Objective
    from tunesmith.store import normalise_settings
    from tunesmith.study import (
        pruner_from_settings,
        sampler_from_settings,
        scheduler_from_settings,
    )

    stored = store.load_study()
    if stored is None:
        raise StoreError(f"The store at {store.project_dir} holds no study yet.")
    settings = normalise_settings(stored)
    cls = ALGORITHMS.get(settings.get("algorithm") or "", Oracle)
    oracle = cls.__new__(cls)
    # The named classes are compositions: their constructors only choose these parts.
    Oracle.__init__(
        oracle,
        objective=Objective.from_config(settings["objective"]),
        max_trials=settings.get("max_trials"),
        seed=settings.get("seed"),
        pruner=pruner_from_settings(settings.get("pruner")),
        sampler=sampler_from_settings(settings.get("sampler")),
        scheduler=scheduler_from_settings(settings.get("scheduler")),
    )
    oracle.algorithm_name = settings.get("algorithm", "base")
    oracle.attach_store(store, read_only=True)
    return oracle
