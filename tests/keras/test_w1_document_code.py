"""The W1 document's tuner code, with only the import changed to tunesmith.

The document imports ``tensorflow as tf`` and uses ``tf.keras``; this environment
has Keras 3 without TensorFlow, so ``tf.keras`` is Keras itself here. Every other
line of the class is the document's, apart from the output layer and ``compile``
which its listing indents into the loop (its results show they ran after it).
"""

from __future__ import annotations

import types

import keras
import numpy as np
from keras.layers import Dense
from keras.models import Sequential

from tunesmith import RandomSearch  # was: from kerastuner.tuners import RandomSearch
from tunesmith.studies.breast_cancer import scale_and_split
from tunesmith.studies.breast_cancer_data import load_embedded

tf = types.SimpleNamespace(keras=keras)


class CancerClassifier:
    def __init__(self, log_model_dir, static_shape_len):
        self.log_model_dir = log_model_dir
        self.static_shape_len = static_shape_len

    def init_random_search_keras_tuner(self, max_trials_int, executions_per_trial_int, verbose):
        tuner = RandomSearch(
            self.build_model,
            objective="val_accuracy",
            max_trials=max_trials_int,
            executions_per_trial=executions_per_trial_int,
            directory=self.log_model_dir,
            project_name="Model_Logs_Keras_Tuner",
        )
        if verbose:
            tuner_summary = tuner.search_space_summary()
            print(tuner_summary)
            return tuner
        else:
            return tuner

    def run_keras_tuner(
        self,
        tuner,
        X_train,
        X_test,
        y_train,
        y_test,
        epoch_int,
        batch_size_int,
        tensorboard_callbacks,
    ):
        tuner.search(
            X_train,
            y_train,
            validation_data=(X_test, y_test),
            epochs=epoch_int,
            batch_size=batch_size_int,
            callbacks=[tf.keras.callbacks.EarlyStopping("val_loss", patience=5)],
        )
        best_hps = tuner.get_best_hyperparameters()[0]
        models = tuner.get_best_models(num_models=1)
        best_model = models[0]
        return best_model, best_hps, tuner

    def build_model(self, hp):
        model = Sequential()
        model.add(
            Dense(
                units=hp.Int("units", min_value=32, max_value=512, step=32),
                activation=hp.Choice("activations", ["relu", "softmax"]),
                input_shape=(self.static_shape_len,),
            )
        )
        model.add(keras.layers.BatchNormalization())
        model.add(
            keras.layers.Dropout(rate=hp.Choice("dropout_rate", [0.0, 0.1, 0.2, 0.3, 0.4, 0.5]))
        )
        for i in range(hp.Int("Layers", min_value=0, max_value=3)):  # noqa: B007
            model.add(
                tf.keras.layers.Dense(
                    units=hp.Int("units", min_value=32, max_value=512, step=32),
                    activation=hp.Choice("activations", ["relu", "softmax"]),
                )
            )
            model.add(keras.layers.BatchNormalization())
            model.add(
                keras.layers.Dropout(rate=hp.Choice("dropout_rate", [0.0, 0.1, 0.2, 0.3, 0.4, 0.5]))
            )
        model.add(Dense(1, activation="sigmoid"))
        model.compile(
            loss="binary_crossentropy",
            optimizer=tf.keras.optimizers.Adam(
                hp.Choice("learning_rate", values=[1e-2, 1e-3, 1e-4])
            ),
            metrics=["accuracy"],
        )
        return model


def test_document_code_runs_unchanged(tmp_path, capsys):
    keras.utils.set_random_seed(0)
    split = scale_and_split(load_embedded())
    classifier = CancerClassifier(str(tmp_path), split.x_train.shape[1])
    tuner = classifier.init_random_search_keras_tuner(2, 1, verbose=True)
    best_model, best_hps, tuner = classifier.run_keras_tuner(
        tuner, split.x_train, split.x_test, split.y_train, split.y_test, 3, 64, False
    )
    out = capsys.readouterr().out
    assert "units (Int)" in out and "Layers (Int)" in out
    assert set(best_hps.values) >= {
        "units",
        "activations",
        "dropout_rate",
        "Layers",
        "learning_rate",
    }
    predictions = best_model.predict(split.x_test, verbose=0)
    assert predictions.shape == (len(split.x_test), 1)
    assert np.all((predictions >= 0) & (predictions <= 1))
    tuner.results_summary()
    assert "Showing 2 best trials" in capsys.readouterr().out
