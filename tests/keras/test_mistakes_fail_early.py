"""Mistakes a newcomer makes fail before training, or loudly at the end, never quietly."""

from __future__ import annotations

import keras
import pytest

import tunesmith as kt
from tunesmith.errors import (
    InvalidArgumentError,
    MissingObjectiveError,
    NoRankedTrialError,
    ObjectiveError,
    SearchSpaceError,
    TooManyFailedTrialsError,
)


def test_a_validation_objective_without_validation_data_fails_before_any_trial(
    data, tmp_path, hypermodel
):
    x, y, _, _ = data
    tuner = kt.RandomSearch(
        hypermodel, objective="val_accuracy", max_trials=2, directory=tmp_path, verbose=0
    )
    with pytest.raises(InvalidArgumentError, match=r"validation_data .*validation_split"):
        tuner.search(x, y, epochs=1)
    assert tuner.oracle.trials == {}  # nothing trained
    tuner.search(x, y, epochs=1, validation_split=0.2)  # the fix it names works
    assert len(tuner.oracle.trials) == 2


def test_a_misspelt_objective_gets_a_did_you_mean(tmp_path, hypermodel):
    with pytest.raises(ObjectiveError, match=r"Did you mean 'val_accuracy'\?"):
        kt.RandomSearch(hypermodel, objective="val_acuracy", max_trials=1, directory=tmp_path)


def test_an_objective_not_logged_names_the_closest_logged_metric(data, tmp_path, hypermodel):
    x, y, xv, yv = data
    tuner = kt.RandomSearch(
        hypermodel,
        objective=kt.Objective("val_acuracy", "max"),
        max_trials=1,
        directory=tmp_path,
        verbose=0,
    )
    with pytest.raises(
        Exception, match=r"not among the logged metrics.*Did you mean 'val_accuracy'"
    ):
        tuner.search(x, y, epochs=1, validation_data=(xv, yv))


def test_a_search_where_every_trial_failed_raises_at_verbose_0(data, tmp_path):
    x, y, xv, yv = data

    def broken(hp):
        hp.Int("units", 4, 16)
        raise ValueError("a typo in build_model")

    tuner = kt.RandomSearch(
        broken, objective="val_loss", max_trials=2, directory=tmp_path, verbose=0
    )
    with pytest.raises(
        TooManyFailedTrialsError, match=r"(?s)All 2 trials failed.*a typo in build_model"
    ):
        tuner.search(x, y, epochs=1, validation_data=(xv, yv))
    with pytest.raises(NoRankedTrialError, match=r"none of the 2 trial\(s\) has a score"):
        tuner.get_best_models(1)
    with pytest.raises(NoRankedTrialError, match="results_summary"):
        tuner.get_best_hyperparameters()
    assert tuner.get_best_models(0) == []


def test_no_best_model_before_any_search(tmp_path):
    tuner = kt.RandomSearch(
        lambda hp: None, objective="val_loss", max_trials=2, directory=tmp_path, verbose=0
    )
    with pytest.raises(NoRankedTrialError, match=r"no trial has run yet.*tuner.search"):
        tuner.get_best_hyperparameters(1)


@pytest.mark.parametrize("verbose", [0, 1, 2])
def test_tune_where_every_trial_failed_raises_at_every_verbosity(verbose, capsys):
    def broken(hp):
        raise KeyError("no such column")

    with pytest.raises(TooManyFailedTrialsError, match=r"(?s)All 2 trials failed.*no such column"):
        kt.tune(broken, max_trials=2, max_consecutive_failed_trials=5, verbose=verbose)
    # Printed as well when the search prints.
    assert ("All 2 trials failed" in capsys.readouterr().out) == bool(verbose)


def test_a_space_definition_error_in_build_model_stops_at_the_first_trial(data, tmp_path):
    x, y, xv, yv = data
    builds = []

    def build_model(hp):
        builds.append(1)
        hp.Int("units", 64, 8)  # min_value above max_value: the same in every trial

    tuner = kt.RandomSearch(
        build_model,
        objective="val_loss",
        max_trials=5,
        max_retries_per_trial=2,
        directory=tmp_path,
        verbose=0,
    )
    builds.clear()  # the tuner builds once to learn the space
    with pytest.raises(SearchSpaceError, match="greater than the max_value"):
        tuner.search(x, y, epochs=1, validation_data=(xv, yv))
    assert len(builds) == 1
    assert [t.status for t in tuner.oracle.trials.values()] == [kt.TrialStatus.FAILED]


class _EpochCount(keras.callbacks.Callback):
    epochs = 0  # on the class: the tuner runs a deep copy of each callback

    def on_epoch_end(self, epoch, logs=None):
        type(self).epochs += 1


def test_an_objective_not_logged_stops_the_search_after_one_epoch(data, tmp_path, hypermodel):
    x, y, xv, yv = data
    tuner = kt.RandomSearch(
        hypermodel, objective=kt.Objective("f1", "max"), max_trials=3, directory=tmp_path
    )
    counter = _EpochCount()
    with pytest.raises(MissingObjectiveError, match=r"'f1' is not among the logged metrics"):
        tuner.search(x, y, epochs=5, validation_data=(xv, yv), callbacks=[counter])
    assert _EpochCount.epochs == 1  # not the five of a whole trial
    (trial,) = tuner.oracle.trials.values()  # stopped at its first occurrence
    assert "after the first epoch" in trial.error
    assert isinstance(MissingObjectiveError("x"), ObjectiveError)  # keras-tuner's catch


def test_an_objective_validated_every_other_epoch_is_not_missing(data, tmp_path, hypermodel):
    x, y, xv, yv = data
    tuner = kt.RandomSearch(
        hypermodel, objective="val_accuracy", max_trials=1, directory=tmp_path, verbose=0
    )
    tuner.search(x, y, epochs=2, validation_data=(xv, yv), validation_freq=2)
    (trial,) = tuner.oracle.trials.values()
    assert trial.status == "COMPLETED" and trial.score is not None
