"""The quantity a search optimises: a metric name and a direction.

One metric is an :class:`Objective`; several at once are a :class:`MultiObjective`,
which a search treats as one minimised score. :func:`create_objective` turns what
a user passed as ``objective=`` (a name, an objective, or a list of them) into one.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, SupportsFloat

from tunesmith.errors import ObjectiveError

# Metric names as Keras logs them, compared without case or underscores (see
# `_normalise`), so "MAE", "CategoricalAccuracy" and "mean_io_u" match too.
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
    "binary_iou",
    "one_hot_iou",
    "one_hot_mean_iou",
    "specificity",
    "sensitivity",
    "sensitivity_at_specificity",
    "specificity_at_sensitivity",
    "precision_at_recall",
    "recall_at_precision",
    "true_positives",
    "true_negatives",
    "binary_accuracy",
    "categorical_accuracy",
    "sparse_categorical_accuracy",
    "cosine_similarity",
    "pearson_correlation",
    "concordance_correlation",
)
_MINIMISED = (
    "loss",
    "ce",
    "mae",
    "mse",
    "rmse",
    "mape",
    "msle",
    "kld",
    "mean_absolute_error",
    "mean_squared_error",
    "root_mean_squared_error",
    "mean_absolute_percentage_error",
    "mean_squared_logarithmic_error",
    "crossentropy",
    "binary_crossentropy",
    "categorical_crossentropy",
    "sparse_categorical_crossentropy",
    "binary_focal_crossentropy",
    "categorical_focal_crossentropy",
    "hinge",
    "squared_hinge",
    "categorical_hinge",
    "huber",
    "kl_divergence",
    "kullback_leibler_divergence",
    "poisson",
    "log_cosh",
    "logcosh",
    "log_cosh_error",
    "cosine_proximity",
    "error",
    "false_positives",
    "false_negatives",
)
#: The namespace of what the Keras tuners measure of a model right after its build,
#: before training (``model/params``, ``model/bytes``, ``model/latency_ms``).
MODEL_METRIC_PREFIX = "model/"
_DIRECTIONS = {"min": "min", "max": "max", "minimize": "min", "maximize": "max"}
_PREFIXES = ("val_", "weighted_")


def _normalise(name: str) -> str:
    return name.replace("_", "").lower()


_KNOWN = {_normalise(n): "max" for n in _MAXIMISED} | {_normalise(n): "min" for n in _MINIMISED}


def infer_direction(name: str) -> str | None:
    """Return ``"min"`` or ``"max"`` for a well-known metric name, else ``None``.

    The prefixes Keras adds (``val_``, then ``weighted_``) are ignored, and so are
    case and underscores: ``val_accuracy`` is maximised like ``accuracy``, ``MAE``
    minimised like ``mae``, ``CategoricalAccuracy`` maximised.

    Example:
        >>> infer_direction("val_weighted_binary_accuracy"), infer_direction("MSE")
        ('max', 'min')
    """
    if name.startswith(MODEL_METRIC_PREFIX):
        return "min"  # a model's size and latency: smaller is better
    return _KNOWN.get(_normalise(_base_name(name)))


def _base_name(name: str) -> str:
    """``name`` without the prefixes Keras adds to a logged metric."""
    for prefix in _PREFIXES:
        if name.startswith(prefix):
            name = name[len(prefix) :]
    return name


def _direction(name: str, direction: str) -> str:
    if direction not in _DIRECTIONS:
        raise ObjectiveError(
            f"Objective {name!r}: direction must be 'min' or 'max', got {direction!r}."
        )
    return _DIRECTIONS[direction]


class Objective:
    """A metric to optimise and whether larger values are better.

    ``direction`` is ``"min"`` or ``"max"`` (``"minimize"`` / ``"maximize"`` are
    accepted too). keras-tuner's names for the methods (``better_than``,
    ``has_value``, ``get_value``) are the same operations as tunesmith's
    (``better``, ``value_from``).

    Example:
        >>> objective = Objective("val_auc", direction="max")
        >>> objective.better(0.9, 0.8), objective.value_from({"val_auc": 0.7})
        (True, 0.7)
    """

    def __init__(self, name: str, direction: str) -> None:
        self.name = name
        self.direction = _direction(name, direction)

    def better(self, a: float, b: float) -> bool:
        """Whether score ``a`` is strictly better than score ``b``."""
        return a < b if self.direction == "min" else a > b

    def better_than(self, a: float, b: float) -> bool:
        """keras-tuner's name for :meth:`better`."""
        return self.better(a, b)

    def best_of(self, values: list[float]) -> float:
        """The best of finite ``values`` (raises on an empty list)."""
        return min(values) if self.direction == "min" else max(values)

    def sort_key(self, score: float | None) -> float:
        """A key that sorts best scores first; missing or non-finite scores last."""
        if score is None or not math.isfinite(score):
            return math.inf
        return score if self.direction == "min" else -score

    @property
    def tie_breaker(self) -> str | None:
        """The metric that orders trials tied on the objective (lower is better).

        The loss of the same data: ``val_loss`` for a ``val_`` objective, ``loss``
        for a training one; None for a loss objective (ties keep trial order).

        Example:
            >>> Objective("val_accuracy", "max").tie_breaker
            'val_loss'
        """
        prefix = "val_" if self.name.startswith("val_") else ""
        loss = prefix + "loss"
        return None if self.name == loss else loss

    def rank_key(
        self, score: float | None, metrics: Mapping[str, object], number: int
    ) -> tuple[float, float, int]:
        """Sorts trials best first: by score, then :attr:`tie_breaker`, then number.

        Two trials at val_accuracy 0.9912 are told apart by their val_loss; a trial
        without that metric comes after one with it, and the earlier trial wins last.

        Example:
            >>> objective = Objective("val_accuracy", "max")
            >>> keys = [objective.rank_key(0.99, {"val_loss": 0.30}, 0),
            ...         objective.rank_key(0.99, {"val_loss": 0.05}, 1)]
            >>> sorted(range(2), key=keys.__getitem__)
            [1, 0]
        """
        tie = math.inf
        if self.tie_breaker is not None:
            value = metrics.get(self.tie_breaker)
            if isinstance(value, (int, float)) and math.isfinite(value):
                tie = float(value)
        return (self.sort_key(score), tie, number)

    def has_value(self, logs: Mapping[str, object]) -> bool:
        """Whether ``logs`` (a dict of logged metrics) hold what the objective needs."""
        return self.name in logs

    def value_from(self, logs: Mapping[str, SupportsFloat]) -> float:
        """The objective's value in a dict of logged metrics.

        Raises :class:`ObjectiveError` listing what was logged when it is missing.
        """
        _require(logs, [self.name])
        return float(logs[self.name])

    def get_value(self, logs: Mapping[str, SupportsFloat]) -> float:
        """keras-tuner's name for :meth:`value_from`."""
        return self.value_from(logs)

    def get_config(self) -> dict[str, Any]:
        """A JSON-able description; :meth:`from_config` rebuilds the objective."""
        return {"name": self.name, "direction": self.direction}

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Objective:
        """Rebuild an objective from :meth:`get_config`, a multi-objective included."""
        if "pareto" in config:
            return Pareto([Objective.from_config(c) for c in config["pareto"]])
        if "objectives" in config:
            return MultiObjective([Objective.from_config(c) for c in config["objectives"]])
        return Objective(config["name"], config["direction"])

    def _identity(self) -> tuple[object, ...]:
        return ("single", self.name, self.direction)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Objective):
            return NotImplemented
        return self._identity() == other._identity()

    def __hash__(self) -> int:
        return hash(self._identity())

    def __str__(self) -> str:
        return f'Objective(name="{self.name}", direction="{self.direction}")'

    def __repr__(self) -> str:
        return f"Objective(name={self.name!r}, direction={self.direction!r})"


class DefaultObjective(Objective):
    """The minimised ``"default_objective"``: keras-tuner's objective when none is named.

    A trial function then returns its score as a plain number.

    Example:
        >>> DefaultObjective() == Objective("default_objective", "min")
        True
    """

    def __init__(self) -> None:
        super().__init__("default_objective", "min")


class UnnamedObjective(Objective):
    """The objective a Keras tuner optimises when none was named (``val_loss``).

    It ranks like ``Objective("val_loss", "min")`` and is stored as one; what
    differs is keras-tuner's rule for results: with no objective named, a
    ``run_trial`` or ``HyperModel.fit`` must return one number (or a ``History``,
    whose ``val_loss`` tunesmith reads), not a dict whose keys it would have to guess.

    Example:
        >>> UnnamedObjective("val_loss", "min") == Objective("val_loss", "min")
        True
    """


class MultiObjective(Objective):
    """Several objectives optimised as one score (keras-tuner's ``MultiObjective``).

    The score is the sum of the objectives' values, maximised ones negated, and is
    minimised; its name is ``"multi_objective"``. Two multi-objectives are equal
    when they hold the same objectives in any order.

    Example:
        >>> both = MultiObjective([Objective("val_loss", "min"), Objective("val_auc", "max")])
        >>> both.value_from({"val_loss": 0.25, "val_auc": 0.75, "loss": 0.1})
        -0.5
    """

    def __init__(self, objectives: Iterable[Objective]) -> None:
        super().__init__("multi_objective", "min")
        self.objectives = list(objectives)
        if not self.objectives:
            raise ObjectiveError("A multi-objective needs at least one objective.")
        self.name_to_direction: dict[str, str] = {}
        for objective in self.objectives:
            if not isinstance(objective, Objective) or isinstance(objective, MultiObjective):
                raise TypeError(
                    "A multi-objective holds tunesmith.Objective instances (not nested lists), "
                    f"got {objective!r}."
                )
            known = self.name_to_direction.setdefault(objective.name, objective.direction)
            if known != objective.direction:
                raise ObjectiveError(
                    f"The metric {objective.name!r} is both minimised and maximised in "
                    "this multi-objective; keep one of the two."
                )

    @property
    def tie_breaker(self) -> str | None:
        return None  # the sum of several metrics: no single loss to fall back on

    def has_value(self, logs: Mapping[str, object]) -> bool:
        return all(name in logs for name in self.name_to_direction)

    def value_from(self, logs: Mapping[str, SupportsFloat]) -> float:
        """The sum of the objectives' values in ``logs``, maximised ones negated.

        A metric listed twice counts once. Raises :class:`ObjectiveError` naming what
        is missing and what was logged.
        """
        _require(logs, list(self.name_to_direction))
        total = 0.0
        for name, direction in self.name_to_direction.items():
            value = float(logs[name])
            total += value if direction == "min" else -value
        return total

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["objectives"] = [objective.get_config() for objective in self.objectives]
        return config

    def _identity(self) -> tuple[object, ...]:
        return ("multi", tuple(sorted((o.name, o.direction) for o in self.objectives)))

    def __str__(self) -> str:
        listed = ", ".join(str(objective) for objective in self.objectives)
        return f"Multi{super().__str__()}: [{listed}]"

    def __repr__(self) -> str:
        return f"MultiObjective({self.objectives!r})"


class Pareto(Objective):
    """Several objectives optimised together, for their Pareto front (not a sum).

    Asked for explicitly (a plain list of objectives keeps keras-tuner's meaning:
    their sum). A trial is better than another when it is no worse in every
    objective and better in one; the best trials are those no other trial beats,
    the Pareto front, which ``get_best_trials()`` returns.

    Each trial is measured at one step: its best step by the **first** objective
    (the primary), where every objective's value is read. The trial's ``score`` is
    the primary objective's value, so where one "best" is needed
    (``get_best_models(1)``) the rule is: the Pareto front first, ordered by the
    objectives in the order given (the primary first, ties broken by the next),
    then the trials of the next front, and so on.

    Args:
        objectives: Metric names (directions inferred as for ``objective=``;
            ``model/*`` metrics are minimised) or :class:`Objective` instances.
        directions: Optional ``"min"`` / ``"max"`` for each objective, in order, as
            optuna's ``directions=``; must match the objectives in number.

    Example:
        >>> pareto = Pareto(["val_accuracy", "model/params"])
        >>> [(o.name, o.direction) for o in pareto.objectives]
        [('val_accuracy', 'max'), ('model/params', 'min')]
        >>> pareto.minimised({"val_accuracy": 0.9, "model/params": 1200.0})
        (-0.9, 1200.0)
    """

    def __init__(
        self,
        objectives: Iterable[str | Objective],
        directions: Sequence[str] | None = None,
    ) -> None:
        if isinstance(objectives, (str, Objective)):
            raise ObjectiveError(
                "Pareto takes a list of objectives, e.g. Pareto(['val_accuracy', "
                "'model/params']); for one objective pass it as objective= directly."
            )
        items = list(objectives)
        if directions is not None:
            directions = list(directions)
            if len(directions) != len(items):
                raise ObjectiveError(
                    f"Pareto got {len(items)} objectives but {len(directions)} directions "
                    f"({directions}); give one 'min' or 'max' per objective, in order."
                )
            items = [
                Objective(item if isinstance(item, str) else item.name, direction)
                for item, direction in zip(items, directions, strict=True)
            ]
        parsed = [create_objective(item) for item in items]
        if len(parsed) < 2:
            raise ObjectiveError(
                f"Pareto needs at least two objectives, got {len(parsed)}; for one, pass "
                "it as objective= directly."
            )
        names = [objective.name for objective in parsed]
        for objective in parsed:
            if isinstance(objective, MultiObjective):
                raise ObjectiveError(
                    "A Pareto objective holds single objectives, not a list or another "
                    f"Pareto: got {objective!r}."
                )
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ObjectiveError(f"Pareto lists {repeated} more than once; list each metric once.")
        primary = parsed[0]
        super().__init__(primary.name, primary.direction)
        self.objectives: list[Objective] = parsed

    @property
    def primary(self) -> Objective:
        """The first objective: it picks each trial's best step and orders the front."""
        return self.objectives[0]

    @property
    def names(self) -> list[str]:
        """The objectives' metric names, in order."""
        return [objective.name for objective in self.objectives]

    @property
    def tie_breaker(self) -> str | None:
        return None  # the other objectives break ties (see rank_key)

    def has_value(self, logs: Mapping[str, object]) -> bool:
        return all(name in logs for name in self.names)

    def values_from(self, logs: Mapping[str, SupportsFloat]) -> tuple[float, ...]:
        """Every objective's value in ``logs``, in order (raises naming a missing one)."""
        _require(logs, self.names)
        return tuple(float(logs[name]) for name in self.names)

    def minimised(self, logs: Mapping[str, SupportsFloat]) -> tuple[float, ...]:
        """:meth:`values_from` with maximised objectives negated (all to minimise)."""
        return tuple(
            value if objective.direction == "min" else -value
            for value, objective in zip(self.values_from(logs), self.objectives, strict=True)
        )

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["pareto"] = [objective.get_config() for objective in self.objectives]
        return config

    def _identity(self) -> tuple[object, ...]:
        return ("pareto", tuple((o.name, o.direction) for o in self.objectives))

    def __str__(self) -> str:
        listed = ", ".join(str(objective) for objective in self.objectives)
        return f"Pareto([{listed}])"

    def __repr__(self) -> str:
        return f"Pareto({self.objectives!r})"


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """`` Did you mean 'x'?`` for the candidate closest to a misspelt ``name``, or ``""``.

    Example:
        >>> did_you_mean("val_acuracy", ["val_accuracy", "val_loss"])
        " Did you mean 'val_accuracy'?"
    """
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.75)
    return f" Did you mean {close[0]!r}?" if close else ""


def _known_names(name: str) -> list[str]:
    """The metric names with a known direction, with the prefixes ``name`` carries."""
    prefix = name[: len(name) - len(_base_name(name))]
    return [prefix + known for known in (*_MAXIMISED, *_MINIMISED)]


def _require(logs: Mapping[str, object], names: Sequence[str]) -> None:
    missing = [name for name in names if name not in logs]
    if not missing:
        return
    logged = ", ".join(sorted(logs)) or "nothing"
    quoted = ", ".join(repr(name) for name in missing)
    first = missing[0]
    raise ObjectiveError(
        f"The objective {quoted} is not among the logged metrics ({logged})."
        f"{did_you_mean(first, logs)} "
        f"Pick one of those names as objective, or log {first!r} "
        "(for a 'val_' metric, pass validation_data or validation_split to search())."
    )


def create_objective(
    objective: str | Objective | Sequence[str | Objective] | None,
    default: str | Objective = "val_loss",
) -> Objective:
    """Turn what a user passed as ``objective=`` into an :class:`Objective`.

    A string is a metric name whose direction is inferred (:func:`infer_direction`);
    an unknown name is an error asking for ``Objective(name, direction)``. A list
    (of names and objectives) becomes a :class:`MultiObjective`. ``None`` means
    ``default``.

    Example:
        >>> create_objective("val_accuracy")
        Objective(name='val_accuracy', direction='max')
        >>> print(create_objective(["val_loss", Objective("val_auc", "max")]).name)
        multi_objective
    """
    if objective is None:
        if isinstance(default, str):
            return UnnamedObjective(default, infer_direction(default) or "min")
        return default
    if isinstance(objective, Objective):
        return objective
    if isinstance(objective, str):
        direction = infer_direction(objective)
        if direction is None:
            raise ObjectiveError(
                f"Could not infer optimization direction (min or max) for the objective "
                f"{objective!r}.{did_you_mean(objective, _known_names(objective))} If the "
                f"name is right, pass objective=tunesmith.Objective({objective!r}, "
                "direction='min') or direction='max'."
            )
        return Objective(objective, direction)
    if isinstance(objective, (list, tuple)):
        return MultiObjective(create_objective(item) for item in objective)
    raise TypeError(
        "objective not understood, expected str, tunesmith.Objective or a list of those, "
        f"got {objective!r} ({type(objective).__name__})."
    )


def objective_or_default(
    objective: str | Objective | Sequence[str | Objective] | None,
) -> Objective:
    """:func:`create_objective` where ``None`` is the :class:`DefaultObjective`.

    keras-tuner's ``create_objective`` reads a missing objective as "the score
    ``run_trial`` returned" (a tuner that is not given one, ``BaseTuner`` or
    ``SklearnTuner``), while tunesmith's tuners default to ``val_loss``. Reached as
    keras-tuner's ``engine.objective.create_objective``.

    Example:
        >>> objective_or_default(None).name
        'default_objective'
        >>> objective_or_default("loss")
        Objective(name='loss', direction='min')
    """
    return create_objective(objective, default=DefaultObjective())
