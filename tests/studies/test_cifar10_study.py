"""The W2 study runner: the comparison table, data choice, and a run end to end."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

pytest.importorskip("sklearn")
pytest.importorskip("matplotlib")

from rich.console import Console

from tunesmith.cli import main
from tunesmith.studies import cifar10
from tunesmith.studies.cifar10 import (
    COMPARISON_COLUMNS,
    StudyRun,
    comparison_table,
    parse_studies,
)


def _run(study: str, tuner: str, accuracy: float) -> StudyRun:
    return StudyRun(
        study=study,
        tuner=tuner,
        best_val_loss=1.5,
        test_loss=1.25,
        test_accuracy=accuracy,
        parameters=1234,
        trials=25,
        search_seconds=61.26,
        total_seconds=70.04,
        best_values={"num_layers": 2},
        project_dir=Path("p"),
        model_summary="",
        evaluation=None,
    )


def test_comparison_table_has_one_row_per_search_in_order():
    table = comparison_table([_run("baseline", "bayesian", 0.5), _run("baseline", "random", 0.4)])
    assert list(table.columns) == list(COMPARISON_COLUMNS)
    assert table["tuner"].tolist() == ["bayesian", "random"]
    assert table["test accuracy"].tolist() == [0.5, 0.4]
    first = table.iloc[0]
    assert (first["best val_loss"], first["test loss"], first["parameters"]) == (1.5, 1.25, 1234)
    assert (first["trials"], first["search s"], first["total s"]) == (25, 61.3, 70.0)


def test_parse_studies():
    assert parse_studies("all") == ["baseline", "depth_width", "depth", "training", "cnn"]
    assert parse_studies("cnn, depth") == ["cnn", "depth"]
    with pytest.raises(SystemExit, match=r"Unknown study wide.*baseline, depth_width"):
        parse_studies("baseline,wide")


def test_auto_data_falls_back_to_digits_and_says_so(monkeypatch):
    monkeypatch.setattr(cifar10, "cifar10_location", lambda path=None: None)
    console = Console(record=True, width=200)
    args = argparse.Namespace(data="auto", cifar_path=None, seed=0, train_limit=None)
    name, data = cifar10.choose_data(args, console)
    assert name == "digits" and data.input_shape == (8, 8, 1)
    said = console.export_text()
    assert "CIFAR-10 was not found" in said and "--cifar-path" in said


@pytest.mark.slow
def test_demo_cifar10_on_synthetic_data_compares_both_tuners(tmp_path, capsys):
    # The hypermodels go through both tuners in test_cifar10_models.py; here the runner.
    argv = ["demo", "cifar10", "--data", "synthetic", "--study", "depth"]
    argv += ["--max-trials", "2", "--epochs", "1", "--final-epochs", "2"]
    argv += ["--directory", str(tmp_path), "--verbose", "0"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "Searches compared on synthetic" in out
    assert "Confusion matrix (rows: true class)" in out and "Total params" in out
    for study in ("depth",):
        for tuner in ("bayesian", "random"):
            project = tmp_path / "synthetic" / f"{study}_{tuner}"
            assert (project / "tunesmith.db").is_file()
            report = (project / "report.html").read_text("utf-8")
            section = report[report.index('id="comparison"') : report.index('id="results"')]
            # every search of the run is in every report's comparison
            assert section.count("<tr") == 1 + 2
            assert ">bayesian<" in section and ">random<" in section
            assert 'data-chart="confusion test"' in report
            assert f"Report: {project / 'report.html'}" in out


def test_a_cifar_path_that_is_not_there_is_an_error_not_a_fallback(tmp_path):
    from tunesmith.errors import DataSourceError

    args = argparse.Namespace(
        data="auto", cifar_path=str(tmp_path / "nope.tar.gz"), seed=0, train_limit=None
    )
    with pytest.raises(DataSourceError, match=r"nope\.tar\.gz does not exist"):
        cifar10.choose_data(args, Console(record=True))
