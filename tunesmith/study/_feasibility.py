"""A study's constraints: their values when a trial ends, and a space with none feasible.

Each constraint's value joins the trial's metrics (``constraint/<label>``), so
feasibility is read from the trial (:func:`tunesmith.constraints.is_feasible`).
A configuration whose model broke a limit before training is ``INFEASIBLE``;
after :data:`MAX_INFEASIBLE_IN_A_ROW` of those in a row the space is taken to hold
(almost) nothing feasible and the search ends with :class:`InfeasibleSpaceError`,
naming the constraint and the closest configuration seen.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from tunesmith.constraints import (
    CONSTRAINT_PREFIX,
    Constraint,
    broken_constraints,
    constraint_values,
)
from tunesmith.errors import FatalRuntimeError, FatalValueError
from tunesmith.objective import did_you_mean
from tunesmith.trial import Trial, TrialStatus

#: Configurations in a row found infeasible before training that end the search.
MAX_INFEASIBLE_IN_A_ROW = 50


class InfeasibleSpaceError(FatalRuntimeError):
    """The search proposed only configurations that break a constraint before training."""


def with_constraint_values(
    constraints: Sequence[Constraint], metrics: Mapping[str, float], trial: Trial
) -> dict[str, float]:
    """``metrics`` plus every constraint's value for ``trial``.

    A constraint on a metric the result lacks is a :class:`FatalValueError` (every
    trial would lack it), naming the metric, what was logged and the closest name.
    """
    missing = [(c, name) for c in constraints for name in c.metrics if name not in metrics]
    if missing:
        constraint, name = missing[0]
        logged = ", ".join(sorted(k for k in metrics if not k.startswith(CONSTRAINT_PREFIX)))
        raise FatalValueError(
            f"The constraint {constraint!r} reads {name!r}, which the trial did not "
            f"produce (it logged: {logged or 'nothing'}).{did_you_mean(name, metrics)} Name a "
            "logged metric, or a model metric (model/params, model/bytes, model/latency_ms) "
            "under a Keras tuner."
        )
    trial.metrics = dict(metrics)  # what a constraint function reads
    return {**metrics, **constraint_values(constraints, metrics, trial)}


def infeasible_in_a_row(newest_first: Iterable[Trial]) -> list[Trial]:
    """The trials found infeasible before training since the last other ended trial.

    ``newest_first`` is the trials from the highest number down (a study's trials
    reversed): the walk stops at the first other ended trial, so its cost is the
    streak's, not the study's.
    """
    streak: list[Trial] = []
    for trial in newest_first:
        if not trial.status.is_finished:
            continue
        if trial.status is not TrialStatus.INFEASIBLE:
            break
        streak.append(trial)
    return streak


def infeasible_space_error(streak: Sequence[Trial]) -> InfeasibleSpaceError:
    """The error that ends a search whose last proposals were all infeasible."""

    def excess(trial: Trial) -> float:
        return max(
            (v for k, v in trial.metrics.items() if k.startswith(CONSTRAINT_PREFIX)),
            default=float("inf"),
        )

    closest = min(streak, key=excess)
    broken = broken_constraints(closest.metrics)
    counts: dict[str, int] = {}
    for trial in streak:
        for label in broken_constraints(trial.metrics):
            counts[label] = counts.get(label, 0) + 1
    worst = max(counts, key=counts.__getitem__) if counts else ", ".join(broken)
    measured = {k: v for k, v in closest.metrics.items() if not k.startswith(CONSTRAINT_PREFIX)}
    return InfeasibleSpaceError(
        f"The last {len(streak)} configurations proposed all broke a constraint before "
        f"training (most often {worst}), so the space holds (almost) no feasible model. "
        f"The closest was trial {closest.trial_id} with {dict(closest.values)}, which "
        f"measured {measured} ({', '.join(broken)}). Relax the constraint, or narrow the "
        "space toward smaller models. The stored trials are kept."
    )
