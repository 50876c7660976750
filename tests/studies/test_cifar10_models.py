"""W2's hypermodels: the document's search spaces exactly, the models they build, and
every one of them through random search and Bayesian optimisation."""

from __future__ import annotations

import itertools
import math
import subprocess
import sys

import numpy as np
import pytest

keras = pytest.importorskip("keras")

import tunesmith as kt  # noqa: E402
from tunesmith.space import HyperParameters  # noqa: E402
from tunesmith.studies import cifar10_hypermodels as hm  # noqa: E402
from tunesmith.studies import cifar10_models as cm  # noqa: E402
from tunesmith.studies.cifar10_data import synthetic_images  # noqa: E402
from tunesmith.trial import TrialStatus  # noqa: E402

CIFAR = (32, 32, 3)
DIGITS = (8, 8, 1)
# Where a test is not about CIFAR's shape: the searches' time is XLA compiling each model,
# and 4x4 images leave the CNN one block (the most a 4x4 image allows).
SMALL = (4, 4, 3)
ACTIVATIONS = ["relu", "tanh", "elu", "selu", "swish"]


@pytest.fixture(autouse=True)
def seeded():
    keras.utils.set_random_seed(0)


@pytest.fixture(scope="module")
def small_data():
    return synthetic_images(train=64, val=32, test=32, shape=SMALL, seed=0)


# ---------------------------------------------------------------- helpers
def integer(name, lo, hi, step=1):
    return {
        "class_name": "Int",
        "config": {
            "name": name,
            "conditions": [],
            "min_value": lo,
            "max_value": hi,
            "step": step,
            "sampling": "linear",
            "default": lo,
        },
    }


def real(name, lo, hi, step=None, sampling="linear"):
    return {
        "class_name": "Float",
        "config": {
            "name": name,
            "conditions": [],
            "min_value": lo,
            "max_value": hi,
            "step": step,
            "sampling": sampling,
            "default": lo,
        },
    }


def choice(name, values, ordered=False):
    return {
        "class_name": "Choice",
        "config": {
            "name": name,
            "conditions": [],
            "values": list(values),
            "ordered": ordered,
            "default": values[0],
        },
    }


def build_with(hypermodel, values=None):
    """Build through a fresh space, with ``values`` chosen; return (model, hp)."""
    hp = HyperParameters()
    hp.values.update(values or {})
    if isinstance(hypermodel, kt.HyperModel):
        hypermodel.declare_hyperparameters(hp)
        return hypermodel.build(hp), hp
    return hypermodel(hp), hp


def space_of(hp):
    """Every definition by name: name, bounds, step, sampling, choices, default."""
    space = hp.get_config()["space"]
    by_name = {item["config"]["name"]: item for item in space}
    assert len(by_name) == len(space), "a name is defined twice"
    return by_name


def by_name(*items):
    return {item["config"]["name"]: item for item in items}


def hidden_dense(model):
    return [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)][:-1]


def assert_classifier_head(model, input_shape, num_classes=10):
    assert tuple(model.input_shape) == (None, *input_shape)
    out = model.layers[-1]
    assert isinstance(out, keras.layers.Dense)
    assert out.units == num_classes
    assert out.activation is keras.activations.get("softmax")
    config = model.get_compile_config()
    assert config["loss"] == "sparse_categorical_crossentropy"
    assert config["metrics"] == ["accuracy"]


def uses(layer, activation):
    return layer.activation is keras.activations.get(activation)


# ------------------------------------------------------- W2 search spaces
def test_baseline_space_is_the_documents_and_builds_the_chosen_layers():
    values = {"u_1": 32, "a_1": "tanh", "u_2": 256, "a_2": "selu", "u_3": 16, "a_3": "swish"}
    model, hp = build_with(cm.baseline_dense(CIFAR), values)
    expected = {}
    for i in (1, 2, 3):
        expected.update(by_name(integer(f"u_{i}", 16, 256, 16), choice(f"a_{i}", ACTIVATIONS)))
    assert space_of(hp) == expected
    assert isinstance(model.layers[0], keras.layers.Flatten)
    dense = hidden_dense(model)
    assert [layer.units for layer in dense] == [32, 256, 16]
    assert [uses(d, a) for d, a in zip(dense, ["tanh", "selu", "swish"], strict=True)] == [True] * 3
    assert_classifier_head(model, CIFAR)
    assert isinstance(model.optimizer, keras.optimizers.Adam)


def test_depth_width_space_is_the_documents_and_builds_the_chosen_layers():
    # Define-by-run, as the document: units_2 and units_3 exist once 4 layers are built.
    values = {"num_layers": 4, "units_0": 64, "units_1": 512, "units_2": 192, "units_3": 448}
    model, hp = build_with(cm.depth_width_dense(CIFAR), values)
    expected = by_name(
        integer("num_layers", 2, 4), *(integer(f"units_{i}", 64, 512, 64) for i in range(4))
    )
    assert space_of(hp) == expected
    dense = hidden_dense(model)
    assert [layer.units for layer in dense] == [64, 512, 192, 448]
    assert all(uses(layer, "elu") for layer in dense)
    assert_classifier_head(model, CIFAR)
    _, default = build_with(cm.depth_width_dense(CIFAR))
    assert set(space_of(default)) == {"num_layers", "units_0", "units_1"}


def test_depth_space_is_the_documents():
    _, hp = build_with(cm.depth_dense(CIFAR), {"num_layers": 20})
    assert space_of(hp) == by_name(integer("num_layers", 2, 20))


def test_training_space():
    model, hp = build_with(hm.TrainingHyperModel(CIFAR), {"num_layers": 4})
    assert_classifier_head(model, CIFAR)
    expected = by_name(
        choice("batch_size", [32, 64, 128, 256], ordered=True),
        choice("lr_schedule", ["constant", "cosine"]),
        choice("activation", ["relu", "elu", "swish"]),
        real("dropout", 0.0, 0.5, step=0.1),
        integer("num_layers", 1, 4),
        *(integer(f"units_{i}", 64, 512, 64) for i in range(4)),
        choice("optimizer", ["adam", "sgd", "rmsprop"]),
        real("learning_rate", 1e-4, 1e-1, sampling="log"),
    )
    assert space_of(hp) == expected


def test_cnn_space_and_the_chosen_blocks():
    values = {
        "conv_blocks": 3,
        "kernel_size": 5,
        "pooling": "avg",
        "filters_0": 32,
        "filters_1": 96,
        "filters_2": 128,
        "dense_units": 192,
    }
    model, hp = build_with(hm.ConvHyperModel(CIFAR), values)
    expected = by_name(
        integer("conv_blocks", 1, 3),
        choice("kernel_size", [3, 5], ordered=True),
        choice("pooling", ["max", "avg"]),
        real("conv_dropout", 0.0, 0.5, step=0.1),
        *(integer(f"filters_{i}", 16, 128, 16) for i in range(3)),
        integer("dense_units", 64, 512, 64),
        real("dense_dropout", 0.0, 0.5, step=0.1),
        real("learning_rate", 1e-4, 1e-2, sampling="log"),
    )
    assert space_of(hp) == expected
    convs = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    assert [c.filters for c in convs] == [32, 32, 96, 96, 128, 128]
    assert all(c.kernel_size == (5, 5) and c.padding == "same" for c in convs)
    kinds = [type(layer) for layer in model.layers]
    assert kinds.count(keras.layers.AveragePooling2D) == 3
    assert keras.layers.MaxPooling2D not in kinds
    assert kinds.count(keras.layers.BatchNormalization) == 6
    assert kinds.count(keras.layers.Dropout) == 4  # one per block, one in the head
    assert keras.layers.GlobalAveragePooling2D in kinds
    assert [layer.units for layer in hidden_dense(model)] == [192]
    assert_classifier_head(model, CIFAR)


# ------------------------------------------------------ W2 model structure
@pytest.mark.parametrize("shape", [CIFAR, DIGITS])
def test_depth_dense_at_twenty_layers(shape):
    model, _ = build_with(cm.depth_dense(shape), {"num_layers": 20})
    dense = hidden_dense(model)
    assert len(dense) == 20
    assert all(layer.units == 128 and uses(layer, "elu") for layer in dense)
    assert_classifier_head(model, shape)
    # Flatten feeds the first layer every pixel of the given shape.
    assert dense[0].kernel.shape == (math.prod(shape), 128)


@pytest.mark.parametrize("study", list(cm.STUDIES))
def test_every_study_honours_shape_and_classes(study):
    # CIFAR's shape and 10 classes are checked by the tests above; here the digits' shape.
    model, _ = build_with(cm.make_hypermodel(study, DIGITS, num_classes=3))
    assert_classifier_head(model, DIGITS, 3)
    assert tuple(model.output_shape) == (None, 3)


# ---------------------------------------------------- through both tuners
TUNERS = {
    "random": lambda hm, tmp: kt.RandomSearch(
        hm, objective="val_loss", max_trials=2, seed=3, directory=tmp, verbose=0
    ),
    # One random point, so the second trial comes from the Gaussian process.
    "bayesian": lambda hm, tmp: kt.BayesianOptimization(
        hm,
        objective="val_loss",
        max_trials=2,
        num_initial_points=1,
        seed=3,
        directory=tmp,
        verbose=0,
    ),
}


@pytest.mark.slow  # ten searches: ~70 % of this file's time, XLA compiling each trial's model
@pytest.mark.parametrize("tuner_name", list(TUNERS))
@pytest.mark.parametrize("study", list(cm.STUDIES))
def test_study_searches_with_both_tuners(study, tuner_name, small_data, tmp_path):
    data = small_data
    tuner = TUNERS[tuner_name](cm.make_hypermodel(study, SMALL), tmp_path)
    tuner.search(
        data.x_train,
        data.y_train,
        epochs=1,
        batch_size=32,
        validation_data=(data.x_val, data.y_val),
    )
    trials = list(tuner.oracle.trials.values())
    assert [t.status for t in trials] == [TrialStatus.COMPLETED] * 2
    assert all(np.isfinite(t.score) for t in trials)
    best = tuner.get_best_models(1)[0]
    probabilities = best.predict(data.x_test, verbose=0)
    assert probabilities.shape == (len(data.x_test), 10)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)


# ------------------------------------------------------- TrainingHyperModel
class EpochLog(keras.callbacks.Callback):
    """The steps per epoch and the learning rate each epoch trained at."""

    def __init__(self):
        super().__init__()
        self.steps = None
        self.rates = []

    def on_train_begin(self, logs=None):
        self.steps = self.params["steps"]

    def on_epoch_end(self, epoch, logs=None):
        self.rates.append(float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate)))


def fit_training(data, values, epochs=1, batch_size=8):
    hypermodel = hm.TrainingHyperModel(SMALL)
    model, hp = build_with(hypermodel, values)
    log = EpochLog()
    callbacks = [log]
    hypermodel.fit(
        hp,
        model,
        data.x_train,
        data.y_train,
        epochs=epochs,
        batch_size=batch_size,
        callbacks=callbacks,
        verbose=0,
    )
    return model, log, callbacks


@pytest.mark.parametrize(("batch_size", "steps"), [(32, 2), (64, 1)])
def test_training_fit_uses_the_hp_batch_size(small_data, batch_size, steps):
    # The caller's batch_size=8 would give 8 steps over the 64 training images.
    _, log, _ = fit_training(small_data, {"batch_size": batch_size}, batch_size=8)
    assert log.steps == steps


@pytest.mark.parametrize(
    ("name", "cls"),
    [
        ("adam", keras.optimizers.Adam),
        ("sgd", keras.optimizers.SGD),
        ("rmsprop", keras.optimizers.RMSprop),
    ],
)
def test_training_optimizer_follows_hp(name, cls):
    model, _ = build_with(hm.TrainingHyperModel(SMALL), {"optimizer": name, "learning_rate": 0.003})
    assert type(model.optimizer) is cls
    rate = float(keras.ops.convert_to_numpy(model.optimizer.learning_rate))
    assert rate == pytest.approx(0.003)
    if name == "sgd":
        assert model.optimizer.momentum == pytest.approx(0.9)


def test_training_cosine_schedule_lowers_the_rate(small_data):
    values = {"lr_schedule": "cosine", "learning_rate": 0.01, "batch_size": 64}
    _, log, callbacks = fit_training(small_data, values, epochs=3)
    # 0.01 * (1 + cos(pi * e / 3)) / 2 for e = 0, 1, 2.
    assert log.rates == pytest.approx([0.01, 0.0075, 0.0025], rel=1e-4)
    assert callbacks == [log]  # the scheduler went into fit's own copy of the list


def test_training_constant_schedule_keeps_the_rate(small_data):
    values = {"lr_schedule": "constant", "learning_rate": 0.01, "batch_size": 64}
    _, log, callbacks = fit_training(small_data, values, epochs=2)
    assert log.rates == pytest.approx([0.01, 0.01], rel=1e-5)
    assert callbacks == [log]


def test_cosine_decay_reaches_near_zero_on_the_last_epoch():
    schedule = hm.cosine_decay(0.1, epochs=50)
    rates = [schedule(epoch, 123.0) for epoch in range(50)]
    assert rates[0] == pytest.approx(0.1)
    assert all(a > b for a, b in itertools.pairwise(rates))
    assert 0 < rates[-1] < 0.1 * 0.01


def test_training_fit_hyperparameters_are_in_the_space_before_the_first_trial(tmp_path):
    tuner = kt.RandomSearch(
        hm.TrainingHyperModel(SMALL), objective="val_loss", max_trials=1, directory=tmp_path
    )
    space = space_of(tuner.oracle.get_space())
    assert space["batch_size"] == choice("batch_size", [32, 64, 128, 256], ordered=True)
    assert space["lr_schedule"] == choice("lr_schedule", ["constant", "cosine"])
    # build alone registers them too, for a tuner that never calls declare_hyperparameters.
    hp = HyperParameters()
    hm.TrainingHyperModel(SMALL).build(hp)
    assert {"batch_size", "lr_schedule"} <= set(space_of(hp))


# ------------------------------------------------------------ ConvHyperModel
def test_max_conv_blocks():
    assert hm.max_conv_blocks(CIFAR) == 3
    assert hm.max_conv_blocks(DIGITS) == 2
    assert hm.max_conv_blocks((4, 4, 1)) == 1
    assert hm.max_conv_blocks((12, 8, 3)) == 2  # the shorter side decides
    assert hm.ConvHyperModel(CIFAR).max_blocks == 3
    assert hm.ConvHyperModel(DIGITS).max_blocks == 2
    with pytest.raises(ValueError, match="too small"):
        hm.max_conv_blocks((3, 3, 1))


def test_cnn_trains_on_digit_shaped_images_with_the_most_blocks():
    data = synthetic_images(train=64, val=32, test=32, shape=DIGITS, seed=0)
    hypermodel = hm.ConvHyperModel(DIGITS)
    model, hp = build_with(hypermodel, {"conv_blocks": hypermodel.max_blocks})
    assert hp["conv_blocks"] == 2
    pools = [layer for layer in model.layers if isinstance(layer, keras.layers.MaxPooling2D)]
    assert pools[-1].output.shape[1:3] == (2, 2)
    history = hypermodel.fit(
        hp, model, data.x_train, data.y_train, epochs=1, batch_size=32, verbose=0
    )
    assert np.isfinite(history.history["loss"][0])
    assert tuple(model.output_shape) == (None, 10)


def test_cnn_validates_well_on_real_digits_within_a_few_epochs():
    # Regression: with Keras' default BatchNormalization momentum (0.99) the moving
    # statistics of a small data set never settle, validation loss only rises and the
    # study's early stopping ended every CNN trial near chance.
    from tunesmith.studies.cifar10_data import load_digits_images

    data = load_digits_images(seed=0)
    hypermodel = hm.ConvHyperModel(DIGITS)
    values = {"conv_blocks": 2, "filters_0": 32, "filters_1": 32, "learning_rate": 1e-3}
    model, hp = build_with(hypermodel, values)
    history = hypermodel.fit(
        hp,
        model,
        data.x_train,
        data.y_train,
        validation_data=(data.x_val, data.y_val),
        epochs=6,
        batch_size=64,
        verbose=0,
    )
    val_loss = history.history["val_loss"]
    assert min(val_loss[3:]) < val_loss[0]
    assert max(history.history["val_accuracy"]) > 0.85


# ------------------------------------------------------------------ registry
def test_registry_lists_the_five_studies():
    assert list(cm.STUDIES) == ["baseline", "depth_width", "depth", "training", "cnn"]
    for description in cm.STUDIES.values():
        assert description and "\n" not in description
    dense = {
        "baseline": "baseline_dense",
        "depth_width": "depth_width_dense",
        "depth": "depth_dense",
    }
    for study, factory in dense.items():
        built = cm.make_hypermodel(study, CIFAR)
        assert callable(built) and not isinstance(built, kt.HyperModel)
        assert built.__name__ == factory
    assert isinstance(cm.make_hypermodel("training", CIFAR), hm.TrainingHyperModel)
    assert isinstance(cm.make_hypermodel("cnn", CIFAR), hm.ConvHyperModel)
    assert isinstance(cm.make_hypermodel("cnn", CIFAR), kt.HyperModel)


def test_unknown_study_names_the_valid_ones():
    with pytest.raises(ValueError, match="'lenet'") as info:
        cm.make_hypermodel("lenet", CIFAR)
    for study in cm.STUDIES:
        assert repr(study) in str(info.value)


def test_importing_the_module_does_not_import_keras():
    # The command line reads STUDIES; the HyperModels (which need Keras) load on use.
    code = (
        "import sys, tunesmith.studies.cifar10_models as m; "
        "assert 'cnn' in m.STUDIES and callable(m.make_hypermodel); "
        "assert 'keras' not in sys.modules, 'keras imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
