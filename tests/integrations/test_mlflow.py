"""MLflowCallback: each trial an MLflow run, read back from a real local store."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import tunesmith
from tunesmith import TrialStatus, tune
from tunesmith.integrations import MLflowCallback

mlflow_tracking = pytest.importorskip("mlflow.tracking")


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """One sqlite store for the module: creating its tables takes seconds."""
    folder = tmp_path_factory.mktemp("mlflow")
    uri = f"sqlite:///{folder}/mlflow.db"
    mlflow_tracking.MlflowClient(uri).search_experiments()  # creates the tables
    return uri, folder


def client_of(store):
    return mlflow_tracking.MlflowClient(tracking_uri=store[0])


def curve(x, step):
    return (x - 0.2) ** 2 + 1.0 / (step + 1)


def objective(hp, steps):
    x = hp.Float("x", -1.0, 1.0)
    hp.Choice("kind", ["a", "b"])
    for step in range(3):
        steps.report(step, {"loss": curve(x, step), "constraint/x": x - 1})
    if x > 0.8:
        raise ValueError("x is too large for this objective")
    return curve(x, 2)


def gentle(hp, steps):
    x = hp.Float("x", -1.0, 1.0)
    for step in range(2):
        steps.report(step, {"loss": curve(x, step)})
    return curve(x, 1)


def runs_by_trial(client, experiment_id):
    runs = client.search_runs([experiment_id], "tags.`tunesmith.trial_id` != ''")
    return {run.data.tags["tunesmith.trial_id"]: run for run in runs}


def test_each_trial_of_tune_is_a_nested_run_with_its_values_steps_score_and_status(store, tmp_path):
    tracking = MLflowCallback(tracking_uri=store[0], tags={"team": "search"})
    result = tune(
        objective,
        objective="loss",
        max_trials=3,
        seed=0,
        enqueue=[{"x": 0.9, "kind": "a"}],  # fails: its status is logged too
        directory=tmp_path,
        project_name="quadratic",
        max_consecutive_failed_trials=5,
        callbacks=[tracking],
    )
    client = client_of(store)
    experiment = client.get_experiment_by_name("quadratic")  # the project's name
    assert experiment is not None
    runs = runs_by_trial(client, experiment.experiment_id)
    assert sorted(runs) == [t.trial_id for t in result.trials]

    parent = client.get_run(tracking.parent_run_id)
    assert parent.data.tags["tunesmith.role"] == "search"
    assert parent.info.status == "FINISHED"
    assert parent.data.tags["tunesmith.best_trial_id"] == result.best_trial.trial_id
    assert parent.data.metrics["best_score"] == pytest.approx(result.best_score)

    for trial in result.trials:
        run = runs[trial.trial_id]
        assert run.info.run_name == f"trial_{trial.trial_id}"
        assert run.data.tags["mlflow.parentRunId"] == tracking.parent_run_id
        assert run.data.tags["team"] == "search"
        assert run.data.params == {name: str(value) for name, value in trial.values.items()}
        x = trial.values["x"]
        history = client.get_metric_history(run.info.run_id, "loss")
        assert [m.step for m in sorted(history, key=lambda m: m.step)] == [0, 1, 2]
        assert [m.value for m in sorted(history, key=lambda m: m.step)] == pytest.approx(
            [curve(x, step) for step in range(3)]
        )
        steps = client.get_metric_history(run.info.run_id, "constraint/x")  # "/" is legal
        assert [m.value for m in steps] == pytest.approx([x - 1] * 3)
        assert run.data.metrics["duration_s"] == pytest.approx(trial.seconds)
        assert run.info.end_time - run.info.start_time == pytest.approx(trial.seconds * 1000, abs=2)
        if trial.status is TrialStatus.FAILED:
            assert run.data.tags["tunesmith.status"] == "failed"
            assert run.info.status == "FAILED"
            assert "x is too large" in run.data.tags["tunesmith.error"]
            assert "score" not in run.data.metrics
        else:
            assert run.data.tags["tunesmith.status"] == "completed"
            assert run.info.status == "FINISHED"
            assert run.data.metrics["score"] == pytest.approx(trial.score)
    assert runs["00"].data.tags["tunesmith.status"] == "failed"  # the enqueued one
    result.close()

    # Resumed: the logged trials are not logged again, the parent run is the same.
    again = MLflowCallback(tracking_uri=store[0])
    resumed = tune(
        objective,
        objective="loss",
        max_trials=4,
        seed=0,
        directory=tmp_path,
        project_name="quadratic",
        callbacks=[again],
    )
    assert again.parent_run_id == tracking.parent_run_id
    assert list(again.run_ids) == ["03"]
    ids = [
        r.data.tags["tunesmith.trial_id"]
        for r in client.search_runs(
            [experiment.experiment_id], "tags.`tunesmith.trial_id` != ''", max_results=100
        )
    ]
    assert sorted(ids) == ["00", "01", "02", "03"]
    resumed.close()


def test_flat_runs_and_the_best_model_as_an_artifact(store, tmp_path):
    def saves_a_model(hp, steps):
        x = hp.Float("x", -1.0, 1.0)
        (steps.trial_dir() / "model.txt").write_text(f"x={x}")
        return (x - 0.2) ** 2

    tracking = MLflowCallback(
        tracking_uri=store[0],
        experiment_name="flat",
        nested=False,
        log_best_model=True,
        artifact_location=str(store[1] / "artifacts"),
    )
    result = tune(
        saves_a_model,
        max_trials=2,
        seed=0,
        directory=tmp_path,
        project_name="p",
        callbacks=[tracking],
    )
    client = client_of(store)
    experiment = client.get_experiment_by_name("flat")
    runs = runs_by_trial(client, experiment.experiment_id)
    assert tracking.parent_run_id is None
    assert all("mlflow.parentRunId" not in run.data.tags for run in runs.values())
    # A function that reports no step: its returned value is logged once.
    best = runs[result.best_trial.trial_id]
    assert best.data.metrics["objective"] == pytest.approx(result.best_score)
    assert [a.path for a in client.list_artifacts(best.info.run_id, "best_model")] == [
        "best_model/model.txt"
    ]
    other = next(run for trial_id, run in runs.items() if trial_id != result.best_trial.trial_id)
    assert client.list_artifacts(other.info.run_id) == []
    result.close()


def test_a_failing_tracking_backend_warns_once_and_the_search_keeps_every_trial(store, monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionError("the tracking server is down")

    monkeypatch.setattr(mlflow_tracking.MlflowClient, "log_batch", refuse)
    tracking = MLflowCallback(tracking_uri=store[0], experiment_name="down")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = tune(gentle, objective="loss", max_trials=3, seed=1, callbacks=[tracking])
    said = [w for w in caught if issubclass(w.category, RuntimeWarning)]
    assert len(said) == 1
    assert "the tracking server is down" in str(said[0].message)
    assert [t.status for t in result.trials] == [TrialStatus.COMPLETED] * 3


def test_an_unusable_tracking_uri_only_warns(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("a file where a folder should be")
    tracking = MLflowCallback(tracking_uri=f"sqlite:///{blocked}/sub/mlflow.db")
    with pytest.warns(RuntimeWarning, match="could not start the search"):
        result = tune(gentle, objective="loss", max_trials=2, seed=1, callbacks=[tracking])
    assert len(result.trials) == 2
    assert tracking.run_ids == {}


def test_a_keras_search_logs_each_epoch_of_each_execution(store, tmp_path):
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype("float32")
    y = (x[:, 0] > 0).astype("float32")

    def build(hp):
        model = keras.Sequential(
            [
                keras.Input((4,)),
                keras.layers.Dense(hp.Int("units", 2, 4), activation="relu"),
                keras.layers.Dense(1, activation="sigmoid"),
            ]
        )
        model.compile("adam", "binary_crossentropy")
        return model

    tuner = tunesmith.RandomSearch(
        build,
        objective="val_loss",
        max_trials=2,
        executions_per_trial=2,
        seed=0,
        directory=tmp_path,
        project_name="dense",
        verbose=0,
    )
    tracking = MLflowCallback(
        tracking_uri=store[0], log_best_model=True, artifact_location=str(store[1] / "dense")
    )
    tuner.search(
        x,
        y,
        epochs=2,
        validation_split=0.25,
        batch_size=16,
        verbose=0,
        callbacks=[tracking, keras.callbacks.TerminateOnNaN()],
    )
    client = client_of(store)
    experiment = client.get_experiment_by_name("dense")
    runs = runs_by_trial(client, experiment.experiment_id)
    trials = tuner.oracle.trials
    assert sorted(runs) == sorted(trials)
    for trial_id, run in runs.items():
        trial = trials[trial_id]
        assert run.data.params == {"units": str(trial.values["units"])}
        assert run.data.tags["tunesmith.status"] == "completed"
        for key in ("loss", "val_loss", "execution_1/loss", "execution_1/val_loss"):
            history = client.get_metric_history(run.info.run_id, key)
            assert sorted(m.step for m in history) == [0, 1], key
        assert run.data.metrics["score"] == pytest.approx(trial.score)
    best = runs[tuner.oracle.get_best_trials(1)[0].trial_id]
    names = {a.path for a in client.list_artifacts(best.info.run_id, "best_model")}
    assert "best_model/best.weights.h5" in names


def test_runs_of_trials_cut_by_ctrl_c_are_closed_as_killed(store):
    def interrupted(hp, steps):
        steps.report(0, {"loss": hp.Float("x", 0.0, 1.0)})
        raise KeyboardInterrupt

    tracking = MLflowCallback(tracking_uri=store[0], experiment_name="cut")
    with pytest.raises(KeyboardInterrupt):
        tune(interrupted, objective="loss", max_trials=2, seed=0, callbacks=[tracking])
    run = client_of(store).get_run(tracking.run_ids["00"])
    assert run.info.status == "KILLED"
    assert run.data.tags["tunesmith.status"] == "interrupted"
    assert [m.value for m in client_of(store).get_metric_history(run.info.run_id, "loss")]
