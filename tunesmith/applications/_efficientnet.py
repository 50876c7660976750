"""HyperEfficientNet: a Keras EfficientNet backbone (B0 to B7) under a searched top."""

from __future__ import annotations

import os
import urllib.request
from typing import Any

import keras
from keras import layers

from tunesmith.applications._common import (
    channel_axis,
    check_classes,
    check_input,
    model_input,
    tunable,
)
from tunesmith.errors import FatalRuntimeError
from tunesmith.hypermodel import HyperModel
from tunesmith.space import HyperParameters

WEIGHTS_URL = "https://storage.googleapis.com/keras-applications/"
# The image side each variant was designed (and pre-trained) for; inputs are resized to it.
IMAGE_SIZES = {
    "B0": 224,
    "B1": 240,
    "B2": 260,
    "B3": 300,
    "B4": 380,
    "B5": 456,
    "B6": 528,
    "B7": 600,
}


class WeightsUnavailableError(FatalRuntimeError):
    """Pre-trained weights are needed but neither cached nor downloadable.

    Fatal: every trial of the search would fail the same way.
    """


class HyperEfficientNet(HyperModel):
    """An EfficientNet classifier: which variant, the pooling, dropout and learning rate.

    The backbone is ``keras.applications.EfficientNetB0`` ... ``B7`` (hyperparameter
    ``version``, default ``"B0"``) without its top; images are first resized to the
    variant's own size (224 for B0 up to 600 for B7). On top: global pooling
    (``pooling``: avg or max), dropout (``top_dropout_rate``: 0.2 to 0.8, step 0.2)
    and a softmax layer of ``classes`` units. The model is compiled with SGD
    (momentum 0.1, ``learning_rate`` in {0.1, 0.01, 0.001}), categorical
    cross-entropy and accuracy; subclasses may override ``_compile(model, hp)`` to
    compile otherwise.

    An ``augmentation_model`` (a Keras model, or a :class:`tunesmith.HyperModel`
    such as :class:`HyperImageAugment`, built with the same ``hp``) is applied to
    the images first; Keras' augmentation layers are only active in training.

    ``weights="imagenet"`` (the default, as in keras-tuner) starts from ImageNet
    weights. Keras downloads them once into ``~/.keras/models`` (or
    ``$KERAS_HOME/models``); on a machine without internet access the build fails
    at once with :class:`WeightsUnavailableError` saying which file to place
    there. ``weights=None`` trains from scratch; a path loads that weights file.
    ImageNet weights need 3-channel images.

    Args:
        input_shape: Shape of one image, e.g. ``(32, 32, 3)``. This or
            ``input_tensor`` is required.
        input_tensor: A Keras tensor (from ``keras.Input``) to build the model on.
        classes: Number of classes (required).
        augmentation_model: ``None``, a ``keras.Model`` or a ``HyperModel``.
        weights: ``"imagenet"``, ``None`` or the path of a weights file for the
            backbone without its top.
        name: Name of the hypermodel (see :class:`tunesmith.HyperModel`).
        tunable: Whether its hyperparameters are searched.

    Example:
        >>> import tunesmith as kt
        >>> hypermodel = kt.applications.HyperEfficientNet(
        ...     input_shape=(32, 32, 3), classes=10, weights=None
        ... )
        >>> hp = kt.HyperParameters()
        >>> hypermodel.build(hp).output_shape
        (None, 10)
        >>> hp.values
        {'version': 'B0', 'pooling': 'avg', 'top_dropout_rate': 0.2, 'learning_rate': 0.01}
    """

    def __init__(
        self,
        input_shape: tuple[int | None, ...] | None = None,
        input_tensor: Any = None,
        classes: int | None = None,
        augmentation_model: HyperModel | keras.Model | None = None,
        weights: str | os.PathLike | None = "imagenet",
        **kwargs: Any,
    ) -> None:
        if not isinstance(augmentation_model, (HyperModel, keras.Model, type(None))):
            raise ValueError(
                "HyperEfficientNet: augmentation_model must be a tunesmith.HyperModel "
                "(e.g. HyperImageAugment), a keras.Model, or None; received "
                f"{augmentation_model!r}."
            )
        check_classes("HyperEfficientNet", classes)
        check_input("HyperEfficientNet", input_shape, input_tensor)
        if not (weights is None or weights == "imagenet" or os.path.isfile(weights)):
            raise ValueError(
                f"HyperEfficientNet: weights must be 'imagenet', None or the path of an "
                f"existing weights file; received {weights!r}."
            )
        super().__init__(**kwargs)
        self.input_shape = input_shape
        self.input_tensor = input_tensor
        self.classes = classes
        self.augmentation_model = augmentation_model
        self.weights = weights

    def build(self, hp: HyperParameters) -> keras.Model:
        """An EfficientNet for the values in ``hp``, compiled by :meth:`_compile`."""
        inputs, x = model_input(self.input_shape, self.input_tensor)
        if isinstance(self.augmentation_model, HyperModel):
            x = self.augmentation_model.build(hp)(x)
        elif self.augmentation_model is not None:
            x = self.augmentation_model(x)

        version = tunable(hp, "Choice", "version", list(IMAGE_SIZES), default="B0")
        size = IMAGE_SIZES[version]
        x = layers.Resizing(size, size, interpolation="bilinear")(x)
        x = _backbone(version, x, self.weights).output

        pooling = tunable(hp, "Choice", "pooling", ["avg", "max"], default="avg")
        if pooling == "avg":
            x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        else:
            x = layers.GlobalMaxPooling2D(name="max_pool")(x)
        dropout = tunable(
            hp, "Float", "top_dropout_rate", min_value=0.2, max_value=0.8, step=0.2, default=0.2
        )
        x = layers.Dropout(dropout, name="top_dropout")(x)
        outputs = layers.Dense(self.classes, activation="softmax", name="probs")(x)
        model = keras.Model(inputs, outputs, name="EfficientNet")
        self._compile(model, hp)
        return model

    def _compile(self, model: keras.Model, hp: HyperParameters) -> None:
        """Compile ``model``; override in a subclass to search other training settings."""
        learning_rate = tunable(hp, "Choice", "learning_rate", [0.1, 0.01, 0.001], default=0.01)
        model.compile(
            optimizer=keras.optimizers.SGD(learning_rate=learning_rate, momentum=0.1),
            loss="categorical_crossentropy",
            metrics=["accuracy"],
        )


def _backbone(version: str, images: Any, weights: Any) -> keras.Model:
    """Keras' EfficientNet on ``images``, without its top; never waits on a dead network."""
    constructor = getattr(keras.applications, f"EfficientNet{version}")
    if weights != "imagenet":
        return constructor(include_top=False, weights=weights, input_tensor=images)
    channels = images.shape[channel_axis()]
    if channels != 3:
        raise ValueError(
            f"HyperEfficientNet: ImageNet weights need images with 3 channels, these have "
            f"{channels}. Pass weights=None to train from scratch, or convert the images to RGB."
        )
    file_name = f"efficientnet{version.lower()}_notop.h5"
    if not any(os.path.isfile(os.path.join(folder, file_name)) for folder in _weight_folders()):
        # Keras' download has no timeout: on a machine whose network drops packets it
        # would wait forever, so ask first, briefly.
        problem = _download_problem(WEIGHTS_URL + file_name)
        if problem is not None:
            raise WeightsUnavailableError(_missing_weights_message(file_name, problem))
    try:
        return constructor(include_top=False, weights="imagenet", input_tensor=images)
    except Exception as error:
        if "URL fetch failure" not in str(error):
            raise
        raise WeightsUnavailableError(_missing_weights_message(file_name, str(error))) from error


def _keras_home() -> str:
    try:
        from keras.src.backend.config import keras_home
    except ImportError:  # a Keras without the private accessor: its documented rule
        if "KERAS_HOME" in os.environ:
            return os.environ["KERAS_HOME"]
        base = os.path.expanduser("~")
        return os.path.join(base if os.access(base, os.W_OK) else "/tmp", ".keras")
    return keras_home()


def _weight_folders() -> list[str]:
    """Where ``keras.utils.get_file`` finds a cached ``models/`` file (the second
    when the Keras home is not writable)."""
    home = os.path.expanduser(_keras_home())
    return [os.path.join(home, "models"), os.path.join("/tmp", ".keras", "models")]


def _download_problem(url: str, timeout: float = 10.0) -> str | None:
    """Why ``url`` cannot be fetched now (a HEAD request), or None when it can."""
    request = urllib.request.Request(url, method="HEAD")
    try:
        with urllib.request.urlopen(request, timeout=timeout):
            return None
    except (OSError, ValueError) as error:  # URLError, timeouts and HTTP errors are OSErrors
        return str(getattr(error, "reason", error))


def _missing_weights_message(file_name: str, problem: str) -> str:
    folder = _weight_folders()[0]
    return (
        f"HyperEfficientNet needs the ImageNet weights file {file_name!r} in {folder}, and "
        f"Keras cannot download it ({problem}). Download {WEIGHTS_URL}{file_name} on a "
        f"machine with internet access and copy it to {folder}/ (replacing any damaged "
        "copy), or pass weights=None to HyperEfficientNet to train from scratch."
    )
