"""Exceptions raised by tunesmith.

Two families matter to a search (the taxonomy keras-tuner users know):

* a *trial* error (:class:`FailedTrialError`, or any exception raised while
  building or fitting a model) marks one trial FAILED and the search goes on;
* a *fatal* error (:class:`FatalError` and its subclasses) stops the search.

Everything else here describes bad input or a bad store, and always names the
problem and the fix.
"""

from __future__ import annotations

import numbers
import traceback
from typing import Any


class TunesmithError(Exception):
    """Base class of every error tunesmith raises on purpose."""


class FailedTrialError(TunesmithError):
    """Raise from a hypermodel or objective to fail this trial without retrying it.

    Example:
        >>> def build_model(hp):
        ...     if hp.Int("units", 8, 64) > 32 and hp.Boolean("tiny_device"):
        ...         raise FailedTrialError("too large for the device")
    """


class FatalError(TunesmithError):
    """Raise to stop the whole search at once."""


class FatalValueError(FatalError, ValueError):
    """A fatal error that is also a ``ValueError``."""


class FatalTypeError(FatalError, TypeError):
    """A fatal error that is also a ``TypeError``."""


class FatalRuntimeError(FatalError, RuntimeError):
    """A fatal error that is also a ``RuntimeError``."""


class TooManyFailedTrialsError(FatalRuntimeError):
    """More trials failed in a row than ``max_consecutive_failed_trials`` allows."""


class NoRankedTrialError(LookupError, TunesmithError):
    """A best trial, model or configuration was asked for, but no trial has a score
    (none ran yet, or every one failed); the message says which and what to do."""


class SearchSpaceError(ValueError, TunesmithError):
    """A hyperparameter definition is invalid; the message names it and the fix."""


class SearchSpaceExhaustedError(TunesmithError):
    """Every configuration of a finite search space has been tried."""


class ObjectiveError(ValueError, TunesmithError):
    """The objective is unknown, ambiguous, or absent from the logged metrics."""


class MissingObjectiveError(FatalError, ObjectiveError):
    """The objective is absent from the first epoch's logs: every trial would train in
    vain, so the search stops there."""


class StoreError(TunesmithError):
    """The project's store cannot be used as it is."""


class StoreCorruptError(StoreError):
    """The store file exists but is not a readable tunesmith database."""


class StoreVersionError(StoreError):
    """The store was written by a newer tunesmith than the one running."""


class StoreLockedError(StoreError):
    """Another process is already running a search on this project."""


class StudyMismatchError(StoreError, FatalRuntimeError):
    """The store holds a study whose settings contradict the ones asked for."""


class DataSourceError(ValueError, TunesmithError):
    """A dataset is missing, truncated or not what was expected; the message says how to fix it."""


class UnknownArgumentError(TypeError, ValueError, TunesmithError):
    """A tuner or oracle got an argument it does not take.

    Both a ``TypeError`` (as Python raises for an unknown keyword) and a
    ``ValueError`` (as keras-tuner raises), so either ``except`` catches it.
    """


class InvalidArgumentError(FatalTypeError, ValueError):
    """An argument of the wrong kind (a tuner's ``oracle``, ``hypermodel``...).

    A ``TypeError`` and a ``ValueError`` (keras-tuner raises the latter), and fatal.
    """


class ChiefWorkerEnvironmentError(FatalRuntimeError):
    """keras-tuner's chief/worker variables are set; tunesmith does not use that protocol."""


def check_count(name: str, value: Any, least: int) -> int:
    """``value`` when it is a whole number of at least ``least``; else a clear error.

    ``True`` and ``2.0`` are refused: a count is an ``int``. The one check of every
    integer argument (``max_trials``, ``factor``, a pruner's steps...).

    Example:
        >>> try:
        ...     check_count("max_trials", 2.5, least=1)
        ... except ValueError as error:
        ...     print(error)
        max_trials needs to be a whole number of at least 1, got 2.5 (float).
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < least:
        raise InvalidArgumentError(
            f"{name} needs to be a whole number of at least {least}, got {value!r} "
            f"({type(value).__name__})."
        )
    return int(value)


_OUT_OF_MEMORY_MARKS = ("RESOURCE_EXHAUSTED", "out of memory", "OutOfMemory", "OOM when")


def format_trial_error(error: BaseException | str) -> str:
    """The text stored with a failed trial: the traceback, then what to do about it.

    Example:
        >>> format_trial_error("diverged")
        'diverged'
    """
    if isinstance(error, BaseException):
        text = "".join(traceback.format_exception(error))
        if error.__traceback__ is None:
            text = f"{type(error).__name__}: {error}"
    else:
        text = str(error)
    if isinstance(error, MemoryError) or any(m in text for m in _OUT_OF_MEMORY_MARKS):
        # Said last, so the summary line (the last line) tells what to do.
        text += (
            "\nOut of memory in this trial: lower the batch size or the model's size "
            "(e.g. the range of units or layers); the other trials are unaffected."
        )
    return text
