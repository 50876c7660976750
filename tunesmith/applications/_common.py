"""What every ready-made hypermodel shares: argument checks, the input, hyperparameter lookup."""

from __future__ import annotations

from typing import Any

import keras

from tunesmith.errors import SearchSpaceError
from tunesmith.hypermodel import HyperModel
from tunesmith.space import HyperParameters


def check_input(owner: str, input_shape: Any, input_tensor: Any) -> None:
    """Refuse a hypermodel that would not know the shape of its images."""
    if input_shape is None and input_tensor is None:
        raise ValueError(
            f"{owner}: you must specify either `input_shape` or `input_tensor`. Pass the "
            "shape of one image, e.g. input_shape=(32, 32, 3), or a tensor made by "
            "keras.Input(...) as input_tensor=."
        )


def check_classes(owner: str, classes: Any, include_top: bool = True) -> None:
    """A classifier head needs to know how many classes it predicts."""
    if include_top and not classes:
        raise ValueError(
            f"{owner}: you must specify `classes` when `include_top=True`: pass "
            "classes=<number of classes> (labels one-hot encoded, as the model is compiled "
            "with categorical_crossentropy), or include_top=False for a feature extractor."
        )


def model_input(input_shape: Any, input_tensor: Any) -> tuple[Any, Any]:
    """The model's input(s) and the tensor the layers start from.

    A given ``input_tensor`` may be the output of earlier layers; the model then
    starts at the ``keras.Input`` it comes from. A single input is returned bare,
    not in a list, so the model is called with an array rather than ``[array]``.
    """
    if input_tensor is None:
        inputs = keras.Input(shape=input_shape)
        return inputs, inputs
    sources = keras.utils.get_source_inputs(input_tensor)
    return (sources[0] if len(sources) == 1 else sources), input_tensor


def channel_axis() -> int:
    """The axis of the channels for Keras' image data format."""
    return -1 if keras.config.image_data_format() == "channels_last" else 1


def tunable(hp: HyperParameters, kind: str, name: str, *args: Any, **kwargs: Any) -> Any:
    """``hp.<kind>(name, ...)``, except that a definition already in ``hp`` wins.

    keras-tuner narrows a ready-made hypermodel's search space this way: the user
    defines ``hp.Fixed("learning_rate", 1e-4)`` or ``hp.Choice("version", ["v1"])``
    before the build, and the hypermodel uses that definition instead of its own.
    tunesmith's container refuses a second, different definition of one name, so
    the built-in definition is only attempted when the name is not defined yet.
    """
    try:
        return getattr(hp, kind)(name, *args, **kwargs)
    except SearchSpaceError:
        if name not in hp:
            raise
        return hp.get(name)


class ImageClassifierHyperModel(HyperModel):
    """The constructor HyperResNet and HyperXception share: an input and a head.

    ``include_top`` adds the classification head (and needs ``classes``); the input
    is ``input_shape`` or an existing ``input_tensor``, one of them required.
    """

    def __init__(
        self,
        include_top: bool = True,
        input_shape: tuple[int | None, ...] | None = None,
        input_tensor: Any = None,
        classes: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        owner = type(self).__name__
        check_classes(owner, classes, include_top)
        check_input(owner, input_shape, input_tensor)
        self.include_top = include_top
        self.input_shape = input_shape
        self.input_tensor = input_tensor
        self.classes = classes
