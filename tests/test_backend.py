"""Without a backend chosen, `import tunesmith` makes Keras use JAX, not a missing TensorFlow."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys

import pytest

pytest.importorskip("jax")
if importlib.util.find_spec("tensorflow") is not None:
    pytest.skip("TensorFlow is installed: Keras' own default works", allow_module_level=True)

PROBE = (
    "import tunesmith, keras, os; print(keras.backend.backend(), os.environ.get('KERAS_BACKEND'))"
)


def run_probe(tmp_path, code=PROBE, **env):
    clean = {k: v for k, v in os.environ.items() if k not in ("KERAS_BACKEND", "KERAS_HOME")}
    clean.update(HOME=str(tmp_path), **env)
    result = subprocess.run(
        [sys.executable, "-c", code], env=clean, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_no_choice_means_jax(tmp_path):
    assert run_probe(tmp_path) == ["jax", "jax"]


def test_the_users_environment_variable_wins(tmp_path):
    assert run_probe(tmp_path, KERAS_BACKEND="numpy") == ["numpy", "numpy"]


def test_a_backend_named_in_keras_json_wins(tmp_path):
    (tmp_path / ".keras").mkdir()
    (tmp_path / ".keras" / "keras.json").write_text(json.dumps({"backend": "numpy"}))
    assert run_probe(tmp_path) == ["numpy", "None"]


def test_the_tensorflow_keras_writes_by_itself_is_no_choice(tmp_path):
    (tmp_path / ".keras").mkdir()
    (tmp_path / ".keras" / "keras.json").write_text(json.dumps({"backend": "tensorflow"}))
    assert run_probe(tmp_path) == ["jax", "jax"]


def test_import_tunesmith_loads_no_heavy_library(tmp_path):
    code = (
        "import sys, tunesmith; print(' '.join(m for m in ('keras', 'jax', 'scipy.stats', "
        "'scipy.optimize', 'pandas', 'matplotlib', 'sklearn') if m in sys.modules) or 'none')"
    )
    assert run_probe(tmp_path, code=code) == ["none"]
