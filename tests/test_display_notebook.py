"""verbose=1 in a Jupyter notebook: one output block redrawn in place, not a table
per trial. IPython is optional and not installed in the test environment: the block
is checked through the display's own seam (a handle that records what it is given),
and IPython's own API through stand-in modules of the same names."""

from __future__ import annotations

import io
import sys
import types

from rich.console import Console

from tunesmith import HyperParameters
from tunesmith.execution import SearchDisplay
from tunesmith.execution._notebook_progress import (
    IPythonHandle,
    NotebookProgress,
    in_notebook_kernel,
)
from tunesmith.oracles import RandomSearchOracle


class RecordingHandle:
    """One notebook output: every HTML it was redrawn with."""

    made = 0

    def __init__(self) -> None:
        RecordingHandle.made += 1
        self.shown: list[str] = []

    def update(self, html: str) -> None:
        self.shown.append(html)


def search(display: SearchDisplay, trials: int = 2) -> RandomSearchOracle:
    hp = HyperParameters()
    hp.Float("lr", 1e-3, 1e-1, sampling="log")
    oracle = RandomSearchOracle(objective="val_loss", max_trials=trials, hyperparameters=hp, seed=0)
    for number in range(trials):
        trial = oracle.ask()
        display.trial_begin(trial, oracle)
        for epoch in range(3):
            display.epoch_end(trial, 0, epoch, 10, {"loss": 0.5 - epoch / 10})
        oracle.tell(trial, {"val_loss": 0.6 - number / 10})
        display.trial_end(trial, oracle)
    display.search_end(oracle, "max_trials reached")
    return oracle


def test_the_search_redraws_one_block_in_place():
    RecordingHandle.made = 0
    progress = NotebookProgress(handle_factory=RecordingHandle, min_redraw_s=0)
    console = Console(file=io.StringIO(), force_terminal=False, width=120)
    display = SearchDisplay(verbose=1, console=console, notebook=progress)
    seen: list[str] = []
    hp = HyperParameters()
    hp.Float("lr", 1e-3, 1e-1, sampling="log")
    oracle = RandomSearchOracle(objective="val_loss", max_trials=2, hyperparameters=hp, seed=0)
    trial = oracle.ask()
    display.trial_begin(trial, oracle)
    seen.append(progress.handle.shown[-1])
    display.epoch_end(trial, 0, 2, 10, {"loss": 0.3})
    seen.append(progress.handle.shown[-1])
    oracle.tell(trial, {"val_loss": 0.25})
    display.trial_end(trial, oracle)
    seen.append(progress.handle.shown[-1])
    second = oracle.ask()
    display.trial_begin(second, oracle)
    seen.append(progress.handle.shown[-1])
    assert RecordingHandle.made == 1  # one output, updated
    assert "trial 1 of 2" in seen[0] and "Hyperparameter" in seen[0] and "lr" in seen[0]
    assert "trial 00  epoch 3/10  loss=0.3" in seen[1]
    assert "Trial 00 finished" in seen[2] and "Best val_loss so far: 0.25 (trial 00)" in seen[2]
    assert "trial 2 of 2" in seen[3] and "Best val_loss so far: 0.25" in seen[3]
    assert console.file.getvalue() == ""  # nothing scrolls by


def test_a_whole_search_ends_in_the_block():
    progress = NotebookProgress(handle_factory=RecordingHandle)
    console = Console(file=io.StringIO(), force_terminal=False, width=120)
    search(SearchDisplay(verbose=1, console=console, notebook=progress))
    last = progress.handle.shown[-1]
    assert "Search finished: max_trials reached" in last and "Trial 01 finished" in last
    assert "epoch" not in last  # no trial is running any more
    assert console.file.getvalue() == ""


def test_verbose_2_keeps_every_epoch_line():
    progress = NotebookProgress(handle_factory=RecordingHandle)
    console = Console(file=io.StringIO(), force_terminal=False, width=120)
    search(SearchDisplay(verbose=2, console=console, notebook=progress))
    assert progress.handle is None
    assert "epoch 3/10" in console.file.getvalue()


def test_a_burst_of_epochs_is_drawn_once_and_the_end_always():
    progress = NotebookProgress(handle_factory=RecordingHandle, min_redraw_s=60)
    progress.trial_begin("00", "Search: trial 1 of 1 (id 00)", [])
    for epoch in range(50):
        progress.epoch("00", f"trial 00  epoch {epoch + 1}/50")
    assert len(progress.handle.shown) == 1  # the begin; the burst waits
    progress.trial_end("00", "Trial 00 finished", "Best loss so far: 1")
    assert len(progress.handle.shown) == 2 and "Trial 00 finished" in progress.handle.shown[-1]


def test_text_is_escaped():
    progress = NotebookProgress(handle_factory=RecordingHandle)
    progress.trial_begin("00", "Search <b>", [("name", "<script>", "-")])
    assert "<script>" not in progress.handle.shown[-1]
    assert "&lt;script&gt;" in progress.handle.shown[-1]


def _fake_ipython(monkeypatch, shell_class_name: str | None) -> list:
    """Stand-ins for IPython and IPython.display, recording display calls."""
    calls: list = []
    ipython = types.ModuleType("IPython")
    shell = type(shell_class_name, (), {})() if shell_class_name else None
    ipython.get_ipython = lambda: shell
    shown = types.ModuleType("IPython.display")

    class HTML:
        def __init__(self, data):
            self.data = data

    class Handle:
        def update(self, obj):
            calls.append(("update", obj.data))

    def display(obj, display_id=False):
        calls.append(("display", obj.data, display_id))
        return Handle()

    shown.HTML, shown.display = HTML, display
    monkeypatch.setitem(sys.modules, "IPython", ipython)
    monkeypatch.setitem(sys.modules, "IPython.display", shown)
    return calls


def test_a_notebook_kernel_is_told_from_other_shells(monkeypatch):
    _fake_ipython(monkeypatch, "ZMQInteractiveShell")
    assert in_notebook_kernel()
    _fake_ipython(monkeypatch, "TerminalInteractiveShell")
    assert not in_notebook_kernel()
    _fake_ipython(monkeypatch, None)
    assert not in_notebook_kernel()
    monkeypatch.setitem(sys.modules, "IPython", None)  # not installed
    assert not in_notebook_kernel()


def test_in_a_kernel_the_display_draws_through_ipython_display_handles(monkeypatch):
    calls = _fake_ipython(monkeypatch, "ZMQInteractiveShell")
    display = SearchDisplay(verbose=1)  # finds the kernel itself
    search(display, trials=1)
    assert calls[0] == ("display", "", True)  # one output, made with a display_id
    assert all(call[0] == "update" for call in calls[1:]) and len(calls) > 2
    assert "Search finished" in calls[-1][1]
    assert isinstance(display._notebook.handle, IPythonHandle)
