"""What a search prints while it runs, through ``rich``; silent with ``verbose=0``."""

from __future__ import annotations

import time
from collections.abc import Mapping

from rich.console import Console
from rich.live import Live
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from tunesmith.constraints import broken_constraints, is_feasible
from tunesmith.execution._best_so_far import BestSoFar
from tunesmith.execution._callback import Callback
from tunesmith.execution._notebook_progress import NotebookProgress, in_notebook_kernel
from tunesmith.objective import Pareto
from tunesmith.space import EPOCHS, PARENT
from tunesmith.study import Study
from tunesmith.trial import Trial, TrialStatus


def format_duration(seconds: float) -> str:
    """``3725.2`` → ``'01h 02m 05s'`` (the format keras-tuner users read)."""
    seconds = round(seconds)
    return f"{seconds // 3600:02d}h {seconds % 3600 // 60:02d}m {seconds % 60:02d}s"


def format_value(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


class SearchDisplay:
    """Progress of a search: trial k of N, its values beside the best so far, timings.

    ``verbose=0`` prints nothing; ``1`` prints a table per trial and a line when it
    ends; ``2`` adds one line per epoch. In a Jupyter notebook, ``1`` shows one block
    redrawn in place instead (:class:`NotebookProgress`), which ``notebook`` sets.
    """

    def __init__(
        self,
        verbose: int = 1,
        console: Console | None = None,
        notebook: NotebookProgress | None = None,
    ) -> None:
        self.verbose = verbose
        if notebook is None and verbose == 1 and console is None and in_notebook_kernel():
            notebook = NotebookProgress()
        # Only verbose=1 is replaced: verbose=2 asks for every epoch's line, kept.
        self._notebook = notebook if verbose == 1 else None
        self.console = console or Console(highlight=False)
        self._search_started = time.time()
        # The last epoch each trial reached: a pruned trial's end line names it.
        self._last_epoch: dict[str, int] = {}
        # The names each running trial had values for when it began: its end line
        # shows the ones it drew as it ran (names new to the space).
        self._shown: dict[str, set[str]] = {}
        self._live = LiveTrialLine(self.console)
        self._best: BestSoFar | None = None

    def _best_so_far(self, oracle: Study) -> Trial | None:
        if self._best is None or self._best.study is not oracle:
            self._best = BestSoFar(oracle)
        return self._best.get()

    def search_begin(self, oracle: Study) -> None:
        self._search_started = time.time()
        done = sum(1 for t in oracle.trials.values() if t.status.is_finished)
        if self.verbose and done:
            self.console.print(
                f"Resuming: {done} trial(s) already finished in the store"
                + (
                    f", {len(oracle.requeued)} interrupted trial(s) to run again."
                    if oracle.requeued
                    else "."
                )
            )

    def trial_begin(self, trial: Trial, oracle: Study) -> None:
        if not self.verbose:
            return
        self._shown[trial.trial_id] = set(trial.values)
        # Hyperband plans its trials without a max_trials.
        total = oracle.max_trials or getattr(oracle, "planned_trials", None) or "?"
        best = self._best_so_far(oracle)
        best_values = best.values if best is not None else {}
        # Infeasible configurations (never trained) and results told from elsewhere
        # do not count against max_trials, nor in "trial k of N".
        title = f"Search: trial {_counted_number(trial, oracle)} of {total} (id {trial.trial_id})"
        if _counts_configurations(oracle):
            # ASHA's max_trials counts configurations; a promotion is one more trial.
            title = _configuration_title(trial, oracle, total)
        names = list(dict.fromkeys([*trial.values, *best_values]))
        rows = [
            (
                name,
                format_value(trial.values.get(name, "")) if name in trial.values else "-",
                format_value(best_values[name]) if name in best_values else "-",
            )
            for name in names
        ]
        if self._notebook is not None:
            self._notebook.trial_begin(trial.trial_id, title, rows)
            return
        table = Table(title=title, title_justify="left")
        table.add_column("Hyperparameter")
        table.add_column("Value", justify="right")
        table.add_column("Best value so far", justify="right")
        for row in rows:
            table.add_row(*row)
        self.console.print(table)
        if self.verbose == 1:
            self._live.start(trial)

    def epoch_end(
        self,
        trial: Trial,
        execution: int,
        epoch: int,
        epochs: int | None,
        logs: Mapping[str, float],
    ) -> None:
        self._last_epoch[trial.trial_id] = epoch
        if self._notebook is not None:
            elapsed = self._notebook.elapsed(trial.trial_id)
            line = LiveTrialLine.text(trial.trial_id, execution, epoch, epochs, logs, elapsed)
            self._notebook.epoch(trial.trial_id, line)
        elif self.verbose == 1:
            self._live.update(trial.trial_id, execution, epoch, epochs, logs)
        if self.verbose < 2:
            return
        metrics = "  ".join(f"{k}={v:.4g}" for k, v in logs.items())
        self.console.print(
            f"  trial {trial.trial_id} execution {execution + 1} "
            f"epoch {epoch + 1}/{epochs or '?'}  {metrics}"
        )

    def trial_end(self, trial: Trial, oracle: Study) -> None:
        self._live.finish(trial.trial_id)
        shown = self._shown.pop(trial.trial_id, None)
        if not self.verbose:
            return
        name = oracle.objective.name
        took = format_duration(trial.seconds or 0.0)
        if trial.status is TrialStatus.INFEASIBLE:
            broken = ", ".join(broken_constraints(trial.metrics))
            outcome = f"[yellow]INFEASIBLE[/yellow] before training ({broken}): not trained"
        elif trial.status.has_result and isinstance(oracle.objective, Pareto):
            outcome = ", ".join(
                f"{n} = {trial.metrics[n]:.6g}"
                for n in oracle.objective.names
                if n in trial.metrics
            ) + (f" at epoch {trial.best_step + 1}" if trial.best_step is not None else "")
        elif trial.status.has_result:
            outcome = f"{name} = {trial.score:.6g}" + (
                # best_step counts from 0 (keras-tuner's); people count epochs from 1.
                f" at epoch {trial.best_step + 1}" if trial.best_step is not None else ""
            )
            if trial.status is TrialStatus.STOPPED:
                last = self._last_epoch.get(trial.trial_id)
                outcome += "; stopped early" + (
                    f" (pruned at epoch {last + 1})" if last is not None else ""
                )
        elif trial.error:
            outcome = f"[red]{trial.status.value}[/red]: {trial.error.strip().splitlines()[-1]}"
        else:
            outcome = trial.status.value
        if trial.status.has_result and not is_feasible(trial.metrics):
            outcome += f"; infeasible ({', '.join(broken_constraints(trial.metrics))})"
        drawn = [k for k in trial.values if shown is not None and k not in shown]
        if drawn:
            listed = ", ".join(f"{k}={format_value(trial.values[k])}" for k in drawn)
            outcome += f"; drawn as it ran: {escape(listed)}"
        ended = f"Trial {trial.trial_id} finished in {took}: {outcome}"
        elapsed = format_duration(time.time() - self._search_started)
        if isinstance(oracle.objective, Pareto):
            front = oracle.pareto_front()
            listed = ", ".join(t.trial_id for t in front[:8]) + (" …" if len(front) > 8 else "")
            so_far = f"Pareto front so far: {len(front)} trial(s)" + (
                f" ({listed})" if front else ""
            )
        else:
            best = self._best_so_far(oracle)
            best_text = f"{best.score:.6g} (trial {best.trial_id})" if best else "none yet"
            so_far = f"Best {name} so far: {best_text}"
        if self._notebook is not None:
            plain = Text.from_markup(ended).plain  # the colours are the terminal's
            self._notebook.trial_end(trial.trial_id, plain, f"{so_far}   Total elapsed: {elapsed}")
            return
        self.console.print(ended)
        self.console.print(f"{so_far}   Total elapsed: {elapsed}\n")

    def search_end(self, oracle: Study, reason: str | None) -> None:
        """The closing line, and when every trial failed, that finding (the search
        then raises it: :func:`~tunesmith.execution.run_study`)."""
        failed = oracle.all_failed()
        if self._notebook is not None and reason:
            self._notebook.end(f"Search finished: {reason}")
        elif self.verbose and reason:
            self.console.print(f"Search finished: {reason}")
        if self.verbose and failed:
            self.console.print(f"[red]{escape(failed)}[/red]")

    def close(self) -> None:
        """Stop the live line (a search that ends by an exception ends no trial)."""
        self._live.stop()

    def interrupted(self, trial: Trial | None) -> None:
        self._live.stop()
        if self._notebook is not None:
            where = f" during trial {trial.trial_id}" if trial else ""
            self._notebook.end(f"Search interrupted{where}.")
        if self.verbose:
            where = f" during trial {trial.trial_id}" if trial else ""
            self.console.print(
                f"[yellow]Search interrupted{where}.[/yellow] The store is consistent; "
                "run the search again with overwrite=False to resume."
            )


def _counts_configurations(oracle: Study) -> bool:
    """Whether ``max_trials`` counts configurations and promotions run beyond it (ASHA)."""
    scheduler = oracle.scheduler
    return bool(oracle.max_trials) and scheduler is not None and scheduler.owns_budget


def _configuration_title(trial: Trial, oracle: Study, total: object) -> str:
    """'configuration k of N' for a new configuration; for a promotion, which trial
    it continues, as it is a trial beyond the N configurations."""
    parent = trial.values.get(PARENT)
    if parent is not None:
        epochs = trial.values.get(EPOCHS)
        to = f" to {epochs} epochs" if epochs is not None else ""
        return (
            f"Search: promotion of trial {parent}{to} (trial {trial.trial_id}; "
            f"not one of the {total} configurations)"
        )
    started = sum(
        1
        for t in oracle.trials.values()
        if t.number <= trial.number
        and PARENT not in t.values
        and t.status is not TrialStatus.INFEASIBLE
        and t.trial_id not in oracle.origins
    )
    return f"Search: configuration {started} of {total} (trial {trial.trial_id})"


def _counted_number(trial: Trial, oracle: Study) -> int:
    """``trial``'s place among the trials ``max_trials`` counts: infeasible
    configurations (never trained) and results told from elsewhere are not."""
    if trial.number == len(oracle.trials) - 1 and trial.status is TrialStatus.RUNNING:
        return oracle.counted_trials()  # the newest: no walk over every trial
    skipped = sum(
        1
        for t in oracle.trials.values()
        if t.number < trial.number
        and (t.status is TrialStatus.INFEASIBLE or t.trial_id in oracle.origins)
    )
    return trial.number + 1 - skipped


#: A trial's last epoch as its line shows it: execution, epoch, epochs, logs.
_Epoch = tuple[int, int, int | None, dict[str, float]]


class LiveTrialLine:
    """A line per running trial that moves while it trains: epoch k/N, the latest
    metrics, the time taken and the time left (from the mean epoch so far).

    Drawn only on a terminal, each line gone when its trial ends (the end lines
    follow); a log file or a pipe gets the end lines alone. With workers, each
    running trial has its line.

    Example:
        >>> line = LiveTrialLine(Console(force_terminal=True, width=100))
        >>> line.text("03", 0, 3, 20, {"loss": 0.31, "val_loss": 0.35}, elapsed=8.0)
        'trial 03  epoch 4/20  loss=0.31  val_loss=0.35  00h 00m 08s elapsed, ~00h 00m 32s left'
    """

    def __init__(self, console: Console) -> None:
        self.console = console
        self._live: Live | None = None
        #: Per running trial: when it started, and its last epoch (or None yet).
        self._running: dict[str, tuple[float, _Epoch | None]] = {}

    def start(self, trial: Trial) -> None:
        if not self.console.is_terminal:
            return
        self._running[trial.trial_id] = (time.time(), None)
        if self._live is None:
            # Refreshed 4 times a second, so the elapsed time moves between epochs too.
            self._live = Live(
                _Ticking(self), console=self.console, transient=True, refresh_per_second=4
            )
            self._live.start()

    def update(
        self,
        trial_id: str,
        execution: int,
        epoch: int,
        epochs: int | None,
        logs: Mapping[str, float],
    ) -> None:
        if trial_id in self._running:
            started, _ = self._running[trial_id]
            self._running[trial_id] = (started, (execution, epoch, epochs, dict(logs)))
            if self._live is not None:
                self._live.refresh()

    def finish(self, trial_id: str) -> None:
        self._running.pop(trial_id, None)
        if not self._running:
            self.stop()

    def stop(self) -> None:
        self._running.clear()
        if self._live is not None:
            self._live.stop()
            self._live = None

    def lines(self) -> list[str]:
        now = time.time()
        out = []
        for trial_id, (started, last) in self._running.items():
            if last is None:  # before its first epoch ends
                out.append(f"trial {trial_id}  running  {format_duration(now - started)} elapsed")
            else:
                out.append(self.text(trial_id, *last, elapsed=now - started))
        return out

    @staticmethod
    def text(
        trial_id: str,
        execution: int,
        epoch: int,
        epochs: int | None,
        logs: Mapping[str, float],
        elapsed: float,
    ) -> str:
        """The line after ``epoch`` (0-based) of ``execution`` ended."""
        done = epoch + 1
        where = f"epoch {done}/{epochs}" if epochs else f"epoch {done}"
        if execution:
            where = f"execution {execution + 1}, {where}"
        metrics = "  ".join(f"{k}={v:.4g}" for k, v in logs.items())
        timing = f"{format_duration(elapsed)} elapsed"
        if epochs and done < epochs:
            timing += f", ~{format_duration(elapsed / done * (epochs - done))} left"
        return "  ".join(part for part in (f"trial {trial_id}", where, metrics, timing) if part)


class _Ticking:
    """The live lines, their times computed when they are drawn."""

    def __init__(self, line: LiveTrialLine) -> None:
        self.line = line

    def __rich__(self) -> str:
        return "\n".join(self.line.lines())


class DisplayCallback(Callback):
    """The search loop's moments shown by a :class:`SearchDisplay`."""

    def __init__(self, display: SearchDisplay) -> None:
        self.display = display

    def on_search_begin(self, study: Study) -> None:
        self.display.search_begin(study)

    def on_trial_begin(self, study: Study, trial: Trial) -> None:
        self.display.trial_begin(trial, study)

    def on_trial_progress(
        self,
        study: Study,
        trial: Trial,
        execution: int,
        epoch: int,
        epochs: int | None,
        logs: dict[str, float],
    ) -> None:
        self.display.epoch_end(trial, execution, epoch, epochs, logs)

    def on_trial_end(self, study: Study, trial: Trial) -> None:
        self.display.trial_end(trial, study)

    def on_interrupt(self, study: Study, trial: Trial | None) -> None:
        self.display.interrupted(trial)

    def on_close(self, study: Study) -> None:
        self.display.close()

    def on_search_end(self, study: Study) -> None:
        self.display.search_end(study, study.stop_reason)
