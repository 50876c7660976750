"""HyperResNet: a residual network whose variant, depth, pooling and optimizer are searched."""

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

_EPSILON = 1.001e-5
_OPTIMIZERS = {
    "adam": keras.optimizers.Adam,
    "rmsprop": keras.optimizers.RMSprop,
    "sgd": keras.optimizers.SGD,
}


class HyperResNet(ImageClassifierHyperModel):
    """A ResNet image classifier with its variant and depth as hyperparameters.

    Three variants are searched (hyperparameter ``version``): ``"v1"`` (bottleneck
    blocks, batch normalisation after each convolution), ``"v2"`` (pre-activation
    blocks, the default) and ``"next"`` (ResNeXt: grouped 3x3 convolutions, 32
    groups). Each has four stages; the second and third are searched in depth
    (``conv3_depth`` in {4, 8}, ``conv4_depth`` in {6, 23, 36}: ResNet-50, -101 and
    -152 are among the choices). The features are pooled (``pooling``: ``"avg"`` or
    ``"max"``). With ``include_top`` a softmax layer of ``classes`` units follows
    and the model is compiled with categorical cross-entropy and accuracy, its
    ``optimizer`` (adam, rmsprop, sgd) and ``learning_rate`` (0.1, 0.01, 0.001)
    searched too. Without it the built model returns the pooled features,
    uncompiled.

    Labels must be one-hot encoded (``keras.utils.to_categorical``). A
    hyperparameter defined in ``hp`` before the build keeps that definition, so
    ``hp.Choice("version", ["v1"])`` narrows the search to ResNet v1.

    Args:
        include_top: Whether to end with the classification layer (and compile).
        input_shape: Shape of one image, e.g. ``(32, 32, 3)``. This or
            ``input_tensor`` is required.
        input_tensor: A Keras tensor (from ``keras.Input``) to build the model on.
        classes: Number of classes; required when ``include_top`` is True.
        name: Name of the hypermodel (see :class:`tunesmith.HyperModel`).
        tunable: Whether its hyperparameters are searched.

    Example:
        >>> import tunesmith as kt
        >>> hypermodel = kt.applications.HyperResNet(input_shape=(32, 32, 3), classes=10)
        >>> hp = kt.HyperParameters()
        >>> model = hypermodel.build(hp)
        >>> model.output_shape
        (None, 10)
        >>> hp.values["version"], hp.values["conv4_depth"]
        ('v2', 6)
    """

    def build(self, hp: HyperParameters) -> keras.Model:
        """A ResNet for the values in ``hp``: compiled when ``include_top`` is True."""
        version = tunable(hp, "Choice", "version", ["v1", "v2", "next"], default="v2")
        conv3_depth = tunable(hp, "Choice", "conv3_depth", [4, 8])
        conv4_depth = tunable(hp, "Choice", "conv4_depth", [6, 23, 36])
        inputs, x = model_input(self.input_shape, self.input_tensor)

        x = _stem(x, version)
        depths = (3, conv3_depth, conv4_depth, 3)
        for index, (width, blocks, stride) in enumerate(
            zip(_WIDTHS[version], depths, _STRIDES[version], strict=True)
        ):
            x = _STAGES[version](x, width, blocks, stride, f"conv{index + 2}")
        if version == "v2":  # pre-activation blocks leave the last sum un-normalised
            x = _norm_relu(x, "post")

        pooling = tunable(hp, "Choice", "pooling", ["avg", "max"], default="avg")
        if pooling == "avg":
            x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        else:
            x = layers.GlobalMaxPooling2D(name="max_pool")(x)
        if not self.include_top:
            return keras.Model(inputs, x, name="ResNet")

        outputs = layers.Dense(self.classes, activation="softmax", name="probs")(x)
        model = keras.Model(inputs, outputs, name="ResNet")
        optimizer = tunable(hp, "Choice", "optimizer", ["adam", "rmsprop", "sgd"], default="adam")
        learning_rate = tunable(hp, "Choice", "learning_rate", [0.1, 0.01, 0.001], default=0.01)
        model.compile(
            optimizer=_OPTIMIZERS[optimizer](learning_rate=learning_rate),
            loss="categorical_crossentropy",
            metrics=["accuracy"],
        )
        return model


# Bottleneck width per stage, and the stride of each stage's downsampling block.
_WIDTHS = {"v1": (64, 128, 256, 512), "v2": (64, 128, 256, 512), "next": (64, 256, 512, 1024)}
_STRIDES = {"v1": (1, 2, 2, 2), "v2": (2, 2, 2, 1), "next": (2, 2, 2, 1)}


def _norm_relu(x: Any, name: str) -> Any:
    x = layers.BatchNormalization(axis=channel_axis(), epsilon=_EPSILON, name=f"{name}_bn")(x)
    return layers.Activation("relu", name=f"{name}_relu")(x)


def _norm(x: Any, name: str) -> Any:
    return layers.BatchNormalization(axis=channel_axis(), epsilon=_EPSILON, name=name)(x)


def _stem(x: Any, version: str) -> Any:
    """7x7 convolution with stride 2, then 3x3 max pooling with stride 2."""
    x = layers.ZeroPadding2D(padding=3, name="conv1_pad")(x)
    x = layers.Conv2D(64, 7, strides=2, use_bias=version != "next", name="conv1_conv")(x)
    if version != "v2":  # v2 normalises at the start of each block instead
        x = _norm_relu(x, "conv1")
    x = layers.ZeroPadding2D(padding=1, name="pool1_pad")(x)
    return layers.MaxPooling2D(3, strides=2, name="pool1_pool")(x)


def _stage_v1(x: Any, width: int, blocks: int, stride: int, name: str) -> Any:
    """ResNet v1: the first block projects the shortcut and downsamples."""
    for index in range(blocks):
        block = f"{name}_block{index + 1}"
        first = index == 0
        step = stride if first else 1
        if first:
            shortcut = layers.Conv2D(4 * width, 1, strides=step, name=f"{block}_0_conv")(x)
            shortcut = _norm(shortcut, f"{block}_0_bn")
        else:
            shortcut = x
        y = layers.Conv2D(width, 1, strides=step, name=f"{block}_1_conv")(x)
        y = _norm_relu(y, f"{block}_1")
        y = layers.Conv2D(width, 3, padding="same", name=f"{block}_2_conv")(y)
        y = _norm_relu(y, f"{block}_2")
        y = layers.Conv2D(4 * width, 1, name=f"{block}_3_conv")(y)
        y = _norm(y, f"{block}_3_bn")
        y = layers.Add(name=f"{block}_add")([shortcut, y])
        x = layers.Activation("relu", name=f"{block}_out")(y)
    return x


def _stage_v2(x: Any, width: int, blocks: int, stride: int, name: str) -> Any:
    """ResNet v2 (pre-activation): the first block projects, the last downsamples."""
    for index in range(blocks):
        block = f"{name}_block{index + 1}"
        step = stride if index == blocks - 1 else 1
        preact = _norm_relu(x, f"{block}_preact")
        if index == 0:
            shortcut = layers.Conv2D(4 * width, 1, strides=step, name=f"{block}_0_conv")(preact)
        elif step > 1:
            shortcut = layers.MaxPooling2D(1, strides=step, name=f"{block}_0_pool")(x)
        else:
            shortcut = x
        y = layers.Conv2D(width, 1, use_bias=False, name=f"{block}_1_conv")(preact)
        y = _norm_relu(y, f"{block}_1")
        y = layers.ZeroPadding2D(padding=1, name=f"{block}_2_pad")(y)
        y = layers.Conv2D(width, 3, strides=step, use_bias=False, name=f"{block}_2_conv")(y)
        y = _norm_relu(y, f"{block}_2")
        y = layers.Conv2D(4 * width, 1, name=f"{block}_3_conv")(y)
        x = layers.Add(name=f"{block}_out")([shortcut, y])
    return x


def _stage_next(x: Any, width: int, blocks: int, stride: int, name: str, groups: int = 32) -> Any:
    """ResNeXt: bottleneck blocks whose 3x3 convolution is split into ``groups``."""
    out_width = (64 // groups) * width
    for index in range(blocks):
        block = f"{name}_block{index + 1}"
        first = index == 0
        step = stride if first else 1
        if first:
            shortcut = layers.Conv2D(
                out_width, 1, strides=step, use_bias=False, name=f"{block}_0_conv"
            )(x)
            shortcut = _norm(shortcut, f"{block}_0_bn")
        else:
            shortcut = x
        y = layers.Conv2D(width, 1, use_bias=False, name=f"{block}_1_conv")(x)
        y = _norm_relu(y, f"{block}_1")
        y = layers.ZeroPadding2D(padding=1, name=f"{block}_2_pad")(y)
        y = layers.Conv2D(
            width, 3, strides=step, groups=groups, use_bias=False, name=f"{block}_2_conv"
        )(y)
        y = _norm_relu(y, f"{block}_2")
        y = layers.Conv2D(out_width, 1, use_bias=False, name=f"{block}_3_conv")(y)
        y = _norm(y, f"{block}_3_bn")
        y = layers.Add(name=f"{block}_add")([shortcut, y])
        x = layers.Activation("relu", name=f"{block}_out")(y)
    return x


_STAGES = {"v1": _stage_v1, "v2": _stage_v2, "next": _stage_next}
