"""keras-tuner's Tuner surface: tailored spaces, compile overrides, hooks, reload."""

from __future__ import annotations

import pytest

import tunesmith as kt

keras = pytest.importorskip("keras")


def build_model(hp):
    model = keras.Sequential(
        [
            keras.Input((8,)),
            keras.layers.Dense(hp.Int("units", 4, 32, step=4), activation="relu"),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    lr = hp.Float("learning_rate", 1e-4, 1e-2, sampling="log")
    model.compile(
        optimizer=keras.optimizers.Adam(lr), loss="binary_crossentropy", metrics=["accuracy"]
    )
    return model


def tailored_search(tmp_path, data, max_trials, **flags):
    """A search whose space is tailored: learning_rate is given as a Choice."""
    x, y, x_val, y_val = data
    hp = kt.HyperParameters()
    hp.Choice("learning_rate", [1e-2, 3e-3])
    tuner = kt.RandomSearch(
        build_model,
        objective="val_loss",
        max_trials=max_trials,
        hyperparameters=hp,
        directory=tmp_path,
        seed=0,
        **flags,
    )
    tuner.search(x, y, epochs=1, validation_data=(x_val, y_val), verbose=0)
    return list(tuner.oracle.trials.values())


def test_given_hyperparameters_override_the_builds_definitions(tmp_path, data):
    # keras.io "tailor the search space": a Choice replaces the build's Float.
    trials = tailored_search(tmp_path, data, max_trials=4)
    assert all(t.status.value == "COMPLETED" for t in trials)
    assert {t.values["learning_rate"] for t in trials} <= {1e-2, 3e-3}
    assert len({t.values["units"] for t in trials}) > 1  # the rest is still tuned


def test_tune_new_entries_false_fixes_the_others_at_their_defaults(tmp_path, data):
    trials = tailored_search(tmp_path, data, max_trials=3, tune_new_entries=False)
    assert {t.values.get("units", 4) for t in trials} == {4}
    assert len(trials) == 2  # only the given Choice varies: 2 configurations


def test_allow_new_entries_false_refuses_a_name_the_build_adds(tmp_path, data):
    with pytest.raises(RuntimeError, match=r"`allow_new_entries` is `False`.*'units'"):
        tailored_search(tmp_path, data, max_trials=2, allow_new_entries=False)


@pytest.mark.parametrize("flag", ["tune_new_entries", "allow_new_entries"])
def test_a_flag_without_a_given_space_is_a_value_error(tmp_path, flag):
    with pytest.raises(ValueError, match=flag):
        kt.RandomSearch(build_model, objective="val_loss", **{flag: False}, directory=tmp_path)


def test_compile_overrides_keep_the_rest_and_give_each_model_its_optimizer(tmp_path, data):
    x, y, x_val, y_val = data
    shared = keras.optimizers.SGD(learning_rate=0.05)
    seen = []

    class Spy(kt.RandomSearch):
        def on_epoch_end(self, trial, model, epoch, logs=None):
            seen.append((model.optimizer, model.loss, sorted(logs)))

    tuner = Spy(
        build_model,
        objective="val_loss",
        max_trials=2,
        optimizer=shared,
        directory=tmp_path,
        seed=0,
    )
    tuner.search(x, y, epochs=1, validation_data=(x_val, y_val), verbose=0)
    optimizers = [opt for opt, _, _ in seen]
    assert len(optimizers) == 2 and optimizers[0] is not optimizers[1]
    assert all(isinstance(o, keras.optimizers.SGD) and o is not shared for o in optimizers)
    assert all(loss == "binary_crossentropy" for _, loss, _ in seen)  # the model's own loss
    assert all("val_accuracy" in names for _, _, names in seen)  # and its own metrics

    tuner = kt.RandomSearch(
        build_model,
        objective="val_loss",
        max_trials=1,
        loss="mse",
        directory=tmp_path,
        project_name="loss",
        seed=0,
    )
    tuner.search(x, y, epochs=1, validation_data=(x_val, y_val), verbose=0)
    assert tuner.get_best_models(1)[0].loss == "mse"


def test_hooks_are_called_at_the_right_moments(tmp_path, data):
    x, y, x_val, y_val = data
    calls = []

    class Hooked(kt.RandomSearch):
        def on_search_begin(self):
            calls.append("search_begin")

        def on_trial_begin(self, trial):
            calls.append(f"trial_begin {trial.trial_id}")

        def on_epoch_begin(self, trial, model, epoch, logs=None):
            calls.append(f"epoch_begin {epoch}")

        def on_batch_end(self, trial, model, batch, logs=None):
            if batch == 0:
                calls.append("batch_end 0")

        def on_trial_end(self, trial):
            calls.append(f"trial_end {trial.trial_id} {trial.status.value}")
            super().on_trial_end(trial)
            calls.append(f"ended {trial.status.value} {trial.score is not None}")

        def on_search_end(self):
            calls.append("search_end")

    tuner = Hooked(build_model, objective="val_loss", max_trials=2, directory=tmp_path, seed=0)
    tuner.search(x, y, epochs=2, batch_size=100, validation_data=(x_val, y_val), verbose=0)
    per_trial = ["epoch_begin 0", "batch_end 0", "epoch_begin 1", "batch_end 0"]
    assert calls == [
        "search_begin",
        "trial_begin 00",
        *per_trial,
        "trial_end 00 COMPLETED",
        "ended COMPLETED True",
        "trial_begin 01",
        *per_trial,
        "trial_end 01 COMPLETED",
        "ended COMPLETED True",
        "search_end",
    ]


def test_reload_save_and_trial_dirs(tmp_path, data):
    x, y, x_val, y_val = data
    tuner = kt.RandomSearch(
        build_model,
        objective="val_loss",
        max_trials=2,
        directory=tmp_path,
        project_name="p",
        seed=0,
    )
    tuner.search(x, y, epochs=1, validation_data=(x_val, y_val), verbose=0)
    tuner.save()
    trial_dir = tuner.get_trial_dir("00")
    assert str(tmp_path / "p") in trial_dir
    again = kt.RandomSearch(
        build_model,
        objective="val_loss",
        max_trials=2,
        directory=tmp_path,
        project_name="p",
        seed=0,
    )
    again.reload()
    assert (
        again.get_best_hyperparameters(1)[0].values == tuner.get_best_hyperparameters(1)[0].values
    )
    assert again.remaining_trials == 0


def test_distribution_strategy_off_tensorflow_warns_that_it_is_ignored(tmp_path):
    if keras.backend.backend() == "tensorflow":
        pytest.skip("on TensorFlow the strategy's scope is used")

    class FakeStrategy:
        def scope(self):
            raise AssertionError("must not be entered off TensorFlow")

    with pytest.warns(UserWarning, match="distribution_strategy=FakeStrategy is ignored"):
        kt.RandomSearch(
            build_model,
            objective="val_loss",
            distribution_strategy=FakeStrategy(),
            directory=tmp_path,
        )


def test_keras_tuner_chief_worker_variables_get_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("KERASTUNER_TUNER_ID", "chief")
    monkeypatch.setenv("KERASTUNER_ORACLE_IP", "127.0.0.1")
    monkeypatch.setenv("KERASTUNER_ORACLE_PORT", "8000")
    with pytest.raises(RuntimeError, match="does not run keras-tuner's gRPC chief") as error:
        kt.RandomSearch(build_model, objective="val_loss", directory=tmp_path)
    # It names what to use instead, with an example.
    message = str(error.value)
    assert "executor=kt.LocalWorkers(workers=2)" in message and "RayWorkers" in message
    assert "coming_from_keras_tuner.md" in message
    assert not (tmp_path / "untitled_project" / "tunesmith.db").exists()
