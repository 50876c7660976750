"""The contract every sampler keeps: :class:`SamplerContract`."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tunesmith.samplers import Exhausted, Proposal, Sampler, SamplingContext, Wait
from tunesmith.schedulers import ASHAScheduler, HyperbandScheduler, Scheduler
from tunesmith.space import PARENT, config_key, iterate_grid
from tunesmith.store import Store
from tunesmith.study import Study
from tunesmith.testing._studies import (
    OBJECTIVE,
    finite_space,
    hyperparameter_values,
    invalid_values,
    mixed_space,
    new_configurations,
    new_study,
    next_trial,
    repeated,
    run_sequentially,
    synthetic_loss,
    train,
)
from tunesmith.trial import Trial, TrialStatus

#: Small schedules, so a whole search under each takes a moment.
_SCHEDULERS: dict[str, Callable[[], Scheduler]] = {
    "hyperband": lambda: HyperbandScheduler(max_epochs=4, factor=2),
    "asha": lambda: ASHAScheduler(max_epochs=4, factor=2),
}


class SamplerContract:
    """The checks every :class:`~tunesmith.samplers.Sampler` passes, as a pytest suite.

    Subclass it in a test module, under a name pytest collects (``Test...``), and
    override :meth:`make_sampler`; pytest then runs every ``test_*`` method below on
    your sampler. Each test builds its studies with fresh samplers and fixed seeds,
    so a failure repeats. The searches are small (at most a few dozen trials), but a
    sampler that takes long to answer makes them long.

    A sampler must handle any space: the suite uses a mixed one (a log-scaled float,
    a stepped int, a choice, a boolean, and a float active only under one choice) and
    a finite one of six configurations.

    Example:
        >>> from tunesmith.samplers import RandomSampler
        >>> from tunesmith.testing import SamplerContract
        >>> class TestRandomSampler(SamplerContract):
        ...     def make_sampler(self):
        ...         return RandomSampler()
        >>> TestRandomSampler().test_a_small_finite_space_ends_after_every_configuration_once()

        In a test module, pytest collects ``TestRandomSampler`` and runs every check.
    """

    def make_sampler(self) -> Sampler:
        """A new sampler to check (called once per study, so never share state)."""
        raise NotImplementedError(
            f"{type(self).__name__} must override make_sampler() to return the sampler to check."
        )

    # ------------------------------------------------------------------ values
    def test_proposals_are_valid_values_of_a_mixed_space(self) -> None:
        space = mixed_space()
        recorder = _Recorder(self.make_sampler())
        study = new_study(space, sampler=recorder, max_trials=10)
        trials = run_sequentially(study)
        assert len(trials) == 10, study.stop_reason
        for proposal in recorder.proposals:
            unknown = sorted(set(proposal) - {hp.name for hp in space.space})
            assert not unknown, f"The sampler proposed names outside the space: {unknown}"
            for hp in space.space:
                if hp.name in proposal:
                    assert hp.is_valid(proposal[hp.name]), (
                        f"The sampler proposed {hp.name}={proposal[hp.name]!r}, outside {hp}."
                    )
        for trial in trials:
            assert trial.values == hyperparameter_values(trial), (
                f"Trial {trial.trial_id} has tuner/* values without a scheduler: {trial.values}"
            )
            assert not invalid_values(space, trial.values), (
                trial.values,
                invalid_values(space, trial.values),
            )

    def test_no_configuration_twice_while_trials_are_pending(self) -> None:
        study = new_study(mixed_space(), sampler=self.make_sampler(), max_trials=12)
        asked: list[Trial] = []
        while len(asked) < 12:
            batch: list[Trial] = []
            while len(batch) < 4 and (trial := study.ask()) is not None:
                batch.append(trial)
            assert batch, f"Nothing to ask with no trial running ({study.stop_reason})."
            asked += batch
            keys = new_configurations(asked)
            assert not repeated(keys), f"Proposed again while pending: {repeated(keys)}"
            for trial in batch:
                train(study, trial, synthetic_loss)
        assert study.ask() is None and study.stop_reason

    def test_a_finite_space_asked_all_at_once_has_no_repeats(self) -> None:
        space = finite_space()
        study = new_study(space, sampler=self.make_sampler())
        pending = []
        while (trial := study.ask()) is not None:
            pending.append(trial)
            assert len(pending) <= 6, "More trials than the space has configurations."
        keys = new_configurations(pending)
        assert not repeated(keys), f"Proposed again while pending: {repeated(keys)}"
        # With everything pending the sampler may wait for results or say it is done.
        assert study.waiting or study.stop_reason
        for trial in pending:
            train(study, trial, synthetic_loss)
        trials = pending + run_sequentially(study)
        assert sorted(new_configurations(trials)) == sorted(_grid(space))

    def test_a_small_finite_space_ends_after_every_configuration_once(self) -> None:
        space = finite_space()
        study = new_study(space, sampler=self.make_sampler())
        trials = run_sequentially(study, limit=3 * len(_grid(space)))
        keys = new_configurations(trials)
        assert not repeated(keys), f"Configurations tried twice: {repeated(keys)}"
        assert sorted(keys) == sorted(_grid(space)), "Not every configuration was tried."
        assert study.stop_reason and not study.waiting

    # -------------------------------------------------------------- the seed
    def test_the_same_seed_gives_the_same_proposals(self) -> None:
        runs = [
            [t.values for t in run_sequentially(self._mixed_study(max_trials=8))] for _ in range(2)
        ]
        assert runs[0] == runs[1]

    def test_a_resumed_study_goes_on_without_repeats(self, tmp_path: Path) -> None:
        folder = tmp_path / "resumed"
        first = self._mixed_study(max_trials=8)
        store = Store.open(folder)
        first.attach_store(store)
        for _ in range(4):
            train(first, next_trial(first), synthetic_loss)
        crashed = next_trial(first)  # left RUNNING: the process "dies" here
        store.close()
        resumed = self._mixed_study(max_trials=8)
        with Store.open(folder) as reopened:
            resumed.attach_store(reopened)
            assert resumed.requeued == (crashed.trial_id,)
            run_sequentially(resumed)
        trials = sorted(resumed.trials.values(), key=lambda t: t.number)
        assert len(trials) == 8
        assert all(t.status is TrialStatus.COMPLETED for t in trials)
        keys = new_configurations(trials)
        assert not repeated(keys), f"The resumed study tried again: {repeated(keys)}"
        for trial in trials:
            assert not invalid_values(resumed.hyperparameters, trial.values)

    # ---------------------------------------------------------------- results
    def test_failed_and_nan_trials_do_not_break_it(self) -> None:
        study = self._mixed_study(max_trials=9, max_consecutive_failed_trials=9)

        def end(study: Study, trial: Trial) -> None:
            if trial.number % 3 == 1:
                study.tell(trial, error="RuntimeError: the trial crashed")
            elif trial.number % 3 == 2:
                study.tell(trial, {OBJECTIVE: math.nan})
            else:
                train(study, trial, synthetic_loss)

        trials = run_sequentially(study, end)
        assert len(trials) == 9, study.stop_reason
        statuses = [t.status for t in trials]
        assert statuses.count(TrialStatus.FAILED) == statuses.count(TrialStatus.INVALID) == 3
        keys = new_configurations(trials)
        assert not repeated(keys), f"Configurations tried twice: {repeated(keys)}"

    @pytest.mark.parametrize("scheduler", sorted(_SCHEDULERS))
    def test_it_runs_under_a_scheduler_to_the_end(self, scheduler: str) -> None:
        space = mixed_space()
        study = new_study(
            space, sampler=self.make_sampler(), scheduler=_SCHEDULERS[scheduler](), max_trials=6
        )
        trials = run_sequentially(study)
        by_id = {t.trial_id: t for t in trials}
        keys = new_configurations(trials)
        assert keys and not repeated(keys), f"Configurations drawn twice: {repeated(keys)}"
        for trial in trials:
            assert trial.status is TrialStatus.COMPLETED
            assert not invalid_values(space, hyperparameter_values(trial))
            parent = trial.values.get(PARENT)
            if parent is not None:
                assert config_key(by_id[parent].values) == config_key(trial.values)

    # ------------------------------------------------------------- settings
    def test_get_config_is_json_serialisable(self) -> None:
        config = self.make_sampler().get_config()
        assert isinstance(config, dict)
        assert json.loads(json.dumps(config)) == config, "get_config() must survive JSON."

    def test_initial_points_is_a_count(self) -> None:
        count = self.make_sampler().initial_points(mixed_space())
        assert isinstance(count, int) and count >= 0

    # --------------------------------------------------------------- helpers
    def _mixed_study(self, max_trials: int, **kwargs: Any) -> Study:
        return new_study(
            mixed_space(), sampler=self.make_sampler(), max_trials=max_trials, **kwargs
        )


class _Recorder(Sampler):
    """Passes every call to ``inner`` and keeps the values it proposed."""

    def __init__(self, inner: Sampler) -> None:
        self.inner = inner
        self.proposals: list[dict[str, Any]] = []

    def sample(self, context: SamplingContext) -> Proposal:
        answer = self.inner.sample(context)
        assert isinstance(answer, (dict, Exhausted, Wait)), (
            f"sample() must answer a dict, Exhausted or Wait, not {answer!r}."
        )
        if isinstance(answer, dict):
            self.proposals.append(dict(answer))
        return answer

    def initial_points(self, space: Any) -> int:
        return self.inner.initial_points(space)

    def reset(self) -> None:
        self.inner.reset()


def _grid(space: Any) -> list[tuple]:
    return [config_key(values) for values in iterate_grid(space)]
