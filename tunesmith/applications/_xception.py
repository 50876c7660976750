"""HyperXception: an Xception-style network of separable convolutions, searched in shape."""

from __future__ import annotations

from typing import Any

import keras
from keras import layers

from tunesmith.applications._common import (
    ImageClassifierHyperModel,
    channel_axis,
    model_input,
    tunable,
)
from tunesmith.space import HyperParameters


class HyperXception(ImageClassifierHyperModel):
    """An Xception-style image classifier: separable convolutions with residual sums.

    An entry convolution (``conv2d_num_filters`` in {32, 64, 128}, ``kernel_size``
    3 or 5, ``initial_strides`` 2) is followed by ``num_residual_blocks`` (2 to 8)
    residual blocks of two separable convolutions with ``sep_num_filters`` (128 to
    768, step 128) filters, and an exit block with twice as many filters that halves
    the resolution. ``activation`` is ``"relu"`` (with batch normalisation) or
    ``"selu"`` (self-normalising, LeCun-normal initialisation). The features are
    pooled (``pooling``: avg, flatten or max). With ``include_top``,
    ``num_dense_layers`` (1 to 3) hidden dense layers of ``classes`` units, with
    ``dropout_rate`` (0 to 0.6) and, for relu, batch normalisation
    (``dense_use_bn``), lead to a softmax layer; the model is compiled with Adam
    (``learning_rate`` in {1e-3, 1e-4, 1e-5}), categorical cross-entropy and
    accuracy. The hidden layers are as wide as the output, as in keras-tuner.

    Labels must be one-hot encoded. A hyperparameter defined in ``hp`` before the
    build keeps that definition.

    Args:
        include_top: Whether to end with the dense layers and softmax (and compile).
        input_shape: Shape of one image, e.g. ``(32, 32, 3)``. This or
            ``input_tensor`` is required.
        input_tensor: A Keras tensor (from ``keras.Input``) to build the model on.
        classes: Number of classes; required when ``include_top`` is True.
        name: Name of the hypermodel (see :class:`tunesmith.HyperModel`).
        tunable: Whether its hyperparameters are searched.

    Example:
        >>> import tunesmith as kt
        >>> hypermodel = kt.applications.HyperXception(input_shape=(32, 32, 3), classes=5)
        >>> hp = kt.HyperParameters()
        >>> hp.Fixed("num_residual_blocks", 2)
        2
        >>> hypermodel.build(hp).output_shape
        (None, 5)
        >>> hp.values["sep_num_filters"], hp.values["pooling"]
        (256, 'avg')
    """

    def build(self, hp: HyperParameters) -> keras.Model:
        """An Xception-style model for the values in ``hp``."""
        activation = tunable(hp, "Choice", "activation", ["relu", "selu"])
        inputs, x = model_input(self.input_shape, self.input_tensor)

        filters = tunable(hp, "Choice", "conv2d_num_filters", [32, 64, 128], default=64)
        kernel_size = tunable(hp, "Choice", "kernel_size", [3, 5])
        strides = tunable(hp, "Choice", "initial_strides", [2])
        x = _conv(x, filters, kernel_size, strides, activation)

        sep_filters = tunable(hp, "Int", "sep_num_filters", 128, 768, step=128, default=256)
        blocks = tunable(hp, "Int", "num_residual_blocks", 2, 8, default=4)
        for _ in range(blocks):
            x = _residual(x, sep_filters, activation, downsample=False)
        x = _residual(x, 2 * sep_filters, activation, downsample=True)

        pooling = tunable(hp, "Choice", "pooling", ["avg", "flatten", "max"])
        if pooling == "flatten":
            x = layers.Flatten()(x)
        elif pooling == "avg":
            x = layers.GlobalAveragePooling2D()(x)
        else:
            x = layers.GlobalMaxPooling2D()(x)
        if not self.include_top:
            return keras.Model(inputs, x, name="Xception")

        dense_layers = tunable(hp, "Int", "num_dense_layers", 1, 3)
        dropout = tunable(hp, "Float", "dropout_rate", 0.0, 0.6, step=0.1, default=0.5)
        batch_norm = tunable(hp, "Choice", "dense_use_bn", [True, False])
        classes = self.classes
        assert classes is not None  # required with include_top (check_classes)
        for _ in range(dense_layers):
            x = _dense(x, classes, activation, batch_norm, dropout)
        outputs = layers.Dense(self.classes, activation="softmax")(x)
        model = keras.Model(inputs, outputs, name="Xception")
        learning_rate = tunable(hp, "Choice", "learning_rate", [1e-3, 1e-4, 1e-5])
        model.compile(
            optimizer=keras.optimizers.Adam(learning_rate),
            loss="categorical_crossentropy",
            metrics=["accuracy"],
        )
        return model


def _selu_kwargs() -> dict[str, Any]:
    return {"activation": "selu", "kernel_initializer": "lecun_normal"}


def _norm_relu(x: Any) -> Any:
    x = layers.BatchNormalization(axis=channel_axis())(x)
    return layers.Activation("relu")(x)


def _conv(x: Any, filters: int, kernel_size: int, strides: int, activation: str) -> Any:
    if activation == "selu":
        return layers.Conv2D(filters, kernel_size, strides, padding="same", **_selu_kwargs())(x)
    x = layers.Conv2D(filters, kernel_size, strides, padding="same", use_bias=False)(x)
    return _norm_relu(x)


def _separable(x: Any, filters: int, activation: str) -> Any:
    if activation == "selu":
        return layers.SeparableConv2D(
            filters,
            3,
            padding="same",
            activation="selu",
            depthwise_initializer="lecun_normal",
            pointwise_initializer="lecun_normal",
        )(x)
    x = layers.SeparableConv2D(filters, 3, padding="same", use_bias=False)(x)
    return _norm_relu(x)


def _residual(x: Any, filters: int, activation: str, downsample: bool) -> Any:
    """Two separable convolutions added to the input (projected when shapes differ)."""
    if downsample:
        shortcut = layers.Conv2D(filters, 1, strides=2, padding="same")(x)
    elif x.shape[channel_axis()] != filters:
        shortcut = layers.Conv2D(filters, 1, padding="same")(x)
    else:
        shortcut = x
    y = _separable(x, filters, activation)
    y = _separable(y, filters, activation)
    if downsample:
        y = layers.MaxPooling2D(3, strides=2, padding="same")(y)
    return layers.Add()([y, shortcut])


def _dense(x: Any, units: int, activation: str, batch_norm: bool, dropout: float) -> Any:
    if activation == "selu":
        x = layers.Dense(units, **_selu_kwargs())(x)
    else:
        x = layers.Dense(units, activation="relu")(x)
        if batch_norm:
            x = layers.BatchNormalization()(x)
    if dropout:
        x = layers.Dropout(dropout)(x)
    return x
