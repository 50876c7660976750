"""W2: dense networks on CIFAR-10 tuned by Bayesian optimisation and random search,
then the step the document announces: tuning the training setup, and a CNN.

Each (study, tuner) pair is one search on ``val_loss``; its best configuration is
then trained afresh for ``--final-epochs``, evaluated on the test set (loss,
accuracy, confusion matrix, per-class accuracy), and every pair lands in one
comparison table, printed and in each search's HTML report.

Run it with ``tunesmith demo cifar10`` or ``python examples/cifar10_dense.py``;
``--data digits`` runs the same studies offline on scikit-learn's digits.
"""

from __future__ import annotations

import argparse
import os
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from tunesmith.errors import FatalRuntimeError
from tunesmith.space import is_tuner_value
from tunesmith.studies.cifar10_data import (
    DATA_SOURCES,
    ImageSplits,
    cifar10_location,
    load_image_data,
)
from tunesmith.studies.cifar10_models import STUDIES, make_hypermodel

if TYPE_CHECKING:  # the report extra (matplotlib) is imported only when a study runs
    from tunesmith.report.evaluation import ClassifierEvaluation

TUNERS = ("bayesian", "random")
COMPARISON_COLUMNS = (
    "study",
    "tuner",
    "best val_loss",
    "test loss",
    "test accuracy",
    "parameters",
    "trials",
    "search s",
    "total s",
)


@dataclass
class SearchSettings:
    """How every (study, tuner) search of one run is done."""

    max_trials: int = 25
    epochs: int = 20
    final_epochs: int = 30
    batch_size: int = 64
    patience: int = 3
    num_initial_points: int = 2
    directory: str = "runs/w2"
    seed: int = 7
    overwrite: bool = True
    verbose: int = 1


@dataclass
class StudyRun:
    """One search and its best configuration trained, tested and measured."""

    study: str
    tuner: str
    best_val_loss: float
    test_loss: float
    test_accuracy: float
    parameters: int
    trials: int
    search_seconds: float
    total_seconds: float
    best_values: dict[str, Any]
    project_dir: Path
    model_summary: str
    # The test evaluation: confusion matrix, per-class recall (= per-class accuracy), ROC.
    evaluation: ClassifierEvaluation = field(repr=False)
    report: Path | None = None


def make_tuner(study: str, tuner: str, data: ImageSplits, settings: SearchSettings) -> Any:
    """The document's tuner for one study: ``val_loss``, ``max_trials``, a seed, and
    for Bayesian optimisation ``num_initial_points=2``."""
    import tunesmith as kt

    common = {
        "objective": "val_loss",
        "max_trials": settings.max_trials,
        "directory": settings.directory,
        "project_name": f"{study}_{tuner}",
        "seed": settings.seed,
        "overwrite": settings.overwrite,
    }
    hypermodel = make_hypermodel(study, data.input_shape, data.num_classes)
    if tuner == "bayesian":
        return kt.BayesianOptimization(
            hypermodel, num_initial_points=settings.num_initial_points, **common
        )
    if tuner == "random":
        return kt.RandomSearch(hypermodel, **common)
    raise ValueError(f"Unknown tuner {tuner!r}: use one of {', '.join(TUNERS)}.")


def run_search(
    study: str, tuner_name: str, data: ImageSplits, settings: SearchSettings
) -> StudyRun:
    """Search, then train the best configuration from scratch and test it."""
    import keras

    from tunesmith.report import evaluate_classifier, model_summary

    started = time.time()
    keras.utils.set_random_seed(settings.seed)
    tuner = make_tuner(study, tuner_name, data, settings)
    tuner.search(
        data.x_train,
        data.y_train,
        validation_data=(data.x_val, data.y_val),
        epochs=settings.epochs,
        batch_size=settings.batch_size,
        callbacks=[keras.callbacks.EarlyStopping("val_loss", patience=settings.patience)],
        verbose=settings.verbose,
    )
    search_seconds = time.time() - started
    best = tuner.oracle.get_best_trials(1)
    if not best:
        raise FatalRuntimeError(
            f"No trial of the {study} study ({tuner_name} search) finished with a val_loss; "
            f"see the errors with `tunesmith summary {tuner.project_dir}`."
        )
    best_trial, best_hp = best[0], best[0].hyperparameters

    # The document's "train it fully": a fresh model of the best configuration for all
    # of final_epochs, keeping the epoch with the lowest validation loss (an early stop
    # would cut runs whose validation loss is noisy, as small-data CNNs' is). The
    # hypermodel's own fit is used so a tuned batch size or schedule applies here too.
    keras.utils.set_random_seed(settings.seed)
    model = tuner.hypermodel.build(best_hp)
    tuner.hypermodel.fit(
        best_hp,
        model,
        data.x_train,
        data.y_train,
        validation_data=(data.x_val, data.y_val),
        epochs=settings.final_epochs,
        batch_size=settings.batch_size,
        callbacks=[
            keras.callbacks.EarlyStopping(
                "val_loss", patience=settings.final_epochs, restore_best_weights=True
            )
        ],
        verbose=0,
    )
    # One pass over the test set: the loss (the models' compiled loss, none has a
    # regulariser) and every other figure come from the predicted probabilities.
    probabilities = model.predict(data.x_test, batch_size=256, verbose=0)
    test_loss = keras.ops.mean(
        keras.losses.sparse_categorical_crossentropy(data.y_test, probabilities)
    )
    evaluation = evaluate_classifier(data.y_test, probabilities, class_names=data.class_names)
    return StudyRun(
        study=study,
        tuner=tuner_name,
        best_val_loss=float(best_trial.score),
        test_loss=float(test_loss),
        test_accuracy=evaluation.accuracy,
        parameters=int(model.count_params()),
        trials=len(tuner.oracle.trials),
        search_seconds=search_seconds,
        total_seconds=time.time() - started,
        best_values={k: v for k, v in best_hp.values.items() if not is_tuner_value(k)},
        project_dir=Path(tuner.project_dir),
        model_summary=model_summary(model),
        evaluation=evaluation,
    )


def comparison_table(runs: Sequence[StudyRun]) -> pd.DataFrame:
    """One row per search: the figures the document compares, in its order.

    Example:
        >>> comparison_table([]).columns[:3].tolist()
        ['study', 'tuner', 'best val_loss']
    """
    rows = [
        (
            r.study,
            r.tuner,
            r.best_val_loss,
            r.test_loss,
            r.test_accuracy,
            r.parameters,
            r.trials,
            round(r.search_seconds, 1),
            round(r.total_seconds, 1),
        )
        for r in runs
    ]
    return pd.DataFrame(rows, columns=list(COMPARISON_COLUMNS))


def run_studies(
    studies: Sequence[str],
    tuners: Sequence[str],
    data: ImageSplits,
    settings: SearchSettings,
    *,
    report: bool = True,
    console: Any = None,
) -> list[StudyRun]:
    """Every study with every tuner, then the comparison (and the reports).

    Example:
        >>> from tunesmith.studies.cifar10_data import synthetic_images
        >>> runs = run_studies(["depth"], ["random"], synthetic_images(),
        ...                    SearchSettings(max_trials=2, epochs=1))  # doctest: +SKIP
    """
    from rich.console import Console

    console = console or Console(highlight=False)
    runs: list[StudyRun] = []
    for study in studies:
        for tuner in tuners:
            console.rule(f"Study {study} ({STUDIES[study]}), {tuner} search")
            run = run_search(study, tuner, data, settings)
            runs.append(run)
            print_run(run, data, console)
    table = comparison_table(runs)
    console.print(_rich_table(table, f"Searches compared on {data.source}"))
    if report:
        for run in runs:
            run.report = write_run_report(run, table, data)
            console.print(f"Report: {run.report}")
    return runs


def print_run(run: StudyRun, data: ImageSplits, console: Any) -> None:
    """The best model's summary, its test figures, confusion matrix and per-class accuracy."""
    from rich.table import Table

    console.print(f"Best configuration: {run.best_values}")
    console.print(run.model_summary, markup=False)
    console.print(
        f"Trained the best configuration again: test loss {run.test_loss:.4f}, "
        f"test accuracy {run.test_accuracy:.4f} ({len(data.y_test)} test images)"
    )
    names = list(data.class_names)
    evaluation = run.evaluation
    table = Table(title="Confusion matrix (rows: true class) and per-class accuracy")
    table.add_column("true \\ predicted")
    for name in names:
        table.add_column(name[:6], justify="right")
    table.add_column("accuracy", justify="right")
    for i, name in enumerate(names):
        # A class's accuracy is the share of its images predicted as it: its recall.
        accuracy = f"{evaluation.recall[i]:.3f}" if evaluation.support[i] else "—"
        table.add_row(name, *(str(int(c)) for c in evaluation.confusion[i]), accuracy)
    console.print(table)


def write_run_report(run: StudyRun, comparison: pd.DataFrame, data: ImageSplits) -> Path:
    """The search's HTML report with the comparison of every search of this run."""
    from tunesmith.report import write_report

    return write_report(
        run.project_dir,
        title=f"W2 study {run.study}, {run.tuner} search, on {data.source}",
        model_summary=run.model_summary,
        evaluations={"test": run.evaluation},
        tables={"Every search of this run (best configuration trained again)": comparison},
    )


def _rich_table(frame: pd.DataFrame, title: str) -> Any:
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for column in frame.columns:
        table.add_column(column, justify="left" if column in ("study", "tuner") else "right")
    for row in frame.itertuples(index=False):
        table.add_row(*(_cell(column, v) for column, v in zip(frame.columns, row, strict=True)))
    return table


def _cell(column: str, value: Any) -> str:
    if column.endswith(" s"):
        return f"{value:.1f}"
    if isinstance(value, float):
        return f"{value:.4f}"
    if isinstance(value, (int, np.integer)):
        return f"{value:,}"
    return str(value)


# --------------------------------------------------------------------- command line
def add_arguments(parser: argparse.ArgumentParser) -> None:
    studies = ", ".join(f"{k} ({v})" for k, v in STUDIES.items())
    parser.add_argument(
        "--study",
        default="baseline",
        help=f"comma list of studies, or 'all': {studies} (default: baseline)",
    )
    parser.add_argument(
        "--tuner",
        default="both",
        choices=[*TUNERS, "both"],
        help="Bayesian optimisation, random search, or both for the comparison (default)",
    )
    parser.add_argument(
        "--data",
        default="auto",
        choices=["auto", *DATA_SOURCES],
        help="auto (default): CIFAR-10 when a copy is found, else scikit-learn's digits",
    )
    parser.add_argument("--cifar-path", help="cifar-10-python.tar.gz or its extracted folder")
    parser.add_argument(
        "--train-limit", type=int, help="use only this many training images (quicker on a CPU)"
    )
    parser.add_argument("--max-trials", type=int, default=25, help="trials per study and tuner")
    parser.add_argument("--epochs", type=int, default=20, help="most epochs per trial")
    parser.add_argument(
        "--final-epochs",
        type=int,
        default=30,
        help="epochs to train the best configuration again (the best epoch is kept)",
    )
    parser.add_argument("--batch-size", type=int, default=64, help="training batch size")
    parser.add_argument(
        "--patience", type=int, default=3, help="early stopping of each trial on val_loss"
    )
    parser.add_argument(
        "--directory", default="runs/w2", help="stores go to <directory>/<data>/<study>_<tuner>"
    )
    parser.add_argument("--seed", type=int, default=7, help="seed of the splits and searches")
    parser.add_argument(
        "--resume", action="store_true", help="continue stored searches instead of starting afresh"
    )
    parser.add_argument("--verbose", type=int, default=1, help="0: quiet, 1: progress")
    parser.add_argument("--no-report", action="store_true", help="skip the HTML reports")


def choose_data(args: argparse.Namespace, console: Any) -> tuple[str, ImageSplits]:
    """The source's name and its data; ``auto`` falls back to digits, saying so."""
    name = args.data
    if name == "auto" and args.cifar_path:
        name = "cifar10"  # a path the user typed must exist: its error says what is wrong
    if name == "auto":
        found = cifar10_location()
        if found is None:
            console.print(
                "CIFAR-10 was not found (no --cifar-path, nothing in the Keras cache): "
                "running on scikit-learn's digits instead. Put cifar-10-python.tar.gz in "
                "~/.keras/datasets/ or pass --cifar-path to use CIFAR-10."
            )
            name = "digits"
        else:
            name = "cifar10"
    data = load_image_data(
        name, cifar_path=args.cifar_path, seed=args.seed, train_limit=args.train_limit
    )
    return name, data


def parse_studies(text: str) -> list[str]:
    """``"all"`` or a comma list of study names, checked.

    Example:
        >>> parse_studies("depth,baseline")
        ['depth', 'baseline']
    """
    if text == "all":
        return list(STUDIES)
    studies = [s.strip() for s in text.split(",") if s.strip()]
    unknown = [s for s in studies if s not in STUDIES]
    if unknown or not studies:
        raise SystemExit(
            f"Unknown study {', '.join(unknown) or repr(text)}: use 'all' or a comma list of "
            f"{', '.join(STUDIES)}."
        )
    return studies


def run_from_args(args: argparse.Namespace) -> list[StudyRun]:
    from rich.console import Console

    # The tables are wide: piped to a file they keep 140 columns instead of rich's 80.
    console = Console(highlight=False, width=shutil.get_terminal_size((140, 24)).columns)
    studies = parse_studies(args.study)
    tuners = list(TUNERS) if args.tuner == "both" else [args.tuner]
    source, data = choose_data(args, console)
    console.print(
        f"Data: {data.source}; train {len(data.y_train)}, validation {len(data.y_val)}, "
        f"test {len(data.y_test)} images of shape {data.input_shape}, {data.num_classes} classes."
    )
    settings = SearchSettings(
        max_trials=args.max_trials,
        epochs=args.epochs,
        final_epochs=args.final_epochs,
        batch_size=args.batch_size,
        patience=args.patience,
        # One folder per data source, so a digits run never replaces a CIFAR-10 one.
        directory=str(Path(args.directory) / source),
        seed=args.seed,
        overwrite=not args.resume,
        verbose=args.verbose,
    )
    return run_studies(studies, tuners, data, settings, report=not args.no_report, console=console)


def main(argv: list[str] | None = None) -> list[StudyRun]:
    os.environ.setdefault("KERAS_BACKEND", "jax")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_arguments(parser)
    return run_from_args(parser.parse_args(argv))
