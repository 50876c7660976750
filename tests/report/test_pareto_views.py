"""The report of studies with several objectives and constraints: the Pareto front,
the pairs of three objectives, the hypervolume, feasibility in the table and counts."""

from __future__ import annotations

import hashlib
import html
import re
from pathlib import Path

import numpy as np
import pytest
from pareto_studies import (
    PARAMS_LABEL,
    SIZE_LABEL,
    write_infeasible_study,
    write_pareto_study,
    write_three_objective_study,
)

from tunesmith._study_document import study_document
from tunesmith.objective import Objective
from tunesmith.report import write_report
from tunesmith.report.pareto_views import hypervolume_plot, pareto_front_plot, pareto_pairs_plot
from tunesmith.store import Store

ERROR_SIZE = [Objective("error", "min"), Objective("size", "min")]


@pytest.fixture(scope="module")
def projects(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("pareto_report")
    return {
        "pareto": write_pareto_study(root),
        "three": write_three_objective_study(root),
        "limited": write_infeasible_study(root),
    }


def read(project: Path):
    with Store.open_read_only(project) as store:
        return store.results_frame(), study_document(store, project.name, False, {})


def offsets(ax, index: int) -> np.ndarray:
    return np.asarray(ax.collections[index].get_offsets())


def test_two_objectives_draw_the_front_dominated_and_infeasible_trials(projects):
    results, doc = read(projects["pareto"])
    fig = pareto_front_plot(results, ERROR_SIZE, front_trial_ids=doc["front"])
    ax = fig.axes[0]
    dominated, infeasible, front = (offsets(ax, i) for i in range(3))
    assert len(front) == len(doc["front"])
    assert len(infeasible) == len(doc["broken"]) > 0
    assert len(dominated) + len(front) + len(infeasible) == len(results)
    assert ax.collections[0].get_alpha() < 0.5  # dominated trials faded
    assert (infeasible[:, 1] > 300).all()
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert any(SIZE_LABEL in label for label in labels)
    (step,) = ax.lines  # the front as a staircase through its trials
    assert len(step.get_xdata()) == len(front)


def test_three_objectives_draw_every_pair(projects):
    results, doc = read(projects["three"])
    objectives = [Objective(n, "min") for n in ("error", "size", "latency")]
    fig = pareto_pairs_plot(results, objectives, front_trial_ids=doc["front"])
    assert len(fig.axes) == 3
    for ax in fig.axes:
        assert len(offsets(ax, -1)) == len(doc["front"])  # the front, drawn last


def test_the_hypervolume_figure_follows_the_document(projects):
    _, doc = read(projects["pareto"])
    fig = hypervolume_plot(doc["hypervolume"])
    line = fig.axes[0].lines[0]
    assert list(line.get_ydata()) == doc["hypervolume"]["values"]
    assert "reference 1.1" in fig.axes[0].get_title()


def test_a_view_without_a_feasible_trial_says_why(projects):
    results, doc = read(projects["pareto"])
    with pytest.raises(ValueError, match="feasible"):
        pareto_front_plot(results.assign(feasible=False), ERROR_SIZE, front_trial_ids=[])
    with pytest.raises(ValueError, match="two objectives"):
        pareto_front_plot(results, ERROR_SIZE[:1], front_trial_ids=doc["front"])


def test_the_report_of_a_pareto_study_lists_the_front_and_marks_feasibility(projects, tmp_path):
    project = projects["pareto"]
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in project.glob("*.db*")}
    page = write_report(project, tmp_path / "report.html").read_text(encoding="utf-8")
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in project.glob("*.db*")}
    assert before == after  # the report reads the store, never writes it
    _, doc = read(project)
    assert 'data-chart="pareto front"' in page and 'data-chart="hypervolume"' in page
    assert f"Pareto front: {len(doc['front'])} trial(s)" in page
    assert "<th>broken constraint</th>" in page and "<th>origin</th>" in page
    assert "<th>metric:error</th>" in page and "<th>size</th>" in page
    assert page.count(f"<td>{html.escape(SIZE_LABEL)}</td>") == len(doc["broken"])
    assert page.count("<td>added</td>") >= 1
    assert re.search(r"infeasible</div><div class=\"value\">5 \(0 never trained\)", page)


def test_the_report_of_three_objectives_draws_the_pairs(projects, tmp_path):
    page = write_report(projects["three"], tmp_path / "r.html").read_text(encoding="utf-8")
    assert 'data-chart="pareto front"' in page and "not drawn" not in page


def test_the_report_counts_trials_never_trained_and_shows_model_metrics(projects, tmp_path):
    page = write_report(projects["limited"], tmp_path / "r.html").read_text(encoding="utf-8")
    results, _ = read(projects["limited"])
    untrained = int((results["status"] == "INFEASIBLE").sum())
    assert untrained > 0
    assert f"({untrained} never trained)" in page
    assert "<th>model/params</th>" in page and "<th>model/bytes</th>" in page
    assert page.count(f"<td>{html.escape(PARAMS_LABEL)}</td>") == untrained
    assert 'data-chart="pareto front"' not in page
