"""verbose=1: a live line moves while a trial trains, on a terminal only."""

from __future__ import annotations

import io
import re
import time

from rich.console import Console

from tunesmith import HyperParameters
from tunesmith.execution import SearchDisplay
from tunesmith.oracles import RandomSearchOracle


def run_one_trial(console: Console) -> str:
    hp = HyperParameters()
    hp.Float("lr", 1e-3, 1e-1, sampling="log")
    oracle = RandomSearchOracle(objective="val_loss", max_trials=1, hyperparameters=hp, seed=0)
    display = SearchDisplay(verbose=1, console=console)
    trial = oracle.ask()
    display.trial_begin(trial, oracle)
    for epoch in range(3):
        time.sleep(0.3)  # the line refreshes 4 times a second
        display.epoch_end(trial, 0, epoch, 10, {"loss": 0.5 - epoch / 10, "val_loss": 0.6})
    time.sleep(0.3)
    oracle.tell(trial, {"val_loss": 0.6})
    display.trial_end(trial, oracle)
    # Without the terminal's control codes (colours, cursor moves).
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", console.file.getvalue())


def test_a_terminal_sees_the_epoch_the_metrics_and_the_time_left():
    out = run_one_trial(Console(file=io.StringIO(), force_terminal=True, width=120))
    assert "trial 00  epoch 3/10  loss=0.3  val_loss=0.6" in out
    assert "elapsed, ~" in out and "left" in out
    assert "Trial 00 finished" in out  # the end lines follow the live line


def test_a_log_file_gets_the_end_lines_only():
    out = run_one_trial(Console(file=io.StringIO(), force_terminal=False, width=120))
    assert "epoch 3/10" not in out and "elapsed, ~" not in out
    assert "Trial 00 finished" in out
