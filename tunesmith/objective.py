"""The quantity a search optimises: a metric name and a direction."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from tunesmith.errors import ObjectiveError

_MAXIMISED = (
    "acc",
    "accuracy",
    "auc",
    "precision",
    "recall",
    "f1",
    "f1_score",
    "fbeta_score",
    "top_k_categorical_accuracy",
    "sparse_top_k_categorical_accuracy",
    "r2",
    "r2_score",
    "iou",
    "mean_iou",
    "specificity",
    "sensitivity",
    "true_positives",
    "true_negatives",
    "binary_accuracy",
    "categorical_accuracy",
    "sparse_categorical_accuracy",
)
_MINIMISED = (
    "loss",
    "mae",
    "mse",
    "rmse",
    "mape",
    "msle",
    "mean_absolute_error",
    "mean_squared_error",
    "root_mean_squared_error",
    "mean_absolute_percentage_error",
    "mean_squared_logarithmic_error",
    "crossentropy",
    "binary_crossentropy",
    "categorical_crossentropy",
    "sparse_categorical_crossentropy",
    "hinge",
    "squared_hinge",
    "categorical_hinge",
    "kl_divergence",
    "kullback_leibler_divergence",
    "poisson",
    "log_cosh",
    "logcosh",
    "cosine_proximity",
    "error",
    "false_positives",
    "false_negatives",
)
_DIRECTIONS = {"min": "min", "max": "max", "minimize": "min", "maximize": "max"}


def infer_direction(name: str) -> str | None:
    """Return ``"min"`` or ``"max"`` for a well-known metric name, else ``None``.

    A ``val_`` prefix is ignored, so ``val_accuracy`` is maximised like ``accuracy``.
    """
    base = name[4:] if name.startswith("val_") else name
    if base in _MAXIMISED:
        return "max"
    if base in _MINIMISED:
        return "min"
    return None


class Objective:
    """A metric to optimise and whether larger values are better.

    Example:
        >>> Objective("val_auc", direction="max").better(0.9, 0.8)
        True
    """

    def __init__(self, name: str, direction: str) -> None:
        if direction not in _DIRECTIONS:
            raise ObjectiveError(
                f"Objective {name!r}: direction must be 'min' or 'max', got {direction!r}."
            )
        self.name = name
        self.direction = _DIRECTIONS[direction]

    def better(self, a: float, b: float) -> bool:
        """Whether score ``a`` is strictly better than score ``b``."""
        return a < b if self.direction == "min" else a > b

    def best_of(self, values: list[float]) -> float:
        """The best of finite ``values`` (raises on an empty list)."""
        return min(values) if self.direction == "min" else max(values)

    def sort_key(self, score: float | None) -> float:
        """A key that sorts best scores first; missing or non-finite scores last."""
        if score is None or not math.isfinite(score):
            return math.inf
        return score if self.direction == "min" else -score

    def value_from(self, logs: Mapping[str, Any]) -> float:
        """The objective's value in a dict of logged metrics.

        Raises :class:`ObjectiveError` listing what was logged when it is missing.
        """
        if self.name not in logs:
            logged = ", ".join(sorted(logs)) or "nothing"
            raise ObjectiveError(
                f"The objective {self.name!r} is not among the logged metrics ({logged}). "
                f"Pick one of those names as objective, or log {self.name!r} "
                "(for a 'val_' metric, pass validation_data or validation_split to search())."
            )
        return float(logs[self.name])

    def get_config(self) -> dict[str, str]:
        return {"name": self.name, "direction": self.direction}

    @classmethod
    def from_config(cls, config: Mapping[str, str]) -> Objective:
        return cls(config["name"], config["direction"])

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Objective)
            and other.name == self.name
            and other.direction == self.direction
        )

    def __hash__(self) -> int:
        return hash((self.name, self.direction))

    def __repr__(self) -> str:
        return f"Objective(name={self.name!r}, direction={self.direction!r})"


def create_objective(objective: str | Objective | None, default: str = "val_loss") -> Objective:
    """Turn what a user passed as ``objective=`` into an :class:`Objective`.

    A string is a metric name whose direction is inferred; an unknown name is an
    error asking for ``Objective(name, direction)``.
    """
    if objective is None:
        objective = default
    if isinstance(objective, Objective):
        return objective
    if isinstance(objective, str):
        direction = infer_direction(objective)
        if direction is None:
            raise ObjectiveError(
                f"Cannot tell whether the objective {objective!r} should be minimised or "
                f"maximised. Pass objective=tunesmith.Objective({objective!r}, "
                "direction='min') or direction='max'."
            )
        return Objective(objective, direction)
    raise ObjectiveError(
        "objective must be a metric name or a tunesmith.Objective, got "
        f"{type(objective).__name__}. "
        "Several objectives at once are not supported; combine them into one logged metric."
    )
