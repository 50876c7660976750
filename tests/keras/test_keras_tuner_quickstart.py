"""keras-tuner's README quick-start and models that build lazily, unchanged."""

from __future__ import annotations

import numpy as np
import pytest

import tunesmith as kt

keras = pytest.importorskip("keras")


def test_keras_tuners_readme_quick_start_runs_unchanged(tmp_path, data, monkeypatch):
    # keras-tuner's README: Sequential() without an Input, then get_best_models().
    monkeypatch.chdir(tmp_path)
    x_train, y_train, x_val, y_val = data

    def build_model(hp):
        model = keras.Sequential()
        model.add(keras.layers.Dense(hp.Choice("units", [8, 16, 32]), activation="relu"))
        model.add(keras.layers.Dense(1, activation="relu"))
        model.compile(loss="mse")
        return model

    tuner = kt.RandomSearch(build_model, objective="val_loss", max_trials=3)
    tuner.search(x_train, y_train, epochs=2, validation_data=(x_val, y_val), verbose=0)
    best_model = tuner.get_best_models()[0]
    assert best_model.built
    predictions = best_model.predict(x_val, verbose=0)
    assert predictions.shape == (len(x_val), 1)
    # The weights are the trained ones: the loaded model scores as the trial did.
    best = tuner.oracle.get_best_trials(1)[0]
    assert best_model.evaluate(x_val, y_val, verbose=0) == pytest.approx(best.score, rel=1e-4)


class SubclassedMLP(keras.Model):
    def __init__(self, units):
        super().__init__()
        self.hidden = keras.layers.Dense(units, activation="relu")
        self.out = keras.layers.Dense(1, activation="sigmoid")

    def call(self, inputs):
        return self.out(self.hidden(inputs))


def test_subclassed_model_loads_with_its_best_weights(tmp_path, data):
    x, y, x_val, y_val = data

    def build_model(hp):
        model = SubclassedMLP(hp.Int("units", 4, 8, step=4))
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
        return model

    tuner = kt.RandomSearch(
        build_model, objective="val_loss", max_trials=2, directory=tmp_path, seed=1
    )
    tuner.search(x, y, epochs=2, validation_data=(x_val, y_val), verbose=0)
    best = tuner.oracle.get_best_trials(1)[0]
    model = tuner.load_model(best)
    loss = model.evaluate(x_val, y_val, verbose=0)[0]
    assert loss == pytest.approx(best.score, rel=1e-4)


def test_hyperband_promotions_continue_a_lazily_built_model(tmp_path, data):
    x, y, x_val, y_val = data

    def build_model(hp):
        model = keras.Sequential(
            [
                keras.layers.Dense(hp.Int("units", 4, 16, step=4), activation="relu"),
                keras.layers.Dense(1, activation="sigmoid"),
            ]
        )
        model.compile(optimizer="adam", loss="binary_crossentropy")
        return model

    tuner = kt.Hyperband(
        build_model,
        objective="val_loss",
        max_epochs=3,
        factor=3,
        hyperband_iterations=1,
        directory=tmp_path,
        seed=0,
    )
    with_warnings = []
    with _no_checkpoint_warning(with_warnings):
        tuner.search(x, y, validation_data=(x_val, y_val), verbose=0)
    promoted = [t for t in tuner.oracle.trials.values() if "tuner/trial_id" in t.values]
    assert promoted, "Hyperband with max_epochs=3, factor=3 promotes at least one trial"
    assert not with_warnings  # every promotion found and loaded its parent's checkpoint
    assert tuner.get_best_models(1)[0].built


class _no_checkpoint_warning:
    """Collects 'left no checkpoint' warnings (a promotion that restarted from zero)."""

    def __init__(self, found):
        self.found = found

    def __enter__(self):
        import warnings

        self._catch = warnings.catch_warnings(record=True)
        self._records = self._catch.__enter__()
        warnings.simplefilter("always")
        return self

    def __exit__(self, *exc):
        self.found.extend(r for r in self._records if "left no checkpoint" in str(r.message))
        return self._catch.__exit__(*exc)


def test_wrong_return_type_from_fit_is_a_type_error(tmp_path, data):
    x, y, _, _ = data

    class Returns(kt.HyperModel):
        def build(self, hp):
            model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(1)])
            model.compile(loss="mse")
            return model

        def fit(self, hp, model, *args, **kwargs):
            return "done"

    tuner = kt.RandomSearch(Returns(), objective="loss", max_trials=2, directory=tmp_path)
    with pytest.raises(TypeError, match=r"HyperModel\.fit\(\).*It returned a str"):
        tuner.search(x, y, epochs=1)
    assert np.all([t.status.value == "FAILED" for t in tuner.oracle.trials.values()])
