"""The search-quality benchmark's stepped problems: the objective lives on a grid (every
value of one grid cell scores the same), it is deterministic, and a grid result is
shared through the cache folder; results files merge with tagged methods."""

from __future__ import annotations

import json

import pytest

from tests.benchmark_support import benchmark_module

pytest.importorskip("sklearn")

# A cheap corner of the grid (large batches, a narrow shallow net): milliseconds to train.
CHEAP = {"lr": 1e-2, "batch_size": 256, "width": 8, "depth": 1, "alpha": 1e-4}


@pytest.fixture(scope="module")
def bench():
    with benchmark_module("search_quality.py", "search_quality_bench") as module:
        yield module


def test_values_snap_to_the_nearest_level_on_the_log_scale(bench):
    levels = bench.STEP_LEVELS
    # Every level maps to itself.
    for i, lr in enumerate(levels["lr"]):
        assert bench.snap_to_grid({**CHEAP, "lr": lr})[0] == i
    # 45 is nearer 64 than 32 on the log scale (the geometric middle is 45.25).
    assert bench.snap_to_grid({**CHEAP, "batch_size": 45})[1] == 1
    assert bench.snap_to_grid({**CHEAP, "batch_size": 46})[1] == 2


def test_a_grid_cell_scores_the_same_and_training_is_deterministic(bench, monkeypatch):
    monkeypatch.delenv(bench.GRID_CACHE_ENV, raising=False)
    bench._GRID_MEMO.clear()
    first = bench.step_mlp_wine(CHEAP)
    nearby = {**CHEAP, "lr": 1.2e-2, "batch_size": 230, "alpha": 1.3e-4}
    assert bench.step_mlp_wine(nearby) == first  # same cell: memoised
    bench._GRID_MEMO.clear()
    assert bench.step_mlp_wine(CHEAP) == first  # trained again: the same value
    other = bench.step_mlp_wine({**CHEAP, "lr": 1e-4})
    assert other != first  # another cell trains another model


def test_the_grid_cache_folder_shares_results(bench, monkeypatch, tmp_path):
    monkeypatch.setenv(bench.GRID_CACHE_ENV, str(tmp_path))
    bench._GRID_MEMO.clear()
    value = bench.step_mlp_wine(CHEAP)
    lines = (tmp_path / "step_wine.jsonl").read_text().splitlines()
    assert [json.loads(line)["value"] for line in lines] == [value]
    # A fresh process (an empty memo) reads it instead of training: a planted value shows.
    (tmp_path / "step_wine.jsonl").write_text(
        json.dumps({"point": list(bench.snap_to_grid(CHEAP)), "value": 123.0}) + "\n"
    )
    bench._GRID_MEMO.clear()
    assert bench.step_mlp_wine(CHEAP) == 123.0
    bench._GRID_MEMO.clear()


def test_results_files_merge_with_tagged_methods(bench, tmp_path):
    def document(method, value):
        run = {"problem": "branin", "method": method, "seed": 1, "values": [value]}
        meta = {"methods": [method], "problems": ["branin"], "report_at": [1]}
        return {"meta": meta, "runs": [run], "pools": {"branin": [1.0, 2.0]}}

    (tmp_path / "a.json").write_text(json.dumps(document("optuna-gp", 1.0)))
    (tmp_path / "b.json").write_text(json.dumps(document("tunesmith-bo", 0.5)))
    merged = bench.merge_results([str(tmp_path / "a.json"), f"{tmp_path / 'b.json'}=new"])
    assert merged["meta"]["methods"] == ["optuna-gp", "tunesmith-bo+new"]
    assert [r["method"] for r in merged["runs"]] == ["optuna-gp", "tunesmith-bo+new"]
    assert merged["pools"] == {"branin": [1.0, 2.0]}
