"""Values drawn for names a trial declares that were given none (``draw_new_values``)."""

from __future__ import annotations

import math

import pytest

from tunesmith.space import Choice, Float, HyperParameter, HyperParameters, Int


def declare(hp: HyperParameters) -> HyperParameters:
    """A define-by-run build: a choice, a branch of its own per value, a log float."""
    kind = hp.Choice("kind", ["a", "b", "c"])
    with hp.conditional_scope("kind", "a"):
        hp.Float("lr", 1e-4, 1e-1, sampling="log")
    with hp.conditional_scope("kind", ["b", "c"]):
        hp.Int("units", 8, 64, step=8)
    if kind == "c":  # met only on this branch, as plain Python
        hp.Boolean("extra")
    hp.Fixed("optimizer", "adam")
    return hp


def drawn(seed: tuple[int, ...]) -> dict[str, object]:
    hp = HyperParameters()
    hp.draw_new_values(seed)
    return declare(hp).values


def test_the_same_seed_draws_the_same_values_the_trial_number_others():
    assert drawn((3, 5)) == drawn((3, 5))
    draws = [drawn((3, number)) for number in range(40)]
    assert len({d["kind"] for d in draws}) == 3
    lrs = [d["lr"] for d in draws if "lr" in d]
    units = [d["units"] for d in draws if "units" in d]
    assert len(set(lrs)) == len(lrs) >= 5  # continuous: never twice
    assert len(set(units)) >= 4
    assert all(1e-4 <= lr <= 1e-1 for lr in lrs)
    assert all(u in range(8, 65, 8) for u in units)
    # On the log scale: about as many below 1e-2.5 as above (not crowded at the top).
    low = sum(lr < 10**-2.5 for lr in lrs)
    assert 0.2 < low / len(lrs) < 0.8
    assert drawn((4, 5)) != drawn((3, 5)) or drawn((4, 6)) != drawn((3, 6))


def test_only_the_active_branch_is_drawn_and_fixed_values_stay_fixed():
    for number in range(30):
        values = drawn((0, number))
        assert values["optimizer"] == "adam"
        assert ("lr" in values) == (values["kind"] == "a")
        assert ("units" in values) == (values["kind"] in ("b", "c"))
        assert ("extra" in values) == (values["kind"] == "c")


def test_a_value_depends_on_the_name_not_on_what_was_declared_before():
    alone = HyperParameters()
    alone.draw_new_values((1, 2))
    first = alone.Float("x", 0.0, 1.0)
    after_others = HyperParameters()
    after_others.draw_new_values((1, 2))
    after_others.Int("n", 1, 100)
    after_others.Choice("act", ["relu", "tanh"])
    assert after_others.Float("x", 0.0, 1.0) == first


def test_given_values_are_kept_and_no_seed_gives_defaults():
    hp = HyperParameters()
    hp.draw_new_values((0, 1))
    hp.values["units"] = 40
    assert hp.Int("units", 8, 64) == 40
    plain = declare(HyperParameters()).values
    assert plain == {"kind": "a", "lr": 1e-4, "optimizer": "adam"}
    hp.draw_new_values(None)
    assert hp.Float("later", 0.5, 1.0) == 0.5


def test_copies_keep_drawing_the_same_values():
    hp = HyperParameters()
    _ = hp.Choice("kind", ["a", "b", "c"])
    hp.draw_new_values((9, 9))
    assert declare(hp.copy()).values == drawn((9, 9))


class NoEncoding(HyperParameter):
    """A user's own type without an encoding: nothing to draw from."""

    @property
    def default(self) -> object:
        return "mine"


def test_a_type_without_an_encoding_gets_its_default():
    hp = HyperParameters()
    hp.draw_new_values((0, 0))
    assert hp._retrieve(NoEncoding("own")) == "mine"


@pytest.mark.parametrize(
    "definition",
    [Int("i", 1, 1000, sampling="log"), Float("f", -1.0, 1.0, step=0.25), Choice("c", [1, 2, 3])],
)
def test_drawn_values_are_valid_for_their_definition(definition):
    for number in range(20):
        hp = HyperParameters()
        hp.draw_new_values((5, number))
        value = hp._retrieve(definition)
        assert definition.is_valid(value), value
        assert not (isinstance(value, float) and math.isnan(value))
