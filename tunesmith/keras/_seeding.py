"""Reproducible trials: each execution's Keras random state seeded from the study's seed.

Right before a trial's model is built, :func:`seed_execution` calls
``keras.utils.set_random_seed`` (Python's ``random``, numpy's global generator, the
backend's, and TensorFlow's when installed) with :func:`execution_seed` of the
study's seed, the trial's id and the execution's index. Weight initialisation,
dropout and ``fit``'s shuffling then repeat from one run to the next. The seed
depends on nothing else, so a trial run again after a crash, resumed, or run in a
worker process gets the seed an uninterrupted run gives it, and a Hyperband
promotion (a trial of its own) gets its own.
"""

from __future__ import annotations

import zlib

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
    keras.utils.set_random_seed(value)
    return value
