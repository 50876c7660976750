"""results_frame and the CSV / JSON exports."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest
from store_helpers import make_trial

from tunesmith.store import SCHEMA_VERSION, Store
from tunesmith.trial import TrialStatus

FIXED = [
    "trial_id",
    "number",
    "status",
    "score",
    "best_step",
    "epochs",
    "executions",
    "seconds",
    "started_at",
    "ended_at",
    "error",
]
TRACEBACK = (
    "Traceback (most recent call last):\n"
    '  File "model.py", line 3, in build\n'
    "    raise ValueError('too big')\n"
    "ValueError: too big\n\n"
)


@pytest.fixture
def filled(store: Store) -> Store:
    store.save_study(
        {
            "algorithm": "random",
            "objective": {"name": "loss", "direction": "min"},
            "alpha": math.nan,
        }
    )
    store.save_trial(
        make_trial(
            0,
            {"units": 8, "act": "relu"},
            status=TrialStatus.COMPLETED,
            score=0.25,
            best_step=3,
            metrics={"loss": 0.25, "acc": 0.9},
            started_at=1_700_000_000.0,
            ended_at=1_700_000_012.5,
            executions=2,
            epochs=8,
        )
    )
    store.save_trial(
        make_trial(
            1,
            {"units": 16, "act": "tanh", "extra": True},
            status=TrialStatus.FAILED,
            error=TRACEBACK,
            started_at=1_700_000_020.0,
            ended_at=1_700_000_021.0,
            attempts=3,
        )
    )
    store.save_trial(
        make_trial(
            2,
            {"units": 32, "act": "relu"},
            status=TrialStatus.INVALID,
            score=math.nan,
            best_step=0,
            metrics={"loss": math.inf},
            started_at=1_700_000_030.0,
            ended_at=1_700_000_031.0,
            executions=1,
            epochs=1,
        )
    )
    store.save_trial(make_trial(3, {"units": 64, "act": "relu"}, started_at=1_700_000_040.0))
    for step in range(2):
        store.append_metrics("0000", 0, step, {"loss": 1.0 / (step + 1), "acc": 0.5})
    store.append_metrics("0002", 0, 0, {"loss": math.inf, "acc": math.nan})
    return store


def test_results_frame_columns_and_dtypes(filled: Store) -> None:
    frame = filled.results_frame()
    assert list(frame.columns) == [*FIXED, "units", "act", "extra"]
    assert frame["trial_id"].tolist() == ["0000", "0001", "0002", "0003"]
    assert frame["number"].dtype == "int64"
    assert frame["status"].tolist() == ["COMPLETED", "FAILED", "INVALID", "RUNNING"]
    assert pd.api.types.is_string_dtype(frame["status"])
    assert pd.api.types.is_string_dtype(frame["trial_id"])
    assert frame["score"].dtype == "float64"
    assert frame["score"].iloc[0] == 0.25 and frame["score"].iloc[1:].isna().all()
    assert frame["best_step"].dtype == "Int64"
    assert frame["best_step"].tolist()[:1] == [3] and frame["best_step"].isna().tolist() == [
        False,
        True,
        False,
        True,
    ]
    assert frame["epochs"].dtype == "int64" and frame["executions"].dtype == "int64"
    assert frame["epochs"].tolist() == [8, 0, 1, 0]
    assert frame["seconds"].dtype == "float64"
    assert frame["seconds"].iloc[0] == 12.5 and math.isnan(frame["seconds"].iloc[3])
    for column in ("started_at", "ended_at"):
        assert isinstance(frame[column].dtype, pd.DatetimeTZDtype)
        assert str(frame[column].dtype.tz) == "UTC"
    assert frame["started_at"].iloc[0] == pd.Timestamp("2023-11-14 22:13:20", tz="UTC")
    assert pd.isna(frame["ended_at"].iloc[3])
    assert frame["error"].tolist() == [None, "ValueError: too big", None, None]
    assert frame["units"].tolist() == [8, 16, 32, 64]
    assert frame["extra"].tolist()[1] is True and pd.isna(frame["extra"].iloc[0])


def test_results_frame_keeps_creation_order(store: Store) -> None:
    for number, score in ((2, 0.1), (0, 0.9), (1, 0.5)):
        store.save_trial(make_trial(number, status=TrialStatus.COMPLETED, score=score))
    assert store.results_frame()["number"].tolist() == [0, 1, 2]


def test_hyperparameters_named_like_a_column_are_prefixed(store: Store) -> None:
    store.save_trial(make_trial(0, {"score": 1, "status": "x", "units": 4}))
    frame = store.results_frame()
    assert list(frame.columns) == [*FIXED, "hp:score", "hp:status", "units"]
    assert frame["hp:score"].tolist() == [1]


def test_results_frame_of_an_empty_store(store: Store) -> None:
    frame = store.results_frame()
    assert list(frame.columns) == FIXED
    assert len(frame) == 0
    assert frame["number"].dtype == "int64" and frame["score"].dtype == "float64"
    assert isinstance(frame["started_at"].dtype, pd.DatetimeTZDtype)


def test_export_csv(filled: Store, tmp_path: Path) -> None:
    out = filled.export(tmp_path / "out" / "results.csv")
    assert out == tmp_path / "out" / "results.csv"
    frame = pd.read_csv(out)
    assert list(frame.columns) == [*FIXED, "units", "act", "extra"]
    assert frame["trial_id"].tolist() == [0, 1, 2, 3]  # read_csv's own inference
    assert frame["error"].tolist()[1] == "ValueError: too big"
    assert list(tmp_path.joinpath("out").iterdir()) == [out]  # no temporary file left


def _no_constants(name: str) -> float:
    raise AssertionError(f"invalid JSON token {name}")


def test_export_json_is_strict_and_complete(filled: Store, tmp_path: Path) -> None:
    out = filled.export(tmp_path / "results.json")
    document = json.loads(out.read_text(encoding="utf-8"), parse_constant=_no_constants)
    assert document["tunesmith_store_version"] == SCHEMA_VERSION
    assert document["study"] == {
        "algorithm": "random",
        "objective": {"name": "loss", "direction": "min"},
        "alpha": None,
    }
    first, failed, invalid, running = document["trials"]
    assert first == {
        "trial_id": "0000",
        "number": 0,
        "status": "COMPLETED",
        "score": 0.25,
        "best_step": 3,
        "epochs": 8,
        "executions": 2,
        "attempts": 1,
        "started_at": 1_700_000_000.0,
        "ended_at": 1_700_000_012.5,
        "seconds": 12.5,
        "error": None,
        "values": {"units": 8, "act": "relu"},
        "space": {
            "space": [
                {"name": "units", "class_name": "Fixed"},
                {"name": "act", "class_name": "Fixed"},
            ]
        },
        "metrics": {"loss": 0.25, "acc": 0.9},
        "curves": [
            {"execution": 0, "step": 0, "metrics": {"loss": 1.0, "acc": 0.5}},
            {"execution": 0, "step": 1, "metrics": {"loss": 0.5, "acc": 0.5}},
        ],
    }
    assert failed["error"] == TRACEBACK and failed["attempts"] == 3 and failed["curves"] == []
    assert invalid["score"] is None and invalid["metrics"] == {"loss": None}
    assert invalid["curves"] == [
        {"execution": 0, "step": 0, "metrics": {"loss": None, "acc": None}}
    ]
    assert running["ended_at"] is None and running["seconds"] is None


def test_export_json_of_an_empty_store(store: Store, tmp_path: Path) -> None:
    document = json.loads(store.export(tmp_path / "e.json").read_text())
    assert document == {"tunesmith_store_version": SCHEMA_VERSION, "study": None, "trials": []}


def test_export_format_argument(filled: Store, tmp_path: Path) -> None:
    out = filled.export(tmp_path / "results.txt", "json")
    assert json.loads(out.read_text())["trials"]
    out = filled.export(tmp_path / "results.data", format="csv")
    assert out.read_text().startswith("trial_id,number,status")
    with pytest.raises(ValueError, match="format='csv' or format='json'"):
        filled.export(tmp_path / "results.xlsx")
    assert not (tmp_path / "results.xlsx").exists()


def test_trial_metrics_by_id_match_the_trials(filled: Store):
    metrics = filled.trial_metrics()
    assert metrics == {t.trial_id: dict(t.metrics) for t in filled.load_trials()}
    assert metrics["0000"] == {"loss": 0.25, "acc": 0.9}


def test_trials_json_is_the_records_with_non_finite_numbers_as_null(tmp_path):
    """SQLite builds the JSON; a row holding a tagged NaN goes through Python."""
    import json
    import math

    from tunesmith.store import Store
    from tunesmith.trial import TrialStatus

    with Store.open(tmp_path / "p") as store:
        store.save_study({"algorithm": "random"})
        store.save_trial(make_trial(0, score=0.5, metrics={"loss": 0.5}))
        store.save_trial(make_trial(1, score=math.nan, metrics={"loss": math.nan}))
        store.save_trial(make_trial(2, status=TrialStatus.RUNNING))
        rows = {r["trial_id"]: r for r in json.loads(store.trials_json())}
        records = {r["trial_id"]: r for r in store.trial_records()}
        assert set(rows) == set(records) == {"0000", "0001", "0002"}
        for trial_id, row in rows.items():
            record = records[trial_id]
            assert set(row) == set(record)
            assert row["status"] == record["status"].value
            assert row["values"] == record["values"]
        assert rows["0000"]["score"] == 0.5 and rows["0000"]["metrics"] == {"loss": 0.5}
        assert rows["0001"]["score"] is None and rows["0001"]["metrics"] == {"loss": None}
        later = json.loads(store.trials_json(updated_after=records["0002"]["updated_at"]))
        assert [r["trial_id"] for r in later] == ["0002"]
