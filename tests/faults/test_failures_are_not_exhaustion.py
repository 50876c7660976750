"""A search whose trials fail before declaring anything, or whose function changed."""

from __future__ import annotations

import pytest

import tunesmith
from tunesmith.errors import StudyMismatchError, TooManyFailedTrialsError


def test_a_function_failing_before_declaring_anything_is_not_an_exhausted_space(tmp_path):
    calls = []

    def objective(hp):
        calls.append(1)
        raise ValueError("bad data path")

    with pytest.raises(TooManyFailedTrialsError, match="bad data path"):
        tunesmith.tune(objective, max_trials=10, max_consecutive_failed_trials=3, verbose=0)
    assert len(calls) == 3  # not "All 1 configurations tried" after one trial


def test_a_first_failure_then_success_goes_on_normally():
    calls = []

    def objective(hp):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("flaky")
        return (hp.Float("x", -1.0, 1.0) - 0.5) ** 2

    result = tunesmith.tune(objective, max_trials=6, seed=0, verbose=0)
    assert len(calls) == 6 and result.best_score is not None


def test_tune_resumed_with_a_changed_definition_stops_at_once(tmp_path):
    def first(hp):
        return hp.Float("x", -1.0, 1.0) ** 2

    tunesmith.tune(first, max_trials=3, seed=0, directory=tmp_path, project_name="p", verbose=0)
    calls = []

    def changed(hp):
        calls.append(1)
        return hp.Int("x", 0, 10) ** 2

    with pytest.raises(StudyMismatchError, match="overwrite=True"):
        tunesmith.tune(
            changed, max_trials=10, seed=0, directory=tmp_path, project_name="p", verbose=0
        )
    assert len(calls) == 1  # not the remaining budget spent on failing trials
