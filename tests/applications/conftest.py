from __future__ import annotations

import pytest

keras = pytest.importorskip("keras")


@pytest.fixture(autouse=True)
def _fresh_keras_session():
    """Each test builds its models from a clean graph-name state, and frees them after."""
    yield
    keras.backend.clear_session()
