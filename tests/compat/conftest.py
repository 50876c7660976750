from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")


@pytest.fixture
def data():
    """A small, learnable binary problem: 200 rows, 8 features."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(240, 8)).astype("float32")
    y = (x[:, 0] + 0.5 * x[:, 1] > 0).astype("float32")
    return x[:200], y[:200], x[200:], y[200:]


def build_model(hp):
    model = keras.Sequential(
        [
            keras.Input(shape=(8,)),
            keras.layers.Dense(hp.Int("units", 4, 16, step=4), activation="relu"),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(hp.Choice("lr", [1e-2, 3e-2])),
        loss="binary_crossentropy",
        metrics=["accuracy"],
    )
    return model


@pytest.fixture
def hypermodel():
    return build_model
