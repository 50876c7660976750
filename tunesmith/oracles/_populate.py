"""keras-tuner's ``populate_space`` protocol as one more sampler."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from tunesmith.samplers import Exhausted, Proposal, Sampler, SamplingContext, Wait
from tunesmith.trial import TrialStatus


class PopulateSpaceSampler(Sampler):
    """Answers with what a keras-tuner oracle's ``populate_space(trial_id)`` returns.

    ``{"status": "RUNNING", "values": {...}}`` is the values (missing names take
    their defaults), ``"IDLE"`` is :class:`~tunesmith.samplers.Wait` and
    ``"STOPPED"`` is :class:`~tunesmith.samplers.Exhausted`.

    Example:
        >>> from tunesmith import HyperParameters
        >>> from tunesmith.objective import Objective
        >>> hook = lambda trial_id: {"status": "STOPPED", "values": None}
        >>> context = SamplingContext(HyperParameters(), (), Objective("loss", "min"), 0, 0)
        >>> PopulateSpaceSampler(hook, lambda number: "00", "Mine").sample(context)
        Exhausted(reason='Mine.populate_space returned STOPPED.')
    """

    name = "populate_space"

    def __init__(
        self,
        populate_space: Callable[[str], Mapping[str, Any]],
        trial_id: Callable[[int], str],
        owner: str,
    ) -> None:
        self._populate_space = populate_space
        self._trial_id = trial_id
        self._owner = owner

    def sample(self, context: SamplingContext) -> Proposal:
        response = self._populate_space(self._trial_id(context.number))
        status = TrialStatus(response.get("status", TrialStatus.RUNNING))
        if status is TrialStatus.IDLE:
            return Wait()
        if status is TrialStatus.STOPPED:
            return Exhausted(f"{self._owner}.populate_space returned STOPPED.")
        return dict(response.get("values") or {})
