"""The synthetic multi-fidelity benchmark: its problems behave as described, and a
tiny run of tunesmith's methods ends with sane figures."""

from __future__ import annotations

import math

import pytest

from tests.benchmark_support import benchmark_module

pytest.importorskip("keras")  # the baseline helper lives in multi_fidelity.py


@pytest.fixture(scope="module")
def bench():
    with benchmark_module("multi_fidelity_synthetic.py", "mf_synthetic_bench") as module:
        yield module


GOOD = {"lr": 10**-2.35, "units": 181, "dropout": 0.15, "l2": 10**-4.4}
BAD = {"lr": 1e-1, "units": 16, "dropout": 0.5, "l2": 1e-2}


def test_curves_fall_and_end_at_the_landscape(bench):
    for problem in bench.PROBLEMS:
        curve = [bench.loss_at(problem, GOOD, e, seed=1) for e in range(27)]
        assert curve[-1] < curve[0]
        final = bench.final_loss(bench.units_of(GOOD))
        assert abs(curve[-1] - final) < 0.1
        assert bench.loss_at(problem, GOOD, 26, 1) < bench.loss_at(problem, BAD, 26, 1)


def test_low_fidelity_ranks_well_on_ranked_and_misleads_on_crossing(bench):
    def at(problem, values, epoch):
        return bench.loss_at(problem, values, epoch, seed=1)

    assert at("ranked", GOOD, 0) < at("ranked", BAD, 0)  # one epoch already ranks them
    assert at("crossing", GOOD, 0) > at("crossing", BAD, 0)  # one epoch ranks them wrong
    assert at("crossing", GOOD, 26) < at("crossing", BAD, 26)


def test_geometric_mean_of_ratios(bench):
    mean, factor = bench.geometric_mean_se([2.0, 8.0])
    assert mean == pytest.approx(4.0) and factor > 1.0


def test_a_tiny_run_of_tunesmiths_methods(bench):
    target, baseline = bench.reference("ranked", seed=1)
    assert math.isfinite(target) and 0 < baseline <= bench.REF_TRIALS * bench.MAX_EPOCHS
    for method in ("ts-hyperband", "ts-hyperband-bo", "ts-asha", "ts-random+median"):
        run = bench.run_method("ranked", method, 1, target, baseline)
        assert 0 < run.epochs <= bench.REF_TRIALS * bench.MAX_EPOCHS
        assert run.reached == (run.best <= target + 1e-12)
    text = bench.summarise([run], ["ts-random+median"])
    assert "ts-random+median" in text
