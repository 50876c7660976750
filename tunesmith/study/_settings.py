"""A study's parts (sampler, scheduler, pruner) to and from their stored settings.

The format is :mod:`tunesmith.store`'s (``normalise_settings`` reads every format
written so far). A part that is a user's own class is stored with its class path
(``"class"``) and read back as a stand-in that names it and refuses to propose
(:class:`StoredElsewhere`): a reader (summary, report) says what it was, and a
search that resumes must be given the class again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NoReturn

from tunesmith.pruners import Pruner, make_pruner
from tunesmith.samplers import SAMPLERS, Proposal, Sampler, SamplingContext
from tunesmith.schedulers import SCHEDULERS, Scheduler
from tunesmith.store import describe_part


def part_settings(part: Sampler | Scheduler | None) -> dict[str, Any] | None:
    """``{"name", "config"}`` of a sampler or scheduler (and ``"class"`` for a user's).

    Example:
        >>> from tunesmith.samplers import GridSampler
        >>> part_settings(GridSampler(4))
        {'name': 'grid', 'config': {'float_grid_size': 4}}
    """
    if part is None:
        return None
    if isinstance(part, StoredElsewhere):
        return dict(part.settings)
    stored: dict[str, Any] = {"name": part.name, "config": part.get_config()}
    registry: Mapping[str, type] = SAMPLERS if isinstance(part, Sampler) else SCHEDULERS
    if registry.get(part.name) is not type(part):
        stored["class"] = f"{type(part).__module__}.{type(part).__qualname__}"
    return stored


def pruner_settings(pruner: Pruner | None) -> dict[str, Any] | None:
    """What a study stores of its pruner: ``{"class_name", "config"}`` or None."""
    return None if pruner is None else pruner.to_settings()


def sampler_from_settings(spec: Mapping[str, Any] | None) -> Sampler | None:
    """The sampler stored as ``spec`` (a stand-in for a user's class)."""
    if spec is None:
        return None
    cls = SAMPLERS.get(spec.get("name", ""))
    if cls is None or "class" in spec:
        return StoredSampler(spec)
    return cls(**spec.get("config", {}))


def scheduler_from_settings(spec: Mapping[str, Any] | None) -> Scheduler | None:
    """The scheduler stored as ``spec`` (a stand-in for a user's class)."""
    if spec is None:
        return None
    cls = SCHEDULERS.get(spec.get("name", ""))
    if cls is None or "class" in spec:
        return StoredScheduler(spec)
    return cls(**spec.get("config", {}))


def pruner_from_settings(spec: Mapping[str, Any] | None) -> Pruner | None:
    """The pruner stored as ``spec``; a user's own pruner class reads back as None
    (a reader never prunes; a resumed search is given its pruner again)."""
    if spec is None:
        return None
    try:
        return make_pruner(spec)
    except TypeError:
        return None


class StoredElsewhere:
    """A user's sampler or scheduler, as a study read from its store knows it.

    Its class is the user's, so a reader cannot rebuild it; it keeps the stored
    settings so summaries name it, and refuses to propose with the way out.
    """

    #: "sampler" or "scheduler": what the user's class was to the study.
    _role: str

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.settings = dict(settings)
        self.name = str(settings.get("name", "custom"))

    def _refuse(self) -> NoReturn:
        raise RuntimeError(
            f"This study's {self._role} is {describe_part(self.settings)}, which is not "
            f"rebuilt from the store. Pass it again ({self._role}=...) to resume the search."
        )

    def get_config(self) -> dict[str, Any]:
        return dict(self.settings.get("config") or {})

    def __repr__(self) -> str:
        return f"{type(self).__name__}({describe_part(self.settings)})"


class StoredSampler(StoredElsewhere, Sampler):
    """A user's sampler read back from a store (see :class:`StoredElsewhere`)."""

    _role = "sampler"

    def sample(self, context: SamplingContext) -> Proposal:
        return self._refuse()


class StoredScheduler(StoredElsewhere, Scheduler):
    """A user's scheduler read back from a store (see :class:`StoredElsewhere`)."""

    _role = "scheduler"

    def next_trial(self, context: SamplingContext, sampler: Sampler) -> Proposal:
        return self._refuse()
