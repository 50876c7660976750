"""The Keras tuners measure each model before training; limits on it skip training."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest

import tunesmith as kt
from tunesmith import Constraint, Pareto, TrialStatus
from tunesmith.store import Store

pytestmark = pytest.mark.keras

RNG = np.random.default_rng(0)
X = RNG.normal(size=(96, 6)).astype("float32")
Y = (X[:, 0] + X[:, 1] > 0).astype("float32")


class Counted(kt.HyperModel):
    """A dense net whose fits are counted (an infeasible model must never fit)."""

    def __init__(self, lazy: bool = False) -> None:
        super().__init__()
        self.lazy = lazy
        self.fits = 0

    def build(self, hp):
        layers = [] if self.lazy else [keras.Input((6,))]
        layers += [
            keras.layers.Dense(hp.Int("units", 2, 64, step=2), activation="relu"),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
        model = keras.Sequential(layers)
        model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
        return model

    def fit(self, hp, model, *args, **kwargs):
        self.fits += 1
        return model.fit(*args, **kwargs)


def _params(units: int) -> int:
    return 6 * units + units + units + 1


def test_model_metrics_are_measured_before_training_and_logged(tmp_path):
    hypermodel = Counted()
    tuner = kt.RandomSearch(
        hypermodel, objective="val_accuracy", max_trials=2, directory=tmp_path, seed=0, verbose=0
    )
    tuner.search(X, Y, epochs=2, validation_split=0.25)
    for trial in tuner.oracle.trials.values():
        units = trial.values["units"]
        assert trial.metrics["model/params"] == _params(units)
        assert trial.metrics["model/bytes"] == 4 * _params(units)  # float32 weights
        assert "model/latency_ms" not in trial.metrics  # not asked for: not measured
        curve = tuner.oracle.curves(trial.trial_id)
        assert all(step[2]["model/params"] == _params(units) for step in curve)


def test_a_parameter_limit_skips_training_and_does_not_use_up_max_trials(tmp_path):
    hypermodel = Counted()
    limit = _params(32)  # 32 units at most
    tuner = kt.RandomSearch(
        hypermodel,
        objective=Pareto(["val_accuracy", "model/params"]),
        max_trials=3,
        directory=tmp_path,
        seed=0,
        verbose=0,
        constraints=[Constraint("model/params", max=limit)],
        measure_latency=True,
    )
    tuner.search(X, Y, epochs=2, validation_split=0.25)
    trials = list(tuner.oracle.trials.values())
    infeasible = [t for t in trials if t.status is TrialStatus.INFEASIBLE]
    completed = [t for t in trials if t.status is TrialStatus.COMPLETED]
    assert len(completed) == 3 == hypermodel.fits
    assert infeasible, "with 2-64 units, a model over 32 units should have come up"
    for trial in infeasible:
        assert trial.values["units"] > 32 and trial.epochs == 0
        assert trial.metrics["model/latency_ms"] > 0
    front = tuner.oracle.get_best_trials()
    assert front and all(t.values["units"] <= 32 for t in front)
    best_model = tuner.get_best_models(1)[0]
    assert best_model.count_params() == front[0].metrics["model/params"]


def test_a_lazily_built_model_is_measured_after_its_first_epoch(tmp_path):
    hypermodel = Counted(lazy=True)
    tuner = kt.RandomSearch(
        hypermodel,
        objective="val_loss",
        max_trials=2,
        directory=tmp_path,
        seed=1,
        verbose=0,
        constraints=[Constraint("model/params", max=_params(32))],
    )
    tuner.search(X, Y, epochs=3, validation_split=0.25)
    trials = tuner.oracle.trials.values()
    for trial in trials:
        assert trial.metrics["model/params"] == _params(trial.values["units"])
        if trial.status is TrialStatus.INFEASIBLE:
            assert trial.values["units"] > 32
            assert len(tuner.oracle.curves(trial.trial_id)) == 0  # stopped in epoch 1
    infeasible = sum(t.status is TrialStatus.INFEASIBLE for t in trials)
    assert infeasible >= 1
    assert sum(t.status is TrialStatus.COMPLETED for t in trials) == 2
    assert hypermodel.fits == 2 + infeasible  # its shape known only in fit: one epoch each


KILLED_KERAS = """
import os, signal, sys
os.environ.setdefault("KERAS_BACKEND", "jax")
import keras
import numpy as np
import tunesmith as kt

directory, kill_at = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(0)
x = rng.normal(size=(64, 6)).astype("float32")
y = (x[:, 0] > 0).astype("float32")

class Net(kt.HyperModel):
    fits = 0
    def build(self, hp):
        model = keras.Sequential([keras.Input((6,)),
            keras.layers.Dense(hp.Int("units", 2, 64, step=2), activation="relu"),
            keras.layers.Dense(1, activation="sigmoid")])
        model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
        return model
    def fit(self, hp, model, *args, **kwargs):
        if Net.fits == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        Net.fits += 1
        return model.fit(*args, **kwargs)

tuner = kt.RandomSearch(Net(), objective=kt.Pareto(["val_loss", "model/params"]),
                        max_trials=4, seed=2, directory=directory, project_name="p",
                        constraints=[kt.Constraint("model/params", max=200)], verbose=0)
tuner.search(x, y, epochs=2, validation_split=0.25)
"""


@pytest.mark.subprocess
@pytest.mark.slow
def test_a_killed_keras_pareto_search_with_a_size_limit_resumes(tmp_path):
    script = tmp_path / "child.py"
    script.write_text(textwrap.dedent(KILLED_KERAS))
    env = {**os.environ, "KERAS_BACKEND": os.environ.get("KERAS_BACKEND", "jax")}

    def run(kill_at: int) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(script), str(tmp_path), str(kill_at)],
            capture_output=True,
            text=True,
            env=env,
        )

    killed = run(2)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    with Store.open_read_only(tmp_path / "p") as store:
        before = {t.trial_id: t.status for t in store.load_trials()}
    assert list(before.values()).count(TrialStatus.COMPLETED) == 2
    assert list(before.values()).count(TrialStatus.RUNNING) == 1
    resumed = run(-1)
    assert resumed.returncode == 0, resumed.stderr
    with Store.open_read_only(tmp_path / "p") as store:
        after = store.load_trials()
    completed = [t for t in after if t.status is TrialStatus.COMPLETED]
    assert len(completed) == 4
    assert all(t.metrics["model/params"] <= 200 for t in completed)
    for trial_id, status in before.items():  # nothing done before was lost or redone
        if status is not TrialStatus.RUNNING:
            assert next(t for t in after if t.trial_id == trial_id).status is status


def test_a_constraint_on_a_metric_the_model_never_logs_stops_after_one_epoch(tmp_path):
    tuner = kt.RandomSearch(
        Counted().build,
        objective=Pareto(["val_accuracy", "model/params"]),
        max_trials=3,
        directory=tmp_path,
        seed=0,
        verbose=0,
        constraints=[Constraint("val_acuracy", min=0.6)],
    )
    with pytest.raises(kt.errors.FatalValueError, match="Did you mean 'val_accuracy'"):
        tuner.search(X, Y, epochs=5, validation_split=0.25)
    (trial,) = tuner.oracle.trials.values()
    assert trial.status is TrialStatus.FAILED
    assert len(tuner.oracle.curves(trial.trial_id)) == 0  # stopped inside epoch 1


def test_bayesian_optimization_searches_a_pareto_front_under_a_limit(tmp_path):
    hypermodel = Counted()
    tuner = kt.BayesianOptimization(
        hypermodel,
        objective=Pareto(["val_loss", "model/params"]),
        max_trials=4,
        num_initial_points=2,
        directory=tmp_path,
        seed=0,
        verbose=0,
        constraints=[Constraint("model/params", max=_params(32))],
    )
    tuner.search(X, Y, epochs=2, validation_split=0.25)
    trials = list(tuner.oracle.trials.values())
    completed = [t for t in trials if t.status is TrialStatus.COMPLETED]
    assert len(completed) == 4 == hypermodel.fits
    assert all(t.values["units"] <= 32 for t in completed)
    front = tuner.oracle.get_best_trials()
    assert front and {t.trial_id for t in front} <= {t.trial_id for t in completed}
