"""Every invalid definition raises SearchSpaceError naming the hyperparameter and a fix."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tunesmith.errors import SearchSpaceError
from tunesmith.space import Boolean, Choice, Fixed, Float, HyperParameters, Int

# (id, factory, words the message must contain besides the name)
INVALID_DEFINITIONS: list[tuple[str, Callable[[], Any], list[str]]] = [
    ("int min > max", lambda: Int("units", 10, 5), ["min_value", "greater", "Swap"]),
    ("float min > max", lambda: Float("lr", 1.0, 0.1), ["min_value", "greater"]),
    ("int step 0", lambda: Int("units", 1, 5, step=0), ["step=0", "greater than 0"]),
    ("int step < 0", lambda: Int("units", 1, 5, step=-1), ["step=-1"]),
    ("float step 0", lambda: Float("lr", 0.0, 1.0, step=0.0), ["step", "greater than 0"]),
    ("float step < 0", lambda: Float("lr", 0.0, 1.0, step=-0.1), ["step"]),
    ("log step factor 1", lambda: Int("units", 1, 16, step=1, sampling="log"), ["factor"]),
    ("float log step < 1", lambda: Float("lr", 1e-3, 1.0, step=0.5, sampling="log"), ["factor"]),
    ("log min 0", lambda: Float("lr", 0.0, 1.0, sampling="log"), ["min_value > 0"]),
    ("log min < 0", lambda: Int("units", -1, 10, sampling="log"), ["min_value > 0"]),
    ("reverse_log min 0", lambda: Float("m", 0.0, 0.99, sampling="reverse_log"), ["min_value > 0"]),
    ("unknown sampling", lambda: Float("lr", 0.1, 1.0, sampling="exp"), ["exp", "linear"]),
    ("int float bounds", lambda: Int("units", 1.5, 10), ["min_value=1.5", "integer"]),
    ("int float max", lambda: Int("units", 1, 10.5), ["max_value=10.5", "integer"]),
    ("int float step", lambda: Int("units", 1, 10, step=0.5), ["step=0.5", "integer"]),
    ("int bool bound", lambda: Int("units", True, 10), ["min_value=True"]),
    ("int str bound", lambda: Int("units", "1", 10), ["min_value='1'"]),
    ("float nan bound", lambda: Float("lr", float("nan"), 1.0), ["finite"]),
    ("float inf bound", lambda: Float("lr", 0.0, float("inf")), ["finite"]),
    ("empty choice", lambda: Choice("act", []), ["empty"]),
    ("choice not a list", lambda: Choice("act", "relu"), ["list"]),
    ("mixed int float", lambda: Choice("rate", [1, 0.5]), ["mix", "float", "1.0"]),
    ("mixed str int", lambda: Choice("act", ["relu", 1]), ["mix", "single type"]),
    ("mixed bool int", lambda: Choice("flag", [True, 0]), ["mix", "bool"]),
    ("duplicate values", lambda: Choice("act", ["relu", "tanh", "relu"]), ["repeat", "relu"]),
    ("duplicate floats", lambda: Choice("rate", [0.1, 0.2, 0.1]), ["repeat"]),
    ("choice of lists", lambda: Choice("shape", [[1], [2]]), ["int, float, str or bool"]),
    ("choice nan", lambda: Choice("rate", [0.1, float("nan")]), ["finite"]),
    ("ordered strings", lambda: Choice("act", ["a", "b"], ordered=True), ["ordered"]),
    (
        "int default above",
        lambda: Int("units", 32, 512, step=32, default=600),
        ["default=600", "outside"],
    ),
    ("int default below", lambda: Int("units", 32, 512, default=8), ["default=8", "outside"]),
    (
        "int default off grid",
        lambda: Int("units", 32, 512, step=32, default=50),
        ["default=50", "grid"],
    ),
    (
        "int log default off grid",
        lambda: Int("u", 1, 16, step=2, sampling="log", default=3),
        ["default=3"],
    ),
    ("int default float", lambda: Int("units", 1, 10, default=2.5), ["default=2.5"]),
    (
        "float default outside",
        lambda: Float("lr", 0.0, 1.0, default=2.0),
        ["default=2.0", "outside"],
    ),
    (
        "float default off step",
        lambda: Float("rate", 0.0, 0.5, step=0.1, default=0.25),
        ["default=0.25", "grid"],
    ),
    ("float default str", lambda: Float("rate", 0.0, 0.5, default="0.1"), ["default='0.1'"]),
    (
        "choice default absent",
        lambda: Choice("act", ["relu", "tanh"], default="elu"),
        ["default='elu'", "should be one of"],
    ),
    ("choice default wrong type", lambda: Choice("n", [0, 1], default=True), ["default=True"]),
    ("boolean default", lambda: Boolean("bn", default="yes"), ["default='yes'", "bool"]),
    ("fixed object", lambda: Fixed("opt", object()), ["value="]),
    ("fixed none", lambda: Fixed("opt", None), ["value=None"]),
]


@pytest.mark.parametrize(
    ("factory", "words"),
    [(f, w) for _, f, w in INVALID_DEFINITIONS],
    ids=[i for i, _, _ in INVALID_DEFINITIONS],
)
def test_invalid_definition(factory: Callable[[], Any], words: list[str]) -> None:
    with pytest.raises(SearchSpaceError) as excinfo:
        factory()
    message = str(excinfo.value)
    name = message.split("'")[1]
    assert name in {"units", "lr", "m", "act", "rate", "flag", "shape", "u", "n", "bn", "opt"}
    assert message.startswith(f"Hyperparameter {name!r}")
    for word in words:
        assert word in message, (word, message)


def test_search_space_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        Int("units", 5, 1)


@pytest.mark.parametrize("bad", ["", None, 3])
def test_bad_names(bad: Any) -> None:
    with pytest.raises(SearchSpaceError, match="name"):
        Int(bad, 1, 2)
    with pytest.raises(SearchSpaceError, match="name"):
        HyperParameters().Int(bad, 1, 2)


def test_container_errors_name_the_scoped_hyperparameter() -> None:
    hp = HyperParameters()
    with hp.name_scope("block1"), pytest.raises(SearchSpaceError, match="'block1/units'"):
        hp.Int("units", 10, 1)


def test_redefinition_with_another_definition() -> None:
    hp = HyperParameters()
    hp.Int("units", 32, 512, step=32)
    with pytest.raises(SearchSpaceError) as excinfo:
        hp.Int("units", 16, 256, step=16)
    message = str(excinfo.value)
    assert "'units'" in message
    assert "min_value: 32" in message and "min_value: 16" in message  # both definitions
    assert "another name" in message  # the fix
    # The registered definition is untouched.
    assert hp.space == [Int("units", 32, 512, step=32)]


@pytest.mark.parametrize(
    "second",
    [
        lambda hp: hp.Float("units", 32, 512),
        lambda hp: hp.Int("units", 32, 512, step=32, default=64),
        lambda hp: hp.Int("units", 32, 512, step=32, sampling="log"),
        lambda hp: hp.Choice("units", [32, 64]),
    ],
    ids=["other type", "other default", "other sampling", "choice"],
)
def test_any_difference_is_a_redefinition(second: Callable[[HyperParameters], Any]) -> None:
    hp = HyperParameters()
    hp.Int("units", 32, 512, step=32)
    with pytest.raises(SearchSpaceError, match="'units'"):
        second(hp)


def test_overlapping_branches_may_not_redefine() -> None:
    hp = HyperParameters()
    hp.Choice("model", ["a", "b", "c"])
    with hp.conditional_scope("model", ["a", "b"]):
        hp.Int("width", 1, 4)
    with (
        hp.conditional_scope("model", ["b", "c"]),
        pytest.raises(SearchSpaceError, match=r"'width'.*exclude each other"),
    ):
        hp.Int("width", 8, 16)
    with pytest.raises(SearchSpaceError, match="'width'"):
        hp.Int("width", 8, 16)  # unconditional overlaps every branch


def test_conditional_parent_not_registered() -> None:
    hp = HyperParameters()
    with pytest.raises(SearchSpaceError) as excinfo, hp.conditional_scope("model", "cnn"):
        pass
    assert "'model'" in str(excinfo.value) and "not defined" in str(excinfo.value)
    with pytest.raises(SearchSpaceError) as excinfo:
        hp.Int("filters", 8, 64, parent_name="model", parent_values=["cnn"])
    assert "'filters'" in str(excinfo.value) and "'model'" in str(excinfo.value)
    assert hp.space == []


def test_parent_values_must_be_values_of_the_parent() -> None:
    hp = HyperParameters()
    hp.Choice("model", ["mlp", "cnn"])
    hp.Int("layers", 1, 3)
    with (
        pytest.raises(SearchSpaceError, match=r"'rnn'.*'model'"),
        hp.conditional_scope("model", ["cnn", "rnn"]),
    ):
        pass
    with pytest.raises(SearchSpaceError, match=r"'units'.*5.*'layers'"):
        hp.Int("units", 8, 64, parent_name="layers", parent_values=[2, 5])
    with pytest.raises(SearchSpaceError, match="empty"), hp.conditional_scope("layers", []):
        pass


def test_parent_name_without_parent_values() -> None:
    hp = HyperParameters()
    hp.Boolean("bn")
    with pytest.raises(SearchSpaceError, match=r"'x'.*together"):
        hp.Int("x", 1, 2, parent_name="bn")
    with pytest.raises(SearchSpaceError, match=r"'x'.*together"):
        hp.Int("x", 1, 2, parent_values=[True])


def test_with_values_rejects_invalid_values() -> None:
    hp = HyperParameters()
    hp.Int("units", 32, 512, step=32)
    with pytest.raises(SearchSpaceError, match=r"'units'.*50"):
        hp.with_values({"units": 50})
    with pytest.raises(SearchSpaceError, match="'units'"):
        hp.with_values({"units": "64"})


def test_encoding_an_invalid_value() -> None:
    with pytest.raises(SearchSpaceError, match="'units'"):
        Int("units", 32, 512, step=32).to_unit(33)
    with pytest.raises(SearchSpaceError, match="'lr'"):
        Float("lr", 0.0, 1.0).to_unit(2.0)
    with pytest.raises(SearchSpaceError, match="'act'"):
        Choice("act", ["relu"]).to_unit("tanh")
    with pytest.raises(ValueError, match="NaN"):
        Float("lr", 0.0, 1.0).from_unit(float("nan"))
