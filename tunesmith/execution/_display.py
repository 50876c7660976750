"""What a search prints while it runs, through ``rich``; silent with ``verbose=0``."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from tunesmith.errors import TooManyFailedTrialsError
from tunesmith.trial import TrialStatus

if TYPE_CHECKING:
    from tunesmith.oracles import Oracle
    from tunesmith.trial import Trial


def format_duration(seconds: float) -> str:
    """``3725.2`` → ``'01h 02m 05s'`` (the format keras-tuner users read)."""
    seconds = round(seconds)
    return f"{seconds // 3600:02d}h {seconds % 3600 // 60:02d}m {seconds % 60:02d}s"


def format_value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


class SearchDisplay:
    """Progress of a search: trial k of N, its values beside the best so far, timings.

    ``verbose=0`` prints nothing; ``1`` prints a table per trial and a line when it
    ends; ``2`` adds one line per epoch.
    """

    def __init__(self, verbose: int = 1, console: Console | None = None) -> None:
        self.verbose = verbose
        self.console = console or Console(highlight=False)
        self._search_started = time.time()
        # The last epoch each trial reached: a pruned trial's end line names it.
        self._last_epoch: dict[str, int] = {}

    def search_begin(self, oracle: Oracle) -> None:
        self._search_started = time.time()
        done = sum(1 for t in oracle.trials.values() if t.status.is_finished)
        if self.verbose and done:
            self.console.print(
                f"Resuming: {done} trial(s) already finished in the store"
                + (
                    f", {len(oracle._requeued)} interrupted trial(s) to run again."
                    if oracle._requeued
                    else "."
                )
            )

    def trial_begin(self, trial: Trial, oracle: Oracle) -> None:
        if not self.verbose:
            return
        # Hyperband plans its trials without a max_trials.
        total = oracle.max_trials or getattr(oracle, "planned_trials", None) or "?"
        best = oracle.get_best_trials(1)
        best_values = best[0].values if best else {}
        table = Table(
            title=f"Search: trial {trial.number + 1} of {total} (id {trial.trial_id})",
            title_justify="left",
        )
        table.add_column("Hyperparameter")
        table.add_column("Value", justify="right")
        table.add_column("Best value so far", justify="right")
        names = list(dict.fromkeys([*trial.values, *best_values]))
        for name in names:
            table.add_row(
                name,
                format_value(trial.values.get(name, "")) if name in trial.values else "-",
                format_value(best_values[name]) if name in best_values else "-",
            )
        self.console.print(table)

    def epoch_end(
        self,
        trial: Trial,
        execution: int,
        epoch: int,
        epochs: int | None,
        logs: Mapping[str, float],
    ) -> None:
        self._last_epoch[trial.trial_id] = epoch
        if self.verbose < 2:
            return
        metrics = "  ".join(f"{k}={v:.4g}" for k, v in logs.items())
        self.console.print(
            f"  trial {trial.trial_id} execution {execution + 1} "
            f"epoch {epoch + 1}/{epochs or '?'}  {metrics}"
        )

    def trial_end(self, trial: Trial, oracle: Oracle) -> None:
        if not self.verbose:
            return
        name = oracle.objective.name
        took = format_duration(trial.seconds or 0.0)
        if trial.status.has_result:
            outcome = f"{name} = {trial.score:.6g}" + (
                f" at epoch {trial.best_step}" if trial.best_step is not None else ""
            )
            if trial.status is TrialStatus.STOPPED:
                last = self._last_epoch.get(trial.trial_id)
                outcome += "; stopped early" + (
                    f" (pruned at epoch {last})" if last is not None else ""
                )
        elif trial.error:
            outcome = f"[red]{trial.status.value}[/red]: {trial.error.strip().splitlines()[-1]}"
        else:
            outcome = trial.status.value
        best = oracle.get_best_trials(1)
        best_text = f"{best[0].score:.6g} (trial {best[0].trial_id})" if best else "none yet"
        self.console.print(f"Trial {trial.trial_id} finished in {took}: {outcome}")
        self.console.print(
            f"Best {name} so far: {best_text}   Total elapsed: "
            f"{format_duration(time.time() - self._search_started)}\n"
        )

    def search_end(self, oracle: Oracle, reason: str | None) -> None:
        """The closing line; raises when every trial failed and nothing was printed."""
        failed = oracle.all_failed()
        if failed and not self.verbose:
            raise TooManyFailedTrialsError(failed)
        if self.verbose and reason:
            self.console.print(f"Search finished: {reason}")
        if self.verbose and failed:
            self.console.print(f"[red]{escape(failed)}[/red]")

    def interrupted(self, trial: Trial | None) -> None:
        if self.verbose:
            where = f" during trial {trial.trial_id}" if trial else ""
            self.console.print(
                f"[yellow]Search interrupted{where}.[/yellow] The store is consistent; "
                "run the search again with overwrite=False to resume."
            )
