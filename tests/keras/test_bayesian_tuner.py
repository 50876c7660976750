"""The Keras BayesianOptimization tuner on the reference hypermodels (tiny data)."""

from __future__ import annotations

import numpy as np
import pytest

import tunesmith as kt
from tunesmith import TrialStatus
from tunesmith.oracles import BayesianOptimizationOracle
from tunesmith.space import config_key

keras = pytest.importorskip("keras")


def test_w1_hypermodel(tmp_path):
    from tunesmith.studies.breast_cancer import make_build_model, scale_and_split
    from tunesmith.studies.breast_cancer_data import load_embedded

    split = scale_and_split(load_embedded())
    x, y = split.x_train[:64], split.y_train[:64]
    x_val, y_val = split.x_test[:32], split.y_test[:32]
    tuner = kt.BayesianOptimization(
        make_build_model(x.shape[1]),
        objective="val_accuracy",
        max_trials=4,
        num_initial_points=2,  # so the Gaussian process proposes the last two
        seed=1,
        directory=tmp_path,
        project_name="w1",
    )
    assert isinstance(tuner.oracle, BayesianOptimizationOracle)
    tuner.search(x, y, validation_data=(x_val, y_val), epochs=2, batch_size=32, verbose=0)

    trials = list(tuner.oracle.trials.values())
    assert len(trials) == 4 and all(t.status is TrialStatus.COMPLETED for t in trials)
    assert len({config_key(t.values) for t in trials}) == 4
    best = tuner.get_best_models(1)[0]
    _, accuracy = best.evaluate(x_val, y_val, verbose=0)
    assert accuracy == pytest.approx(tuner.oracle.get_best_trials(1)[0].score, abs=1e-6)
    assert tuner.store.load_study()["algorithm"] == "bayesian"


def build_w2(hp):
    model = keras.Sequential([keras.Input(shape=(8, 8, 3)), keras.layers.Flatten()])
    for i in range(hp.Int("num_layers", 2, 4)):
        model.add(
            keras.layers.Dense(
                units=hp.Int("units_" + str(i), min_value=64, max_value=512, step=64),
                activation="elu",
            )
        )
    model.add(keras.layers.Dense(10, activation="softmax"))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def test_w2_style_hypermodel_with_a_growing_space(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.random((48, 8, 8, 3)).astype("float32")
    y = rng.integers(0, 10, 48)
    tuner = kt.BayesianOptimization(
        build_w2,
        objective="val_loss",
        max_trials=4,
        num_initial_points=2,
        seed=3,
        directory=tmp_path,
        project_name="w2",
    )
    tuner.search(x[:32], y[:32], validation_data=(x[32:], y[32:]), epochs=1, verbose=0)

    trials = sorted(tuner.oracle.trials.values(), key=lambda t: t.number)
    assert len(trials) == 4 and all(t.status is TrialStatus.COMPLETED for t in trials)
    assert len({config_key(t.values) for t in trials}) == 4
    for trial in trials:
        layers = trial.values["num_layers"]
        assert all(trial.values[f"units_{i}"] in range(64, 513, 64) for i in range(layers))
    # Every units_i the builds registered is in the space the model is fitted on.
    names = {hp.name for hp in tuner.oracle.hyperparameters.space}
    most = max(t.values["num_layers"] for t in trials)
    assert {f"units_{i}" for i in range(most)} <= names
