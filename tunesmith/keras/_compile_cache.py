"""Compile each program once: JAX's persistent compilation cache, in a per-user folder.

Fitting a small network is mostly XLA compiling its train, test and predict steps
(about 1.5 s of a 1.6 s fit of the breast-cancer network on a CPU). The same
architecture comes back all the time in a search: in each execution of a trial,
in Hyperband's promotions, in retried and resumed trials, in every worker, and
whenever two configurations share their shapes. With JAX's persistent cache the
compiled programs are written to disk once and read back by any process after.

The cache goes in ``$TUNESMITH_CACHE_DIR``, else ``$XDG_CACHE_HOME/tunesmith/jax``,
else ``~/.cache/tunesmith/jax``: never in a project's folder (a store is data; a
cache is disposable). Nothing happens when:

- the backend is not JAX (TensorFlow and torch keep their own caches, if any);
- the user configured JAX's cache already (``JAX_COMPILATION_CACHE_DIR`` or
  ``jax.config``): theirs is used as they set it;
- ``TUNESMITH_COMPILE_CACHE=0``;
- the folder cannot be written (a read-only home): the search runs uncached.

Entries are kept under 2 GiB in all, least recently used first out (where the
``filelock`` package JAX uses for that is installed, as the keras extra does).
"""

from __future__ import annotations

import importlib.util
import logging
import os
import tempfile
from pathlib import Path

import keras

logger = logging.getLogger(__name__)

#: Largest size of the cache folder, in bytes (JAX evicts the least recently used).
MAX_CACHE_BYTES = 2 * 1024**3

_enabled: Path | None = None
_decided = False


def cache_folder() -> Path:
    """Where tunesmith keeps JAX's compiled programs (see the module).

    Example:
        >>> cache_folder().name
        'jax'
    """
    explicit = os.environ.get("TUNESMITH_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser() / "jax"
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser() / "tunesmith" / "jax"


def _writable(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".probe-"):
            pass
    except OSError:
        return False
    return True


def enable_compile_cache() -> Path | None:
    """Turn on JAX's persistent compilation cache for this process, once.

    Returns the folder in use, or None where nothing was turned on (see the module).
    Called by the Keras tuners before a trial builds its model, in the driver and in
    every worker.
    """
    global _enabled, _decided
    if _decided:
        return _enabled
    _decided = True
    if keras.backend.backend() != "jax":
        return None
    if os.environ.get("TUNESMITH_COMPILE_CACHE", "1").strip().lower() in ("0", "false", "no"):
        return None
    import jax
    from jax.experimental.compilation_cache import compilation_cache

    if getattr(
        jax.config, "jax_compilation_cache_dir", None
    ):  # the user's own (or JAX's env variable)
        return None
    folder = cache_folder()
    if not _writable(folder):
        logger.info("The compilation cache folder %s cannot be written; not caching.", folder)
        return None
    jax.config.update("jax_compilation_cache_dir", str(folder))
    # Small networks compile each step in well under JAX's default 1 s threshold.
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
    # JAX bounds the folder with file locks from `filelock` (in the keras extra);
    # without it, asking for a bound makes every cache read fail with a warning.
    bounded = importlib.util.find_spec("filelock") is not None
    if bounded and getattr(jax.config, "jax_compilation_cache_max_size", -1) in (None, -1):
        jax.config.update("jax_compilation_cache_max_size", MAX_CACHE_BYTES)
    # JAX decides at its first compile whether a cache is used; anything compiled
    # before now (data preparation, a seed) made it decide "no".
    compilation_cache.reset_cache()
    _enabled = folder
    return folder
