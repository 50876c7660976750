"""Helpers shared by the store tests (a module name no other test folder uses)."""

from __future__ import annotations

import copy
from typing import Any

from tunesmith.trial import Trial


class StandInHyperParameters:
    """The part of ``tunesmith.space.HyperParameters`` the store relies on.

    Its config holds the space only, not the values, so the tests also prove the
    store keeps a trial's values itself.
    """

    def __init__(self, space: list[dict[str, Any]] | None = None, values: dict | None = None):
        self.space = copy.deepcopy(space or [])
        self._values = dict(values or {})

    def get_config(self) -> dict[str, Any]:
        return {"space": copy.deepcopy(self.space)}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> StandInHyperParameters:
        return cls(config["space"])

    @property
    def values(self) -> dict[str, Any]:
        return dict(self._values)

    def with_values(self, values: dict[str, Any]) -> StandInHyperParameters:
        return StandInHyperParameters(self.space, values)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, StandInHyperParameters)
            and other.space == self.space
            and other._values == self._values
        )

    __hash__ = None  # type: ignore[assignment]


def make_hp(values: dict[str, Any], space: list[dict[str, Any]] | None = None):
    """A stand-in holding ``values``; by default its space lists exactly those names."""
    if space is None:
        space = [{"name": name, "class_name": "Fixed"} for name in values]
    return StandInHyperParameters(space, values)


def make_trial(number: int, values: dict[str, Any] | None = None, **fields: Any) -> Trial:
    fields.setdefault("trial_id", f"{number:04d}")
    return Trial(number=number, hyperparameters=make_hp(values or {"units": 8}), **fields)
