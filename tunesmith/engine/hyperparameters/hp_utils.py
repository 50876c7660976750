"""keras-tuner's ``engine.hyperparameters.hp_utils``: the bins of the [0, 1] encoding.

``index_to_prob(i, n)`` is where the ``i``-th of ``n`` values encodes (the centre of
its bin) and ``prob_to_index(u, n)`` the bin that holds ``u``: the encoding every
discrete type uses (:func:`tunesmith.space.index_to_unit`,
:func:`tunesmith.space.unit_to_index`).

Example:
    >>> index_to_prob(1, 5), prob_to_index(0.3, 5)
    (0.3, 1)
"""

from tunesmith.space import index_to_unit as index_to_prob
from tunesmith.space import unit_to_index as prob_to_index

__all__ = ["index_to_prob", "prob_to_index"]
