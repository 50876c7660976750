"""What every scheduler shares: it decides fidelities and promotions, a sampler the rest."""

from __future__ import annotations

from typing import Any, ClassVar

from tunesmith.samplers import Proposal, Sampler, SamplingContext


class Scheduler:
    """Decides at what fidelity trials run and which go on: the search's "how long".

    At every ask the study calls :meth:`next_trial` with the context and its
    sampler. The scheduler answers the next trial's values, with the ``tuner/*``
    values of its fidelity (``tuner/epochs``, ``tuner/initial_epoch`` and, for a
    promotion, ``tuner/trial_id``, the parent to continue from), or
    :class:`~tunesmith.samplers.Wait` / :class:`~tunesmith.samplers.Exhausted`.
    For a new configuration it asks the sampler (``sampler.sample(context)``), so
    any sampler runs under any scheduler. It stores nothing: its state is replayed
    from the trials' values, so a resumed study goes on with the same schedule.

    Subclass it and implement :meth:`next_trial`; :attr:`owns_budget` says whether
    the scheduler reads ``max_trials`` itself (as configurations, not trials).

    Example:
        >>> from tunesmith import HyperParameters
        >>> from tunesmith.oracles import Oracle
        >>> from tunesmith.samplers import RandomSampler
        >>> class ThreeEpochs(Scheduler):
        ...     "Every configuration trains 3 epochs."
        ...     def next_trial(self, context, sampler):
        ...         values = sampler.sample(context)
        ...         if isinstance(values, dict):
        ...             values = {**values, "tuner/epochs": 3, "tuner/initial_epoch": 0}
        ...         return values
        >>> hp = HyperParameters(); _ = hp.Int("n", 1, 5)
        >>> oracle = Oracle(objective="loss", max_trials=2, hyperparameters=hp,
        ...                 sampler=RandomSampler(), scheduler=ThreeEpochs())
        >>> oracle.ask().values["tuner/epochs"]
        3
    """

    #: The name the registry knows this scheduler by (stored with the study).
    name: ClassVar[str] = "custom"
    #: Whether ``max_trials`` is the scheduler's to count (the study then does not
    #: stop at ``max_trials`` trials; the scheduler answers Exhausted itself).
    owns_budget: ClassVar[bool] = False

    def next_trial(self, context: SamplingContext, sampler: Sampler) -> Proposal:
        """The next trial's values (with its fidelity), or Wait / Exhausted."""
        raise NotImplementedError(
            f"{type(self).__name__} must implement next_trial(context, sampler)."
        )

    def get_config(self) -> dict[str, Any]:
        """The constructor's arguments (JSON-ready), stored with the study."""
        return {}

    def schedule_config(self) -> dict[str, Any]:
        """The arguments that shape the trials: a resumed study must keep them."""
        return self.get_config()

    def remaining(self, context: SamplingContext) -> int | None:
        """How many trials the schedule still plans (None when it cannot say)."""
        return None

    def __repr__(self) -> str:
        arguments = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({arguments})"
