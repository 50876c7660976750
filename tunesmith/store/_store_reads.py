"""The read side of :class:`~tunesmith.store.Store`: what readers ask of a project.

A mixin of thin methods, each one snapshot around a function of ``_read_model`` (the
dashboard's and the report's records, JSON and cursors) or of ``_exports`` (frames,
CSV, JSON). A reader that needs several of them from one state calls those
functions inside ``Store.snapshot()`` instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from tunesmith.store import _read_model
from tunesmith.store._base import CurvePoint
from tunesmith.store._connection import Database

if TYPE_CHECKING:
    import pandas as pd


class StoreReads:
    """Read-model and export methods of :class:`~tunesmith.store.Store`."""

    _db: Database

    # --------------------------------------------------------------- read model
    def trial_metrics(self) -> dict[str, dict[str, Any]]:
        """Each trial's metrics at its best step, by trial id (no hyperparameters rebuilt).

        Example:
            >>> store.trial_metrics()["0003"]["val_loss"]     # doctest: +SKIP
            0.35
        """
        with self._db.snapshot() as conn:
            return _read_model.trial_metrics(conn)

    def trial_records(self, updated_after: float | None = None) -> list[dict[str, Any]]:
        """Every trial as plain values, or those written after ``updated_after``.

        Each record holds the fields of a :class:`~tunesmith.trial.Trial` with the
        hyperparameter values as a dict (``values``) and ``updated_at``, the time of
        the trial's last write: the cursor of a reader that follows a running search.

        Example:
            >>> fresh = store.trial_records(updated_after=cursor)  # doctest: +SKIP
        """
        with self._db.snapshot() as conn:
            return _read_model.trial_records(conn, updated_after)

    def trials_json(self, updated_after: float | None = None) -> str:
        """:meth:`trial_records` as one strict JSON array, built by SQLite itself.

        The records' keys, with the status as text and non-finite numbers as null.
        SQLite writes the JSON of every row in C, which for a study of 10 000 trials
        is several times faster than decoding the rows in Python and encoding them
        again; rows whose stored JSON holds a tagged non-finite float (and every row,
        on an SQLite without JSON functions) go through Python instead.

        Example:
            >>> rows = json.loads(store.trials_json())          # doctest: +SKIP
            >>> rows[0]["trial_id"], rows[0]["status"]          # doctest: +SKIP
            ('0000', 'COMPLETED')
        """
        with self._db.snapshot() as conn:
            return _read_model.trials_json(conn, updated_after)

    def curve_position(self) -> int:
        """The position of the newest per-step metric (see :meth:`curve_points_after`)."""
        with self._db.snapshot() as conn:
            return _read_model.curve_position(conn)

    def curve_points_after(self, position: int = 0) -> tuple[list[CurvePoint], int]:
        """Per-step metrics written after ``position``, and the position to ask from next.

        Positions grow with every write, so a reader that follows a running search
        asks for what is new instead of every curve again. A step written twice comes
        back again only when its new rows come after the reader's position; a reader
        that must see rewritten curves reads a trial again when its ``attempts``
        change (a trial run again after a crash clears its curves and starts over).

        Example:
            >>> points, position = store.curve_points_after(0)      # doctest: +SKIP
            >>> newer, position = store.curve_points_after(position)  # doctest: +SKIP
        """
        with self._db.snapshot() as conn:
            return _read_model.curve_points_after(conn, position)

    # ------------------------------------------------------------------ exports
    def load_curves(self, trial_id: str | None = None) -> pd.DataFrame:
        """Per-step metrics as a wide frame, of one trial or of all.

        Columns: ``trial_id``, ``execution``, ``step``, then one float column per
        metric name in the order they were first logged (``metric:step`` for a metric
        named like one of the first three); rows ordered by trial number, execution,
        step. A metric not logged at a step is NaN there.

        Example:
            >>> curves = store.load_curves("0003")            # doctest: +SKIP
            >>> curves.plot(x="step", y=["loss", "val_loss"])  # doctest: +SKIP
        """
        from tunesmith.store import _exports  # pandas only when a frame is asked for

        with self._db.snapshot() as conn:
            return _exports.curves_frame(conn, trial_id)

    def results_frame(self) -> pd.DataFrame:
        """One row per trial, in creation order (sorting by score is the caller's).

        Columns: ``trial_id``, ``number``, ``status`` (str), ``score``, ``best_step``,
        ``epochs``, ``executions``, ``seconds``, ``started_at``, ``ended_at`` (UTC
        datetimes), ``error`` (last line only), then one column per hyperparameter
        (prefixed ``hp:`` where a name equals one of those columns).

        Example:
            >>> frame = store.results_frame()                 # doctest: +SKIP
            >>> frame.sort_values("score").head()             # doctest: +SKIP
        """
        from tunesmith.store import _exports

        with self._db.snapshot() as conn:
            return _exports.results_frame(conn)

    def export(self, path: str | Path, format: Literal["csv", "json"] | None = None) -> Path:
        """Write the results to ``path`` as CSV (:meth:`results_frame`) or JSON (everything).

        ``format`` defaults to the file's suffix. The JSON document is
        ``{"tunesmith_store_version": N, "study": {...}, "trials": [...]}``, each trial
        with all its fields, ``values``, ``space``, ``metrics`` and ``curves``; it is
        strict JSON, with non-finite numbers written as null. The file is replaced
        atomically.

        Example:
            >>> store.export("results.csv")                   # doctest: +SKIP
            PosixPath('results.csv')
        """
        from tunesmith.store import _exports, _frames

        path = Path(path).expanduser()
        text = self.export_text(_exports.export_format(path, format))
        return _frames.write_atomically(path, text)

    def export_text(self, format: Literal["csv", "json"]) -> str:
        """What :meth:`export` writes, as a string.

        Example:
            >>> print(store.export_text("csv"))               # doctest: +SKIP
            trial_id,number,status,score,...
        """
        from tunesmith.store import _exports

        with self._db.snapshot() as conn:
            return _exports.export_text(conn, format)
