"""Shared test set-up: the JAX backend unless the user chose one, fixed seeds."""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "jax")
# Quiet JAX's CPU warnings and keep each test process from grabbing every core.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
import pytest


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(1234)
