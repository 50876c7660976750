"""One best trial everywhere: the dashboard, the report and ``tunesmith summary`` agree
with ``tunesmith.ranking.rank_trials``.

The study is one where the older rules differed: a STOPPED trial better than every
COMPLETED one (the dashboard counted only completed trials), and ties on the score
that the tie breaker (``val_loss``) settles against trial order.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest

import tunesmith
from tunesmith import Objective
from tunesmith._study_document import changes_json, project_card, study_document
from tunesmith.cli import main
from tunesmith.ranking import rank_trials
from tunesmith.report import write_report
from tunesmith.store import Store
from tunesmith.trial import TrialStatus

OBJECTIVE = Objective("val_accuracy", "max")

#: (status, score, val_loss) of each trial, by number.
OUTCOMES = [
    (TrialStatus.COMPLETED, 0.90, 0.30),
    (TrialStatus.COMPLETED, 0.90, 0.20),  # ties trial 0, lower loss: ranks above it
    (TrialStatus.STOPPED, 0.95, 0.25),  # stopped early, better than every completed one
    (TrialStatus.STOPPED, 0.95, 0.10),  # ties trial 2, lower loss: the best of all
    (TrialStatus.FAILED, None, None),
    (TrialStatus.INVALID, math.nan, 0.05),
]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("best")

    def objective(hp):
        x = hp.Float("x", 0.0, 1.0)
        return {"val_accuracy": x, "val_loss": 1.0 - x}

    result = tunesmith.tune(
        objective,
        objective="val_accuracy",
        max_trials=len(OUTCOMES),
        seed=0,
        directory=root,
        project_name="study",
        verbose=0,
    )
    result.close()
    with Store.open(root / "study") as store:
        trials = store.load_trials()
        assert len(trials) == len(OUTCOMES)
        for trial, (status, score, val_loss) in zip(trials, OUTCOMES, strict=True):
            trial.status, trial.score = status, score
            if val_loss is not None:
                trial.metrics = {"val_accuracy": score, "val_loss": val_loss}
            store.save_trial(trial)
            store.append_metrics(trial.trial_id, 0, 0, {"val_loss": val_loss or 1.0})
    return root / "study"


@pytest.fixture(scope="module")
def expected(project: Path) -> list[str]:
    """Trial ids as ``rank_trials`` ranks them, best first."""
    with Store.open_read_only(project) as store:
        trials = store.load_trials()
    ranked = [t.trial_id for t in rank_trials(trials, OBJECTIVE)]
    by_number = [t.trial_id for t in trials]
    # The cases this study is for: the tie broken by loss, stopped trials first.
    assert ranked == [by_number[3], by_number[2], by_number[1], by_number[0]]
    return ranked


def test_the_dashboards_documents_name_the_ranked_best(project: Path, expected: list[str]):
    with Store.open_read_only(project) as store:
        document = study_document(store, "study", False, {})
        card = project_card(store, "study", False)
        changes = json.loads(changes_json(store, 0.0, 0, False))
    assert document["best"]["trial_id"] == expected[0]
    assert document["best"]["score"] == 0.95
    assert expected[0] in document["curves"]  # the best trial's curves come along
    assert card["best"]["trial_id"] == expected[0]
    assert changes["best"]["trial_id"] == expected[0]


def test_the_dashboards_api_names_the_ranked_best(project: Path, expected: list[str]):
    pytest.importorskip("httpx2")
    from starlette.testclient import TestClient

    from tunesmith.web import create_app

    api = TestClient(create_app(project.parent), base_url="http://127.0.0.1")
    document = api.get("/api/study", params={"project": "study"}).json()
    assert document["best"]["trial_id"] == expected[0]
    (card,) = api.get("/api/projects").json()["projects"]
    assert card["best"]["trial_id"] == expected[0]


def test_the_reports_best_is_the_ranked_best(project: Path, expected: list[str], tmp_path):
    text = write_report(project, tmp_path / "report.html", write_pngs=False).read_text("utf-8")
    row = re.search(r'<tr class="best">(.*?)</tr>', text, re.S).group(1)
    assert f">{expected[0]}<" in row
    assert f"Best trial {expected[0]}" in text


def test_the_summary_lists_the_ranked_trials_in_order(project: Path, expected, capsys):
    assert main(["summary", str(project), "-n", "4"]) == 0
    out = capsys.readouterr().out
    listed = re.findall(r"^Trial (\S+) summary$", out, re.M)
    assert listed == expected
