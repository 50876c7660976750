"""W1: a breast-cancer MLP tuned by random search, as the reference document does it.

Run it with ``tunesmith demo`` or ``python examples/breast_cancer.py``.
"""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tunesmith.studies.breast_cancer_data import (
    CLASS_NAMES,
    BreastCancerData,
    load_embedded,
    load_kaggle_csv,
)


def make_build_model(input_dim: int):
    """The W1 hypermodel, as the document writes it.

    One Dense → BatchNormalization → Dropout block, then ``Layers`` (0-3) more blocks
    reusing the *same* ``units``, ``activations`` and ``dropout_rate`` (define-by-run:
    a name asked for again returns the same value), then a sigmoid output. The
    document's listing shows the output layer and ``compile`` indented into the
    loop; its results (a best trial with ``Layers: 0``) show they ran after it.
    """
    import keras
    from keras.layers import Dense

    def build_model(hp):
        model = keras.Sequential()
        model.add(keras.Input(shape=(input_dim,)))
        model.add(
            Dense(
                units=hp.Int("units", min_value=32, max_value=512, step=32),
                activation=hp.Choice("activations", ["relu", "softmax"]),
            )
        )
        model.add(keras.layers.BatchNormalization())
        model.add(
            keras.layers.Dropout(rate=hp.Choice("dropout_rate", [0.0, 0.1, 0.2, 0.3, 0.4, 0.5]))
        )
        for _ in range(hp.Int("Layers", min_value=0, max_value=3)):
            model.add(
                Dense(
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
            optimizer=keras.optimizers.Adam(hp.Choice("learning_rate", values=[1e-2, 1e-3, 1e-4])),
            metrics=["accuracy"],
        )
        return model

    return build_model


@dataclass
class SplitData:
    """Train rows fit the models, validation rows choose among them (the search and
    early stopping), test rows are touched once, for the final figures."""

    x_train: np.ndarray
    x_val: np.ndarray
    x_test: np.ndarray
    y_train: np.ndarray
    y_val: np.ndarray
    y_test: np.ndarray
    feature_names: list[str]


def scale_and_split(data: BreastCancerData, seed: int = 42) -> SplitData:
    """The document's 80 % / 20 % split (stratified by class), with a fifth of the 80 %
    held out again as validation data: 64 % train, 16 % validation, 20 % test.

    The document validates on its test rows, so the test accuracy it reports is the
    score the search maximised; here the search never sees the test rows. The
    scaler is fitted on the training rows only, so nothing of the others leaks.
    """
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    x = data.features.to_numpy(dtype="float32")
    x_rest, x_test, y_rest, y_test = train_test_split(
        x, data.labels, test_size=0.2, random_state=seed, stratify=data.labels
    )
    x_train, x_val, y_train, y_val = train_test_split(
        x_rest, y_rest, test_size=0.2, random_state=seed, stratify=y_rest
    )
    scaler = StandardScaler().fit(x_train)
    x_train, x_val, x_test = (
        scaler.transform(part).astype("float32") for part in (x_train, x_val, x_test)
    )
    y_train, y_val, y_test = (part.astype("float32") for part in (y_train, y_val, y_test))
    return SplitData(x_train, x_val, x_test, y_train, y_val, y_test, list(data.features.columns))


@dataclass
class StudyArtifacts:
    """Everything the study produced. The HTML report and plots take this."""

    tuner: Any
    best_model: Any
    split: SplitData
    test_accuracy: float
    confusion: dict[str, int]
    probabilities: np.ndarray
    seconds: float
    report: Path | None = None


def confusion_counts(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, int]:
    """TP/FN/FP/TN with malignant (1) as the positive class."""
    from sklearn.metrics import confusion_matrix

    tn, fp, fn, tp = confusion_matrix(y_true, y_pred, labels=[0, 1]).ravel()
    return {"TP": int(tp), "FN": int(fn), "FP": int(fp), "TN": int(tn)}


def run_study(
    *,
    csv: str | None = None,
    directory: str = "runs",
    project_name: str = "breast_cancer",
    max_trials: int = 5,
    epochs: int = 60,
    batch_size: int = 32,
    patience: int = 5,
    seed: int = 7,
    overwrite: bool = True,
    report: bool = True,
    verbose: int = 1,
) -> StudyArtifacts:
    """Load, split, tune with random search on ``val_accuracy``, evaluate the best model."""
    import keras

    import tunesmith as kt

    started = time.time()
    data = load_kaggle_csv(csv) if csv else load_embedded()
    split = scale_and_split(data, seed=42)
    print(
        f"Data: {data.source}, {len(data.labels)} rows, {data.features.shape[1]} features, "
        f"{int(data.labels.sum())} malignant / {int((1 - data.labels).sum())} benign. "
        f"Split: {len(split.y_train)} train, {len(split.y_val)} validation (the search), "
        f"{len(split.y_test)} test (the final figures only)."
    )
    views = data_views(data) if report else {}

    keras.utils.set_random_seed(seed)
    tuner = kt.RandomSearch(
        make_build_model(split.x_train.shape[1]),
        objective="val_accuracy",
        max_trials=max_trials,
        executions_per_trial=1,
        directory=directory,
        project_name=project_name,
        overwrite=overwrite,
        seed=seed,
    )
    tuner.search_space_summary()
    # Validation rows choose the model; the test rows stay unseen until the end.
    tuner.search(
        split.x_train,
        split.y_train,
        validation_data=(split.x_val, split.y_val),
        epochs=epochs,
        batch_size=batch_size,
        callbacks=[keras.callbacks.EarlyStopping("val_loss", patience=patience)],
        verbose=verbose,
    )
    tuner.results_summary()

    best_model = tuner.get_best_models(num_models=1)[0]
    probabilities = best_model.predict(split.x_test, verbose=0).ravel()
    predictions = (probabilities >= 0.5).astype("int32")
    accuracy = float((predictions == split.y_test).mean())
    confusion = confusion_counts(split.y_test, predictions)
    artifacts = StudyArtifacts(
        tuner, best_model, split, accuracy, confusion, probabilities, time.time() - started
    )
    if report:
        artifacts.report = write_study_report(artifacts, views)
    return artifacts


def data_views(data: BreastCancerData) -> dict[str, Any]:
    """The document's four looks at the data before tuning, by caption."""
    from tunesmith.report import data_views as views

    frame = data.features
    names = dict(enumerate(CLASS_NAMES))
    means = [c for c in frame.columns if c.endswith("_mean")]
    others = [c for c in frame.columns if not c.endswith("_mean")]
    return {
        "Histogram of every feature (50 bins)": views.feature_histograms(frame, bins=50),
        "Pair plot of the first five *_mean features by diagnosis": views.pair_plot(
            frame, data.labels, means[:5], label_names=names
        ),
        "Correlation between the features": views.correlation_heatmap(frame),
        "Average of each non-mean feature per diagnosis": views.class_means(
            frame, data.labels, others, label_names=names
        ),
    }


def write_study_report(artifacts: StudyArtifacts, views: dict[str, Any]) -> Path:
    """The HTML report: the data, the search, the curves and the best model's evaluation."""
    from tunesmith.report import evaluate_classifier, model_summary, write_report

    split, model = artifacts.split, artifacts.best_model
    train_probabilities = model.predict(split.x_train, verbose=0).ravel()
    val_probabilities = model.predict(split.x_val, verbose=0).ravel()
    names = list(CLASS_NAMES)
    # The keys are the report's headings: they say which rows each figure uses.
    evaluations = {
        f"train ({len(split.y_train)} rows, fitted on)": evaluate_classifier(
            split.y_train.astype("int32"), train_probabilities, class_names=names
        ),
        f"validation ({len(split.y_val)} rows, chose the model)": evaluate_classifier(
            split.y_val.astype("int32"), val_probabilities, class_names=names
        ),
        f"test ({len(split.y_test)} rows, unseen by the search)": evaluate_classifier(
            split.y_test.astype("int32"), artifacts.probabilities, class_names=names
        ),
    }
    return write_report(
        artifacts.tuner.project_dir,
        title="Breast-cancer MLP (W1)",
        data_views=views,
        model_summary=model_summary(model),
        evaluations=evaluations,
    )


def print_evaluation(artifacts: StudyArtifacts) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False)
    best = artifacts.tuner.oracle.get_best_trials(1)[0]
    console.print(
        f"\nBest trial {best.trial_id}: val_accuracy {best.score:.4f} on the "
        f"{len(artifacts.split.y_val)} validation rows at epoch {best.best_step + 1}; "
        f"{best.values}"
    )
    table = Table(
        title=f"Best model on the {len(artifacts.split.y_test)} test rows, unseen by the "
        f"search (positive = {CLASS_NAMES[1]})",
        title_justify="left",
    )
    # Classes in label order, rows true and columns predicted: the report's matrix.
    table.add_column("")
    table.add_column(f"predicted {CLASS_NAMES[0]}", justify="right")
    table.add_column(f"predicted {CLASS_NAMES[1]}", justify="right")
    c = artifacts.confusion
    table.add_row(f"actual {CLASS_NAMES[0]}", f"TN {c['TN']}", f"FP {c['FP']}")
    table.add_row(f"actual {CLASS_NAMES[1]}", f"FN {c['FN']}", f"TP {c['TP']}")
    console.print(table)
    console.print(f"Test accuracy: {artifacts.test_accuracy:.4f} (test rows, used once)")
    console.print(f"Study took {artifacts.seconds:.1f} s; store in {artifacts.tuner.project_dir}")
    if artifacts.report is not None:
        console.print(f"Report: {artifacts.report}")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--csv", help="Kaggle's breast-cancer data.csv (default: embedded copy)")
    parser.add_argument("--directory", default="runs", help="where the project store goes")
    parser.add_argument("--project-name", default="breast_cancer", help="the project folder's name")
    parser.add_argument("--max-trials", type=int, default=5, help="trials to run")
    parser.add_argument("--epochs", type=int, default=60, help="most epochs per trial")
    parser.add_argument("--seed", type=int, default=7, help="seed of the split and the search")
    parser.add_argument(
        "--resume", action="store_true", help="continue the stored study instead of starting afresh"
    )
    parser.add_argument("--verbose", type=int, default=1, help="0: quiet, 1: progress")
    parser.add_argument("--no-report", action="store_true", help="skip the HTML report")


def main(argv: list[str] | None = None) -> StudyArtifacts:
    os.environ.setdefault("KERAS_BACKEND", "jax")
    parser = argparse.ArgumentParser(description=__doc__)
    add_arguments(parser)
    return run_from_args(parser.parse_args(argv))


def run_from_args(args: argparse.Namespace) -> StudyArtifacts:
    artifacts = run_study(
        csv=args.csv,
        directory=args.directory,
        project_name=args.project_name,
        max_trials=args.max_trials,
        epochs=args.epochs,
        seed=args.seed,
        overwrite=not args.resume,
        verbose=args.verbose,
        report=not args.no_report,
    )
    print_evaluation(artifacts)
    return artifacts
