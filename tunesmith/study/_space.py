"""The search space of a study as it grows: given definitions, stored ones, built ones."""

from __future__ import annotations

from tunesmith.errors import StudyMismatchError
from tunesmith.space import HyperParameter, HyperParameters


class GrowingSpace:
    """A study's hyperparameters, learnt from the user, the store and each build.

    Definitions given up front (``hyperparameters=``) win over the ones a build
    registers under the same name (keras-tuner's "tailor the search space"). A name
    a build registers is added unless ``allow_new_entries`` is False (an error), and
    with ``tune_new_entries=False`` it stays out, so every build gives it its
    default. A name known with another definition under the same conditions means
    the hypermodel changed since the study began, which would mix results.

    Example:
        >>> given = HyperParameters(); _ = given.Int("units", 8, 64)
        >>> space = GrowingSpace(given, allow_new_entries=True, tune_new_entries=True)
        >>> built = HyperParameters(); _ = built.Int("units", 1, 2); _ = built.Boolean("bn")
        >>> space.merge(built, from_store=False), [hp.name for hp in space.hyperparameters.space]
        (True, ['units', 'bn'])
    """

    def __init__(
        self,
        given: HyperParameters | None,
        *,
        allow_new_entries: bool,
        tune_new_entries: bool,
    ) -> None:
        if given is None and not (tune_new_entries and allow_new_entries):
            # As keras-tuner: without a given space nothing could ever be tuned.
            flag = "tune_new_entries" if not tune_new_entries else "allow_new_entries"
            raise ValueError(
                f"{flag}=False needs the search space given as hyperparameters=...: "
                "pass a HyperParameters with the definitions to tune, or leave "
                f"{flag}=True."
            )
        self.hyperparameters = given.copy() if given else HyperParameters()
        self.given_names = {hp.name for hp in self.hyperparameters.space}
        self.hyperparameters.override_definitions(self.given_names)
        self.allow_new_entries = allow_new_entries
        self.tune_new_entries = tune_new_entries

    def merge(self, incoming: HyperParameters, *, from_store: bool) -> bool:
        """Merge ``incoming``'s definitions; return whether the space grew."""
        known: dict[str, list[HyperParameter]] = {}
        for hp in self.hyperparameters.space:
            known.setdefault(hp.name, []).append(hp)
        added = []
        for hp in incoming.space:
            same_name = known.get(hp.name, [])
            if any(k.same_definition(hp) for k in same_name):
                continue
            if not from_store and hp.name in self.given_names:
                continue  # the given definition overrides the build's
            # One name may live in several conditional branches; a different
            # definition under the same conditions means the hypermodel changed.
            clash = [k for k in same_name if k.conditions == hp.conditions]
            if clash:
                raise StudyMismatchError(
                    f"The hyperparameter {hp.name!r} is defined as {hp.describe()} now, "
                    f"but the study has it as {clash[0].describe()}. The hypermodel "
                    "changed since the study began: to start afresh, pass `overwrite=True`, "
                    "or choose another project_name."
                )
            if not same_name and not from_store and not self.allow_new_entries:
                raise StudyMismatchError(
                    f"`allow_new_entries` is `False`, but the hypermodel registered "
                    f"{hp.name!r}, which is not in the given hyperparameters. Add it to "
                    "hyperparameters=..., or pass allow_new_entries=True."
                )
            added.append(hp)
        if not added:
            return False
        if not from_store and not self.tune_new_entries:
            # keras-tuner's rule: names the build adds stay out of the space, so every
            # trial's build gives them their defaults.
            return False
        self.hyperparameters.merge(added)
        return True

    def given(self) -> HyperParameters:
        """The definitions given as ``hyperparameters=``, for a build to start from.

        A build that registers one of these names again gets the given definition's
        value, whatever its own definition says.
        """
        given = HyperParameters()
        given.merge([hp for hp in self.hyperparameters.space if hp.name in self.given_names])
        given.override_definitions(self.given_names)
        return given
