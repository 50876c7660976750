"""Multi-fidelity trials: the ``tuner/*`` values and the checkpoints promotions resume from.

Hyperband and ASHA hand out trials whose values hold keras-tuner's keys:
``tuner/epochs`` (train up to this epoch), ``tuner/initial_epoch`` (start at this
one), ``tuner/bracket``, ``tuner/round`` and, for a promotion, ``tuner/trial_id``:
the trial whose last-epoch state (weights *and* optimizer state) the promoted
trial continues from. The tuner reacts to the keys alone, so any oracle that
emits them gets the same behaviour.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from tunesmith.keras._building import build_from_saved_config, save_weights
from tunesmith.space import EPOCHS, INITIAL_EPOCH, PARENT

if TYPE_CHECKING:
    from tunesmith.trial import Trial


class TrialFolders(Protocol):
    """Where checkpoints go: a storage's trial folders (or a worker's trial context)."""

    def trial_dir(self, trial_id: str) -> Path: ...


class TrialsView(Protocol):
    """What checkpoints read of the oracle (or of a worker's view of it)."""

    @property
    def trials(self) -> Mapping[str, Trial]: ...

    def full_training_epochs(self) -> int | None: ...


LAST_FILE = "last.weights.h5"
BUILD_FILE = "last.build.json"


def fidelity_fit_kwargs(values: Mapping[str, Any], fit_kwargs: dict[str, Any]) -> dict[str, Any]:
    """``fit_kwargs`` with ``epochs`` / ``initial_epoch`` taken from the trial's values.

    As in keras-tuner's ``Hyperband.run_trial``, the oracle's budget overrides the
    ``epochs`` given to ``search``.

    Example:
        >>> fidelity_fit_kwargs({"tuner/epochs": 9, "tuner/initial_epoch": 3}, {"epochs": 50})
        {'epochs': 9, 'initial_epoch': 3}
    """
    if EPOCHS not in values:
        return fit_kwargs
    out = dict(fit_kwargs)
    out["epochs"] = int(values[EPOCHS])
    out["initial_epoch"] = int(values.get(INITIAL_EPOCH, 0))
    return out


class Checkpoints:
    """Last-epoch checkpoints of the trials a multi-fidelity oracle may promote.

    ``trials/<id>/last.weights.h5`` holds the model's weights and its optimizer's
    variables (step count, Adam moments, learning rate) after the trial's last
    epoch: Keras 3's ``save_weights`` writes both, and ``load_weights`` restores
    the optimizer's only once it has built its variables, which :meth:`restore`
    makes sure of. A checkpoint is deleted once the trial that continued from it
    has finished: a trial is promoted at most once.
    """

    #: A tuner sent to a worker leaves it behind (the worker makes its own).
    stays_with_driver = True

    def __init__(self, store: TrialFolders, oracle: TrialsView) -> None:
        self.store = store
        self.oracle = oracle
        self._released: set[str] = set()

    def path(self, trial_id: str) -> Path:
        return self.store.trial_dir(trial_id) / LAST_FILE

    def wanted(self, trial: Trial) -> bool:
        """Whether ``trial`` may be promoted, i.e. has a budget below the oracle's maximum."""
        values = trial.values
        if EPOCHS not in values:
            return False
        full = self.oracle.full_training_epochs()
        return full is None or int(values[EPOCHS]) < full

    def save(self, model: Any, trial: Trial, input_shape: list[int | None] | None = None) -> None:
        """Write ``model``'s current weights and optimizer state as ``trial``'s last epoch."""
        path = self.path(trial.trial_id)
        save_weights(model, path, path.with_name(BUILD_FILE), input_shape)

    def restore(self, model: Any, parent_id: str) -> bool:
        """Load the parent's last state into ``model``; False when it has no checkpoint.

        The optimizer's variables are built first, otherwise Keras skips them
        with a warning and the promoted trial would restart Adam from step 0.
        """
        path = self.path(parent_id)
        if not path.exists():
            return False
        build_from_saved_config(model, path.with_name(BUILD_FILE))
        optimizer = getattr(model, "optimizer", None)
        if optimizer is not None and not optimizer.built:
            optimizer.build(model.trainable_variables)
        with warnings.catch_warnings():
            # Only if the model was compiled without an optimizer; weights still load.
            warnings.filterwarnings("ignore", message="Skipping variable loading for optimizer")
            model.load_weights(path)
        return True

    def release_finished(self) -> None:
        """Delete the checkpoints of parents whose promoted trial has finished.

        A requeued child (crashed, or failed with retries left) is still RUNNING,
        so its parent's checkpoint stays until the child is done for good.
        """
        for trial in list(self.oracle.trials.values()):
            parent = trial.values.get(PARENT)
            if parent is None or not trial.status.is_finished:
                continue
            parent = str(parent)
            if parent in self._released:
                continue
            self._released.add(parent)
            for name in (LAST_FILE, BUILD_FILE):
                self.path(parent).with_name(name).unlink(missing_ok=True)
