"""What both tracking callbacks log a trial's status and metrics as."""

from __future__ import annotations

import math
import subprocess
import sys

import pytest

import tunesmith
from tunesmith import Trial
from tunesmith.integrations._tracking import metric_key, numbers, status_text


def test_statuses_read_as_trackers_expect():
    words = {
        status: status_text(Trial(trial_id="00", status=status))
        for status in ("COMPLETED", "FAILED", "STOPPED", "INFEASIBLE", "INVALID", "RUNNING")
    }
    assert words == {
        "COMPLETED": "completed",
        "FAILED": "failed",
        "STOPPED": "pruned",
        "INFEASIBLE": "infeasible",
        "INVALID": "invalid",
        "RUNNING": "retried",  # ended, but queued to run again
    }


def test_metric_names_keep_slashes_and_each_execution_has_its_own():
    assert metric_key("model/params") == "model/params"
    assert metric_key("constraint/latency_ms", 2) == "execution_2/constraint/latency_ms"
    assert metric_key("acc@5 (top)") == "acc_5 _top_"


def test_only_real_numbers_are_logged():
    assert numbers({"a": 1, "b": "x", "c": math.nan, "d": True, "e": 2.5}) == {"a": 1.0, "e": 2.5}


@pytest.mark.parametrize(
    "name, module, extra",
    [("MLflowCallback", "mlflow", "mlflow"), ("WandbCallback", "wandb", "wandb")],
)
def test_a_missing_tracker_names_the_extra_to_install(name, module, extra, monkeypatch):
    for loaded in [m for m in sys.modules if m == module or m.startswith(module + ".")]:
        monkeypatch.delitem(sys.modules, loaded)
    monkeypatch.setitem(sys.modules, module, None)  # as if not installed
    callback_class = getattr(tunesmith.integrations, name)
    with pytest.raises(ModuleNotFoundError, match=rf'pip install "tunesmith\[{extra}\]"'):
        callback_class()


def test_import_tunesmith_imports_no_tracker():
    code = (
        "import sys, tunesmith; tunesmith.integrations; tunesmith.MLflowCallback; "
        "tunesmith.WandbCallback; print(sorted({'mlflow', 'wandb'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
