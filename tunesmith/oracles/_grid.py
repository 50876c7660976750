"""Exhaustive search in keras-tuner's order, growing with a define-by-run space."""

from __future__ import annotations

from typing import Any

from tunesmith.oracles._base import Oracle
from tunesmith.samplers import GridSampler


class GridSearchOracle(Oracle):
    """Tries every combination of the hyperparameters' values, as keras-tuner orders them.

    The space is read as a counter whose digits are the definitions in registration
    order, the last registered varying fastest; each digit runs through its
    hyperparameter's default first, then its other values in increasing order. The
    first trial takes every default, and each trial that ends hands on the next
    combination after its own. So a hyperparameter that a trial registers while it
    runs (define-by-run) becomes the fastest digit from that trial on: its values are
    combined with that trial's and the ones after it, never with trials that ended
    before it was found, the combinations keras-tuner tries. Conditional
    hyperparameters take values only where their condition holds.

    A ``Float`` without ``step`` has no finite set of values: it contributes its
    default plus ``float_grid_size`` points, the centres of equal bins of its
    sampling scale (linear or log), as keras-tuner's ten.

    Several trials may run at once: an ask that no ended trial's successor serves
    continues the counter past the highest trial, even a running one (keras-tuner
    waits there). What a running trial registers is not lost: when it ends, the
    combinations with its new values follow it. At the grid's end, :meth:`ask`
    returns None with :attr:`waiting` True (keras-tuner's IDLE trial) while a
    running trial may still register more. Once
    no combination follows, the search ends with :attr:`stop_reason` saying so; no
    combination is ever proposed twice. Everything is derived from the trials (their
    values, statuses and start and end times), so a resumed search continues the grid.
    It is the study with a :class:`~tunesmith.samplers.GridSampler`.

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

    def _algorithm_args(self) -> dict[str, Any]:
        return {"float_grid_size": self.float_grid_size}
