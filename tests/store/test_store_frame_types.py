"""The results frame keeps each hyperparameter's declared type: an ``Int`` stays an
integer column (nullable where a conditional value is missing), never ``16.0``."""

from __future__ import annotations

import pandas as pd

from tunesmith import tune
from tunesmith.store import Store, records_frame


def objective(hp):
    units = hp.Int("units", 8, 64, step=8)
    if hp.Boolean("extra"):
        with hp.conditional_scope("extra", [True]):
            units += hp.Int("width", 1, 4)
    return units * 0.01 + hp.Float("lr", 1e-3, 1e-1, sampling="log")


def test_int_columns_stay_integers_in_the_frame_and_the_csv(tmp_path):
    tune(objective, objective="loss", max_trials=8, seed=3, directory=tmp_path, project_name="p")
    with Store.open_read_only(tmp_path / "p") as store:
        frame = store.results_frame()
        csv = store.export_text("csv")
    assert frame["units"].dtype == "int64"
    assert frame["lr"].dtype == "float64"
    width = frame["width"]
    assert width.dtype == "Int64" and width.isna().any() and width.notna().any()
    header, *rows = csv.splitlines()
    column = header.split(",").index("width")
    assert all("." not in row.split(",")[column] for row in rows)


def test_a_declared_int_stored_as_a_whole_float_reads_as_an_int():
    records = [
        {
            "trial_id": str(n),
            "number": n,
            "status": _Status(),
            "score": 0.1,
            "best_step": 0,
            "epochs": 1,
            "executions": 1,
            "started_at": None,
            "ended_at": None,
            "error": None,
            "values": values,
            "metrics": {},
        }
        for n, values in enumerate([{"n": 16.0}, {}])
    ]
    space = {"space": [{"class_name": "Int", "config": {"name": "n"}}]}
    frame = records_frame(records, {"space": {"space": space["space"]}})
    assert frame["n"].dtype == "Int64"
    assert frame["n"].tolist() == [16, pd.NA]


class _Status:
    value = "COMPLETED"
