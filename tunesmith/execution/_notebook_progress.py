"""A search's progress in a Jupyter notebook: one output, redrawn in place.

In a terminal the search prints a table per trial and moves a live line; in a
notebook that scrolls the cell by a screen per trial. There the search shows
one block instead, updated as it runs: trial k of N, the best score so far, the
running trial's hyperparameters and its latest epoch, the last trial's outcome.

IPython is not a dependency: the block is drawn through IPython's display handle
(``display(..., display_id=True)`` and its ``update``) only inside a notebook's
kernel, where IPython is always present.

Example:
    >>> class Handle:
    ...     def update(self, html): self.html = html
    >>> progress = NotebookProgress(handle_factory=Handle)
    >>> progress.trial_begin("00", "Search: trial 1 of 3 (id 00)", [("lr", "0.01", "-")])
    >>> "trial 1 of 3" in progress.handle.html
    True
"""

from __future__ import annotations

import importlib
import sys
import time
from collections.abc import Callable, Sequence
from html import escape
from typing import Any, Protocol

#: Epochs closer than this are not each drawn: each draw is a message to the browser.
MIN_REDRAW_S = 0.25


class ProgressHandle(Protocol):
    """Where the block is drawn: ``update`` replaces what it shows."""

    def update(self, html: str) -> None: ...


def in_notebook_kernel() -> bool:
    """Whether this process is a Jupyter kernel (IPython's ZMQ shell), whose output
    is a notebook cell; False in a terminal, IPython's console, or without IPython.

    Example:
        >>> in_notebook_kernel()
        False
    """
    # A kernel has imported IPython long before; importing it here (a quarter of a
    # second) would only slow every plain script down.
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    shell = ipython.get_ipython()
    # Named, not imported: ipykernel need not be importable to tell.
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


class IPythonHandle:
    """A notebook output shown now, then redrawn in place by :meth:`update`."""

    def __init__(self) -> None:
        shown = importlib.import_module("IPython.display")
        self._html: Any = shown.HTML
        self._handle: Any = shown.display(shown.HTML(""), display_id=True)

    def update(self, html: str) -> None:
        self._handle.update(self._html(html))


class NotebookProgress:
    """The block of one search; ``handle_factory`` makes its output when first drawn
    (:class:`IPythonHandle` by default; tests pass their own). An epoch's line is
    drawn when ``min_redraw_s`` passed since the last draw; a trial's start and end
    always are."""

    def __init__(
        self,
        handle_factory: Callable[[], ProgressHandle] = IPythonHandle,
        min_redraw_s: float = MIN_REDRAW_S,
    ) -> None:
        self._factory = handle_factory
        self.min_redraw_s = min_redraw_s
        self.handle: ProgressHandle | None = None
        self.title = ""
        self.rows: list[tuple[str, str, str]] = []
        #: The running trials' latest epoch lines, by trial id.
        self.running: dict[str, str] = {}
        self._started: dict[str, float] = {}
        self.last = ""
        self.so_far = ""
        self.ending = ""
        self._drawn_at = -float("inf")

    def elapsed(self, trial_id: str) -> float:
        """Seconds since ``trial_id`` began."""
        return time.time() - self._started.get(trial_id, time.time())

    def trial_begin(self, trial_id: str, title: str, rows: Sequence[tuple[str, str, str]]) -> None:
        """A trial starts: its title and (name, value, best value so far) rows."""
        self.title, self.rows = title, list(rows)
        self.running[trial_id] = f"trial {trial_id}  running"
        self._started[trial_id] = time.time()
        self.draw()

    def epoch(self, trial_id: str, line: str) -> None:
        """The running trial's line after an epoch; redrawn at most 4 times a second."""
        self.running[trial_id] = line
        self.draw(throttle=True)

    def trial_end(self, trial_id: str, outcome: str, so_far: str) -> None:
        """A trial ends: its outcome line and the best so far replace its epoch line."""
        self.running.pop(trial_id, None)
        self._started.pop(trial_id, None)
        self.last, self.so_far = outcome, so_far
        self.draw()

    def end(self, text: str) -> None:
        """The search ends (or is interrupted): ``text`` says how."""
        self.running.clear()
        self.ending = text
        self.draw()

    def html(self) -> str:
        """The block as HTML."""
        parts = ['<div class="tunesmith-progress" style="font-family:monospace">']
        if self.title:
            parts.append(f"<b>{escape(self.title)}</b>")
        if self.so_far:
            parts.append(f"<div>{escape(self.so_far)}</div>")
        if self.rows and self.running:
            cells = "".join(
                f"<tr><td>{escape(n)}</td><td>{escape(v)}</td><td>{escape(b)}</td></tr>"
                for n, v, b in self.rows
            )
            parts.append(
                "<table><tr><th>Hyperparameter</th><th>Value</th>"
                f"<th>Best value so far</th></tr>{cells}</table>"
            )
        parts += [f"<div>{escape(line)}</div>" for line in self.running.values()]
        if self.last:
            parts.append(f"<div>{escape(self.last)}</div>")
        if self.ending:
            parts.append(f"<div><b>{escape(self.ending)}</b></div>")
        return "".join(parts) + "</div>"

    def draw(self, throttle: bool = False) -> None:
        now = time.monotonic()
        if throttle and now - self._drawn_at < self.min_redraw_s:
            return
        self._drawn_at = now
        if self.handle is None:
            self.handle = self._factory()
        self.handle.update(self.html())
