"""The Tuner's multi-fidelity mechanics, driven by a scripted oracle.

A promoted trial (``tuner/trial_id`` in its values) must continue its parent's
training exactly: same weights, same optimizer step count and moments, epochs
numbered on from the parent's. The oracle here hands out a fixed plan so the
check does not depend on any scheduling algorithm.
"""

from __future__ import annotations

import numpy as np
import pytest

from tunesmith import TrialStatus
from tunesmith.keras import Tuner
from tunesmith.keras._fidelity import LAST_FILE
from tunesmith.oracles import Oracle
from tunesmith.trial import Trial

keras = pytest.importorskip("keras")


class ScriptedOracle(Oracle):
    """Hands out ``plan`` in order: (values, tuner/* values) pairs."""

    algorithm_name = "scripted-test"

    def __init__(self, plan: list[tuple[dict, dict]], max_epochs: int = 6, **kwargs) -> None:
        super().__init__(objective="val_loss", max_trials=len(plan), **kwargs)
        self.plan = plan
        self.max_epochs = max_epochs

    def ask(self) -> Trial | None:
        if self._requeued or len(self.trials) >= len(self.plan):
            return super().ask()
        number = len(self.trials)
        values, fidelity = self.plan[number]
        hp = self.hyperparameters.with_values({**values, **fidelity})
        trial = Trial(trial_id=self._trial_id(number), number=number, hyperparameters=hp)
        self.trials[trial.trial_id] = trial
        self._save_trial(trial)
        return trial


class Snapshots(keras.callbacks.Callback):
    """Records weights and optimizer state at the start and end of every fit.

    Class-level storage: the tuner deep-copies callbacks for each execution.
    """

    begin: list[dict] = []
    end: list[dict] = []

    @staticmethod
    def state(model) -> dict:
        return {
            "weights": [np.array(w) for w in model.get_weights()],
            "iterations": int(model.optimizer.iterations),
            "optimizer": [np.array(v) for v in model.optimizer.variables],
        }

    def on_train_begin(self, logs=None):
        Snapshots.begin.append(self.state(self.model))

    def on_train_end(self, logs=None):
        Snapshots.end.append(self.state(self.model))


def build_model(hp):
    model = keras.Sequential(
        [
            keras.Input(shape=(8,)),
            keras.layers.Dense(hp.Int("units", 4, 8, step=4), activation="relu"),
            keras.layers.Dense(1),
        ]
    )
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mse")
    return model


FIRST = {"tuner/epochs": 2, "tuner/initial_epoch": 0, "tuner/bracket": 1, "tuner/round": 0}


def promoted(parent: str) -> dict:
    return {
        "tuner/epochs": 5,
        "tuner/initial_epoch": 2,
        "tuner/bracket": 1,
        "tuner/round": 1,
        "tuner/trial_id": parent,
    }


@pytest.fixture(autouse=True)
def _clear_snapshots():
    Snapshots.begin, Snapshots.end = [], []


def run(tmp_path, data, plan, **tuner_kwargs):
    x, y, xv, yv = data
    tuner = Tuner(
        ScriptedOracle(plan, seed=0),
        build_model,
        directory=tmp_path,
        project_name="p",
        verbose=0,
        **tuner_kwargs,
    )
    tuner.search(x, y, validation_data=(xv, yv), epochs=50, batch_size=50, callbacks=[Snapshots()])
    return tuner


def test_promoted_trial_continues_weights_optimizer_and_epochs(tmp_path, data, capsys):
    tuner = run(tmp_path, data, [({"units": 8}, FIRST), ({"units": 8}, promoted("00"))])
    parent, child = tuner.oracle.trials["00"], tuner.oracle.trials["01"]
    assert parent.status is TrialStatus.COMPLETED and child.status is TrialStatus.COMPLETED

    # The second stage starts exactly where the first ended.
    end, begin = Snapshots.end[0], Snapshots.begin[1]
    assert end["iterations"] == 2 * 4  # 2 epochs of 200 rows in batches of 50
    assert begin["iterations"] == end["iterations"]
    for before, after in zip(end["weights"], begin["weights"], strict=True):
        np.testing.assert_array_equal(before, after)
    for before, after in zip(end["optimizer"], begin["optimizer"], strict=True):
        np.testing.assert_array_equal(before, after)  # Adam's moments too
    assert Snapshots.end[1]["iterations"] == 5 * 4

    # Epochs: the search's epochs=50 is replaced; the child's steps continue the parent's.
    assert parent.epochs == 2 and child.epochs == 3
    assert list(tuner.store.load_curves("00")["step"]) == [0, 1]
    assert list(tuner.store.load_curves("01")["step"]) == [2, 3, 4]
    assert child.best_step in {2, 3, 4}

    # The tuner/* values are the trial's values, as keras-tuner exposes them.
    assert child.values["tuner/trial_id"] == "00" and child.values["tuner/epochs"] == 5
    stored = {t.trial_id: t for t in tuner.store.load_trials()}
    assert stored["01"].values == child.values
    tuner.results_summary()
    out = capsys.readouterr().out
    assert "tuner/initial_epoch: 2" in out and "tuner/trial_id: 00" in out

    # The parent's checkpoint is gone once its promotion finished; the child, below
    # max_epochs=6, keeps its own (it could still be promoted).
    assert not (tuner.store.trial_dir("00") / LAST_FILE).exists()
    assert (tuner.store.trial_dir("01") / LAST_FILE).exists()
    assert len(tuner.get_best_models(2)) == 2


def test_trial_at_max_epochs_keeps_no_checkpoint(tmp_path, data):
    at_max = {"tuner/epochs": 6, "tuner/initial_epoch": 0, "tuner/bracket": 0, "tuner/round": 0}
    tuner = run(tmp_path, data, [({"units": 4}, at_max)])
    assert tuner.oracle.trials["00"].epochs == 6
    assert not (tuner.store.trial_dir("00") / LAST_FILE).exists()


def test_promotion_without_parent_checkpoint_trains_from_scratch(tmp_path, data):
    with pytest.warns(RuntimeWarning, match="left no checkpoint"):
        tuner = run(tmp_path, data, [({"units": 4}, promoted("zz"))])
    assert list(tuner.store.load_curves("00")["step"]) == [0, 1, 2, 3, 4]
    assert Snapshots.begin[0]["iterations"] == 0


def test_several_executions_checkpoint_the_best_one(tmp_path, data):
    tuner = run(
        tmp_path,
        data,
        [({"units": 8}, FIRST), ({"units": 8}, promoted("00"))],
        executions_per_trial=2,
    )
    curves = tuner.store.load_curves("00")
    best_execution = int(curves.groupby("execution")["val_loss"].min().idxmin())
    # Both executions of the child start from the best execution's last state.
    kept = Snapshots.end[best_execution]
    for begin in Snapshots.begin[2:]:
        for before, after in zip(kept["weights"], begin["weights"], strict=True):
            np.testing.assert_array_equal(before, after)
        assert begin["iterations"] == kept["iterations"]
    assert tuner.oracle.trials["01"].epochs == 2 * 3
