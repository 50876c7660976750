"""``tunesmith summary`` and ``export`` of studies with several objectives, constraints
and trials added by hand; neither writes to the store."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest
from pareto_studies import (
    PARAMS_LABEL,
    SIZE_LABEL,
    write_infeasible_study,
    write_pareto_study,
)

from tunesmith.cli import main


@pytest.fixture(scope="module")
def projects(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("cli_tradeoffs")
    return {"pareto": write_pareto_study(root), "limited": write_infeasible_study(root)}


def digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_summary_shows_every_objective_the_front_and_the_constraints(projects, capsys):
    assert main(["summary", str(projects["pareto"])]) == 0
    out = capsys.readouterr().out
    assert "Objectives: error (min), size (min)" in out
    front_line = next(line for line in out.splitlines() if line.startswith("Pareto front:"))
    size = int(front_line.split()[2])
    listed = [line for line in out.splitlines() if line.startswith("  trial ")]
    assert size >= 2 and len(listed) == size
    assert f"Constraints: {SIZE_LABEL}" in out
    assert "Trials not run by this search: 1 added" in out


def test_summary_counts_the_trials_never_trained(projects, capsys):
    assert main(["summary", str(projects["limited"])]) == 0
    out = capsys.readouterr().out
    line = next(line for line in out.splitlines() if line.startswith("Infeasible:"))
    assert "never trained" in line and PARAMS_LABEL in line
    assert "Pareto front" not in out


def test_export_csv_carries_objectives_constraints_feasibility_and_origin(projects, tmp_path):
    out = tmp_path / "pareto.csv"
    assert main(["export", str(projects["pareto"]), "-o", str(out)]) == 0
    frame = pd.read_csv(out)
    # "error" is also the traceback column's name: the objective is metric:error.
    for column in ("metric:error", "size", f"constraint/{SIZE_LABEL}", "feasible", "origin"):
        assert column in frame.columns, column
    assert (frame["feasible"] == (frame["size"] <= 300)).all()
    assert frame["origin"].dropna().tolist() == ["added"]
    assert frame.columns[-2:].tolist() == ["x", "units"]  # hyperparameters last
    assert frame["units"].dtype == "int64" and frame["number"].dtype == "int64"


def test_export_of_infeasible_trials_keeps_model_metrics_as_integers(projects, tmp_path):
    out = tmp_path / "limited.csv"
    assert main(["export", str(projects["limited"]), "-o", str(out)]) == 0
    frame = pd.read_csv(out)
    infeasible = frame[frame["status"] == "INFEASIBLE"]
    assert len(infeasible) and not infeasible["feasible"].any()
    assert (infeasible["broken_constraints"] == PARAMS_LABEL).all()
    assert frame["model/params"].dtype == "int64" and frame["model/bytes"].dtype == "int64"


def test_export_json_says_feasibility_and_origin_per_trial(projects, capsys):
    assert main(["export", str(projects["pareto"]), "--format", "json", "-o", "-"]) == 0
    trials = json.loads(capsys.readouterr().out)["trials"]
    by_origin = [t for t in trials if t["origin"] == "added"]
    assert len(by_origin) == 1
    for trial in trials:
        assert trial["feasible"] == (trial["metrics"]["size"] <= 300)
        assert trial["broken_constraints"] == ([] if trial["feasible"] else [SIZE_LABEL])


def test_summary_and_export_write_nothing(projects, tmp_path, capsys):
    before = {key: digest(path) for key, path in projects.items()}
    for path in projects.values():
        main(["summary", str(path)])
        main(["export", str(path), "-o", str(tmp_path / "out.csv")])
    capsys.readouterr()
    assert {key: digest(path) for key, path in projects.items()} == before
