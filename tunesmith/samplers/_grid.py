"""Exhaustive search in keras-tuner's order, growing with a define-by-run space."""

from __future__ import annotations

import bisect
import contextlib
import math
from collections.abc import Iterator, Mapping, Sequence
from itertools import islice
from typing import Any

from tunesmith.samplers._base import Exhausted, Proposal, Sampler, SamplingContext, Wait
from tunesmith.samplers._follow import TrialFollower
from tunesmith.space import ConfigKey, Float, HyperParameter, config_key
from tunesmith.trial import Trial

# Two unit positions closer than this are one value (a float read back from JSON).
_SAME_UNIT = 1e-12


class GridSampler(Sampler):
    """Every combination of the hyperparameters' values, in keras-tuner's order.

    The space is read as a counter whose digits are the definitions in registration
    order, the last registered varying fastest; each digit runs through its
    hyperparameter's default first, then its other values in increasing order. The
    first trial takes every default, and each trial that ends hands on the next
    combination after its own. So a hyperparameter that a trial registers while it
    runs (define-by-run) becomes the fastest digit from that trial on: its values are
    combined with that trial's and the ones after it, never with trials that ended
    before it was found, the combinations keras-tuner tries. Conditional
    hyperparameters take values only where their condition holds.

    A ``Float`` without ``step`` has no finite set of values: it contributes its
    default plus ``float_grid_size`` points, the centres of equal bins of its
    sampling scale (linear or log), as keras-tuner's ten.

    Several trials may run at once: a proposal that no ended trial's successor
    serves continues the counter past the highest trial, even a running one
    (keras-tuner waits there). What a running trial registers is not lost: when it
    ends, the combinations with its new values follow it. At the grid's end the
    answer is :class:`~tunesmith.samplers.Wait` while a running trial may still
    register more, then :class:`~tunesmith.samplers.Exhausted`. Everything is
    derived from the trials (their values, statuses and start and end times).

    Example:
        >>> from tunesmith import HyperParameters
        >>> from tunesmith.objective import Objective
        >>> hp = HyperParameters(); _ = hp.Int("n", 1, 3, default=2)
        >>> context = SamplingContext(hp, (), Objective("loss", "min"), seed=0, number=0)
        >>> GridSampler().sample(context)
        {'n': 2}
    """

    name = "grid"

    def __init__(self, float_grid_size: int = 10) -> None:
        if (
            isinstance(float_grid_size, bool)
            or not isinstance(float_grid_size, int)
            or (float_grid_size < 1)
        ):
            raise ValueError(
                f"float_grid_size must be at least 1 (the points a Float without step "
                f"contributes besides its default), got {float_grid_size}."
            )
        self.float_grid_size = float_grid_size
        # A cache only (rebuilt from the space and the trials when missing or stale):
        # the trials in grid order under the counter of the current space.
        self._index: _GridIndex | None = None

    def get_config(self) -> dict[str, Any]:
        return {"float_grid_size": self.float_grid_size}

    def reset(self) -> None:
        self._index = None

    def sample(self, context: SamplingContext) -> Proposal:
        index = self._current_index(context)
        if index.first is None:
            return index.counter.first()
        counter, tried = index.counter, index.tried

        def successor_of(trial: Trial) -> dict[str, Any] | None:
            # The next combination, unless a trial already holds it or one between.
            candidate = counter.successor(trial.values)
            if candidate is None or tried(config_key(candidate)):
                return None
            higher = index.above(trial)
            if higher is not None and counter.key(candidate) >= higher:
                return None
            return candidate

        for trial in index.offers():
            candidate = successor_of(trial)
            if candidate is not None:
                return candidate
        # Count on from the highest trial, even while it runs, so that workers (or
        # asks before tells) get distinct trials; keras-tuner would wait here. What
        # a running trial registers is not lost: once it ends, the combinations
        # with its new values are its successors and lie below what came after it.
        candidate = successor_of(index.highest())
        if candidate is not None:
            return candidate
        if index.running:
            return Wait()  # a running trial may register what comes next
        return Exhausted("Every combination of the grid has been tried.")

    def _current_index(self, context: SamplingContext) -> _GridIndex:
        """The index of the trials under the current space's counter, brought up to date."""
        space = context.space.space
        trials = context.tried_index.trials if context.tried_index is not None else None
        cached = self._index
        if (
            cached is None
            or trials is None
            or cached.trials is not trials
            or len(cached.counter.space) != len(space)
            or any(a is not b for a, b in zip(cached.counter.space, space, strict=True))
        ):
            if trials is None:  # a context without the study's own dict: one by number
                trials = {t.trial_id: t for t in sorted(context.trials, key=lambda t: t.number)}
            cached = _GridIndex(_Counter(space, self.float_grid_size), trials)
            self._index = cached
        cached.update()
        return cached


class _GridIndex:
    """The trials in grid order, kept up to date between asks.

    Sorting every trial at every ask made a long grid search quadratic. A finished
    trial's values are final, so its place in the grid and among the ended trials
    is found once (by bisection); the running trials, one per worker at most, are
    placed again at each ask, since a define-by-run build may still add values to
    them. Each ask then costs work in the running trials and the offers it looks at,
    plus bisections, not in all trials. The study's trials are a dict in number
    order, so the first, second and newest trials are read at its ends.
    """

    def __init__(self, counter: _Counter, trials: dict[str, Trial]) -> None:
        self.counter = counter
        self.trials = trials
        self._follower = TrialFollower(trials)
        self._clear()

    def _clear(self) -> None:
        # Finished trials: (grid key, number) in grid order, (end time, number) in
        # end order, and their configurations' keys.
        self._ranked: list[tuple[tuple[float, ...], int]] = []
        self._ended: list[tuple[float, int]] = []
        self._settled: set[ConfigKey] = set()
        self._by_number: dict[int, Trial] = {}
        self._key_of: dict[int, tuple[float, ...]] = {}
        # Running trials, placed afresh at each update.
        self.running: list[Trial] = []
        self._running_ranked: list[tuple[tuple[float, ...], int]] = []
        self._running_keys: set[ConfigKey] = set()
        self.first: Trial | None = None

    def update(self) -> None:
        finished, running = self._follower.update()
        if self._follower.restarted:
            self._clear()
        counter = self.counter
        for trial in finished:
            key = counter.key(trial.values)
            bisect.insort(self._ranked, (key, trial.number))
            bisect.insort(self._ended, (_ended_at(trial), trial.number))
            self._settled.add(config_key(trial.values))
            self._by_number[trial.number] = trial
            self._key_of[trial.number] = key
        self.running = running
        for trial in running:
            self._by_number[trial.number] = trial
            self._key_of[trial.number] = counter.key(trial.values)
        self._running_ranked = sorted((self._key_of[t.number], t.number) for t in running)
        self._running_keys = {config_key(t.values) for t in running}
        trials = self.trials
        self.first = trials[next(iter(trials))] if trials else None

    def tried(self, key: ConfigKey) -> bool:
        return key in self._settled or key in self._running_keys

    def _entry(self, trial: Trial) -> tuple[tuple[float, ...], int]:
        return self._key_of[trial.number], trial.number

    def above(self, trial: Trial) -> tuple[float, ...] | None:
        """The grid key of the trial just above ``trial`` in grid order (None: it is
        the highest)."""
        entry = self._entry(trial)
        found = [
            ranked[i][0]
            for ranked in (self._ranked, self._running_ranked)
            if (i := bisect.bisect_right(ranked, entry)) < len(ranked)
        ]
        return min(found) if found else None

    def _below(self, trial: Trial) -> Trial | None:
        """The trial just below ``trial`` in grid order."""
        entry = self._entry(trial)
        found = [
            ranked[i - 1]
            for ranked in (self._ranked, self._running_ranked)
            if (i := bisect.bisect_left(ranked, entry)) > 0
        ]
        return self._by_number[max(found)[1]] if found else None

    def highest(self) -> Trial:
        """The highest trial in grid order."""
        tops = [ranked[-1] for ranked in (self._ranked, self._running_ranked) if ranked]
        return self._by_number[max(tops)[1]]

    def offers(self) -> Iterator[Trial]:
        """The trials whose next combination has not been looked at yet, oldest offer
        first.

        Each trial offers its next combination once it has ended (what it registered
        is known then); the first trial also once at its start, so a second worker
        can begin. Offers are taken in order: each proposal uses up its own offer and
        the ones before it. A trial is always proposed just above the trial whose
        offer it used, and nothing is proposed between them afterwards, so that
        trial is its neighbour below in grid order; the trials and their times are
        all the state there is. The queue is the first trial, then the ended trials
        by end time; this yields it from the first offer not used yet.
        """
        first = self.first
        assert first is not None
        trials = self.trials
        latest = trials[next(reversed(trials))]
        if latest is first:
            start = 0
        elif latest is trials[next(islice(iter(trials), 1, None))]:
            start = 1  # it used the first trial's offer at its start
        else:
            source = self._below(latest)
            created = latest.started_at if latest.started_at is not None else math.inf
            if source is not None and source.status.is_finished and _ended_at(source) <= created:
                start = 2 + bisect.bisect_left(self._ended, (_ended_at(source), source.number))
            else:
                # Proposed while its source still ran (before any trial ended): every
                # offer made by then was used up.
                start = 1 + bisect.bisect_right(self._ended, (created, math.inf))
        if start == 0:
            yield first
            start = 1
        for position in range(start - 1, len(self._ended)):
            yield self._by_number[self._ended[position][1]]


def _ended_at(trial: Trial) -> float:
    """When ``trial`` ended; a failed trial stored without the time ended right after
    it started (a search runs its trials one after the other)."""
    if trial.ended_at is not None:
        return trial.ended_at
    return trial.started_at if trial.started_at is not None else 0.0


class _Counter:
    """The known space as a counter, one digit per definition in registration order.

    A configuration's key orders the grid: a digit is the rank of the definition's
    value (see :class:`_Digit`), -1 where the definition is inactive. Configurations
    first differ at a definition active in both, since activity depends only on
    earlier digits. A name that a trial's values lack was registered by a code path
    the trial does not take (it would have registered it too), or one it has not
    reached yet while it runs: that digit counts as absent, and the trial's
    successor leaves it alone rather than vary what the trial's model does not use.
    """

    def __init__(self, space: Sequence[HyperParameter], float_grid_size: int) -> None:
        self.space = list(space)
        self.digits = [_Digit(hp, float_grid_size) for hp in self.space]

    def _active(self, values: Mapping[str, Any]) -> list[tuple[int, bool, Any]]:
        """``(position, present, value)`` of each definition active for ``values``;
        a name ``values`` lacks takes its default."""
        chosen: dict[str, Any] = {}
        active = []
        for position, hp in enumerate(self.space):
            if hp.name in chosen or not all(c.is_active(chosen) for c in hp.conditions):
                continue
            chosen[hp.name] = values.get(hp.name, hp.default)
            active.append((position, hp.name in values, chosen[hp.name]))
        return active

    def first(self) -> dict[str, Any]:
        """Every active definition at its default."""
        return {self.space[position].name: value for position, _, value in self._active({})}

    def key(self, values: Mapping[str, Any]) -> tuple[float, ...]:
        key = [-1.0] * len(self.space)
        for position, present, value in self._active(values):
            if present:
                key[position] = self.digits[position].rank(value)
        return tuple(key)

    def successor(self, values: Mapping[str, Any]) -> dict[str, Any] | None:
        """The configuration after ``values``: the fastest digit present that can move
        moves up one, the digits after it go back to their defaults. None at the end."""
        for position, present, value in reversed(self._active(values)):
            digit = self.digits[position]
            rank = math.floor(digit.rank(value)) + 1
            if present and rank < len(digit.values):
                return self._with(values, position, digit.values[rank])
        return None

    def _with(self, values: Mapping[str, Any], moved: int, value: Any) -> dict[str, Any]:
        chosen: dict[str, Any] = {}
        for position, hp in enumerate(self.space):
            if hp.name in chosen or not all(c.is_active(chosen) for c in hp.conditions):
                continue
            if position < moved:
                chosen[hp.name] = values.get(hp.name, hp.default)
            else:
                chosen[hp.name] = value if position == moved else hp.default
        return chosen


class _Digit:
    """One definition's values in grid order: the default, then the others by their
    unit encoding (a Float without step: the centres of ``float_grid_size`` bins)."""

    def __init__(self, hp: HyperParameter, float_grid_size: int) -> None:
        self.hp = hp
        if isinstance(hp, Float) and hp.step is None:
            points = [hp.from_unit((i + 0.5) / float_grid_size) for i in range(float_grid_size)]
            others = [float(f"{p:.15g}") for p in points]  # 1.05, not 1.0500000000000000444
        else:
            others = list(hp.grid_values())
        default = self._unit(hp.default)
        self.values = [hp.default]
        self._units: list[float] = []
        for value in others:
            unit = self._unit(value)
            if unit is not None and not _same(unit, default):
                self.values.append(value)
                self._units.append(unit)
        self._default_unit = default
        # Exact values (as proposed and stored) are looked up; others go by encoding.
        self._ranks: dict[tuple[type, object], float] = {}
        for rank, value in enumerate(self.values):
            with contextlib.suppress(TypeError):
                self._ranks[type(value), value] = float(rank)

    def _unit(self, value: object) -> float | None:
        try:
            return float(self.hp.to_unit(self.hp.coerce(value)))
        except (ValueError, TypeError, NotImplementedError):
            return None

    def rank(self, value: object) -> float:
        """The index of ``value`` in :attr:`values`; a value not among them (tried
        under another grid size) ranks halfway between its neighbours, an invalid one
        after all."""
        with contextlib.suppress(TypeError):
            found = self._ranks.get((type(value), value))
            if found is not None:
                return found
        unit = self._unit(value)
        if unit is None:
            return float(len(self.values))
        if _same(unit, self._default_unit):
            return 0.0
        index = bisect.bisect_left(self._units, unit - _SAME_UNIT)
        if index < len(self._units) and _same(self._units[index], unit):
            return float(index + 1)
        return index + 0.5


def _same(a: float | None, b: float | None) -> bool:
    return a is not None and b is not None and abs(a - b) <= _SAME_UNIT
