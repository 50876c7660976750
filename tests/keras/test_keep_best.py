"""keep_best_models=N: only the N best trials keep their best-epoch weights."""

from __future__ import annotations

import shutil

import pytest

import tunesmith as kt
from tunesmith.errors import StoreError, TunesmithError
from tunesmith.keras._keep_best import release_weights
from tunesmith.keras._tuner import BUILD_CONFIG_FILE
from tunesmith.trial import TrialStatus


def _with_weights(tuner):
    return {t.trial_id for t in tuner.oracle.trials.values() if tuner._weights_path(t).exists()}


def _search(tmp_path, data, hypermodel, **kwargs):
    x, y, x_val, y_val = data
    tuner = kt.RandomSearch(
        hypermodel,
        objective="val_loss",
        max_trials=5,
        directory=tmp_path,
        seed=3,
        keep_best_models=2,
        **kwargs,
    )
    tuner.search(x, y, epochs=1, validation_data=(x_val, y_val), verbose=0)
    return tuner


@pytest.fixture
def searched(tmp_path, data, hypermodel):
    return _search(tmp_path, data, hypermodel)


def test_only_the_two_best_trials_keep_their_weights(searched):
    assert len(searched.oracle.trials) == 5
    best = [t.trial_id for t in searched.oracle.get_best_trials(2)]
    assert _with_weights(searched) == set(best)
    for trial in searched.oracle.trials.values():
        build = searched._weights_path(trial).with_name(BUILD_CONFIG_FILE)
        assert not build.exists() or trial.trial_id in best
    models = searched.get_best_models(2)
    assert len(models) == 2


def test_a_deleted_trial_is_an_error_naming_keep_best_models(searched):
    worst = searched.oracle.get_best_trials(5)[-1]
    with pytest.raises(StoreError, match="keep_best_models=2"):
        searched.load_model(worst)


def test_a_new_best_still_running_keeps_its_file_and_the_old_best_keeps_its(searched):
    # A kill after the newest trial's file was written but before its end was stored:
    # it still reads RUNNING, so it is not ranked, and nothing it could replace goes.
    first, second = searched.oracle.get_best_trials(2)
    first.status = TrialStatus.RUNNING
    released = release_weights(searched.oracle, 2, searched._weights_path, (BUILD_CONFIG_FILE,))
    assert searched._weights_path(first).exists()
    assert searched._weights_path(second).exists()
    assert released == []  # the third best's file went long ago


def test_a_kill_before_deleting_leaves_an_extra_file_the_next_search_deletes(
    tmp_path, data, hypermodel
):
    tuner = _search(tmp_path, data, hypermodel)
    best = tuner.oracle.get_best_trials(5)
    stray = tuner._weights_path(best[-1])
    shutil.copy(tuner._weights_path(best[0]), stray)  # as left by a kill before deleting
    resumed = _search(tmp_path, data, hypermodel)  # all 5 trials done: nothing runs
    assert not stray.exists()
    assert _with_weights(resumed) == {t.trial_id for t in best[:2]}


def test_keep_best_models_must_be_a_positive_count(hypermodel, tmp_path):
    with pytest.raises((TunesmithError, ValueError, TypeError)):
        kt.RandomSearch(hypermodel, objective="val_loss", directory=tmp_path, keep_best_models=0)
