"""HyperEfficientNet: arguments, search space, augmentation, and weights that need a download."""

from __future__ import annotations

import numpy as np
import pytest

import tunesmith as kt
from tunesmith import HyperModel
from tunesmith.applications import (
    HyperEfficientNet,
    HyperImageAugment,
    WeightsUnavailableError,
    _efficientnet,
)
from tunesmith.errors import FatalError
from tunesmith.space import HyperParameters

keras = pytest.importorskip("keras")

SHAPE = (32, 32, 3)


@pytest.fixture
def no_cached_weights(tmp_path, monkeypatch):
    """An empty Keras cache and no network, whatever the machine has."""
    monkeypatch.setattr(_efficientnet, "_weight_folders", lambda: [str(tmp_path)])
    monkeypatch.setattr(_efficientnet, "_download_problem", lambda url: "no network (test)")


def test_defaults_and_search_space():
    hp = HyperParameters()
    model = HyperEfficientNet(input_shape=SHAPE, classes=10, weights=None).build(hp)
    assert hp.values == {
        "version": "B0",
        "pooling": "avg",
        "top_dropout_rate": 0.2,
        "learning_rate": 0.01,
    }
    by_name = {definition.name: definition for definition in hp.space}
    assert by_name["version"].values == [f"B{i}" for i in range(8)]
    assert (by_name["top_dropout_rate"].min_value, by_name["top_dropout_rate"].step) == (0.2, 0.2)
    assert by_name["top_dropout_rate"].max_value == pytest.approx(0.8)
    assert by_name["learning_rate"].values == [0.1, 0.01, 0.001]
    assert model.name == "EfficientNet"
    assert model.output_shape == (None, 10)
    assert isinstance(model.optimizer, keras.optimizers.SGD)
    resize = next(layer for layer in model.layers if isinstance(layer, keras.layers.Resizing))
    assert (resize.height, resize.width) == (224, 224)


def test_version_sets_the_image_size_and_pooling():
    hp = HyperParameters()
    hp.values.update(version="B1", pooling="max")
    model = HyperEfficientNet(input_shape=SHAPE, classes=3, weights=None).build(hp)
    resize = next(layer for layer in model.layers if isinstance(layer, keras.layers.Resizing))
    assert (resize.height, resize.width) == (240, 240)
    assert model.get_layer("max_pool") is not None
    assert model.output_shape == (None, 3)


def test_input_tensor_is_the_model_input():
    inputs = keras.Input(shape=SHAPE)
    hypermodel = HyperEfficientNet(input_tensor=inputs, classes=10, weights=None)
    assert hypermodel.build(HyperParameters()).inputs == [inputs]


def test_augmentation_model_comes_first():
    augment = keras.Sequential([keras.layers.RandomFlip()], name="aug")
    model = HyperEfficientNet(
        input_shape=SHAPE, classes=10, augmentation_model=augment, weights=None
    ).build(HyperParameters())
    assert model.layers[1].name == "aug"


def test_augmentation_hypermodel_shares_the_hyperparameters():
    hp = HyperParameters()
    augment = HyperImageAugment(input_shape=SHAPE, augment_layers=0, rotate=[0.1, 0.2])
    model = HyperEfficientNet(
        input_shape=SHAPE, classes=10, augmentation_model=augment, weights=None
    ).build(hp)
    assert model.layers[1].name == "image_augment"
    assert list(hp.values)[:4] == [
        "factor_rotate",
        "factor_translate_x",
        "factor_translate_y",
        "factor_contrast",
    ]


def test_compile_can_be_overridden():
    class AdamEfficientNet(HyperEfficientNet):
        def _compile(self, model, hp):
            model.compile(
                optimizer=keras.optimizers.Adam(hp.Choice("adam_lr", [1e-3, 1e-4])),
                loss="categorical_crossentropy",
            )

    hp = HyperParameters()
    model = AdamEfficientNet(input_shape=SHAPE, classes=5, weights=None).build(hp)
    assert "learning_rate" not in hp.values and hp.values["adam_lr"] == 1e-3
    assert isinstance(model.optimizer, keras.optimizers.Adam)


def test_argument_errors():
    with pytest.raises(ValueError, match="augmentation_model"):
        HyperEfficientNet(input_shape=SHAPE, classes=10, augmentation_model=0)
    with pytest.raises(ValueError, match="classes"):
        HyperEfficientNet(input_shape=SHAPE)
    with pytest.raises(ValueError, match="input_tensor"):
        HyperEfficientNet(classes=10)
    with pytest.raises(ValueError, match="weights"):
        HyperEfficientNet(input_shape=SHAPE, classes=10, weights="/no/such/file.h5")
    assert isinstance(HyperImageAugment(input_shape=SHAPE), HyperModel)


def test_imagenet_weights_need_rgb_images(no_cached_weights):
    hypermodel = HyperEfficientNet(input_shape=(32, 32, 1), classes=10)
    with pytest.raises(ValueError, match="3 channels"):
        hypermodel.build(HyperParameters())


def test_missing_imagenet_weights_fail_fast_and_say_how_to_fix(no_cached_weights, tmp_path):
    hypermodel = HyperEfficientNet(input_shape=SHAPE, classes=10)
    assert hypermodel.weights == "imagenet"
    with pytest.raises(WeightsUnavailableError) as raised:
        hypermodel.build(HyperParameters())
    message = str(raised.value)
    assert "efficientnetb0_notop.h5" in message and str(tmp_path) in message
    assert "weights=None" in message and "no network (test)" in message
    assert isinstance(raised.value, FatalError)  # stops a search instead of failing each trial


def test_a_failed_download_is_reported_the_same_way(no_cached_weights, tmp_path, monkeypatch):
    # The file is cached, but Keras fetches it again (its checksum does not match).
    (tmp_path / "efficientnetb0_notop.h5").write_bytes(b"not really weights")
    file_utils = pytest.importorskip("keras.src.utils.file_utils")

    def fetch_fails(*args, **kwargs):
        raise Exception("URL fetch failure on https://example.invalid: None -- no network")

    monkeypatch.setattr(file_utils, "get_file", fetch_fails)
    with pytest.raises(WeightsUnavailableError, match="URL fetch failure"):
        HyperEfficientNet(input_shape=SHAPE, classes=10).build(HyperParameters())


def test_a_search_stops_at_once_without_the_weights(no_cached_weights, tmp_path):
    tuner = kt.RandomSearch(
        HyperEfficientNet(input_shape=SHAPE, classes=3),
        objective="val_accuracy",
        max_trials=3,
        directory=tmp_path,
        project_name="effnet",
        verbose=0,
    )
    x = np.zeros((4, *SHAPE), dtype="float32")
    y = np.eye(3)[[0, 1, 2, 0]]
    with pytest.raises(WeightsUnavailableError):
        tuner.search(x, y, epochs=1, validation_data=(x, y))
    assert len(tuner.oracle.trials) == 1
