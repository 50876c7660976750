"""export_store: a stored study as TensorBoard logs, read back by TensorBoard's reader."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

pytest.importorskip("tensorboard")

from tb_helpers import domain, hparams_table, read_scalars

from tunesmith.errors import StoreCorruptError, StoreError
from tunesmith.store import DB_FILENAME, Store
from tunesmith.tensorboard import SCORE_TAG, export_store
from tunesmith.trial import TrialStatus


def _stored(project: Path):
    with Store.open(project) as store:
        return store.load_trials(), store.load_curves()


def test_curves_match_the_store(stored_project: Path, tmp_path: Path) -> None:
    out = export_store(stored_project, tmp_path / "tb")
    _, curves = _stored(stored_project)

    scalars = read_scalars(out)

    for (trial_id, execution), rows in curves.groupby(["trial_id", "execution"]):
        run = f"trial_{trial_id}/execution_{execution}"
        for metric, run_name, tag in [
            ("loss", "train", "epoch_loss"),
            ("accuracy", "train", "epoch_accuracy"),
            ("val_loss", "validation", "epoch_loss"),
        ]:
            expected = [
                (int(s), v)
                for s, v in zip(rows["step"], rows[metric], strict=True)
                if not math.isnan(v)
            ]
            written = scalars.get(f"{run}/{run_name}", {}).get(tag, [])
            assert written == [(s, pytest.approx(v)) for s, v in expected], (run, metric)
    assert len(curves.groupby(["trial_id", "execution"])) == 5  # 2 + 2 + the failed one


def test_hparams_lists_every_trial_with_values_status_and_score(
    stored_project: Path, tmp_path: Path
) -> None:
    out = export_store(stored_project, tmp_path / "tb")
    trials, _ = _stored(stored_project)

    experiment, groups = hparams_table(out)

    assert set(groups) == {t.trial_id for t in trials}
    for trial in trials:
        group = groups[trial.trial_id]
        assert group["run"] == f"trial_{trial.trial_id}"
        assert group["hparams"] == trial.hyperparameters.active_values()
        if trial.status is TrialStatus.COMPLETED:
            assert group["status"] == "STATUS_SUCCESS"
            assert group["metrics"][SCORE_TAG] == pytest.approx(trial.score)
            assert group["metrics"]["tunesmith/best/loss"] == pytest.approx(trial.metrics["loss"])
        else:
            assert group["status"] == "STATUS_FAILURE"
            assert SCORE_TAG not in group["metrics"]
    infos = {info.name: domain(info) for info in experiment.hparam_infos}
    assert infos["units"] == [4, 8, 12, 16]
    assert infos["lr"] == (pytest.approx(1e-4), pytest.approx(0.1))


def test_parent_folder_of_one_project_is_accepted(stored_project: Path, tmp_path: Path) -> None:
    out = export_store(stored_project.parent, tmp_path / "tb")
    trials, _ = _stored(stored_project)

    assert sorted(p.name for p in out.glob("trial_*")) == [f"trial_{t.trial_id}" for t in trials]


def test_missing_store_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=r"No tunesmith store at .*nothing_here"):
        export_store(tmp_path / "nothing_here", tmp_path / "tb")
    assert not (tmp_path / "nothing_here").exists()  # nothing created on the way


def test_a_file_that_is_not_a_store_is_refused(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / DB_FILENAME).write_text("not a database")

    with pytest.raises(StoreCorruptError):
        export_store(project, tmp_path / "tb")


def test_existing_event_files_are_kept_unless_overwrite(
    stored_project: Path, tmp_path: Path
) -> None:
    out = export_store(stored_project, tmp_path / "tb")
    count = len(list(out.rglob("*tfevents*")))

    with pytest.raises(FileExistsError, match="overwrite=True"):
        export_store(stored_project, out)
    export_store(stored_project, out, overwrite=True)

    assert len(list(out.rglob("*tfevents*"))) == count
