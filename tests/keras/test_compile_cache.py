"""The Keras tuners' compiled programs are cached on disk for every later process:
a second process running the same search reads them back; a folder that cannot
be written, a cache the user configured and the opt-out are respected."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SEARCH = textwrap.dedent(
    """
    import json, sys
    import jax.monitoring
    hits = []
    jax.monitoring.register_event_listener(
        lambda event, **kw: hits.append(event) if event.endswith("cache_hits") else None
    )
    import keras
    import numpy as np
    import tunesmith as kt
    from tunesmith.keras._compile_cache import enable_compile_cache

    x = np.random.default_rng(0).normal(size=(64, 6)).astype("float32")
    y = (x[:, 0] > 0).astype("float32")

    def build(hp):
        model = keras.Sequential([
            keras.Input((6,)),
            keras.layers.Dense(hp.Choice("units", [4, 8]), activation="relu"),
            keras.layers.Dense(1, activation="sigmoid"),
        ])
        model.compile("adam", "binary_crossentropy")
        return model

    tuner = kt.RandomSearch(build, objective="val_loss", max_trials=2, seed=0,
                            directory=sys.argv[1], overwrite=True, verbose=0)
    tuner.search(x, y, epochs=2, validation_split=0.25, verbose=0)
    folder = enable_compile_cache()
    print(json.dumps({"hits": len(hits), "folder": None if folder is None else str(folder),
                      "trials": len(tuner.oracle.trials)}))
    """
)


def search(tmp_path: Path, **env: str) -> dict:
    script = tmp_path / "search.py"
    script.write_text(SEARCH)
    environment = {**os.environ, "KERAS_BACKEND": "jax", **env}
    environment.pop("JAX_COMPILATION_CACHE_DIR", None)
    environment.update(env)  # a test may set it again
    done = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "project")],
        capture_output=True,
        text=True,
        env=environment,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def entries(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_a_second_process_reads_the_programs_the_first_compiled(tmp_path):
    cache = tmp_path / "cache"
    first = search(tmp_path, TUNESMITH_CACHE_DIR=str(cache))
    assert first["folder"] == str(cache / "jax") and first["trials"] == 2
    written = entries(cache / "jax")
    assert written  # the train, test and predict steps, at least
    second = search(tmp_path, TUNESMITH_CACHE_DIR=str(cache))
    # Read back rather than compiled again: train, test and predict steps at least.
    assert second["hits"] >= 4 and second["hits"] > first["hits"]


def test_a_folder_that_cannot_be_written_leaves_the_search_uncached(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")  # even root cannot make a folder under a file
    result = search(tmp_path, TUNESMITH_CACHE_DIR=str(blocker / "cache"))
    assert result["folder"] is None and result["trials"] == 2


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_leaves_the_search_uncached(tmp_path):
    cache = tmp_path / "cache"
    (cache / "jax").mkdir(parents=True)
    (cache / "jax").chmod(0o500)
    try:
        result = search(tmp_path, TUNESMITH_CACHE_DIR=str(cache))
    finally:
        (cache / "jax").chmod(0o700)
    assert result["folder"] is None and result["trials"] == 2


def test_a_cache_the_user_configured_is_theirs(tmp_path):
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    result = search(tmp_path, TUNESMITH_CACHE_DIR=str(ours), JAX_COMPILATION_CACHE_DIR=str(theirs))
    assert result["folder"] is None
    assert not entries(ours)  # JAX's own threshold and folder, untouched


def test_the_cache_can_be_turned_off(tmp_path):
    cache = tmp_path / "cache"
    result = search(tmp_path, TUNESMITH_CACHE_DIR=str(cache), TUNESMITH_COMPILE_CACHE="0")
    assert result["folder"] is None and not entries(cache)
