"""The Keras tuner: runs ``fit`` for every trial an oracle hands out."""

from __future__ import annotations

import copy
import math
import os
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import keras
import pandas as pd

from tunesmith.errors import FailedTrialError, FatalTypeError, StoreError
from tunesmith.execution import (
    SearchDisplay,
    TrialOutcome,
    results_summary_text,
    run_search,
    search_space_summary_text,
)
from tunesmith.keras._callbacks import TrialRecorder
from tunesmith.keras._fidelity import PARENT, Checkpoints, fidelity_fit_kwargs
from tunesmith.keras._hypermodel import HyperModel, as_hypermodel
from tunesmith.objective import Objective
from tunesmith.oracles import Oracle
from tunesmith.space import HyperParameters
from tunesmith.store import Store
from tunesmith.tensorboard._search import SearchBoard, execution_callback, is_tensorboard_callback
from tunesmith.trial import Trial

WEIGHTS_FILE = "best.weights.h5"


class Tuner:
    """Searches an oracle's space by building and fitting Keras models.

    Arguments follow keras-tuner's ``Tuner``. ``search`` takes exactly what
    ``model.fit`` takes. Results live in one SQLite store per project at
    ``<directory>/<project_name>/``; with ``overwrite=False`` (the default) a new
    tuner on the same folder resumes the study where it stopped.

    Multi-fidelity oracles (Hyperband, ASHA) put keras-tuner's ``tuner/*`` values in
    each trial's hyperparameters; the tuner acts on them whatever the oracle:
    ``tuner/epochs`` and ``tuner/initial_epoch`` replace ``fit``'s ``epochs`` and
    ``initial_epoch``, a trial below the oracle's ``max_epochs`` leaves its last
    epoch's weights and optimizer state in ``trials/<id>/last.weights.h5`` (of its
    best execution, with several), and a trial with ``tuner/trial_id`` starts from
    that file of its parent, so it continues training rather than restarting. The
    file is deleted once the continuation has finished.

    Args:
        oracle: The search algorithm.
        hypermodel: ``build_model(hp)`` or a :class:`HyperModel`.
        max_model_size: Trials whose model has more parameters fail at once.
        optimizer, loss, metrics: When given, every built model is compiled with them.
        directory, project_name: Where the store lives.
        overwrite: Start afresh, removing this project's stored trials.
        executions_per_trial: Fits per trial; scores are averaged, every curve kept.
        verbose: Default display verbosity (``search(verbose=...)`` overrides it).
        distribution_strategy, logger, tuner_id: Accepted for keras-tuner
            compatibility; not used.
    """

    def __init__(
        self,
        oracle: Oracle,
        hypermodel: HyperModel | Callable[[HyperParameters], Any] | None = None,
        max_model_size: int | None = None,
        optimizer: Any = None,
        loss: Any = None,
        metrics: Any = None,
        distribution_strategy: Any = None,
        directory: str | os.PathLike[str] | None = None,
        project_name: str | None = None,
        logger: Any = None,
        tuner_id: str | None = None,
        overwrite: bool = False,
        executions_per_trial: int = 1,
        verbose: int = 1,
        **kwargs: Any,
    ) -> None:
        if kwargs:
            raise TypeError(
                f"Unknown argument(s) for {type(self).__name__}: {', '.join(sorted(kwargs))}."
            )
        if executions_per_trial < 1:
            raise ValueError("executions_per_trial must be at least 1.")
        self.oracle = oracle
        # A subclass that overrides run_trial may need no hypermodel at all.
        overrides_run_trial = type(self).run_trial is not Tuner.run_trial
        self.hypermodel = (
            None if hypermodel is None and overrides_run_trial else as_hypermodel(hypermodel)
        )
        self.max_model_size = max_model_size
        self.optimizer = optimizer
        self.loss = loss
        self.metrics = metrics
        self.executions_per_trial = executions_per_trial
        self.verbose = verbose
        self.directory = Path(directory if directory is not None else ".")
        self.project_name = project_name or "untitled_project"
        self.project_dir = self.directory / self.project_name
        self.tuner_id = tuner_id or "tuner0"
        self.store = Store.open(self.project_dir, overwrite=overwrite)
        self.oracle.attach_store(self.store)
        self.checkpoints = Checkpoints(self.store, self.oracle)
        self.display = SearchDisplay(verbose=verbose)
        self._populate_space()

    # ------------------------------------------------------------------ search
    def search(self, *fit_args: Any, **fit_kwargs: Any) -> None:
        """Run the search. Arguments are forwarded to ``model.fit`` for every trial.

        Callbacks are copied afresh for each execution, so ``EarlyStopping`` acts per
        trial. A ``keras.callbacks.TensorBoard(log_dir)`` logs each execution to
        ``<log_dir>/trial_<id>/execution_<n>`` (on any backend: without TensorFlow,
        :class:`~tunesmith.tensorboard.TensorBoardLogger` writes its epoch scalars),
        and each trial's values, status and score to the HParams dashboard.
        ``verbose`` sets the tuner's display (0 silent, 1 a table per trial, 2 also
        one line per epoch); the fits themselves run silently.

        Example:
            >>> tuner.search(x, y, epochs=20, validation_data=(x_val, y_val),
            ...              callbacks=[keras.callbacks.EarlyStopping("val_loss", patience=3)])
        """
        self.display.verbose = int(fit_kwargs.pop("verbose", self.verbose))
        # Keras' own progress bars would interleave with the display, which has an
        # epoch line of its own at verbose=2.
        fit_kwargs["verbose"] = 0
        # With a TensorBoard callback: each trial's HParams session and the experiment.
        board = SearchBoard.from_callbacks(fit_kwargs.get("callbacks"), self.oracle)

        def run(trial: Trial) -> TrialOutcome:
            if board is not None:
                board.trial_begin(trial)
            try:
                return self._outcome(trial, self.run_trial(trial, *fit_args, **fit_kwargs))
            finally:
                # build(hp), fit(hp, ...) or a custom run_trial may have declared new
                # hyperparameters, even when they then failed.
                self.oracle.update_space(trial.hyperparameters)

        try:
            run_search(self.oracle, run, self.display)
        finally:
            self.checkpoints.release_finished()  # the last promotion, told by now
            if board is not None:
                board.close()  # the last trial, told by now

    def _populate_space(self) -> None:
        """Build once with defaults so the oracle knows the space before the first trial.

        The build starts from an empty space, so a definition that differs from the
        stored study's is caught here (``StudyMismatchError``) rather than failing
        every trial.
        """
        if self.hypermodel is None:
            return
        hp = HyperParameters()
        self.hypermodel.declare_hyperparameters(hp)
        # No clear_session here: each trial starts with one, which frees this model.
        try:
            self.hypermodel.build(hp)
        except Exception:  # the first trial reports the error with its traceback
            return
        self.oracle.update_space(hp)

    def run_trial(self, trial: Trial, *fit_args: Any, **fit_kwargs: Any) -> Any:
        """Build and fit ``executions_per_trial`` models for ``trial``.

        When the trial's values hold ``tuner/epochs`` (Hyperband, ASHA), they set
        ``epochs`` and ``initial_epoch``; with ``tuner/trial_id`` the model starts
        from that trial's last-epoch weights and optimizer state. A trial that may
        be promoted keeps its last-epoch state (of its best execution) for that.

        Override to train in your own way: return the objective's value or a dict of
        metrics holding it.
        """
        hp = trial.hyperparameters
        self.checkpoints.release_finished()
        fit_kwargs = fidelity_fit_kwargs(hp.values, fit_kwargs)
        parent = hp.values.get(PARENT)
        user_callbacks = list(fit_kwargs.pop("callbacks", None) or [])
        total_epochs = fit_kwargs.get("epochs")
        best: TrialRecorder | None = None
        best_model: Any = None
        per_execution: list[TrialRecorder] = []
        for execution in range(self.executions_per_trial):
            # Frees the previous models (clear_session runs gc.collect): memory stays
            # flat across trials. A second collection per trial would cost ~0.2 s.
            keras.backend.clear_session()
            model = self._build(hp)
            if parent is not None and not self.checkpoints.restore(model, str(parent)):
                fit_kwargs = self._without_parent(trial, str(parent), fit_kwargs)
            recorder = TrialRecorder(self.oracle, trial, execution, self.display, total_epochs)
            callbacks = [*self._fresh_callbacks(user_callbacks, trial, execution), recorder]
            returned = self.hypermodel.fit(hp, model, *fit_args, callbacks=callbacks, **fit_kwargs)
            if _is_result(returned) and recorder.epochs_run == 0:
                return returned  # a custom fit that computes its own score
            per_execution.append(recorder)
            if recorder.best_value is not None and (
                best is None or self.oracle.objective.better(recorder.best_value, best.best_value)
            ):
                best, best_model = recorder, model
        if best is not None:
            if self.checkpoints.wanted(trial):
                # Before the best epoch's weights replace the last epoch's.
                self.checkpoints.save(best_model, trial)
            best.restore_best_weights()
            self._save_weights(best_model, trial)
        return _ExecutionsResult(per_execution)

    def _without_parent(self, trial: Trial, parent: str, fit_kwargs: dict) -> dict:
        """Train a promotion whose parent left no checkpoint from scratch, to its epochs."""
        warnings.warn(
            f"Trial {trial.trial_id} continues trial {parent}, which left no checkpoint "
            f"(looked for {self.checkpoints.path(parent)}); it trains from epoch 0 instead.",
            RuntimeWarning,
            stacklevel=3,
        )
        return {**fit_kwargs, "initial_epoch": 0}

    def _outcome(self, trial: Trial, returned: Any) -> TrialOutcome:
        if isinstance(returned, _ExecutionsResult):
            return returned.outcome(self.oracle.objective)
        if isinstance(returned, keras.callbacks.History):
            logs = {k: v[-1] for k, v in returned.history.items() if v}
            return TrialOutcome(result=logs, epochs=len(returned.epoch))
        if _is_result(returned):
            return TrialOutcome(result=returned)
        raise FatalTypeError(
            "run_trial must return the objective's value, a dict of metrics, or a "
            f"keras History; it returned {type(returned).__name__}."
        )

    def _build(self, hp: HyperParameters) -> Any:
        model = self.hypermodel.build(hp)
        if not isinstance(model, keras.Model):
            raise FatalTypeError(
                f"build(hp) must return a keras.Model, it returned {type(model).__name__}. "
                "Check that build_model ends with 'return model' (outside any loop)."
            )
        if self.optimizer is not None or self.loss is not None or self.metrics is not None:
            model.compile(optimizer=self.optimizer or "adam", loss=self.loss, metrics=self.metrics)
        if self.max_model_size is not None and model.built:
            size = model.count_params()
            if size > self.max_model_size:
                raise FailedTrialError(
                    f"The model has {size} parameters, more than max_model_size="
                    f"{self.max_model_size}."
                )
        return model

    def _fresh_callbacks(self, callbacks: Sequence[Any], trial: Trial, execution: int) -> list:
        fresh = []
        for callback in callbacks:
            try:
                clone = copy.deepcopy(callback)
            except Exception as exc:
                raise FatalTypeError(
                    f"The callback {type(callback).__name__} cannot be copied for each trial "
                    f"({exc}). Pass callbacks that can be deep-copied, as keras' own can."
                ) from exc
            if is_tensorboard_callback(clone):
                # One log folder per trial and execution, so runs do not overwrite each
                # other; without TensorFlow, our logger writes what Keras' would.
                clone = execution_callback(clone, trial.trial_id, execution)
            fresh.append(clone)
        return fresh

    def _weights_path(self, trial: Trial) -> Path:
        return self.store.trial_dir(trial.trial_id) / WEIGHTS_FILE

    def _save_weights(self, model: Any, trial: Trial) -> None:
        path = self._weights_path(trial)
        partial = path.with_name("partial." + WEIGHTS_FILE)
        model.save_weights(partial)
        os.replace(partial, path)  # a crash mid-write never leaves a half file as the result

    # ----------------------------------------------------------------- results
    def get_best_hyperparameters(self, num_trials: int = 1) -> list[HyperParameters]:
        """The hyperparameters of the ``num_trials`` best trials, best first."""
        return [t.hyperparameters for t in self.oracle.get_best_trials(num_trials)]

    def get_best_models(self, num_models: int = 1) -> list[Any]:
        """The best models, rebuilt and loaded with the weights of their best epoch.

        Trials stopped early by a pruner count with the score they reached. A ranked
        trial that saved no weights (a custom ``fit`` returning a score) is passed
        over; if none of them has weights, the error names the best one.
        """
        ranked = self.oracle.get_best_trials(len(self.oracle.trials))
        with_weights = [t for t in ranked if self._weights_path(t).exists()]
        if ranked and not with_weights:
            return [self.load_model(ranked[0])]  # raises, saying why
        return [self.load_model(t) for t in with_weights[:num_models]]

    def load_model(self, trial: Trial) -> Any:
        """Rebuild ``trial``'s model and load its best-epoch weights."""
        path = self._weights_path(trial)
        if not path.exists():
            raise StoreError(
                f"No weights were saved for trial {trial.trial_id} (looked for {path}). "
                "A run_trial or fit that returns a score instead of training through "
                "the tuner keeps no weights."
            )
        model = self._build(trial.hyperparameters.copy())
        with warnings.catch_warnings():
            # The file also holds the optimizer's state, which a freshly compiled
            # model has not built yet; the model's own weights all load.
            warnings.filterwarnings("ignore", message="Skipping variable loading for optimizer")
            model.load_weights(path)
        return model

    def results_summary(self, num_trials: int = 10) -> None:
        """Print the best trials: id, score, best step and hyperparameters, best first."""
        self.display.console.print(
            results_summary_text(self.oracle, self.project_dir, num_trials),
            markup=False,
            soft_wrap=True,
        )

    def search_space_summary(self, extended: bool = False) -> None:
        """Print every hyperparameter of the search space with its definition."""
        self.display.console.print(
            search_space_summary_text(self.oracle.get_space(), extended),
            markup=False,
            soft_wrap=True,
        )

    def results_frame(self) -> pd.DataFrame:
        """One row per trial: values, score, status, best step, epochs, seconds."""
        return self.store.results_frame()

    def get_state(self) -> dict[str, Any]:
        return {"oracle": self.oracle.settings(), "project_dir": str(self.project_dir)}

    @property
    def remaining_trials(self) -> int | None:
        return self.oracle.remaining_trials


class _ExecutionsResult:
    """The recorders of a trial's executions, reduced to one outcome."""

    def __init__(self, recorders: list[TrialRecorder]) -> None:
        self.recorders = recorders

    def outcome(self, objective: Objective) -> TrialOutcome:
        bests = [r.best_value if r.best_value is not None else math.nan for r in self.recorders]
        score = sum(bests) / len(bests)
        names = set().union(*(r.best_logs for r in self.recorders))
        count = len(self.recorders)
        metrics = {
            name: sum(r.best_logs.get(name, math.nan) for r in self.recorders) / count
            for name in names
        }
        metrics[objective.name] = score
        finite = [r for r in self.recorders if r.best_value is not None]
        best_step = None
        if finite:
            # The best step of the execution whose weights were kept.
            best_step = min(finite, key=lambda r: objective.sort_key(r.best_value)).best_step
        return TrialOutcome(
            result=metrics,
            best_step=best_step,
            executions=len(self.recorders),
            epochs=sum(r.epochs_run for r in self.recorders),
            stopped_early=any(r.stopped_by_oracle for r in self.recorders),
        )


def _is_result(value: Any) -> bool:
    if isinstance(value, dict):
        return True
    return isinstance(value, (int, float)) and not isinstance(value, bool)
