"""Event files read back by TensorBoard's own reader: Keras' layout, restarts."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("tensorboard")

from tb_helpers import read_scalars

from tunesmith.tensorboard import EpochWriter, RunWriter, split_epoch_logs


def test_epoch_metrics_use_keras_layout(tmp_path: Path) -> None:
    logs = [
        {"loss": 0.9, "accuracy": 0.5, "val_loss": 1.0, "val_accuracy": 0.4, "learning_rate": 0.01},
        {"loss": 0.6, "accuracy": 0.7, "val_loss": 0.8, "val_accuracy": 0.6, "learning_rate": 0.01},
    ]
    with EpochWriter(tmp_path) as writer:
        for epoch, epoch_logs in enumerate(logs):
            writer.write_epoch(epoch, epoch_logs)

    scalars = read_scalars(tmp_path)

    assert set(scalars) == {"train", "validation"}
    assert set(scalars["train"]) == {"epoch_loss", "epoch_accuracy", "epoch_learning_rate"}
    assert set(scalars["validation"]) == {"epoch_loss", "epoch_accuracy"}
    assert scalars["train"]["epoch_loss"] == [(0, pytest.approx(0.9)), (1, pytest.approx(0.6))]
    assert scalars["validation"]["epoch_loss"] == [(0, pytest.approx(1.0)), (1, pytest.approx(0.8))]


def test_logs_split_like_keras_and_non_numbers_are_skipped() -> None:
    split = split_epoch_logs({"loss": 1, "val_loss": float("nan"), "note": "x", "val_f1": None})

    assert split["train"] == {"loss": 1.0}
    assert list(split["validation"]) == ["loss"]  # NaN kept: a diverged run shows


def test_a_rerun_replaces_what_an_interrupted_attempt_wrote(tmp_path: Path) -> None:
    # A trial resumed after a crash writes its run's folder again from step 0.
    with RunWriter(tmp_path) as first:
        for step in range(5):
            first.scalar("epoch_loss", 1.0, step)
    with RunWriter(tmp_path) as second:
        for step in range(3):
            second.scalar("epoch_loss", 0.5, step)

    assert read_scalars(tmp_path)["."]["epoch_loss"] == [(0, 0.5), (1, 0.5), (2, 0.5)]


def test_nothing_is_created_before_the_first_value(tmp_path: Path) -> None:
    EpochWriter(tmp_path / "run").close()

    assert not (tmp_path / "run").exists()


def test_a_continued_fit_keeps_the_epochs_before_it(tmp_path: Path) -> None:
    with EpochWriter(tmp_path, first_step=0) as first:
        for epoch in range(3):
            first.runs["validation"].scalar("evaluation_loss_vs_iterations", 1.0, 10 * epoch + 10)
            first.write_epoch(epoch, {"val_loss": 1.0})
    # fit(initial_epoch=3): the first value written is an evaluation at iteration 40.
    with EpochWriter(tmp_path, first_step=3) as second:
        second.runs["validation"].scalar("evaluation_loss_vs_iterations", 0.5, 40)
        second.write_epoch(3, {"val_loss": 0.5})

    validation = read_scalars(tmp_path)["validation"]

    assert [step for step, _ in validation["epoch_loss"]] == [0, 1, 2, 3]
    assert [step for step, _ in validation["evaluation_loss_vs_iterations"]] == [10, 20, 30, 40]


def test_a_fit_from_epoch_0_replaces_every_earlier_value(tmp_path: Path) -> None:
    with EpochWriter(tmp_path, first_step=0) as crashed:
        for epoch in range(3):
            crashed.runs["validation"].scalar("evaluation_loss_vs_iterations", 1.0, 10 * epoch + 10)
            crashed.write_epoch(epoch, {"val_loss": 1.0})
    with EpochWriter(tmp_path, first_step=0) as rerun:  # its first value is at iteration 10
        rerun.runs["validation"].scalar("evaluation_loss_vs_iterations", 0.5, 10)
        rerun.write_epoch(0, {"val_loss": 0.5})

    validation = read_scalars(tmp_path)["validation"]

    assert validation["epoch_loss"] == [(0, 0.5)]
    assert validation["evaluation_loss_vs_iterations"] == [(10, 0.5)]
