"""What readers of a store (the dashboard, the report) read, as plain functions of a
connection, to call inside one :meth:`Store.snapshot <tunesmith.store.Store.snapshot>`.

Example:
    >>> from tunesmith.store import Store, read_model
    >>> with Store.open_read_only("runs/w1") as store:      # doctest: +SKIP
    ...     with store.snapshot() as conn:
    ...         settings = read_model.study_settings(conn)
    ...         trials = read_model.trials_json(conn)
"""

from tunesmith.store._read_model import (
    curve_points_after,
    curve_position,
    result_records,
    trial_metrics,
    trial_records,
    trials_json,
)
from tunesmith.store._rows import curve_points, study_settings

__all__ = [
    "curve_points",
    "curve_points_after",
    "curve_position",
    "result_records",
    "study_settings",
    "trial_metrics",
    "trial_records",
    "trials_json",
]
