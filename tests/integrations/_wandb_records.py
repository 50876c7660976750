"""Reads a W&B offline run back from its ``run-<id>.wandb`` file.

The file is a record log in LevelDB's log format (32 KiB blocks; each record a
7-byte header of checksum, length and type, then a protobuf ``Record``), after a
7-byte file header. wandb 0.31 no longer ships its Python reader of it, so the
tests read it here: what W&B would sync is what they assert.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wandb.proto import wandb_internal_pb2

_BLOCK = 32 * 1024
_HEADER = 7  # checksum (4), length (2), type (1)
_FULL, _FIRST, _MIDDLE, _LAST = 1, 2, 3, 4


def _payloads(data: bytes) -> list[bytes]:
    """The records' bytes, with records split over blocks joined again."""
    assert data[:4] == b":W&B", "not a W&B run file"
    position, pending, out = 7, b"", []
    while position + _HEADER <= len(data):
        room = _BLOCK - position % _BLOCK
        if room < _HEADER:  # the rest of a block too short for a header is padding
            position += room
            continue
        _checksum, length, kind = struct.unpack("<IHB", data[position : position + _HEADER])
        if kind == 0 and length == 0:
            position += room  # zero padding up to the next block
            continue
        start = position + _HEADER
        chunk = data[start : start + length]
        position = start + length
        if kind == _FULL:
            out.append(chunk)
        elif kind == _FIRST:
            pending = chunk
        elif kind == _MIDDLE:
            pending += chunk
        elif kind == _LAST:
            out.append(pending + chunk)
            pending = b""
    return out


@dataclass
class OfflineRun:
    """What one offline run logged: config, history rows, summary, exit code."""

    run_id: str = ""
    name: str = ""
    project: str = ""
    group: str = ""
    job_type: str = ""
    config: dict[str, Any] = field(default_factory=dict)
    history: list[dict[str, Any]] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    exit_code: int | None = None


def read_run(path: Path) -> OfflineRun:
    """The run logged in the ``.wandb`` file at ``path``."""
    run = OfflineRun()
    for payload in _payloads(path.read_bytes()):
        record = wandb_internal_pb2.Record()
        record.ParseFromString(payload)
        kind = record.WhichOneof("record_type")
        if kind == "run":
            run.run_id, run.name = record.run.run_id, record.run.display_name
            run.project, run.group = record.run.project, record.run.run_group
            run.job_type = record.run.job_type
            _update(run.config, record.run.config.update)
        elif kind == "config":
            _update(run.config, record.config.update)
        elif kind == "history":
            row: dict[str, Any] = {}
            for item in record.history.item:
                row[item.key or "/".join(item.nested_key)] = json.loads(item.value_json)
            run.history.append(row)
        elif kind == "summary":
            for item in record.summary.update:
                run.summary[item.key or "/".join(item.nested_key)] = json.loads(item.value_json)
        elif kind == "exit":
            run.exit_code = record.exit.exit_code
    return run


def _update(config: dict[str, Any], items: Any) -> None:
    for item in items:
        value = json.loads(item.value_json)
        # W&B wraps each config value as {"value": ..., "desc": ...}
        config[item.key] = value["value"] if isinstance(value, dict) and "value" in value else value


def read_runs(folder: Path) -> list[OfflineRun]:
    """Every offline run under ``folder`` (W&B's ``dir``), by run name."""
    files = {path.resolve() for path in folder.rglob("run-*.wandb")}  # not latest-run twice
    runs = [read_run(path) for path in files]
    return sorted(runs, key=lambda run: run.name)
