"""The study document of studies with several objectives, constraints and added trials:
the objectives, the front, the hypervolume, the broken constraints and the origins."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from pareto_studies import (
    PARAMS_LABEL,
    SIZE_LABEL,
    write_infeasible_study,
    write_pareto_study,
    write_three_objective_study,
)

pytest.importorskip("httpx2")
from starlette.testclient import TestClient
from test_dashboard_api import changes_since, digest

from tunesmith.objective import Objective
from tunesmith.ranking import RecordTrial, pareto_front
from tunesmith.store import Store
from tunesmith.web import create_app


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("tradeoffs")
    write_pareto_study(root)
    write_three_objective_study(root)
    write_infeasible_study(root)
    return root


def study(runs: Path, key: str) -> dict:
    api = TestClient(create_app(runs), base_url="http://127.0.0.1")
    return api.get("/api/study", params={"project": key}).json()


def test_a_pareto_study_names_its_objectives_and_its_front(runs):
    doc = study(runs, "pareto")
    assert doc["pareto"] is True
    assert doc["objectives"] == [
        {"name": "error", "direction": "min"},
        {"name": "size", "direction": "min"},
    ]
    with Store.open_read_only(runs / "pareto") as store:
        records = store.trial_records()
        objective = Objective.from_config(store.load_study()["objective"])
    expected = [v.record["trial_id"] for v in pareto_front(map(RecordTrial, records), objective)]
    assert doc["front"] == expected and len(expected) >= 2
    trials = {t["trial_id"]: t for t in doc["trials"]}
    assert all(SIZE_LABEL not in doc["broken"].get(i, []) for i in doc["front"])
    assert all(trials[i]["metrics"]["size"] <= 300 for i in doc["front"])


def test_broken_constraints_are_listed_per_trial(runs):
    doc = study(runs, "pareto")
    assert doc["constraints"] == [SIZE_LABEL]
    too_big = {t["trial_id"] for t in doc["trials"] if t["metrics"].get("size", 0) > 300}
    assert too_big and set(doc["broken"]) == too_big
    assert all(labels == [SIZE_LABEL] for labels in doc["broken"].values())


def test_infeasible_trials_are_in_the_document_with_their_model_metrics(runs):
    doc = study(runs, "limited")
    infeasible = [t for t in doc["trials"] if t["status"] == "INFEASIBLE"]
    assert infeasible
    for trial in infeasible:
        assert doc["broken"][trial["trial_id"]] == [PARAMS_LABEL]
        assert trial["score"] is None and trial["metrics"]["model/params"] > 500
    assert doc["pareto"] is False and doc["hypervolume"] is None
    assert doc["front"] == [doc["best"]["trial_id"]]


def test_added_trials_carry_their_origin(runs):
    doc = study(runs, "pareto")
    added = [t["trial_id"] for t in doc["trials"] if doc["origins"].get(t["trial_id"])]
    assert len(added) == 1 and doc["origins"][added[0]] == "added"


def test_the_hypervolume_grows_over_the_trials_on_normalised_objectives(runs):
    for key, objectives in (("pareto", 2), ("three", 3)):
        hv = study(runs, key)["hypervolume"]
        values = hv["values"]
        assert hv["reference"] == [1.1] * objectives
        assert len(values) == len(hv["numbers"]) == len(hv["trial_ids"])
        assert hv["numbers"] == sorted(hv["numbers"])
        assert all(b >= a - 1e-12 for a, b in itertools.pairwise(values))
        assert 0 < values[-1] <= 1.1**objectives


def test_the_cards_say_the_front_size_and_the_infeasible_count(runs):
    api = TestClient(create_app(runs), base_url="http://127.0.0.1")
    cards = {c["key"]: c for c in api.get("/api/projects").json()["projects"]}
    pareto = study(runs, "pareto")
    assert cards["pareto"]["front_size"] == len(pareto["front"])
    assert cards["pareto"]["infeasible"] == len(pareto["broken"])
    assert cards["limited"]["objectives"] == [{"name": "loss", "direction": "min"}]


def test_changes_bring_the_front_again_and_the_broken_constraints(tmp_path):
    write_pareto_study(tmp_path, trials=6)
    api = TestClient(create_app(tmp_path), base_url="http://127.0.0.1")
    doc = api.get("/api/study", params={"project": "pareto"}).json()
    write_pareto_study(tmp_path, trials=14)  # resumed: more trials, one more added
    fresh = changes_since(api, "pareto", doc["cursor"])
    full = api.get("/api/study", params={"project": "pareto"}).json()
    assert fresh["front"] == full["front"]
    assert fresh["hypervolume"] == full["hypervolume"]
    changed = {t["trial_id"] for t in fresh["trials"]}
    assert fresh["broken"] == {k: v for k, v in full["broken"].items() if k in changed}


def test_reading_these_studies_writes_nothing(runs):
    before = digest(runs)
    api = TestClient(create_app(runs), base_url="http://127.0.0.1")
    api.get("/api/projects")
    for key in ("pareto", "three", "limited"):
        api.get("/api/study", params={"project": key})
        api.get("/api/changes", params={"project": key, "trials_after": 0, "curves_after": 0})
    assert digest(runs) == before
