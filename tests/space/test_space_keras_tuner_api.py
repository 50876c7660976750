"""keras-tuner's names for the search space: the base class, the encoding under
``value_to_prob`` / ``prob_to_value``, ``random_sample``, ``values``, the container's
reads and merges, serialisation, and the ``kt.engine`` module paths."""

from __future__ import annotations

import importlib
import math
import random
from typing import Any

import pytest

import tunesmith
from tunesmith.errors import SearchSpaceError
from tunesmith.space import (
    Boolean,
    Choice,
    Condition,
    Fixed,
    Float,
    HyperParameter,
    HyperParameters,
    InactiveHyperParameterError,
    Int,
    Numerical,
    Parent,
    SearchSpaceTypeError,
    UnknownHyperParameterError,
    deserialize,
    index_to_unit,
    serialize,
    unit_to_index,
)

TYPES = [
    Int("i", 5, 9),
    Int("i_step", 0, 100, step=10),
    Int("i_log", 2, 32, step=2, sampling="log"),
    Int("i_log_nostep", 2, 1024, sampling="log"),
    Int("i_rlog_nostep", 3, 90, sampling="reverse_log"),
    Float("f", -1.0, 2.5),
    Float("f_log", 1e-3, 1e3, sampling="log"),
    Float("f_step", 0.0, 0.5, step=0.1),
    Choice("c", ["relu", "tanh", "elu"]),
    Boolean("b"),
    Fixed("x", "adam"),
]


def _ids(hps: list[HyperParameter]) -> list[str]:
    return [hp.name for hp in hps]


# ------------------------------------------------------------- the base class
def test_base_class_is_instantiable_and_round_trips() -> None:
    base = HyperParameter(name="base", default=0)
    assert (base.name, base.default, base.conditions) == ("base", 0, ())
    assert base.get_config() == {"name": "base", "default": 0, "conditions": []}
    again = HyperParameter.from_config(base.get_config())
    assert again == base and again.default == 0
    assert deserialize(serialize(base)) == base


def test_base_class_without_values_says_what_to_define() -> None:
    base = HyperParameter("base")
    with pytest.raises(NotImplementedError, match="values"):
        base.values  # noqa: B018
    with pytest.raises(NotImplementedError, match="value_to_prob"):
        base.to_unit(1)
    with pytest.raises(NotImplementedError, match="prob_to_value"):
        base.random_sample(0)
    assert base.cardinality() is None


class Odd(HyperParameter):
    """A subclass written the keras-tuner way: values and the two encoding methods."""

    values = (1, 3, 5, 7, 9)

    def prob_to_value(self, prob: float) -> int:
        return self.values[min(int(prob * 5), 4)]

    def value_to_prob(self, value: int) -> float:
        return (self.values.index(value) + 0.5) / 5


def test_keras_tuner_style_subclass_gets_the_rest() -> None:
    odd = Odd("kernel", default=3, conditions=[Parent("model", ["cnn"])])
    assert odd.to_unit(5) == 0.5 and odd.from_unit(0.95) == 9
    assert odd.cardinality() == 5 and odd.grid_values() == [1, 3, 5, 7, 9]
    assert odd.is_valid(7) and not odd.is_valid(4)
    assert odd.random_sample(0) == odd.prob_to_value(random.Random(0).random())
    assert odd.conditions == (Condition("model", ["cnn"]),)
    assert odd.get_config()["conditions"][0]["config"] == {"name": "model", "values": ["cnn"]}


def test_a_single_condition_is_accepted() -> None:
    hp = Int("x", 1, 3, conditions=Parent("m", "a"))
    assert hp.conditions == (Condition("m", ["a"]),)


def test_numerical_is_the_shared_base_of_int_and_float() -> None:
    assert isinstance(Int("i", 1, 2), Numerical) and isinstance(Float("f", 0, 1), Numerical)
    assert not isinstance(Choice("c", [1, 2]), Numerical)


# ------------------------------------------------------------------ encoding
@pytest.mark.parametrize("hp", TYPES, ids=_ids(TYPES))
def test_value_to_prob_is_the_one_encoding(hp: HyperParameter) -> None:
    for value in hp.values:
        assert hp.value_to_prob(value) == hp.to_unit(value)
    for u in (0.0, 0.13, 0.5, 0.77, 1.0):
        assert hp.prob_to_value(u) == hp.from_unit(u)
        assert hp.is_valid(hp.prob_to_value(u))


@pytest.mark.parametrize(
    ("hp", "value", "prob"),
    [
        (Int("rg", 5, 9, step=1), 6, 0.3),
        (Int("rg", 2, 32, step=2, sampling="log"), 4, 0.3),
        (Float("rg", 1.0, 11.0), 4.5, 0.35),
        (Float("rg", 0.01, 100, step=10, sampling="log"), 0.1, 0.3),
        (Float("f", 2, 2), 2.0, 0.5),
        (Float("f", 1e-3, 1e3, sampling="log"), 1.0, 0.5),
        (Float("f", 1e-3, 1e3, sampling="log"), 1e-3, 0.0),
        (Float("f", 1e-3, 1e3, sampling="reverse_log"), 1e-3, 0.0),
        (Choice("c", [1, 2, 3]), 1, 1 / 6),
        (Boolean("b"), True, 0.75),
        (Boolean("b"), False, 0.25),
        (Fixed("x", 8.2), 8.2, 0.5),
    ],
)
def test_keras_tuners_probabilities(hp: HyperParameter, value: Any, prob: float) -> None:
    assert hp.value_to_prob(value) == pytest.approx(prob, abs=1e-12)
    assert hp.prob_to_value(prob) == pytest.approx(value)


def test_int_log_without_step_uses_keras_tuners_bins() -> None:
    # Integer k owns [k, k + 1) of [min, max + 1] on the log scale and encodes at k + 0.5.
    hp = Int("rg", 2, 32, sampling="log")
    for k in range(2, 33):
        expected = math.log((k + 0.5) / 2) / math.log(33 / 2)
        assert hp.value_to_prob(k) == pytest.approx(expected, rel=1e-12)
        assert hp.prob_to_value(hp.value_to_prob(k)) == k
    assert hp.prob_to_value(0.0) == 2 and hp.prob_to_value(1.0) == 32  # max + 1 is clipped


def test_float_step_keeps_max_value_on_the_grid() -> None:
    # (0.5 - 0.0) // 0.1 is 4.0 in binary floating point; the grid still ends at 0.5.
    hp = Float("rate", 0.0, 0.5, step=0.1)
    assert hp.values == (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)
    assert hp.prob_to_value(0.99) == 0.5


def test_bin_helpers() -> None:
    assert [index_to_unit(i, 4) for i in range(4)] == [0.125, 0.375, 0.625, 0.875]
    assert [unit_to_index(u, 4) for u in (0.0, 0.249, 0.25, 0.999, 1.0, 1.5)] == [0, 0, 1, 3, 3, 3]


# ------------------------------------------------------------- random_sample
@pytest.mark.parametrize("hp", TYPES, ids=_ids(TYPES))
def test_random_sample_is_seeded_like_keras_tuner(hp: HyperParameter) -> None:
    for seed in (0, 1, 123):
        drawn = hp.random_sample(seed)
        assert drawn == hp.random_sample(seed)
        assert drawn == hp.prob_to_value(random.Random(seed).random())
        assert hp.is_valid(drawn) and type(drawn) is type(hp.default)
    assert hp.is_valid(hp.random_sample())


def test_random_sample_matches_keras_tuners_values() -> None:
    # random.Random(123).random() is 0.052363598850944326.
    assert Int("rg", 5, 9).random_sample(123) == 5
    assert Float("f", 0.0, 10.0).random_sample(123) == pytest.approx(0.52363598850944326)
    assert Choice("c", ["a", "b"]).random_sample(123) == "a"
    assert Fixed("x", True).random_sample() is True


# -------------------------------------------------------------------- values
@pytest.mark.parametrize(
    ("hp", "values"),
    [
        (Int("int", 2, 8, 2), [2, 4, 6, 8]),
        (Int("int", 2, 8, 2, sampling="log"), [2, 4, 8]),
        (Int("int", 2, 4), [2, 3, 4]),
        (Float("float", 2, 8, 2), [2.0, 4.0, 6.0, 8.0]),
        (Float("float", 0.1, 100.0, 10, sampling="log"), [0.1, 1.0, 10.0, 100.0]),
        (Int("int", 1, 16, 2, sampling="reverse_log"), [16, 15, 13, 9, 1]),
        (Float("f", 0.01, 100, 10, sampling="reverse_log"), [100.0, 99.91, 99.01, 90.01, 0.01]),
        (Choice("choice", [0, 1, 2]), [0, 1, 2]),
        (Boolean("bool"), [True, False]),
        (Fixed("fixed", 2), [2]),
    ],
)
def test_values_of_every_type(hp: HyperParameter, values: list[Any]) -> None:
    assert list(hp.values) == values
    assert [type(v) for v in hp.values] == [type(v) for v in values]


def test_values_of_a_float_without_step_are_its_grid() -> None:
    hp = Float("float", 2, 1024, sampling="log")
    assert len(hp.values) == 10 and list(hp.values) == hp.grid_values()
    assert hp.values[0] == 2.0 and hp.values[-1] == 1024.0


def test_values_of_a_log_int_without_step_are_a_ten_point_sample() -> None:
    hp = Int("int", 2, 1024, sampling="log")
    # keras-tuner's values: the values at the centres of ten equal bins of the encoding.
    assert hp.values == (2, 5, 9, 17, 33, 61, 115, 215, 402, 750)
    assert list(hp.values) == sorted({hp.prob_to_value(i * 0.1 + 0.05) for i in range(10)})
    # What a grid search tries and counts is every integer.
    assert hp.cardinality() == 1023 and hp.grid_values() == list(range(2, 1025))
    # A narrow range has fewer than ten distinct sample values.
    assert Int("few", 1, 4, sampling="reverse_log").values == (1, 2, 3, 4)
    assert len(Int("few", 1, 3, sampling="log").values) == 3
    # With linear sampling (a step of 1) values stay every integer.
    assert list(Int("int", 2, 20).values) == list(range(2, 21))


def test_float_reverse_log_with_step_encodes_from_max_value_down() -> None:
    hp = Float("rg", min_value=0.01, max_value=100, step=10, sampling="reverse_log")
    # keras-tuner's index i is max + min - min * step**i, at the centre of bin i.
    assert hp.value_to_prob(99.91) == pytest.approx(0.3)
    assert hp.prob_to_value(0.3) == pytest.approx(99.91)
    assert hp.value_to_prob(100.0) == pytest.approx(0.1)
    assert hp.value_to_prob(0.01) == pytest.approx(0.9)
    assert hp.default == 0.01  # the smallest value, min_value here
    grid = {100.0, 99.91, 99.01, 90.01, 0.01}
    assert {hp.random_sample(seed) for seed in range(60)} == grid
    assert hp.random_sample() in grid
    # Same for an Int: 16, 15, 13, 9, 1 are bins 0 .. 4.
    ints = Int("r", 1, 16, step=2, sampling="reverse_log")
    assert [ints.value_to_prob(v) for v in (16, 15, 13, 9, 1)] == pytest.approx(
        [0.1, 0.3, 0.5, 0.7, 0.9]
    )
    assert ints.prob_to_value(0.25) == 15 and ints.default == 1


# -------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    ("factory", "error", "words"),
    [
        (lambda: Choice("a", ["a", "b", 0]), TypeError, "can contain only one type"),
        (lambda: Choice("a", [{"a": 1}, {"a": 2}]), TypeError, "can contain only `int`"),
        (lambda: Choice("a", "abc"), TypeError, "not a list"),
        (lambda: Parent("parent", [None]), TypeError, "Can contain only int, float, str or bool"),
        (lambda: Choice("a", []), ValueError, "`values` must be provided"),
        (lambda: Choice("a", [1, 2, 3], default=4), ValueError, "default value should be"),
        (lambda: Choice("a", ["a", "b"], ordered=True), ValueError, "must be `False`"),
        (lambda: Boolean("b", default=None), ValueError, "must be a Python boolean"),
        (lambda: Fixed("f", None), ValueError, "value must be an int"),
        (lambda: Int("j", 0.5, 10), ValueError, "min_value must be an int"),
        (lambda: Int("j", 0, 10, sampling="invalid"), ValueError, "sampling must be one of"),
        (lambda: Int("k", 1, 0), ValueError, "min_value 1 is greater than the max_value 0"),
        (lambda: Int("k", -10, -1, sampling="log"), ValueError, "does not support negative"),
        (
            lambda: Int("k", 1, 10, step=1, sampling="log"),
            ValueError,
            r"For HyperParameters.Int\(name='k'\), expected step > 1",
        ),
        (
            lambda: Float("k", 0.1, 10.0, step=0.5, sampling="reverse_log"),
            ValueError,
            r"For HyperParameters.Float\(name='k'\), expected step > 1",
        ),
    ],
)
def test_errors_have_keras_tuners_types(factory: Any, error: type, words: str) -> None:
    with pytest.raises(error, match=words) as excinfo:
        factory()
    assert isinstance(excinfo.value, SearchSpaceError)  # so a ValueError as well


def test_type_errors_are_value_errors_too() -> None:
    with pytest.raises(ValueError):
        Choice("a", [[1], [2]])
    with pytest.raises(SearchSpaceTypeError):
        Parent("p", [object()])


# ----------------------------------------------------------------- container
def _branches() -> HyperParameters:
    hps = HyperParameters()
    hps.Int("a", 0, 10, default=3)
    hps.Choice("b", [1, 2], default=2)
    with hps.conditional_scope("b", 1):
        hps.Float("c", -10, 10, default=3)
        with pytest.raises(InactiveHyperParameterError, match="'c' is currently inactive"):
            hps["c"]
    with hps.conditional_scope("b", 2):
        hps.Float("c", -30, -20, default=-25)
    return hps


def test_reading_values_by_name() -> None:
    hps = _branches()
    assert (hps["a"], hps["b"], hps["c"]) == (3, 2, -25.0)
    assert all(name in hps for name in "abc") and "d" not in hps
    with pytest.raises(KeyError, match="'d' does not exist"):
        hps["d"]
    with pytest.raises(UnknownHyperParameterError):
        hps.get("d")


def test_reading_an_inactive_value_raises_a_value_error() -> None:
    hps = HyperParameters()
    hps.Choice("model", ["mlp", "cnn"])
    with hps.conditional_scope("model", "cnn"):
        assert hps.Int("filters", 8, 64) is None
    with pytest.raises(ValueError, match=r"model in \['cnn'\]"):
        hps.get("filters")
    assert "filters" not in hps
    hps.values["model"] = "cnn"
    assert hps.get("filters") == 8 and "filters" in hps


def test_is_active_by_name_and_by_definition() -> None:
    hp = HyperParameters()
    hp.Choice("choice", [1, 2, 3], default=3)
    with hp.conditional_scope("choice", [1, 3]):
        hp.Choice("child", [4, 5, 6])
    with hp.conditional_scope("choice", 2):
        hp.Choice("child2", [7, 8, 9])
    hp.values["child2"] = 7  # a value set for an inactive hyperparameter
    assert hp.is_active("child") and hp.is_active(hp._hps["child"][0])
    assert not hp.is_active("child2") and not hp.is_active(hp._hps["child2"][0])


def test_a_child_may_not_be_named_after_its_parent() -> None:
    hp = HyperParameters()
    hp.Choice("a", [1, 2, 3], default=3)
    with (
        pytest.raises(ValueError, match="cannot have the same name as its parent"),
        hp.conditional_scope("a", [1, 3]),
    ):
        hp.Choice("a", [4, 5, 6], default=6)
    assert len(hp.space) == 1


def test_conditional_scope_on_an_undefined_parent() -> None:
    with (
        pytest.raises(ValueError, match="'not_defined_hp' is not defined"),
        HyperParameters().conditional_scope("not_defined_hp", 2),
    ):
        pass


def test_merge_overwrites_by_default() -> None:
    hp = HyperParameters()
    hp.Int("a", 0, 100)
    hp.Fixed("b", 2)
    hp.values["b"] = 2
    other = HyperParameters()
    other.Fixed("a", 3)
    other.Fixed("b", 2)
    hp.Int("c", 10, 100, default=30)
    hp.merge(other)
    assert (hp.get("a"), hp.get("b"), hp.get("c")) == (3, 2, 30)
    assert hp.space[0] == Fixed("a", 3) and len(hp.space) == 3


def test_merge_without_overwrite_keeps_definitions_and_values() -> None:
    hp = HyperParameters()
    hp.Fixed("a", 3)
    third = HyperParameters()
    third.Fixed("a", 5)
    third.Choice("d", [1, 2, 3], default=1)
    hp.merge(third, overwrite=False)
    assert hp.values == {"a": 3, "d": 1}
    assert hp.space == [Fixed("a", 3), Choice("d", [1, 2, 3], default=1)]


def test_merge_overwrite_resets_values_to_the_new_defaults() -> None:
    hp = HyperParameters()
    hp.Int("units", 8, 64)
    hp.values["units"] = 40
    hp.merge([Int("units", 8, 64, default=16)])
    assert hp.values == {"units": 16}


def test_merge_leaves_inactive_values_out() -> None:
    hp = HyperParameters()
    hp.Choice("a", [1, 2, 3], default=3)
    with hp.conditional_scope("a", 2):
        hp.Fixed("b", 4)
    merged = HyperParameters()
    merged.merge(hp)
    assert merged.values == {"a": 3} and len(merged.space) == 2


def test_serialize_every_object() -> None:
    hp = HyperParameters()
    hp.Choice("model", ["mlp", "cnn"])
    with hp.conditional_scope("model", "cnn"):
        hp.Int("filters", 8, 64)
    written = serialize(hp)
    assert written["class_name"] == "HyperParameters"
    again = deserialize(written)
    assert isinstance(again, HyperParameters)
    assert again.get_config() == hp.get_config()
    condition = Parent("model", ["cnn"])
    assert serialize(condition) == {
        "class_name": "Condition",
        "config": {"name": "model", "values": ["cnn"]},
    }
    parent_config = {"class_name": "Parent", "config": {"name": "model", "values": ["cnn"]}}
    assert deserialize(parent_config) == condition
    assert repr(deserialize(serialize(Int("j", 1, 10)))) == repr(Int("j", 1, 10))
    with pytest.raises(SearchSpaceError, match="Cannot serialize"):
        serialize(3)


def test_condition_values_are_a_list() -> None:
    condition = Parent("parent", (1, 2))
    assert condition.values == [1, 2]
    condition.values.append(3)  # a copy: the condition is immutable
    assert condition.values == [1, 2]


# --------------------------------------------------------------- module paths
@pytest.mark.parametrize(
    ("module", "name", "target"),
    [
        ("tunesmith.engine.hyperparameters", "HyperParameter", HyperParameter),
        ("tunesmith.engine.hyperparameters", "Int", Int),
        ("tunesmith.engine.hyperparameters", "serialize", serialize),
        ("tunesmith.engine.hyperparameters.hyperparameter", "HyperParameter", HyperParameter),
        ("tunesmith.engine.hyperparameters.hyperparameters", "HyperParameters", HyperParameters),
        ("tunesmith.engine.hyperparameters.hp_types", "deserialize", deserialize),
        ("tunesmith.engine.hyperparameters.hp_types.boolean_hp", "Boolean", Boolean),
        ("tunesmith.engine.hyperparameters.hp_types.choice_hp", "Choice", Choice),
        ("tunesmith.engine.hyperparameters.hp_types.fixed_hp", "Fixed", Fixed),
        ("tunesmith.engine.hyperparameters.hp_types.float_hp", "Float", Float),
        ("tunesmith.engine.hyperparameters.hp_types.int_hp", "Int", Int),
        ("tunesmith.engine.hyperparameters.hp_types.numerical", "Numerical", Numerical),
        ("tunesmith.engine.hyperparameters.hp_utils", "index_to_prob", index_to_unit),
        ("tunesmith.engine.hyperparameters.hp_utils", "prob_to_index", unit_to_index),
        ("tunesmith.engine.conditions", "Parent", Condition),
        ("tunesmith.engine.conditions", "Condition", Condition),
        ("tunesmith.engine.conditions", "deserialize", deserialize),
        ("tunesmith", "HyperParameter", HyperParameter),
    ],
)
def test_keras_tuners_module_paths(module: str, name: str, target: Any) -> None:
    assert getattr(importlib.import_module(module), name) is target


def test_engine_attributes_load_lazily() -> None:
    assert tunesmith.engine.conditions.Parent is Condition
    hp_types = tunesmith.engine.hyperparameters.hp_types
    assert (Fixed, Float, Int, Choice, Boolean) == hp_types.OBJECTS
    assert "HyperParameter" in tunesmith.__all__
