"""Looking at the search: the score over trials, parallel coordinates, score per value.

``results`` is :meth:`tunesmith.store.Store.results_frame`: one row per trial with
``number``, ``status``, ``score``... then one column per hyperparameter (named
``hp:<name>`` when the name collides with a fixed column; None where the
hyperparameter was inactive). ``hyperparameters`` is the search space, a
:class:`tunesmith.space.HyperParameters` or a list of its hyperparameter objects
(``HyperParameters.from_config(study["space"])`` rebuilds it from the store).
``direction`` is the objective's, ``"min"`` or ``"max"``. The best trial, starred in
each view, is the one :func:`tunesmith.ranking.rank_records` ranks first; the report
passes it as ``best_trial_id`` (its ties are broken by metrics this frame lacks).

Example:
    >>> results = store.results_frame()                            # doctest: +SKIP
    >>> hps = HyperParameters.from_config(store.load_study()["space"])  # doctest: +SKIP
    >>> fig = parallel_coordinates(results, hps, "max", "val_accuracy")  # doctest: +SKIP
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from tunesmith.objective import Objective
from tunesmith.ranking import rank_records
from tunesmith.report._style import (
    HIGHLIGHT,
    MUTED,
    PALETTE,
    SCORE_CMAP,
    SMALL_FONT,
    TINY_FONT,
    check_direction,
    format_number,
    new_figure,
    panel_grid,
    require_columns,
    require_frame,
    rotate_long_labels,
)
from tunesmith.space import Boolean, Choice, Fixed, Float, HyperParameter, HyperParameters, Int

#: Trial statuses whose score can be compared (see ``TrialStatus.has_result``).
RESULT_STATUSES = ("COMPLETED", "STOPPED")
#: Where inactive (conditional) values sit on a parallel-coordinates axis, below 0..1.
INACTIVE_POSITION = -0.14
#: Fewer scores than this in a category get their points, not a box.
MIN_BOX_POINTS = 5


def objective_history(
    results: pd.DataFrame,
    objective_name: str,
    direction: str,
    *,
    best_trial_id: str | None = None,
) -> Figure:
    """Each trial's score by trial number, and the best score so far as a step line.

    Stopped trials (ended early by a pruner) are hollow; failed, invalid and
    infeasible (never trained) trials have no score and are marked with grey crosses
    along the bottom; a trial that broke a constraint (``feasible`` False) is a grey
    cross at its score, left out of the best so far. The best trial
    (``best_trial_id``, or the first ranked) is a star.

    Example:
        >>> results = pd.DataFrame({"number": [0, 1, 2], "score": [0.9, float("nan"), 0.95],
        ...                         "status": ["COMPLETED", "FAILED", "COMPLETED"]})
        >>> fig = objective_history(results, "val_accuracy", "max")
        >>> fig.axes[0].get_ylabel()
        'val_accuracy'
    """
    direction = check_direction(direction)
    require_frame(results, "The results frame")
    require_columns(results, ("number", "status", "score"), "The results frame")
    trials = results.sort_values("number")
    numbers = trials["number"].to_numpy(dtype="float64")
    scores = trials["score"].to_numpy(dtype="float64")
    status = trials["status"].astype(str).to_numpy()
    scored = np.isin(status, RESULT_STATUSES) & np.isfinite(scores)
    # A trial that broke a constraint is not ranked: shown apart, not in the best so far.
    broke = scored & _infeasible(trials)
    scored &= ~broke
    stopped = scored & (status == "STOPPED")
    fig, axes = new_figure(panel_width=8.0, panel_height=4.2)
    ax = axes[0, 0]
    if broke.any():
        ax.scatter(
            numbers[broke],
            scores[broke],
            s=26,
            marker="x",
            color=MUTED,
            label=f"breaks a constraint ({broke.sum()})",
        )
    ax.scatter(
        numbers[scored & ~stopped], scores[scored & ~stopped], s=22, color=PALETTE[0], label="trial"
    )
    if stopped.any():
        ax.scatter(
            numbers[stopped],
            scores[stopped],
            s=22,
            facecolors="none",
            edgecolors=PALETTE[0],
            label="stopped early",
        )
    if scored.any():
        running_best = _running_best(np.where(scored, scores, np.nan), direction)
        ax.step(
            numbers, running_best, where="post", color=PALETTE[1], linewidth=2, label="best so far"
        )
        best = _best_position(trials, objective_name, direction, best_trial_id)
        ax.scatter(
            numbers[best],
            scores[best],
            s=160,
            marker="*",
            color=HIGHLIGHT,
            zorder=3,
            label=f"best: {format_number(scores[best])} (trial #{int(numbers[best])})",
        )
    # No score to place them by: crosses at the bottom edge, in axes coordinates.
    for name, mask in (
        ("failed", status == "FAILED"),
        ("invalid", (status == "INVALID") | (np.isin(status, RESULT_STATUSES) & ~scored & ~broke)),
        ("infeasible, never trained", status == "INFEASIBLE"),
    ):
        if mask.any():
            ax.scatter(
                numbers[mask],
                np.full(mask.sum(), 0.03),
                transform=ax.get_xaxis_transform(),
                marker="x",
                color=MUTED,
                label=f"{name} ({mask.sum()})",
            )
    ax.set_xlabel("trial number")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel(objective_name)
    ax.grid(alpha=0.3)
    fig.legend(loc="outside right upper", fontsize=SMALL_FONT, frameon=False)
    running = int((status == "RUNNING").sum())
    note = f"; {running} running, not shown" if running else ""
    ax.set_title(f"{objective_name} per trial ({_better(direction)}){note}")
    return fig


def parallel_coordinates(
    results: pd.DataFrame,
    hyperparameters: HyperParameters | Sequence[HyperParameter],
    direction: str,
    objective_name: str = "score",
    *,
    best_trial_id: str | None = None,
) -> Figure:
    """One vertical axis per hyperparameter plus the score; one line per finished trial.

    Lines are coloured by score, brighter for better (for ``direction="min"`` the
    lowest score is brightest), the best trial drawn on top in red. Numeric axes
    follow the sampling scale (log-sampled ones are spaced in log space but
    labelled with real values); categorical axes label their values; trials in
    which a conditional hyperparameter was inactive meet its axis at "inactive",
    below the range. Fixed hyperparameters have no axis.

    Example:
        >>> from tunesmith.space import Float, Choice
        >>> hps = [Float("lr", 1e-4, 1e-1, sampling="log"), Choice("act", ["relu", "tanh"])]
        >>> results = pd.DataFrame({"number": [0, 1], "status": "COMPLETED",
        ...     "score": [0.8, 0.9], "lr": [1e-3, 1e-2], "act": ["relu", "tanh"]})
        >>> ax = parallel_coordinates(results, hps, "max").axes[0]
        >>> [t.get_text() for t in ax.get_xticklabels()]
        ['lr', 'act', 'score']
    """
    direction = check_direction(direction)
    trials = finished_trials(results)
    scales = [ValueScale(hp) for hp in searched(hyperparameters)]
    scores = trials["score"].to_numpy(dtype="float64")
    low, high = float(scores.min()), float(scores.max())
    score_norm = Normalize(low, high) if high > low else Normalize(low - 0.5, high + 0.5)
    columns = [scale.positions(values_of(trials, scale.name)) for scale in scales]
    inactive = [np.isnan(c) for c in columns]
    columns = [
        np.where(gap, INACTIVE_POSITION, c) for c, gap in zip(columns, inactive, strict=True)
    ]
    columns.append(score_norm(scores).filled(0.5))
    y = np.column_stack(columns)
    x = np.arange(y.shape[1], dtype="float64")

    # Worst first, so that the best lines are drawn over the others.
    order = np.argsort(scores) if direction == "max" else np.argsort(-scores)
    cmap = colormaps[SCORE_CMAP] if direction == "max" else colormaps[SCORE_CMAP].reversed()
    fig, axes = new_figure(panel_width=max(6.0, 1.5 * len(x) + 2.0), panel_height=4.8)
    ax = axes[0, 0]
    lines = LineCollection(
        [np.column_stack([x, y[i]]) for i in order],
        array=scores[order],
        cmap=cmap,
        norm=score_norm,
        linewidths=1.2,
        alpha=0.75,
    )
    ax.add_collection(lines)
    best = _best_position(trials, objective_name, direction, best_trial_id)
    ax.plot(x, y[best], color=HIGHLIGHT, linewidth=2.4, label=_best_label(trials, best))
    for position, scale, gap in zip(x[:-1], scales, inactive, strict=True):
        _draw_axis(ax, position, *scale.ticks(), show_inactive=bool(gap.any()))
    score_ticks = np.linspace(low, high, 5) if high > low else np.array([low])
    score_labels = [format_number(v) for v in score_ticks]
    # The score's labels go on the right, where no line comes in to cover them.
    _draw_axis(ax, x[-1], score_norm(score_ticks).filled(0.5), score_labels, False, right=True)
    ax.set_xticks(x, [s.name for s in scales] + [objective_name])
    rotate_long_labels(ax, longest=14)
    ax.set_xlim(-0.45, x[-1] + 0.4)
    ax.set_ylim(INACTIVE_POSITION - 0.08, 1.05)
    ax.set_yticks([])
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    colorbar = fig.colorbar(lines, ax=ax, pad=0.01)
    colorbar.set_label(f"{objective_name} ({_better(direction)})")
    ax.legend(loc="upper left", bbox_to_anchor=(0.0, 1.12), fontsize=SMALL_FONT, frameon=False)
    ax.set_title(f"Hyperparameters of {len(trials)} finished trials", pad=22)
    return fig


def hyperparameter_scores(
    results: pd.DataFrame,
    hyperparameters: HyperParameters | Sequence[HyperParameter],
    direction: str,
    objective_name: str = "score",
    *,
    best_trial_id: str | None = None,
) -> Figure:
    """One panel per hyperparameter: the score of each finished trial against its value.

    Numeric hyperparameters are scatter plots (log x-axis when log-sampled);
    categorical ones a box per value with the trials as jittered points. The best
    trial is a red star. Trials where the hyperparameter was inactive are counted
    in the panel's title. Fixed hyperparameters have no panel.

    Example:
        >>> from tunesmith.space import Int
        >>> results = pd.DataFrame({"number": [0, 1, 2], "status": "COMPLETED",
        ...     "score": [0.8, 0.9, 0.85], "units": [32, 64, 128]})
        >>> fig = hyperparameter_scores(results, [Int("units", 32, 256)], "max")
        >>> fig.axes[0].get_title()
        'units'
    """
    direction = check_direction(direction)
    trials = finished_trials(results)
    scales = [ValueScale(hp) for hp in searched(hyperparameters)]
    scores = trials["score"].to_numpy(dtype="float64")
    best = _best_position(trials, objective_name, direction, best_trial_id)
    fig, axes = panel_grid(len(scales), max_columns=4, panel_width=3.6, panel_height=3.0)
    for index, (ax, scale) in enumerate(zip(axes, scales, strict=True)):
        values = values_of(trials, scale.name)
        positions = scale.positions(values)
        active = ~np.isnan(positions)
        if scale.is_numeric:
            _numeric_panel(ax, scale, pd.to_numeric(values, errors="coerce"), scores, active, best)
        else:
            _categorical_panel(ax, scale, positions, scores, active, best)
        skipped = int((~active).sum())
        ax.set_title(scale.name + (f" ({skipped} inactive)" if skipped else ""), fontsize=10)
        ax.set_xlabel(scale.name, fontsize=SMALL_FONT)
        if index % 4 == 0:
            ax.set_ylabel(objective_name)
        ax.tick_params(labelsize=TINY_FONT + 1)
        ax.grid(alpha=0.3)
    fig.suptitle(
        f"{objective_name} against each hyperparameter "
        f"({len(trials)} finished trials; {_better(direction)}; red star: best)"
    )
    return fig


# --------------------------------------------------------------- the results
def finished_trials(results: pd.DataFrame) -> pd.DataFrame:
    """The trials with a comparable score: COMPLETED or STOPPED, score finite.

    Example:
        >>> frame = pd.DataFrame({"status": ["COMPLETED", "FAILED"], "score": [0.5, None]})
        >>> len(finished_trials(frame))
        1
    """
    require_frame(results, "The results frame")
    require_columns(results, ("status", "score"), "The results frame (from Store.results_frame())")
    scores = pd.to_numeric(results["score"], errors="coerce").to_numpy(dtype="float64")
    keep = results["status"].astype(str).isin(RESULT_STATUSES).to_numpy() & np.isfinite(scores)
    if not keep.any():
        raise ValueError(
            f"None of the {len(results)} trials finished with a score (status COMPLETED or "
            "STOPPED and a finite score); run the search longer or check why trials fail."
        )
    return results.loc[keep].reset_index(drop=True)


def values_of(results: pd.DataFrame, name: str) -> pd.Series:
    """A hyperparameter's column: ``hp:<name>`` when the store had to prefix it, else
    ``name``; all None when no trial had it active (the store then writes no column)."""
    for column in (f"hp:{name}", name):
        if column in results.columns:
            return results[column]
    return pd.Series([None] * len(results), index=results.index, dtype=object)


def searched(
    hyperparameters: HyperParameters | Sequence[HyperParameter],
) -> list[HyperParameter]:
    """The hyperparameters that vary (Fixed ones left out), or a ValueError when none do."""
    space = as_space(hyperparameters)
    varying = [hp for hp in space if not isinstance(hp, Fixed)]
    if not varying:
        raise ValueError(
            "The search space has no hyperparameter that varies (none, or only Fixed ones); "
            "there is nothing to plot."
        )
    return varying


def as_space(hyperparameters: HyperParameters | Sequence[HyperParameter]) -> list[HyperParameter]:
    """The hyperparameter objects of a :class:`HyperParameters` or of a list of them."""
    if isinstance(hyperparameters, HyperParameters):
        return hyperparameters.space
    if isinstance(hyperparameters, (str, bytes)) or not isinstance(hyperparameters, Sequence):
        raise TypeError(
            "hyperparameters must be a HyperParameters or a list of hyperparameter objects "
            "(HyperParameters.from_config(study['space']) rebuilds the space from the store)."
        )
    odd = [h for h in hyperparameters if not isinstance(h, HyperParameter)]
    if odd:
        raise TypeError(
            f"hyperparameters holds {type(odd[0]).__name__} objects; pass tunesmith.space "
            "hyperparameters (Int, Float, Choice, Boolean, Fixed)."
        )
    return list(hyperparameters)


@dataclass(frozen=True)
class ValueScale:
    """Where a hyperparameter's values sit on a [0, 1] axis.

    Int and Float follow their sampling scale between ``min_value`` and
    ``max_value`` (so log-sampled ones are spaced by orders of magnitude); Choice,
    Boolean and Fixed put each value at the centre of its own slot, in the order
    the space lists them (numbers ascending). Inactive or unknown values are NaN.

    Example:
        >>> scale = ValueScale(Float("lr", 1e-4, 1e-2, sampling="log"))
        >>> scale.positions(pd.Series([1e-4, 1e-3, None])).round(2).tolist()
        [0.0, 0.5, nan]
    """

    hyperparameter: HyperParameter

    @property
    def name(self) -> str:
        return self.hyperparameter.name

    @property
    def is_numeric(self) -> bool:
        return isinstance(self.hyperparameter, (Int, Float))

    @property
    def is_log(self) -> bool:
        hp = self.hyperparameter
        return isinstance(hp, (Int, Float)) and hp.sampling == "log"

    def _numeric(self) -> Int | Float:
        """The hyperparameter of a numeric scale (:attr:`is_numeric`)."""
        hp = self.hyperparameter
        assert isinstance(hp, (Int, Float)), "not a numeric scale"
        return hp

    @property
    def categories(self) -> list[Any]:
        """The values of a non-numeric hyperparameter, in slot order."""
        hp = self.hyperparameter
        if isinstance(hp, Choice):
            numbers = all(
                isinstance(v, (int, float)) and not isinstance(v, bool) for v in hp.values
            )
            # Numbers are ordered: smallest at the bottom (or left), whatever the order
            # the space lists them in (a learning rate's [0.01, 0.001, 0.0001]).
            return sorted(hp.values) if numbers else hp.values
        if isinstance(hp, Boolean):
            return [False, True]
        if isinstance(hp, Fixed):
            return [hp.value]
        return []

    def positions(self, values: pd.Series) -> np.ndarray:
        if self.is_numeric:
            return self._numeric_positions(pd.to_numeric(values, errors="coerce"))
        return np.array([self._slot_position(v) for v in values], dtype="float64")

    def ticks(self) -> tuple[np.ndarray, list[str]]:
        """Tick positions and their labels (real values) for an axis of this scale."""
        if not self.is_numeric:
            categories = self.categories
            n = len(categories)
            return (np.arange(n) + 0.5) / n, [format_number(v) for v in categories]
        hp = self._numeric()
        lo, hi = float(hp.min_value), float(hp.max_value)
        decades = _decades(lo, hi) if self.is_log else []
        if len(decades) >= 2:
            points = np.array(sorted({lo, *decades, hi}))
        elif hp.sampling == "linear":
            locator = MaxNLocator(nbins=5, integer=isinstance(hp, Int))
            ticks = np.asarray(locator.tick_values(lo, hi))
            points = ticks[(ticks >= lo - 1e-12) & (ticks <= hi + 1e-12)]
        else:
            # Under a log scale less than two decades wide: evenly spaced on the scale.
            unit = np.linspace(0.0, 1.0, 5)
            points = np.array([hp.from_unit(u) for u in unit], dtype="float64")
        return self._numeric_positions(pd.Series(points)), [format_number(p) for p in points]

    def _numeric_positions(self, numbers: pd.Series) -> np.ndarray:
        hp = self._numeric()
        x = numbers.to_numpy(dtype="float64")
        lo, hi = float(hp.min_value), float(hp.max_value)
        if hi <= lo:
            return np.where(np.isfinite(x), 0.5, np.nan)
        with np.errstate(invalid="ignore", divide="ignore"):
            if hp.sampling == "linear":
                unit = (x - lo) / (hi - lo)
            elif hp.sampling == "log":
                unit = np.log(x / lo) / math.log(hi / lo)
            else:  # reverse_log: log mirrored inside the range
                unit = 1.0 - np.log((lo + hi - x) / lo) / math.log(hi / lo)
        return np.clip(unit, 0.0, 1.0)

    def _slot_position(self, value: Any) -> float:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return math.nan
        categories = self.categories
        hp = self.hyperparameter
        value = hp.coerce(value)
        for index, category in enumerate(categories):
            # type() keeps True apart from 1, as the space does.
            if type(category) is type(value) and category == value:
                return (index + 0.5) / len(categories)
        if isinstance(value, float):
            # A float that went through JSON or arithmetic may differ in the last bits.
            for index, category in enumerate(categories):
                if isinstance(category, float) and math.isclose(category, value):
                    return (index + 0.5) / len(categories)
        return math.nan  # a value the space does not list: shown as not active


# --------------------------------------------------------------- drawing
def _draw_axis(
    ax: Axes,
    x: float,
    positions: np.ndarray,
    labels: list[str],
    show_inactive: bool,
    right: bool = False,
) -> None:
    """A vertical parallel-coordinates axis at ``x`` with its tick labels on the left
    (or on the ``right``)."""
    sign = 1.0 if right else -1.0
    bottom = INACTIVE_POSITION if show_inactive else 0.0
    ax.plot([x, x], [bottom, 1.0], color="black", linewidth=1.0, zorder=4)
    if show_inactive:
        # A gap in the axis line separates the inactive point from the range.
        ax.plot([x, x], [INACTIVE_POSITION + 0.03, -0.03], color="white", linewidth=2, zorder=4)
        positions = np.append(positions, INACTIVE_POSITION)
        labels = [*labels, "inactive"]
    for position, label in zip(positions, labels, strict=True):
        ax.plot([x + sign * 0.02, x], [position, position], color="black", linewidth=1, zorder=4)
        ax.text(
            x + sign * 0.035,
            position,
            label,
            ha="left" if right else "right",
            va="center",
            fontsize=SMALL_FONT,
            style="italic" if label == "inactive" else "normal",
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.7, "pad": 0.5},
            zorder=5,
        )


def _numeric_panel(
    ax: Axes,
    scale: ValueScale,
    values: pd.Series,
    scores: np.ndarray,
    active: np.ndarray,
    best: int,
) -> None:
    x = values.to_numpy(dtype="float64")
    ax.scatter(x[active], scores[active], s=18, alpha=0.7, color=PALETTE[0])
    if active[best]:
        ax.scatter(x[best], scores[best], s=150, marker="*", color=HIGHLIGHT, zorder=3)
    if scale.is_log:
        ax.set_xscale("log")
    elif isinstance(scale.hyperparameter, Int):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # no "2.5 layers"


def _categorical_panel(
    ax: Axes,
    scale: ValueScale,
    positions: np.ndarray,
    scores: np.ndarray,
    active: np.ndarray,
    best: int,
) -> None:
    categories = scale.categories
    slots = np.full(len(positions), -1)
    slots[active] = np.floor(positions[active] * len(categories)).astype(int)
    groups = [(i, scores[slots == i]) for i in range(len(categories))]
    # A box summarises several points; of one or two it would only mislead.
    tried = [(i, group) for i, group in groups if group.size >= MIN_BOX_POINTS]
    if tried:
        ax.boxplot(
            [group for _, group in tried],
            positions=[i for i, _ in tried],
            widths=0.5,
            showfliers=False,
            medianprops={"color": PALETTE[1]},
        )
    # Fixed seed: the same report twice shows the same jitter.
    jitter = np.random.default_rng(0).uniform(-0.15, 0.15, len(scores))
    ax.scatter(
        slots[active] + jitter[active], scores[active], s=14, alpha=0.6, color=PALETTE[0], zorder=2
    )
    if active[best]:
        ax.scatter(slots[best], scores[best], s=150, marker="*", color=HIGHLIGHT, zorder=3)
    ax.set_xticks(range(len(categories)), [format_number(c) for c in categories])
    ax.set_xlim(-0.6, len(categories) - 0.4)
    rotate_long_labels(ax, longest=6)


# --------------------------------------------------------------- helpers
def _decades(lo: float, hi: float) -> list[float]:
    """The powers of ten in [lo, hi]: the natural ticks of a log axis."""
    first, last = math.ceil(math.log10(lo) - 1e-9), math.floor(math.log10(hi) + 1e-9)
    return [10.0**k for k in range(first, last + 1)]


def _infeasible(results: pd.DataFrame) -> np.ndarray:
    """Which trials broke a constraint (the frame's ``feasible`` column, when it has one)."""
    if "feasible" not in results.columns:
        return np.zeros(len(results), dtype=bool)
    return ~results["feasible"].astype("boolean").fillna(True).to_numpy(dtype=bool)


def _running_best(scores: np.ndarray, direction: str) -> np.ndarray:
    """The best score up to each trial (NaN before the first score); NaNs are skipped."""
    accumulate = np.fmax.accumulate if direction == "max" else np.fmin.accumulate
    return accumulate(scores)


def _best_position(
    trials: pd.DataFrame, objective_name: str, direction: str, best_trial_id: str | None
) -> int:
    """Where in ``trials`` the best trial is: ``best_trial_id`` when given and there,
    else the first :func:`~tunesmith.ranking.rank_records` ranks among these rows."""
    if best_trial_id is not None and "trial_id" in trials.columns:
        matches = np.flatnonzero(trials["trial_id"].astype(str).to_numpy() == str(best_trial_id))
        if matches.size:
            return int(matches[0])
    numbers = trials["number"] if "number" in trials.columns else range(len(trials))
    records = [
        {"position": position, "number": number, "status": status, "score": score}
        for position, (number, status, score) in enumerate(
            zip(numbers, trials["status"].astype(str), trials["score"], strict=True)
        )
    ]
    ranked = rank_records(records, Objective(objective_name, direction))
    return ranked[0]["position"] if ranked else 0


def _best_label(trials: pd.DataFrame, index: int) -> str:
    score = format_number(trials["score"].iloc[index])
    if "number" in trials.columns:
        return f"best: trial #{int(trials['number'].iloc[index])} ({score})"
    return f"best ({score})"


def _better(direction: str) -> str:
    return "higher is better" if direction == "max" else "lower is better"
