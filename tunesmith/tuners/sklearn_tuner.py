"""keras-tuner's ``SklearnTuner``: cross-validated search over scikit-learn estimators.

No Keras here. scikit-learn is optional (the ``examples`` and ``report`` extras);
without it this module still imports, and creating the tuner says what to install.
"""

from __future__ import annotations

import inspect
import os
import pickle
import warnings
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse

from tunesmith.errors import FatalTypeError, FatalValueError
from tunesmith.execution import Callback
from tunesmith.hypermodel import HyperModel
from tunesmith.objective import MultiObjective, Objective
from tunesmith.oracles import Oracle
from tunesmith.space import HyperParameters
from tunesmith.trial import Trial
from tunesmith.tuners._base_tuner import BaseTuner
from tunesmith.tuners._search_callbacks import search_callbacks

try:
    import sklearn
    import sklearn.metrics
    import sklearn.model_selection
    import sklearn.pipeline
except ImportError:  # an optional dependency: SklearnTuner() explains
    sklearn = None

MODEL_FILE = "model.pickle"
SCORE = "score"


class DataTypeError(FatalTypeError, RuntimeError):
    """``search()`` got data that cannot be split into folds by row index.

    A ``TypeError``, and a ``RuntimeError`` as well because keras-tuner reports the
    same mistake as one (after every trial has failed on it), so code that catches
    either keeps working; here it stops the search before the first trial.
    """


class SklearnTuner(BaseTuner):
    """Tunes a scikit-learn estimator (or pipeline) by cross-validation.

    Each trial builds a fresh estimator per fold with ``hypermodel.build(hp)`` (or
    ``build_model(hp)``), fits it on the fold's training rows and scores it on the
    held-out rows; the trial's ``score`` is the mean over the folds, and so is each
    of ``metrics``. The oracle's objective must therefore be
    ``Objective("score", "max")`` (or one of the metrics' names). The estimator kept
    for a trial, which :meth:`get_best_models` returns, is the one fitted on the
    last fold's training rows, as in keras-tuner: to use the best hyperparameters
    on all the data, build and fit again with
    ``hypermodel.build(tuner.get_best_hyperparameters()[0])``.

    ``sample_weight`` given to :meth:`search` goes to ``fit`` when the estimator's
    ``fit`` takes it (never to a ``Pipeline``, as in keras-tuner), and to the scorer
    and the metrics on the held-out rows. Oracles built for Keras training budgets
    (Hyperband, ASHA) make no sense here: a fit has no epochs.

    Args:
        oracle: The search algorithm, e.g. ``tunesmith.oracles.RandomSearchOracle(
            objective=tunesmith.Objective("score", "max"), max_trials=20)``.
        hypermodel: ``build_model(hp)`` returning an unfitted estimator, or a
            ``HyperModel`` whose ``build`` does.
        scoring: A scorer ``scorer(estimator, X, y, sample_weight=None)`` such as
            ``sklearn.metrics.make_scorer(balanced_accuracy_score)``, or a scorer's
            name (``"roc_auc"``). ``None`` uses the estimator's own ``score`` method,
            which differs between model families (accuracy for classifiers, R² for
            regressors): give one when comparing families.
        metrics: Functions ``metric(y_true, y_pred)`` (one or a list) also averaged
            over the folds and recorded under their ``__name__``; they do not steer
            the search unless the objective names one.
        cv: A scikit-learn splitter; keras-tuner's default
            ``KFold(5, shuffle=True, random_state=1)``, so every trial sees the same
            folds. A group splitter (``GroupKFold``) gets :meth:`search`'s ``groups``.
        **kwargs: :class:`~tunesmith.tuners.BaseTuner`'s: ``directory``,
            ``project_name``, ``overwrite``, ``verbose``, ``logger``, ``tuner_id``.

    Example:
        >>> from sklearn import datasets, ensemble, linear_model
        >>> import tunesmith as kt
        >>> def build_model(hp):
        ...     if hp.Choice("model", ["forest", "logistic"]) == "forest":
        ...         return ensemble.RandomForestClassifier(
        ...             n_estimators=hp.Int("trees", 10, 50, step=10), random_state=0)
        ...     return linear_model.LogisticRegression(
        ...         C=hp.Float("C", 1e-2, 10, sampling="log"), max_iter=1000)
        >>> tuner = kt.SklearnTuner(
        ...     kt.oracles.RandomSearchOracle(kt.Objective("score", "max"), max_trials=4),
        ...     build_model, directory="runs", project_name="iris", verbose=0,
        ... )  # doctest: +SKIP
        >>> X, y = datasets.load_iris(return_X_y=True)
        >>> tuner.search(X, y)  # doctest: +SKIP
        >>> tuner.get_best_models()[0].predict(X[:3])  # doctest: +SKIP
        array([0, 0, 0])

    Models are stored with ``pickle`` in ``trials/<trial_id>/model.pickle``: load only
    projects you trust, with the scikit-learn version that wrote them.
    """

    def __init__(
        self,
        oracle: Oracle,
        hypermodel: Any,
        scoring: Callable[..., float] | str | None = None,
        metrics: Callable[..., float] | Sequence[Callable[..., float]] | None = None,
        cv: Any = None,
        **kwargs: Any,
    ) -> None:
        if sklearn is None:
            raise ImportError(
                "SklearnTuner needs scikit-learn. Please install sklearn with "
                "'pip install scikit-learn' (or 'pip install tunesmith[examples]')."
            )
        if isinstance(scoring, str):
            scoring = sklearn.metrics.get_scorer(scoring)
        if scoring is not None and not callable(scoring):
            raise TypeError(
                "scoring must be a scorer, e.g. sklearn.metrics.make_scorer(accuracy_score), "
                f"a scorer's name, or None; got {type(scoring).__name__}."
            )
        if cv is None:
            cv = sklearn.model_selection.KFold(5, shuffle=True, random_state=1)
        if not callable(getattr(cv, "split", None)):
            raise TypeError(
                "cv must be a scikit-learn splitter with a split(X, y, groups) method, e.g. "
                f"sklearn.model_selection.StratifiedKFold(5); got {cv!r}."
            )
        self.scoring = scoring
        self.metrics = _as_list(metrics)
        self._metric_names = _metric_names(self.metrics)
        self.cv = cv
        self._warned_unweighted: set[type] = set()
        if type(self).run_trial is SklearnTuner.run_trial:
            # Before the store is opened: a wrong objective would be saved with the study.
            _check_objective(getattr(oracle, "objective", None), self._metric_names)
        super().__init__(oracle=oracle, hypermodel=hypermodel, **kwargs)

    def _uses_hypermodel(self) -> bool:
        return type(self).run_trial is SklearnTuner.run_trial

    def _hypermodel_or_none(self, hypermodel: Any) -> HyperModel | None:
        # Any object with a build(hp) method will do here, not only a HyperModel.
        build = getattr(hypermodel, "build", None)
        if not isinstance(hypermodel, HyperModel) and callable(build):
            hypermodel = build
        return super()._hypermodel_or_none(hypermodel)

    # ------------------------------------------------------------------ search
    def search(
        self,
        X: Any,
        y: Any,
        sample_weight: Any = None,
        groups: Any = None,
        callbacks: Sequence[Callback] | None = None,
    ) -> None:
        """Run the search on ``X`` and ``y``, cross-validating every trial.

        Args:
            X, y: The data, as numpy arrays or pandas objects (``X`` may also be a
                scipy sparse matrix); rows are selected by position.
            sample_weight: Optional weight per row, for ``fit``, the scorer and the
                metrics (see the class docstring).
            groups: Optional group label per row, given to ``cv.split``; needed by
                group splitters such as ``GroupKFold``.
            callbacks: Search callbacks (:class:`~tunesmith.execution.Callback`,
                e.g. :class:`~tunesmith.integrations.MLflowCallback`), which follow
                the search on the driver.
        """
        followers = search_callbacks(callbacks, "SklearnTuner.search()")
        for name, data in (("X", X), ("y", y), ("sample_weight", sample_weight)):
            if data is not None:
                _check_splittable(name, data)
        more = {"callbacks": followers} if followers else {}
        super().search(X, y, sample_weight=sample_weight, groups=groups, **more)

    def run_trial(
        self,
        trial: Trial,
        X: Any,
        y: Any,
        sample_weight: Any = None,
        groups: Any = None,
    ) -> dict[str, float]:
        """Fit and score one estimator per fold; return the means and keep the last one."""
        per_fold: dict[str, list[float]] = defaultdict(list)
        split_kwargs = {} if groups is None else {"groups": groups}
        model = None
        for train, test in self.cv.split(X, y, **split_kwargs):
            model = self._build(trial.hyperparameters)
            self._fit(model, _rows(X, train), _rows(y, train), _rows(sample_weight, train))
            fold = self._evaluate(model, _rows(X, test), _rows(y, test), _rows(sample_weight, test))
            for name, value in fold.items():
                per_fold[name].append(value)
        if model is None:
            raise FatalValueError(
                f"cv.split produced no folds ({self.cv!r}); check the splitter and the data."
            )
        self.save_model(trial.trial_id, model)
        return {name: float(np.mean(values)) for name, values in per_fold.items()}

    def _build(self, hp: HyperParameters) -> Any:
        assert self.hypermodel is not None  # this tuner's run_trial needs one
        model = self.hypermodel.build(hp)
        if not callable(getattr(model, "fit", None)):
            raise FatalTypeError(
                f"build(hp) must return a scikit-learn estimator (an object with fit), it "
                f"returned {type(model).__name__}. Check that build_model ends with "
                "'return model'."
            )
        return model

    def _fit(self, model: Any, X: Any, y: Any, sample_weight: Any) -> None:
        if sample_weight is None:
            model.fit(X, y)
        elif _fit_takes_sample_weight(model):
            model.fit(X, y, sample_weight=sample_weight)
        else:
            self._warn_unweighted(model)
            model.fit(X, y)

    def _warn_unweighted(self, model: Any) -> None:
        # Once per model class and tuner: the warnings registry cannot deduplicate it
        # (scikit-learn's catch_warnings blocks reset it), so every fold would repeat it.
        if type(model) in self._warned_unweighted:
            return
        self._warned_unweighted.add(type(model))
        warnings.warn(
            f"{type(model).__name__}.fit is given no sample_weight (it does not take one, "
            "or it is a Pipeline): it is fitted unweighted; the scores are weighted.",
            UserWarning,
            stacklevel=3,
        )

    def _evaluate(self, model: Any, X: Any, y: Any, sample_weight: Any) -> dict[str, float]:
        weights = {} if sample_weight is None else {"sample_weight": sample_weight}
        if self.scoring is None:
            score = model.score(X, y, **weights)
        else:
            score = self.scoring(model, X, y, **weights)
        values = {SCORE: float(score)}
        if self.metrics:
            y_pred = model.predict(X)
            for name, metric in zip(self._metric_names, self.metrics, strict=True):
                values[name] = float(metric(y, y_pred, **weights))
        return values

    # ------------------------------------------------------------------ models
    def save_model(self, trial_id: str, model: Any, step: int = 0) -> None:
        """Pickle ``model`` as trial ``trial_id``'s; a crash never leaves half a file."""
        path = Path(self.get_trial_dir(trial_id)) / MODEL_FILE
        partial = path.with_name("partial." + MODEL_FILE)
        try:
            with open(partial, "wb") as file:
                pickle.dump(model, file, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)

    def load_model(self, trial: Trial) -> Any:
        """The estimator fitted for ``trial`` (on the last fold's training rows)."""
        path = Path(self.get_trial_dir(trial.trial_id)) / MODEL_FILE
        if not path.exists():
            raise FileNotFoundError(
                f"Trial {trial.trial_id} has no saved model ({path}): it did not complete, "
                "or its files were removed."
            )
        with open(path, "rb") as file:
            return pickle.load(file)


def _as_list(metrics: Any) -> list[Callable[..., float]]:
    if metrics is None:
        return []
    listed = list(metrics) if isinstance(metrics, (list, tuple)) else [metrics]
    for metric in listed:
        if not callable(metric):
            raise TypeError(
                "metrics must be functions metric(y_true, y_pred), such as "
                f"sklearn.metrics.recall_score; got {metric!r}."
            )
    return listed


def _metric_names(metrics: list[Callable[..., float]]) -> list[str]:
    names = []
    for metric in metrics:
        # A functools.partial has no __name__ of its own; its function does.
        name = getattr(metric, "__name__", None) or getattr(
            getattr(metric, "func", None), "__name__", None
        )
        if not name:
            raise ValueError(
                f"The metric {metric!r} has no __name__ to record it under; wrap it in a "
                "named function."
            )
        if name == SCORE or name in names:
            raise ValueError(
                f"Two results would be recorded as {name!r}: give each metric a distinct "
                "name (a def with its own name), other than 'score'."
            )
        names.append(name)
    return names


def _check_objective(objective: Any, metric_names: list[str]) -> None:
    if not isinstance(objective, Objective):
        return  # BaseTuner rejects an oracle that is not one
    wanted = (
        list(objective.name_to_direction)
        if isinstance(objective, MultiObjective)
        else [objective.name]
    )
    reported = [SCORE, *metric_names]
    missing = [name for name in wanted if name not in reported]
    if missing:
        raise FatalValueError(
            f"SklearnTuner records {', '.join(map(repr, reported))} for every trial, but the "
            f"oracle's objective is {', '.join(map(repr, missing))}. Create the oracle with "
            "objective=Objective('score', 'max'): the mean cross-validated score, higher "
            "is better (scikit-learn's scorers negate losses)."
        )


def _check_splittable(name: str, data: Any) -> None:
    if isinstance(data, (np.ndarray, pd.DataFrame, pd.Series)) or scipy.sparse.issparse(data):
        return
    raise DataTypeError(
        f"Expected the data to be numpy.ndarray or pandas.DataFrame (or a pandas Series or "
        f"scipy sparse matrix); {name} is a {type(data).__name__}. Convert it first, e.g. "
        f"{name} = numpy.asarray({name})."
    )


def _rows(data: Any, indices: np.ndarray) -> Any:
    """The rows of ``data`` at positions ``indices`` (``None`` stays ``None``)."""
    if data is None:
        return None
    if isinstance(data, (pd.DataFrame, pd.Series)):
        return data.iloc[indices]
    return data[indices]


def _fit_takes_sample_weight(model: Any) -> bool:
    if isinstance(model, sklearn.pipeline.Pipeline):
        return False  # keras-tuner's rule: a pipeline routes weights by step name
    try:
        parameters = inspect.signature(model.fit).parameters
    except (TypeError, ValueError):
        return False
    return "sample_weight" in parameters
