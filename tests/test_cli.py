"""The `tunesmith` command: summary and export of a stored project, errors, the demo."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from tunesmith import tune
from tunesmith.cli import main


@pytest.fixture
def project(tmp_path):
    def f(hp):
        x = hp.Int("x", 0, 9)
        if x == 3:
            raise ValueError("three is broken")
        return {"loss": (x - 6) ** 2, "accuracy": x / 10}

    tune(
        f,
        objective="loss",
        algorithm="grid",
        max_trials=None,
        directory=tmp_path,
        project_name="study",
        max_consecutive_failed_trials=10,
    )
    return tmp_path / "study"


def test_summary_lists_best_first(project, capsys):
    assert main(["summary", str(project), "-n", "2"]) == 0
    out = capsys.readouterr().out
    assert "Showing 2 best trials" in out and 'Objective(name="loss", direction="min")' in out
    assert out.index("x: 6") < out.index("Score: 1")
    assert "1 failed" in out


def test_summary_finds_the_single_project_under_a_parent(project, capsys):
    assert main(["summary", str(project.parent)]) == 0
    assert "Results summary" in capsys.readouterr().out


def test_export_csv_and_json(project, tmp_path):
    assert main(["export", str(project), "--format", "csv", "-o", str(tmp_path / "r.csv")]) == 0
    frame = pd.read_csv(tmp_path / "r.csv")
    assert len(frame) == 10 and {"x", "score", "status"} <= set(frame.columns)
    assert main(["export", str(project), "--format", "json"]) == 0
    data = json.loads((project / "results.json").read_text())
    assert len(data["trials"]) == 10 and data["study"]["objective"]["name"] == "loss"


def test_missing_and_corrupt_stores_are_clear_errors(tmp_path, capsys):
    assert main(["summary", str(tmp_path / "nothing")]) == 2
    assert "No tunesmith project at" in capsys.readouterr().err
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "tunesmith.db").write_bytes(b"this is not a database" * 100)
    assert main(["summary", str(bad)]) == 2
    assert "tunesmith.db" in capsys.readouterr().err
    assert (bad / "tunesmith.db").read_bytes() == b"this is not a database" * 100


@pytest.mark.slow
def test_demo_runs_the_w1_study(tmp_path, capsys):
    assert (
        main(
            [
                "demo",
                "--directory",
                str(tmp_path),
                "--max-trials",
                "2",
                "--epochs",
                "3",
                "--verbose",
                "0",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "Search space summary" in out and "Results summary" in out
    assert "Test accuracy" in out and "TP " in out
    # Which rows each figure uses; the test rows stay out of the search.
    assert "364 train, 91 validation (the search), 114 test" in out
    assert "on the 91 validation rows at epoch" in out
    assert "114 test rows, unseen by the search" in out
    # The confusion matrix in the report's order: classes in label order, true by row.
    assert out.index("actual benign") < out.index("actual malignant")
    assert out.index("predicted benign") < out.index("predicted malignant")
    report = (tmp_path / "breast_cancer" / "report.html").read_text("utf-8")
    assert "validation (91 rows, chose the model)" in report
    assert "test (114 rows, unseen by the search)" in report


def test_tensorboard_export(project, tmp_path, capsys):
    pytest.importorskip("tensorboard")
    from tensorboard.backend.event_processing.event_multiplexer import EventMultiplexer

    logdir = tmp_path / "tb"
    assert main(["tensorboard", str(project), "--logdir", str(logdir)]) == 0
    assert f"tensorboard --logdir {logdir}" in capsys.readouterr().out
    runs = EventMultiplexer().AddRunsFromDirectory(str(logdir))
    runs.Reload()
    # one HParams session per finished trial (x = 3 failed, but it is listed too)
    assert sum(name.startswith("trial_") and "/" not in name for name in runs.Runs()) == 10
    assert main(["tensorboard", str(project), "--logdir", str(logdir)]) == 2  # not overwritten
    assert "--overwrite" in capsys.readouterr().err
    assert main(["tensorboard", str(project), "--logdir", str(logdir), "--overwrite"]) == 0


def test_export_to_stdout_with_a_dash(project, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["export", str(project), "--format", "json", "-o", "-"]) == 0
    data = json.loads(capsys.readouterr().out)  # the document itself, nothing else
    assert len(data["trials"]) == 10
    assert not (tmp_path / "-").exists()
    assert main(["export", str(project), "-o", "-"]) == 0
    assert capsys.readouterr().out.startswith("trial_id,number,status,score")


def test_version_and_defaults_in_help(capsys):
    from tunesmith import __version__

    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and capsys.readouterr().out.strip() == f"tunesmith {__version__}"
    with pytest.raises(SystemExit):
        main(["summary", "--help"])
    assert "(default: 10)" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["demo", "--help"])
    text = capsys.readouterr().out
    assert "(default: 5)" in text and "(default: 60)" in text and "(default: False)" not in text


def test_the_package_lists_its_lazy_names():
    import tunesmith

    names = dir(tunesmith)
    assert {"RandomSearch", "Hyperband", "SklearnTuner", "tune", "engine", "tuners"} <= set(names)


def test_dashboard_refuses_a_public_address_without_the_flag(project, capsys):
    pytest.importorskip("starlette")
    assert main(["dashboard", str(project.parent), "--host", "0.0.0.0", "--port", "0"]) == 2
    assert "--allow-remote" in capsys.readouterr().err


def test_dashboard_of_a_missing_folder_says_so(tmp_path, capsys):
    pytest.importorskip("starlette")
    assert main(["dashboard", str(tmp_path / "nowhere"), "--port", "0"]) == 2
    assert "No tunesmith project at" in capsys.readouterr().err


def test_dashboard_serves_until_stopped(project):
    pytest.importorskip("starlette")
    import subprocess
    import sys
    import urllib.request

    command = [sys.executable, "-m", "tunesmith.cli", "dashboard", str(project.parent)]
    server = subprocess.Popen([*command, "--port", "0"], stdout=subprocess.PIPE, text=True)
    try:
        banner = server.stdout.readline()
        url = banner.split(" at ")[1].split()[0]
        assert url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(url + "api/projects", timeout=10) as answer:
            cards = json.loads(answer.read())["projects"]
        assert [card["key"] for card in cards] == [project.name]
    finally:
        server.terminate()
        server.wait(timeout=10)
