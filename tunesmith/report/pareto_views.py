"""Looking at trade-offs: the Pareto front of two objectives, the pairs of three or
more, and the hypervolume over the trials.

``results`` is :meth:`tunesmith.store.Store.results_frame` of a study with a
:class:`~tunesmith.Pareto` objective: it has a column per objective (``metric:<name>``
where the name is a fixed column's, such as ``error``), and under constraints
``feasible`` and ``broken_constraints``. The front is the ranking's
(:func:`tunesmith.ranking.pareto_front`), passed in as trial ids, so the figures never
rank trials themselves. Infeasible trials (a constraint broken) are grey crosses and
never on the front; a trial that was never trained (``INFEASIBLE``) has no objective
values to place and is counted in the legend instead.

Example:
    >>> import pandas as pd
    >>> from tunesmith import Objective
    >>> results = pd.DataFrame({"trial_id": ["0", "1", "2"], "status": ["COMPLETED"] * 3,
    ...                         "loss": [0.1, 0.2, 0.3], "size": [9.0, 1.0, 5.0]})
    >>> fig = pareto_front_plot(results, [Objective("loss", "min"), Objective("size", "min")],
    ...                         front_trial_ids=["0", "1"])
    >>> fig.axes[0].get_xlabel(), fig.axes[0].get_ylabel()
    ('loss (min)', 'size (min)')
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from tunesmith.objective import Objective
from tunesmith.report._style import (
    HIGHLIGHT,
    MUTED,
    PALETTE,
    SMALL_FONT,
    new_figure,
    panel_grid,
    require_columns,
    require_frame,
)

#: Trial statuses whose objective values can be compared.
RESULT_STATUSES = ("COMPLETED", "STOPPED")
#: The opacity of dominated trials: there, but behind the front.
FADED = 0.25


def objective_column(results: pd.DataFrame, name: str) -> str:
    """The column of an objective: ``metric:<name>`` when the store had to prefix it."""
    for column in (f"metric:{name}", name):
        if column in results.columns:
            return column
    raise ValueError(
        f"The results frame has no column for the objective {name!r}; pass the frame of "
        "a Pareto study (Store.results_frame() names a column after each objective)."
    )


class _Trials:
    """The trials of one figure: values, feasibility, front membership."""

    def __init__(
        self, results: pd.DataFrame, objectives: Sequence[Objective], front: Sequence[str]
    ) -> None:
        require_frame(results, "The results frame")
        require_columns(results, ("trial_id", "status"), "The results frame")
        if len(objectives) < 2:
            raise ValueError(f"A Pareto view needs two objectives or more, got {len(objectives)}.")
        columns = [objective_column(results, o.name) for o in objectives]
        values = results[columns].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
        status = results["status"].astype(str).to_numpy()
        placed = np.isin(status, RESULT_STATUSES) & np.isfinite(values).all(axis=1)
        if "feasible" in results.columns:
            feasible = results["feasible"].fillna(True).to_numpy(dtype=bool)
        else:
            feasible = np.ones(len(results), dtype=bool)
        ids = results["trial_id"].astype(str).to_numpy()
        on_front = np.isin(ids, [str(t) for t in front])
        if not (placed & feasible).any():
            raise ValueError(
                f"None of the {len(results)} trials finished feasible with every objective "
                f"({', '.join(o.name for o in objectives)}); run the search longer."
            )
        self.objectives = list(objectives)
        self.values = values
        self.front = placed & feasible & on_front
        self.dominated = placed & feasible & ~on_front
        self.infeasible = placed & ~feasible
        self.untrained = (status == "INFEASIBLE") & ~placed
        broken = results.get("broken_constraints")
        self.broken_labels = _labels(broken[~feasible]) if broken is not None else []

    def label(self, index: int) -> str:
        objective = self.objectives[index]
        return f"{objective.name} ({objective.direction})"

    def draw(self, ax: Axes, x: int, y: int, legend: bool) -> None:
        values = self.values
        ax.scatter(
            values[self.dominated, x],
            values[self.dominated, y],
            s=18,
            color=PALETTE[0],
            alpha=FADED,
            label=f"dominated ({self.dominated.sum()})" if legend else None,
        )
        if self.infeasible.any():
            broken = f": {', '.join(self.broken_labels)}" if self.broken_labels else ""
            ax.scatter(
                values[self.infeasible, x],
                values[self.infeasible, y],
                marker="x",
                s=22,
                color=MUTED,
                label=f"infeasible ({self.infeasible.sum()}){broken}" if legend else None,
            )
        ax.scatter(
            values[self.front, x],
            values[self.front, y],
            s=34,
            color=HIGHLIGHT,
            zorder=3,
            label=f"Pareto front ({self.front.sum()})" if legend else None,
        )
        ax.set_xlabel(self.label(x), fontsize=SMALL_FONT + 1)
        ax.set_ylabel(self.label(y), fontsize=SMALL_FONT + 1)
        ax.grid(alpha=0.3)


def _labels(broken: pd.Series) -> list[str]:
    labels: dict[str, None] = {}
    for text in broken.dropna():
        labels.update(dict.fromkeys(str(text).split(", ")))
    return list(labels)


def _front_steps(trials: _Trials, x: int, y: int) -> tuple[np.ndarray, np.ndarray]:
    """The front of two objectives as a staircase: the edge of what it dominates."""
    points = trials.values[trials.front][:, [x, y]]
    signs = np.array([1.0 if trials.objectives[i].direction == "min" else -1.0 for i in (x, y)])
    order = np.argsort(points[:, 0] * signs[0], kind="stable")
    return points[order, 0], points[order, 1]


def pareto_front_plot(
    results: pd.DataFrame, objectives: Sequence[Objective], *, front_trial_ids: Sequence[str]
) -> Figure:
    """Every finished trial by its two objectives, the front as a step line.

    Front trials are red and joined by the staircase that bounds what they dominate;
    dominated trials are faded; infeasible trials are grey crosses, the constraints
    they break named in the legend.
    """
    trials = _Trials(results, objectives, front_trial_ids)
    fig, axes = new_figure(panel_width=7.0, panel_height=4.6)
    ax = axes[0, 0]
    trials.draw(ax, 0, 1, legend=True)
    xs, ys = _front_steps(trials, 0, 1)
    ax.step(xs, ys, where="post", color=HIGHLIGHT, linewidth=1.5, alpha=0.8)
    title = f"Pareto front of {objectives[0].name} and {objectives[1].name}"
    if trials.untrained.any():
        title += f"; {trials.untrained.sum()} infeasible, never trained, not placed"
    ax.set_title(title, fontsize=10)
    fig.legend(loc="outside right upper", fontsize=SMALL_FONT, frameon=False)
    return fig


def pareto_pairs_plot(
    results: pd.DataFrame, objectives: Sequence[Objective], *, front_trial_ids: Sequence[str]
) -> Figure:
    """A scatter per pair of objectives (three or more), front trials highlighted."""
    trials = _Trials(results, objectives, front_trial_ids)
    pairs = list(itertools.combinations(range(len(objectives)), 2))
    fig, axes = panel_grid(len(pairs), max_columns=3, panel_width=3.8, panel_height=3.2)
    for index, (x, y) in enumerate(pairs):
        trials.draw(axes[index], x, y, legend=index == 0)
        axes[index].tick_params(labelsize=SMALL_FONT)
    note = f"; {trials.untrained.sum()} never trained" if trials.untrained.any() else ""
    fig.suptitle(f"Every pair of the {len(objectives)} objectives (red: Pareto front){note}")
    fig.legend(loc="outside right upper", fontsize=SMALL_FONT, frameon=False)
    return fig


def hypervolume_plot(progress: Mapping[str, Any]) -> Figure:
    """The hypervolume of the feasible trials so far, after each trial.

    ``progress`` is :func:`tunesmith._tradeoffs.hypervolume_progress`'s (the study
    document's ``hypervolume``): objectives scaled to [0, 1] over the feasible trials,
    the reference point 1.1 in each.
    """
    numbers = np.asarray(progress["numbers"], dtype=float)
    values = np.asarray(progress["values"], dtype=float)
    if not len(values):
        raise ValueError("No trial has every objective yet.")
    reference = progress["reference"]
    fig, axes = new_figure(panel_width=7.0, panel_height=3.6)
    ax = axes[0, 0]
    ax.step(numbers, values, where="post", color=PALETTE[0], linewidth=2)
    ax.scatter(numbers, values, s=10, color=PALETTE[0])
    ax.axhline(float(np.prod(reference)), color=MUTED, linestyle="--", linewidth=1)
    ax.set_xlabel("trial number")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("hypervolume (normalised)")
    ax.set_ylim(0, float(np.prod(reference)) * 1.05)
    ax.set_title(
        f"Hypervolume so far: {values[-1]:.4g} of at most {float(np.prod(reference)):.4g} "
        f"(dashed; reference {reference[0]:g} in every scaled objective)",
        fontsize=10,
    )
    ax.grid(alpha=0.3)
    return fig


__all__ = ["hypervolume_plot", "objective_column", "pareto_front_plot", "pareto_pairs_plot"]
