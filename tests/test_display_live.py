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


def test_each_running_trial_has_its_line():
    console = Console(file=io.StringIO(), force_terminal=True, width=120)
    hp = HyperParameters()
    hp.Float("lr", 1e-3, 1e-1, sampling="log")
    oracle = RandomSearchOracle(objective="val_loss", max_trials=2, hyperparameters=hp, seed=0)
    display = SearchDisplay(verbose=1, console=console)
    first, second = oracle.ask(), oracle.ask()
    display.trial_begin(first, oracle)
    display.trial_begin(second, oracle)
    display.epoch_end(first, 0, 0, 4, {"loss": 0.9})
    display.epoch_end(second, 0, 1, 4, {"loss": 0.8})
    time.sleep(0.4)
    out = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", console.file.getvalue())
    assert "trial 00  epoch 1/4  loss=0.9" in out and "trial 01  epoch 2/4  loss=0.8" in out
    display.close()
