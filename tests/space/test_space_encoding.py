"""The one [0, 1] encoding per type: reversible, binned, on the sampling scale."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tunesmith.space import Boolean, Choice, Fixed, Float, HyperParameter, Int

DISCRETE = [
    Int("i", 32, 512, step=32),
    Int("i_all", -3, 7),
    Int("i_single", 5, 5),
    Int("i_log", 1, 16, step=2, sampling="log"),
    Int("i_rlog", 1, 20, step=2, sampling="reverse_log"),
    Int("i_log_nostep", 1, 1000, sampling="log"),
    Int("i_rlog_nostep", 3, 90, sampling="reverse_log"),
    Float("f_step", 0.0, 0.5, step=0.1),
    Float("f_step_uneven", -1.0, 1.0, step=0.3),
    Float("f_log_step", 1e-4, 1.0, step=10, sampling="log"),
    Float("f_rlog_step", 1.0, 100.0, step=3, sampling="reverse_log"),
    Choice("c_str", ["relu", "tanh", "elu", "selu", "swish"]),
    Choice("c_int", [16, 8, 64]),
    Choice("c_float", [1e-2, 1e-3, 1e-4]),
    Choice("c_bool", [True, False]),
    Choice("c_one", ["only"]),
    Boolean("b"),
    Fixed("fx", "adam"),
    Fixed("fx_num", 0.25),
]
CONTINUOUS = [
    Float("f", -1.0, 2.5),
    Float("f_log", 1e-5, 1e-1, sampling="log"),
    Float("f_rlog", 0.9, 0.999, sampling="reverse_log"),
    Float("f_point", 3.0, 3.0),
]


def _ids(hps: list[HyperParameter]) -> list[str]:
    return [hp.name for hp in hps]


@pytest.mark.parametrize("hp", DISCRETE, ids=_ids(DISCRETE))
def test_discrete_round_trip_is_exact(hp: HyperParameter) -> None:
    values = hp.grid_values()
    assert len(values) == hp.cardinality()
    units = [hp.to_unit(v) for v in values]
    assert all(0.0 < u < 1.0 for u in units)
    assert units == sorted(units) and len(set(units)) == len(units)
    for value, u in zip(values, units, strict=True):
        again = hp.from_unit(u)
        assert again == value and type(again) is type(value)
        assert hp.is_valid(again)


@pytest.mark.parametrize(
    "hp",
    [h for h in DISCRETE if not (isinstance(h, Int) and h.step is None)],
    ids=_ids([h for h in DISCRETE if not (isinstance(h, Int) and h.step is None)]),
)
def test_discrete_values_sit_at_bin_centres(hp: HyperParameter) -> None:
    n = hp.cardinality()
    for i, value in enumerate(hp.grid_values()):
        assert hp.to_unit(value) == pytest.approx((i + 0.5) / n)
        # Anywhere inside bin i decodes to value i.
        assert hp.from_unit(i / n + 1e-9) == value
        assert hp.from_unit((i + 1) / n - 1e-9) == value


def test_examples_of_bins() -> None:
    assert Boolean("b").to_unit(False) == 0.25 and Boolean("b").to_unit(True) == 0.75
    assert Fixed("x", "adam").to_unit("adam") == 0.5
    assert Choice("c", ["a", "b", "c", "d"]).to_unit("c") == 0.625
    assert Int("i", 1, 16, step=2, sampling="log").to_unit(4) == 0.5


@pytest.mark.parametrize("hp", DISCRETE + CONTINUOUS, ids=_ids(DISCRETE + CONTINUOUS))
def test_from_unit_clips_and_is_total(hp: HyperParameter) -> None:
    assert hp.from_unit(-3.0) == hp.from_unit(0.0)
    assert hp.from_unit(7.0) == hp.from_unit(1.0)
    for u in np.linspace(0.0, 1.0, 101):
        assert hp.is_valid(hp.from_unit(float(u)))


@pytest.mark.parametrize("hp", CONTINUOUS, ids=_ids(CONTINUOUS))
def test_continuous_round_trip(hp: Float) -> None:
    assert hp.from_unit(0.0) == hp.min_value and hp.from_unit(1.0) == hp.max_value
    assert hp.from_unit(hp.to_unit(hp.min_value)) == hp.min_value
    assert hp.from_unit(hp.to_unit(hp.max_value)) == hp.max_value
    rng = np.random.default_rng(7)
    for _ in range(500):
        value = hp.from_unit(float(rng.random()))
        assert hp.from_unit(hp.to_unit(value)) == pytest.approx(value, rel=1e-12, abs=1e-15)
        u = float(rng.random())
        if hp.min_value < hp.max_value:
            assert hp.to_unit(hp.from_unit(u)) == pytest.approx(u, abs=1e-9)


@pytest.mark.parametrize("hp", DISCRETE, ids=_ids(DISCRETE))
def test_random_units_decode_to_values_that_encode_back_into_their_bin(
    hp: HyperParameter,
) -> None:
    rng = np.random.default_rng(2024)
    for u in rng.random(300):
        value = hp.from_unit(float(u))
        assert hp.from_unit(hp.to_unit(value)) == value


def test_log_float_encoding_is_on_the_log_scale() -> None:
    hp = Float("lr", 1e-4, 1e-0, sampling="log")
    assert hp.to_unit(1e-2) == pytest.approx(0.5)
    assert hp.from_unit(0.25) == pytest.approx(1e-3)


def test_reverse_log_float_crowds_towards_max() -> None:
    hp = Float("m", 1.0, 100.0, sampling="reverse_log")
    assert hp.from_unit(0.5) == pytest.approx(101.0 - 10.0)
    assert hp.to_unit(91.0) == pytest.approx(0.5)
    assert hp.from_unit(0.9) > 95.0


def test_float_with_step_snaps_to_the_grid() -> None:
    hp = Float("rate", 0.0, 0.5, step=0.1)
    assert hp.from_unit(0.55) == 0.3
    assert hp.from_unit(0.0) == 0.0 and hp.from_unit(1.0) == 0.5
    assert hp.to_unit(0.1 * 3) == hp.to_unit(0.3)


def test_encoding_accepts_lossless_types() -> None:
    assert Int("i", 0, 10).to_unit(np.int64(3)) == Int("i", 0, 10).to_unit(3)
    assert Int("i", 0, 10).to_unit(3.0) == Int("i", 0, 10).to_unit(3)
    assert Float("f", 0.0, 1.0).to_unit(1) == 1.0


def test_sampling_is_uniform_in_the_encoding() -> None:
    rng = np.random.default_rng(0)
    choice = Choice("c", ["a", "b", "c", "d"])
    draws = [choice.sample(rng) for _ in range(4000)]
    counts = [draws.count(v) for v in "abcd"]
    assert min(counts) > 850 and max(counts) < 1150

    log_int = Int("u", 1, 10_000, sampling="log")
    samples = np.array([log_int.sample(rng) for _ in range(4000)])
    # Log-uniform: about half the draws below sqrt(max) = 100.
    assert 0.4 < np.mean(samples < 100) < 0.6
    assert samples.dtype.kind == "i"

    rlog = Float("m", 1.0, 100.0, sampling="reverse_log")
    samples = np.array([rlog.sample(rng) for _ in range(4000)])
    assert 0.4 < np.mean(samples > 91.0) < 0.6

    linear = Int("x", 0, 9)
    samples = [linear.sample(rng) for _ in range(5000)]
    assert set(samples) == set(range(10))


def test_sample_is_reproducible_and_accepts_seeds() -> None:
    hp = Float("lr", 1e-4, 1e-1, sampling="log")
    first = [hp.sample(np.random.default_rng(3)) for _ in range(3)]
    assert first == [hp.sample(np.random.default_rng(3)) for _ in range(3)]
    assert hp.sample(3) == first[0]


def test_int_log_without_step_favours_small_values() -> None:
    hp = Int("x", 1, 100, sampling="log")
    widths = [hp.to_unit(k + 1) - hp.to_unit(k) for k in (1, 50)]
    assert widths[0] > 10 * widths[1]
    for k in range(1, 101):
        u = hp.to_unit(k)
        assert hp.from_unit(u) == k
        assert math.isfinite(u)
