"""Multi-fidelity tuners: Hyperband (keras-tuner's) and asynchronous successive halving.

Both train many configurations for a few epochs and continue only the best. A
continued ("promoted") trial is a new trial that starts from its parent's last
epoch with the parent's weights and optimizer state (see :class:`Tuner`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tunesmith.hypermodel import HyperModel
from tunesmith.keras._tuner import Tuner
from tunesmith.objective import Objective
from tunesmith.oracles import ASHAOracle, HyperbandOracle
from tunesmith.samplers import Sampler
from tunesmith.space import HyperParameters


class Hyperband(Tuner):
    """Hyperband, with keras-tuner's arguments and schedule.

    Each bracket starts new configurations at a small number of epochs and
    promotes the best ``1 / factor`` of each round to ``factor`` times more epochs,
    up to ``max_epochs``; brackets range from aggressive (many short trials) to
    plain random search at ``max_epochs``. A promoted trial continues its parent's
    training: weights and optimizer state are loaded, and it fits from
    ``tuner/initial_epoch`` to ``tuner/epochs`` (both in its values, with
    ``tuner/bracket``, ``tuner/round`` and ``tuner/trial_id``, as in keras-tuner).
    The ``epochs`` passed to ``search`` is replaced by the schedule's (with a
    ``UserWarning`` naming ``max_epochs``).

    One iteration trains about ``max_epochs * log(max_epochs, factor) ** 2``
    epochs in all; ``hyperband_iterations`` repeats it. ``sampler`` draws each new
    configuration: ``"random"`` (keras-tuner's) or ``"bayesian"`` (model-based
    Hyperband, BOHB's idea: a Gaussian process fitted at the highest number of
    epochs enough configurations reached), or a
    :class:`~tunesmith.samplers.Sampler`. ``promote_by="prediction"`` ranks each
    round by where a learning-curve model predicts its trials end instead of the value
    they reached (see :class:`~tunesmith.oracles.HyperbandOracle`). The rest of the arguments
    (``directory``, ``project_name``, ``overwrite``...) go to :class:`Tuner`.

    Example:
        >>> tuner = Hyperband(build_model, objective="val_accuracy", max_epochs=27,
        ...                   factor=3, directory="runs", project_name="hb")
        >>> tuner.search(x, y, validation_data=(x_val, y_val))  # doctest: +SKIP
        >>> best_model = tuner.get_best_models(1)[0]  # doctest: +SKIP
    """

    def __init__(
        self,
        hypermodel: HyperModel | Callable[[HyperParameters], Any] | None = None,
        objective: str | Objective | None = None,
        max_epochs: int = 100,
        factor: int = 3,
        hyperband_iterations: int = 1,
        seed: int | None = None,
        hyperparameters: HyperParameters | None = None,
        tune_new_entries: bool = True,
        allow_new_entries: bool = True,
        max_retries_per_trial: int = 0,
        max_consecutive_failed_trials: int = 3,
        sampler: Sampler | str = "random",
        promote_by: str = "score",
        **kwargs: Any,
    ) -> None:
        oracle = HyperbandOracle(
            objective=objective,
            max_epochs=max_epochs,
            factor=factor,
            hyperband_iterations=hyperband_iterations,
            seed=seed,
            hyperparameters=hyperparameters,
            tune_new_entries=tune_new_entries,
            allow_new_entries=allow_new_entries,
            max_retries_per_trial=max_retries_per_trial,
            max_consecutive_failed_trials=max_consecutive_failed_trials,
            sampler=sampler,
            promote_by=promote_by,
        )
        super().__init__(oracle, hypermodel, **kwargs)


class ASHA(Tuner):
    """Asynchronous successive halving: promotes as soon as a trial qualifies, never waits.

    New configurations start at ``min_epochs``; a trial in the top ``1 / factor``
    of its rung is continued to ``factor`` times more epochs (up to
    ``max_epochs``) whenever a worker is free, otherwise a new configuration is
    drawn, by ``sampler="random"`` or ``"bayesian"`` (a Gaussian process on the
    results so far). ``max_trials`` counts configurations, not promotions (default:
    the fewest with which one can reach ``max_epochs``, ``factor ** (rungs - 1)``):
    each promotion is one more trial, so more than ``max_trials`` trials run (the
    display says "configuration k of N" and names each promotion). The ``epochs``
    passed to ``search`` is replaced by the schedule's, with a ``UserWarning``.
    Promoted trials continue their parent's training as in :class:`Hyperband`.
    ``promote_by="prediction"`` promotes by where a learning-curve model predicts a
    trial ends, not the value it reached, so slow starters that end best go on; see
    :class:`~tunesmith.oracles.ASHAOracle`.

    Example:
        >>> tuner = ASHA(build_model, objective="val_loss", max_epochs=27, factor=3,
        ...              max_trials=60, sampler="bayesian", directory="runs",
        ...              project_name="asha")
        >>> tuner.search(x, y, validation_data=(x_val, y_val))  # doctest: +SKIP
    """

    def __init__(
        self,
        hypermodel: HyperModel | Callable[[HyperParameters], Any] | None = None,
        objective: str | Objective | None = None,
        max_epochs: int = 100,
        factor: int = 3,
        min_epochs: int = 1,
        max_trials: int | None = None,
        sampler: Sampler | str = "random",
        seed: int | None = None,
        hyperparameters: HyperParameters | None = None,
        tune_new_entries: bool = True,
        allow_new_entries: bool = True,
        max_retries_per_trial: int = 0,
        max_consecutive_failed_trials: int = 3,
        promote_by: str = "score",
        **kwargs: Any,
    ) -> None:
        oracle = ASHAOracle(
            objective=objective,
            max_epochs=max_epochs,
            factor=factor,
            min_epochs=min_epochs,
            max_trials=max_trials,
            sampler=sampler,
            seed=seed,
            hyperparameters=hyperparameters,
            tune_new_entries=tune_new_entries,
            allow_new_entries=allow_new_entries,
            max_retries_per_trial=max_retries_per_trial,
            max_consecutive_failed_trials=max_consecutive_failed_trials,
            promote_by=promote_by,
        )
        super().__init__(oracle, hypermodel, **kwargs)
