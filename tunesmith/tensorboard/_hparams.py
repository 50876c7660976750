"""HParams summaries: the experiment (hyperparameters, domains, metrics) and each trial's session.

Layout under a TensorBoard log root (the same for a live search and an export)::

    <root>/events...tunesmith-experiment      the experiment: every hyperparameter with
                                              its domain, and the metrics
    <root>/trial_<id>/events...               the trial's session: its values (start),
                                              its status (end), its score and metrics
    <root>/trial_<id>/execution_<n>/train/    epoch curves of each execution, as
    <root>/trial_<id>/execution_<n>/validation/   keras.callbacks.TensorBoard writes them

The trial is the HParams session; executions are sub-runs of it, so the curves of
repeated fits stay apart while the HParams table has one row per trial. The
table's metrics are trial-level scalars: ``tunesmith/score`` (the objective as the
oracle ranks it) and ``tunesmith/best/<metric>`` (every other metric at the best
epoch, averaged over executions, as in ``trial.metrics``), at the best step.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tunesmith.tensorboard._events import RunWriter
from tunesmith.trial import TrialStatus

if TYPE_CHECKING:
    from tunesmith.space import HyperParameter
    from tunesmith.trial import Trial

#: The trial-level scalar holding the score; it is the HParams table's first metric.
SCORE_TAG = "tunesmith/score"
#: Prefix of the trial-level scalars holding the other metrics at the best epoch.
BEST_PREFIX = "tunesmith/best/"
#: Ends the name of the root's experiment file, so a refresh finds the one to replace.
EXPERIMENT_SUFFIX = ".tunesmith-experiment"
# Above this many values a stepped range is shown as an interval: a checkbox per
# value would bury the HParams filter pane.
_MAX_LISTED = 100

_STATUS = {
    TrialStatus.COMPLETED: "STATUS_SUCCESS",
    TrialStatus.STOPPED: "STATUS_SUCCESS",  # ended early by the pruner, but a result
    TrialStatus.FAILED: "STATUS_FAILURE",
    TrialStatus.INVALID: "STATUS_FAILURE",  # a NaN or infinite objective
    TrialStatus.INFEASIBLE: "STATUS_FAILURE",  # broke a model limit, never trained
    TrialStatus.RUNNING: "STATUS_RUNNING",
}


def trial_run_name(trial_id: str) -> str:
    """The folder of a trial under the log root (``trial_<id>``)."""
    return f"trial_{trial_id}"


def execution_run_name(execution: int) -> str:
    """The folder of one execution under its trial's folder (``execution_<n>``)."""
    return f"execution_{execution}"


def execution_log_dir(root: str | os.PathLike[str], trial_id: str, execution: int) -> str:
    """``<root>/trial_<id>/execution_<n>``: where one execution's curves go."""
    return os.path.join(os.fspath(root), trial_run_name(trial_id), execution_run_name(execution))


def metric_tag(name: str, objective_name: str | None) -> str:
    """The trial-level tag of a metric: the objective is the score."""
    return SCORE_TAG if name == objective_name else BEST_PREFIX + name


# ------------------------------------------------------------------ experiment
def experiment_summary(
    definitions: Iterable[HyperParameter],
    objective_name: str | None,
    metric_names: Iterable[str],
    time_created_secs: float | None = None,
) -> Any:
    """The HParams experiment: every hyperparameter with its domain, and the metrics.

    A ``Choice``, ``Boolean``, ``Fixed`` and a stepped ``Int``/``Float`` (at most 100
    values) list their values; other ranges are an interval. Definitions sharing a
    name (conditional branches) are merged. The metrics are the score, then every
    other name of ``metric_names`` at the best epoch.

    Example:
        >>> pb = experiment_summary(hp.space, "val_loss", ["loss", "val_loss"])  # doctest: +SKIP
    """
    from tensorboard.plugins.hparams import api_pb2, plugin_data_pb2

    by_name: dict[str, list[HyperParameter]] = {}
    for definition in definitions:
        by_name.setdefault(definition.name, []).append(definition)
    hparam_infos = [_hparam_info(name, defs) for name, defs in by_name.items()]
    metric_infos = [
        api_pb2.MetricInfo(
            name=api_pb2.MetricName(tag=SCORE_TAG),
            display_name=f"score ({objective_name})" if objective_name else "score",
            description="The objective at each execution's best epoch, averaged over executions.",
        )
    ]
    for name in sorted(set(metric_names)):
        if name == objective_name:
            continue
        validation = name.startswith("val_")
        metric_infos.append(
            api_pb2.MetricInfo(
                name=api_pb2.MetricName(tag=metric_tag(name, objective_name)),
                display_name=name,
                description=f"{name} at the best epoch, averaged over executions.",
                dataset_type=(
                    api_pb2.DATASET_VALIDATION if validation else api_pb2.DATASET_TRAINING
                ),
            )
        )
    experiment = api_pb2.Experiment(
        hparam_infos=hparam_infos,
        metric_infos=metric_infos,
        time_created_secs=time.time() if time_created_secs is None else time_created_secs,
    )
    return _summary("EXPERIMENT_TAG", plugin_data_pb2.HParamsPluginData(experiment=experiment))


def write_experiment(root: str | os.PathLike[str], summary: Any) -> Path:
    """Write ``summary`` as the root's experiment, replacing the one written before.

    TensorBoard keeps the first experiment it reads in a folder, so the old file is
    deleted once the new one is complete (a TensorBoard already running keeps
    showing the old one until it restarts).
    """
    root = Path(root)
    old = sorted(root.glob(f"*tfevents*{EXPERIMENT_SUFFIX}"))
    with RunWriter(root, filename_suffix=EXPERIMENT_SUFFIX) as writer:
        writer.summary(summary, step=0)
        path = writer.path
    for stale in old:
        stale.unlink(missing_ok=True)
    assert path is not None  # a summary was written
    return path


def _hparam_info(name: str, definitions: list[HyperParameter]) -> Any:
    from tensorboard.plugins.hparams import api_pb2

    info = api_pb2.HParamInfo(
        name=name,
        description="; ".join(repr(d) for d in definitions),
        type=_data_type(definitions[0].default),
    )
    domains = [_domain(d) for d in definitions]
    if all(isinstance(d, list) for d in domains):
        listed = [v for d in domains for v in d]  # type: ignore[union-attr]
        info.domain_discrete.extend(list(dict.fromkeys(listed)))
        return info
    bounds = [v for d in domains if d is not None for v in d]
    if bounds and all(_is_number(v) for v in bounds):
        info.domain_interval.min_value = float(min(bounds))
        info.domain_interval.max_value = float(max(bounds))
    return info  # no domain: TensorBoard then infers one from the values


def _domain(definition: HyperParameter) -> list[Any] | tuple[float, float] | None:
    """Listed values, or ``(min, max)``, or None when the type is unknown."""
    from tunesmith.space import Boolean, Choice, Fixed, Float, Int

    if isinstance(definition, (Choice, Boolean, Fixed)):
        return definition.grid_values()
    if isinstance(definition, (Int, Float)):
        step = definition.step
        # An Int with step 1 is a plain range; a Float without step is continuous.
        stepped = step is not None and not (
            isinstance(definition, Int) and step == 1 and definition.sampling == "linear"
        )
        if stepped and (definition.cardinality() or _MAX_LISTED + 1) <= _MAX_LISTED:
            return definition.grid_values()
        return (definition.min_value, definition.max_value)
    return None


# --------------------------------------------------------------------- sessions
def session_start_summary(trial: Trial) -> Any:
    """The trial's session start: its active hyperparameter values, grouped by trial id.

    Inactive conditional hyperparameters are left out (they had no effect).
    """
    from tensorboard.plugins.hparams import plugin_data_pb2

    start = plugin_data_pb2.SessionStartInfo(
        group_name=trial.trial_id,
        start_time_secs=trial.started_at if trial.started_at is not None else time.time(),
    )
    for name, value in trial.hyperparameters.active_values().items():
        if isinstance(value, bool):
            start.hparams[name].bool_value = value
        elif _is_number(value):
            start.hparams[name].number_value = float(value)
        elif isinstance(value, str):
            start.hparams[name].string_value = value
    return _summary(
        "SESSION_START_INFO_TAG", plugin_data_pb2.HParamsPluginData(session_start_info=start)
    )


def session_end_summary(trial: Trial) -> Any:
    """The trial's session end: its status (success for completed and early-stopped
    trials, failure for failed and invalid ones) and end time."""
    from tensorboard.plugins.hparams import api_pb2, plugin_data_pb2

    end = plugin_data_pb2.SessionEndInfo(
        status=api_pb2.Status.Value(_STATUS[TrialStatus(trial.status)]),
        end_time_secs=trial.ended_at if trial.ended_at is not None else time.time(),
    )
    return _summary("SESSION_END_INFO_TAG", plugin_data_pb2.HParamsPluginData(session_end_info=end))


def trial_scalars(trial: Trial, objective_name: str | None) -> dict[str, float]:
    """The trial-level scalars by tag: the score, and the other metrics at the best epoch."""
    scalars = {
        metric_tag(name, objective_name): float(value)
        for name, value in (trial.metrics or {}).items()
        if name != objective_name and _is_number(value)
    }
    if trial.score is not None:
        scalars = {SCORE_TAG: float(trial.score), **scalars}
    return scalars


def write_trial(root: str | os.PathLike[str], trial: Trial, objective_name: str | None) -> Path:
    """Write ``trial``'s session to ``<root>/trial_<id>``; returns that folder.

    A finished trial also gets its session end and its trial-level scalars (at its
    best step); a running one only its start.
    """
    run_dir = Path(root) / trial_run_name(trial.trial_id)
    with RunWriter(run_dir) as writer:
        writer.summary(session_start_summary(trial), step=0, wall_time=trial.started_at)
        if TrialStatus(trial.status).is_finished:
            step = trial.best_step or 0
            for tag, value in trial_scalars(trial, objective_name).items():
                writer.scalar(tag, value, step, wall_time=trial.ended_at)
            writer.summary(session_end_summary(trial), step=0, wall_time=trial.ended_at)
    return run_dir


# ---------------------------------------------------------------------- helpers
def _summary(tag_name: str, plugin_data: Any) -> Any:
    from tensorboard.compat.proto import summary_pb2
    from tensorboard.plugins.hparams import metadata

    summary = summary_pb2.Summary()
    summary.value.add(
        tag=getattr(metadata, tag_name),
        metadata=metadata.create_summary_metadata(plugin_data),
        tensor=metadata.NULL_TENSOR,
    )
    return summary


def _data_type(value: Any) -> int:
    from tensorboard.plugins.hparams import api_pb2

    if isinstance(value, bool):
        return api_pb2.DATA_TYPE_BOOL
    if _is_number(value):
        return api_pb2.DATA_TYPE_FLOAT64
    if isinstance(value, str):
        return api_pb2.DATA_TYPE_STRING
    return api_pb2.DATA_TYPE_UNSET


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
