"""Counting, enumerating and sampling whole configurations; configuration keys."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

from tunesmith.space import (
    Boolean,
    Choice,
    Float,
    HyperParameters,
    Int,
    config_key,
    count_configurations,
    iterate_grid,
    sample_values,
)


def conditional_space() -> HyperParameters:
    hp = HyperParameters()
    hp.Choice("model", ["mlp", "cnn", "rnn"])
    with hp.conditional_scope("model", "mlp"):
        hp.Int("layers", 1, 3)
        with hp.conditional_scope("layers", [2, 3]):
            hp.Int("width", 16, 64, step=16)  # 4 values
    with hp.conditional_scope("model", ["cnn", "rnn"]):
        hp.Choice("filters", [16, 32])
    hp.Boolean("bn")
    return hp


# mlp: layers 1 (1) + layers 2..3 (2 x 4) = 9; cnn, rnn: 2 each; all x 2 for bn.
CONDITIONAL_COUNT = (9 + 2 + 2) * 2


def brute_force(hp: HyperParameters, float_grid_size: int = 10) -> set[tuple]:
    """Every configuration, found by expanding the full product and pruning."""
    space = hp.space
    grids = [h.grid_values(float_grid_size) for h in space]
    found = set()
    for combo in itertools.product(*grids):
        full = dict(zip([h.name for h in space], combo, strict=True))
        found.add(config_key(hp.with_values(full).values))
    return found


def test_count_flat_space() -> None:
    hp = HyperParameters()
    hp.Int("units", 32, 512, step=32)
    hp.Choice("act", ["relu", "softmax"])
    hp.Choice("rate", [0.0, 0.1, 0.2, 0.3, 0.4, 0.5])
    hp.Int("layers", 0, 3)
    hp.Choice("lr", [1e-2, 1e-3, 1e-4])
    hp.Fixed("opt", "adam")
    assert count_configurations(hp) == 16 * 2 * 6 * 4 * 3
    assert count_configurations(hp.space) == 16 * 2 * 6 * 4 * 3


def test_count_conditional_space_matches_enumeration() -> None:
    hp = conditional_space()
    grid = list(iterate_grid(hp))
    assert count_configurations(hp) == CONDITIONAL_COUNT == len(grid)
    keys = [config_key(c) for c in grid]
    assert len(set(keys)) == len(keys)  # no duplicates
    assert set(keys) == brute_force(hp)


def test_grid_configurations_hold_only_active_values() -> None:
    hp = conditional_space()
    for config in iterate_grid(hp):
        assert config == hp.with_values(config).values
        if config["model"] != "mlp":
            assert "layers" not in config and "width" not in config
        elif config["layers"] == 1:
            assert "width" not in config
        else:
            assert "width" in config


def test_grid_order_is_deterministic_first_name_slowest() -> None:
    hp = HyperParameters()
    hp.Boolean("a")
    hp.Choice("b", ["x", "y", "z"])
    grid = list(iterate_grid(hp))
    assert grid == [{"a": a, "b": b} for a in (False, True) for b in ("x", "y", "z")]
    assert list(iterate_grid(hp)) == grid
    assert list(grid[0]) == ["a", "b"]  # registration order


def test_empty_space_has_one_empty_configuration() -> None:
    assert count_configurations(HyperParameters()) == 1
    assert list(iterate_grid(HyperParameters())) == [{}]
    assert sample_values(HyperParameters(), 0) == {}


def test_continuous_float_makes_the_count_unknown() -> None:
    hp = HyperParameters()
    hp.Int("units", 1, 4)
    hp.Float("lr", 1e-4, 1e-1, sampling="log")
    assert count_configurations(hp) is None
    grid = list(iterate_grid(hp, float_grid_size=3))
    assert len(grid) == 4 * 3
    assert sorted({c["lr"] for c in grid}) == pytest.approx([1e-4, 10**-2.5, 1e-1])
    assert len(list(iterate_grid(hp))) == 4 * 10  # the default grid size


def test_a_continuous_float_that_can_never_be_active_does_not_count() -> None:
    hp = HyperParameters()
    hp.Choice("model", ["a", "b"])
    with hp.conditional_scope("model", "b"):
        hp.Float("lr", 0.0, 1.0)
    assert count_configurations(hp) is None
    only_a = HyperParameters()
    only_a.Fixed("model", "a")
    only_a.merge([Float("lr", 0.0, 1.0, conditions=[{"name": "model", "values": ["a"]}])])
    # "lr" is active whenever "model" is "a", which it always is.
    assert count_configurations(only_a) is None


def test_stepped_floats_are_counted() -> None:
    hp = HyperParameters()
    hp.Float("rate", 0.0, 0.5, step=0.1)
    hp.Float("lr", 1e-4, 1e-1, step=10, sampling="log")
    assert count_configurations(hp) == 6 * 4 == len(list(iterate_grid(hp)))


def test_large_parents_are_counted_without_enumerating() -> None:
    hp = HyperParameters()
    hp.Int("n", 0, 10**9)
    with hp.conditional_scope("n", [5, 7]):
        hp.Choice("extra", ["a", "b", "c"])
    hp.Int("m", 1, 10**6)
    assert count_configurations(hp) == ((10**9 + 1 - 2) + 2 * 3) * 10**6


def test_w2_depth_space_counts() -> None:
    hp = HyperParameters()
    hp.values["num_layers"] = 4
    for i in range(hp.Int("num_layers", 2, 4)):
        hp.Int(f"units_{i}", 64, 512, step=64)
    assert count_configurations(hp) == 3 * 8**4


def test_keras_tuner_style_conditional_layers_count() -> None:
    # Units of layer i only exist when there are more than i layers.
    hp = HyperParameters()
    layers = hp.Int("num_layers", 1, 3)
    for i in range(3):
        with hp.conditional_scope("num_layers", list(range(i + 1, 4))):
            hp.Choice(f"units_{i}", [32, 64])
    assert layers == 1
    expected = 2 + 2**2 + 2**3
    grid = list(iterate_grid(hp))
    assert count_configurations(hp) == expected == len(grid)
    assert len({config_key(c) for c in grid}) == expected
    assert {config_key(c) for c in grid} == brute_force(hp)


def test_same_name_in_exclusive_branches_enumerates_each_branch() -> None:
    hp = HyperParameters()
    hp.Choice("model", ["small", "large"])
    with hp.conditional_scope("model", "small"):
        hp.Int("units", 8, 32, step=8)  # 4
    with hp.conditional_scope("model", "large"):
        hp.Int("units", 64, 256, step=64)  # 4
    grid = list(iterate_grid(hp))
    assert count_configurations(hp) == 8 == len(grid)
    assert {c["units"] for c in grid if c["model"] == "large"} == {64, 128, 192, 256}


@pytest.mark.parametrize("seed", range(5))
def test_randomised_spaces_count_equals_enumeration(seed: int) -> None:
    rng = np.random.default_rng(seed)
    hp = HyperParameters()
    names: list[str] = []
    for i in range(6):
        name = f"p{i}"
        parent = names[int(rng.integers(len(names)))] if names and rng.random() < 0.6 else None
        kwargs = {}
        if parent is not None:
            parent_hp = next(h for h in hp.space if h.name == parent)
            values = parent_hp.grid_values()
            chosen = rng.choice(
                len(values), size=int(rng.integers(1, len(values) + 1)), replace=False
            )
            kwargs = {"parent_name": parent, "parent_values": [values[j] for j in chosen]}
        kind = int(rng.integers(3))
        if kind == 0:
            hp.Int(name, 0, int(rng.integers(1, 4)), **kwargs)
        elif kind == 1:
            hp.Choice(name, ["a", "b", "c"][: int(rng.integers(1, 4))], **kwargs)
        else:
            hp.Boolean(name, **kwargs)
        names.append(name)
    grid = list(iterate_grid(hp))
    keys = {config_key(c) for c in grid}
    assert len(keys) == len(grid) == count_configurations(hp)
    assert keys == brute_force(hp)


def test_sample_values_respects_conditions() -> None:
    hp = conditional_space()
    rng = np.random.default_rng(0)
    seen = set()
    for _ in range(2000):  # the rarest configuration has probability 1/72
        values = sample_values(hp, rng)
        assert values == hp.with_values(values).values  # exactly the active ones
        seen.add(config_key(values))
    assert len(seen) == CONDITIONAL_COUNT  # every configuration turns up
    assert seen == {config_key(c) for c in iterate_grid(hp)}


def test_sample_values_is_reproducible_and_in_range() -> None:
    hp = HyperParameters()
    hp.Float("lr", 1e-4, 1e-1, sampling="log")
    hp.Int("units", 32, 512, step=32)
    first = [sample_values(hp, np.random.default_rng(5)) for _ in range(2)]
    assert first[0] == first[1]
    assert sample_values(hp, 5) == first[0]
    for _ in range(100):
        values = sample_values(hp, np.random.default_rng(_))
        assert 1e-4 <= values["lr"] <= 1e-1 and values["units"] % 32 == 0
        assert type(values["units"]) is int and type(values["lr"]) is float
    assert list(first[0]) == ["lr", "units"]


def test_config_key() -> None:
    a = {"lr": 0.1, "units": 64, "act": "relu", "bn": True}
    b = json.loads(json.dumps({"bn": True, "act": "relu", "units": 64, "lr": 0.1}))
    assert config_key(a) == config_key(b)
    assert hash(config_key(a)) == hash(config_key(b))
    assert config_key({"x": 0.1 + 0.2}) == config_key({"x": 0.3})
    assert config_key({"x": 64.0}) == config_key({"x": np.int64(64)})
    assert config_key({"x": np.float64(0.1)}) == config_key({"x": 0.1})
    assert config_key({"x": True}) != config_key({"x": 1})
    assert config_key({"x": 0.1}) != config_key({"x": 0.2})
    assert config_key({"x": 1}) != config_key({"y": 1})
    assert config_key({}) == ()


def test_config_key_detects_repeats_of_grid_values() -> None:
    hp = HyperParameters()
    hp.Float("rate", 0.0, 1.0, step=0.1)
    hp.Boolean("bn")
    tried = {config_key(c) for c in iterate_grid(hp)}
    reloaded = [json.loads(json.dumps(c)) for c in iterate_grid(hp)]
    assert {config_key(c) for c in reloaded} == tried
    assert len(tried) == 22


def test_helpers_accept_definition_lists() -> None:
    space = [Int("a", 1, 2), Boolean("b"), Choice("c", ["x"])]
    assert count_configurations(space) == 4
    assert len(list(iterate_grid(space))) == 4
    assert set(sample_values(space, 0)) == {"a", "b", "c"}
