"""The contract every scheduler keeps: :class:`SchedulerContract`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tunesmith.samplers import BayesianSampler, RandomSampler, Sampler
from tunesmith.schedulers import Scheduler
from tunesmith.space import EPOCHS, INITIAL_EPOCH, PARENT, config_key
from tunesmith.store import Store
from tunesmith.study import Study
from tunesmith.testing._studies import (
    TRIAL_LIMIT,
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

#: The study's budget: ``max_trials`` (a scheduler that owns the budget may read it
#: as configurations, or keep its own schedule).
_MAX_TRIALS = 9


class SchedulerContract:
    """The checks every :class:`~tunesmith.schedulers.Scheduler` passes, as a pytest suite.

    Subclass it in a test module, under a name pytest collects (``Test...``), and
    override :meth:`make_scheduler`; pytest then runs every ``test_*`` method below
    on your scheduler, under a random sampler (and once under a Bayesian one). Each
    test runs whole searches, so give the scheduler a small schedule (e.g.
    ``max_epochs=9``, a few dozen trials); the study's ``max_trials`` is 9.

    What is checked: every trial has ``tuner/epochs`` > ``tuner/initial_epoch`` >= 0;
    a promotion (``tuner/trial_id``) continues a finished parent with its
    configuration, from the epoch the parent reached; failed trials are never
    promoted; the search ends by itself; a study resumed after a crash replays the
    same schedule; with trials running in parallel the answer is ``Wait`` only while
    one runs.

    Example:
        >>> from tunesmith.schedulers import ASHAScheduler
        >>> from tunesmith.testing import SchedulerContract
        >>> class TestASHA(SchedulerContract):
        ...     def make_scheduler(self):
        ...         return ASHAScheduler(max_epochs=9)
        >>> TestASHA().test_every_trial_has_a_fidelity_and_the_search_ends()

        In a test module, pytest collects ``TestASHA`` and runs every check.
    """

    def make_scheduler(self) -> Scheduler:
        """A new scheduler to check (called once per study, so never share state)."""
        raise NotImplementedError(
            f"{type(self).__name__} must override make_scheduler() to return the scheduler "
            "to check."
        )

    # --------------------------------------------------------------- shape
    def test_every_trial_has_a_fidelity_and_the_search_ends(self) -> None:
        study = self._study(RandomSampler())
        trials = run_sequentially(study, _checked_train)
        assert trials, f"The schedule handed out no trial ({study.stop_reason})."
        _check_schedule(study, trials)

    def test_it_runs_a_bayesian_sampler_to_the_end(self) -> None:
        study = self._study(BayesianSampler(num_initial_points=3))
        trials = run_sequentially(study, _checked_train)
        _check_schedule(study, trials)

    def test_failed_trials_are_never_promoted(self) -> None:
        study = self._study(RandomSampler(), max_consecutive_failed_trials=TRIAL_LIMIT)
        failed: set[str] = set()

        def end(study: Study, trial: Trial) -> None:
            if trial.number % 3 == 1:
                study.tell(trial, error="RuntimeError: the trial crashed")
                failed.add(trial.trial_id)
            else:
                _checked_train(study, trial)

        trials = run_sequentially(study, end)
        promoted_from = {str(t.values[PARENT]) for t in trials if PARENT in t.values}
        assert not failed & promoted_from, f"Failed trials promoted: {failed & promoted_from}"
        assert failed, "The test failed no trial; the schedule was too short to check."

    # -------------------------------------------------------------- resume
    def test_the_schedule_replays_after_a_crash(self, tmp_path: Path) -> None:
        straight = run_sequentially(self._study(RandomSampler()), _checked_train)
        folder = tmp_path / "crashed"
        first = self._study(RandomSampler())
        store = Store.open(folder)
        first.attach_store(store)
        for _ in range(len(straight) // 2):
            _checked_train(first, next_trial(first))
        crashed = first.ask()  # left RUNNING: the process "dies" here
        assert crashed is not None, "The schedule ended half-way through."
        store.close()
        resumed = self._study(RandomSampler())
        with Store.open(folder) as reopened:
            resumed.attach_store(reopened)
            assert resumed.requeued == (crashed.trial_id,)
            run_sequentially(resumed, _checked_train)
        trials = sorted(resumed.trials.values(), key=lambda t: t.number)
        assert all(t.status is TrialStatus.COMPLETED for t in trials)
        assert _shape(trials) == _shape(straight), "The resumed study changed the schedule."
        _check_schedule(resumed, trials)

    # ------------------------------------------------------------ parallel
    def test_with_trials_pending_it_waits_only_while_one_runs(self) -> None:
        study = self._study(RandomSampler())
        running: list[Trial] = []
        asked: list[Trial] = []
        over = False
        while True:
            while not over and len(running) < 3:  # three workers ask for trials
                trial = study.ask()
                if trial is None:
                    if study.waiting:
                        assert running, "ask() answered Wait while no trial was running."
                    else:
                        assert study.stop_reason, "ask() answered None without a reason."
                        over = True
                    break
                _check_parent(study, trial)
                running.append(trial)
                asked.append(trial)
                assert len(asked) <= TRIAL_LIMIT, "The search does not end by itself."
            if not running:
                break
            train(study, running.pop(0), synthetic_loss)  # the oldest ends first
        assert asked, f"The schedule handed out no trial ({study.stop_reason})."
        _check_schedule(study, asked)

    # ------------------------------------------------------------- settings
    def test_get_config_is_json_serialisable(self) -> None:
        scheduler = self.make_scheduler()
        for config in (scheduler.get_config(), scheduler.schedule_config()):
            assert isinstance(config, dict)
            assert json.loads(json.dumps(config)) == config, "The config must survive JSON."

    # -------------------------------------------------------------- helpers
    def _study(self, sampler: Sampler, **kwargs: Any) -> Study:
        return new_study(
            mixed_space(),
            sampler=sampler,
            scheduler=self.make_scheduler(),
            max_trials=_MAX_TRIALS,
            **kwargs,
        )


def _checked_train(study: Study, trial: Trial) -> Trial:
    """Check what can be checked when ``trial`` is handed out, then train it."""
    _check_parent(study, trial)
    return train(study, trial, synthetic_loss)


def _check_parent(study: Study, trial: Trial) -> None:
    """A promotion continues a trial of the study that ended with a result."""
    if trial.values.get(PARENT) is None:
        return
    parent = study.trials.get(str(trial.values[PARENT]))
    assert parent is not None, f"Trial {trial.trial_id} continues an unknown trial."
    assert parent.status.has_result, (
        f"Trial {trial.trial_id} continues trial {parent.trial_id}, which is "
        f"{parent.status.value}: only a finished trial with a result can be promoted."
    )


def _check_schedule(study: Study, trials: list[Trial]) -> None:
    """The fidelities and promotions of a whole search."""
    by_id = {t.trial_id: t for t in study.trials.values()}
    keys = new_configurations(trials)
    assert not repeated(keys), f"New configurations drawn twice: {repeated(keys)}"
    for trial in trials:
        values = trial.values
        assert EPOCHS in values and INITIAL_EPOCH in values, (
            f"Trial {trial.trial_id} has no tuner/epochs or tuner/initial_epoch: {values}"
        )
        assert int(values[EPOCHS]) > int(values[INITIAL_EPOCH]) >= 0, values
        assert not invalid_values(study.hyperparameters, hyperparameter_values(trial))
        parent_id = values.get(PARENT)
        if parent_id is None:
            continue
        parent = by_id[str(parent_id)]
        assert config_key(parent.values) == config_key(values), (
            f"Trial {trial.trial_id} is promoted from {parent.trial_id} with other values."
        )
        assert int(values[INITIAL_EPOCH]) == int(parent.values[EPOCHS]), (
            f"Trial {trial.trial_id} starts at epoch {values[INITIAL_EPOCH]}, but its parent "
            f"{parent.trial_id} ended at {parent.values[EPOCHS]}."
        )


def _shape(trials: list[Trial]) -> list[tuple[Any, ...]]:
    """(epochs, initial epoch, the parent's number) of each trial, in order."""
    numbers = {t.trial_id: t.number for t in trials}
    return [
        (
            t.values.get(EPOCHS),
            t.values.get(INITIAL_EPOCH),
            numbers.get(str(t.values.get(PARENT))),
        )
        for t in sorted(trials, key=lambda t: t.number)
    ]
