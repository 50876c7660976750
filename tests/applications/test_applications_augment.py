"""HyperImageAugment and its RandAugment layer."""

from __future__ import annotations

import numpy as np
import pytest

from tunesmith.applications import HyperImageAugment, RandAugment
from tunesmith.space import HyperParameters

keras = pytest.importorskip("keras")

SHAPE = (32, 32, 3)


def images(n: int = 4) -> np.ndarray:
    return np.random.default_rng(0).uniform(0, 255, size=(n, *SHAPE)).astype("float32")


def test_transform_ranges():
    assert HyperImageAugment(input_shape=SHAPE).transforms == [
        ("rotate", (0, 0.5)),
        ("translate_x", (0, 0.4)),
        ("translate_y", (0, 0.4)),
        ("contrast", (0, 0.3)),
    ]
    hypermodel = HyperImageAugment(
        input_shape=SHAPE, rotate=0.3, translate_x=[0.1, 0.5], translate_y=0, contrast=None
    )
    assert hypermodel.transforms == [("rotate", (0, 0.3)), ("translate_x", (0.1, 0.5))]


@pytest.mark.parametrize(
    ("arguments", "match"),
    [
        ({}, "must specify"),
        ({"input_shape": SHAPE, "contrast": [0.5, 1, 2]}, "exceed 2"),
        ({"input_shape": SHAPE, "contrast": [0.5]}, "two numbers"),
        ({"input_shape": SHAPE, "contrast": [0.5, "a"]}, "must be int or float"),
        ({"input_shape": SHAPE, "rotate": "wide"}, "must be int or float"),
        ({"input_shape": SHAPE, "rotate": [0.4, 0.2]}, "low <= high"),
        ({"input_shape": SHAPE, "augment_layers": 1.5}, "must be int"),
        ({"input_shape": SHAPE, "augment_layers": [1, 2, 3]}, "must be int"),
        ({"input_shape": SHAPE, "augment_layers": [3, 1]}, "low <= high"),
    ],
)
def test_bad_arguments(arguments, match):
    with pytest.raises(ValueError, match=match):
        HyperImageAugment(**arguments)


def test_all_transforms_in_sequence():
    hp = HyperParameters()
    hypermodel = HyperImageAugment(input_shape=SHAPE, translate_x=[0.2, 0.4], augment_layers=0)
    model = hypermodel.build(hp)
    assert model.name == "image_augment"
    assert hp.values == {
        "factor_rotate": 0.0,
        "factor_translate_x": 0.2,
        "factor_translate_y": 0.0,
        "factor_contrast": 0.0,
    }
    assert all(definition.step == 0.05 for definition in hp.space)
    # Factors of 0 leave their transform out: only the translation is there.
    assert [type(layer).__name__ for layer in model.layers] == ["InputLayer", "RandomTranslation"]
    x = images()
    np.testing.assert_array_equal(model.predict(x, verbose=0), x)
    assert not np.allclose(keras.ops.convert_to_numpy(model(x, training=True)), x)


def test_rand_augment_defaults_to_no_layer():
    hp = HyperParameters()
    model = HyperImageAugment(input_shape=(None, None, 3)).build(hp)
    assert model.name == "image_rand_augment"
    assert hp.values == {"augment_layers": 0}
    assert len(model.layers) == 1
    assert model.output_shape == (None, None, None, 3)


def test_rand_augment_layers_share_their_factors():
    hp = HyperParameters()
    hp.values.update(augment_layers=2, factor_rotate=0.25)
    model = HyperImageAugment(input_shape=SHAPE, augment_layers=[1, 4], contrast=False).build(hp)
    space = {d.name: (d.min_value, d.max_value, d.default) for d in hp.space}
    assert space == {
        "augment_layers": (1, 4, 1),
        "factor_rotate": (0.0, 0.5, 0.0),
        "factor_translate_x": (0.0, 0.4, 0.0),
        "factor_translate_y": (0.0, 0.4, 0.0),
    }
    stacked = [layer for layer in model.layers if isinstance(layer, RandAugment)]
    assert len(stacked) == 2
    assert all(layer.factors == [0.25, 0.0, 0.0] for layer in stacked)
    x = images()
    out = model.predict(x, verbose=0)
    assert out.shape == x.shape
    np.testing.assert_array_equal(out, x)  # inference leaves the images alone


def test_rand_augment_transforms_each_image_in_training():
    layer = RandAugment(["rotate", "contrast"], [0.5, 0.0], seed=1)
    x = images(16)
    out = keras.ops.convert_to_numpy(layer(x, training=True))
    changed = [not np.allclose(a, b) for a, b in zip(out, x, strict=True)]
    # Each image drew rotate (changed) or the zero-factor contrast (unchanged).
    assert 0 < sum(changed) < len(x)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer(x, training=False)), x)


def test_rand_augment_round_trips_through_its_config():
    layer = RandAugment(["rotate", "translate_x"], [0.1, 0.2], seed=3, name="aug")
    clone = RandAugment.from_config(layer.get_config())
    assert (clone.transforms, clone.factors, clone.seed, clone.name) == (
        ["rotate", "translate_x"],
        [0.1, 0.2],
        3,
        "aug",
    )
    with pytest.raises(ValueError, match="one factor per transform"):
        RandAugment(["rotate"], [0.1, 0.2])


def test_saved_model_with_rand_augment_loads(tmp_path):
    hp = HyperParameters()
    hp.values["augment_layers"] = 1
    model = HyperImageAugment(input_shape=SHAPE, augment_layers=2).build(hp)
    path = tmp_path / "augment.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert isinstance(loaded.layers[1], RandAugment)


def test_a_definition_given_before_the_build_wins():
    hp = HyperParameters()
    hp.Fixed("factor_rotate", 0.9)
    hp.Choice("factor_translate_x", [0.8])
    HyperImageAugment(input_shape=SHAPE, augment_layers=0).build(hp)
    assert hp.get("factor_rotate") == 0.9 and hp.get("factor_translate_x") == 0.8
    assert hp.get("factor_translate_y") == 0.0


def test_input_tensor_is_the_model_input():
    inputs = keras.Input(shape=SHAPE)
    model = HyperImageAugment(input_tensor=inputs).build(HyperParameters())
    assert model.inputs == [inputs] and model.built


def test_augmentation_trains_inside_a_classifier():
    hp = HyperParameters()
    hp.values.update(augment_layers=2, factor_rotate=0.2, factor_contrast=0.3)
    augment = HyperImageAugment(input_shape=(8, 8, 3), augment_layers=2).build(hp)
    model = keras.Sequential(
        [keras.Input((8, 8, 3)), augment, keras.layers.Flatten(), keras.layers.Dense(2)]
    )
    model.compile(optimizer="sgd", loss="mse")
    x = np.random.default_rng(1).uniform(0, 255, size=(8, 8, 8, 3)).astype("float32")
    history = model.fit(x, np.zeros((8, 2)), epochs=2, batch_size=4, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
