"""Ctrl-C leaves a consistent store and the next search resumes it."""

from __future__ import annotations

import keras
import pytest

import tunesmith as kt
from tunesmith import TrialStatus


class InterruptAt(keras.callbacks.Callback):
    """Raises KeyboardInterrupt at the first epoch of the n-th fit it is copied into."""

    fits = 0

    def __init__(self, at_fit: int) -> None:
        super().__init__()
        self.at_fit = at_fit

    def on_train_begin(self, logs=None):
        InterruptAt.fits += 1

    def on_epoch_end(self, epoch, logs=None):
        if InterruptAt.fits == self.at_fit:
            raise KeyboardInterrupt


def test_ctrl_c_then_resume(tmp_path, data, hypermodel):
    x, y, xv, yv = data
    InterruptAt.fits = 0
    tuner = kt.RandomSearch(
        hypermodel, objective="val_loss", max_trials=3, seed=0, directory=tmp_path, project_name="p"
    )
    with pytest.raises(KeyboardInterrupt):
        tuner.search(
            x, y, validation_data=(xv, yv), epochs=2, verbose=0, callbacks=[InterruptAt(at_fit=2)]
        )
    statuses = sorted(t.status.value for t in tuner.oracle.trials.values())
    assert statuses == ["COMPLETED", "RUNNING"]

    resumed = kt.RandomSearch(
        hypermodel, objective="val_loss", max_trials=3, seed=0, directory=tmp_path, project_name="p"
    )
    resumed.search(x, y, validation_data=(xv, yv), epochs=2, verbose=0)
    assert len(resumed.oracle.trials) == 3
    assert all(t.status is TrialStatus.COMPLETED for t in resumed.oracle.trials.values())
