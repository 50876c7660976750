"""HyperResNet: keras-tuner's arguments, search space and models, on tiny images."""

from __future__ import annotations

import numpy as np
import pytest

import tunesmith as kt
from tunesmith.applications import HyperResNet
from tunesmith.space import HyperParameters

keras = pytest.importorskip("keras")

SHAPE = (32, 32, 3)


def shallow(hp: HyperParameters) -> HyperParameters:
    """Keep the models quick to build: one block in each searched stage."""
    hp.Fixed("conv3_depth", 1)
    hp.Fixed("conv4_depth", 1)
    return hp


def test_reached_through_the_lazy_package():
    assert kt.applications.HyperResNet is HyperResNet
    assert isinstance(HyperResNet(input_shape=SHAPE, classes=2), kt.HyperModel)


def test_defaults_and_search_space():
    hp = HyperParameters()
    model = HyperResNet(input_shape=SHAPE, classes=10).build(hp)
    assert hp.values == {
        "version": "v2",
        "conv3_depth": 4,
        "conv4_depth": 6,
        "pooling": "avg",
        "optimizer": "adam",
        "learning_rate": 0.01,
    }
    spaces = {definition.name: definition.values for definition in hp.space}
    assert spaces == {
        "version": ["v1", "v2", "next"],
        "conv3_depth": [4, 8],
        "conv4_depth": [6, 23, 36],
        "pooling": ["avg", "max"],
        "optimizer": ["adam", "rmsprop", "sgd"],
        "learning_rate": [0.1, 0.01, 0.001],
    }
    assert model.name == "ResNet"
    assert model.output_shape == (None, 10)
    assert isinstance(model.optimizer, keras.optimizers.Adam)
    assert float(model.optimizer.learning_rate) == pytest.approx(0.01)
    assert model.loss == "categorical_crossentropy"


@pytest.mark.parametrize("version", ["v1", "v2", "next"])
def test_each_version_builds_its_blocks(version):
    hp = shallow(HyperParameters())
    hp.values["version"] = version
    model = HyperResNet(input_shape=SHAPE, classes=3).build(hp)
    assert model.output_shape == (None, 3)
    ends = [layer for layer in model.layers if layer.name.endswith(("_out", "_add"))]
    assert len({layer.name.rsplit("_", 1)[0] for layer in ends}) == 3 + 1 + 1 + 3
    has_post_bn = any(layer.name == "post_bn" for layer in model.layers)
    assert has_post_bn == (version == "v2")


def test_resnext_uses_grouped_convolutions_and_trains():
    hp = shallow(HyperParameters())
    hp.values["version"] = "next"
    model = HyperResNet(input_shape=SHAPE, classes=4).build(hp)
    grouped = model.get_layer("conv2_block1_2_conv")
    assert grouped.groups == 32
    x = np.random.default_rng(0).normal(size=(2, *SHAPE)).astype("float32")
    y = keras.utils.to_categorical([0, 3], 4)
    model.train_on_batch(x, y)
    assert model.predict(x, verbose=0).shape == (2, 4)


def test_max_pooling_and_optimizer_choice():
    hp = shallow(HyperParameters())
    hp.values.update(pooling="max", optimizer="sgd", learning_rate=0.1)
    model = HyperResNet(input_shape=SHAPE, classes=10).build(hp)
    assert model.get_layer("max_pool") is not None
    assert isinstance(model.optimizer, keras.optimizers.SGD)
    assert float(model.optimizer.learning_rate) == pytest.approx(0.1)


def test_without_top_returns_pooled_features_uncompiled():
    hp = shallow(HyperParameters())
    model = HyperResNet(input_shape=SHAPE, include_top=False).build(hp)
    assert model.output_shape == (None, 2048)
    assert not getattr(model, "optimizer", None)
    assert "optimizer" not in hp.values and "learning_rate" not in hp.values


def test_input_tensor_is_the_model_input():
    inputs = keras.Input(shape=SHAPE)
    model = HyperResNet(input_tensor=inputs, include_top=False).build(shallow(HyperParameters()))
    assert model.inputs == [inputs]


def test_a_definition_given_before_the_build_wins():
    hp = HyperParameters()
    hp.Choice("version", ["v1"])
    hp.Fixed("conv3_depth", 2)
    hp.Fixed("conv4_depth", 1)
    model = HyperResNet(input_shape=SHAPE, classes=10).build(hp)
    assert hp.get("version") == "v1" and hp.get("conv3_depth") == 2
    assert [d.name for d in hp.space].count("conv3_depth") == 1
    assert "conv3_block2_out" in {layer.name for layer in model.layers}
    assert "conv3_block3_out" not in {layer.name for layer in model.layers}


def test_errors_name_the_missing_argument():
    with pytest.raises(ValueError, match="classes"):
        HyperResNet(input_shape=SHAPE)
    with pytest.raises(ValueError, match="input_tensor"):
        HyperResNet(classes=10)
    # Without the top, classes are not needed.
    HyperResNet(input_shape=SHAPE, include_top=False)


def test_hypermodel_arguments_pass_through():
    hypermodel = HyperResNet(input_shape=SHAPE, classes=2, name="resnet", tunable=False)
    assert hypermodel.name == "resnet" and hypermodel.tunable is False


@pytest.mark.slow
def test_random_search_with_hyperresnet(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.random((24, 32, 32, 3)).astype("float32")
    y = keras.utils.to_categorical(rng.integers(0, 3, 24), 3)
    tuner = kt.RandomSearch(
        HyperResNet(input_shape=SHAPE, classes=3),
        objective="val_accuracy",
        max_trials=2,
        seed=3,
        directory=tmp_path,
        project_name="resnet",
        verbose=0,
    )
    tuner.search(x[:16], y[:16], epochs=1, batch_size=8, validation_data=(x[16:], y[16:]))
    trials = list(tuner.oracle.trials.values())
    assert len(trials) == 2
    assert all(trial.status is kt.TrialStatus.COMPLETED for trial in trials), [
        trial.error for trial in trials
    ]
    best = tuner.get_best_models(1)[0]
    assert best.predict(x[:2], verbose=0).shape == (2, 3)
