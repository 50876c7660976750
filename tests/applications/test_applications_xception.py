"""HyperXception: keras-tuner's arguments, search space and models, on tiny images."""

from __future__ import annotations

import numpy as np
import pytest

from tunesmith.applications import HyperXception
from tunesmith.space import HyperParameters

keras = pytest.importorskip("keras")

SHAPE = (32, 32, 3)


def small(hp: HyperParameters) -> HyperParameters:
    """Keep the models small: two residual blocks of 128 filters."""
    hp.Fixed("num_residual_blocks", 2)
    hp.Fixed("sep_num_filters", 128)
    return hp


def test_defaults_and_search_space():
    hp = HyperParameters()
    model = HyperXception(input_shape=SHAPE, classes=10).build(hp)
    assert hp.values == {
        "activation": "relu",
        "conv2d_num_filters": 64,
        "kernel_size": 3,
        "initial_strides": 2,
        "sep_num_filters": 256,
        "num_residual_blocks": 4,
        "pooling": "avg",
        "num_dense_layers": 1,
        "dropout_rate": 0.5,
        "dense_use_bn": True,
        "learning_rate": 1e-3,
    }
    by_name = {definition.name: definition for definition in hp.space}
    assert by_name["sep_num_filters"].min_value == 128
    assert by_name["sep_num_filters"].max_value == 768
    assert by_name["sep_num_filters"].step == 128
    assert (by_name["num_residual_blocks"].min_value, by_name["num_residual_blocks"].max_value) == (
        2,
        8,
    )
    assert by_name["dropout_rate"].max_value == pytest.approx(0.6)
    assert by_name["pooling"].values == ["avg", "flatten", "max"]
    assert by_name["learning_rate"].values == [1e-3, 1e-4, 1e-5]
    assert model.name == "Xception"
    assert model.output_shape == (None, 10)
    assert isinstance(model.optimizer, keras.optimizers.Adam)


@pytest.mark.parametrize("pooling", ["avg", "flatten", "max"])
@pytest.mark.parametrize("activation", ["relu", "selu"])
def test_pooling_and_activation(pooling, activation):
    hp = small(HyperParameters())
    hp.values.update(pooling=pooling, activation=activation, num_dense_layers=2)
    model = HyperXception(input_shape=SHAPE, classes=4).build(hp)
    assert model.output_shape == (None, 4)
    # Two hidden dense layers as wide as the output, then the softmax.
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    assert [layer.units for layer in dense] == [4, 4, 4]
    norms = [layer for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)]
    assert bool(norms) == (activation == "relu")


def test_a_small_model_trains():
    hp = small(HyperParameters())
    hp.values["activation"] = "selu"
    model = HyperXception(input_shape=SHAPE, classes=3).build(hp)
    x = np.random.default_rng(0).normal(size=(2, *SHAPE)).astype("float32")
    model.train_on_batch(x, keras.utils.to_categorical([0, 2], 3))
    assert model.predict(x, verbose=0).shape == (2, 3)


def test_without_top_returns_features_uncompiled():
    hp = small(HyperParameters())
    model = HyperXception(input_shape=SHAPE, include_top=False).build(hp)
    assert model.output_shape == (None, 256)  # the exit block doubles the filters
    assert not getattr(model, "optimizer", None)
    assert "num_dense_layers" not in hp.values


def test_input_tensor_is_the_model_input():
    inputs = keras.Input(shape=SHAPE)
    model = HyperXception(input_tensor=inputs, include_top=False).build(small(HyperParameters()))
    assert model.inputs == [inputs]


def test_a_definition_given_before_the_build_wins():
    hp = small(HyperParameters())
    hp.Choice("pooling", ["flatten"])
    hp.Choice("num_dense_layers", [2])
    HyperXception(input_shape=SHAPE, classes=10).build(hp)
    assert hp.get("pooling") == "flatten" and hp.get("num_dense_layers") == 2


def test_errors_name_the_missing_argument():
    with pytest.raises(ValueError, match="classes"):
        HyperXception(input_shape=SHAPE)
    with pytest.raises(ValueError, match="input_tensor"):
        HyperXception(classes=10)
