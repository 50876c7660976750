"""Learning curves from the store: every trial's, or the best trial's alone.

``curves`` is the wide frame of :meth:`tunesmith.store.Store.load_curves`: columns
``trial_id``, ``execution``, ``step``, then one float column per logged metric
(``loss``, ``val_loss``, ...; NaN where a metric was not logged at a step). A
metric and its ``val_`` partner share one panel: train solid, validation dashed.
Curves are smoothed as TensorBoard smooths them, with the raw curve faint behind.

Example:
    >>> fig = learning_curves(store.load_curves(), smoothing=0.6)  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator
from scipy.signal import lfilter

from tunesmith.report._style import (
    MUTED,
    PALETTE,
    SMALL_FONT,
    TINY_FONT,
    categorical_colors,
    panel_grid,
    require_columns,
    require_frame,
)

#: The columns of the curves frame that are not metrics.
INDEX_COLUMNS = ("trial_id", "execution", "step")
VALIDATION_PREFIX = "val_"
#: Up to this many trials each get a colour and a legend entry; with more, only
#: the first NAMED_WHEN_MANY do and the rest are drawn grey ("+N more").
MAX_LEGEND_TRIALS = 12
NAMED_WHEN_MANY = 10
#: How many interquartile ranges beyond the quartiles a value may lie before the
#: y axis stops following it (see _CurveTable.outlier_free_limits).
OUTLIER_FENCE = 6.0
#: Opacity of the raw curve drawn behind its smoothed version.
RAW_ALPHA = 0.25


def smooth(values: Sequence[float] | np.ndarray, weight: float = 0.6) -> np.ndarray:
    """TensorBoard's scalar smoothing: a debiased exponential moving average.

    ``last = last * weight + (1 - weight) * value`` over the finite points, each
    divided by ``1 - weight ** n`` (``n`` = finite points so far) so that the start is
    not pulled towards 0. NaN and infinite points are returned unchanged and do not
    enter the average. ``weight`` is in [0, 1); 0 returns the values as they are.

    Example:
        >>> smooth([1.0, 2.0, float("nan"), 3.0], weight=0.5).round(3).tolist()
        [1.0, 1.667, nan, 2.429]
    """
    weight = _check_weight(weight)
    array = np.asarray(values, dtype="float64")
    if array.ndim != 1:
        raise ValueError(f"smooth takes a 1-D sequence of values, got shape {array.shape}.")
    result = array.copy()
    finite = np.isfinite(array)
    points = array[finite]
    if points.size == 0 or weight == 0.0:
        return result
    # lfilter runs the recursion last = w*last + (1-w)*v in C, starting from last = 0.
    averaged = lfilter([1.0 - weight], [1.0, -weight], points)
    counts = np.arange(1, points.size + 1)
    result[finite] = averaged / (1.0 - weight**counts)
    return result


def learning_curves(
    curves: pd.DataFrame,
    metrics: Sequence[str] | None = None,
    trial_ids: Sequence[str] | None = None,
    smoothing: float = 0.6,
    labels: Mapping[str, str] | None = None,
    title: str | None = None,
) -> Figure:
    """Every trial's learning curves: one panel per metric, train solid, validation dashed.

    Args:
        curves: ``Store.load_curves()``.
        metrics: Metric base names to show (``"loss"`` shows ``loss`` and
            ``val_loss``). Default: every metric with a ``val_`` partner, then the rest.
        trial_ids: The trials to show, in legend order (default: all, in the
            frame's order). Pass them best first: with more than 12 trials, the
            first 10 get a colour and a legend entry and the rest are drawn grey.
        smoothing: TensorBoard smoothing weight in [0, 1) (0: raw curves only).
        labels: Display text per trial id (default: ``"trial <id>"``).
        title: The figure's title.

    A trial run several times (executions) is drawn as the mean of its executions
    at each step.

    Example:
        >>> curves = pd.DataFrame({"trial_id": ["0", "0", "1", "1"], "execution": 0,
        ...                        "step": [0, 1, 0, 1], "loss": [1.0, 0.5, 0.9, 0.7],
        ...                        "val_loss": [1.1, 0.6, 1.0, 0.8]})
        >>> fig = learning_curves(curves, labels={"0": "trial 0 (0.6)"})
        >>> [ax.get_title() for ax in fig.axes]
        ['loss']
    """
    weight = _check_weight(smoothing)
    table = _CurveTable.of(curves)
    trials = table.select_trials(trial_ids)
    pairs = table.metric_pairs(metrics, trials)
    labels = dict(labels or {})
    named, rest = _split_named(trials)
    colors = categorical_colors(len(named))
    fig, axes = _metric_panels(len(pairs))
    for ax, pair in zip(axes, pairs, strict=True):
        for column, style in ((pair.train, "-"), (pair.validation, "--")):
            if column is None:
                continue
            if rest:
                _, background = table.segments(rest, column, weight)
                ax.add_collection(
                    LineCollection(
                        background, colors=MUTED, linestyles=style, linewidths=0.7, alpha=0.35
                    )
                )
            raw, smoothed = table.segments(named, column, weight)
            _draw_named_curves(ax, raw, smoothed, colors, style, weight)
        _finish_metric_axes(ax, pair, table.outlier_free_limits(trials, pair))
    handles = _style_handles(pairs)
    handles += [
        Line2D([], [], color=color, linewidth=2, label=labels.get(trial, f"trial {trial}"))
        for trial, color in zip(named, colors, strict=True)
    ]
    if rest:
        handles.append(Line2D([], [], color=MUTED, linewidth=2, label=f"+{len(rest)} more"))
    fig.legend(handles=handles, loc="outside right center", fontsize=SMALL_FONT, frameon=False)
    smoothing_note = f", smoothing {weight:g}" if weight else ""
    fig.suptitle(title or f"Learning curves of {len(trials)} trials{smoothing_note}")
    return fig


def best_trial_curves(
    curves: pd.DataFrame,
    trial_id: str,
    metrics: Sequence[str] | None = None,
    smoothing: float = 0.6,
    best_step: int | None = None,
) -> Figure:
    """One trial's curves: a panel per metric with train and validation, and a
    vertical marker at ``best_step`` (the 0-based step the score was taken from, drawn
    at epoch ``best_step + 1`` like every point: epochs count from 1) when given.

    Example:
        >>> curves = pd.DataFrame({"trial_id": "7", "execution": 0, "step": [0, 1, 2],
        ...                        "loss": [1.0, 0.5, 0.4], "val_loss": [1.1, 0.6, 0.7]})
        >>> fig = best_trial_curves(curves, "7", best_step=1)
        >>> len(fig.axes[0].lines)  # raw and smoothed, train and validation, marker
        5
    """
    weight = _check_weight(smoothing)
    table = _CurveTable.of(curves)
    trials = table.select_trials([trial_id])
    pairs = table.metric_pairs(metrics, trials)
    fig, axes = _metric_panels(len(pairs))
    for ax, pair in zip(axes, pairs, strict=True):
        for column, color, style, name in (
            (pair.train, PALETTE[0], "-", "train"),
            (pair.validation, PALETTE[1], "--", "validation"),
        ):
            if column is None:
                continue
            raw, smoothed = table.segments(trials, column, weight)
            if weight:
                ax.plot(*raw[0].T, color=color, linestyle=style, alpha=RAW_ALPHA, linewidth=1)
            ax.plot(*smoothed[0].T, color=color, linestyle=style, linewidth=1.8, label=name)
        if best_step is not None:
            label = f"best epoch ({best_step + 1})"
            ax.axvline(best_step + 1, color=MUTED, linestyle=":", linewidth=1.5, label=label)
        _finish_metric_axes(ax, pair, None)
        ax.legend(fontsize=SMALL_FONT)
    executions = table.executions(trial_id)
    runs = f", mean of {executions} executions" if executions > 1 else ""
    fig.suptitle(f"Trial {trial_id}{runs}")
    return fig


# ------------------------------------------------------------------ the frame
@dataclass(frozen=True)
class _MetricPair:
    """A metric base name and its train and validation columns (either may be absent)."""

    name: str
    train: str | None
    validation: str | None


@dataclass
class _CurveTable:
    """The curves averaged over executions: one row per (trial, step)."""

    curves: pd.DataFrame
    mean: pd.DataFrame
    metric_columns: list[str]
    trial_order: list[str]
    #: Each trial's rows in ``mean`` (sorted by trial, then step), for slicing arrays
    #: without a pandas lookup per trial.
    rows: dict[str, slice]

    @classmethod
    def of(cls, curves: pd.DataFrame) -> _CurveTable:
        require_frame(curves, "The curves frame")
        require_columns(curves, INDEX_COLUMNS, "The curves frame (from Store.load_curves())")
        metrics = [c for c in curves.columns if c not in INDEX_COLUMNS]
        if not metrics:
            raise ValueError(
                "The curves frame has no metric column (only trial_id, execution, step); "
                "log at least one metric per step."
            )
        frame = curves.assign(trial_id=curves["trial_id"].astype(str))
        values = frame[metrics].apply(pd.to_numeric, errors="coerce").astype("float64")
        # inf would poison the mean; treat it as not logged, like NaN.
        values = values.where(np.isfinite(values))
        frame = pd.concat([frame[["trial_id", "step"]], values], axis=1)
        mean = frame.groupby(["trial_id", "step"], sort=True).mean()
        order = list(dict.fromkeys(frame["trial_id"]))
        ids = mean.index.get_level_values("trial_id").to_numpy()
        names, starts = np.unique(ids, return_index=True)
        stops = [*starts[1:], len(ids)]
        rows = {str(n): slice(a, b) for n, a, b in zip(names, starts, stops, strict=True)}
        return cls(curves, mean, metrics, order, rows)

    def select_trials(self, trial_ids: Sequence[str] | None) -> list[str]:
        if trial_ids is None:
            return self.trial_order
        if isinstance(trial_ids, str):
            raise TypeError(f"trial_ids must be a list of ids, got the string {trial_ids!r}.")
        chosen = [str(t) for t in trial_ids]
        known = set(self.trial_order)
        unknown = [t for t in chosen if t not in known]
        if unknown:
            shown = ", ".join(repr(t) for t in self.trial_order[:8])
            raise ValueError(
                f"No curves for trial(s) {', '.join(repr(t) for t in unknown)}. "
                f"Trials with curves: {shown}{', ...' if len(known) > 8 else ''}."
            )
        if not chosen:
            raise ValueError("trial_ids is empty; name at least one trial.")
        return list(dict.fromkeys(chosen))

    def metric_pairs(self, metrics: Sequence[str] | None, trials: list[str]) -> list[_MetricPair]:
        """The chosen metrics' pairs; by default those with a value for ``trials``."""
        columns = set(self.metric_columns)
        bases: dict[str, None] = {}
        for column in self.metric_columns:
            bases[column.removeprefix(VALIDATION_PREFIX)] = None
        pairs = {
            base: _MetricPair(
                base,
                base if base in columns else None,
                VALIDATION_PREFIX + base if VALIDATION_PREFIX + base in columns else None,
            )
            for base in bases
        }
        if metrics is None:
            logged = [p for p in pairs.values() if self._has_values(trials, p)]
            if not logged:
                raise ValueError(
                    f"Trial(s) {', '.join(trials[:5])} have no finite metric value in the "
                    "curves; there is nothing to plot."
                )
            both = [p for p in logged if p.train and p.validation]
            return both + [p for p in logged if p not in both]
        if isinstance(metrics, str):
            raise TypeError(f"metrics must be a list of names, got the string {metrics!r}.")
        chosen = []
        for name in metrics:
            base = name if name in pairs else name.removeprefix(VALIDATION_PREFIX)
            if base not in pairs:
                raise ValueError(
                    f"No metric {name!r} in the curves. Logged metrics: "
                    f"{', '.join(self.metric_columns)}."
                )
            chosen.append(pairs[base])
        if not chosen:
            raise ValueError("metrics is empty; name at least one metric.")
        return list(dict.fromkeys(chosen))

    def _has_values(self, trials: list[str], pair: _MetricPair) -> bool:
        columns = [c for c in (pair.train, pair.validation) if c]
        return bool(self.mean.loc[trials, columns].notna().to_numpy().any())

    def segments(
        self, trials: list[str], column: str, weight: float
    ) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Per trial, the raw and the smoothed (epoch, value) points of ``column``;
        points the metric was not logged at are left out, so a validation metric
        logged every few epochs is still drawn as a line."""
        all_values = self.mean[column].to_numpy()
        all_steps = self.mean.index.get_level_values("step").to_numpy(dtype="float64")
        raw, smoothed = [], []
        for trial in trials:
            steps, y = all_steps[self.rows[trial]], all_values[self.rows[trial]]
            keep = np.isfinite(y)
            epochs = steps[keep] + 1  # people count epochs from 1; the store from 0
            raw.append(np.column_stack([epochs, y[keep]]))
            smoothed.append(np.column_stack([epochs, smooth(y[keep], weight)]))
        return raw, smoothed

    def outlier_free_limits(
        self, trials: list[str], pair: _MetricPair
    ) -> tuple[float, float] | None:
        """Y limits that leave out runaway values (a diverged trial's loss of 1e6
        would flatten every other curve), or None when nothing runs away.

        A value runs away when it lies more than ``OUTLIER_FENCE`` interquartile
        ranges beyond the quartiles of all the panel's values: generous enough to
        keep the high first epochs of ordinary loss curves in view. Values in [0, 1]
        are never clipped, nor are those of the first trial (the best)."""
        columns = [c for c in (pair.train, pair.validation) if c]
        values = self.mean.loc[trials, columns].to_numpy().ravel()
        values = values[np.isfinite(values)]
        if values.size < 8 or (values.min() >= 0.0 and values.max() <= 1.0):
            # A bounded metric (accuracy, AUC...) cannot run away: a jump to 0.99 after
            # epochs at 0.63 is the story of the trial, never hidden.
            return None
        q1, q3 = np.quantile(values, [0.25, 0.75])
        fence = OUTLIER_FENCE * max(q3 - q1, 1e-12)
        kept = values[(values >= q1 - fence) & (values <= q3 + fence)]
        if kept.size == values.size:
            return None
        # The first trial (the best, as the report passes them) always shows whole.
        first = self.mean.loc[trials[:1], columns].to_numpy().ravel()
        kept = np.concatenate([kept, first[np.isfinite(first)]])
        low, high = float(kept.min()), float(kept.max())
        margin = 0.05 * max(high - low, 1e-12)
        return low - margin, high + margin

    def executions(self, trial_id: str) -> int:
        rows = self.curves[self.curves["trial_id"].astype(str) == trial_id]
        return int(rows["execution"].nunique())


# --------------------------------------------------------------- drawing
def _metric_panels(count: int) -> tuple[Figure, list[Axes]]:
    return panel_grid(count, max_columns=3, panel_width=5.0, panel_height=3.6)


def _split_named(trials: list[str]) -> tuple[list[str], list[str]]:
    """The trials that get a colour and a legend entry, and the rest (drawn grey):
    beyond a dozen, per-trial colours can no longer be told apart."""
    if len(trials) <= MAX_LEGEND_TRIALS:
        return trials, []
    return trials[:NAMED_WHEN_MANY], trials[NAMED_WHEN_MANY:]


def _draw_named_curves(
    ax: Axes,
    raw: list[np.ndarray],
    smoothed: list[np.ndarray],
    colors: list,
    style: str,
    weight: float,
) -> None:
    """The coloured trials of one metric as two line collections (raw faint, smoothed
    on top), the first trial drawn last so that it is not hidden."""
    raw, smoothed, colors = raw[::-1], smoothed[::-1], colors[::-1]
    if weight:
        ax.add_collection(
            LineCollection(raw, colors=colors, linestyles=style, linewidths=0.8, alpha=RAW_ALPHA)
        )
    ax.add_collection(
        LineCollection(smoothed, colors=colors, linestyles=style, linewidths=1.6, alpha=0.9)
    )


def _finish_metric_axes(ax: Axes, pair: _MetricPair, limits: tuple[float, float] | None) -> None:
    ax.autoscale_view()
    if limits is not None:
        ax.set_ylim(*limits)
        ax.text(
            0.99,
            0.98,
            "clipped: some values of other trials beyond the axis",
            transform=ax.transAxes,
            ha="right",
            va="top",
            fontsize=TINY_FONT,
            color=MUTED,
        )
    ax.set_title(pair.name)
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # no epoch 2.5
    ax.set_ylabel(pair.name)
    ax.grid(alpha=0.3)


def _style_handles(pairs: list[_MetricPair]) -> list[Line2D]:
    """Legend entries that explain solid = train and dashed = validation."""
    handles = []
    if any(p.train for p in pairs):
        handles.append(Line2D([], [], color="black", linestyle="-", label="train"))
    if any(p.validation for p in pairs):
        handles.append(Line2D([], [], color="black", linestyle="--", label="validation"))
    return handles


def _check_weight(weight: float) -> float:
    if isinstance(weight, bool) or not isinstance(weight, (int, float, np.floating)):
        raise TypeError(f"The smoothing weight must be a number in [0, 1), got {weight!r}.")
    if not 0.0 <= float(weight) < 1.0:
        raise ValueError(
            f"The smoothing weight must be in [0, 1) (0 = no smoothing), got {weight!r}."
        )
    return float(weight)
