"""A saved project read back in Python: :func:`load` and :class:`Project`.

The Python side of ``tunesmith summary`` / ``export`` / ``report``: the store is
opened read-only (a search may still be writing it; nothing on disk changes), the
study's settings say which trials are best (the ranking the tuner uses, a Pareto
front first under several objectives), and the results come back as pandas frames
in their declared types.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from tunesmith import ranking
from tunesmith.objective import Objective
from tunesmith.oracles import load_oracle
from tunesmith.store import Store, require_store
from tunesmith.trial import Trial

if TYPE_CHECKING:
    import pandas as pd


class Project:
    """A stored tuning project, open read-only (see :func:`load`).

    Example:
        >>> import tunesmith
        >>> with tunesmith.load("runs/mnist") as project:   # doctest: +SKIP
        ...     print(project.best_trial.values)
        ...     frame = project.results_frame()
    """

    def __init__(self, store: Store) -> None:
        self._store = store
        self._oracle = load_oracle(store)

    @property
    def project_dir(self) -> Path:
        """The project folder (``<directory>/<project_name>``)."""
        return self._store.project_dir

    @property
    def objective(self) -> Objective:
        """What the search optimised (a :class:`~tunesmith.Pareto` under several)."""
        objective: Objective = self._oracle.objective
        return objective

    @property
    def trials(self) -> list[Trial]:
        """Every trial, in the order the search created them."""
        return sorted(self._oracle.trials.values(), key=lambda trial: trial.number)

    def best_trials(self, n: int | None = None) -> list[Trial]:
        """The ranked trials, best first (all of them, or the ``n`` best).

        The tuner's rule (:mod:`tunesmith.ranking`): trials with a finite score that
        break no constraint; under a Pareto objective the front comes first.
        """
        ranked = ranking.rank_trials(self.trials, self.objective)
        return ranked if n is None else ranked[: max(0, n)]

    @property
    def best_trial(self) -> Trial | None:
        """The best trial, or None when no trial has a ranked result yet."""
        best = self.best_trials(1)
        return best[0] if best else None

    def pareto_front(self) -> list[Trial]:
        """The trials no other dominates, in ranking order (the best one for a
        single objective)."""
        return ranking.pareto_front(self.trials, self.objective)

    def results_frame(self) -> pd.DataFrame:
        """One row per trial (see :meth:`tunesmith.store.Store.results_frame`); each
        hyperparameter in its declared type (an ``Int`` as integers, nullable
        ``Int64`` where a conditional one is missing)."""
        return self._store.results_frame()

    def curves(self, trial_id: str) -> pd.DataFrame:
        """One trial's per-epoch metrics: ``trial_id``, ``execution``, ``step``, then a
        column per metric (see :meth:`tunesmith.store.Store.load_curves`)."""
        if trial_id not in self._oracle.trials:
            known = ", ".join(sorted(self._oracle.trials)) or "none"
            raise KeyError(f"No trial {trial_id!r} in {self.project_dir}; its trials: {known}.")
        return self._store.load_curves(trial_id)

    def write_report(self, path: str | os.PathLike[str] | None = None, **options: Any) -> Path:
        """Write the HTML report (:func:`tunesmith.report.write_report`, the same as
        ``tunesmith report``); default ``<project>/report.html``."""
        from tunesmith.report import write_report  # matplotlib, only when asked

        return write_report(self._store, path, **options)

    def close(self) -> None:
        """Close the store (reading a closed project raises)."""
        self._store.close()

    def __enter__(self) -> Project:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Project({str(self.project_dir)!r}, trials={len(self._oracle.trials)})"


def load(path: str | os.PathLike[str]) -> Project:
    """Open a saved tuning project to read it, changing nothing on disk.

    ``path`` is the project folder (``<directory>/<project_name>``), its parent when
    that holds one project, or the ``tunesmith.db`` file. A path without a project
    raises :class:`~tunesmith.errors.StoreError` naming the path and what was
    expected; a damaged store raises :class:`~tunesmith.errors.StoreCorruptError`.
    Close the project when done (or use it as a context manager).

    Example:
        >>> import tunesmith
        >>> with tunesmith.load("runs/my_search") as project:   # doctest: +SKIP
        ...     project.best_trial.values
        ...     project.results_frame().sort_values("score").head()
        ...     project.curves(project.best_trial.trial_id)
    """
    store = Store.open_read_only(require_store(path))
    try:
        return Project(store)
    except BaseException:
        store.close()
        raise


__all__ = ["Project", "load"]
