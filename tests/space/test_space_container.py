"""The define-by-run container: registration, reuse, scopes, values, copies, configs."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tunesmith.errors import SearchSpaceError
from tunesmith.space import (
    Boolean,
    Choice,
    Condition,
    Fixed,
    Float,
    HyperParameters,
    InactiveHyperParameterError,
    Int,
    UnknownHyperParameterError,
)

DROPOUTS = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5]


def build_w1(hp: HyperParameters) -> list[tuple[int, str, float]]:
    """The W1 hypermodel's hyperparameter calls; returns each block's settings."""
    blocks = [
        (
            hp.Int("units", min_value=32, max_value=512, step=32),
            hp.Choice("activations", ["relu", "softmax"]),
            hp.Choice("dropout_rate", DROPOUTS),
        )
    ]
    for _ in range(hp.Int("Layers", min_value=0, max_value=3)):
        blocks.append(
            (
                hp.Int("units", min_value=32, max_value=512, step=32),
                hp.Choice("activations", ["relu", "softmax"]),
                hp.Choice("dropout_rate", DROPOUTS),
            )
        )
    hp.Choice("learning_rate", values=[1e-2, 1e-3, 1e-4])
    return blocks


def build_conditional(hp: HyperParameters) -> None:
    model = hp.Choice("model", ["mlp", "cnn"])
    with hp.conditional_scope("model", "mlp"):
        hp.Int("layers", 1, 3)
        with hp.conditional_scope("layers", [2, 3]):
            hp.Int("width", 16, 64, step=16)
    with hp.conditional_scope("model", "cnn"):
        hp.Choice("filters", [16, 32])
    assert model in ("mlp", "cnn")


# ------------------------------------------------------------ define-by-run
def test_first_call_returns_the_default_and_registers() -> None:
    hp = HyperParameters()
    assert hp.Int("units", 32, 512, step=32) == 32
    assert hp.Float("lr", 1e-4, 1e-2, sampling="log", default=1e-3) == 1e-3
    assert hp.Choice("act", ["relu", "tanh"]) == "relu"
    assert hp.Boolean("bn") is False
    assert hp.Fixed("opt", "adam") == "adam"
    assert hp.values == {"units": 32, "lr": 1e-3, "act": "relu", "bn": False, "opt": "adam"}
    assert [type(h) for h in hp.space] == [Int, Float, Choice, Boolean, Fixed]


def test_w1_reuse_returns_one_value_per_name() -> None:
    hp = HyperParameters()
    hp.values.update({"units": 256, "activations": "relu", "dropout_rate": 0.2, "Layers": 3})
    blocks = build_w1(hp)
    assert blocks == [(256, "relu", 0.2)] * 4
    assert [h.name for h in hp.space] == [
        "units",
        "activations",
        "dropout_rate",
        "Layers",
        "learning_rate",
    ]
    assert hp.values == {
        "units": 256,
        "activations": "relu",
        "dropout_rate": 0.2,
        "Layers": 3,
        "learning_rate": 1e-2,
    }


def test_w1_rebuilt_on_the_oracle_space() -> None:
    first = HyperParameters()
    build_w1(first)
    trial = first.with_values({"units": 128, "Layers": 2, "learning_rate": 1e-4})
    assert build_w1(trial) == [(128, "relu", 0.0)] * 3
    assert trial.space == first.space


def test_w2_depth_and_width_grows_the_space() -> None:
    hp = HyperParameters()
    hp.values["num_layers"] = 4
    widths = [hp.Int(f"units_{i}", 64, 512, step=64) for i in range(hp.Int("num_layers", 2, 4))]
    assert widths == [64] * 4
    assert len(hp.space) == 5


def test_values_set_before_definition_are_used() -> None:
    hp = HyperParameters()
    hp.values["units"] = 64
    assert "units" in hp and hp.get("units") == 64
    assert hp.Int("units", 32, 512, step=32) == 64


def test_values_is_a_plain_dict_the_container_reads() -> None:
    hp = HyperParameters()
    hp.Int("units", 32, 512, step=32)
    hp.values["units"] = 96
    assert hp.Int("units", 32, 512, step=32) == 96
    assert hp["units"] == 96
    hp.values = {"units": 128}
    assert hp.Int("units", 32, 512, step=32) == 128


def test_numpy_arguments_define_the_same_hyperparameter() -> None:
    hp = HyperParameters()
    hp.Int("units", 32, 512, step=32)
    assert hp.Int("units", np.int64(32), 512.0, step=32) == 32
    hp.Choice("rate", [0.1, 0.2])
    assert hp.Choice("rate", np.array([0.1, 0.2])) == 0.1
    assert len(hp.space) == 2


# ---------------------------------------------------------------- scopes
def test_name_scope_prefixes_and_nests() -> None:
    hp = HyperParameters()
    with hp.name_scope("block1"):
        hp.Int("units", 8, 64)
        with hp.name_scope("inner"):
            hp.Boolean("bn")
    hp.Int("units", 1, 2)  # no clash: the scoped one is "block1/units"
    assert list(hp.values) == ["block1/units", "block1/inner/bn", "units"]
    assert hp.get("block1/inner/bn") is False
    with hp.name_scope("block1"):
        assert hp.get("units") == 8  # looked up in the scope first
        assert hp.Int("units", 8, 64) == 8
    assert hp._scopes == []


def test_scopes_are_left_clean_after_an_error() -> None:
    hp = HyperParameters()
    hp.Boolean("bn")
    with pytest.raises(RuntimeError), hp.name_scope("a"), hp.conditional_scope("bn", True):
        raise RuntimeError
    assert hp._scopes == [] and hp._conditions == []
    assert hp.Int("x", 1, 2) == 1


def test_inactive_conditional_returns_none_and_stays_out_of_values() -> None:
    hp = HyperParameters()
    build_conditional(hp)
    assert hp.values == {"model": "mlp", "layers": 1}
    assert [h.name for h in hp.space] == ["model", "layers", "width", "filters"]
    for name in ("width", "filters"):
        with pytest.raises(InactiveHyperParameterError, match=f"'{name}' is currently inactive"):
            hp.get(name)
        assert name not in hp
    assert not hp.is_active("filters") and hp.is_active("layers")
    with hp.conditional_scope("model", "cnn"):
        assert hp.Choice("filters", [16, 32]) is None
    width = hp.space[2]
    assert width.conditions == (Condition("model", ["mlp"]), Condition("layers", [2, 3]))


def test_nested_conditions_all_must_hold() -> None:
    base = HyperParameters()
    build_conditional(base)
    deep = base.with_values({"model": "mlp", "layers": 3})
    assert deep.values == {"model": "mlp", "layers": 3, "width": 16}
    with deep.conditional_scope("model", "mlp"), deep.conditional_scope("layers", [2, 3]):
        assert deep.Int("width", 16, 64, step=16) == 16
    cnn = base.with_values({"model": "cnn", "layers": 3, "width": 32})
    assert cnn.values == {"model": "cnn", "filters": 16}


def test_conditional_values_via_keyword_arguments() -> None:
    hp = HyperParameters()
    hp.Choice("opt", ["adam", "sgd"])
    assert hp.Float("momentum", 0.0, 0.9, parent_name="opt", parent_values=["sgd"]) is None
    hp.values["opt"] = "sgd"
    assert hp.Float("momentum", 0.0, 0.9, parent_name="opt", parent_values=["sgd"]) == 0.0
    assert len(hp.space) == 2
    assert hp.space[1].conditions == (Condition("opt", ["sgd"]),)


def test_keyword_condition_combines_with_the_scope() -> None:
    hp = HyperParameters()
    hp.Boolean("a", default=True)
    hp.Boolean("b")
    with hp.conditional_scope("a", True):
        assert hp.Int("x", 1, 2, parent_name="b", parent_values=True) is None
    assert hp.space[-1].conditions == (Condition("a", [True]), Condition("b", [True]))


def test_parent_values_are_stored_in_the_parents_type() -> None:
    hp = HyperParameters()
    hp.Int("layers", 1, 3)
    with hp.conditional_scope("layers", [2.0, np.int64(3)]):
        hp.Int("x", 1, 2)
    assert hp.space[-1].conditions[0].values == [2, 3]


def test_a_child_of_an_inactive_parent_is_inactive() -> None:
    hp = HyperParameters()
    build_conditional(hp)
    hp.values.update({"model": "cnn", "layers": 3})  # a stale "layers" is left behind
    assert not hp.is_active("width")
    with pytest.raises(InactiveHyperParameterError, match="layers in \\[2, 3\\]"):
        hp.get("width")
    assert hp.active_values() == {"model": "cnn", "filters": 16}


def test_changing_a_parent_activates_children_with_defaults() -> None:
    hp = HyperParameters()
    build_conditional(hp)
    hp.values["model"] = "cnn"
    with hp.conditional_scope("model", "cnn"):
        assert hp.Choice("filters", [16, 32]) == 16
    assert hp.values["filters"] == 16


def test_same_name_in_exclusive_branches_like_keras_tuner() -> None:
    hp = HyperParameters()
    hp.Choice("model", ["small", "large"])
    with hp.conditional_scope("model", "small"):
        small = hp.Int("units", 8, 32, step=8)
    with hp.conditional_scope("model", "large"):
        large = hp.Int("units", 64, 256, step=64)
    assert (small, large) == (8, None)
    assert len(hp.space) == 3
    big = hp.with_values({"model": "large", "units": 128})
    assert big.values == {"model": "large", "units": 128}
    with pytest.raises(SearchSpaceError, match="'units'"):
        hp.with_values({"model": "large", "units": 16})


# --------------------------------------------------------------- access
def test_get_unknown_name() -> None:
    hp = HyperParameters()
    hp.Int("units", 1, 2)
    with pytest.raises(KeyError, match=r"'unitz'.*'units'"):
        hp.get("unitz")
    with pytest.raises(UnknownHyperParameterError):
        hp["unitz"]
    with pytest.raises(SearchSpaceError):
        hp.get("unitz")
    assert "unitz" not in hp and "units" in hp


def test_space_is_a_copy_in_registration_order() -> None:
    hp = HyperParameters()
    hp.Boolean("b")
    hp.Int("a", 1, 2)
    space = hp.space
    space.clear()
    assert [h.name for h in hp.space] == ["b", "a"]


def test_is_active_with_definitions() -> None:
    hp = HyperParameters()
    build_conditional(hp)
    layers, width, filters = hp.space[1:]
    assert hp.is_active(layers) and not hp.is_active(width) and not hp.is_active(filters)
    assert hp.is_active(Int("other", 1, 2))  # unregistered, unconditional
    assert not hp.is_active("never-defined")


def test_ensure_active_values() -> None:
    hp = HyperParameters()
    build_conditional(hp)
    values = hp.values
    values.update({"model": "mlp", "layers": 2, "filters": 32, "typo": 1})
    hp.ensure_active_values()
    assert hp.values is values  # the same dict, changed in place
    assert hp.values == {"model": "mlp", "layers": 2, "width": 16}


def test_repr() -> None:
    hp = HyperParameters()
    hp.Int("units", 32, 512, step=32)
    assert repr(hp) == "HyperParameters(values={'units': 32}, defined=1)"


# ---------------------------------------------------------------- copies
def test_copy_is_independent() -> None:
    hp = HyperParameters()
    build_w1(hp)
    clone = hp.copy()
    clone.values["units"] = 512
    clone.Boolean("extra")
    assert hp.values["units"] == 32
    assert "extra" not in hp and len(hp.space) == 5 and len(clone.space) == 6
    assert clone.space[:5] == hp.space


def test_with_values_fills_defaults_and_drops_inactive() -> None:
    hp = HyperParameters()
    build_conditional(hp)
    trial = hp.with_values({"model": "mlp", "layers": np.int64(2), "filters": 32})
    assert trial.values == {"model": "mlp", "layers": 2, "width": 16}
    assert type(trial.values["layers"]) is int
    assert hp.values == {"model": "mlp", "layers": 1}  # the original is untouched
    assert trial.space == hp.space
    assert hp.with_values({}).values == {"model": "mlp", "layers": 1}
    # Unregistered names are not values of this space: left out.
    assert "typo" not in hp.with_values({"typo": 3}).values


def test_with_values_coerces_lossless_types() -> None:
    hp = HyperParameters()
    hp.Int("units", 32, 512, step=32)
    hp.Float("rate", 0.0, 0.5, step=0.1)
    trial = hp.with_values({"units": 64.0, "rate": 0.1 * 3})
    assert trial.values == {"units": 64, "rate": 0.1 * 3}
    assert type(trial.values["units"]) is int


# ---------------------------------------------------------------- config
def test_config_round_trip_through_json() -> None:
    hp = HyperParameters()
    build_w1(hp)
    build_conditional(hp)
    with hp.name_scope("opt"):
        hp.Float("lr", 1e-4, 1e-1, sampling="log", default=1e-3)
        hp.Fixed("name", "adam")
    hp.values["Layers"] = 2
    config = hp.get_config()
    assert set(config) == {"space", "values"}
    assert config["space"][0] == {
        "class_name": "Int",
        "config": {
            "name": "units",
            "conditions": [],
            "min_value": 32,
            "max_value": 512,
            "step": 32,
            "sampling": "linear",
            "default": 32,
        },
    }
    again = HyperParameters.from_config(json.loads(json.dumps(config)))
    assert again.space == hp.space
    assert again.values == hp.values
    assert list(again.values) == list(hp.values)
    assert again.get_config() == config
    assert build_w1(again) == [(32, "relu", 0.0)] * 3


def test_config_values_are_plain_python() -> None:
    hp = HyperParameters()
    hp.Int("units", 1, 9)
    hp.values["units"] = np.int64(3)
    assert json.dumps(hp.get_config()["values"]) == '{"units": 3}'


def test_from_config_refuses_unknown_types() -> None:
    with pytest.raises(SearchSpaceError, match="'Integer'"):
        HyperParameters.from_config({"space": [{"class_name": "Integer", "config": {}}]})


# ----------------------------------------------------------------- merge
def test_merge_adds_new_definitions_and_keeps_existing() -> None:
    hp = HyperParameters()
    hp.Int("units", 32, 512, step=32)
    other = HyperParameters()
    other.Int("units", 8, 16)
    other.Boolean("bn", default=True)
    other.values["bn"] = False
    hp.merge(other, overwrite=False)
    assert hp.space == [Int("units", 32, 512, step=32), Boolean("bn", default=True)]
    assert hp.values == {"units": 32, "bn": True}  # defaults, not other's values


def test_merge_overwrite_replaces_in_place() -> None:
    hp = HyperParameters()
    hp.Int("units", 32, 512, step=32)
    hp.Boolean("bn")
    hp.values["units"] = 256
    hp.merge([Fixed("units", 64)], overwrite=True)
    assert hp.space == [Fixed("units", 64), Boolean("bn")]
    assert hp.values == {"units": 64, "bn": False}
    assert hp.Fixed("units", 64) == 64


def test_merge_accepts_configs_and_checks_parents() -> None:
    hp = HyperParameters()
    child = Int("width", 1, 4, conditions=[Condition("model", ["mlp"])])
    with pytest.raises(SearchSpaceError, match=r"'width'.*'model'"):
        hp.merge([child])
    hp.merge(
        [{"class_name": "Choice", "config": {"name": "model", "values": ["mlp", "cnn"]}}, child]
    )
    assert hp.values == {"model": "mlp", "width": 1}


def test_merge_keeps_order_and_conflicting_branches_raise() -> None:
    hp = HyperParameters()
    hp.Choice("model", ["a", "b"])
    with hp.conditional_scope("model", "a"):
        hp.Int("width", 1, 4)
    with pytest.raises(SearchSpaceError, match="'width'"):
        hp.merge([Int("width", 8, 9)])
