"""What the figure modules share: colours, figure and panel-grid sizing, PNG output,
number formatting and the input checks whose messages name the fix.

Figures are built on :class:`matplotlib.figure.Figure` directly, never through
``pyplot``: library code then neither depends on nor changes the user's backend, and
no global figure registry keeps every figure of a report alive.
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

#: Colours for a handful of series (matplotlib's tab10, which stays apart for
#: colour-blind readers better than most, with its grey swapped for navy: grey
#: means "not data" here): train/validation, classes, splits, named trials.
PALETTE: tuple[str, ...] = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#393b79",
    "#bcbd22",
    "#17becf",
)
#: The colour of things that are not data: chance lines, failed trials, gridlines.
MUTED = "#9a9a9a"
#: The colour that singles out the best trial.
HIGHLIGHT = "#d62728"
#: The diverging colormap of correlations and the sequential one of scores.
DIVERGING_CMAP = "RdBu_r"
SCORE_CMAP = "viridis"
#: Font sizes below the default 10 pt, for crowded panels.
SMALL_FONT = 8
TINY_FONT = 7


def categorical_colors(count: int) -> list[Any]:
    """``count`` distinguishable colours: the palette, then tab20, then a colormap.

    Example:
        >>> len(categorical_colors(3)), len(categorical_colors(50))
        (3, 50)
    """
    if count <= len(PALETTE):
        return list(PALETTE[:count])
    if count <= 20:
        return [colormaps["tab20"](i) for i in range(count)]
    # Beyond 20 colours no palette keeps series apart; an even sweep through a
    # perceptually uniform map at least keeps neighbours in the legend similar.
    return [tuple(c) for c in colormaps["turbo"](np.linspace(0.05, 0.95, count))]


# ------------------------------------------------------------------- figures
def grid_shape(panels: int, max_columns: int = 4) -> tuple[int, int]:
    """Rows and columns for ``panels`` small panels, at most ``max_columns`` wide.

    Example:
        >>> grid_shape(30, 6), grid_shape(2)
        ((5, 6), (1, 2))
    """
    if panels < 1:
        raise ValueError(f"A figure needs at least one panel, got {panels}.")
    columns = min(panels, max_columns)
    return math.ceil(panels / columns), columns


def new_figure(
    rows: int = 1,
    columns: int = 1,
    *,
    panel_width: float = 4.5,
    panel_height: float = 3.2,
    **subplot_kw: Any,
) -> tuple[Figure, np.ndarray]:
    """A constrained-layout figure and its ``rows x columns`` array of axes.

    The size grows with the grid (``panel_width`` x ``panel_height`` inches per panel),
    so a panel stays readable however many there are.

    Example:
        >>> fig, axes = new_figure(2, 3, panel_width=2.0, panel_height=1.5)
        >>> axes.shape, fig.get_size_inches().tolist()
        ((2, 3), [6.0, 3.0])
    """
    fig = Figure(figsize=(columns * panel_width, rows * panel_height), layout="constrained")
    axes = fig.subplots(rows, columns, squeeze=False, **subplot_kw)
    return fig, axes


def panel_grid(
    panels: int,
    max_columns: int = 4,
    *,
    panel_width: float = 4.5,
    panel_height: float = 3.2,
    **subplot_kw: Any,
) -> tuple[Figure, list[Axes]]:
    """A figure with ``panels`` axes in a grid (row by row); the grid's spare cells removed.

    Example:
        >>> fig, axes = panel_grid(5, 3)
        >>> len(axes), len(fig.axes)
        (5, 5)
    """
    rows, columns = grid_shape(panels, max_columns)
    fig, grid = new_figure(
        rows, columns, panel_width=panel_width, panel_height=panel_height, **subplot_kw
    )
    flat = list(grid.ravel())
    for spare in flat[panels:]:
        fig.delaxes(spare)
    return fig, flat[:panels]


def png_bytes(fig: Figure, dpi: int = 110) -> bytes:
    """The figure as PNG bytes (rendered by Agg, whatever the user's backend is).

    Example:
        >>> fig, _ = new_figure()
        >>> png_bytes(fig)[:4]
        b'\\x89PNG'
    """
    FigureCanvasAgg(fig)  # attaches itself to the figure as its canvas
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def save_png(fig: Figure, path: str | os.PathLike[str], dpi: int = 110) -> Path:
    """Write the figure to ``path`` as PNG (folders created) and return the path.

    Example:
        >>> save_png(new_figure()[0], "/tmp/empty.png").name  # doctest: +SKIP
        'empty.png'
    """
    path = Path(path).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(png_bytes(fig, dpi=dpi))
    return path


# ------------------------------------------------------------------- labels
def format_number(value: Any) -> str:
    """A compact label for a tick or a cell: ``0.001``, ``3.2e-05``, ``256``, ``0.981``.

    Example:
        >>> [format_number(v) for v in (256, 0.000032, 0.98123, 1500000.0, True)]
        ['256', '3.2e-05', '0.981', '1.5e+06', 'True']
    """
    if isinstance(value, (bool, np.bool_, str)):
        return str(value)
    number = float(value)
    if not math.isfinite(number):
        return str(number)
    if number == int(number) and abs(number) < 1e6:
        return str(int(number))
    return f"{number:.3g}"


def rotate_long_labels(ax: Axes, longest: int = 4) -> None:
    """Tilt the x tick labels when any is longer than ``longest`` characters, so
    names such as ``concave points_worst`` do not run into each other."""
    labels = ax.get_xticklabels()
    if any(len(label.get_text()) > longest for label in labels):
        for label in labels:
            label.set_rotation(40)
            label.set_horizontalalignment("right")
            label.set_rotation_mode("anchor")


# ------------------------------------------------------------------- checks
def require_frame(frame: Any, what: str) -> pd.DataFrame:
    """``frame`` when it is a non-empty DataFrame; otherwise a ValueError naming ``what``."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{what} must be a pandas DataFrame, got {type(frame).__name__}.")
    if frame.empty:
        raise ValueError(f"{what} is empty (no rows or no columns); there is nothing to plot.")
    return frame


def require_columns(frame: pd.DataFrame, columns: Iterable[str], what: str) -> list[str]:
    """``columns`` as a list, after checking each is a column of ``frame``."""
    columns = list(columns)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        known = ", ".join(repr(c) for c in list(frame.columns)[:12])
        more = ", ..." if len(frame.columns) > 12 else ""
        raise ValueError(
            f"{what} has no column {', '.join(repr(c) for c in missing)}. "
            f"Pick from its columns: {known}{more}."
        )
    return columns


def require_length(values: Sequence[Any] | np.ndarray, expected: int, what: str) -> None:
    """A ValueError when ``values`` does not have one entry per row."""
    if len(values) != expected:
        raise ValueError(
            f"{what} has {len(values)} entries but the data has {expected} rows; "
            "pass one entry per row, in the same order."
        )


def check_direction(direction: str) -> str:
    """``"min"`` or ``"max"`` (the objective's direction), or a ValueError."""
    if direction not in ("min", "max"):
        raise ValueError(
            f"direction must be 'min' or 'max' (the objective's direction), got {direction!r}."
        )
    return direction
