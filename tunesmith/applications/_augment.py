"""HyperImageAugment: which image augmentations to apply, and how strongly."""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import keras
from keras import layers

from tunesmith.applications._common import check_input, model_input, tunable
from tunesmith.hypermodel import HyperModel
from tunesmith.space import HyperParameters

#: The transforms, in the order they are registered and applied.
TRANSFORMS = ("rotate", "translate_x", "translate_y", "contrast")


def transform_layer(transform: str, factor: float) -> keras.layers.Layer:
    """The Keras augmentation layer of one transform at strength ``factor``.

    ``rotate``: up to ``factor`` x 2 pi either way; ``translate_x`` / ``translate_y``:
    up to ``factor`` of the width / height; ``contrast``: by up to ``factor``.
    """
    if transform == "rotate":
        return layers.RandomRotation(factor)
    if transform == "translate_x":
        return layers.RandomTranslation(height_factor=0.0, width_factor=factor)
    if transform == "translate_y":
        return layers.RandomTranslation(height_factor=factor, width_factor=0.0)
    if transform == "contrast":
        return layers.RandomContrast(factor)
    raise ValueError(f"Unknown transform {transform!r}; the transforms are {TRANSFORMS}.")


@keras.saving.register_keras_serializable(package="tunesmith")
class RandAugment(keras.layers.Layer):
    """Applies one transform to each image, drawn uniformly among ``transforms``.

    A simple RandAugment (Cubuk et al., 2019, https://arxiv.org/abs/1909.13719):
    each image of a batch draws its own transform; a transform of factor 0 leaves
    the images that drew it unchanged. Only active in training, like Keras'
    augmentation layers.

    Args:
        transforms: Names among ``"rotate"``, ``"translate_x"``, ``"translate_y"``,
            ``"contrast"``.
        factors: The strength of each transform (see :func:`transform_layer`).
        seed: Seed of the draws (``None``: a fresh one).
    """

    def __init__(
        self,
        transforms: Sequence[str],
        factors: Sequence[float],
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if len(transforms) != len(factors) or not transforms:
            raise ValueError(
                "RandAugment needs one factor per transform and at least one transform; "
                f"received transforms={list(transforms)}, factors={list(factors)}."
            )
        self.transforms = list(transforms)
        self.factors = [float(factor) for factor in factors]
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self._active = [i for i, factor in enumerate(self.factors) if factor != 0]
        self._branches = [
            transform_layer(self.transforms[i], self.factors[i]) for i in self._active
        ]

    def call(self, inputs: Any, training: bool = True) -> Any:
        if not training or not self._active:
            return inputs
        batch = keras.ops.shape(inputs)[0]
        drawn = keras.random.randint(
            (batch, 1, 1, 1), 0, len(self.transforms), seed=self.seed_generator
        )
        outputs = inputs
        for index, branch in zip(self._active, self._branches, strict=True):
            changed = branch(inputs, training=True)
            outputs = keras.ops.where(keras.ops.equal(drawn, index), changed, outputs)
        return outputs

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(transforms=self.transforms, factors=self.factors, seed=self.seed)
        return config


class HyperImageAugment(HyperModel):
    """A model that augments images, with the augmentations' strengths as hyperparameters.

    Four transforms are available: ``rotate``, ``translate_x``, ``translate_y`` and
    ``contrast``. Each argument sets the range searched for that transform's factor
    (hyperparameter ``factor_<transform>``, default the lower end): a number ``f``
    means ``[0, f]``, a pair ``[low, high]`` that range, and ``None`` (or 0) leaves
    the transform out. The factor is the fraction of a full turn (rotation), of the
    width or height (translations) or the relative change (contrast).

    With ``augment_layers=0`` every transform is applied to every image, one after
    the other (factors searched in steps of 0.05; a factor of 0 skips the
    transform); the model is named ``"image_augment"``. Otherwise a simple
    RandAugment is used (``"image_rand_augment"``): hyperparameter
    ``augment_layers`` is searched in ``[0, augment_layers]`` (or in the pair
    given), and that many :class:`RandAugment` layers are stacked, each giving each
    image one transform drawn at random. The augmentations only act in training;
    the model's output has the shape of its input.

    Use the built model as the ``augmentation_model`` of
    :class:`HyperEfficientNet`, or call it on the input of your own model.

    Args:
        input_shape: Shape of one image, e.g. ``(32, 32, 3)`` (``None`` sides allowed).
            This or ``input_tensor`` is required.
        input_tensor: A Keras tensor (from ``keras.Input``) to build the model on.
        rotate: Range of the rotation factor (default ``[0, 0.5]``).
        translate_x: Range of the horizontal translation factor (default ``[0, 0.4]``).
        translate_y: Range of the vertical translation factor (default ``[0, 0.4]``).
        contrast: Range of the contrast factor (default ``[0, 0.3]``).
        augment_layers: ``0`` (all transforms in sequence), an int ``n`` (search
            ``[0, n]`` RandAugment layers) or a pair ``[low, high]``.
        name: Name of the hypermodel (see :class:`tunesmith.HyperModel`).
        tunable: Whether its hyperparameters are searched.

    Example:
        >>> import tunesmith as kt
        >>> augment = kt.applications.HyperImageAugment(
        ...     input_shape=(32, 32, 3), rotate=[0.1, 0.3], translate_y=None, augment_layers=0
        ... )
        >>> augment.transforms
        [('rotate', (0.1, 0.3)), ('translate_x', (0, 0.4)), ('contrast', (0, 0.3))]
        >>> hp = kt.HyperParameters()
        >>> augment.build(hp).name
        'image_augment'
        >>> hp.values
        {'factor_rotate': 0.1, 'factor_translate_x': 0.0, 'factor_contrast': 0.0}
    """

    def __init__(
        self,
        input_shape: tuple[int | None, ...] | None = None,
        input_tensor: Any = None,
        rotate: float | Sequence[float] | None = 0.5,
        translate_x: float | Sequence[float] | None = 0.4,
        translate_y: float | Sequence[float] | None = 0.4,
        contrast: float | Sequence[float] | None = 0.3,
        augment_layers: int | Sequence[int] | None = 3,
        **kwargs: Any,
    ) -> None:
        check_input("HyperImageAugment", input_shape, input_tensor)
        settings = {
            "rotate": rotate,
            "translate_x": translate_x,
            "translate_y": translate_y,
            "contrast": contrast,
        }
        #: ``[(transform, (low, high)), ...]``: the transforms used, with their ranges.
        self.transforms: list[tuple[str, tuple[float, float]]] = []
        for transform in TRANSFORMS:
            bounds = _factor_range(transform, settings[transform])
            if bounds is not None:
                self.transforms.append((transform, bounds))
        self.input_shape = input_shape
        self.input_tensor = input_tensor
        if augment_layers:
            self.model_name = "image_rand_augment"
            self.augment_layers_min, self.augment_layers_max = _count_range(augment_layers)
        else:
            self.model_name = "image_augment"
        super().__init__(**kwargs)

    def build(self, hp: HyperParameters) -> keras.Model:
        """The augmentation model for the values in ``hp`` (not compiled)."""
        inputs, x = model_input(self.input_shape, self.input_tensor)
        if self.model_name == "image_rand_augment":
            x = self._rand_augment(x, hp)
        else:
            x = self._augment_all(x, hp)
        return keras.Model(inputs, x, name=self.model_name)

    def _rand_augment(self, x: Any, hp: HyperParameters) -> Any:
        count = tunable(
            hp,
            "Int",
            "augment_layers",
            self.augment_layers_min,
            self.augment_layers_max,
            default=self.augment_layers_min,
        )
        if not self.transforms:
            return x
        for _ in range(count):
            # One factor per transform for the whole trial, shared by the stacked layers.
            factors = [
                tunable(hp, "Float", f"factor_{transform}", low, high, default=low)
                for transform, (low, high) in self.transforms
            ]
            x = RandAugment([transform for transform, _ in self.transforms], factors)(x)
        return x

    def _augment_all(self, x: Any, hp: HyperParameters) -> Any:
        for transform, (low, high) in self.transforms:
            factor = tunable(hp, "Float", f"factor_{transform}", low, high, step=0.05, default=low)
            if factor:
                x = transform_layer(transform, factor)(x)
        return x


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _factor_range(transform: str, setting: Any) -> tuple[float, float] | None:
    """``(low, high)`` of a transform's factor, or None when the transform is off."""
    if setting is None or setting is False:
        return None
    if isinstance(setting, (list, tuple)):
        if not setting:
            return None
        if len(setting) > 2:
            raise ValueError(
                f"Keyword argument {transform}: the length of a range must not exceed 2 "
                f"([low, high]); received {setting!r}."
            )
        if len(setting) < 2:
            raise ValueError(
                f"Keyword argument {transform}: a range needs two numbers [low, high]; "
                f"received {setting!r}. Pass {transform}={setting[0]!r} for [0, {setting[0]!r}]."
            )
        low, high = setting
    else:
        low, high = 0, setting
    if not (_is_number(low) and _is_number(high)):
        raise ValueError(
            f"Keyword argument {transform} must be int or float, but received {setting!r}. "
            f"Pass a number, e.g. {transform}=0.2, a range, e.g. {transform}=[0.1, 0.3], "
            "or None to leave the transform out."
        )
    if high == 0 and low == 0:
        return None
    if not 0 <= low <= high:
        raise ValueError(
            f"Keyword argument {transform}: the range must satisfy 0 <= low <= high; "
            f"received {setting!r}."
        )
    return (low, high)


def _count_range(augment_layers: Any) -> tuple[int, int]:
    """``(low, high)`` of the number of RandAugment layers."""
    if isinstance(augment_layers, (list, tuple)):
        if len(augment_layers) != 2:
            raise ValueError(
                "Keyword argument `augment_layers` must be int or a pair [low, high] of ints, "
                f"but received {augment_layers!r}."
            )
        low, high = augment_layers
    else:
        low, high = 0, augment_layers
    if not all(
        isinstance(value, numbers.Integral) and not isinstance(value, bool) for value in (low, high)
    ):
        raise ValueError(
            "Keyword argument `augment_layers` must be int (or a pair [low, high] of ints), "
            f"but received {augment_layers!r}. Pass e.g. augment_layers=2, or 0 to apply "
            "every transform in sequence."
        )
    if not 0 <= low <= high:
        raise ValueError(
            "Keyword argument `augment_layers` must satisfy 0 <= low <= high; "
            f"received {augment_layers!r}."
        )
    return int(low), int(high)
