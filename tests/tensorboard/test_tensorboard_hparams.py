"""HParams summaries read back with the plugin's parsers and its own request handlers."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

pytest.importorskip("tensorboard")

from tb_helpers import domain, hparams_table, make_space, plugin_content, read_scalars
from tensorboard.plugins.hparams import api_pb2, metadata

from tunesmith.space import HyperParameters
from tunesmith.tensorboard import SCORE_TAG, experiment_summary, write_experiment, write_trial
from tunesmith.trial import Trial, TrialStatus


def _experiment(root: Path):
    content = plugin_content(root, ".", metadata.EXPERIMENT_TAG)
    return metadata.parse_experiment_plugin_data(content)


def _trial(number: int, values: dict, **fields) -> Trial:
    now = time.time()
    fields = {"status": TrialStatus.COMPLETED, "started_at": now - 10, "ended_at": now, **fields}
    return Trial(
        trial_id=f"{number:02d}",
        number=number,
        hyperparameters=make_space().with_values(values),
        **fields,
    )


def test_experiment_lists_every_hyperparameter_with_its_domain(tmp_path: Path) -> None:
    summary = experiment_summary(make_space().space, "val_loss", ["val_loss", "loss", "acc"])
    write_experiment(tmp_path, summary)

    experiment = _experiment(tmp_path)
    infos = {info.name: info for info in experiment.hparam_infos}

    assert {name: domain(info) for name, info in infos.items()} == {
        "units": [4, 8, 12, 16],
        "layers": (1, 3),
        "lr": (pytest.approx(1e-4), pytest.approx(0.1)),
        "dropout": [0.0, 0.25, 0.5],
        "activation": ["relu", "tanh"],
        "batch_norm": [False, True],
        "optimizer": ["adam"],
        "slope": (pytest.approx(0.1), 1.0),
    }
    assert infos["activation"].type == api_pb2.DATA_TYPE_STRING
    assert infos["batch_norm"].type == api_pb2.DATA_TYPE_BOOL
    assert infos["units"].type == api_pb2.DATA_TYPE_FLOAT64
    # The score first, then the other metrics at the best epoch.
    assert [m.name.tag for m in experiment.metric_infos] == [
        SCORE_TAG,
        "tunesmith/best/acc",
        "tunesmith/best/loss",
    ]
    assert experiment.metric_infos[0].display_name == "score (val_loss)"


def test_one_name_in_several_branches_gets_one_merged_domain(tmp_path: Path) -> None:
    hp = HyperParameters()
    hp.Choice("model", ["a", "b"])
    with hp.conditional_scope("model", "a"):
        hp.Choice("size", [1, 2])
        hp.Int("depth", 1, 5)
    with hp.conditional_scope("model", "b"):
        hp.Choice("size", [2, 3])
        hp.Int("depth", 10, 20)
    write_experiment(tmp_path, experiment_summary(hp.space, "loss", []))

    infos = {info.name: domain(info) for info in _experiment(tmp_path).hparam_infos}

    assert infos["size"] == [1, 2, 3]
    assert infos["depth"] == (1, 20)


def test_a_refreshed_experiment_replaces_the_old_one(tmp_path: Path) -> None:
    small = HyperParameters()
    small.Int("units", 1, 4)
    write_experiment(tmp_path, experiment_summary(small.space, "loss", []))
    write_experiment(tmp_path, experiment_summary(make_space().space, "loss", ["loss"]))

    # TensorBoard keeps the first experiment it reads, so only the new file may remain.
    assert len(list(tmp_path.glob("*tfevents*"))) == 1
    assert len(_experiment(tmp_path).hparam_infos) == len(make_space().space)


def test_session_start_holds_the_active_values_only(tmp_path: Path) -> None:
    relu = _trial(0, {"activation": "relu", "units": 8, "batch_norm": True, "slope": 0.5})
    tanh = _trial(1, {"activation": "tanh", "units": 12, "slope": 0.5})
    for trial in (relu, tanh):
        write_trial(tmp_path, trial, "val_loss")

    starts = {
        run: metadata.parse_session_start_info_plugin_data(
            plugin_content(tmp_path, run, metadata.SESSION_START_INFO_TAG)
        )
        for run in ("trial_00", "trial_01")
    }

    relu_values = starts["trial_00"].hparams
    assert "slope" not in relu_values  # inactive: activation is not "tanh"
    assert relu_values["activation"].string_value == "relu"
    assert relu_values["units"].number_value == 8
    assert relu_values["batch_norm"].bool_value is True
    assert starts["trial_01"].hparams["slope"].number_value == 0.5
    assert starts["trial_01"].group_name == "01"
    assert starts["trial_00"].start_time_secs == pytest.approx(relu.started_at)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (TrialStatus.COMPLETED, api_pb2.STATUS_SUCCESS),
        (TrialStatus.STOPPED, api_pb2.STATUS_SUCCESS),
        (TrialStatus.INVALID, api_pb2.STATUS_FAILURE),
        (TrialStatus.FAILED, api_pb2.STATUS_FAILURE),
    ],
)
def test_session_end_holds_the_status(tmp_path: Path, status, expected) -> None:
    trial = _trial(0, {}, status=status)
    write_trial(tmp_path, trial, "val_loss")

    content = plugin_content(tmp_path, "trial_00", metadata.SESSION_END_INFO_TAG)
    end = metadata.parse_session_end_info_plugin_data(content)

    assert end.status == expected
    assert end.end_time_secs == pytest.approx(trial.ended_at)


def test_score_and_best_metrics_are_scalars_at_the_best_step(tmp_path: Path) -> None:
    trial = _trial(
        0, {}, score=0.25, best_step=4, metrics={"val_loss": 0.25, "loss": 0.2, "val_acc": 0.9}
    )
    write_trial(tmp_path, trial, "val_loss")

    scalars = read_scalars(tmp_path)["trial_00"]

    assert scalars == {
        SCORE_TAG: [(4, 0.25)],
        "tunesmith/best/loss": [(4, pytest.approx(0.2))],
        "tunesmith/best/val_acc": [(4, pytest.approx(0.9))],
    }


def test_hparams_tab_lists_each_trial_with_values_and_score(tmp_path: Path) -> None:
    trials = [
        _trial(0, {"units": 4}, score=0.5, best_step=1, metrics={"val_loss": 0.5, "loss": 0.4}),
        _trial(1, {"units": 16}, score=0.3, best_step=2, metrics={"val_loss": 0.3, "loss": 0.2}),
        _trial(2, {"units": 8}, status=TrialStatus.RUNNING, ended_at=None),
    ]
    write_experiment(tmp_path, experiment_summary(make_space().space, "val_loss", ["loss"]))
    for trial in trials:
        write_trial(tmp_path, trial, "val_loss")

    _, groups = hparams_table(tmp_path)

    assert set(groups) == {"00", "01", "02"}
    assert groups["00"]["hparams"]["units"] == 4
    assert groups["01"]["metrics"][SCORE_TAG] == pytest.approx(0.3)
    assert groups["01"]["metrics"]["tunesmith/best/loss"] == pytest.approx(0.2)
    assert groups["01"]["status"] == "STATUS_SUCCESS"
    assert groups["02"]["metrics"] == {}  # still running: values only
