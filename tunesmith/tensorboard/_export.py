"""A stored search as TensorBoard logs, after the fact, on any backend (no Keras needed)."""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tunesmith.errors import StoreError
from tunesmith.store import DB_FILENAME, Store, find_store
from tunesmith.tensorboard._deps import require_tensorboard
from tunesmith.tensorboard._events import EpochWriter
from tunesmith.tensorboard._hparams import (
    execution_log_dir,
    experiment_summary,
    write_experiment,
    write_trial,
)

if TYPE_CHECKING:
    import pandas as pd

    from tunesmith.space import HyperParameter
    from tunesmith.trial import Trial

_KEY_COLUMNS = ("trial_id", "execution", "step")


def export_store(
    project_dir: str | os.PathLike[str],
    log_dir: str | os.PathLike[str],
    *,
    overwrite: bool = False,
) -> Path:
    """Write every trial of a stored search as TensorBoard logs; returns ``log_dir``.

    The layout is the one a search with a TensorBoard callback writes: the HParams
    experiment at ``log_dir``, each trial's session (values, status, score and
    best-epoch metrics) in ``trial_<id>/``, and its epoch curves in
    ``trial_<id>/execution_<n>/train`` and ``/validation`` (``epoch_<metric>`` tags).
    The store is only read; a search may be running on it. The curves carry the
    trial's start time (the store keeps no time per epoch), and a NaN in the stored
    curves counts as "not logged".

    Args:
        project_dir: The project folder (``<directory>/<project_name>``), its
            ``tunesmith.db``, or a folder holding exactly one project.
        log_dir: Where to write; created if missing.
        overwrite: Delete the event files already under ``log_dir`` first. Without
            it, a ``log_dir`` holding event files is refused, since TensorBoard would
            mix them with the export.

    Raises:
        StoreError: No store at ``project_dir`` (or it is unreadable, or several
            projects match).
        FileExistsError: ``log_dir`` holds event files and ``overwrite`` is False.
        ImportError: The ``tensorboard`` package is missing.

    Example:
        >>> from tunesmith.tensorboard import export_store
        >>> export_store("runs/mnist", "tb/mnist")             # doctest: +SKIP
        PosixPath('tb/mnist')
        >>> # then: tensorboard --logdir tb/mnist
    """
    require_tensorboard()
    found = find_store(project_dir)
    if found is None:
        raise StoreError(
            f"No tunesmith store at {project_dir}: neither it nor a folder directly inside "
            f"it holds {DB_FILENAME}. Pass a search's project folder "
            "(<directory>/<project_name>)."
        )
    log_dir = Path(log_dir).expanduser()
    _clear_event_files(log_dir, overwrite)
    with Store.open_read_only(found) as store:
        study = store.load_study() or {}
        trials = store.load_trials()
        curves = store.load_curves()

    started = {trial.trial_id: trial.started_at for trial in trials}
    _write_curves(log_dir, curves, started)
    objective = (study.get("objective") or {}).get("name")
    metric_names = [name for trial in trials for name in trial.metrics or {}]
    log_dir.mkdir(parents=True, exist_ok=True)
    write_experiment(
        log_dir, experiment_summary(_definitions(study, trials), objective, metric_names)
    )
    for trial in trials:
        write_trial(log_dir, trial, objective)
    return log_dir


def _write_curves(log_dir: Path, curves: pd.DataFrame, started: dict[str, Any]) -> None:
    metrics = [column for column in curves.columns if column not in _KEY_COLUMNS]
    for (trial_id, execution), rows in curves.groupby(["trial_id", "execution"], sort=False):
        directory = execution_log_dir(log_dir, str(trial_id), int(execution))
        with EpochWriter(directory) as writer:
            for record in rows.to_dict("records"):
                logs = {name: record[name] for name in metrics if not math.isnan(record[name])}
                writer.write_epoch(int(record["step"]), logs, wall_time=started.get(trial_id))


def _definitions(study: dict[str, Any], trials: list[Trial]) -> list[HyperParameter]:
    """The study's space, plus any definition only a trial's own space has."""
    from tunesmith.space import HyperParameters

    definitions = (
        list(HyperParameters.from_config(study["space"]).space) if study.get("space") else []
    )
    for trial in trials:
        for definition in trial.hyperparameters.space:
            if not any(definition.same_definition(known) for known in definitions):
                definitions.append(definition)
    return definitions


def _clear_event_files(log_dir: Path, overwrite: bool) -> None:
    existing = (
        sorted(p for p in log_dir.rglob("*tfevents*") if p.is_file()) if log_dir.is_dir() else []
    )
    if existing and not overwrite:
        raise FileExistsError(
            f"{log_dir} already holds {len(existing)} TensorBoard event file(s), which "
            "TensorBoard would mix with the export. Choose an empty folder, or pass "
            "overwrite=True to delete them first."
        )
    for path in existing:
        path.unlink()
