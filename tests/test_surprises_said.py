"""What would surprise is said: steps.epochs without a scheduler, ASHA's promotions."""

from __future__ import annotations

import io

from rich.console import Console

from tunesmith import Objective, tune
from tunesmith.execution import DisplayCallback, FunctionTask, SearchDisplay, run_study
from tunesmith.oracles import ASHAOracle
from tunesmith.space import PARENT


def curve(hp, steps):
    x = hp.Float("x", 0, 1)
    for epoch in range(steps.initial_epoch, steps.epochs or 3):
        if not steps.report(epoch, x / (epoch + 1)):
            break
    return x / (steps.epochs or 3)


def test_steps_epochs_is_none_without_a_scheduler_and_set_under_one():
    seen = []

    def objective(hp, steps):
        seen.append(steps.epochs)
        return curve(hp, steps)

    tune(objective, max_trials=2, seed=0)
    assert seen == [None, None]
    seen.clear()
    tune(objective, algorithm="asha", max_epochs=9, max_trials=3, seed=0)
    assert seen and all(isinstance(epochs, int) for epochs in seen)


def test_asha_display_counts_configurations_and_names_promotions():
    oracle = ASHAOracle(
        objective=Objective("objective", "min"), max_epochs=9, factor=3, max_trials=6, seed=0
    )
    console = Console(file=io.StringIO(), width=200)
    display = SearchDisplay(verbose=1, console=console)
    run_study(
        oracle,
        FunctionTask(curve, oracle.objective, max_epochs=9),
        None,
        [DisplayCallback(display)],
    )
    out = " ".join(console.file.getvalue().split())  # a long title wraps
    promotions = [t for t in oracle.trials.values() if PARENT in t.values]
    assert len(oracle.trials) > 6 and promotions  # more trials than max_trials
    assert "Search: configuration 1 of 6 (trial 00)" in out
    assert "Search: configuration 6 of 6" in out and "configuration 7" not in out
    first = min(promotions, key=lambda t: t.number)
    assert (
        f"Search: promotion of trial {first.values[PARENT]} to {first.values['tuner/epochs']} "
        f"epochs (trial {first.trial_id}; not one of the 6 configurations)"
    ) in out
    assert "trial 1 of" not in out
