"""Which Keras backend runs when the user chose none.

Keras 3 falls back to TensorFlow, which a tunesmith install does not bring: a script
doing ``import keras`` after ``import tunesmith`` would fail inside Keras with "No module
named 'tensorflow'". tunesmith installs with JAX, so it names JAX, but only where
that changes nothing the user decided: no ``KERAS_BACKEND`` set, no backend other
than TensorFlow named in ``keras.json`` (Keras writes that name into a new one
itself), Keras not imported yet, and TensorFlow not installed.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path


def _backend_in_keras_json() -> str | None:
    home = Path(os.environ.get("KERAS_HOME") or Path.home() / ".keras")
    try:
        backend = json.loads((home / "keras.json").read_text()).get("backend")
    except (OSError, ValueError, AttributeError):
        return None
    return backend if isinstance(backend, str) else None


def choose_keras_backend() -> str | None:
    """Set ``KERAS_BACKEND=jax`` where Keras would otherwise pick a missing TensorFlow.

    Returns the backend set, or None when the choice was left to the user and Keras.

    Example:
        >>> import os
        >>> choose_keras_backend() in (None, "jax")
        True
    """
    if "KERAS_BACKEND" in os.environ or "keras" in sys.modules:
        return None
    if importlib.util.find_spec("tensorflow") is not None:
        return None  # Keras' own default works
    # Keras writes "tensorflow" into a new keras.json by itself; any other name there
    # is the user's choice.
    if importlib.util.find_spec("jax") is None or _backend_in_keras_json() not in (
        None,
        "tensorflow",
    ):
        return None
    os.environ["KERAS_BACKEND"] = "jax"
    return "jax"
