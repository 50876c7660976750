"""Doctests of the package: the names its examples assume, in a scratch folder.

The examples in docstrings read like user code (``build_model``, ``x``, ``y``,
``x_val``, ``y_val``); here those names exist, small enough that an example search
takes seconds, and every doctest runs in its own empty folder so nothing lands in
the checkout.
"""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import numpy as np
import pytest
from _pytest.doctest import DoctestItem


def _build_model(hp):
    import keras

    model = keras.Sequential(
        [
            keras.Input(shape=(4,)),
            keras.layers.Dense(hp.Int("units", 4, 16, step=4), activation="relu"),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


@pytest.fixture(autouse=True)
def _doctest_names(request: pytest.FixtureRequest, tmp_path, monkeypatch) -> None:
    if not isinstance(request.node, DoctestItem):
        return
    monkeypatch.chdir(tmp_path)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(48, 4)).astype("float32")
    y = (x[:, 0] > 0).astype("float32")
    import keras

    request.getfixturevalue("doctest_namespace").update(
        keras=keras,
        np=np,
        build_model=_build_model,
        x=x[:32],
        y=y[:32],
        x_val=x[32:],
        y_val=y[32:],
    )
