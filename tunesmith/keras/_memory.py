"""Flat memory over a long search: JAX's in-memory caches are cleared between trials.

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

import os

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
