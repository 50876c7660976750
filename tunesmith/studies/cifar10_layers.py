"""The pieces every W2 model starts and ends with (Keras imported when first used)."""

from __future__ import annotations

from typing import Any


def compile_classifier(model: Any, optimizer: Any = "adam") -> Any:
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def dense_input(input_shape: tuple[int, ...]) -> Any:
    """A Sequential model holding the input and the Flatten every dense model starts with."""
    import keras

    model = keras.Sequential()
    model.add(keras.Input(shape=tuple(input_shape)))
    model.add(keras.layers.Flatten())
    return model
