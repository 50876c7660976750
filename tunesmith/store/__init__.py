"""Where a study is kept: the public :class:`Storage` interface and its two backends.

A study reads and writes only through :class:`Storage` (its settings, its trials,
their per-step curves, a folder per trial for files), so the same study code runs on:

* :class:`Store`, the default: a tuning project on disk, one crash-safe SQLite
  database and a folder per trial;
* :class:`MemoryStore`: this process only (tests, a search without a folder).

:func:`open_storage` turns a ``storage=`` argument (None, ``"memory"`` or a
:class:`Storage`) into one.

Layout of a project directory::

    <project_dir>/tunesmith.db        study settings, trials, per-step metrics
    <project_dir>/trials/<trial_id>/  files of one trial (e.g. best.weights.h5)

The search driver is the only writer. Each state change is one SQLite transaction
(WAL journal), so a process killed at any moment leaves a store that opens cleanly
and holds every trial whole, losing at most the one in flight. A file that is not a
tunesmith store, or one written by a newer tunesmith, is refused with an error
naming the fix, and left untouched. Readers (summary, export, report, dashboard)
open it with :meth:`Store.open_read_only` and never write.

:class:`Store` is one public class over small private modules, one job each:
``_connection`` (opening, checks, transactions, backup), ``_study_records`` (writing
and reading the study, its trials and curves), ``_rows`` (rows as plain values),
``_read_model`` (what the dashboard and the report read: records, JSON, cursors;
plain functions of a connection, to call inside :meth:`Store.snapshot`) and
``_exports`` (pandas frames, CSV and JSON). ``_schema``, ``_wal``, ``_lock`` and
``_recover`` check, lock and repair the files.

Example:
    >>> from tunesmith.store import Store
    >>> with Store.open("runs/mnist") as store:               # doctest: +SKIP
    ...     store.save_study({"algorithm": "random", "max_trials": 10})
    ...     store.results_frame()
"""

import importlib
from typing import Any

from tunesmith.store import read_model
from tunesmith.store._base import CurvePoint, Storage, StudyRecords
from tunesmith.store._codec import strict as strict_json
from tunesmith.store._lock import driver_running
from tunesmith.store._memory import MemoryStore
from tunesmith.store._open import open_storage
from tunesmith.store._paths import (
    DAMAGED_PREFIX,
    DB_FILENAME,
    TRIALS_DIRNAME,
    check_trial_id,
    find_store,
    no_project_message,
    require_store,
    sidecars,
)
from tunesmith.store._recover import Recovery, recover
from tunesmith.store._schema import SCHEMA_VERSION
from tunesmith.store._settings import SETTINGS_FORMAT, describe_part, normalise_settings
from tunesmith.store._sqlite import Store

__all__ = [
    "DAMAGED_PREFIX",
    "DB_FILENAME",
    "RESULT_COLUMNS",
    "SCHEMA_VERSION",
    "SETTINGS_FORMAT",
    "TRIALS_DIRNAME",
    "CurvePoint",
    "MemoryStore",
    "Recovery",
    "Storage",
    "Store",
    "StudyRecords",
    "check_trial_id",
    "describe_part",
    "driver_running",
    "find_store",
    "no_project_message",
    "normalise_settings",
    "open_storage",
    "read_model",
    "records_frame",
    "recover",
    "require_store",
    "sidecars",
    "strict_json",
    "trial_record",
]


def __getattr__(name: str) -> Any:
    # The frames need pandas, which `import tunesmith` must not load.
    if name in ("RESULT_COLUMNS", "trial_record"):
        return getattr(importlib.import_module("tunesmith.store._frames"), name)
    if name == "records_frame":
        return importlib.import_module("tunesmith.store._frames").results_frame
    raise AttributeError(f"module 'tunesmith.store' has no attribute {name!r}")
