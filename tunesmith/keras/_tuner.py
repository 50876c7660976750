"""The Keras tuner: runs ``fit`` for every trial an oracle hands out."""

from __future__ import annotations

import contextlib
import copy
import math
import os
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import keras

from tunesmith.errors import (
    FailedTrialError,
    FatalTypeError,
    FatalValueError,
    InvalidArgumentError,
    ObjectiveError,
    StoreError,
    check_count,
)
from tunesmith.execution import Callback, TrialContext
from tunesmith.hypermodel import HyperModel
from tunesmith.keras._board import SearchBoard, execution_callback, is_tensorboard_callback
from tunesmith.keras._building import build_from_saved_config, input_shape_of, save_weights
from tunesmith.keras._callbacks import TrialRecorder, TunerHooks
from tunesmith.keras._compile_cache import enable_compile_cache
from tunesmith.keras._fidelity import Checkpoints, fidelity_fit_kwargs
from tunesmith.keras._keep_best import KeepBest, kept_trial_ids
from tunesmith.keras._memory import clear_backend_caches, frozen_heap
from tunesmith.keras._model_metrics import latency_wanted, measure_model
from tunesmith.keras._seeding import seed_execution
from tunesmith.objective import Objective
from tunesmith.oracles import Oracle
from tunesmith.space import PARENT, HyperParameters
from tunesmith.study import Study, TrialResult, is_history, to_trial_result
from tunesmith.trial import Trial
from tunesmith.tuners import BaseTuner

WEIGHTS_FILE = "best.weights.h5"
BUILD_CONFIG_FILE = "best.build.json"


class Tuner(BaseTuner):
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
        distribution_strategy: A ``tf.distribute`` strategy: on the TensorFlow
            backend every model is built and compiled in its scope; on another
            backend it has no effect, and the tuner warns so.
        logger: Accepted for keras-tuner compatibility; not used.
        tuner_id: This tuner's name in ``oracle.ongoing_trials``.
        measure_latency: Measure each model's inference latency for one batch
            (``model/latency_ms``) right after its build. By default only when an
            objective or a constraint reads it (it compiles the prediction function).
        max_time, stop_on_plateau, constraints: The whole search's budget and the
            limits a trial must respect (see :func:`tunesmith.tune`); a limit on a
            model metric (``model/params``, ``model/bytes``, ``model/latency_ms``)
            is checked right after the build, before any training.
        keep_best_models: Bound the disk a search takes: keep the best-epoch weights
            (``trials/<id>/best.weights.h5``) of this many best trials only, deleting
            a trial's once it falls out of them (under a ``Pareto`` objective the
            whole front stays too). ``get_best_models(k)`` works for ``k`` up to it.
            Named after ``get_best_models``, the call those files serve. None (the
            default) keeps every trial's. Deletion follows the trial's stored end, so
            a kill never loses the best file (see ``_keep_best.py``). For example
            ``kt.RandomSearch(build_model, "val_loss", max_trials=50,
            keep_best_models=3)`` leaves three weights files, whatever the trials.

    Each execution is reproducible: right before its model is built, Keras' random
    state (Python's, numpy's and the backend's, through ``keras.utils.set_random_seed``)
    is seeded from the oracle's ``seed``, the trial's id and the execution's index, so
    weight initialisation, dropout and shuffling repeat. The oracle always has a seed
    (drawn and stored when none is given), so a resumed or re-run trial gets the seed
    an uninterrupted search gives it; pass ``seed=`` to the tuner to repeat a search.

    Right after each build, before training, the tuner measures the model:
    ``model/params`` (trainable parameters), ``model/bytes`` (all weights' bytes)
    and, when wanted, ``model/latency_ms`` (median of five warm
    ``predict_on_batch`` calls on one batch; specific to this machine). They join
    every epoch's logs, so they can be objectives, constraints, table columns and
    dashboard axes. A model built lazily (its input shape known only once ``fit``
    sees data) is measured, and checked, after its first epoch.

    Subclasses may override keras-tuner's hooks: ``on_trial_begin/end``,
    ``on_search_begin/end`` (see :class:`~tunesmith.tuners.BaseTuner`) and
    ``on_epoch_begin/end``, ``on_batch_begin/end`` (``(trial, model, step, logs)``),
    called from inside each fit.
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
        measure_latency: bool | None = None,
        keep_best_models: int | None = None,
        **kwargs: Any,
    ) -> None:
        check_count("executions_per_trial", executions_per_trial, least=1)
        if keep_best_models is not None:
            check_count("keep_best_models", keep_best_models, least=1)
        #: Keep the best-epoch weights of this many best trials only (None: all).
        self.keep_best_models = keep_best_models
        #: Whether each model's inference latency is measured after its build (None:
        #: when an objective or a constraint reads ``model/latency_ms``).
        self.measure_latency = measure_latency
        self._measuring: tuple[TrialContext, int | None] | None = None
        self.max_model_size = max_model_size
        self.optimizer = optimizer
        self.loss = loss
        self.metrics = metrics
        self.distribution_strategy = _checked_strategy(distribution_strategy)
        self.executions_per_trial = executions_per_trial
        self._board: SearchBoard | None = None  # set while search() runs
        self._last_model: Any = None  # the model _build_and_fit_model built last
        # The study's seed, kept here too: in a worker the oracle is a view without it.
        self._search_seed: int | None = None
        # (trial id, execution) whose Keras random state _try_build seeds, while it runs.
        self._seeding: tuple[str, int] | None = None
        super().__init__(
            oracle,
            hypermodel,
            directory=directory,
            project_name=project_name,
            overwrite=overwrite,
            verbose=verbose,
            logger=logger,
            tuner_id=tuner_id,
            **kwargs,
        )
        self.checkpoints = Checkpoints(self.store, self.oracle)

    def _uses_hypermodel(self) -> bool:
        return type(self).run_trial is Tuner.run_trial

    # ------------------------------------------------------------------ search
    def search(self, *fit_args: Any, **fit_kwargs: Any) -> None:
        """Run the search. Arguments are forwarded to ``model.fit`` for every trial.

        Callbacks are copied afresh for each execution, so ``EarlyStopping`` acts per
        trial. Search callbacks (:class:`~tunesmith.execution.Callback` instances,
        such as :class:`~tunesmith.MLflowCallback`) may sit in the same list: they
        follow the search on the driver instead of going to ``fit``.
        An objective missing from the first epoch's logs stops the search there
        (:class:`~tunesmith.errors.MissingObjectiveError`).
        A ``keras.callbacks.TensorBoard(log_dir)`` logs each execution to
        ``<log_dir>/trial_<id>/execution_<n>`` (on any backend: without TensorFlow,
        :class:`~tunesmith.tensorboard.TensorBoardLogger` writes its epoch scalars),
        and each trial's values, status and score to the HParams dashboard.
        ``verbose`` sets the tuner's display (0 silent, 1 a table per trial, 2 also
        one line per epoch); the fits themselves run silently.

        Example:
            >>> tuner.search(x, y, epochs=20, validation_data=(x_val, y_val),  # doctest: +SKIP
            ...              callbacks=[keras.callbacks.EarlyStopping("val_loss", patience=3)])
        """
        self._refuse_unloggable_objective(fit_args, fit_kwargs)
        self._warn_epochs_replaced(fit_kwargs)
        # run_trial gets exactly what search() was given; the fits themselves run
        # silently (see run_trial), as the display has an epoch line of its own.
        self.display.verbose = int(fit_kwargs.get("verbose", self.verbose))
        # With a TensorBoard callback: each trial's HParams session and the experiment.
        self._board = SearchBoard.from_callbacks(fit_kwargs.get("callbacks"), self.oracle)
        self._search_seed = getattr(self.oracle, "seed", None)
        try:
            with frozen_heap():  # each trial's clear_session collects garbage
                self._run_search(fit_args, fit_kwargs)
        finally:
            self._board = None

    def _warn_epochs_replaced(self, fit_kwargs: dict[str, Any]) -> None:
        """Say so when ``search(epochs=...)`` is replaced by a schedule's epochs
        (Hyperband, ASHA): each trial trains to the epochs its schedule sets."""
        full = self.oracle.full_training_epochs()
        epochs = fit_kwargs.get("epochs")
        if full is None or epochs is None or epochs == full:
            return
        warnings.warn(
            f"search(epochs={epochs}) is ignored by {type(self).__name__}: its schedule "
            f"trains each trial up to max_epochs={full} epochs. To change how long the "
            f"best trials train, pass max_epochs= to the tuner, and leave epochs out of "
            "search().",
            UserWarning,
            stacklevel=3,
        )

    def _search_callbacks(self) -> list[Callback]:
        callbacks: list[Callback] = [_ReleaseCheckpoints(self.checkpoints)]
        keep = self.__dict__.get("keep_best_models")
        if keep is not None:
            callbacks.append(KeepBest(self.oracle, keep, self._weights_path, (BUILD_CONFIG_FILE,)))
        if self._board is not None:
            callbacks.append(_BoardCallback(self._board))
        return callbacks

    def _in_worker_trial(self, context: TrialContext) -> None:
        # Checkpoints are files of the trial folders, which the context gives here.
        self.checkpoints = Checkpoints(context, context.oracle_view())
        self._board = None

    def _refuse_unloggable_objective(self, fit_args: tuple, fit_kwargs: dict[str, Any]) -> None:
        """A ``val_`` objective needs validation data, or every trial trains in vain."""
        hypermodel = self.hypermodel
        if (
            not self._uses_hypermodel()
            or hypermodel is None
            or type(hypermodel).fit is not HyperModel.fit
        ):
            return  # an own run_trial or HyperModel.fit may validate in its own way
        if not fit_args and fit_kwargs.get("x") is None:
            return  # no training data either: the trial's own error says more
        if fit_kwargs.get("validation_data") is not None or fit_kwargs.get("validation_split"):
            return
        objective = self.oracle.objective
        names = [o.name for o in getattr(objective, "objectives", [objective])]
        names += [name for c in getattr(self.oracle, "constraints", ()) for name in c.metrics]
        needs = [name for name in names if name.startswith("val_")]
        if needs:
            raise InvalidArgumentError(
                f"The objective or constraint {needs[0]!r} is computed on validation data, "
                "but search() got neither validation_data nor validation_split: every trial would "
                "train and then fail. Pass validation_data=(x_val, y_val) or "
                f"validation_split=0.2, or use the training metric {needs[0][4:]!r} as "
                "objective."
            )

    def _convert(self, results: Any) -> TrialResult:
        if isinstance(results, _ExecutionsResult):
            return results.to_result(self.oracle.objective)
        return to_trial_result(results, self.oracle.objective, "Tuner.run_trial()")

    def _build_for_space(self, hp: HyperParameters) -> None:
        # No clear_session here: each trial starts with one, which frees these models.
        assert self.hypermodel is not None  # only called with a hypermodel
        with self._strategy_scope():
            self.hypermodel.build(hp)

    def run_trial(self, trial: Trial, *fit_args: Any, **fit_kwargs: Any) -> Any:
        """Build and fit ``executions_per_trial`` models for ``trial``.

        When the trial's values hold ``tuner/epochs`` (Hyperband, ASHA), they set
        ``epochs`` and ``initial_epoch``; with ``tuner/trial_id`` the model starts
        from that trial's last-epoch weights and optimizer state. A trial that may
        be promoted keeps its last-epoch state (of its best execution) for that.

        Returns, as keras-tuner's does, the list of what each execution's fit
        returned (its ``History``). Override to train in your own way: return the
        objective's value or a dict of metrics holding it.
        """
        hp = trial.hyperparameters
        context = self._context_of(trial)
        self.checkpoints.release_finished()
        # Keras' own progress bars would interleave with the search's display.
        fit_kwargs = fidelity_fit_kwargs(hp.values, {**fit_kwargs, "verbose": 0})
        self._measuring = (context, fit_kwargs.get("batch_size"))
        try:
            return self._run_executions(trial, context, fit_args, fit_kwargs)
        finally:
            self._measuring = None
            # The trial's model is in its weights file now; held here, it would
            # outlive the trial (with its optimizer state and compiled steps).
            self._last_model = None

    def _run_executions(
        self, trial: Trial, context: TrialContext, fit_args: tuple, fit_kwargs: dict[str, Any]
    ) -> Any:
        """``run_trial``'s executions, once the fit arguments are set."""
        enable_compile_cache()  # once per process: the driver's, a worker's
        user_callbacks = list(fit_kwargs.pop("callbacks", None) or [])
        total_epochs = fit_kwargs.get("epochs")
        assert self.hypermodel is not None  # Tuner.run_trial builds through it
        custom_fit = type(self.hypermodel).fit is not HyperModel.fit
        input_shape = input_shape_of(fit_args, fit_kwargs)
        best: TrialRecorder | None = None
        best_model: Any = None
        per_execution: list[TrialRecorder] = []
        fit_results: list[Any] = []  # what each _build_and_fit_model returned
        returned_results: list[Any] = []
        for execution in range(self.executions_per_trial):
            recorder = TrialRecorder(context, execution, total_epochs)
            recorder.check_model = self._check_model
            if not custom_fit:  # a custom fit may compute metrics after its epochs
                recorder.required = _required_metrics(context)
                # With validation_freq > 1 the first epoch has no val_ metrics yet.
                recorder.check_objective = fit_kwargs.get("validation_freq", 1) == 1
            callbacks = self._deepcopy_callbacks(user_callbacks)
            self._configure_tensorboard_dir(callbacks, trial, execution)
            callbacks.append(recorder)
            if TunerHooks.wanted(self, Tuner):
                callbacks.append(TunerHooks(self, trial))
            self._last_model = None
            # Seeded here for a _build_and_fit_model that builds in its own way, and
            # again in _try_build, after the clear_session that forgets Keras' seed.
            self._seeding = (str(trial.trial_id), execution)
            self._seed_keras()
            try:
                returned = self._build_and_fit_model(
                    trial, *fit_args, **{**fit_kwargs, "callbacks": callbacks}
                )
            finally:
                self._seeding = None
            # The model fitted with the tuner's callbacks, even when an overridden
            # _build_and_fit_model built it another way; else the one built last.
            fit_results.append(returned)
            model = recorder.fitted_model
            if model is None:
                model = self._last_model
            if custom_fit and not (is_history(returned) and recorder.epochs_run):
                # keras-tuner's rule: what a custom fit returns is the result, even
                # after epochs the recorder saw (e.g. fit, then evaluate).
                returned_results.append(returned)
            elif recorder.epochs_run and recorder.best_value is None and recorder.missing:
                raise ObjectiveError(recorder.missing)
            per_execution.append(recorder)
            if recorder.best_value is not None and (
                best is None
                or (
                    best.best_value is not None  # always: a best has a value
                    and self.oracle.objective.better(recorder.best_value, best.best_value)
                )
            ):
                best, best_model = recorder, model
            elif best is None and returned_results:
                best_model = model
        if best is not None:
            if self.checkpoints.wanted(trial):
                # Before the best epoch's weights replace the last epoch's.
                self.checkpoints.save(best_model, trial, input_shape)
            best.restore_best_weights()
        if (
            best_model is not None
            and getattr(best_model, "built", True)  # a model never built has no weights
            and (best is not None or returned_results)
        ):
            self._save_weights(best_model, trial, input_shape)
        if returned_results:
            epochs = sum(r.epochs_run for r in per_execution)
            result = to_trial_result(
                returned_results if len(returned_results) > 1 else returned_results[0],
                self.oracle.objective,
                "HyperModel.fit()",
            )
            result.epochs = epochs or result.epochs
            result.stopped_early = any(r.stopped_by_oracle for r in per_execution)
            result.diverged = next((r.diverged for r in per_execution if r.diverged), None)
            result.metrics = {**context.model_metrics, **result.metrics}
            return result
        return _ExecutionsResult(fit_results, per_execution)

    def _context_of(self, trial: Trial) -> TrialContext:
        """The running trial's context; a ``run_trial`` called outside a search gets
        one that reports straight to this tuner's oracle and display."""
        context = self.__dict__.get("trial_context")
        if context is not None and context.trial is trial:
            return context
        link = _OracleLink(self.oracle, trial, self.display)
        return TrialContext(
            trial,
            link,
            self.oracle.objective,
            project_dir=Path(self.project_dir),
            max_epochs=self.oracle.full_training_epochs(),
            constraints=getattr(self.oracle, "constraints", ()),
        )

    def _build_and_fit_model(self, trial: Trial, *fit_args: Any, **fit_kwargs: Any) -> Any:
        """Build one model for ``trial`` and fit it; return what ``hypermodel.fit`` returns.

        The hook keras-tuner's users (AutoKeras among them) override to prepare data
        or adapt layers per trial; ``fit_kwargs["callbacks"]`` holds the tuner's own
        callbacks, which must reach ``fit``. A promotion (``tuner/trial_id``) starts
        from its parent's last-epoch weights and optimizer state.
        """
        hp = trial.hyperparameters
        model = self._try_build(hp)
        parent = hp.values.get(PARENT)
        if parent is not None and not self.checkpoints.restore(model, str(parent)):
            fit_kwargs = self._without_parent(trial, str(parent), fit_kwargs)
        assert self.hypermodel is not None  # Tuner.run_trial builds through it
        with self._strategy_scope():
            return self.hypermodel.fit(hp, model, *fit_args, **fit_kwargs)

    def _without_parent(self, trial: Trial, parent: str, fit_kwargs: dict) -> dict:
        """Train a promotion whose parent left no checkpoint from scratch, to its epochs."""
        warnings.warn(
            f"Trial {trial.trial_id} continues trial {parent}, which left no checkpoint "
            f"(looked for {self.checkpoints.path(parent)}); it trains from epoch 0 instead.",
            RuntimeWarning,
            stacklevel=3,
        )
        return {**fit_kwargs, "initial_epoch": 0}

    def _build(self, hp: HyperParameters) -> Any:
        assert self.hypermodel is not None  # Tuner.run_trial builds through it
        with self._strategy_scope():
            model = self.hypermodel.build(hp)
            if not isinstance(model, keras.Model):
                raise FatalTypeError(
                    "Expected the model-building function, or HyperModel.build(), to return "
                    f"a keras.Model; it returned {type(model).__name__}. Check that "
                    "build_model ends with 'return model' (outside any loop)."
                )
            self._override_compile_args(model)
        if self.max_model_size is not None and model.built:
            size = model.count_params()
            if size > self.max_model_size:
                raise FailedTrialError(
                    f"Oversized model: {size} parameters, more than max_model_size="
                    f"{self.max_model_size}."
                )
        return model

    def _try_build(self, hp: HyperParameters) -> Any:
        """Build one trial's model from a clean Keras session (keras-tuner's hook).

        ``clear_session`` first frees the previous trials' models (it runs
        ``gc.collect``) and, on JAX, the programs compiled for them (see
        ``_memory.py``), so memory stays flat across trials; then the model is
        built, checked, compiled with the tuner's arguments and size-checked.
        Subclasses call it from their own ``_build_and_fit_model``, or override it.
        """
        keras.backend.clear_session()
        clear_backend_caches()
        self._seed_keras()
        model = self._build(hp)
        self._last_model = model
        if getattr(model, "built", False):
            self._check_model(model)
        return model

    def _seed_keras(self) -> None:
        """Seed Keras' random state for the execution being built, from the study's
        seed, the trial's id and the execution's index (see ``_seeding.py``)."""
        seeding = self.__dict__.get("_seeding")
        if seeding is None:
            return  # load_model, or a build outside run_trial
        seed = getattr(self.oracle, "seed", None)
        if seed is None:
            seed = self.__dict__.get("_search_seed")
        seed_execution(seed, *seeding)

    def _check_model(self, model: Any) -> None:
        """Measure a trial's new model and check the limits on model metrics.

        Raises :class:`~tunesmith.constraints.InfeasibleTrial` when the model breaks
        one: the trial is then stored INFEASIBLE, never trained. Outside a trial
        (``load_model``) nothing is measured.
        """
        measuring = getattr(self, "_measuring", None)
        if measuring is None:
            return
        context, batch_size = measuring
        names = [c_name for c in context.constraints for c_name in c.metrics]
        names += getattr(context.objective, "names", [context.objective.name])
        latency = self.measure_latency
        if latency is None:
            latency = latency_wanted(names)
        context.check_model(measure_model(model, batch_size, latency=bool(latency)))

    def _override_compile_args(self, model: Any) -> None:
        """Compile again with the tuner's ``optimizer``, ``loss``, ``metrics`` where given.

        What is not given stays the model's own. A fresh optimizer per model: one
        optimizer object shared by several models would carry its state across.
        """
        if self.optimizer is None and self.loss is None and self.metrics is None:
            return
        optimizer = getattr(model, "optimizer", None)
        if self.optimizer is not None:
            optimizer = (
                self.optimizer
                if isinstance(self.optimizer, str)
                else keras.optimizers.deserialize(keras.optimizers.serialize(self.optimizer))
            )
        loss = self.loss if self.loss is not None else getattr(model, "loss", None)
        metrics = self.metrics
        if metrics is None:
            compiled = getattr(model, "_compile_config", None)
            config = compiled.config if compiled is not None else {}
            metrics = config.get("metrics")
        model.compile(optimizer=optimizer or "adam", loss=loss, metrics=metrics)

    @contextlib.contextmanager
    def _strategy_scope(self) -> Iterator[None]:
        if self.distribution_strategy is None:
            yield
            return
        with self.distribution_strategy.scope():
            yield

    def _fit_callback_check(self) -> Callable[[Any], bool] | None:
        """Keras callbacks go to ``fit``; of anything else, one that cannot be copied
        gets keras-tuner's error (its first complaint about such an object), the rest
        the error that names both kinds of callback."""
        is_keras_callback = super()._fit_callback_check()
        if is_keras_callback is None:
            return None

        def is_fit_callback(callback: Any) -> bool:
            if is_keras_callback(callback):
                return True
            self._deepcopy_callbacks([callback])
            return False

        return is_fit_callback

    def _deepcopy_callbacks(self, callbacks: Sequence[Any] | None) -> list[Any]:
        """Fresh copies of ``callbacks`` for one execution (keras-tuner's helper).

        Each fit gets its own copies, so ``EarlyStopping`` and the like start afresh;
        a callback that cannot be copied stops the search with a clear error.

        Example:
            >>> import keras
            >>> stop = keras.callbacks.EarlyStopping(patience=2)
            >>> copies = Tuner._deepcopy_callbacks(None, [stop])
            >>> copies[0] is stop, copies[0].patience
            (False, 2)
        """
        fresh = []
        for callback in callbacks or []:
            try:
                fresh.append(copy.deepcopy(callback))
            except Exception as exc:
                raise FatalValueError(
                    "All callbacks used during a search should be deep-copyable (each trial "
                    f"gets fresh copies): the callback {type(callback).__name__} cannot be "
                    f"copied ({exc}). Pass callbacks that can be deep-copied, as keras' own can."
                ) from exc
        return fresh

    def _configure_tensorboard_dir(
        self, callbacks: list[Any], trial: Trial, execution: int = 0
    ) -> None:
        """Point each TensorBoard callback of ``callbacks`` at this trial and execution's
        folder, in place (keras-tuner's helper): runs never overwrite each other, and
        without TensorFlow our logger writes what Keras' would."""
        for index, callback in enumerate(callbacks):
            if is_tensorboard_callback(callback):
                callbacks[index] = execution_callback(callback, trial.trial_id, execution)

    def _weights_path(self, trial: Trial) -> Path:
        return self.store.trial_dir(trial.trial_id) / WEIGHTS_FILE

    def _save_weights(
        self, model: Any, trial: Trial, input_shape: list[int | None] | None = None
    ) -> None:
        path = self._weights_path(trial)
        save_weights(model, path, path.with_name(BUILD_CONFIG_FILE), input_shape)

    def save_model(self, trial_id: str, model: Any, step: int = 0) -> None:
        """Save ``model`` as trial ``trial_id``'s (what :meth:`load_model` loads)."""
        self._save_weights(model, self.oracle.get_trial(str(trial_id)))

    # ----------------------------------------------------------------- results
    def get_best_hyperparameters(self, num_trials: int = 1) -> list[HyperParameters]:
        """The hyperparameters of the ``num_trials`` best trials, best first.

        Raises :class:`~tunesmith.errors.NoRankedTrialError` when no trial has a score.
        """
        return [t.hyperparameters for t in self._ranked_trials(num_trials, "hyperparameters")]

    def get_best_models(self, num_models: int = 1) -> list[Any]:
        """The models of the ``num_models`` best trials, best first, each rebuilt and
        loaded with the weights of its best epoch.

        Trials stopped early by a pruner count with the score they reached. A best
        trial whose weights file is missing is an error naming the trial and the file,
        never the model of another trial; so is asking when no trial has a score
        (:class:`~tunesmith.errors.NoRankedTrialError`, where keras-tuner returns ``[]``).
        """
        return [self.load_model(t) for t in self._ranked_trials(num_models, "model")]

    def load_model(self, trial: Trial) -> Any:
        """Rebuild ``trial``'s model and load its best-epoch weights."""
        path = self._weights_path(trial)
        keep = self.__dict__.get("keep_best_models")
        if (
            not path.exists()
            and keep is not None
            and str(trial.trial_id) not in kept_trial_ids(self.oracle, keep)
        ):
            raise StoreError(
                f"The weights of trial {trial.trial_id} were deleted: with "
                f"keep_best_models={keep} only the {keep} best trials keep theirs, and "
                "it is not among them. Load one of get_best_models(), or rebuild this "
                "model from its hyperparameters and train it again."
            )
        if not path.exists():
            others = [
                t.trial_id
                for t in self.oracle.trials.values()
                if t.trial_id != trial.trial_id and self._weights_path(t).exists()
            ]
            if others:
                raise StoreError(
                    f"The weights of trial {trial.trial_id} are missing (looked for {path}), "
                    f"while other trials have theirs (e.g. {others[0]}): the file was "
                    "deleted, or the project was copied without its trials/ folder. "
                    "Restore it, or rebuild the model from "
                    "get_best_hyperparameters() and train it again."
                )
            raise StoreError(
                f"No weights were saved for trial {trial.trial_id} (looked for {path}), nor "
                "for any other trial: a run_trial that trains without the tuner's fit "
                "keeps none. Save them in run_trial (tuner.save_model(trial_id, model)), or "
                "rebuild the model from get_best_hyperparameters() and train it."
            )
        # As keras-tuner: from a clean session, so a build that names its parts from
        # Keras' counters (AutoKeras' blocks) names them as in the trial.
        model = self._try_build(trial.hyperparameters.copy())
        build_from_saved_config(model, path.with_name(BUILD_CONFIG_FILE))
        with warnings.catch_warnings():
            # The file also holds the optimizer's state, which a freshly compiled
            # model has not built yet; the model's own weights all load.
            warnings.filterwarnings("ignore", message="Skipping variable loading for optimizer")
            try:
                model.load_weights(path)
            except (OSError, ValueError) as exc:
                raise StoreError(
                    f"The weights file {path} of trial {trial.trial_id} cannot be read "
                    f"({type(exc).__name__}: {exc}). It is damaged or was written for "
                    "another model; restore it, or rebuild the model from "
                    "get_best_hyperparameters() and train it again."
                ) from exc
        return model

    # keras-tuner's hooks inside each fit; TunerHooks calls them only when overridden.
    def on_epoch_begin(self, trial: Trial, model: Any, epoch: int, logs: Any = None) -> None:
        """Called at the start of each epoch of each execution."""

    def on_epoch_end(self, trial: Trial, model: Any, epoch: int, logs: Any = None) -> None:
        """Called at the end of each epoch (the epoch's report is already stored)."""

    def on_batch_begin(self, trial: Trial, model: Any, batch: int, logs: Any = None) -> None:
        """Called before each training batch."""

    def on_batch_end(self, trial: Trial, model: Any, batch: int, logs: Any = None) -> None:
        """Called after each training batch."""


class _ExecutionsResult(list[Any]):
    """What ``Tuner.run_trial`` returns: keras-tuner's list of what each execution's
    fit returned (its ``History``), so a subclass may read ``super().run_trial()``
    as there; the tuner reduces it to one outcome with the executions' recorders,
    which saw every epoch."""

    def __init__(self, fit_results: list[Any], recorders: list[TrialRecorder]) -> None:
        super().__init__(fit_results)
        self.recorders = recorders

    def to_result(self, objective: Objective) -> TrialResult:
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
        return TrialResult(
            metrics=metrics,
            best_step=best_step if best_step is not None else 0,
            executions=len(self.recorders),
            epochs=sum(r.epochs_run for r in self.recorders),
            stopped_early=any(r.stopped_by_oracle for r in self.recorders),
            diverged=next((r.diverged for r in self.recorders if r.diverged), None),
        )


class _OracleLink:
    """A running trial's link straight to an oracle and a display (``run_trial``
    called by hand, outside a search)."""

    def __init__(self, oracle: Any, trial: Trial, display: Any) -> None:
        self.oracle, self.trial, self.display = oracle, trial, display

    def report(self, execution: int, step: int, metrics: Any) -> bool:
        return self.oracle.report(self.trial, step, metrics, execution=execution)

    def epoch(self, execution: int, epoch: int, epochs: int | None, logs: Any) -> None:
        self.display.epoch_end(self.trial, execution, epoch, epochs, logs)


class _ReleaseCheckpoints(Callback):
    """Deletes a parent's checkpoint once its promoted trial has ended for good."""

    def __init__(self, checkpoints: Checkpoints) -> None:
        self.checkpoints = checkpoints

    def on_trial_end(self, study: Study, trial: Trial) -> None:
        self.checkpoints.release_finished()

    def on_close(self, study: Study) -> None:
        self.checkpoints.release_finished()  # the last promotion, ended by now


class _BoardCallback(Callback):
    """The TensorBoard side of a search: a trial's session written once it ended."""

    def __init__(self, board: SearchBoard) -> None:
        self.board = board

    def on_trial_begin(self, study: Study, trial: Trial) -> None:
        self.board.trial_begin(trial)

    def on_trial_end(self, study: Study, trial: Trial) -> None:
        self.board.flush()  # with workers, others began while this one ran

    def on_close(self, study: Study) -> None:
        self.board.close()  # the last trial, ended by now


def _required_metrics(context: TrialContext) -> list[str]:
    """The metrics every epoch's logs must hold: each objective of a Pareto
    objective and each metric a constraint reads."""
    names = list(getattr(context.objective, "names", []))
    names += [name for constraint in context.constraints for name in constraint.metrics]
    return list(dict.fromkeys(names))


def _checked_strategy(strategy: Any) -> Any:
    """The strategy to build under, or None with a warning where it has no effect."""
    if strategy is None:
        return None
    if keras.backend.backend() == "tensorflow" and hasattr(strategy, "scope"):
        return strategy
    warnings.warn(
        f"distribution_strategy={type(strategy).__name__} is ignored: a tf.distribute "
        f"strategy acts only on Keras' TensorFlow backend, and this one is "
        f"{keras.backend.backend()!r}. Distribute with keras.distribution (e.g. "
        "keras.distribution.set_distribution(keras.distribution.DataParallel())) before "
        "the search instead.",
        UserWarning,
        stacklevel=3,
    )
    return None
