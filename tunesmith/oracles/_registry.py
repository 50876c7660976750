"""One registry of the search algorithms, by the name a study stores.

The tuners, :func:`~tunesmith.tune`, :func:`~tunesmith.oracles.load_oracle` and the
command line look algorithms up here, so a name means the same class everywhere.
"""

from __future__ import annotations

from tunesmith.oracles._asha import ASHAOracle
from tunesmith.oracles._bayesian import BayesianOptimizationOracle
from tunesmith.oracles._grid import GridSearchOracle
from tunesmith.oracles._hyperband import HyperbandOracle
from tunesmith.oracles._protocol import Oracle
from tunesmith.oracles._random import RandomSearchOracle

#: ``{algorithm name: oracle class}``; ``"composed"`` is an :class:`Oracle` given a
#: ``sampler=`` (and ``scheduler=``) directly.
ALGORITHMS: dict[str, type[Oracle]] = {
    cls.algorithm_name: cls
    for cls in (
        RandomSearchOracle,
        GridSearchOracle,
        BayesianOptimizationOracle,
        HyperbandOracle,
        ASHAOracle,
    )
}
ALGORITHMS[Oracle.composed_name] = Oracle


def algorithm_class(name: str, *, single_fidelity: bool = False) -> type[Oracle]:
    """The oracle class of ``name``; a clear error naming the choices otherwise.

    ``single_fidelity`` leaves out the algorithms whose trials need ``tuner/epochs``
    (Hyperband, ASHA), for callers that cannot train to a given epoch.

    Example:
        >>> algorithm_class("bayesian").__name__
        'BayesianOptimizationOracle'
    """
    choices = {
        n: cls
        for n, cls in ALGORITHMS.items()
        if n != Oracle.composed_name and not (single_fidelity and cls.multi_fidelity)
    }
    if name not in choices:
        raise ValueError(
            f"Unknown algorithm {name!r}; choose one of {sorted(choices)} or pass an Oracle."
        )
    return choices[name]
