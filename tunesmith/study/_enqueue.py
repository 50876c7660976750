"""Configurations a person enqueued: run first, in order, never twice."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from tunesmith.errors import InvalidArgumentError
from tunesmith.samplers import Proposal, Sampler, SamplingContext
from tunesmith.space import HyperParameters, config_key
from tunesmith.trial import Trial


def checked_values(
    values: object, space: HyperParameters, action: str = "enqueue_trial"
) -> dict[str, Any]:
    """``values`` as a plain dict, each value checked against its definition when the
    space has one (a name the build has not declared yet is kept as given).

    Example:
        >>> hp = HyperParameters(); _ = hp.Int("units", 8, 64)
        >>> checked_values({"units": 32}, hp)
        {'units': 32}
    """
    if not isinstance(values, Mapping) or not all(isinstance(k, str) for k in values):
        raise InvalidArgumentError(
            f"{action} takes a dict of hyperparameter values by name, e.g. "
            f"{{'units': 64}}; got {values!r}."
        )
    definitions = {hp.name: hp for hp in space.space}
    checked: dict[str, Any] = {}
    for name, value in values.items():
        definition = definitions.get(name)
        if definition is not None:
            coerced = definition.coerce(value)
            if not definition.is_valid(coerced):
                raise InvalidArgumentError(
                    f"{action}: {name}={value!r} is outside its definition "
                    f"({definition!r}). Pass a value the definition allows; nothing "
                    f"was {'enqueued' if action == 'enqueue_trial' else 'added'}."
                )
            value = coerced
        checked[name] = value
    return checked


def already_run(values: Mapping[str, Any], trials: Iterable[Trial]) -> bool:
    """Whether a trial already has ``values`` (the names given; others may differ)."""
    wanted = config_key(dict(values))
    return any(
        config_key({k: t.values[k] for k in values if k in t.values}) == wanted for t in trials
    )


def pop_untried(queue: list[dict[str, Any]], trials: Iterable[Trial]) -> dict[str, Any] | None:
    """Take the first configuration of ``queue`` no trial has yet, dropping those a
    trial has (the queue is changed in place)."""
    ran = list(trials)
    while queue:
        values = queue.pop(0)
        if not already_run(values, ran):
            return values
    return None


class EnqueuedFirst(Sampler):
    """The enqueued configurations, in order, before what ``sampler`` proposes.

    A partial configuration gets the rest of its values from ``sampler``; one a
    trial already has is dropped (a resumed script that enqueues again runs
    nothing twice). ``queue`` is the study's own list, changed in place.
    """

    name = "enqueued"

    def __init__(self, sampler: Sampler, queue: list[dict[str, Any]]) -> None:
        self.sampler = sampler
        self.queue = queue
        #: Whether the last proposal came from the queue.
        self.took = False

    def sample(self, context: SamplingContext) -> Proposal:
        wanted = pop_untried(self.queue, context.trials)
        self.took = wanted is not None
        rest = self.sampler.sample(context)
        if wanted is None:
            return rest
        return {**rest, **wanted} if isinstance(rest, dict) else dict(wanted)

    def initial_points(self, space: HyperParameters) -> int:
        return self.sampler.initial_points(space)
