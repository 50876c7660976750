"""The ``callbacks=`` of ``tune()`` and ``search()``: which follow the search, which fit.

A :class:`~tunesmith.execution.Callback` follows the whole search on the driver
(``tunesmith.integrations.MLflowCallback`` ...). A Keras tuner's ``search()`` has
always passed ``callbacks`` to ``model.fit`` as well, so there the list is split:
search callbacks go to the search loop, the rest stay Keras callbacks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from tunesmith.execution import Callback

#: How to turn an object into a search callback, for the error messages.
_HOW = (
    "A search callback subclasses tunesmith.execution.Callback (also tunesmith.Callback) "
    "and overrides the moments it needs (on_trial_end, ...)"
)


def search_callbacks(callbacks: Iterable[Any] | None, where: str) -> list[Callback]:
    """``callbacks`` checked to be search callbacks (``tune(callbacks=...)``).

    Example:
        >>> search_callbacks(None, "tune()")
        []
        >>> search_callbacks([object()], "tune()")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        TypeError: tune() got callbacks=[<object ...>], which is not a tunesmith ...
    """
    checked = []
    for callback in callbacks or ():
        if not isinstance(callback, Callback):
            raise TypeError(
                f"{where} got callbacks=[{_short(callback)}], which is not a tunesmith "
                f"search callback. {_HOW}. A Keras callback belongs in a Keras tuner's "
                "search(callbacks=[...]) or in the function's own model.fit."
            )
        checked.append(callback)
    return checked


def split_callbacks(
    callbacks: Iterable[Any] | None,
    is_fit_callback: Callable[[Any], bool] | None,
    where: str,
) -> tuple[list[Callback], list[Any]]:
    """``callbacks`` as (search callbacks, the others), in their order.

    With ``is_fit_callback`` (a Keras tuner's check for Keras callbacks), an object
    that is neither raises a TypeError naming both kinds; without it the others are
    passed on untouched (to a custom ``run_trial``).

    Example:
        >>> class Count(Callback):
        ...     pass
        >>> count, other = Count(), "a fit callback"
        >>> split_callbacks([count, other], None, "search()") == ([count], [other])
        True
    """
    ours: list[Callback] = []
    others: list[Any] = []
    for callback in callbacks or ():
        if isinstance(callback, Callback):
            ours.append(callback)
        elif is_fit_callback is None or is_fit_callback(callback):
            others.append(callback)
        else:
            raise TypeError(
                f"{where} got callbacks=[{_short(callback)}], which is neither a Keras "
                "callback (keras.callbacks.Callback, passed to model.fit) nor a tunesmith "
                f"search callback. Subclass keras.callbacks.Callback to act during "
                f"training; {_HOW[0].lower()}{_HOW[1:]}, to follow the search."
            )
    return ours, others


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
