"""What a Keras tuner measures of each model right after its build, before training.

``model/params`` (trainable parameters), ``model/bytes`` (the bytes of every
weight, trainable or not, at their dtypes) and, when asked for,
``model/latency_ms``: the median wall time of one ``predict_on_batch`` call on a
batch of zeros of the fit's ``batch_size`` (32 when not given), after two warm-up
calls that compile the prediction function. Latency is a property of this machine
(its CPU or GPU, its load, the backend), not of the model alone: compare it between
trials of one search, not across machines.

These metrics join every epoch's logs, so they can be objectives
(``tunesmith.Pareto(["val_accuracy", "model/params"])``), constraints
(``tunesmith.Constraint("model/params", max=100_000)``, checked before training),
table columns and dashboard axes.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterable
from typing import Any

import numpy as np

PARAMS = "model/params"
BYTES = "model/bytes"
LATENCY_MS = "model/latency_ms"

#: Timed calls whose median is the latency (after the warm-up calls).
LATENCY_CALLS = 5
WARMUP_CALLS = 2


def _size(variable: Any) -> int:
    return int(np.prod([int(d) for d in variable.shape], dtype=np.int64))


def parameter_count(model: Any) -> int:
    """The model's trainable parameters (``model.trainable_weights``' sizes)."""
    return sum(_size(w) for w in model.trainable_weights)


def weight_bytes(model: Any) -> int:
    """The bytes of all of the model's weights, at their dtypes."""
    return sum(_size(w) * np.dtype(str(w.dtype)).itemsize for w in model.weights)


def _zeros_batch(model: Any, batch_size: int) -> list[np.ndarray] | None:
    """A batch of zeros shaped as the model's inputs, or None when they are unknown."""
    try:
        inputs = list(model.inputs)
    except (AttributeError, ValueError):  # a subclassed model: no symbolic inputs
        return None
    if not inputs:
        return None
    batch = []
    for tensor in inputs:
        shape = [batch_size, *(1 if d is None else int(d) for d in tensor.shape[1:])]
        batch.append(np.zeros(shape, dtype=str(tensor.dtype)))
    return batch


def inference_latency_ms(model: Any, batch_size: int = 32) -> float | None:
    """The median milliseconds of one ``predict_on_batch`` call on ``batch_size`` zeros.

    None when the model's input shapes are unknown (a subclassed model before its
    first call).
    """
    batch = _zeros_batch(model, batch_size)
    if batch is None:
        return None
    data: Any = batch[0] if len(batch) == 1 else batch
    for _ in range(WARMUP_CALLS):
        model.predict_on_batch(data)
    times = []
    for _ in range(LATENCY_CALLS):
        start = time.perf_counter()
        model.predict_on_batch(data)
        times.append(time.perf_counter() - start)
    return 1000.0 * statistics.median(times)


def measure_model(
    model: Any, batch_size: int | None = None, latency: bool = False
) -> dict[str, float]:
    """``model/params`` and ``model/bytes`` of a built model, and ``model/latency_ms``
    when ``latency`` (and the inputs' shapes are known)."""
    measured = {PARAMS: float(parameter_count(model)), BYTES: float(weight_bytes(model))}
    if latency:
        milliseconds = inference_latency_ms(model, batch_size or 32)
        if milliseconds is not None:
            measured[LATENCY_MS] = milliseconds
    return measured


def latency_wanted(names: Iterable[str]) -> bool:
    """Whether any of the metric names read (objectives, constraints) is the latency."""
    return LATENCY_MS in set(names)
