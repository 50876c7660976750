"""``executor=`` as users write it, turned into an executor."""

from __future__ import annotations

from tunesmith.errors import InvalidArgumentError
from tunesmith.execution._executor import Executor, Inline
from tunesmith.execution._ray import RayWorkers
from tunesmith.execution._workers import LocalWorkers


def as_executor(executor: Executor | str | None) -> Executor:
    """``executor=`` of a tuner or of ``tune()``: an :class:`Executor`.

    ``None`` or ``"inline"`` is :class:`Inline`; ``"processes"`` is
    :class:`LocalWorkers` with its defaults and ``"ray"`` :class:`RayWorkers`; any
    object with a ``pool(task, respond)`` method is used as it is.

    Example:
        >>> as_executor("processes").devices
        'auto'
        >>> as_executor(None)
        Inline()
    """
    if executor is None or executor == "inline":
        return Inline()
    if executor == "processes":
        return LocalWorkers()
    if executor == "ray":
        return RayWorkers()
    if isinstance(executor, Executor):
        return executor
    raise InvalidArgumentError(
        f"executor={executor!r} is not understood: pass None (trials in this process), "
        "'processes' or tunesmith.LocalWorkers(workers=N, devices='auto') for worker "
        "processes here, 'ray' or tunesmith.RayWorkers(...) for a Ray cluster, or an "
        "object with a pool(task, respond) method (tunesmith.execution.Executor)."
    )
