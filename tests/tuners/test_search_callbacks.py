"""``callbacks=`` of tune() and search(): search callbacks follow the search, the rest fit."""

from __future__ import annotations

import numpy as np
import pytest

import tunesmith
from tunesmith import Callback, HyperParameters, tune
from tunesmith.oracles import RandomSearchOracle
from tunesmith.tuners import BaseTuner


class Record(Callback):
    """Writes down the moments it sees."""

    def __init__(self):
        self.events = []

    def on_search_begin(self, study):
        self.events.append(("begin",))

    def on_trial_report(self, study, trial, execution, step, metrics):
        self.events.append(("report", trial.trial_id, execution, step, dict(metrics)))

    def on_trial_end(self, study, trial):
        self.events.append(("end", trial.trial_id, trial.status.value))

    def on_search_end(self, study):
        self.events.append(("search end",))


def test_tune_passes_search_callbacks_every_report_and_end():
    def objective(hp, steps):
        x = hp.Float("x", 0.0, 1.0)
        for step in range(2):
            steps.report(step, {"loss": x + step})
        return x + 1

    record = Record()
    result = tune(objective, objective="loss", max_trials=2, seed=0, callbacks=[record])
    first, second = (t.trial_id for t in result.trials)
    x = result.trials[0].values["x"]
    assert record.events[0] == ("begin",)
    assert record.events[1:4] == [
        ("report", first, 0, 0, {"loss": x}),
        ("report", first, 0, 1, {"loss": x + 1}),
        ("end", first, "COMPLETED"),
    ]
    assert record.events[-2:] == [("end", second, "COMPLETED"), ("search end",)]
    assert tunesmith.Callback is tunesmith.execution.Callback


def test_tune_refuses_anything_but_a_search_callback_and_names_the_fix():
    with pytest.raises(TypeError, match=r"not a tunesmith search callback.*subclasses "):
        tune(lambda hp: hp.Float("x", 0, 1), max_trials=1, callbacks=[print])


class Quadratic(BaseTuner):
    def run_trial(self, trial, **kwargs):
        self.seen_kwargs = kwargs
        return (trial.hyperparameters.Float("x", -1, 1) - 0.5) ** 2


def quadratic(tmp_path, name):
    hp = HyperParameters()
    hp.Float("x", -1, 1)
    oracle = RandomSearchOracle(objective="loss", max_trials=1, hyperparameters=hp, seed=0)
    return Quadratic(oracle, directory=tmp_path, project_name=name, verbose=0)


def test_a_tuner_takes_search_callbacks_out_and_passes_the_rest_to_run_trial(tmp_path):
    record, other = Record(), "anything run_trial understands"
    tuner = quadratic(tmp_path, "mixed")
    tuner.search(callbacks=[record, other])
    assert tuner.seen_kwargs == {"callbacks": [other]}
    assert ("end", "00", "COMPLETED") in record.events

    only = Record()
    tuner = quadratic(tmp_path, "only")
    tuner.search(callbacks=[only])
    assert tuner.seen_kwargs == {}  # run_trial gets no callbacks= it was never given
    assert ("end", "00", "COMPLETED") in only.events


@pytest.fixture
def keras_tuner(tmp_path):
    keras = pytest.importorskip("keras")

    def build(hp):
        model = keras.Sequential(
            [keras.Input((3,)), keras.layers.Dense(hp.Int("units", 1, 2)), keras.layers.Dense(1)]
        )
        model.compile("sgd", "mse")
        return model

    return keras, tunesmith.RandomSearch(
        build, objective="loss", max_trials=1, directory=tmp_path, project_name="k", verbose=0
    )


def test_a_keras_tuner_sends_search_callbacks_to_the_search_and_keras_ones_to_fit(keras_tuner):
    keras, tuner = keras_tuner

    class Epochs(keras.callbacks.Callback):
        seen = 0

        def on_epoch_end(self, epoch, logs=None):
            type(self).seen += 1  # the tuner fits a copy of it

    record = Record()
    x, y = np.ones((8, 3), "float32"), np.ones((8, 1), "float32")
    tuner.search(x, y, epochs=2, verbose=0, callbacks=[Epochs(), record])
    assert Epochs.seen == 2
    assert [e[3] for e in record.events if e[0] == "report"] == [0, 1]


def test_a_keras_tuner_refuses_an_object_that_is_neither_kind(keras_tuner):
    _, tuner = keras_tuner
    x, y = np.ones((8, 3), "float32"), np.ones((8, 1), "float32")
    with pytest.raises(TypeError, match=r"neither a Keras callback.*nor a tunesmith search"):
        tuner.search(x, y, epochs=1, verbose=0, callbacks=[object()])


def test_a_keras_tuner_gives_keras_tuners_error_for_a_callback_it_cannot_copy(keras_tuner):
    _, tuner = keras_tuner
    x, y = np.ones((8, 3), "float32"), np.ones((8, 1), "float32")
    with pytest.raises(tunesmith.errors.FatalValueError, match="should be deep-copyable"):
        tuner.search(x, y, epochs=1, verbose=0, callbacks=[np])  # a module: no copy
    assert not tuner.oracle.trials  # refused before any trial


def test_the_sklearn_tuner_takes_search_callbacks(tmp_path):
    tree = pytest.importorskip("sklearn.tree")

    def build(hp):
        return tree.DecisionTreeClassifier(max_depth=hp.Int("depth", 1, 3))

    hp = HyperParameters()
    hp.Int("depth", 1, 3)
    oracle = RandomSearchOracle(
        objective=tunesmith.Objective("score", "max"), max_trials=1, hyperparameters=hp, seed=0
    )
    tuner = tunesmith.SklearnTuner(oracle, build, directory=tmp_path, project_name="s", verbose=0)
    x = np.tile(np.arange(10, dtype=float)[:, None], (1, 2))
    y = (x[:, 0] > 4).astype(int)
    record = Record()
    tuner.search(x, y, callbacks=[record])
    assert ("end", "00", "COMPLETED") in record.events
    with pytest.raises(TypeError, match=r"SklearnTuner\.search\(\) got callbacks"):
        tuner.search(x, y, callbacks=["not a callback"])
