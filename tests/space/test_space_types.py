"""Each hyperparameter type: defaults, values, configs, descriptions, equality."""

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
    HyperParameter,
    Int,
    Parent,
    deserialize,
    serialize,
)

ALL_KINDS = [
    Int("i", 32, 512, step=32),
    Int("i_all", -3, 7),
    Int("i_log", 1, 16, step=2, sampling="log"),
    Int("i_rlog", 1, 20, step=2, sampling="reverse_log"),
    Int("i_log_nostep", 1, 1000, sampling="log"),
    Int("i_rlog_nostep", 3, 90, sampling="reverse_log"),
    Float("f", -1.0, 2.5),
    Float("f_step", 0.0, 0.5, step=0.1),
    Float("f_log", 1e-5, 1e-1, sampling="log"),
    Float("f_rlog", 0.9, 0.999, sampling="reverse_log"),
    Float("f_log_step", 1e-4, 1.0, step=10, sampling="log"),
    Float("f_rlog_step", 1.0, 100.0, step=3, sampling="reverse_log"),
    Choice("c_str", ["relu", "tanh", "elu"]),
    Choice("c_int", [16, 8, 64]),
    Choice("c_float", [1e-2, 1e-3, 1e-4]),
    Choice("c_bool", [True, False]),
    Boolean("b"),
    Boolean("b_true", default=True),
    Fixed("fx_str", "adam"),
    Fixed("fx_float", 0.5),
    Fixed("fx_int", 3),
    Fixed("fx_bool", True),
]


def _ids(hps: list[HyperParameter]) -> list[str]:
    return [hp.name for hp in hps]


# ------------------------------------------------------------------- Int
def test_int_linear_defaults_and_values() -> None:
    hp = Int("units", 32, 512, step=32)
    assert hp.default == 32
    assert hp.cardinality() == 16
    assert hp.grid_values()[:3] == [32, 64, 96]
    assert hp.grid_values()[-1] == 512  # max inclusive
    assert hp.is_valid(64) and not hp.is_valid(50) and not hp.is_valid(544)
    assert not hp.is_valid(64.0) and not hp.is_valid(True)
    assert hp.is_discrete and not hp.is_categorical


def test_int_without_step_is_every_integer() -> None:
    hp = Int("layers", 0, 3)
    assert hp.step == 1
    assert hp.grid_values() == [0, 1, 2, 3]
    assert hp == Int("layers", 0, 3, step=1)


def test_int_step_not_reaching_max() -> None:
    assert Int("x", 0, 10, step=3).grid_values() == [0, 3, 6, 9]


def test_int_log_step_is_a_factor() -> None:
    assert Int("x", 1, 16, step=2, sampling="log").grid_values() == [1, 2, 4, 8, 16]
    assert Int("x", 3, 100, step=3, sampling="log").grid_values() == [3, 9, 27, 81]


def test_int_reverse_log_step_crowds_towards_max() -> None:
    hp = Int("x", 1, 16, step=2, sampling="reverse_log")
    # Listed in encoded order, which runs from max_value down (keras-tuner's).
    assert hp.grid_values() == [16, 15, 13, 9, 1]
    assert hp.default == 1
    # When min_value is off the mirrored grid, the default is the smallest value.
    off = Int("x", 1, 20, step=2, sampling="reverse_log")
    assert off.grid_values() == [20, 19, 17, 13, 5]
    assert off.default == 5
    with pytest.raises(SearchSpaceError, match="5, 13, 17, 19, 20"):  # increasing here
        Int("x", 1, 20, step=2, sampling="reverse_log", default=6)


def test_float_reverse_log_step_grid_ends_exactly_on_min_value() -> None:
    hp = Float("rg", 0.01, 100, step=10, sampling="reverse_log")
    assert hp.grid_values() == [100.0, 99.91, 99.01, 90.01, 0.01]
    assert hp.default == 0.01 and hp.is_valid(0.01)
    assert Float("m", 1.0, 100.0, step=3, sampling="reverse_log").grid_values() == [
        100.0,
        98.0,
        92.0,
        74.0,
        20.0,
    ]


def test_int_log_without_step_takes_every_integer() -> None:
    hp = Int("x", 1, 100, sampling="log")
    assert hp.step is None
    assert hp.cardinality() == 100
    assert hp.grid_values() == list(range(1, 101))


def test_int_accepts_integral_floats_and_numpy_bounds() -> None:
    hp = Int("x", 2.0, np.int64(8), step=np.int32(2))
    assert hp.get_config()["min_value"] == 2 and isinstance(hp.min_value, int)
    assert isinstance(hp.max_value, int) and isinstance(hp.step, int)


def test_int_explicit_default() -> None:
    assert Int("x", 32, 512, step=32, default=256).default == 256


# ----------------------------------------------------------------- Float
def test_float_continuous() -> None:
    hp = Float("lr", 1e-4, 1e-2, sampling="log")
    assert hp.default == 1e-4
    assert hp.cardinality() is None
    assert not hp.is_discrete
    assert hp.is_valid(1e-3) and hp.is_valid(1e-4) and hp.is_valid(1e-2)
    assert not hp.is_valid(1e-1) and not hp.is_valid("0.001") and not hp.is_valid(float("nan"))


def test_float_bounds_become_floats() -> None:
    hp = Float("x", 0, 1, default=1)
    assert hp.get_config()["min_value"] == 0.0 and isinstance(hp.min_value, float)
    assert isinstance(hp.default, float)
    assert hp == Float("x", 0.0, 1.0, default=1.0)


def test_float_step_grid_is_clean_decimals() -> None:
    hp = Float("dropout", 0.0, 0.5, step=0.1)
    assert hp.grid_values() == [0.0, 0.1, 0.2, 0.3, 0.4, 0.5]
    assert hp.cardinality() == 6
    assert hp.is_discrete
    assert hp.is_valid(0.1 * 3)  # 0.30000000000000004 is on the grid
    assert not hp.is_valid(0.35)


def test_float_default_snaps_to_the_clean_grid_value() -> None:
    assert Float("x", 0.0, 1.0, step=0.1, default=0.1 * 3).default == 0.3


def test_float_log_step_is_a_factor() -> None:
    assert Float("x", 1e-4, 1.0, step=10, sampling="log").grid_values() == [
        1e-4,
        1e-3,
        1e-2,
        1e-1,
        1.0,
    ]


def test_float_without_step_default_grid() -> None:
    linear = Float("x", 0.0, 1.0)
    assert linear.grid_values() == pytest.approx(np.linspace(0, 1, 10).tolist())
    assert len(linear.grid_values()) == 10
    assert linear.grid_values(5) == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert Float("lr", 1e-4, 1e-1, sampling="log").grid_values(4) == [1e-4, 1e-3, 1e-2, 1e-1]
    rlog = Float("m", 0.9, 0.999, sampling="reverse_log").grid_values(6)
    assert rlog[0] == 0.9 and rlog[-1] == 0.999
    gaps = np.diff(rlog)
    assert np.all(gaps > 0) and gaps[-1] < gaps[0]  # denser towards max
    assert Float("x", 0.0, 1.0, default=0.5).grid_values(1) == [0.5]
    assert Float("x", 2.0, 2.0).grid_values() == [2.0]
    with pytest.raises(ValueError):
        linear.grid_values(0)


# ---------------------------------------------------------------- Choice
def test_choice_defaults_and_order() -> None:
    hp = Choice("act", ["relu", "tanh"])
    assert hp.default == "relu"
    assert hp.ordered is False and hp.is_categorical
    assert hp.grid_values() == ["relu", "tanh"]
    numeric = Choice("lr", [1e-2, 1e-3, 1e-4])
    assert numeric.ordered is True and not numeric.is_categorical
    assert numeric.grid_values() == [1e-2, 1e-3, 1e-4]  # order as given
    assert Choice("n", [1, 2], ordered=False).is_categorical
    assert Choice("b", [True, False]).ordered is False


def test_choice_types_are_strict() -> None:
    ints = Choice("n", [1, 2, 3])
    assert ints.is_valid(2) and not ints.is_valid(True) and not ints.is_valid("2")
    assert not ints.is_valid(2.0) and ints.coerce(2.0) == 2
    floats = Choice("x", [0.0, 0.5])
    assert floats.is_valid(0.5) and floats.coerce(0) == 0.0 and not floats.is_valid(False)
    bools = Choice("b", [False, True])
    assert bools.is_valid(True) and not bools.is_valid(1)


def test_choice_default_and_numpy_values() -> None:
    hp = Choice("n", np.array([8, 16, 32]), default=np.int64(16))
    assert hp.values == [8, 16, 32] and type(hp.values[0]) is int
    assert hp.default == 16
    assert Choice("x", [0.0, 0.5], default=0).default == 0.0


# ------------------------------------------------------- Boolean / Fixed
def test_boolean() -> None:
    hp = Boolean("bn")
    assert hp.default is False and Boolean("bn", default=True).default is True
    assert hp.grid_values() == [False, True]
    assert hp.is_categorical and hp.cardinality() == 2
    assert hp.is_valid(np.bool_(True)) and not hp.is_valid(1)


def test_fixed() -> None:
    hp = Fixed("opt", "adam")
    assert hp.default == "adam" and hp.value == "adam"
    assert hp.grid_values() == ["adam"] and hp.cardinality() == 1
    assert hp.is_valid("adam") and not hp.is_valid("sgd")
    assert Fixed("x", 3).is_valid(3) and not Fixed("x", 3).is_valid(True)
    assert Fixed("x", np.float32(0.5)).value == 0.5


# --------------------------------------------------- configs / equality
@pytest.mark.parametrize("hp", ALL_KINDS, ids=_ids(ALL_KINDS))
def test_config_round_trip_through_json(hp: HyperParameter) -> None:
    text = json.dumps(serialize(hp))
    again = deserialize(json.loads(text))
    assert again == hp
    assert type(again) is type(hp)
    assert again.default == hp.default
    assert again.grid_values(7) == hp.grid_values(7)
    assert type(hp).from_config(hp.get_config()) == hp


@pytest.mark.parametrize("hp", ALL_KINDS, ids=_ids(ALL_KINDS))
def test_describe(hp: HyperParameter) -> None:
    described = hp.describe()
    assert list(described)[:2] == ["default", "conditions"]
    assert described["default"] == hp.default
    json.dumps(described)
    if isinstance(hp, (Int, Float)):
        assert {"min_value", "max_value", "step", "sampling"} <= set(described)
    if isinstance(hp, Choice):
        assert {"values", "ordered"} <= set(described)


def test_describe_matches_keras_tuner_shape() -> None:
    assert Int("units", 32, 512, step=32).describe() == {
        "default": 32,
        "conditions": [],
        "min_value": 32,
        "max_value": 512,
        "step": 32,
        "sampling": "linear",
    }
    assert Choice("act", ["relu", "softmax"]).describe() == {
        "default": "relu",
        "conditions": [],
        "values": ["relu", "softmax"],
        "ordered": False,
    }
    cond = Int("f", 1, 2, conditions=[Condition("model", ["cnn"])]).describe()["conditions"]
    assert cond == [{"name": "model", "values": ["cnn"]}]


def test_equality_is_by_definition() -> None:
    assert Int("x", 1, 5) == Int("x", 1, 5)
    assert Int("x", 1, 5) != Int("x", 1, 6)
    assert Int("x", 1, 5) != Int("y", 1, 5)
    assert Int("x", 1, 5) != Float("x", 1, 5)
    assert Choice("x", [1, 0]) != Choice("x", [True, False])
    assert Choice("x", [1.0, 2.0]) != Choice("x", [1, 2])
    assert len({Int("x", 1, 5), Int("x", 1, 5), Boolean("b")}) == 2
    with_condition = Int("x", 1, 5, conditions=[Condition("m", "a")])
    assert with_condition != Int("x", 1, 5)
    assert with_condition.same_definition(Int("x", 1, 5), with_conditions=False)


def test_repr_is_keras_tuners() -> None:
    assert repr(Int("units", 32, 512, step=32)) == (
        "Int(name: 'units', min_value: 32, max_value: 512, step: 32, sampling: linear, default: 32)"
    )
    assert repr(Int("n", 2, 64, sampling="log")) == (
        "Int(name: 'n', min_value: 2, max_value: 64, step: None, sampling: log, default: 2)"
    )
    assert repr(Float("lr", 1e-4, 1e-2, sampling="log")) == (
        "Float(name: 'lr', min_value: '0.0001', max_value: '0.01', step: 'None', "
        "sampling: 'log', default: '0.0001')"
    )
    assert repr(Choice("act", ["relu", "tanh"], default="tanh")) == (
        "Choice(name: 'act', values: ['relu', 'tanh'], ordered: False, default: tanh)"
    )
    assert repr(Boolean("bn", default=True)) == 'Boolean(name: "bn", default: True)'
    assert repr(Fixed("opt", "adam")) == "Fixed(name: opt, value: adam)"
    # keras-tuner's text has no conditions; tunesmith adds them when there are some.
    text = repr(Choice("f", ["a"], conditions=[Condition("m", "x")]))
    assert text == (
        "Choice(name: 'f', values: ['a'], ordered: False, default: a, "
        "conditions: [Condition('m', ['x'])])"
    )


@pytest.mark.parametrize(
    "hp",
    [
        Int("j", 1, 10),
        Int("j", 1, 64, step=2, sampling="log", conditions=[Condition("m", ["a"])]),
        Float("f", 0.01, 100, step=10, sampling="reverse_log"),
        Choice("c", [0.1, 0.2], default=0.2),
        Boolean("b"),
        Fixed("x", 3),
    ],
    ids=lambda hp: type(hp).__name__,
)
def test_repr_survives_serialization(hp: HyperParameter) -> None:
    again = deserialize(json.loads(json.dumps(serialize(hp))))
    assert repr(again) == repr(hp) and repr(hp).startswith(f"{type(hp).__name__}(name: ")


def test_condition() -> None:
    condition = Condition("layers", [2, 3])
    assert condition.is_active({"layers": 2})
    assert not condition.is_active({"layers": 1})
    assert not condition.is_active({})
    assert not Condition("b", [1]).is_active({"b": True})  # bool is not int
    assert Condition("x", 0.3).is_active({"x": 0.1 * 3})
    assert Condition.from_config(json.loads(json.dumps(condition.get_config()))) == condition
    assert Parent is Condition
    assert Condition("a", 1) != Condition("a", True)


def test_conditions_accept_configs() -> None:
    config = {"class_name": "Parent", "config": {"name": "m", "values": ["a"]}}
    hp = Int("x", 1, 2, conditions=[config])
    assert hp.conditions == (Condition("m", ["a"]),)


def test_definitions_are_read_only() -> None:
    hp = Int("x", 1, 5)
    with pytest.raises(AttributeError):
        hp.name = "y"  # type: ignore[misc]
