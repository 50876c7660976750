"""Which hyperparameters mattered: permutation importance on a random-forest surrogate.

Example:
    >>> importance = hyperparameter_importance(results, hps, "max")  # doctest: +SKIP
    >>> fig = importance_plot(importance)                            # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from tunesmith.report._style import PALETTE, SMALL_FONT, check_direction, new_figure
from tunesmith.report.search_views import ValueScale, as_space, finished_trials, values_of
from tunesmith.space import Fixed, HyperParameter, HyperParameters

#: Fewer finished trials than this cannot support a surrogate model.
MIN_TRIALS = 4
#: Below this many trials the shares are shown rounded, with a caveat: a forest fit
#: on a handful of points ranks hyperparameters roughly at best.
FEW_TRIALS = 20
#: Where an inactive (conditional) hyperparameter sits in the surrogate's input:
#: outside the [0, 1] of active values, so one split separates it.
INACTIVE_CODE = -1.0
_TREES = 100
_REPEATS = 10


def hyperparameter_importance(
    results: pd.DataFrame,
    hyperparameters: HyperParameters | Sequence[HyperParameter],
    direction: str,
    seed: int = 0,
) -> pd.Series:
    """Each hyperparameter's share of the score's dependence on the hyperparameters.

    A scikit-learn ``RandomForestRegressor`` learns the score from the finished
    trials' hyperparameters, each encoded as one input on its own scale (numeric
    ones by their sampling scale, so log-sampled ones in log space; Choice and
    Boolean values by their slot, in the space's order; inactive values as -1, apart
    from every active value). ``sklearn.inspection.permutation_importance`` then
    shuffles one hyperparameter at a time and measures how much worse the forest
    predicts the scores (in-sample R², 10 shuffles): the more it relied on a
    hyperparameter, the larger the loss. Negative losses (noise) count as 0 and the
    losses are divided by their sum. Fixed and never-varying hyperparameters get 0.

    The direction does not change importance (it measures variation, not which way
    is better); it is checked so that every search view takes the same arguments.

    Args:
        results: ``Store.results_frame()``.
        hyperparameters: The search space.
        direction: ``"min"`` or ``"max"``.
        seed: Seed of the forest and the shuffles: the same seed, the same result.

    Returns:
        Shares summing to 1, indexed by hyperparameter name, largest first.

    Raises:
        ValueError: Fewer than 4 finished trials, or scores that do not vary.

    Example:
        >>> from tunesmith.space import Float
        >>> rng = np.random.default_rng(0)
        >>> results = pd.DataFrame({"status": "COMPLETED", "x": rng.random(20),
        ...                         "noise": rng.random(20)})
        >>> results["score"] = results["x"] ** 2
        >>> shares = hyperparameter_importance(
        ...     results, [Float("x", 0.0, 1.0), Float("noise", 0.0, 1.0)], "min")
        >>> shares.index[0], round(float(shares.sum()), 6)
        ('x', 1.0)
    """
    from sklearn.ensemble import RandomForestRegressor
    from sklearn.inspection import permutation_importance

    check_direction(direction)
    trials = finished_trials(results)
    space = as_space(hyperparameters)
    if not space:
        raise ValueError("The search space is empty; there is no hyperparameter to rank.")
    if len(trials) < MIN_TRIALS:
        raise ValueError(
            f"Hyperparameter importance needs at least {MIN_TRIALS} finished trials with a "
            f"score to fit its surrogate model; there are {len(trials)}. Run more trials."
        )
    scores = trials["score"].to_numpy(dtype="float64")
    if np.ptp(scores) == 0:
        raise ValueError(
            f"All {len(trials)} finished trials have the same score ({scores[0]:g}); no "
            "hyperparameter explains a difference, so importance is undefined."
        )
    shares = pd.Series(0.0, index=[hp.name for hp in space], dtype="float64")
    inputs = _surrogate_inputs(trials, space)
    varying = [name for name in inputs.columns if inputs[name].nunique() > 1]
    if varying:
        forest = RandomForestRegressor(n_estimators=_TREES, random_state=seed, n_jobs=1)
        x = inputs[varying].to_numpy()
        forest.fit(x, scores)
        permuted = permutation_importance(
            forest, x, scores, n_repeats=_REPEATS, random_state=seed, n_jobs=1
        )
        shares[varying] = np.clip(permuted.importances_mean, 0.0, None)
    total = shares.sum()
    if total <= 0:
        raise ValueError(
            "The surrogate model found no hyperparameter that changes the score (every "
            "permutation left its predictions as good); importance is undefined."
        )
    importance = (shares / total).sort_values(ascending=False, kind="stable")
    importance.attrs["trials"] = len(trials)  # how much to trust it (importance_plot)
    return importance


def few_trials_caveat(trials: int | None) -> str | None:
    """The warning shown beside shares fitted on fewer than ``FEW_TRIALS`` trials.

    The report's figure and the dashboard print it, so both warn at the same count.

    Example:
        >>> few_trials_caveat(4)
        'from only 4 trials: a rough guide'
        >>> few_trials_caveat(FEW_TRIALS) is None
        True
    """
    if trials is None or trials >= FEW_TRIALS:
        return None
    return f"from only {trials} trials: a rough guide"


def importance_plot(importance: pd.Series, title: str | None = None) -> Figure:
    """Horizontal bars of hyperparameter importance, largest on top, values written out.

    Example:
        >>> fig = importance_plot(pd.Series({"lr": 0.7, "units": 0.2, "dropout": 0.1}))
        >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
        ['lr', 'units', 'dropout']
    """
    if not isinstance(importance, pd.Series):
        raise TypeError(
            f"importance must be a pandas Series (from hyperparameter_importance), "
            f"got {type(importance).__name__}."
        )
    if importance.empty:
        raise ValueError("importance is empty; there is nothing to plot.")
    values = pd.to_numeric(importance, errors="coerce")
    if values.isna().any():
        raise ValueError("importance holds values that are not numbers; pass numeric shares.")
    values = values.sort_values(ascending=False, kind="stable")
    fig, axes = new_figure(panel_width=7.0, panel_height=max(2.5, 0.42 * len(values) + 1.2))
    ax = axes[0, 0]
    positions = np.arange(len(values))
    ax.barh(positions, values.to_numpy(), color=PALETTE[0], height=0.65)
    ax.set_yticks(positions, [str(name) for name in values.index])
    ax.invert_yaxis()  # the largest on top
    caveat = few_trials_caveat(importance.attrs.get("trials"))
    few = caveat is not None
    for position, value in zip(positions, values.to_numpy(), strict=True):
        # A handful of trials does not support a tenth of a percent.
        label = f" ~{value:.0%}" if few else f" {value:.1%}"
        ax.text(value, position, label, va="center", fontsize=SMALL_FONT)
    # Room on the right for the largest bar's label.
    ax.set_xlim(0, max(float(values.max()), 1e-9) * 1.18)
    ax.set_xlabel("share of importance (permutation importance on a random forest)")
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(title or "Hyperparameter importance")
    if caveat:
        ax.text(
            0.99,
            0.02,
            caveat,
            transform=ax.transAxes,
            ha="right",
            va="bottom",
            fontsize=SMALL_FONT,
            color="#b45309",
        )
    return fig


def _surrogate_inputs(trials: pd.DataFrame, space: list[HyperParameter]) -> pd.DataFrame:
    """One input column per non-Fixed hyperparameter, on its scale, inactive as -1."""
    columns = {}
    for hp in space:
        if isinstance(hp, Fixed):
            continue
        positions = ValueScale(hp).positions(values_of(trials, hp.name))
        columns[hp.name] = np.where(np.isnan(positions), INACTIVE_CODE, positions)
    return pd.DataFrame(columns, index=trials.index)
