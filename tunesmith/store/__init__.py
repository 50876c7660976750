"""A tuning project on disk: one crash-safe SQLite database and a folder per trial.

Layout of a project directory::

    <project_dir>/tunesmith.db        study settings, trials, per-step metrics
    <project_dir>/trials/<trial_id>/  files of one trial (e.g. best.weights.h5)

The search driver is the only writer. Each state change is one SQLite transaction
(WAL journal), so a process killed at any moment leaves a store that opens cleanly
and holds every trial whole, losing at most the one in flight. A file that is not a
tunesmith store, or one written by a newer tunesmith, is refused with an error
naming the fix, and left untouched.

Example:
    >>> from tunesmith.store import Store
    >>> with Store.open("runs/mnist") as store:               # doctest: +SKIP
    ...     store.save_study({"algorithm": "random", "max_trials": 10})
    ...     store.results_frame()
"""

from tunesmith.store._paths import DB_FILENAME, TRIALS_DIRNAME, find_store
from tunesmith.store._records import CurvePoint, MemoryStore, StudyRecords
from tunesmith.store._recover import Recovery, recover
from tunesmith.store._schema import SCHEMA_VERSION
from tunesmith.store._sqlite import Store

__all__ = [
    "DB_FILENAME",
    "SCHEMA_VERSION",
    "TRIALS_DIRNAME",
    "CurvePoint",
    "MemoryStore",
    "Recovery",
    "Store",
    "StudyRecords",
    "find_store",
    "recover",
]
