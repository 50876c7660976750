"""The ``tuner/*`` values: a multi-fidelity trial's bookkeeping, in one place.

As in keras-tuner, the values of a trial that Hyperband or ASHA hands out hold,
besides its hyperparameters: ``tuner/epochs`` (train up to this epoch: Keras'
``epochs=``), ``tuner/initial_epoch`` (start from this one: Keras' ``initial_epoch=``),
``tuner/bracket``, ``tuner/round`` and, for a promoted trial only, ``tuner/trial_id``:
the parent whose last-epoch checkpoint it continues from. They are not
hyperparameters: nothing defines them, ``with_values`` carries them over, and
:func:`~tunesmith.space.config_key` ignores them (a promoted trial is the same
configuration as its parent). Stored with the trial's values, they are all a resumed
study needs to rebuild its schedule, and all a tuner needs to resume a fit.
"""

from __future__ import annotations

TUNER_PREFIX = "tuner/"
EPOCHS = "tuner/epochs"
INITIAL_EPOCH = "tuner/initial_epoch"
BRACKET = "tuner/bracket"
ROUND = "tuner/round"
PARENT = "tuner/trial_id"


def is_tuner_value(name: object) -> bool:
    """Whether ``name`` is one of the tuner's bookkeeping values (``tuner/...``).

    Example:
        >>> is_tuner_value("tuner/epochs"), is_tuner_value("units")
        (True, False)
    """
    return isinstance(name, str) and name.startswith(TUNER_PREFIX)
