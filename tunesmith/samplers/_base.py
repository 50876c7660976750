"""What a sampler sees (the context) and what it answers (values, or why not)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar, TypeAlias, TypedDict

import numpy as np

from tunesmith.objective import Objective
from tunesmith.samplers._tried import TriedKeys, trial_key
from tunesmith.space import (
    PARENT,
    ConfigKey,
    HyperParameters,
    count_configurations,
)
from tunesmith.trial import Trial, TrialStatus


@dataclass(frozen=True)
class Exhausted:
    """Nothing more to propose, ever: the search ends with ``reason`` as its stop reason.

    Example:
        >>> Exhausted("All 4 configurations of the search space have been tried.").reason
        'All 4 configurations of the search space have been tried.'
    """

    reason: str


@dataclass(frozen=True)
class Wait:
    """Nothing to propose until a running trial is told (ask again after the next tell).

    Example:
        >>> Wait()
        Wait()
    """


#: A sampler's or scheduler's answer: the next trial's values, or why there are none.
Proposal: TypeAlias = "dict[str, Any] | Exhausted | Wait"


class _ContextCache(TypedDict, total=False):
    """What a context computes once, shared by its copies (``for_number``...)."""

    tried: AbstractSet[ConfigKey]
    size: int | None


@dataclass(frozen=True)
class SamplingContext:
    """Everything a sampler may read to propose the next configuration.

    Built by the study at every ask: the space as it stands, every trial so far
    (running ones included, in creation order), the objective, and the study's seed
    with the number the proposal is for. ``rng`` is seeded by (``seed``,
    ``number``), so a resumed search draws what an uninterrupted one would. A
    scheduler passes a copy with its own ``number`` (:meth:`for_number`).

    Example:
        >>> from tunesmith import HyperParameters
        >>> from tunesmith.objective import Objective
        >>> hp = HyperParameters(); _ = hp.Choice("units", [16, 32])
        >>> context = SamplingContext(hp, (), Objective("loss", "min"), seed=0, number=0)
        >>> context.space_size, context.exhausted()
        (2, None)
    """

    space: HyperParameters
    trials: Sequence[Trial]
    objective: Objective
    seed: int
    number: int
    #: The study's trial budget (a scheduler that counts configurations reads it).
    max_trials: int | None = None
    #: Under a scheduler, the epochs of full training (a model predicts there).
    target_fidelity: float | None = None
    #: The ids of trials told without running (added or imported): they are data
    #: for a sampler, but not runs a budget counts.
    told_only: frozenset[str] = frozenset()
    #: ``{trial_id: {step: value}}``: the objective each trial reported per step,
    #: oriented so lower is better (a learning-curve model reads them).
    curves: Mapping[str, Mapping[int, float]] = field(
        default_factory=dict, compare=False, repr=False
    )
    #: The study's running index of its trials' configurations, the ones in
    #: ``trials`` (None: their keys are built here).
    tried_index: TriedKeys | None = field(default=None, compare=False, repr=False)
    _cache: _ContextCache = field(default_factory=_ContextCache, compare=False, repr=False)

    def for_number(self, number: int) -> SamplingContext:
        """This context for the proposal numbered ``number`` (its own random state)."""
        return replace(self, number=number, _cache=self._cache)

    def at_fidelity(self, target: float) -> SamplingContext:
        """This context with ``target_fidelity`` set (by a multi-fidelity scheduler)."""
        return replace(self, target_fidelity=float(target), _cache=self._cache)

    @property
    def rng(self) -> np.random.Generator:
        """A generator seeded by (``seed``, ``number``)."""
        return np.random.default_rng([self.seed, self.number])

    @property
    def tried(self) -> AbstractSet[ConfigKey]:
        """The :func:`~tunesmith.space.config_key` of every trial's configuration,
        pending ones included, over the space's names: a value a build gave a name the
        space leaves out (``tune_new_entries=False``) does not make a configuration new."""
        if "tried" not in self._cache:
            if not self.space.space:
                # Nothing declared yet (define-by-run): a running trial's empty
                # configuration fills in as it runs, so only an ended one tried it.
                ended = [t for t in self.trials if t.status.is_finished]
                self._cache["tried"] = {trial_key(t, frozenset()) for t in ended}
            elif self.tried_index is not None:
                self._cache["tried"] = self.tried_index.keys(self.space)
            else:
                names = {hp.name for hp in self.space.space}
                self._cache["tried"] = {trial_key(t, names) for t in self.trials}
        return self._cache["tried"]

    @property
    def space_size(self) -> int | None:
        """How many configurations the space holds (None when it is continuous)."""
        if "size" not in self._cache:
            self._cache["size"] = count_configurations(self.space)
        return self._cache["size"]

    @property
    def configurations_started(self) -> int:
        """How many configurations were drawn so far (promotions repeat their parent's)."""
        return sum(PARENT not in t.values for t in self.trials)

    @property
    def configurations_run(self) -> int:
        """The configurations this search ran, those a budget counts: neither
        promotions, nor trials told without running, nor configurations found
        infeasible before training."""
        return sum(
            PARENT not in t.values
            and t.trial_id not in self.told_only
            and t.status is not TrialStatus.INFEASIBLE
            for t in self.trials
        )

    def exhausted(self) -> Exhausted | None:
        """An :class:`Exhausted` when every configuration of a finite space was tried."""
        total = self.space_size
        if total is not None and len(self.tried) >= total:
            return Exhausted(f"All {total} configurations of the search space have been tried.")
        return None


class Sampler:
    """Proposes the next configuration from the trials so far: the search's "where".

    A sampler is pure: it reads a :class:`SamplingContext` and answers the values to
    try (a dict; names it leaves out take their defaults), :class:`Exhausted` when
    there is nothing left to try, or :class:`Wait` when it cannot answer until a
    running trial ends. It stores nothing: the study keeps the trials, so any
    sampler resumes with the study. A scheduler (Hyperband, ASHA) decides the
    fidelity and promotions and asks the sampler only for new configurations.

    Subclass it and implement :meth:`sample`; pass it as ``sampler=`` to
    :class:`~tunesmith.oracles.Oracle`, ``Hyperband``, ``ASHA`` or a tuner.
    :func:`configuration_observations` gives the finished configurations with their
    scores (stopped and multi-fidelity ones at the fidelity they reached) and
    :func:`random_untried` a random untried configuration.

    Example:
        >>> from tunesmith import HyperParameters
        >>> from tunesmith.oracles import Oracle
        >>> class Smallest(Sampler):
        ...     "Tries the values of 'n' in increasing order."
        ...     def sample(self, context):
        ...         used = {t.values.get("n") for t in context.trials}
        ...         left = [n for n in range(1, 4) if n not in used]
        ...         return {"n": left[0]} if left else Exhausted("All of n tried.")
        >>> hp = HyperParameters(); _ = hp.Int("n", 1, 3)
        >>> oracle = Oracle(objective="loss", hyperparameters=hp, sampler=Smallest())
        >>> [oracle.ask().values["n"] for _ in range(3)], oracle.ask(), oracle.stop_reason
        ([1, 2, 3], None, 'All of n tried.')
    """

    #: The name the registry knows this sampler by (stored with the study).
    name: ClassVar[str] = "custom"
    #: Whether names a running trial declares that the space does not know yet (a
    #: define-by-run space being learnt) get random values, seeded by the trial,
    #: rather than their defaults; see :attr:`tunesmith.study.Study.samples_new_names`.
    #: A sampler that draws at random sets it, so parallel trials start at once
    #: instead of waiting for the first trial to teach the space.
    samples_new_names: ClassVar[bool] = False

    def sample(self, context: SamplingContext) -> Proposal:
        """The values of the next configuration, or :class:`Exhausted` / :class:`Wait`."""
        raise NotImplementedError(f"{type(self).__name__} must implement sample(context).")

    def initial_points(self, space: HyperParameters) -> int:
        """How many configurations this sampler draws before it uses the results
        (a scheduler compares results at a fidelity at least this many reached)."""
        return 1

    def get_config(self) -> dict[str, Any]:
        """The constructor's arguments (JSON-ready), stored with the study."""
        return {}

    def reset(self) -> None:
        """Drop any cache kept between asks (called when a study is loaded)."""

    def __repr__(self) -> str:
        arguments = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({arguments})"
