"""W2's hypermodels: the document's three dense networks, and its announced next steps.

The three dense hypermodels are the seed document's listings (``baseline_dense``,
``depth_width_dense``, ``depth_dense``). The document closes by announcing tuning the
training setup (optimizer, learning rate, batch size) and a convolutional model;
:class:`~tunesmith.studies.cifar10_hypermodels.TrainingHyperModel` and
:class:`~tunesmith.studies.cifar10_hypermodels.ConvHyperModel` are those two steps.

Every model takes float32 NHWC images in [0, 1] (see
:mod:`tunesmith.studies.cifar10_data`) and integer labels, ends in a softmax over
``num_classes`` and is compiled with ``sparse_categorical_crossentropy`` and
``accuracy``. Keras is imported inside the functions, so importing this module is cheap.

Example:
    >>> import tunesmith as kt
    >>> from tunesmith.studies.cifar10_models import make_hypermodel
    >>> tuner = kt.BayesianOptimization(make_hypermodel("depth", (32, 32, 3)),
    ...                                 objective="val_loss", max_trials=25,
    ...                                 num_initial_points=2, directory="runs")  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tunesmith.space import HyperParameters
from tunesmith.studies.cifar10_layers import compile_classifier, dense_input

if TYPE_CHECKING:  # importing tunesmith.keras imports Keras
    from tunesmith.keras import HyperModel

BuildFn = Callable[[HyperParameters], Any]

#: The activations the document's baseline lets each layer choose from.
BASELINE_ACTIVATIONS = ("relu", "tanh", "elu", "selu", "swish")

#: The studies :func:`make_hypermodel` knows, with a one-line description each.
STUDIES: dict[str, str] = {
    "baseline": "W2 model 1: three Dense layers, each with tuned units (16-256) and activation.",
    "depth_width": "W2 model 2: 2-4 Dense layers (elu), each with tuned units (64-512).",
    "depth": "W2 model 3: 2-20 Dense layers of 128 elu units; only the depth is tuned.",
    "training": "Next step: dense layers plus optimizer, learning rate, batch size, schedule.",
    "cnn": "Next step: conv blocks (filters, kernel, pooling, dropout) and a dense head.",
}


def baseline_dense(input_shape: tuple[int, ...], num_classes: int = 10) -> BuildFn:
    """W2 hypermodel 1: three Dense layers, each with its own units and activation.

    Layer ``i`` (1 to 3) uses ``Int("u_i", 16, 256, step=16)`` units and
    ``Choice("a_i", relu/tanh/elu/selu/swish)``, as in the document.

    Example:
        >>> build = baseline_dense((32, 32, 3))
        >>> model = build(HyperParameters())
        >>> len(model.layers)  # Flatten, three Dense, the softmax
        5
    """
    import keras

    def build(hp: HyperParameters) -> Any:
        model = dense_input(input_shape)
        for i in range(1, 4):
            units = hp.Int(f"u_{i}", min_value=16, max_value=256, step=16)
            activation = hp.Choice(f"a_{i}", values=list(BASELINE_ACTIVATIONS))
            model.add(keras.layers.Dense(units, activation=activation))
        model.add(keras.layers.Dense(num_classes, activation="softmax"))
        return compile_classifier(model)

    build.__name__ = "baseline_dense"
    return build


def depth_width_dense(input_shape: tuple[int, ...], num_classes: int = 10) -> BuildFn:
    """W2 hypermodel 2: ``Int("num_layers", 2, 4)`` elu layers, each with its own width.

    Layer ``i`` (from 0) has ``Int("units_i", 64, 512, step=64)`` units. As in the
    document the widths are defined while building (define-by-run): ``units_2`` and
    ``units_3`` join the search space once a trial first builds that many layers.

    Example:
        >>> hp = HyperParameters()
        >>> hp.values["num_layers"] = 4
        >>> model = depth_width_dense((32, 32, 3))(hp)
        >>> sorted(hp.values)
        ['num_layers', 'units_0', 'units_1', 'units_2', 'units_3']
    """
    import keras

    def build(hp: HyperParameters) -> Any:
        model = dense_input(input_shape)
        num_layers = hp.Int("num_layers", 2, 4)
        assert num_layers is not None  # unconditional: always active
        for i in range(num_layers):
            units = hp.Int(f"units_{i}", min_value=64, max_value=512, step=64)
            model.add(keras.layers.Dense(units, activation="elu"))
        model.add(keras.layers.Dense(num_classes, activation="softmax"))
        return compile_classifier(model)

    build.__name__ = "depth_width_dense"
    return build


def depth_dense(input_shape: tuple[int, ...], num_classes: int = 10) -> BuildFn:
    """W2 hypermodel 3: ``Int("num_layers", 2, 20)`` layers of ``Dense(128, "elu")``.

    Only the depth is tuned.

    Example:
        >>> hp = HyperParameters()
        >>> hp.values["num_layers"] = 5
        >>> len(depth_dense((32, 32, 3))(hp).layers)  # Flatten, five Dense, the softmax
        7
    """
    import keras

    def build(hp: HyperParameters) -> Any:
        model = dense_input(input_shape)
        num_layers = hp.Int("num_layers", 2, 20)
        assert num_layers is not None  # unconditional: always active
        for _ in range(num_layers):
            model.add(keras.layers.Dense(128, activation="elu"))
        model.add(keras.layers.Dense(num_classes, activation="softmax"))
        return compile_classifier(model)

    build.__name__ = "depth_dense"
    return build


def make_hypermodel(
    study: str, input_shape: tuple[int, ...], num_classes: int = 10
) -> BuildFn | HyperModel:
    """The hypermodel of one of :data:`STUDIES`, for images of ``input_shape``.

    Returns a build function for the three W2 dense studies and a
    :class:`~tunesmith.HyperModel` for ``"training"`` and ``"cnn"``; every tuner
    takes either.

    Example:
        >>> make_hypermodel("depth", (32, 32, 3)).__name__
        'depth_dense'
        >>> make_hypermodel("cnn", (8, 8, 1)).max_blocks
        2
    """
    shape = tuple(input_shape)
    if study == "baseline":
        return baseline_dense(shape, num_classes)
    if study == "depth_width":
        return depth_width_dense(shape, num_classes)
    if study == "depth":
        return depth_dense(shape, num_classes)
    if study in ("training", "cnn"):
        # Imported here: HyperModel subclasses need tunesmith.keras, hence Keras (seconds),
        # and the command line reads STUDIES without training anything.
        from tunesmith.studies.cifar10_hypermodels import ConvHyperModel, TrainingHyperModel

        hypermodel = TrainingHyperModel if study == "training" else ConvHyperModel
        return hypermodel(shape, num_classes)
    raise ValueError(
        f"Unknown study {study!r}; the studies are: {', '.join(repr(s) for s in STUDIES)}."
    )
