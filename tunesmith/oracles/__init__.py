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
from tunesmith.oracles._base import Oracle, synchronized
from tunesmith.oracles._bayesian import BayesianOptimizationOracle
from tunesmith.oracles._grid import GridSearchOracle
from tunesmith.oracles._hyperband import HyperbandOracle
from tunesmith.oracles._random import RandomSearchOracle
from tunesmith.oracles._registry import ALGORITHMS, algorithm_class

if TYPE_CHECKING:
    from tunesmith.store import Store

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


def load_oracle(store: Store) -> Oracle:
    """The oracle of the study held in ``store``, with its trials loaded (read-only use).

    Example:
        >>> from tunesmith.store import Store
        >>> oracle = load_oracle(Store.open("runs/w1"))  # doctest: +SKIP
        >>> oracle.get_best_trials(1)  # doctest: +SKIP
    """
    from tunesmith.errors import StoreError

    settings = store.load_study()
    if settings is None:
        raise StoreError(f"The store at {store.project_dir} holds no study yet.")
    cls = ALGORITHMS.get(settings.get("algorithm"), Oracle)
    oracle = cls.from_settings(settings)
    if cls is Oracle:
        oracle.algorithm_name = settings.get("algorithm", "base")
    oracle.attach_store(store, read_only=True)
    return oracle
