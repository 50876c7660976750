"""Memory over a long search: JAX's in-memory caches cleared between trials, and
the heap found at the start of a search left out of the collector's scans.

``keras.backend.clear_session`` frees a finished trial's model, but on the JAX
backend the programs compiled for it stay in JAX's own in-memory caches (traced
functions, lowered modules, compiled executables), which nothing bounds within a
search: a W1 search grew by several MB a trial with them (``benchmarks/memory.py``),
and flat with them cleared before each trial's build. Clearing costs little now
that :mod:`~tunesmith.keras._compile_cache` keeps compiled programs on disk: a
trial that repeats an architecture reads its programs back instead of compiling.

``TUNESMITH_CLEAR_JAX_CACHES=0`` leaves the caches alone (for a process that shares
JAX with other work and wants its caches kept). The other backends are untouched.
"""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Iterator

import keras


def clearing_wanted() -> bool:
    """Whether JAX's in-memory caches are cleared between trials (see the module).

    Example:
        >>> clearing_wanted() == (keras.backend.backend() == "jax")  # by default
        True
    """
    if keras.backend.backend() != "jax":
        return False
    setting = os.environ.get("TUNESMITH_CLEAR_JAX_CACHES", "1").strip().lower()
    return setting not in ("0", "false", "no")


def clear_backend_caches() -> bool:
    """Clear JAX's in-memory compilation caches where wanted; whether it did."""
    if not clearing_wanted():
        return False
    import jax

    jax.clear_caches()
    return True


@contextlib.contextmanager
def frozen_heap() -> Iterator[None]:
    """Leave what exists before a search out of the garbage collector's scans.

    ``clear_session`` runs ``gc.collect()`` before every trial, and a full collection
    walks every tracked object: with Keras and JAX (and TensorFlow, where installed)
    imported that is hundreds of thousands of them, a tenth of a second or more per
    trial. ``gc.freeze()`` moves them to a generation the collector skips; what the
    search creates (models, trials) is still collected. They are handed back at the
    end. A process that froze its heap itself is left as it is.

    Example:
        >>> import gc
        >>> with frozen_heap():
        ...     gc.get_freeze_count() > 0
        True
        >>> gc.get_freeze_count()
        0
    """
    if gc.get_freeze_count() > 0:  # the user's own freeze: not ours to undo
        yield
        return
    gc.collect()  # what is garbage already goes now, not frozen with the rest
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
