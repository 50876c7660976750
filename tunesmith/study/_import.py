"""Trials of an earlier search told to a study: checked all first, then added.

The readers (:mod:`._import_keras_tuner`, :mod:`._import_optuna`) turn another
library's results into :class:`Candidate` trials; :func:`import_candidates` decides
which of them the study takes and adds those with ``add_trial``, so an imported
trial is like any added one: COMPLETED, learnt from by the sampler, shown by the
report, not counted against ``max_trials``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tunesmith.objective import MultiObjective, Objective, Pareto
from tunesmith.space import HyperParameters

if TYPE_CHECKING:
    from tunesmith.study._study import Study


@dataclass(frozen=True)
class Candidate:
    """One trial of an earlier search, as read from it.

    ``problem`` says why it cannot be imported whatever the study (failed, never
    finished, no score); ``None`` when it can be, if its values fit the space.
    """

    source_id: str
    origin: str
    values: Mapping[str, Any]
    metrics: Mapping[str, float]
    best_step: int = 0
    problem: str | None = None


@dataclass(frozen=True)
class SkippedTrial:
    """A trial of the earlier search that was not imported, and why."""

    source_id: str
    reason: str


@dataclass
class ImportReport:
    """What an import did: the trials it added and those it skipped, with reasons.

    ``print(report)`` lists them; ``imported`` holds the new trials' ids in this
    study, in the order of the earlier search.

    Example:
        >>> report = ImportReport("keras-tuner: runs/kt", imported=["00", "01"],
        ...                       skipped=[SkippedTrial("2", "status FAILED")])
        >>> print(report)
        Imported 2 of 3 trials from keras-tuner: runs/kt; skipped 1:
          trial 2: status FAILED
    """

    source: str
    imported: list[str] = field(default_factory=list)
    skipped: list[SkippedTrial] = field(default_factory=list)

    @property
    def count(self) -> int:
        """How many trials were imported."""
        return len(self.imported)

    def __str__(self) -> str:
        total = len(self.imported) + len(self.skipped)
        head = f"Imported {len(self.imported)} of {total} trials from {self.source}"
        if not self.skipped:
            return head + "."
        lines = [f"{head}; skipped {len(self.skipped)}:"]
        lines += [f"  trial {s.source_id}: {s.reason}" for s in self.skipped]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (
            f"ImportReport({self.source!r}, imported={len(self.imported)}, "
            f"skipped={len(self.skipped)})"
        )


def import_candidates(study: Study, source: str, candidates: Iterable[Candidate]) -> ImportReport:
    """Add to ``study`` the ``candidates`` that fit it; report the others.

    Every candidate is judged before any is added, so a refused import changes
    nothing. Skipped are: those with a ``problem``, those imported before (their
    origin is already in ``study.origins``), those whose values do not fit the
    study's space (a name it lacks, a value outside its definition), and those
    whose metrics lack the objective. A study whose space is still empty (a
    define-by-run ``tune()`` before its first trial) takes the names as they are.
    """
    report = ImportReport(source)
    earlier = {origin: trial_id for trial_id, origin in study.origins.items()}
    accepted: list[tuple[Candidate, dict[str, Any]]] = []
    for candidate in candidates:
        reason = candidate.problem
        values: dict[str, Any] = {}
        if reason is None and candidate.origin in earlier:
            reason = f"imported before, as trial {earlier[candidate.origin]}"
        if reason is None:
            values, reason = fit_to_space(candidate.values, study.hyperparameters)
        if reason is None and not study.objective.has_value(candidate.metrics):
            reason = f"no value for the objective {objective_names(study.objective)}"
        if reason is None:
            accepted.append((candidate, values))
        else:
            report.skipped.append(SkippedTrial(candidate.source_id, reason))
    for candidate, values in accepted:
        trial = study.add_trial(
            values, dict(candidate.metrics), origin=candidate.origin, best_step=candidate.best_step
        )
        report.imported.append(trial.trial_id)
    return report


def fit_to_space(
    values: Mapping[str, Any], space: HyperParameters
) -> tuple[dict[str, Any], str | None]:
    """``values`` converted to the space's types, or the reason they do not fit.

    Names starting with ``tuner/`` (keras-tuner's bookkeeping: epochs, brackets)
    are dropped; they are not hyperparameters. A space with no definitions yet
    takes every name.

    Example:
        >>> hp = HyperParameters(); _ = hp.Int("units", 8, 64)
        >>> fit_to_space({"units": 32.0}, hp)
        ({'units': 32}, None)
        >>> fit_to_space({"units": 128}, hp)[1].split(" (")[0]
        'units=128 is outside its definition'
    """
    definitions = {hp.name: hp for hp in space.space}
    fitted: dict[str, Any] = {}
    for name, value in values.items():
        if name.startswith("tuner/"):
            continue
        definition = definitions.get(name)
        if definition is None:
            if definitions:
                return {}, (
                    f"{name} is not a hyperparameter of this search (it has {sorted(definitions)})"
                )
            fitted[name] = value
            continue
        coerced = definition.coerce(value)
        if not definition.is_valid(coerced):
            return {}, f"{name}={value!r} is outside its definition ({definition!r})"
        fitted[name] = coerced
    return fitted, None


def objectives_of(objective: Objective) -> list[Objective]:
    """The single objectives ``objective`` is made of, in order."""
    if isinstance(objective, (Pareto, MultiObjective)):
        return list(objective.objectives)
    return [objective]


def objective_names(objective: Objective) -> str:
    """The objective's metric names as text, e.g. ``'val_loss'`` or ``'loss, size'``."""
    return ", ".join(o.name for o in objectives_of(objective))


def finite_numbers(metrics: Mapping[str, object]) -> dict[str, float]:
    """The entries of ``metrics`` that are finite numbers, as floats."""
    numbers: dict[str, float] = {}
    for name, value in metrics.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        if math.isfinite(value):
            numbers[name] = float(value)
    return numbers
