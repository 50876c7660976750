"""Exhaustive search in keras-tuner's order, growing with a define-by-run space."""

from __future__ import annotations

from typing import Any

from tunesmith.oracles._protocol import Oracle
from tunesmith.samplers import GridSampler


class GridSearchOracle(Oracle):
    """Tries every combination of the hyperparameters' values, as keras-tuner orders them.

    It is the study with a :class:`~tunesmith.samplers.GridSampler`, which says how
    the grid is ordered and grows with a define-by-run space. The first trial takes
    every default; a ``Float`` without ``step`` contributes its default plus
    ``float_grid_size`` points (keras-tuner's ten). With several trials running, an
    ask continues the counter past the highest trial (keras-tuner waits there); at
    the grid's end :meth:`ask` returns None with :attr:`waiting` True (keras-tuner's
    IDLE trial) while a running trial may still register more. Once no combination
    follows, the search ends with :attr:`stop_reason` saying so; no combination is
    ever proposed twice, and a resumed search continues the grid.

    Example:
        >>> from tunesmith import HyperParameters
        >>> hp = HyperParameters()
        >>> _ = hp.Choice("act", ["relu", "tanh"]); _ = hp.Boolean("bn")
        >>> oracle = GridSearchOracle(objective="loss", hyperparameters=hp)
        >>> tried = []
        >>> while (trial := oracle.ask()) is not None:
        ...     tried.append(tuple(trial.values.values()))
        ...     _ = oracle.tell(trial, 0.0)
        >>> tried
        [('relu', False), ('relu', True), ('tanh', False), ('tanh', True)]
    """

    algorithm_name = "grid"

    def __init__(self, *args: Any, float_grid_size: int = 10, **kwargs: Any) -> None:
        kwargs.setdefault("sampler", GridSampler(float_grid_size))
        super().__init__(*args, **kwargs)

    @property
    def float_grid_size(self) -> int:
        """The points a ``Float`` without step contributes besides its default."""
        assert isinstance(self.sampler, GridSampler)
        return self.sampler.float_grid_size
