"""SklearnTuner: cross-validated search over real scikit-learn estimators, no Keras."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from threadpoolctl import threadpool_limits

sklearn = pytest.importorskip("sklearn")

from sklearn import datasets, linear_model, metrics, model_selection, neighbors, tree  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

import tunesmith as kt  # noqa: E402
from tunesmith.errors import (  # noqa: E402
    FatalError,
    FatalTypeError,
    FatalValueError,
    TooManyFailedTrialsError,
)
from tunesmith.oracles import BayesianOptimizationOracle, RandomSearchOracle  # noqa: E402
from tunesmith.trial import TrialStatus  # noqa: E402
from tunesmith.tuners import sklearn_tuner  # noqa: E402

SCORE = kt.Objective("score", "max")


@pytest.fixture(autouse=True)
def one_blas_thread():
    # Iris-sized fits only pay for thread synchronisation: 30x slower on a busy machine.
    with threadpool_limits(limits=1):
        yield


@pytest.fixture(scope="module")
def iris() -> tuple[np.ndarray, np.ndarray]:
    X, y = datasets.load_iris(return_X_y=True)
    # Standardised, so logistic regression converges in a few iterations.
    return StandardScaler().fit_transform(X), y


def build_family(hp):
    """Three model families, each with its own conditional hyperparameters."""
    family = hp.Choice("family", ["logistic", "tree", "knn"])
    if family == "logistic":
        with hp.conditional_scope("family", "logistic"):
            return linear_model.LogisticRegression(
                C=hp.Float("C", 1e-2, 10.0, sampling="log"), max_iter=500
            )
    if family == "tree":
        with hp.conditional_scope("family", "tree"):
            return tree.DecisionTreeClassifier(max_depth=hp.Int("depth", 1, 5), random_state=0)
    with hp.conditional_scope("family", "knn"):
        return neighbors.KNeighborsClassifier(n_neighbors=hp.Int("k", 1, 15))


def build_logistic(hp):
    return linear_model.LogisticRegression(C=hp.Fixed("C", 1.0), max_iter=500)


def recall_score(y_true, y_pred, sample_weight=None):
    """Macro recall (iris has three classes), recorded as "recall_score"."""
    return metrics.recall_score(y_true, y_pred, average="macro", sample_weight=sample_weight)


def make_tuner(tmp_path: Path, build=build_logistic, max_trials: int = 1, **kwargs):
    oracle = kwargs.pop("oracle", None) or RandomSearchOracle(SCORE, max_trials=max_trials, seed=0)
    return kt.SklearnTuner(
        oracle, build, directory=tmp_path, project_name="sk", verbose=0, **kwargs
    )


def only_trial(tuner):
    (trial,) = tuner.oracle.trials.values()
    return trial


# ------------------------------------------------------------------ the API
def test_keras_tuner_paths_resolve_to_one_class():
    assert kt.SklearnTuner is kt.tuners.SklearnTuner is sklearn_tuner.SklearnTuner
    assert issubclass(kt.SklearnTuner, kt.engine.base_tuner.BaseTuner)


def test_default_cv_is_keras_tuners_shuffled_five_fold(tmp_path):
    cv = make_tuner(tmp_path).cv
    assert isinstance(cv, model_selection.KFold)
    assert (cv.n_splits, cv.shuffle, cv.random_state) == (5, True, 1)


# ------------------------------------------------------------------- search
@pytest.mark.parametrize(
    "make_oracle",
    [
        lambda: RandomSearchOracle(SCORE, max_trials=6, seed=1),
        lambda: BayesianOptimizationOracle(SCORE, max_trials=6, seed=1),
    ],
    ids=["random", "bayesian"],
)
def test_search_picks_among_model_families_and_keeps_a_fitted_best(tmp_path, iris, make_oracle):
    X, y = iris
    tuner = make_tuner(tmp_path, build_family, oracle=make_oracle())
    tuner.search(X, y)

    trials = list(tuner.oracle.trials.values())
    assert len(trials) == 6
    assert all(t.status is TrialStatus.COMPLETED and t.best_step == 0 for t in trials)
    best_trial = tuner.oracle.get_best_trials(1)[0]
    assert best_trial.score == max(t.score for t in trials)
    assert best_trial.metrics["score"] == best_trial.score

    best = tuner.get_best_models(1)[0]
    expected_type = {
        "logistic": linear_model.LogisticRegression,
        "tree": tree.DecisionTreeClassifier,
        "knn": neighbors.KNeighborsClassifier,
    }[best_trial.hyperparameters["family"]]
    assert type(best) is expected_type
    assert best.predict(X).shape == y.shape  # fitted: predict works
    assert (best.predict(X) == y).mean() > 0.8


def test_score_is_the_cross_validated_mean_and_the_model_is_the_last_folds(tmp_path, iris):
    X, y = iris
    tuner = make_tuner(tmp_path)
    tuner.search(X, y)

    cv = model_selection.KFold(5, shuffle=True, random_state=1)
    expected = model_selection.cross_val_score(build_logistic(kt.HyperParameters()), X, y, cv=cv)
    assert only_trial(tuner).score == pytest.approx(expected.mean())

    *_, (last_train, _) = cv.split(X, y)
    reference = build_logistic(kt.HyperParameters()).fit(X[last_train], y[last_train])
    saved = tuner.load_model(only_trial(tuner))
    np.testing.assert_allclose(saved.coef_, reference.coef_)
    assert (Path(tuner.get_trial_dir(only_trial(tuner).trial_id)) / "model.pickle").is_file()


@pytest.mark.parametrize(
    "scoring", [metrics.make_scorer(metrics.balanced_accuracy_score), "balanced_accuracy"]
)
def test_scoring_and_cv_are_used_and_metrics_are_averaged_by_name(tmp_path, iris, scoring):
    X, y = iris
    cv = model_selection.StratifiedKFold(3)
    tuner = make_tuner(
        tmp_path,
        scoring=scoring,
        metrics=[metrics.accuracy_score, metrics.balanced_accuracy_score],
        cv=cv,
    )
    tuner.search(X, y)

    model = build_logistic(kt.HyperParameters())
    results = model_selection.cross_validate(
        model, X, y, cv=cv, scoring=["balanced_accuracy", "accuracy"]
    )
    trial = only_trial(tuner)
    assert trial.score == pytest.approx(results["test_balanced_accuracy"].mean())
    assert trial.metrics["accuracy_score"] == pytest.approx(results["test_accuracy"].mean())
    assert trial.metrics["balanced_accuracy_score"] == pytest.approx(trial.score)


def test_an_objective_may_name_a_metric(tmp_path, iris):
    X, y = iris
    oracle = RandomSearchOracle(kt.Objective("recall_score", "max"), max_trials=1, seed=0)
    tuner = make_tuner(tmp_path, oracle=oracle, metrics=recall_score)
    tuner.search(X, y)
    trial = only_trial(tuner)
    assert trial.score == trial.metrics["recall_score"]


def test_groups_go_to_the_splitter(tmp_path, iris):
    X, y = iris
    groups = np.arange(len(y)) % 5
    tuner = make_tuner(tmp_path, cv=model_selection.GroupKFold(5))
    tuner.search(X, y, groups=groups)

    expected = model_selection.cross_val_score(
        build_logistic(kt.HyperParameters()), X, y, groups=groups, cv=model_selection.GroupKFold(5)
    )
    assert only_trial(tuner).score == pytest.approx(expected.mean())


def test_a_group_splitter_without_groups_fails_the_trial(tmp_path, iris):
    X, y = iris
    tuner = make_tuner(tmp_path, cv=model_selection.GroupKFold(5))
    with pytest.raises(TooManyFailedTrialsError, match="groups"):  # every trial failed
        tuner.search(X, y)
    trial = only_trial(tuner)
    assert not trial.status.has_result
    assert "groups" in trial.error


def test_sample_weight_reaches_fit_and_scoring(tmp_path, iris):
    X, y = iris
    weight = np.random.default_rng(0).uniform(0.1, 1.0, size=len(y))
    tuner = make_tuner(tmp_path, metrics=[metrics.accuracy_score])
    tuner.search(X, y, sample_weight=weight)

    scores = []
    for train, test in model_selection.KFold(5, shuffle=True, random_state=1).split(X):
        model = build_logistic(kt.HyperParameters())
        model.fit(X[train], y[train], sample_weight=weight[train])
        scores.append(model.score(X[test], y[test], sample_weight=weight[test]))
    trial = only_trial(tuner)
    assert trial.score == pytest.approx(np.mean(scores))
    assert trial.metrics["accuracy_score"] == pytest.approx(np.mean(scores))
    np.testing.assert_allclose(tuner.load_model(trial).coef_, model.coef_)


@pytest.mark.parametrize(
    "build",
    [
        lambda hp: make_pipeline(
            StandardScaler(), linear_model.LogisticRegression(C=hp.Float("C", 0.1, 10.0))
        ),
        lambda hp: neighbors.KNeighborsClassifier(hp.Int("k", 3, 5)),
    ],
    ids=["pipeline", "fit-without-weights"],
)
def test_an_estimator_that_cannot_take_weights_is_fitted_unweighted(tmp_path, iris, build):
    X, y = iris
    tuner = make_tuner(tmp_path, build, max_trials=2)
    with pytest.warns(UserWarning, match="fitted unweighted") as caught:
        tuner.search(X, y, sample_weight=np.ones(len(y)))
    assert sum("fitted unweighted" in str(w.message) for w in caught) == 1  # not per fold
    assert [t.status for t in tuner.oracle.trials.values()] == [TrialStatus.COMPLETED] * 2


def test_pandas_data_is_split_by_position(tmp_path, iris):
    X, y = iris
    frame = pd.DataFrame(X, index=np.arange(len(y)) * 7 + 3)  # labels are not positions
    labels = pd.Series(y, index=frame.index)
    tuner = make_tuner(tmp_path)
    tuner.search(frame, labels, sample_weight=pd.Series(np.ones(len(y)), index=frame.index))
    expected = model_selection.cross_val_score(
        build_logistic(kt.HyperParameters()),
        X,
        y,
        cv=model_selection.KFold(5, shuffle=True, random_state=1),
    )
    assert only_trial(tuner).score == pytest.approx(expected.mean())


def test_a_hypermodel_with_build_is_used_as_is(tmp_path, iris):
    class Logistic:
        def build(self, hp):
            return linear_model.LogisticRegression(C=hp.Float("C", 0.1, 10.0), max_iter=500)

    X, y = iris
    tuner = make_tuner(tmp_path, Logistic(), max_trials=2)
    tuner.search(X, y)
    assert len(tuner.oracle.trials) == 2
    assert {"C"} <= set(tuner.oracle.get_space().values)


# ------------------------------------------------------------------- resume
def test_a_second_tuner_resumes_and_runs_nothing_once_max_trials_is_reached(tmp_path, iris):
    X, y = iris
    builds = []

    def counting_build(hp):
        builds.append(1)
        return build_family(hp)

    first = make_tuner(tmp_path, counting_build, max_trials=3)
    first.search(X, y)
    best_id = first.oracle.get_best_trials(1)[0].trial_id
    expected = first.get_best_models(1)[0].predict(X)

    second = make_tuner(tmp_path, counting_build, max_trials=3)
    builds.clear()  # the constructor builds once to learn the space
    second.search(X, y)

    assert builds == []
    assert len(second.oracle.trials) == 3
    assert second.oracle.get_best_trials(1)[0].trial_id == best_id
    np.testing.assert_array_equal(second.get_best_models(1)[0].predict(X), expected)


# ------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    ("objective", "metric_fns"),
    [
        (None, None),
        (kt.Objective("accuracy", "max"), None),
        ([kt.Objective("score", "max"), kt.Objective("recall", "max")], [recall_score]),
    ],
    ids=["default", "unknown-name", "multi-objective"],
)
def test_an_objective_other_than_score_is_refused_before_anything_is_stored(
    tmp_path, objective, metric_fns
):
    oracle = RandomSearchOracle(objective, max_trials=1)
    with pytest.raises(FatalValueError, match=r"objective=Objective\('score', 'max'\)"):
        make_tuner(tmp_path, oracle=oracle, metrics=metric_fns)
    assert not (tmp_path / "sk").exists()


def test_a_build_that_returns_no_estimator_stops_the_search(tmp_path, iris):
    X, y = iris
    tuner = make_tuner(tmp_path, lambda hp: hp.Int("units", 1, 3) and None)
    with pytest.raises(FatalTypeError, match="must return a scikit-learn estimator"):
        tuner.search(X, y)
    assert only_trial(tuner).status is TrialStatus.FAILED


def test_data_that_cannot_be_split_stops_before_the_first_trial(tmp_path):
    tuner = make_tuner(tmp_path)
    with pytest.raises(sklearn_tuner.DataTypeError, match=r"numpy\.asarray") as caught:
        tuner.search([[1.0], [2.0], [3.0]], [0, 1, 0])
    assert isinstance(caught.value, TypeError)
    assert isinstance(caught.value, RuntimeError)  # what keras-tuner raises for it
    assert isinstance(caught.value, FatalError)
    assert tuner.oracle.trials == {}


def test_without_scikit_learn_the_error_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(sklearn_tuner, "sklearn", None)
    with pytest.raises(ImportError, match="pip install scikit-learn"):
        make_tuner(tmp_path)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"metrics": [metrics.recall_score, metrics.recall_score]}, ValueError, "distinct"),
        ({"metrics": ["accuracy"]}, TypeError, "metric"),
        ({"scoring": 3}, TypeError, "scorer"),
        ({"cv": 5}, TypeError, "splitter"),
    ],
    ids=["duplicate-metric", "metric-not-callable", "bad-scoring", "bad-cv"],
)
def test_bad_arguments_are_refused(tmp_path, kwargs, error, match):
    with pytest.raises(error, match=match):
        make_tuner(tmp_path, **kwargs)


def test_no_hypermodel_is_refused(tmp_path):
    with pytest.raises(FatalTypeError, match="hypermodel=build_model"):
        make_tuner(tmp_path, None)


def test_loading_a_trial_without_a_model_names_it(tmp_path, iris):
    X, y = iris
    tuner = make_tuner(tmp_path, cv=model_selection.GroupKFold(5))
    with pytest.raises(TooManyFailedTrialsError):
        tuner.search(X, y)  # fails: no groups
    with pytest.raises(FileNotFoundError, match="no saved model"):
        tuner.load_model(only_trial(tuner))


def test_saved_models_are_plain_pickles(tmp_path, iris):
    X, y = iris
    tuner = make_tuner(tmp_path)
    tuner.search(X, y)
    path = Path(tuner.get_trial_dir(only_trial(tuner).trial_id)) / "model.pickle"
    with open(path, "rb") as file:
        model = pickle.load(file)
    assert isinstance(model, linear_model.LogisticRegression)
    assert not list(path.parent.glob("partial.*"))
