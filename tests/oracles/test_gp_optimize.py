"""Encoding configurations for the model and optimising an acquisition over them."""

from __future__ import annotations

import numpy as np
import pytest

from tunesmith import HyperParameters
from tunesmith.samplers._gp._encoding import INACTIVE_CODE, NEUTRAL, SpaceEncoder
from tunesmith.samplers._gp._optimize import propose
from tunesmith.space import config_key, iterate_grid


def mixed_space() -> HyperParameters:
    hp = HyperParameters()
    hp.Float("x", 0.0, 1.0)
    hp.Float("lr", 1e-4, 1e-1, sampling="log")
    hp.Choice("act", ["relu", "tanh", "elu", "gelu"])
    hp.Int("wide", 1, 200)  # many values: optimised as continuous, then snapped
    hp.Int("layers", 1, 6)
    hp.Fixed("optimizer", "adam")
    return hp


def quadratic_surface(encoder: SpaceEncoder, target: dict):
    """A known acquisition: minus the squared distance to ``target``'s features,
    minus 1 for each categorical mismatch, with its gradient."""
    goal = encoder.encode([target])[0]
    categorical = encoder.categorical

    def score(features, grad_columns=None):
        diff = features - goal
        value = -np.sum(np.where(categorical, diff != 0, diff**2), axis=1)
        if grad_columns is None:
            return value
        return value, -2.0 * diff[:, grad_columns]

    return score


def test_the_optimiser_finds_the_optimum_of_a_known_surface():
    hp = mixed_space()
    target = {"x": 0.3137, "lr": 0.00271, "act": "elu", "wide": 137, "layers": 4}
    target["optimizer"] = "adam"
    encoder = SpaceEncoder(hp.space)
    found = propose(encoder, quadratic_surface(encoder, target), np.random.default_rng(0), set())
    assert found["act"] == "elu" and found["layers"] == 4 and found["optimizer"] == "adam"
    assert found["x"] == pytest.approx(0.3137, abs=1e-3)
    assert found["lr"] == pytest.approx(0.00271, rel=1e-2)
    assert abs(found["wide"] - 137) <= 1
    assert hp.with_values(found).values == found  # a valid configuration


def test_the_optimiser_never_returns_an_excluded_configuration():
    hp = HyperParameters()
    hp.Int("a", 0, 60)
    hp.Choice("b", ["p", "q"])
    encoder = SpaceEncoder(hp.space)
    best = {"a": 30, "b": "q"}
    score = quadratic_surface(encoder, best)
    excluded = {config_key(best)}
    found = propose(encoder, score, np.random.default_rng(1), excluded, count=122)
    assert config_key(found) not in excluded
    assert found in ({"a": 29, "b": "q"}, {"a": 31, "b": "q"})


def test_a_small_space_is_scored_whole_and_none_when_used_up():
    hp = HyperParameters()
    hp.Int("a", 0, 4)
    hp.Boolean("b")
    encoder = SpaceEncoder(hp.space)
    score = quadratic_surface(encoder, {"a": 3, "b": True})
    everything = {config_key(v) for v in iterate_grid(hp)}
    left = {config_key({"a": 0, "b": False})}
    found = propose(encoder, score, np.random.default_rng(2), everything - left, count=10)
    assert found == {"a": 0, "b": False}
    assert propose(encoder, score, np.random.default_rng(2), everything, count=10) is None


def conditional_space() -> HyperParameters:
    hp = HyperParameters()
    hp.Choice("model", ["linear", "mlp", "cnn"])
    with hp.conditional_scope("model", ["mlp", "cnn"]):
        hp.Float("dropout", 0.0, 0.5)
    with hp.conditional_scope("model", "cnn"):
        hp.Int("filters", 8, 64, step=8)
        hp.Choice("kernel", ["3", "5"])
    with hp.conditional_scope("model", "mlp"):
        hp.Int("units", 16, 256, step=16)
    return hp


def test_inactive_values_sit_at_a_neutral_value_and_activity_has_its_own_column():
    hp = conditional_space()
    rows = [
        {"model": "linear"},
        {"model": "mlp", "dropout": 0.1, "units": 32},
        {"model": "cnn", "dropout": 0.2, "filters": 16, "kernel": "5"},
    ]
    encoder = SpaceEncoder(hp.space, rows)
    x = encoder.encode(rows)
    names = [d.hp.name for d in encoder.dimensions]
    dropout, filters, kernel = (names.index(n) for n in ("dropout", "filters", "kernel"))
    assert x[0, dropout] == NEUTRAL and x[0, filters] == NEUTRAL
    assert x[0, kernel] == INACTIVE_CODE and x[2, kernel] == 1.0
    # filters and kernel share a condition and their activity: one column for both.
    assert len(encoder.groups) == 3 and encoder.width == len(names) + 3
    activity = x[:, len(names) :]
    assert activity.tolist() == [[0, 0, 0], [1, 0, 1], [1, 1, 0]]
    # A stale value of an inactive hyperparameter changes nothing.
    stale = encoder.encode([{"model": "linear", "dropout": 0.4, "units": 64}])
    assert stale.tolist() == x[:1].tolist()


def test_decoding_any_unit_point_gives_a_valid_configuration():
    hp = conditional_space()
    encoder = SpaceEncoder(hp.space)
    rng = np.random.default_rng(3)
    seen_models = set()
    for u in rng.random((200, len(hp.space))):
        values = encoder.decode(u)
        assert hp.with_values(values).values == values
        seen_models.add(values["model"])
        assert ("filters" in values) == (values["model"] == "cnn")
        assert ("units" in values) == (values["model"] == "mlp")
        assert np.allclose(
            encoder.decode(encoder.unit_point(values)).get("dropout", 0.0),
            values.get("dropout", 0.0),
        )
    assert seen_models == {"linear", "mlp", "cnn"}


def test_the_optimiser_moves_between_branches():
    hp = conditional_space()
    encoder = SpaceEncoder(hp.space)
    target = {"model": "cnn", "dropout": 0.25, "filters": 40, "kernel": "3"}
    found = propose(encoder, quadratic_surface(encoder, target), np.random.default_rng(4), set())
    assert found["model"] == "cnn" and found["kernel"] == "3" and found["filters"] == 40
    assert found["dropout"] == pytest.approx(0.25, abs=1e-3)
