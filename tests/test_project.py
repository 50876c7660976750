"""``tunesmith.load``: a saved project read back in Python, read-only."""

from __future__ import annotations

import pytest

import tunesmith
from tunesmith import Objective, Pareto
from tunesmith.errors import StoreError


def _snapshot(folder):
    """Every file under ``folder`` with its bytes; SQLite's -shm index by name only
    (a reader maps it; its bytes are SQLite's business, not the store's)."""
    return {
        str(path.relative_to(folder)): None if path.name.endswith("-shm") else path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def objective(hp):
    units = hp.Int("units", 8, 64, step=8)
    if hp.Boolean("extra"):
        with hp.conditional_scope("extra", [True]):
            units += hp.Int("width", 1, 4)
    loss = units * 0.01 + hp.Float("lr", 1e-3, 1e-1, sampling="log")
    return {"loss": loss, "size": float(units)}


@pytest.fixture
def project(tmp_path):
    tunesmith.tune(
        objective, objective="loss", max_trials=8, seed=1, directory=tmp_path, project_name="p"
    )
    return tmp_path / "p"


def test_load_reads_the_trials_best_first_and_changes_nothing(project):
    before = _snapshot(project)
    with tunesmith.load(project) as saved:
        frame = saved.results_frame()
        assert len(frame) == len(saved.trials) == 8
        assert frame["units"].dtype == "int64" and frame["width"].dtype == "Int64"
        assert saved.objective.name == "loss"
        ranked = saved.best_trials()
        assert [t.score for t in ranked] == sorted(t.score for t in ranked)
        assert saved.best_trial is ranked[0]
        assert saved.best_trials(2) == ranked[:2]
        assert saved.pareto_front() == ranked[:1]
        curves = saved.curves(saved.best_trial.trial_id)
        assert list(curves.columns[:3]) == ["trial_id", "execution", "step"]
        assert set(curves["trial_id"]) <= {saved.best_trial.trial_id}
        with pytest.raises(KeyError, match="No trial 'nope'"):
            saved.curves("nope")
    assert _snapshot(project) == before


def test_load_finds_the_single_project_under_its_parent(project):
    with tunesmith.load(project.parent) as saved:
        assert saved.project_dir == project


def test_pareto_front_of_a_multi_objective_study(tmp_path):
    tunesmith.tune(
        objective,
        objective=Pareto(["loss", Objective("size", "min")]),
        max_trials=8,
        seed=2,
        directory=tmp_path,
        project_name="pareto",
    )
    with tunesmith.load(tmp_path / "pareto") as saved:
        front = saved.pareto_front()
        assert front and saved.best_trials(len(front)) == front


@pytest.mark.slow
def test_write_report_writes_the_html_and_leaves_the_store(project, tmp_path):
    store_files = {p: p.read_bytes() for p in [project / "tunesmith.db"]}
    with tunesmith.load(project) as saved:
        written = saved.write_report(tmp_path / "r.html", write_pngs=False)
    assert written.read_text(encoding="utf-8").startswith("<!")
    assert {p: p.read_bytes() for p in store_files} == store_files


def test_a_missing_folder_or_one_without_a_store_is_a_clear_error(tmp_path):
    with pytest.raises(StoreError, match=r"No tunesmith project at .*nothing: there is no such"):
        tunesmith.load(tmp_path / "nothing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(StoreError, match=r"holds no tunesmith\.db"):
        tunesmith.load(tmp_path / "empty")
    assert list((tmp_path / "empty").iterdir()) == []
