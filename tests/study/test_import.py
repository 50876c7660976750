"""Importing an earlier search: a keras-tuner project folder, an optuna storage.

The keras-tuner project is a real one, written by keras-tuner 1.4.8
(``tests/fixtures/make_keras_tuner_project.py``); the optuna storages are made by
optuna in the tests.
"""

from __future__ import annotations

import json
import shutil
import sys
import warnings
from pathlib import Path

import pytest

import tunesmith
from tunesmith import HyperParameters
from tunesmith.errors import InvalidArgumentError, StudyMismatchError
from tunesmith.oracles import BayesianOptimizationOracle
from tunesmith.store import Store
from tunesmith.study import ImportReport, Study
from tunesmith.trial import TrialStatus

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "keras_tuner_project"
#: The fixture's trials: keras-tuner's id -> (units, val_accuracy at the best step).
KERAS_TUNER_TRIALS = {"0": (8, 0.6875), "1": (8, 0.4375), "2": (20, 0.9375), "3": (12, 0.625)}
KERAS_TUNER_TRIALS["4"] = (16, 0.75)


def _fixture_space() -> HyperParameters:
    hp = HyperParameters()
    hp.Int("units", 4, 32, step=4)
    hp.Float("learning_rate", 1e-3, 1e-1, sampling="log")
    return hp


def _study(hp: HyperParameters | None = None, **kwargs) -> Study:
    return Study(
        objective="val_accuracy",
        hyperparameters=_fixture_space() if hp is None else hp,
        sampler="random",
        seed=0,
        **kwargs,
    )


def _copy_of_fixture(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURE, tmp_path / "kt_project"))


# ------------------------------------------------------------------ keras-tuner
def test_a_keras_tuner_project_is_imported_with_its_scores_and_metrics():
    study = _study()
    report = study.import_keras_tuner(FIXTURE)
    assert isinstance(report, ImportReport)
    assert report.count == 5 and report.skipped == []
    assert str(report) == f"Imported 5 of 5 trials from keras-tuner: {FIXTURE}."
    trials = [study.trials[trial_id] for trial_id in report.imported]
    assert all(t.status is TrialStatus.COMPLETED for t in trials)
    assert {study.origins[t.trial_id] for t in trials} == {
        f"keras-tuner: {FIXTURE} trial {kt_id}" for kt_id in KERAS_TUNER_TRIALS
    }
    assert [(t.values["units"], t.score) for t in trials] == list(KERAS_TUNER_TRIALS.values())
    first = trials[0]
    # keras-tuner's observations at the trial's best step (epoch 1 of 0..1).
    assert first.best_step == 1
    assert first.metrics["val_loss"] == pytest.approx(0.43909788131713867)
    assert first.values["learning_rate"] == pytest.approx(0.0816711260996145)
    best = study.get_best_trials(1)[0]
    assert (best.values["units"], best.score) == (20, 0.9375)


def test_a_following_bayesian_search_learns_from_the_imported_trials(monkeypatch):
    oracle = BayesianOptimizationOracle(
        objective="val_accuracy",
        hyperparameters=_fixture_space(),
        max_trials=3,
        num_initial_points=3,
        seed=0,
    )
    oracle.import_keras_tuner(FIXTURE)
    seen: list[int] = []
    sample = type(oracle._gp).sample

    def spy(self, context):
        seen.append(sum(t.status is TrialStatus.COMPLETED for t in context.trials))
        return sample(self, context)

    monkeypatch.setattr(type(oracle._gp), "sample", spy)

    def objective(hp):
        return {"val_accuracy": 1.0 - abs(hp.get("units") - 20) / 32}

    result = tunesmith.tune(objective, algorithm=oracle)
    new = [t for t in result.trials if t.trial_id not in oracle.origins]
    assert len(result.trials) == 8 and len(new) == 3  # imported ones do not use max_trials
    assert seen[0] == 5  # the first proposal already saw the 5 imported trials
    assert result.stop_reason == "max_trials=3 reached."


def test_imported_trials_are_stored_and_importing_again_adds_nothing(tmp_path):
    with Store.open(tmp_path / "project") as store:
        study = _study()
        study.attach_store(store)
        assert study.import_keras_tuner(FIXTURE).count == 5
    with Store.open(tmp_path / "project") as store:
        resumed = _study()
        resumed.attach_store(store)
        assert len(resumed.trials) == 5 and len(resumed.origins) == 5
        again = resumed.import_keras_tuner(FIXTURE)
        assert again.count == 0 and len(again.skipped) == 5
        first_id = min(resumed.trials)
        assert again.skipped[0].reason == f"imported before, as trial {first_id}"
        assert len(resumed.trials) == 5
        frame = store.results_frame()  # what the report and the dashboard read
        assert sorted(frame["score"]) == sorted(s for _, s in KERAS_TUNER_TRIALS.values())


def test_values_that_do_not_fit_the_space_are_reported_per_trial():
    narrow = HyperParameters()
    narrow.Choice("units", [8, 12, 16])
    narrow.Float("learning_rate", 1e-3, 1e-1, sampling="log")
    report = _study(narrow).import_keras_tuner(FIXTURE)
    assert report.count == 4
    [skipped] = report.skipped
    assert skipped.source_id == "2" and skipped.reason.startswith("units=20 is outside")
    assert "trial 2: units=20 is outside its definition" in str(report)

    renamed = HyperParameters()
    renamed.Int("units", 4, 32, step=4)
    renamed.Float("lr", 1e-3, 1e-1, sampling="log")
    study = _study(renamed)
    report = study.import_keras_tuner(FIXTURE)
    assert report.count == 0 and study.trials == {}
    assert {s.reason for s in report.skipped} == {
        "learning_rate is not a hyperparameter of this search (it has ['lr', 'units'])"
    }


def test_a_study_with_no_space_yet_takes_the_names_as_they_are():
    study = Study(objective="val_accuracy", sampler="random", seed=0)
    assert study.import_keras_tuner(FIXTURE).count == 5
    assert all(set(t.values) == {"units", "learning_rate"} for t in study.trials.values())


def test_failed_and_unfinished_keras_tuner_trials_are_skipped_with_their_status(tmp_path):
    project = _copy_of_fixture(tmp_path)
    for kt_id, status, message in (("1", "FAILED", "ValueError: boom"), ("3", "RUNNING", None)):
        path = project / f"trial_{kt_id}" / "trial.json"
        document = json.loads(path.read_text())
        document.update(status=status, message=message, score=None)
        path.write_text(json.dumps(document))
    report = _study().import_keras_tuner(project)
    assert report.count == 3
    assert [(s.source_id, s.reason) for s in report.skipped] == [
        ("1", "status FAILED in keras-tuner (ValueError: boom)"),
        ("3", "status RUNNING in keras-tuner"),
    ]


def test_a_folder_that_is_not_a_keras_tuner_project_is_refused_and_nothing_changes(tmp_path):
    study = _study()
    study.add_trial({"units": 8, "learning_rate": 0.01}, {"val_accuracy": 0.5})
    with pytest.raises(InvalidArgumentError, match=r"no oracle\.json there.*trial_\*/trial\.json"):
        study.import_keras_tuner(tmp_path)
    (tmp_path / "oracle.json").write_text("{}")
    with pytest.raises(InvalidArgumentError, match=r"no trial_\*/trial\.json there"):
        study.import_keras_tuner(tmp_path)
    with pytest.raises(InvalidArgumentError, match="is not a folder"):
        study.import_keras_tuner(tmp_path / "missing")
    assert len(study.trials) == 1 and len(study.origins) == 1


def test_a_project_searched_for_another_objective_is_refused(tmp_path):
    with Store.open(tmp_path / "project") as store:
        study = Study(objective="val_loss", hyperparameters=_fixture_space(), sampler="random")
        study.attach_store(store)
        with pytest.raises(StudyMismatchError, match="its scores are val_accuracy"):
            study.import_keras_tuner(FIXTURE)
        assert study.trials == {} and store.load_trials() == []
    turned = Study(
        objective=tunesmith.Objective("val_accuracy", "min"), hyperparameters=_fixture_space()
    )
    with pytest.raises(StudyMismatchError, match="val_accuracy is maximised there"):
        turned.import_keras_tuner(FIXTURE)
    assert turned.trials == {}


# ------------------------------------------------------------------------ optuna
def _optuna_storage(tmp_path: Path, name: str, **study_args) -> tuple[str, object]:
    optuna = pytest.importorskip("optuna")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    storage = f"sqlite:///{tmp_path / 'optuna.db'}"
    return storage, optuna.create_study(study_name=name, storage=storage, **study_args)


def _optuna_space() -> HyperParameters:
    hp = HyperParameters()
    hp.Float("x", -2.0, 2.0)
    hp.Int("n", 1, 8)
    hp.Choice("act", ["relu", "tanh"])
    return hp


def _suggest(trial) -> tuple[float, int, str]:
    return (
        trial.suggest_float("x", -2.0, 2.0),
        trial.suggest_int("n", 1, 8),
        trial.suggest_categorical("act", ["relu", "tanh"]),
    )


def test_a_single_objective_optuna_study_is_imported(tmp_path):
    import optuna

    storage, earlier = _optuna_storage(
        tmp_path, "quadratic", sampler=optuna.samplers.RandomSampler(0)
    )

    def objective(trial):
        x, n, act = _suggest(trial)
        if trial.number == 2:
            raise optuna.TrialPruned()
        if trial.number == 4:
            raise ValueError("diverged")
        return (x - 0.5) ** 2 + n / 10 + (act == "tanh")

    earlier.optimize(objective, n_trials=8, catch=(ValueError,))
    study = Study(objective="loss", hyperparameters=_optuna_space(), sampler="random", seed=0)
    report = study.import_optuna(storage, "quadratic")
    assert report.count == 6
    assert [(s.source_id, s.reason) for s in report.skipped] == [
        ("2", "state PRUNED in optuna"),
        ("4", "state FAIL in optuna"),
    ]
    best = study.get_best_trials(1)[0]
    assert best.score == pytest.approx(earlier.best_value)
    assert best.values == earlier.best_params
    assert study.origins[best.trial_id] == (
        f"optuna: {storage} quadratic trial {earlier.best_trial.number}"
    )
    assert study.import_optuna(storage, "quadratic").count == 0  # never twice


def test_a_two_objective_optuna_study_fills_a_pareto_study_in_order(tmp_path):
    storage, earlier = _optuna_storage(tmp_path, "tradeoff", directions=["minimize", "maximize"])
    with warnings.catch_warnings():  # optuna calls set_metric_names experimental
        warnings.simplefilter("ignore")
        earlier.set_metric_names(["error", "speed"])

    def objective(trial):
        x, n, _ = _suggest(trial)
        return (x - 1.0) ** 2, float(n)

    earlier.optimize(objective, n_trials=10)
    pareto = tunesmith.Pareto(["error", "speed"], directions=["min", "max"])
    study = Study(objective=pareto, hyperparameters=_optuna_space(), sampler="random", seed=0)
    report = study.import_optuna(storage, "tradeoff")
    assert report.count == 10
    front = {study.origins[t.trial_id].rsplit(" ", 1)[1] for t in study.pareto_front()}
    assert front == {str(t.number) for t in earlier.best_trials}
    some = study.trials[report.imported[0]]
    assert (some.metrics["error"], some.metrics["speed"]) == tuple(earlier.trials[0].values)

    swapped = tunesmith.Pareto(["speed", "error"], directions=["max", "min"])
    other = Study(objective=swapped, hyperparameters=_optuna_space())
    with pytest.raises(StudyMismatchError, match=r"named \['error', 'speed'\]"):
        other.import_optuna(storage, "tradeoff")
    single = Study(objective="error", hyperparameters=_optuna_space())
    with pytest.raises(StudyMismatchError, match="2 objective value"):
        single.import_optuna(storage, "tradeoff")
    assert other.trials == {} and single.trials == {}


def test_a_missing_optuna_study_is_a_clear_error_listing_those_there(tmp_path):
    storage, _ = _optuna_storage(tmp_path, "first")
    study = Study(objective="loss", hyperparameters=_optuna_space())
    with pytest.raises(InvalidArgumentError, match=r"no study named 'second'.*'first'"):
        study.import_optuna(storage, "second")
    missing_file = f"sqlite:///{tmp_path / 'nothing.db'}"
    with pytest.raises(InvalidArgumentError, match="names no file"):
        study.import_optuna(missing_file, "first")
    assert not (tmp_path / "nothing.db").exists() and study.trials == {}


def test_without_optuna_the_error_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "optuna", None)  # an import of it fails
    study = Study(objective="loss", hyperparameters=_optuna_space())
    with pytest.raises(ImportError, match=r'pip install "tunesmith\[optuna\]"'):
        study.import_optuna("sqlite:///optuna.db", "any")
