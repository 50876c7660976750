"""The search space's own errors, each a :class:`~tunesmith.errors.SearchSpaceError`.

They also subclass the built-in type keras-tuner raises in the same situation
(``KeyError`` for an unknown name, ``TypeError`` for a value of the wrong type), so
code that catches keras-tuner's exceptions catches tunesmith's.
"""

from __future__ import annotations

from tunesmith.errors import SearchSpaceError


class UnknownHyperParameterError(SearchSpaceError, KeyError):
    """No hyperparameter of that name is registered (a ``KeyError`` too, as in keras-tuner).

    Example:
        >>> from tunesmith.space import HyperParameters
        >>> try:
        ...     HyperParameters().get("units")
        ... except KeyError as error:
        ...     print(type(error).__name__)
        UnknownHyperParameterError
    """

    def __str__(self) -> str:
        # KeyError would print the message quoted, as if it were the missing key.
        return str(self.args[0]) if self.args else ""


class InactiveHyperParameterError(SearchSpaceError):
    """The hyperparameter is registered but inactive: its conditions do not hold for the
    current values, so it has no value to read (a ``ValueError``, as in keras-tuner).

    Example:
        >>> from tunesmith.space import HyperParameters
        >>> hp = HyperParameters()
        >>> _ = hp.Choice("model", ["mlp", "cnn"])
        >>> with hp.conditional_scope("model", "cnn"):
        ...     _ = hp.Int("filters", 16, 64)
        >>> hp.is_active("filters")
        False
        >>> try:
        ...     hp["filters"]
        ... except ValueError as error:
        ...     print(type(error).__name__)
        InactiveHyperParameterError
    """


class SearchSpaceTypeError(SearchSpaceError, TypeError):
    """A value of a type the search space cannot hold (a list as a Choice value, ``None``
    in a condition). A ``TypeError`` as in keras-tuner, and a ``ValueError`` like every
    other :class:`~tunesmith.errors.SearchSpaceError`.

    Example:
        >>> from tunesmith.space import Choice
        >>> try:
        ...     Choice("shape", [[1], [2]])
        ... except TypeError as error:
        ...     print(type(error).__name__)
        SearchSpaceTypeError
    """


class ConflictingDefinitionError(SearchSpaceError):
    """A name is registered again with another definition (under the same conditions).

    Within one search this means the hypermodel or objective function changed (or
    defines one name twice): every trial would fail the same way, so a search treats
    it as a changed study rather than as one failed trial.
    """
