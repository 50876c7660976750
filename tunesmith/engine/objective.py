"""``kt.engine.objective``: the objectives under keras-tuner's path."""

from __future__ import annotations

from collections.abc import Sequence

from tunesmith.objective import DefaultObjective, MultiObjective, Objective
from tunesmith.objective import create_objective as _create_objective

__all__ = ["DefaultObjective", "MultiObjective", "Objective", "create_objective"]


def create_objective(
    objective: str | Objective | Sequence[str | Objective] | None,
) -> Objective:
    """keras-tuner's ``create_objective``: as :func:`tunesmith.objective.create_objective`,
    except that ``None`` gives a :class:`DefaultObjective`.

    Example:
        >>> create_objective(None).name
        'default_objective'
    """
    return _create_objective(objective, default=DefaultObjective())
