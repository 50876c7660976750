"""get_best_models never hands back another trial's model."""

from __future__ import annotations

import shutil

import pytest

import tunesmith as kt
from tunesmith.errors import StoreError


@pytest.fixture
def searched(tmp_path, data, hypermodel):
    x, y, x_val, y_val = data
    tuner = kt.RandomSearch(
        hypermodel, objective="val_loss", max_trials=3, directory=tmp_path, seed=2
    )
    tuner.search(x, y, epochs=1, validation_data=(x_val, y_val), verbose=0)
    return tuner


def test_a_missing_weights_folder_is_an_error_naming_the_trial(searched):
    best = searched.oracle.get_best_trials(1)[0]
    shutil.rmtree(searched.store.project_dir / "trials" / best.trial_id)
    with pytest.raises(StoreError, match=f"weights of trial {best.trial_id} are missing"):
        searched.get_best_models(1)
    # The hyperparameters are still there to retrain from.
    assert searched.get_best_hyperparameters(1)[0].values == best.values


def test_a_damaged_weights_file_is_an_error_naming_the_file(searched):
    best = searched.oracle.get_best_trials(1)[0]
    path = searched.store.project_dir / "trials" / best.trial_id / "best.weights.h5"
    path.write_bytes(b"not an HDF5 file")
    with pytest.raises(StoreError, match=f"{path.name} of trial {best.trial_id} cannot be read"):
        searched.get_best_models(1)
