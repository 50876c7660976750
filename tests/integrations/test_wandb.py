"""WandbCallback: each trial a W&B run, read back from the offline run files."""

from __future__ import annotations

import warnings

import pytest

from tunesmith import TrialStatus, tune
from tunesmith.integrations import WandbCallback

wandb = pytest.importorskip("wandb")

from _wandb_records import read_runs  # noqa: E402 - after wandb is known to be there


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    """W&B offline and quiet, and nothing that could reach the network."""
    for name, value in {
        "WANDB_MODE": "offline",
        "WANDB_SILENT": "true",
        "WANDB_DISABLE_GIT": "true",
        "WANDB_DISABLE_CODE": "true",
        "WANDB_CONSOLE": "off",
        "WANDB_X_DISABLE_STATS": "true",
        "WANDB_ANONYMOUS": "never",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("WANDB_API_KEY", raising=False)
    yield
    wandb.teardown()  # waits until every run's file is written


def curve(x, step):
    return (x - 0.2) ** 2 + 1.0 / (step + 1)


def objective(hp, steps):
    x = hp.Float("x", -1.0, 1.0)
    for step in range(3):
        steps.report(step, {"loss": curve(x, step), "constraint/x": x - 1})
    if x > 0.8:
        raise ValueError("x is too large for this objective")
    return {"loss": curve(x, 2), "model/params": 12.0}


def test_each_trial_is_a_run_of_the_group_with_its_config_history_and_summary(tmp_path):
    tracking = WandbCallback(mode="offline", dir=str(tmp_path), config={"dataset": "toy"})
    result = tune(
        objective,
        objective="loss",
        max_trials=3,
        seed=0,
        enqueue=[{"x": 0.9}],  # fails: its status and exit code are logged too
        directory=tmp_path,
        project_name="quadratic",
        max_consecutive_failed_trials=5,
        callbacks=[tracking],
    )
    wandb.teardown()
    runs = {run.name: run for run in read_runs(tmp_path / "wandb")}
    assert sorted(runs) == [f"trial_{t.trial_id}" for t in result.trials]
    for trial in result.trials:
        run = runs[f"trial_{trial.trial_id}"]
        assert run.run_id == tracking.run_ids[trial.trial_id]
        assert (run.project, run.group, run.job_type) == ("quadratic", "quadratic", "trial")
        assert {k: v for k, v in run.config.items() if not k.startswith("_")} == {
            "dataset": "toy",
            "trial_id": trial.trial_id,
            **trial.values,
        }
        x = trial.values["x"]
        rows = [row for row in run.history if "loss" in row]
        assert [row["epoch"] for row in rows] == [0, 1, 2]
        assert [row["loss"] for row in rows] == pytest.approx([curve(x, s) for s in range(3)])
        assert [row["constraint/x"] for row in rows] == pytest.approx([x - 1] * 3)
        assert run.summary["duration_s"] == pytest.approx(trial.seconds)
        if trial.status is TrialStatus.FAILED:
            assert run.summary["status"] == "failed"
            assert "x is too large" in run.summary["error"]
            assert run.exit_code == 1
            assert "score" not in run.summary
        else:
            assert run.summary["status"] == "completed"
            assert run.summary["score"] == pytest.approx(trial.score)
            assert run.summary["best_step"] == trial.best_step == 2
            assert run.summary["model/params"] == 12.0  # reported by no step
            assert run.exit_code == 0
    assert runs["trial_00"].summary["status"] == "failed"


def test_a_failing_wandb_call_warns_once_and_the_search_keeps_every_trial(tmp_path, monkeypatch):
    def refuse(self, *args, **kwargs):
        raise ConnectionError("W&B refused the row")

    monkeypatch.setattr(wandb.Run, "log", refuse)
    tracking = WandbCallback(project="down", mode="offline", dir=str(tmp_path))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = tune(
            lambda hp, steps: steps.report(0, hp.Float("x", 0, 1)) and hp["x"],
            max_trials=2,
            seed=0,
            callbacks=[tracking],
        )
    said = [w for w in caught if issubclass(w.category, RuntimeWarning)]
    assert len(said) == 1 and "W&B refused the row" in str(said[0].message)
    assert [t.status for t in result.trials] == [TrialStatus.COMPLETED] * 2
    wandb.teardown()
    runs = read_runs(tmp_path / "wandb")
    # The rows were refused; the runs still end with their outcome.
    assert [run.summary["status"] for run in runs] == ["completed", "completed"]
