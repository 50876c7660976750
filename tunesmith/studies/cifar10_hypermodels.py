"""The two hypermodels of the W2 document's announced next step, as HyperModels.

:class:`TrainingHyperModel` tunes the training setup (optimizer, learning rate and
its schedule, batch size) alongside a dense architecture; :class:`ConvHyperModel`
tunes a convolutional network. Importing this module imports Keras (through
:class:`~tunesmith.HyperModel`); the dense studies live in
:mod:`tunesmith.studies.cifar10_models`, which picks between them all.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from tunesmith.keras import HyperModel
from tunesmith.space import HyperParameters
from tunesmith.studies.cifar10_layers import compile_classifier, dense_input

#: Batch sizes :class:`TrainingHyperModel` chooses from.
BATCH_SIZES = (32, 64, 128, 256)
#: More blocks than this add little on 32x32 images and multiply the search's cost.
MAX_CONV_BLOCKS = 3


def cosine_decay(initial_learning_rate: float, epochs: int) -> Callable[[int, float], float]:
    """A per-epoch cosine schedule from ``initial_learning_rate`` towards 0 over ``epochs``.

    Epoch ``e`` (from 0) trains at ``initial * (1 + cos(pi * e / epochs)) / 2``: the
    first epoch at the full rate, the last one close to 0 but not at 0 (an epoch at
    rate 0 would be wasted). The signature is the one
    ``keras.callbacks.LearningRateScheduler`` calls.

    Example:
        >>> schedule = cosine_decay(0.1, epochs=4)
        >>> [round(schedule(e, 0.0), 4) for e in range(4)]
        [0.1, 0.0854, 0.05, 0.0146]
    """
    epochs = max(int(epochs), 1)

    def schedule(epoch: int, learning_rate: float) -> float:
        # The scheduler's current rate is ignored: the rate follows from the epoch alone,
        # so a continued fit (initial_epoch > 0) lands on the same curve.
        progress = min(epoch, epochs) / epochs
        return float(initial_learning_rate * 0.5 * (1.0 + math.cos(math.pi * progress)))

    return schedule


class TrainingHyperModel(HyperModel):
    """Tunes the training setup alongside a dense architecture (the document's next step).

    ``build``: ``Int("num_layers", 1, 4)`` Dense layers of ``Int("units_i", 64, 512,
    step=64)`` units, one shared ``Choice("activation", relu/elu/swish)``, each followed
    by ``Dropout(Float("dropout", 0, 0.5, step=0.1))``; the optimizer is
    ``Choice("optimizer", adam/sgd/rmsprop)`` (SGD with momentum 0.9) at
    ``Float("learning_rate", 1e-4, 1e-1, sampling="log")``.

    ``fit``: ``Choice("batch_size", 32/64/128/256)`` replaces any ``batch_size`` given
    to ``search``, and ``Choice("lr_schedule", constant/cosine)`` with ``cosine`` adds a
    :func:`cosine_decay` scheduler over the ``epochs`` given to ``search``.

    The two fit-time hyperparameters are registered by :meth:`declare_hyperparameters`,
    which :meth:`build` also calls, so they are in the tuner's space before the first
    trial and every trial's values record them.

    Example:
        >>> import tunesmith as kt
        >>> tuner = kt.RandomSearch(TrainingHyperModel((32, 32, 3)), objective="val_loss",
        ...                         max_trials=10, directory="runs")  # doctest: +SKIP
        >>> tuner.search(x, y, epochs=20, validation_data=(x_val, y_val))  # doctest: +SKIP
    """

    def __init__(
        self,
        input_shape: tuple[int, ...],
        num_classes: int = 10,
        name: str | None = "training",
        tunable: bool = True,
    ) -> None:
        super().__init__(name=name, tunable=tunable)
        self.input_shape = tuple(input_shape)
        self.num_classes = num_classes

    def declare_hyperparameters(self, hp: HyperParameters) -> None:
        """Register the hyperparameters only :meth:`fit` reads."""
        hp.Choice("batch_size", list(BATCH_SIZES))
        hp.Choice("lr_schedule", ["constant", "cosine"])

    def build(self, hp: HyperParameters) -> Any:
        import keras

        # Again here, not only through the tuner's declare_hyperparameters call: a tuner
        # or a user that calls build alone still gets fit's hyperparameters in the space.
        self.declare_hyperparameters(hp)
        model = dense_input(self.input_shape)
        activation = hp.Choice("activation", ["relu", "elu", "swish"])
        dropout = hp.Float("dropout", 0.0, 0.5, step=0.1)
        num_layers = hp.Int("num_layers", 1, 4)
        assert num_layers is not None  # unconditional: always active
        for i in range(num_layers):
            model.add(
                keras.layers.Dense(hp.Int(f"units_{i}", 64, 512, step=64), activation=activation)
            )
            model.add(keras.layers.Dropout(dropout))
        model.add(keras.layers.Dense(self.num_classes, activation="softmax"))
        return compile_classifier(model, self._optimizer(hp))

    @staticmethod
    def _learning_rate(hp: HyperParameters) -> float:
        learning_rate = hp.Float("learning_rate", 1e-4, 1e-1, sampling="log")
        assert learning_rate is not None  # unconditional: always active
        return learning_rate

    def _optimizer(self, hp: HyperParameters) -> Any:
        import keras

        name = hp.Choice("optimizer", ["adam", "sgd", "rmsprop"])
        learning_rate = self._learning_rate(hp)
        if name == "sgd":
            # Plain SGD is too slow to compare fairly in a few epochs; 0.9 is the usual.
            return keras.optimizers.SGD(learning_rate=learning_rate, momentum=0.9)
        if name == "rmsprop":
            return keras.optimizers.RMSprop(learning_rate=learning_rate)
        return keras.optimizers.Adam(learning_rate=learning_rate)

    def fit(self, hp: HyperParameters, model: Any, *args: Any, **kwargs: Any) -> Any:
        """Train with the trial's batch size and learning-rate schedule.

        ``batch_size`` must reach ``search`` as a keyword (it is replaced); the caller's
        ``callbacks`` list is copied, never changed.
        """
        import keras

        self.declare_hyperparameters(hp)
        kwargs.pop("batch_size", None)
        callbacks = list(kwargs.pop("callbacks", None) or [])
        if hp.get("lr_schedule") == "cosine":
            # The starting rate comes from hp, not from model.optimizer: a model continued
            # from a checkpoint (Hyperband) carries its last, already decayed, rate.
            schedule = cosine_decay(self._learning_rate(hp), kwargs.get("epochs", 1))
            callbacks.append(keras.callbacks.LearningRateScheduler(schedule))
        return model.fit(*args, batch_size=hp.get("batch_size"), callbacks=callbacks, **kwargs)


def max_conv_blocks(input_shape: tuple[int, ...], cap: int = MAX_CONV_BLOCKS) -> int:
    """How many 2x2-pooling blocks an image allows: each keeps the map at least 2x2.

    At most ``cap`` (3): CIFAR's 32x32 would allow 4, but three blocks are the usual
    depth for it and a fourth multiplies the search's cost for little gain.

    Example:
        >>> max_conv_blocks((32, 32, 3)), max_conv_blocks((8, 8, 1))
        (3, 2)
    """
    side = min(int(input_shape[0]), int(input_shape[1]))
    if side < 4:
        raise ValueError(
            f"Images of {input_shape[0]}x{input_shape[1]} are too small for a 2x2-pooling "
            "block (at least 4x4 is needed)."
        )
    blocks = 0
    while side // 2 >= 2 and blocks < cap:
        side //= 2
        blocks += 1
    return blocks


class ConvHyperModel(HyperModel):
    """A tuned convolutional network (the document's next step after the dense models).

    ``Int("conv_blocks", 1, max_blocks)`` blocks, where ``max_blocks`` is
    :func:`max_conv_blocks` of the input. Block ``i`` (from 0) is two
    ``Conv2D(Int("filters_i", 16, 128, step=16), Choice("kernel_size", 3/5),
    padding="same", relu)``, each followed by ``BatchNormalization``, then 2x2
    ``Choice("pooling", max/avg)`` pooling and ``Dropout(Float("conv_dropout", 0, 0.5,
    step=0.1))``. Then ``GlobalAveragePooling2D``, ``Dense(Int("dense_units", 64, 512,
    step=64), relu)``, ``Dropout(Float("dense_dropout", 0, 0.5, step=0.1))`` and the
    softmax; Adam at ``Float("learning_rate", 1e-4, 1e-2, sampling="log")``.

    Two convolutions per block (VGG's pattern) see a 5x5 (or 9x9) neighbourhood
    before each pooling at little cost. Global average pooling keeps the head's size
    independent of the depth: a one-block model flattened would feed a 16x16x128 map,
    32 768 features, into the head, and its millions of weights would dominate the
    search's time.

    Example:
        >>> import tunesmith as kt
        >>> tuner = kt.BayesianOptimization(ConvHyperModel((32, 32, 3)), objective="val_loss",
        ...                                 max_trials=20, directory="runs")  # doctest: +SKIP
    """

    def __init__(
        self,
        input_shape: tuple[int, ...],
        num_classes: int = 10,
        name: str | None = "cnn",
        tunable: bool = True,
    ) -> None:
        super().__init__(name=name, tunable=tunable)
        self.input_shape = tuple(input_shape)
        self.num_classes = num_classes
        self.max_blocks = max_conv_blocks(self.input_shape)

    def build(self, hp: HyperParameters) -> Any:
        import keras
        from keras import layers

        blocks = hp.Int("conv_blocks", 1, self.max_blocks)
        assert blocks is not None  # unconditional: always active
        kernel_size = hp.Choice("kernel_size", [3, 5])
        pooling = hp.Choice("pooling", ["max", "avg"])
        conv_dropout = hp.Float("conv_dropout", 0.0, 0.5, step=0.1)
        model = keras.Sequential()
        model.add(keras.Input(shape=self.input_shape))
        for i in range(blocks):
            filters = hp.Int(f"filters_{i}", 16, 128, step=16)
            for _ in range(2):
                model.add(layers.Conv2D(filters, kernel_size, padding="same", activation="relu"))
                # Momentum 0.9, not Keras' 0.99: the moving statistics used at validation
                # must settle within a few epochs even on small data (digits: 17 steps an
                # epoch), or val_loss only rises and early stopping ends every trial.
                model.add(layers.BatchNormalization(momentum=0.9))
            pool = layers.MaxPooling2D if pooling == "max" else layers.AveragePooling2D
            model.add(pool(pool_size=2))
            model.add(layers.Dropout(conv_dropout))
        model.add(layers.GlobalAveragePooling2D())
        model.add(layers.Dense(hp.Int("dense_units", 64, 512, step=64), activation="relu"))
        model.add(layers.Dropout(hp.Float("dense_dropout", 0.0, 0.5, step=0.1)))
        model.add(layers.Dense(self.num_classes, activation="softmax"))
        learning_rate = hp.Float("learning_rate", 1e-4, 1e-2, sampling="log")
        return compile_classifier(model, keras.optimizers.Adam(learning_rate=learning_rate))
