"""Exhaustive search over every combination of values."""

from __future__ import annotations

from typing import Any

from tunesmith.oracles._base import Oracle
from tunesmith.space import config_key, iterate_grid


class GridSearchOracle(Oracle):
    """Tries every combination of the hyperparameters' values, in order.

    Discrete hyperparameters contribute all their values. A ``Float`` without a
    ``step`` has no finite set of values; it contributes ``float_grid_size`` points
    spaced evenly on its sampling scale (linear or log), ends included. Conditional
    hyperparameters are only combined where their condition holds. On resume, the
    combinations already tried are skipped.

    Example:
        >>> from tunesmith import HyperParameters
        >>> hp = HyperParameters()
        >>> _ = hp.Choice("act", ["relu", "tanh"]); _ = hp.Boolean("bn")
        >>> oracle = GridSearchOracle(objective="val_loss", hyperparameters=hp)
        >>> trials = [oracle.ask() for _ in range(4)]
        >>> oracle.ask() is None
        True
    """

    algorithm_name = "grid"

    def __init__(self, *args: Any, float_grid_size: int = 10, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if float_grid_size < 2:
            raise ValueError("float_grid_size must be at least 2 (the two ends of the range).")
        self.float_grid_size = float_grid_size

    def _algorithm_args(self) -> dict[str, Any]:
        return {"float_grid_size": self.float_grid_size}

    def _propose(self, number: int) -> dict[str, Any] | None:
        tried = self._tried_keys()
        for values in iterate_grid(self.hyperparameters, float_grid_size=self.float_grid_size):
            if config_key(values) not in tried:
                return values
        self.stop_reason = "Every combination of the grid has been tried."
        return None
