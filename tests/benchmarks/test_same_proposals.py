"""benchmarks/same_proposals.py: its studies run on this tree and propose trials, and
comparing two runs finds the first difference."""

from __future__ import annotations

import pytest

from tests.benchmark_support import benchmark_module

STUDIES = {
    "random",
    "grid",
    "bayesian",
    "bayesian+median",
    "hyperband",
    "asha",
    "hyperband-bo",
    "asha-bo",
    "bayesian-retries",
    "bayesian-resumed",
}


@pytest.fixture(scope="module")
def script():
    with benchmark_module("same_proposals.py", "same_proposals_bench") as module:
        yield module


def test_every_study_runs_and_proposes_trials(script):
    studies = script.run_studies(trials=4)
    assert set(studies) == STUDIES
    for name, records in studies.items():
        assert records, name
        for record in records:
            assert set(record) == {"trial_id", "status", "values", "score"}
            assert {"x1", "x2", "n", "kind"} <= set(record["values"])
    for name in ("random", "grid", "bayesian", "bayesian+median", "bayesian-resumed"):
        assert len(studies[name]) == 4, name
    assert any("tuner/epochs" in r["values"] for r in studies["hyperband"])
    # Rounded to 12 significant digits: the records compare exactly with themselves.
    rows = script.compare(studies, studies)
    assert all(row["identical"] for row in rows)


def test_compare_names_the_first_differing_round(script):
    def rec(trial_id, x, score=1.0):
        return {"trial_id": trial_id, "status": "COMPLETED", "values": {"x": x}, "score": score}

    old = {"a": [rec("0", 1.0), rec("1", 2.0)], script.RESUMED: [rec("0", 1.0, 3.0)]}
    new = {"a": [rec("0", 1.0), rec("1", 2.5)], script.RESUMED: [rec("0", 1.0, 3.0000001)]}
    rows = {row["study"]: row for row in script.compare(old, new)}
    assert not rows["a"]["identical"]
    assert rows["a"]["first_difference"] == "round 1 (trial 1)"
    assert rows[script.RESUMED]["identical"]  # within its relative 1e-6

    shorter = script.compare({"a": old["a"][:1]}, {"a": old["a"]})[0]
    assert (shorter["old"], shorter["new"], shorter["identical"]) == (1, 2, False)
