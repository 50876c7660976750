"""The define-by-run container: :class:`HyperParameters`."""

from __future__ import annotations

import contextlib
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from tunesmith.errors import SearchSpaceError
from tunesmith.space import _choice, _numeric
from tunesmith.space._base import HyperParameter, check_name, fail
from tunesmith.space._conditions import (
    Condition,
    as_value_list,
    conditions_hold,
    mutually_exclusive,
)
from tunesmith.space._definitions_io import deserialize_definition, serialize_definition
from tunesmith.space._errors import (
    ConflictingDefinitionError,
    InactiveHyperParameterError,
    UnknownHyperParameterError,
)
from tunesmith.space._tuner_values import TUNER_PREFIX, is_tuner_value
from tunesmith.space._values import to_python


class HyperParameters:
    """A search space and one point in it, built while the model is being built.

    Each call such as ``hp.Int("units", 32, 512, step=32)`` registers the
    hyperparameter the first time and returns its current value: the value the
    search chose for this trial, or the default. Calling it again with the same
    arguments returns the same value, so one name can size several layers.
    Calling it with other arguments is an error: one name, one definition.

    ``hp.values`` is a plain dict of the active hyperparameters' values, read by
    every call, so setting ``hp.values["units"] = 64`` before building works.
    ``hp["units"]`` (or ``hp.get("units")``) reads a value; reading an inactive
    hyperparameter raises :class:`~tunesmith.space.InactiveHyperParameterError`, an
    unknown name :class:`~tunesmith.space.UnknownHyperParameterError`.

    Example:
        >>> hp = HyperParameters()
        >>> hp.Int("units", 32, 512, step=32)
        32
        >>> hp.values["units"] = 256
        >>> [hp.Int("units", 32, 512, step=32) for _ in range(3)]
        [256, 256, 256]
        >>> model_type = hp.Choice("model_type", ["mlp", "cnn"])
        >>> with hp.conditional_scope("model_type", "cnn"):
        ...     hp.Int("filters", 16, 64) is None  # inactive while model_type is "mlp"
        True
        >>> hp.values
        {'units': 256, 'model_type': 'mlp'}
    """

    # Set while a trial runs (draw_new_values): what seeds the values drawn for the
    # names it declares that were given none. A class default too, for containers
    # pickled before it existed.
    _draw_seed: tuple[int, ...] | None = None

    def __init__(self) -> None:
        #: The active hyperparameters' values, by full name, in registration order.
        self.values: dict[str, Any] = {}
        self._space: list[HyperParameter] = []
        self._hps: dict[str, list[HyperParameter]] = {}
        self._scopes: list[str] = []
        self._conditions: list[Condition] = []
        # Names whose registered definition wins over a different one registered
        # later (hyperparameters given to a tuner, keras-tuner's "tailor the search
        # space"): the later call gets the registered definition's value.
        self._overriding: frozenset[str] = frozenset()
        #: The condition lists of the conditional scopes entered in this container
        #: while they held (``active_scopes``) or did not (``inactive_scopes``), one
        #: entry per entry into a scope, outer conditions first (keras-tuner's
        #: attributes). A tuner builds again with values that open the scopes never
        #: seen active, so it learns every branch before the first trial. Copies
        #: start with both empty.
        self.active_scopes: list[list[Condition]] = []
        self.inactive_scopes: list[list[Condition]] = []
        self._draw_seed: tuple[int, ...] | None = None

    # ----------------------------------------------------------- definitions
    def Int(  # keras-tuner's capitalised API
        self,
        name: str,
        min_value: int,
        max_value: int,
        step: int | None = None,
        sampling: str | None = "linear",
        default: int | None = None,
        parent_name: str | None = None,
        parent_values: object = None,
    ) -> int | None:
        """An integer in [min_value, max_value]; see :class:`tunesmith.space.Int`.

        Example:
            >>> HyperParameters().Int("layers", 1, 4, default=2)
            2
        """
        definition = (name, min_value, max_value, step, sampling, default)
        value: int | None = self._define(_numeric.Int, definition, parent_name, parent_values)
        return value

    def Float(  # keras-tuner's capitalised API
        self,
        name: str,
        min_value: float,
        max_value: float,
        step: float | None = None,
        sampling: str | None = "linear",
        default: float | None = None,
        parent_name: str | None = None,
        parent_values: object = None,
    ) -> float | None:
        """A real number in [min_value, max_value]; see :class:`tunesmith.space.Float`.

        Example:
            >>> HyperParameters().Float("lr", 1e-4, 1e-2, sampling="log")
            0.0001
        """
        definition = (name, min_value, max_value, step, sampling, default)
        value: float | None = self._define(_numeric.Float, definition, parent_name, parent_values)
        return value

    def Choice(  # keras-tuner's capitalised API
        self,
        name: str,
        values: Iterable[object],
        ordered: bool | None = None,
        default: object = None,
        parent_name: str | None = None,
        parent_values: object = None,
    ) -> Any:
        """One of ``values``; see :class:`tunesmith.space.Choice`.

        Example:
            >>> HyperParameters().Choice("activation", ["relu", "tanh"])
            'relu'
        """
        definition = (name, values, ordered, default)
        return self._define(_choice.Choice, definition, parent_name, parent_values)

    def Boolean(  # keras-tuner's capitalised API
        self,
        name: str,
        default: bool = False,
        parent_name: str | None = None,
        parent_values: object = None,
    ) -> bool | None:
        """True or False; see :class:`tunesmith.space.Boolean`.

        Example:
            >>> HyperParameters().Boolean("batch_norm")
            False
        """
        value: bool | None = self._define(
            _choice.Boolean, (name, default), parent_name, parent_values
        )
        return value

    def Fixed(  # keras-tuner's capitalised API
        self,
        name: str,
        value: object,
        parent_name: str | None = None,
        parent_values: object = None,
    ) -> Any:
        """A value recorded with the trial but never searched; see :class:`tunesmith.space.Fixed`.

        Example:
            >>> HyperParameters().Fixed("optimizer", "adam")
            'adam'
        """
        return self._define(_choice.Fixed, (name, value), parent_name, parent_values)

    def _define(
        self,
        cls: Callable[..., HyperParameter],
        definition: tuple[object, ...],
        parent_name: str | None,
        parent_values: object,
    ) -> Any:
        """The one path behind hp.Int, hp.Float, hp.Choice, hp.Boolean and hp.Fixed:
        register ``cls(*definition)`` (name first, then its other arguments) under
        the full name and the conditions in force, and return its value."""
        name, *arguments = definition
        full_name = self._full_name(name)
        if is_tuner_value(full_name):
            raise fail(
                full_name,
                f"names under {TUNER_PREFIX!r} are the tuner's bookkeeping (tuner/epochs, "
                "tuner/round...), set by Hyperband and ASHA.",
                "Read them with hp.get(...), and give your hyperparameter another name.",
            )
        conditions = list(self._conditions)
        if parent_name is not None or parent_values is not None:
            if parent_name is None or parent_values is None:
                raise fail(
                    full_name,
                    "parent_name and parent_values must be given together.",
                    "Pass both (or use `with hp.conditional_scope(name, values):`).",
                )
            conditions.append(self._make_condition(parent_name, parent_values, full_name))
        return self._retrieve(cls(full_name, *arguments, conditions=conditions))

    # ------------------------------------------------------------------ scopes
    @contextlib.contextmanager
    def name_scope(self, name: str) -> Iterator[None]:
        """Prefix the names defined inside with ``name/`` (scopes nest).

        Example:
            >>> hp = HyperParameters()
            >>> with hp.name_scope("block1"):
            ...     _ = hp.Int("units", 8, 64)
            >>> list(hp.values)
            ['block1/units']
        """
        self._scopes.append(check_name(name))
        try:
            yield
        finally:
            self._scopes.pop()

    @contextlib.contextmanager
    def conditional_scope(self, parent_name: str, parent_values: object) -> Iterator[None]:
        """Make the hyperparameters defined inside active only when ``parent_name``
        has one of ``parent_values`` (a value or a list). Scopes nest: all must hold.

        The parent must already be registered. Inside a name scope, ``parent_name``
        is looked up in the scope first, then as a full name.

        Entering the scope is recorded in :attr:`active_scopes` or
        :attr:`inactive_scopes`, whether it holds for the current values.

        Example:
            >>> hp = HyperParameters()
            >>> _ = hp.Choice("model", ["mlp", "cnn"], default="cnn")
            >>> with hp.conditional_scope("model", "cnn"):
            ...     hp.Int("filters", 16, 64)
            16
            >>> with hp.conditional_scope("model", "mlp"):
            ...     hp.Int("units", 8, 64) is None
            True
            >>> hp.active_scopes, hp.inactive_scopes
            ([[Condition('model', ['cnn'])]], [[Condition('model', ['mlp'])]])
        """
        self._conditions.append(self._make_condition(parent_name, parent_values, None))
        entered = list(self._conditions)
        if conditions_hold(entered, self.active_values()):
            self.active_scopes.append(entered)
        else:
            self.inactive_scopes.append(entered)
        try:
            yield
        finally:
            self._conditions.pop()

    def _full_name(self, name: object) -> str:
        return "/".join([*self._scopes, check_name(name)])

    def _resolve(self, name: object) -> str | None:
        """The registered full name ``name`` refers to (scoped first), or None."""
        if not isinstance(name, str):
            return None
        scoped = "/".join([*self._scopes, name])
        if scoped in self._hps:
            return scoped
        return name if name in self._hps else None

    def _make_condition(
        self, parent_name: object, parent_values: object, child: str | None
    ) -> Condition:
        where = (
            f"Hyperparameter {child!r}: "
            if child is not None
            else f"conditional_scope({parent_name!r}, ...): "
        )
        full_parent = self._resolve(parent_name)
        if full_parent is None:
            raise SearchSpaceError(
                f"{where}the parent hyperparameter {parent_name!r} is not defined (no "
                "hyperparameter of that name is registered). Define the parent first (e.g. "
                f"hp.Choice({parent_name!r}, [...])), then the hyperparameters that depend on it."
            )
        parents = self._hps[full_parent]
        listed = as_value_list(parent_values)
        if not listed:
            raise SearchSpaceError(
                f"{where}parent_values is empty. Give the values of {full_parent!r} for "
                "which the hyperparameter is active."
            )
        accepted = []
        for value in listed:
            for parent in parents:
                candidate = parent.coerce(value)
                if parent.is_valid(candidate):
                    accepted.append(candidate)
                    break
            else:
                raise SearchSpaceError(
                    f"{where}parent_values contain {value!r}, which {full_parent!r} cannot "
                    f"take (its values: {parents[0]._span()}). Use values of the parent."
                )
        return Condition(full_parent, accepted)

    # ------------------------------------------------------------ registration
    def _register(
        self, hp: HyperParameter, on_conflict: str = "raise"
    ) -> tuple[HyperParameter, str]:
        """Add ``hp`` unless an identical definition exists.

        Returns the registered definition and what happened: ``"existing"``,
        ``"added"`` or ``"replaced"``. ``on_conflict`` says what to do when the
        name already has another definition under the same conditions:
        ``"raise"``, ``"keep"`` the old one, or ``"replace"`` it.
        """
        for condition in hp.conditions:
            if condition.name == hp.name:
                raise fail(
                    hp.name,
                    "a conditional hyperparameter cannot have the same name as its parent "
                    f"(the condition {condition!r} is on itself).",
                    "Give the child another name than its parent's.",
                )
            if condition.name not in self._hps:
                raise fail(
                    hp.name,
                    f"its condition refers to {condition.name!r}, which is not registered.",
                    "Register the parent hyperparameter first.",
                )
        existing = self._hps.get(hp.name, [])
        for old in existing:
            if old.conditions != hp.conditions:
                continue
            if old.same_definition(hp):
                return old, "existing"
            if on_conflict == "keep" or old.name in self._overriding:
                return old, "existing"
            if on_conflict == "replace":
                self._space[self._position(old)] = hp
                existing[existing.index(old)] = hp
                return hp, "replaced"
            raise self._conflict(old, hp)
        for old in existing:
            # Like keras-tuner, one name may be defined again under other conditions
            # (one definition per branch). Differing definitions are only safe when
            # the branches exclude each other; otherwise both could be active at once
            # with one shared value.
            if not old.same_definition(hp, with_conditions=False) and not mutually_exclusive(
                old.conditions, hp.conditions
            ):
                raise self._conflict(old, hp)
        self._space.append(hp)
        self._hps.setdefault(hp.name, []).append(hp)
        return hp, "added"

    @staticmethod
    def _conflict(old: HyperParameter, new: HyperParameter) -> ConflictingDefinitionError:
        branches = (
            " (a name may be redefined differently only under conditions that exclude each other)"
            if old.conditions != new.conditions
            else ""
        )
        return ConflictingDefinitionError(
            f"Hyperparameter {new.name!r} is already defined as {old!r}, and is now defined "
            f"as {new!r}{branches}. One name holds one definition: give the second one "
            f"another name (e.g. {new.name + '_2'!r}), or repeat the first definition exactly "
            "to reuse its value."
        )

    def _position(self, hp: HyperParameter) -> int:
        return next(i for i, registered in enumerate(self._space) if registered is hp)

    def _active_state(
        self, values: Mapping[str, Any] | None = None
    ) -> tuple[list[bool], dict[str, Any]]:
        """Which definitions are active, and the active values (current or default).

        Walked in registration order, parents before children, so a condition
        sees only active parents: a child of an inactive parent is inactive even
        if a stale value of the parent is left in ``values``.
        """
        values = self.values if values is None else values
        flags: list[bool] = []
        active: dict[str, Any] = {}
        for hp in self._space:
            on = conditions_hold(hp.conditions, active)
            flags.append(on)
            if on and hp.name not in active:
                active[hp.name] = values.get(hp.name, hp.default)
        return flags, active

    def _retrieve(self, hp: HyperParameter) -> Any:
        registered, _ = self._register(hp)
        flags, active = self._active_state()
        if not flags[self._position(registered)]:
            return None  # inactive: a value here would be one the model must not use
        if registered.name not in self.values:
            self.values[registered.name] = (
                active[registered.name] if self._draw_seed is None else self._draw(registered)
            )
        return self.values[registered.name]

    def _draw(self, hp: HyperParameter) -> Any:
        """``hp``'s value drawn from the seed and its name alone, so the same trial
        draws it again wherever and whenever it runs (a definition without an
        encoding gets its default)."""
        name_key = zlib.crc32(hp.name.encode("utf-8"))
        try:
            return hp.sample(np.random.default_rng([*(self._draw_seed or ()), name_key]))
        except NotImplementedError:
            return hp.default

    # ------------------------------------------------------------------ access
    @property
    def space(self) -> list[HyperParameter]:
        """The definitions, in registration order (a new list each time)."""
        return list(self._space)

    def get(self, name: str) -> Any:
        """The current value of ``name`` (its default when none is set); ``hp[name]``.

        Inside a name scope, ``name`` is looked up in the scope first, then as a full
        name. A value set in ``values`` before its definition (``tuner/epochs``...)
        is returned as it is.

        Raises:
            UnknownHyperParameterError: no hyperparameter of that name is registered
                or set (a ``KeyError``).
            InactiveHyperParameterError: it is registered, but its conditions do not
                hold for the current values (a ``ValueError``).

        Example:
            >>> hp = HyperParameters()
            >>> _ = hp.Boolean("bn", default=True)
            >>> hp.get("bn"), hp["bn"], "bn" in hp, "dropout" in hp
            (True, True, True, False)
        """
        full_name = self._resolve(name)
        if full_name is None:
            if isinstance(name, str) and name in self.values:
                return self.values[name]  # set ahead of its definition
            known = ", ".join(repr(n) for n in list(self._hps)[:20]) or "none"
            raise UnknownHyperParameterError(
                f"Hyperparameter {name!r} does not exist (registered: {known}). Check the "
                "spelling, or define it first with hp.Int/Float/Choice/Boolean/Fixed."
            )
        active = self._active_state()[1]
        if full_name not in active:
            when = " or ".join(
                " and ".join(f"{c.name} in {c.values!r}" for c in hp.conditions) or "always"
                for hp in self._hps[full_name]
            )
            raise InactiveHyperParameterError(
                f"Hyperparameter {full_name!r} is currently inactive: it is active when "
                f"{when}, which the current values do not satisfy, so it has no value. Read "
                "it only in the branch where it is active (hp.is_active(name) tells)."
            )
        return active[full_name]

    def __getitem__(self, name: str) -> Any:
        return self.get(name)

    def __contains__(self, name: object) -> bool:
        """Whether ``hp[name]`` has a value: registered and active, or set in ``values``."""
        try:
            self.get(name)  # type: ignore[arg-type]
        except (KeyError, ValueError):
            return False
        return True

    def is_active(self, hyperparameter: HyperParameter | str) -> bool:
        """Whether a definition (or the hyperparameter of that name) is active for
        the current values."""
        flags, active = self._active_state()
        if isinstance(hyperparameter, HyperParameter):
            for flag, hp in zip(flags, self._space, strict=True):
                if hp is hyperparameter:
                    return flag
            return conditions_hold(hyperparameter.conditions, active)
        full_name = self._resolve(hyperparameter)
        return full_name is not None and full_name in active

    def active_values(self) -> dict[str, Any]:
        """Every active hyperparameter's value (current, else default), in registration
        order; inactive and unregistered names left out. ``values`` is not changed."""
        return self._active_state()[1]

    def ensure_active_values(self) -> None:
        """Make ``values`` hold exactly :meth:`active_values` (in place, as keras-tuner),
        plus the tuner's bookkeeping values (``tuner/epochs``...).

        Inactive values are removed; an active hyperparameter without a value gets its
        default (keras-tuner draws one with ``random_sample()``: a default keeps the
        result reproducible, and samplers choose values themselves).

        Example:
            >>> hp = HyperParameters()
            >>> _ = hp.Choice("model", ["mlp", "cnn"])
            >>> with hp.conditional_scope("model", "cnn"):
            ...     _ = hp.Int("filters", 16, 64)
            >>> hp.values.update({"model": "cnn", "stale": 1})
            >>> hp.ensure_active_values(); hp.values
            {'model': 'cnn', 'filters': 16}
        """
        active = self.active_values()
        active.update({k: v for k, v in self.values.items() if is_tuner_value(k)})
        self.values.clear()
        self.values.update(active)

    def draw_new_values(self, seed: Sequence[int] | None) -> None:
        """From now on, draw a random value for a hyperparameter that has none when it
        is declared, instead of giving it its default; ``None`` turns this off.

        A study sets this on each trial it hands out whose sampler draws at random
        (:attr:`tunesmith.study.Study.samples_new_names`): a define-by-run function
        declares names the study's space does not know yet (the whole space in the
        first trials, a conditional branch met for the first time), and each trial
        running at once then tries its own values rather than all the defaults.
        Each value is uniform on its definition's encoding, seeded by ``seed`` (the
        study's seed and the trial's number) and the name alone, so a retried or
        resumed trial draws the same values, in any process. Copies keep the setting.

        Example:
            >>> hp = HyperParameters()
            >>> hp.draw_new_values((0, 7))
            >>> lr = hp.Float("lr", 1e-4, 1e-1, sampling="log")
            >>> again = HyperParameters(); again.draw_new_values((0, 7))
            >>> again.Float("lr", 1e-4, 1e-1, sampling="log") == lr != 1e-4
            True
            >>> hp.values["units"] = 64  # a value already given is kept
            >>> hp.Int("units", 8, 128)
            64
        """
        self._draw_seed = None if seed is None else tuple(int(part) for part in seed)

    # --------------------------------------------------------------- copies
    def copy(self) -> HyperParameters:
        """An independent copy: definitions (immutable) are shared, values copied.
        Name and conditional scopes in progress are not carried over."""
        new = type(self)()
        new._space = list(self._space)
        new._hps = {name: list(hps) for name, hps in self._hps.items()}
        new.values = dict(self.values)
        new._overriding = self._overriding
        new._draw_seed = self._draw_seed
        return new

    def override_definitions(self, names: Iterable[str]) -> None:
        """Let the registered definitions of ``names`` win over later, different ones.

        A build that registers one of these names with another definition gets the
        registered definition's value instead of an error: how a tuner's
        ``hyperparameters=`` tailors a hypermodel's space. Copies keep the setting.

        Example:
            >>> hp = HyperParameters()
            >>> _ = hp.Choice("lr", [0.01])
            >>> hp.override_definitions(["lr"])
            >>> hp.Float("lr", 1e-4, 1e-1)
            0.01
        """
        self._overriding = self._overriding | frozenset(names)

    def with_values(self, values: Mapping[str, Any]) -> HyperParameters:
        """A copy whose values are ``values`` for the active hyperparameters, the default
        for every other active one; inactive and unregistered names are left out, except
        the tuner's bookkeeping values (``tuner/epochs``...), which are kept, last.

        Raises :class:`SearchSpaceError` when a given value is not valid for its
        (active) hyperparameter.

        Example:
            >>> hp = HyperParameters()
            >>> _ = hp.Choice("model", ["mlp", "cnn"])
            >>> with hp.conditional_scope("model", "cnn"):
            ...     _ = hp.Int("filters", 16, 64)
            >>> hp.with_values({"model": "cnn"}).values
            {'model': 'cnn', 'filters': 16}
            >>> hp.with_values({"model": "mlp", "filters": 32}).values
            {'model': 'mlp'}
        """
        chosen: dict[str, Any] = {}
        for hp in self._space:
            if hp.name in chosen or not conditions_hold(hp.conditions, chosen):
                continue
            if hp.name in values:
                value = hp.coerce(values[hp.name])
                if not hp.is_valid(value):
                    raise fail(
                        hp.name,
                        f"the value {values[hp.name]!r} is not one of its values ({hp._span()}).",
                        "Pass a value inside its definition.",
                    )
            else:
                value = hp.default
            chosen[hp.name] = value
        chosen.update({k: to_python(v) for k, v in values.items() if is_tuner_value(k)})
        new = self.copy()
        new.values = chosen
        return new

    def merge(
        self, hps: HyperParameters | Iterable[HyperParameter], overwrite: bool = True
    ) -> None:
        """Add the definitions of ``hps`` (a container, or a list of definitions or
        their configs), in their order. Values of ``hps`` are not copied.

        With ``overwrite`` (the default, as in keras-tuner) the incoming definitions
        win: one registered under the same name and conditions is replaced in place,
        and every merged hyperparameter that is active takes its (new) default value.
        With ``overwrite=False`` registered definitions and their values are kept,
        and only new active definitions get their default value.

        Example:
            >>> hp = HyperParameters()
            >>> _ = hp.Int("units", 8, 64)
            >>> other = HyperParameters()
            >>> _ = other.Fixed("units", 32); _ = other.Boolean("bn")
            >>> hp.merge(other, overwrite=False); hp.values
            {'units': 8, 'bn': False}
            >>> hp.merge(other); hp.values
            {'units': 32, 'bn': False}
        """
        incoming = hps.space if isinstance(hps, HyperParameters) else list(hps)
        for item in incoming:
            hp, status = self._register(
                deserialize_definition(item), on_conflict="replace" if overwrite else "keep"
            )
            if not self.is_active(hp):
                continue
            if overwrite or (status == "added" and hp.name not in self.values):
                self.values[hp.name] = hp.default

    # ---------------------------------------------------------------- config
    def __eq__(self, other: object) -> bool:
        """Equal when both hold the same definitions, in order, and the same values.

        Example:
            >>> a, b = HyperParameters(), HyperParameters()
            >>> _ = a.Int("units", 8, 64); _ = b.Int("units", 8, 64)
            >>> a == b, a == a.with_values({"units": 16})
            (True, False)
        """
        if not isinstance(other, HyperParameters):
            return NotImplemented
        return self.get_config() == other.get_config()

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value

    def get_config(self) -> dict[str, Any]:
        """``{"space": [{"class_name", "config"}, ...], "values": {...}}``, JSON-ready.

        Example:
            >>> hp = HyperParameters(); _ = hp.Boolean("bn")
            >>> HyperParameters.from_config(hp.get_config()).values
            {'bn': False}
        """
        return {
            "space": [serialize_definition(hp) for hp in self._space],
            "values": {name: to_python(value) for name, value in self.values.items()},
        }

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> HyperParameters:
        """The container :meth:`get_config` described (values restored as they were)."""
        hps = cls()
        for item in config.get("space", []):
            hps._register(deserialize_definition(item))
        hps.values = dict(config.get("values", {}))
        return hps

    def __repr__(self) -> str:
        return f"HyperParameters(values={self.values!r}, defined={len(self._space)})"
