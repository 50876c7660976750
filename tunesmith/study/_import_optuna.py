"""An earlier optuna study, read through optuna's own public API.

optuna is an optional extra (``pip install "tunesmith[optuna]"``), imported only
here and only when an import is asked for. A finished optuna trial's values go
to the study's objectives in order: one value to the objective, several to a
:class:`~tunesmith.Pareto`'s objectives. When the optuna study named its values
(``set_metric_names``), the names must be the objectives'.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from tunesmith.errors import InvalidArgumentError, StudyMismatchError
from tunesmith.study._import import (
    Candidate,
    ImportReport,
    finite_numbers,
    import_candidates,
    objective_names,
    objectives_of,
)

if TYPE_CHECKING:
    from tunesmith.study._study import Study

INSTALL_HINT = 'pip install "tunesmith[optuna]"'


def import_optuna(study: Study, storage: Any, study_name: str) -> ImportReport:
    """Import the trials of the optuna study ``study_name`` in ``storage``.

    See :meth:`tunesmith.study.Study.import_optuna`.
    """
    optuna = _require_optuna()
    _check_sqlite_file(storage)
    names = optuna.get_all_study_names(storage=storage)
    if study_name not in names:
        listed = ", ".join(repr(n) for n in sorted(names)) or "none"
        raise InvalidArgumentError(
            f"The optuna storage {_storage_text(storage)} has no study named "
            f"{study_name!r}; the studies there: {listed}. Nothing was imported."
        )
    earlier = optuna.load_study(study_name=study_name, storage=storage)
    metric_names = _objective_names_for(study, earlier, study_name)
    complete = optuna.trial.TrialState.COMPLETE
    candidates = []
    for trial in earlier.trials:
        problem = None
        metrics: dict[str, float] = {}
        if trial.state != complete:
            problem = f"state {trial.state.name} in optuna"
        else:
            metrics = finite_numbers(dict(zip(metric_names, trial.values or [], strict=False)))
            if len(metrics) != len(metric_names):
                problem = f"values {trial.values} are not {len(metric_names)} finite numbers"
        steps = list(trial.intermediate_values)
        candidates.append(
            Candidate(
                source_id=str(trial.number),
                origin=f"optuna: {_storage_text(storage)} {study_name} trial {trial.number}",
                values=dict(trial.params),
                metrics=metrics,
                best_step=max(steps) if steps else 0,
                problem=problem,
            )
        )
    return import_candidates(study, f"optuna: {study_name} in {_storage_text(storage)}", candidates)


def _require_optuna() -> ModuleType:
    try:
        return importlib.import_module("optuna")
    except ImportError as exc:
        raise ImportError(
            f"Importing an optuna study needs the optuna package ({exc}). Install it "
            f"with: {INSTALL_HINT}"
        ) from exc


def _check_sqlite_file(storage: Any) -> None:
    """Refuse an sqlite URL whose file does not exist (optuna would create it)."""
    if isinstance(storage, str) and storage.startswith("sqlite:///"):
        path = Path(storage.removeprefix("sqlite:///"))
        if str(path) != ":memory:" and not path.is_file():
            raise InvalidArgumentError(
                f"The optuna storage {storage} names no file ({path} does not exist); "
                "give the URL of the storage the optuna study was saved in. Nothing was "
                "imported."
            )


def _storage_text(storage: Any) -> str:
    return storage if isinstance(storage, str) else type(storage).__name__


def _objective_names_for(study: Study, earlier: Any, study_name: str) -> list[str]:
    """The study's metric names for the optuna values, in order; a clear error when
    the optuna study optimised something else."""
    wanted = objectives_of(study.objective)
    directions = [d.name.lower()[:3] for d in earlier.directions]  # MINIMIZE -> "min"
    named = earlier.metric_names
    problem = None
    if len(directions) != len(wanted):
        problem = f"it has {len(directions)} objective value(s), this study {len(wanted)}"
    elif named is not None and list(named) != [o.name for o in wanted]:
        problem = f"its values are named {list(named)}"
    elif directions != [o.direction for o in wanted]:
        problem = f"its directions are {directions}"
    if problem is not None:
        expected = [(o.name, o.direction) for o in wanted]
        raise StudyMismatchError(
            f"The optuna study {study_name!r} does not match this study's objective "
            f"{objective_names(study.objective)!r} {expected}: {problem}. Import it into a "
            "study with the same objective(s), in the same order (tunesmith.Pareto for "
            "several); nothing was imported."
        )
    return [o.name for o in wanted]
