"""search(epochs=...) under a schedule (Hyperband, ASHA) is replaced, and says so."""

from __future__ import annotations

import warnings

import pytest

import tunesmith as kt


@pytest.mark.parametrize("tuner_class", [kt.Hyperband, kt.ASHA])
def test_epochs_given_to_search_under_a_schedule_warn_naming_max_epochs(
    tuner_class, data, hypermodel, tmp_path
):
    x, y, xv, yv = data
    tuner = tuner_class(
        hypermodel, objective="val_loss", max_epochs=2, factor=2, directory=tmp_path, verbose=0
    )
    tuner.oracle.max_trials = tuner.oracle.max_trials and 2  # ASHA: two configurations
    with pytest.warns(UserWarning, match=r"search\(epochs=50\) is ignored.*max_epochs=2"):
        tuner.search(x, y, epochs=50, validation_data=(xv, yv))
    assert max(t.values["tuner/epochs"] for t in tuner.oracle.trials.values()) == 2


def test_no_warning_without_a_schedule_or_without_epochs(data, hypermodel, tmp_path):
    x, y, xv, yv = data
    tuner = kt.RandomSearch(
        hypermodel, objective="val_loss", max_trials=1, directory=tmp_path, verbose=0
    )
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="search\\(epochs=")
        tuner.search(x, y, epochs=1, validation_data=(xv, yv))
        kt.Hyperband(
            hypermodel,
            objective="val_loss",
            max_epochs=2,
            factor=2,
            directory=tmp_path,
            project_name="hb",
            verbose=0,
        ).search(x, y, validation_data=(xv, yv))
