"""The multi-fidelity benchmark's arithmetic, and a tiny run of it end to end."""

from __future__ import annotations

import itertools
import json
import math
import statistics

import pytest

from tests.benchmark_support import benchmark_module


@pytest.fixture(scope="module")
def bench():
    with benchmark_module("multi_fidelity.py", "multi_fidelity_bench") as module:
        yield module


def _brute_force(curves: list[list[float]], target: float) -> float:
    """Epochs to the first curve reaching target, averaged over every trial order."""
    costs = []
    for order in itertools.permutations(curves):
        spent = 0
        for curve in order:
            hit = next((i + 1 for i, v in enumerate(curve) if v >= target), None)
            if hit is not None:
                costs.append(spent + hit)
                break
            spent += len(curve)
    return statistics.fmean(costs)


def test_expected_epochs_match_every_order(bench):
    curves = [
        [0.2, 0.5, 0.7],
        [0.3, 0.9, 0.95],
        [0.1, 0.2],
        [0.4, float("nan"), 0.6],
        [0.96, 0.97, 0.97],
    ]
    for target in (0.6, 0.9, 0.95, 0.97):
        expected = bench.expected_epochs_in_random_order(curves, target)
        assert expected == pytest.approx(_brute_force(curves, target))


def test_expected_epochs_without_a_hit_is_nan(bench):
    assert math.isnan(bench.expected_epochs_in_random_order([[0.1, 0.2]], 0.5))


def test_baseline_falls_back_to_the_observed_order(bench):
    old = bench.RunResult("w1", "random", 1, 0.9, 0.9, 30, 1.0, 3, 12, 0.5)
    assert bench.baseline_epochs(old) == 12.0
    new = bench.RunResult(
        "w1", "random", 1, 0.9, 0.9, 6, 1.0, 2, 6, 0.5, fit_curves=[[0.1, 0.2, 0.3], [0.5, 0.9]]
    )
    assert bench.baseline_epochs(new) == pytest.approx(3 / 2 + 2)


@pytest.mark.slow
def test_tiny_run_writes_every_method_and_a_report(bench, tmp_path, capsys):
    output = tmp_path / "mf.json"
    bench.main(
        [
            "--problems", "w1",
            "--methods", "ts-hyperband,ts-random+median",
            "--max-epochs", "3",
            "--ref-trials", "3",
            "--seeds", "1",
            "--output", str(output),
        ]
    )  # fmt: skip
    rows = json.loads(output.read_text())
    assert [r["method"] for r in rows] == ["random", "ts-hyperband", "ts-random+median"]
    reference = rows[0]
    assert reference["epochs"] == 9 and reference["fits"] == 3
    assert [len(c) for c in reference["fit_curves"]] == [3, 3, 3]
    assert reference["best"] == max(max(c) for c in reference["fit_curves"])
    for row in rows[1:]:
        assert row["target"] == reference["best"]
        assert row["epochs"] <= 9
        assert sum(len(c) for c in row["fit_curves"]) == row["epochs"]
        if row["epochs_to_target"] is not None:
            assert row["best"] >= row["target"] - 1e-9
    capsys.readouterr()
    bench.main(["--report", str(output)])
    table = capsys.readouterr().out
    for name in ("random, any order", "random, as run", "ts-hyperband", "ts-random+median"):
        assert name in table
