"""Reproducible trials: each execution's Keras random state seeded from the study's seed.

Right before a trial's model is built, :func:`seed_execution` calls
``keras.utils.set_random_seed`` (Python's ``random``, numpy's global generator, the
backend's, and TensorFlow's when the program has imported it) with :func:`execution_seed` of the
study's seed, the trial's id and the execution's index. Weight initialisation,
dropout and ``fit``'s shuffling then repeat from one run to the next. The seed
depends on nothing else, so a trial run again after a crash, resumed, or run in a
worker process gets the seed an uninterrupted run gives it, and a Hyperband
promotion (a trial of its own) gets its own.
"""

from __future__ import annotations

import sys
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

import keras
import numpy as np


def execution_seed(seed: int, trial_id: str, execution: int = 0) -> int:
    """The seed of one execution of one trial, below 2**31.

    Example:
        >>> execution_seed(1, "03", 0) == execution_seed(1, "03", 0)
        True
        >>> execution_seed(1, "03", 0) != execution_seed(2, "03", 0)
        True
    """
    key = [int(seed) & 0xFFFFFFFF, zlib.crc32(str(trial_id).encode()), int(execution)]
    return int(np.random.SeedSequence(key).generate_state(1)[0]) & 0x7FFFFFFF


def seed_execution(seed: int | None, trial_id: str, execution: int = 0) -> int | None:
    """Seed Keras (and Python, numpy, the backend) for one execution; the seed used.

    Nothing happens with ``seed=None``. Call it after ``keras.backend.clear_session``,
    which forgets Keras' global seed.
    """
    if seed is None:
        return None
    value = execution_seed(seed, trial_id, execution)
    with _tensorflow_only_if_loaded():
        keras.utils.set_random_seed(value)
    return value


@contextmanager
def _tensorflow_only_if_loaded() -> Iterator[None]:
    """Keep ``set_random_seed`` from importing TensorFlow just to seed it.

    Keras seeds TensorFlow whenever it is installed, for ``tf.data`` pipelines, and
    imports it to find out: about 400 MB and seconds in every process, every worker
    included, under a backend that never uses it. A program that uses ``tf.data`` has
    imported TensorFlow already, and is seeded as before; so is the TensorFlow
    backend. Keras reads TensorFlow through a lazy module that caches whether it is
    available: that cache answers "not available" for the call, then is cleared.
    """
    lazy = None
    if keras.backend.backend() != "tensorflow" and "tensorflow" not in sys.modules:
        try:
            from keras.src.utils import rng_utils
        except ImportError:  # a Keras laid out otherwise: it seeds as it does
            rng_utils = None
        candidate = getattr(rng_utils, "tf", None)
        never_probed = getattr(candidate, "_available", True) is None
        if never_probed and getattr(candidate, "module", 1) is None:
            lazy = candidate
    if lazy is None:
        yield
        return
    lazy._available = False
    try:
        yield
    finally:
        lazy._available = None
