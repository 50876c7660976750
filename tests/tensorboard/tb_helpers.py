"""Reading logs back with TensorBoard's own code (a module name no other test folder uses).

``read_scalars`` uses the event multiplexer TensorBoard's server loads runs with;
``hparams_table`` runs the HParams plugin's own request handlers (what the HParams
tab asks the server for), without a server.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tensorboard import context
from tensorboard.backend.event_processing import plugin_event_multiplexer
from tensorboard.backend.event_processing.data_provider import MultiplexerDataProvider
from tensorboard.plugins import base_plugin
from tensorboard.plugins.hparams import (
    api_pb2,
    backend_context,
    get_experiment,
    list_session_groups,
    metadata,
)
from tensorboard.util import tensor_util

HPARAMS_TAGS = (
    metadata.EXPERIMENT_TAG,
    metadata.SESSION_START_INFO_TAG,
    metadata.SESSION_END_INFO_TAG,
)


def load(log_dir: Path) -> plugin_event_multiplexer.EventMultiplexer:
    multiplexer = plugin_event_multiplexer.EventMultiplexer()
    multiplexer.AddRunsFromDirectory(str(log_dir))
    multiplexer.Reload()
    return multiplexer


def read_scalars(log_dir: Path) -> dict[str, dict[str, list[tuple[int, float]]]]:
    """``{run: {tag: [(step, value), ...]}}`` for every scalar of every run."""
    multiplexer = load(log_dir)
    out: dict[str, dict[str, list[tuple[int, float]]]] = {}
    for run in multiplexer.Runs():
        accumulator = multiplexer.GetAccumulator(run)
        for tag in accumulator.Tags()["tensors"]:
            if accumulator.SummaryMetadata(tag).plugin_data.plugin_name != "scalars":
                continue
            out.setdefault(run, {})[tag] = [
                (event.step, float(tensor_util.make_ndarray(event.tensor_proto)))
                for event in accumulator.Tensors(tag)
            ]
    return out


def plugin_content(log_dir: Path, run: str, tag: str) -> bytes:
    """The plugin data of ``tag`` in ``run`` (the first one TensorBoard kept)."""
    metadata_pb = load(log_dir).SummaryMetadata(run, tag)
    return metadata_pb.plugin_data.content


def hparams_table(log_dir: Path) -> tuple[Any, dict[str, dict[str, Any]]]:
    """The HParams tab's data: the experiment, and per session group (trial id)
    ``{"hparams": {...}, "metrics": {tag: value}, "status": str, "run": str}``."""
    multiplexer = load(log_dir)
    tb_context = base_plugin.TBContext(
        data_provider=MultiplexerDataProvider(multiplexer, str(log_dir)),
        logdir=str(log_dir),
        multiplexer=multiplexer,
    )
    backend = backend_context.Context(tb_context)
    request_context = context.RequestContext()
    experiment = get_experiment.Handler(
        request_context, backend, "", api_pb2.GetExperimentRequest()
    ).run()
    request = api_pb2.ListSessionGroupsRequest(
        start_index=0,
        slice_size=1000,
        aggregation_type=api_pb2.AGGREGATION_AVG,
        allowed_statuses=[
            api_pb2.STATUS_UNKNOWN,
            api_pb2.STATUS_SUCCESS,
            api_pb2.STATUS_FAILURE,
            api_pb2.STATUS_RUNNING,
        ],
    )
    for info in experiment.hparam_infos:
        request.col_params.add(hparam=info.name)
    for info in experiment.metric_infos:
        request.col_params.add(metric=info.name)
    response = list_session_groups.Handler(request_context, backend, "", request).run()
    groups = {}
    for group in response.session_groups:
        (session,) = group.sessions
        groups[group.name] = {
            "hparams": {name: _python(value) for name, value in group.hparams.items()},
            "metrics": {m.name.tag: m.value for m in group.metric_values},
            "status": api_pb2.Status.Name(session.status),
            "run": session.name,
        }
    return experiment, groups


def domain(info: Any) -> list[Any] | tuple[float, float] | None:
    """An HParamInfo's domain: listed values, ``(min, max)``, or None."""
    if info.HasField("domain_discrete"):
        return [_python(value) for value in info.domain_discrete.values]
    if info.HasField("domain_interval"):
        return (info.domain_interval.min_value, info.domain_interval.max_value)
    return None


def _python(value: Any) -> Any:
    return getattr(value, value.WhichOneof("kind"))


def make_space() -> Any:
    """A space with every type and domain kind, and a conditional hyperparameter."""
    from tunesmith.space import HyperParameters

    hp = HyperParameters()
    hp.Int("units", 4, 16, step=4)  # stepped: listed
    hp.Int("layers", 1, 3)  # every integer: an interval
    hp.Float("lr", 1e-4, 1e-1, sampling="log")  # continuous: an interval
    hp.Float("dropout", 0.0, 0.5, step=0.25)  # stepped: listed
    hp.Choice("activation", ["relu", "tanh"])
    hp.Boolean("batch_norm")
    hp.Fixed("optimizer", "adam")
    with hp.conditional_scope("activation", "tanh"):
        hp.Float("slope", 0.1, 1.0)
    return hp
