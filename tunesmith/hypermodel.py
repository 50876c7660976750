"""HyperModel: how to build (and optionally fit) a model for given hyperparameters.

Nothing here imports Keras: a hypermodel may build any model (a scikit-learn
estimator for ``SklearnTuner``, anything for a ``BaseTuner`` subclass).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tunesmith.errors import InvalidArgumentError
from tunesmith.space import HyperParameters


class HyperModel:
    """Subclass and implement :meth:`build`; override :meth:`fit` to tune training too.

    ``fit`` receives the same ``hp`` as ``build``, so batch size, epochs or the
    optimizer can be hyperparameters as well.

    Example:
        >>> import keras
        >>> class MLP(HyperModel):
        ...     def build(self, hp):
        ...         model = keras.Sequential([keras.layers.Dense(hp.Int("units", 8, 64)),
        ...                                   keras.layers.Dense(1)])
        ...         model.compile(loss="mse")
        ...         return model
        ...     def fit(self, hp, model, *args, **kwargs):
        ...         return model.fit(*args, batch_size=hp.Choice("batch", [16, 32]), **kwargs)
    """

    def __init__(self, name: str | None = None, tunable: bool = True) -> None:
        self.name = name
        self.tunable = tunable
        self._wrap_build()

    def _wrap_build(self) -> None:
        # keras-tuner's arrangement, which its subclassers rely on: every call of
        # ``build`` goes through ``_build_wrapper`` (a subclass overrides it to open a
        # name scope around each build), and ``_build`` is the class's own build.
        self._build = self.build
        self.build = self._build_wrapper  # type: ignore[method-assign]

    def _build_wrapper(self, hp: HyperParameters, *args: Any, **kwargs: Any) -> Any:
        """What every ``build`` call runs: the subclass's ``build`` on ``hp``.

        With ``tunable=False`` the build gets a copy of ``hp``: the hyperparameters
        it declares take their defaults and never join the search space (a fixed
        sub-model inside a tuned one). Override it, calling ``super()``, to wrap
        every build (keras-tuner's hook).

        Example:
            >>> class Fixed(HyperModel):
            ...     def build(self, hp):
            ...         return hp.Int("units", 8, 64, default=16)
            >>> hp = HyperParameters()
            >>> Fixed(tunable=False).build(hp), "units" in hp
            (16, False)
        """
        if not self.tunable:
            hp = hp.copy()
        return self._build(hp, *args, **kwargs)

    def __getstate__(self) -> dict[str, Any]:
        # The bound methods of the wrapping refer to this object; they are made
        # again on unpickling (workers, deepcopy) rather than pickled.
        state = dict(self.__dict__)
        wrapped = "_build" in state
        state.pop("_build", None)
        state.pop("build", None)
        state["_build_wrapped"] = wrapped
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state = dict(state)
        wrapped = state.pop("_build_wrapped", False)
        self.__dict__.update(state)
        if wrapped:
            self._wrap_build()

    def build(self, hp: HyperParameters) -> Any:
        """Return a compiled ``keras.Model`` for the values in ``hp``."""
        raise NotImplementedError("A HyperModel subclass must implement build(hp).")

    def declare_hyperparameters(self, hp: HyperParameters) -> None:
        """Register hyperparameters up front (optional; build registers them anyway)."""

    def fit(self, hp: HyperParameters, model: Any, *args: Any, **kwargs: Any) -> Any:
        """Train ``model``; return its ``History``, or a score, or a dict of metrics."""
        return model.fit(*args, **kwargs)


class DefaultHyperModel(HyperModel):
    """Wraps a plain ``build_model(hp)`` function."""

    def __init__(self, build_fn: Callable[[HyperParameters], Any]) -> None:
        super().__init__(name=getattr(build_fn, "__name__", None))
        self._build_fn = build_fn

    def build(self, hp: HyperParameters) -> Any:
        return self._build_fn(hp)


def as_hypermodel(hypermodel: HyperModel | Callable[[HyperParameters], Any] | None) -> HyperModel:
    """Accept what keras-tuner accepts as ``hypermodel=``: a HyperModel or a build function."""
    if isinstance(hypermodel, HyperModel):
        return hypermodel
    if callable(hypermodel):
        return DefaultHyperModel(hypermodel)
    if hypermodel is None:
        raise InvalidArgumentError(
            "No hypermodel given. Received `hypermodel=None`; pass hypermodel=build_model "
            "(a function taking hp and returning the model to tune: a compiled keras.Model "
            "for the Keras tuners, an unfitted estimator for SklearnTuner), or a "
            "tunesmith.HyperModel, or subclass the tuner and override run_trial()."
        )
    raise InvalidArgumentError(
        "The `hypermodel` argument should be either a function build_model(hp) or a "
        f"tunesmith.HyperModel; got {type(hypermodel).__name__}."
    )


def get_hypermodel(
    hypermodel: HyperModel | Callable[[HyperParameters], Any] | None,
) -> HyperModel | None:
    """:func:`as_hypermodel`, except that ``None`` stays ``None``.

    keras-tuner's helper of that name: a tuner whose ``run_trial`` builds its own
    models needs no hypermodel, so a missing one is no error here.

    Example:
        >>> get_hypermodel(None) is None
        True
        >>> type(get_hypermodel(lambda hp: None)).__name__
        'DefaultHyperModel'
    """
    return None if hypermodel is None else as_hypermodel(hypermodel)
