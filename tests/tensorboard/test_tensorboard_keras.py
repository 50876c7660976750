"""A real tiny Keras search with keras.callbacks.TensorBoard on JAX (no TensorFlow)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("tensorboard")
pytest.importorskip("keras")

import keras
from tb_helpers import hparams_table, load, read_scalars

import tunesmith as kt
from tunesmith.objective import Objective
from tunesmith.oracles import RandomSearchOracle
from tunesmith.space import HyperParameters
from tunesmith.tensorboard import SCORE_TAG, TensorBoardLogger, tensorflow_available

EPOCHS = 2


def _data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(96, 4)).astype("float32")
    y = (x[:, 0] > 0).astype("float32")
    return x[:64], y[:64], x[64:], y[64:]


def build_model(hp):
    model = keras.Sequential(
        [
            keras.Input(shape=(4,)),
            keras.layers.Dense(hp.Int("units", 2, 8, step=2), activation="relu"),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(hp.Choice("lr", [1e-2, 3e-2])),
        loss="binary_crossentropy",
        metrics=["accuracy"],
    )
    return model


@pytest.fixture(scope="module")
def search(tmp_path_factory: pytest.TempPathFactory):
    """Two trials of two executions of two epochs, with a user's TensorBoard callback."""
    root = tmp_path_factory.mktemp("search")
    log_dir = root / "logs"
    user_callback = keras.callbacks.TensorBoard(log_dir, histogram_freq=1)
    tuner = kt.RandomSearch(
        build_model,
        objective="val_accuracy",
        max_trials=2,
        executions_per_trial=2,
        seed=1,
        directory=root,
        project_name="p",
        verbose=0,
    )
    x, y, xv, yv = _data()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tuner.search(
            x, y, validation_data=(xv, yv), epochs=EPOCHS, batch_size=32, callbacks=[user_callback]
        )
    return tuner, log_dir, user_callback, caught


@pytest.mark.skipif(tensorflow_available(), reason="checks the backend without TensorFlow")
def test_each_execution_gets_keras_curves(search) -> None:
    tuner, log_dir, _, _ = search
    trials = sorted(tuner.oracle.trials.values(), key=lambda t: t.number)
    curves = tuner.store.load_curves()

    scalars = read_scalars(log_dir)

    assert len(trials) == 2
    for trial in trials:
        for execution in range(2):
            run = f"trial_{trial.trial_id}/execution_{execution}"
            train, validation = scalars[f"{run}/train"], scalars[f"{run}/validation"]
            stored = curves[(curves.trial_id == trial.trial_id) & (curves.execution == execution)]
            assert train["epoch_loss"] == [
                (s, pytest.approx(v)) for s, v in zip(stored.step, stored.loss, strict=True)
            ]
            assert validation["epoch_loss"] == [
                (s, pytest.approx(v)) for s, v in zip(stored.step, stored.val_loss, strict=True)
            ]
            assert [s for s, _ in train["epoch_learning_rate"]] == list(range(EPOCHS))
            assert {"epoch_accuracy", "evaluation_loss_vs_iterations"} <= set(validation)


def test_hparams_tab_lists_each_trial_with_values_and_score(search) -> None:
    tuner, log_dir, _, _ = search

    experiment, groups = hparams_table(log_dir)

    assert {info.name for info in experiment.hparam_infos} == {"units", "lr"}
    assert len(groups) == 2
    for trial in tuner.oracle.trials.values():
        group = groups[trial.trial_id]
        assert group["run"] == f"trial_{trial.trial_id}"
        assert group["hparams"] == trial.values
        assert group["metrics"][SCORE_TAG] == pytest.approx(trial.score)
        assert group["status"] == "STATUS_SUCCESS"


def test_user_callback_is_left_alone_and_ignored_options_warned_once(search) -> None:
    _, log_dir, user_callback, caught = search

    assert user_callback.log_dir == str(log_dir)  # each execution got a copy
    messages = [str(w.message) for w in caught if "TensorBoard" in str(w.message)]
    if tensorflow_available():
        assert messages == []
    else:
        assert len(messages) == 1 and "histogram_freq=1" in messages[0]


def test_with_tensorflow_keras_callback_is_kept_in_its_trial_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from tunesmith.keras import _board

    monkeypatch.setattr(_board, "tensorflow_available", lambda: True)
    tuner = kt.RandomSearch(
        build_model, objective="val_loss", max_trials=1, directory=tmp_path, project_name="p"
    )
    trial = tuner.oracle.ask()

    callbacks = tuner._deepcopy_callbacks([keras.callbacks.TensorBoard(tmp_path / "tb")])
    tuner._configure_tensorboard_dir(callbacks, trial, 1)
    (fresh,) = callbacks

    assert type(fresh) is keras.callbacks.TensorBoard
    assert Path(fresh.log_dir) == tmp_path / "tb" / f"trial_{trial.trial_id}" / "execution_1"


def test_logger_used_directly_on_a_fit(tmp_path: Path) -> None:
    hp = HyperParameters()
    model = build_model(hp)
    x, y, xv, yv = _data()
    logger = TensorBoardLogger(tmp_path, write_steps_per_second=True)

    model.fit(x, y, validation_data=(xv, yv), epochs=EPOCHS, batch_size=32, verbose=0,
              callbacks=[logger])  # fmt: skip

    scalars = read_scalars(tmp_path)
    assert set(scalars["train"]) == {
        "epoch_loss",
        "epoch_accuracy",
        "epoch_learning_rate",
        "epoch_steps_per_second",
    }
    assert scalars["train"]["epoch_learning_rate"][0] == (0, pytest.approx(1e-2))
    # write_graph: the model's config, for the Graphs tab's conceptual graph.
    graph = load(tmp_path).Tensors("train", "keras")[0].tensor_proto.string_val[0]
    assert json.loads(graph)["class_name"] == "Sequential"


def test_experiment_is_refreshed_when_the_space_grows(tmp_path: Path) -> None:
    from tunesmith.keras._board import SearchBoard

    hp = HyperParameters()
    hp.Int("units", 1, 4)
    oracle = RandomSearchOracle(objective=Objective("loss", "min"), hyperparameters=hp, seed=0)
    board = SearchBoard([tmp_path], oracle)
    for number in range(2):
        trial = oracle.ask()
        board.trial_begin(trial)  # writes the trial before
        if number == 1:  # a define-by-run build registers a new hyperparameter
            trial.hyperparameters.Boolean("extra")
            oracle.update_space(trial.hyperparameters)
        oracle.tell(trial, {"loss": 1.0 - number})
    interrupted = oracle.ask()
    board.trial_begin(interrupted)
    board.close()  # an untold (interrupted) trial is not written

    experiment, groups = hparams_table(tmp_path)

    assert [info.name for info in experiment.hparam_infos] == ["extra", "units"]
    assert len(list(tmp_path.glob("*tfevents*"))) == 1
    assert set(groups) == {t.trial_id for t in oracle.trials.values()} - {interrupted.trial_id}


def test_with_workers_every_trial_gets_its_hparams_session_and_curves(tmp_path: Path) -> None:
    # Trials overlap: a trial begins while others run, so each is written when it
    # ends, not when the next begins (which dropped the ones still running).
    log_dir = tmp_path / "logs"
    tuner = kt.RandomSearch(
        build_model,
        objective="val_accuracy",
        max_trials=4,
        seed=2,
        directory=tmp_path,
        project_name="w",
        verbose=0,
        executor=kt.LocalWorkers(workers=2, devices="cpu"),
    )
    x, y, xv, yv = _data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tuner.search(
            x, y, validation_data=(xv, yv), epochs=EPOCHS,
            callbacks=[keras.callbacks.TensorBoard(log_dir)],
        )  # fmt: skip
    _, groups = hparams_table(log_dir)
    trials = list(tuner.oracle.trials.values())
    assert len(trials) == 4 and set(groups) == {t.trial_id for t in trials}
    scalars = read_scalars(log_dir)
    for trial in trials:  # the curves, written by the workers
        assert f"trial_{trial.trial_id}/execution_0/train" in scalars
