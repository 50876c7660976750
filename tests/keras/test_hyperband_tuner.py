"""The Hyperband and ASHA tuners on tiny real models: schedule, promotions, values."""

from __future__ import annotations

import math

import numpy as np
import pytest

import tunesmith as kt
from tunesmith import TrialStatus
from tunesmith.keras._fidelity import LAST_FILE

keras = pytest.importorskip("keras")


def hyperband_schedule(max_epochs: int, factor: int) -> list[tuple[int, int, int, int]]:
    """keras-tuner's Hyperband, one iteration: (bracket, round, epochs, initial_epoch) per
    trial, in bracket order (most aggressive first). Written from the paper's recipe as
    keras-tuner sizes it, to check the oracle against."""
    brackets = 0
    epochs: float = max_epochs
    while epochs >= 1:
        epochs /= factor
        brackets += 1
    end_size = math.ceil(1 + math.log(max_epochs, factor))
    out = []
    for bracket in reversed(range(brackets)):
        for round_ in range(bracket + 1):
            size = math.ceil(end_size / (bracket + 1) * factor ** (bracket - round_))
            stop = math.ceil(max_epochs / factor ** (bracket - round_))
            start = 0 if round_ == 0 else math.ceil(max_epochs / factor ** (bracket - round_ + 1))
            out += [(bracket, round_, stop, start)] * size
    return out


def test_schedule_helper_matches_keras_tuner_sizes():
    # max_epochs=9, factor=3: brackets of 9+3+1, 5+2 and 3 trials; 75 epochs when a
    # promotion trains only its new epochs.
    schedule = hyperband_schedule(9, 3)
    assert len(schedule) == 23
    assert sum(stop - start for _, _, stop, start in schedule) == 75


class Snapshots(keras.callbacks.Callback):
    """Optimizer step count and weights at the start and end of each fit (class-level:
    the tuner deep-copies callbacks)."""

    begin: list[tuple[int, list]] = []
    end: list[tuple[int, list]] = []

    def on_train_begin(self, logs=None):
        Snapshots.begin.append((int(self.model.optimizer.iterations), self.model.get_weights()))

    def on_train_end(self, logs=None):
        Snapshots.end.append((int(self.model.optimizer.iterations), self.model.get_weights()))


@pytest.fixture(autouse=True)
def _clear_snapshots():
    Snapshots.begin, Snapshots.end = [], []


def search(tuner, data, **extra):
    x, y, xv, yv = data
    kwargs = dict(validation_data=(xv, yv), epochs=100, batch_size=50, verbose=0)
    kwargs.update(extra)
    tuner.search(x, y, **kwargs)


def test_hyperband_runs_keras_tuners_schedule_and_continues_training(
    tmp_path, data, hypermodel, capsys
):
    tuner = kt.Hyperband(
        hypermodel,
        objective="val_loss",
        max_epochs=3,
        factor=3,
        seed=4,
        directory=tmp_path,
        project_name="hb",
    )
    search(tuner, data, callbacks=[Snapshots()])
    trials = sorted(tuner.oracle.trials.values(), key=lambda t: t.number)
    expected = hyperband_schedule(3, 3)
    got = [
        (
            t.values["tuner/bracket"],
            t.values["tuner/round"],
            t.values["tuner/epochs"],
            t.values["tuner/initial_epoch"],
        )
        for t in trials
    ]
    assert got == expected
    assert all(t.status is TrialStatus.COMPLETED for t in trials)
    # `epochs=100` given to search is replaced by the schedule; promotions train only
    # their new epochs.
    assert sum(t.epochs for t in trials) == sum(stop - start for *_, stop, start in expected)

    promoted = [t for t in trials if "tuner/trial_id" in t.values]
    assert len(promoted) == 1
    child = promoted[0]
    first_round = [t for t in trials if t.values["tuner/round"] == 0 and t.number < child.number]
    parent = tuner.oracle.get_trial(child.values["tuner/trial_id"])
    assert parent.score == min(t.score for t in first_round)  # the best goes on
    assert {k: v for k, v in child.values.items() if not k.startswith("tuner/")} == {
        k: v for k, v in parent.values.items() if not k.startswith("tuner/")
    }
    # Its fit started where the parent's ended: weights and optimizer step count.
    parent_end, child_begin = Snapshots.end[parent.number], Snapshots.begin[child.number]
    assert child_begin[0] == parent_end[0] == 4  # 1 epoch of 200 rows in batches of 50
    for before, after in zip(parent_end[1], child_begin[1], strict=True):
        np.testing.assert_array_equal(before, after)
    assert list(tuner.store.load_curves(child.trial_id)["step"]) == [1, 2]
    assert child.best_step in (1, 2)

    # Checkpoints: the promoted parent's is released; trials at max_epochs never had
    # one; the two round-0 trials that were not promoted keep theirs.
    kept = sorted(p.parent.name for p in tuner.project_dir.glob(f"trials/*/{LAST_FILE}"))
    assert kept == sorted(t.trial_id for t in first_round if t is not parent)

    tuner.results_summary()
    out = capsys.readouterr().out
    assert f"tuner/trial_id: {parent.trial_id}" in out and "tuner/bracket: 1" in out
    assert len(tuner.get_best_models(2)) == 2


def test_hyperband_w1_hypermodel_on_tiny_data(tmp_path):
    from tunesmith.studies.breast_cancer import load_embedded, make_build_model, scale_and_split

    split = scale_and_split(load_embedded(), seed=42)
    tuner = kt.tuners.Hyperband(
        make_build_model(split.x_train.shape[1]),
        objective="val_accuracy",
        max_epochs=3,
        seed=1,
        directory=tmp_path,
        project_name="w1",
    )
    tuner.search(
        split.x_train[:160],
        split.y_train[:160],
        validation_data=(split.x_test[:60], split.y_test[:60]),
        batch_size=32,
        verbose=0,
    )
    trials = list(tuner.oracle.trials.values())
    assert len(trials) == 6 and all(t.status is TrialStatus.COMPLETED for t in trials)
    best = tuner.get_best_models(1)[0]
    _, accuracy = best.evaluate(split.x_test[:60], split.y_test[:60], verbose=0)
    assert accuracy == pytest.approx(tuner.oracle.get_best_trials(1)[0].score, abs=1e-6)


def test_asha_promotes_and_continues(tmp_path, data, hypermodel):
    tuner = kt.ASHA(
        hypermodel,
        objective="val_loss",
        max_epochs=4,
        factor=2,
        min_epochs=1,
        max_trials=4,
        seed=3,
        directory=tmp_path,
        project_name="asha",
    )
    search(tuner, data, callbacks=[Snapshots()])
    trials = sorted(tuner.oracle.trials.values(), key=lambda t: t.number)
    assert all(t.status is TrialStatus.COMPLETED for t in trials)
    promoted = [t for t in trials if "tuner/trial_id" in t.values]
    assert len(trials) - len(promoted) == 4  # max_trials counts configurations
    # Rungs of 1, 2 and 4 epochs; asynchronous, so how many go on depends on the order.
    assert {t.values["tuner/round"] for t in promoted} == {1, 2}
    for child in promoted:
        parent = tuner.oracle.get_trial(child.values["tuner/trial_id"])
        assert child.values["tuner/initial_epoch"] == parent.values["tuner/epochs"]
        assert child.epochs == child.values["tuner/epochs"] - child.values["tuner/initial_epoch"]
        assert Snapshots.begin[child.number][0] == Snapshots.end[parent.number][0]
        steps = list(tuner.store.load_curves(child.trial_id)["step"])
        assert steps[0] == child.values["tuner/initial_epoch"]
