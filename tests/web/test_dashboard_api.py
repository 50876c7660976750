"""The dashboard's JSON API: what it reads, what it refuses, and that it writes only notes."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

pytest.importorskip("httpx2")
from starlette.testclient import TestClient
from web_helpers import write_study

from tunesmith.store import Store
from tunesmith.trial import Trial, TrialStatus
from tunesmith.web import DashboardServer, create_app
from tunesmith.web._notes import NOTES_FILENAME
from tunesmith.web._serve import check_host, is_loopback

LOCAL = "http://127.0.0.1"


def client(root: Path, **kwargs) -> TestClient:
    return TestClient(create_app(root, **kwargs), base_url=LOCAL)


def changes_since(api: TestClient, project: str, cursor: dict) -> dict:
    params = {
        "project": project,
        "trials_after": cursor["trials"],
        "curves_after": cursor["curves"],
    }
    return api.get("/api/changes", params=params).json()


def digest(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with its content's hash: what 'unchanged' means."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != NOTES_FILENAME
    }


def test_the_list_shows_every_project_and_explains_the_damaged_one(runs):
    projects = client(runs).get("/api/projects").json()["projects"]
    by_key = {p["key"]: p for p in projects}
    assert set(by_key) == {"random_search", "group/hyperband", "damaged"}
    good = by_key["random_search"]
    assert good["trials"] == 12 and good["statuses"] == {"COMPLETED": 12}
    assert good["best"]["score"] == min(
        t["score"] for t in client(runs).get("/api/study?project=random_search").json()["trials"]
    )
    assert good["running"] is False
    assert "not a SQLite database" in by_key["damaged"]["problem"]
    assert by_key["group/hyperband"]["algorithm"] == "hyperband"


def test_a_newer_store_gets_a_card_that_says_to_upgrade(tmp_path):
    project = write_study(tmp_path, "future", trials=3)
    conn = sqlite3.connect(project / "tunesmith.db")
    with conn:
        conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    conn.close()
    write_study(tmp_path, "today", trials=3)
    cards = {p["key"]: p for p in client(tmp_path).get("/api/projects").json()["projects"]}
    assert "Upgrade tunesmith" in cards["future"]["problem"]
    assert cards["today"]["trials"] == 3
    answer = client(tmp_path).get("/api/study?project=future")
    assert answer.status_code == 409 and "format version 99" in answer.json()["error"]


def test_the_study_document_has_what_the_views_draw(runs):
    doc = client(runs).get("/api/study?project=group/hyperband").json()
    assert doc["objective"] == {"name": "val_loss", "direction": "min"}
    assert [hp["config"]["name"] for hp in doc["space"]][:3] == ["x", "lr", "kind"]
    trials = doc["trials"]
    assert len(trials) > 10 and all(t["status"] == "COMPLETED" for t in trials)
    promoted = [t for t in trials if "tuner/trial_id" in t["values"]]
    assert promoted, "Hyperband promotes some trials"
    best = min(trials, key=lambda t: t["score"])
    assert doc["best"]["trial_id"] == best["trial_id"]
    # the best trial's curve comes with the document; other curves are asked for
    assert set(doc["curves"]) == {best["trial_id"]}
    steps = [row[1] for row in doc["curves"][best["trial_id"]]]
    assert steps == sorted(steps) and set(doc["curves"][best["trial_id"]][0][2]) == {
        "loss",
        "val_loss",
    }


def test_changes_since_a_cursor_bring_only_what_is_new(tmp_path):
    project = write_study(tmp_path, "live", trials=4)
    api = client(tmp_path)
    doc = api.get("/api/study?project=live").json()
    cursor = doc["cursor"]
    quiet = changes_since(api, "live", cursor)
    assert quiet["curves"] == {}  # no curve point is sent twice
    write_study(tmp_path, "live", trials=6)  # the same study, resumed: two more trials
    fresh = changes_since(api, "live", cursor)
    new_ids = {t["trial_id"] for t in fresh["trials"]} - {t["trial_id"] for t in doc["trials"]}
    assert len(new_ids) == 2
    assert set(fresh["curves"]) == new_ids  # only the new trials' points
    assert all(len(rows) == 5 for rows in fresh["curves"].values())
    assert fresh["cursor"]["curves"] > cursor["curves"]
    with Store.open_read_only(project) as store:
        assert len(store.trial_records()) == 6


def test_curves_of_chosen_trials(runs):
    api = client(runs)
    ids = [t["trial_id"] for t in api.get("/api/study?project=random_search").json()["trials"]][:3]
    curves = api.get("/api/curves", params={"project": "random_search", "trials": ",".join(ids)})
    assert set(curves.json()["curves"]) == set(ids)


def test_importance_ranks_the_hyperparameters(runs):
    doc = client(runs).get("/api/importance?project=random_search").json()
    assert sorted(doc["names"]) == ["kind", "lr", "x"]
    assert abs(sum(doc["shares"]) - 1.0) < 1e-9 and doc["trials"] == 12


def test_reading_changes_no_file_of_any_store(runs):
    before = digest(runs)
    api = client(runs)
    api.get("/api/projects")
    for key in ("random_search", "group/hyperband"):
        api.get("/api/study", params={"project": key})
        api.get("/api/changes", params={"project": key, "trials_after": 0, "curves_after": 0})
        api.get("/api/importance", params={"project": key})
    assert digest(runs) == before
    assert not list(runs.rglob("*-wal")) and not list(runs.rglob("*-shm"))


def test_notes_are_kept_beside_the_store_and_nothing_else_is_written(tmp_path):
    project = write_study(tmp_path, "noted", trials=3)
    before = digest(tmp_path)
    api = client(tmp_path)
    saved = api.put("/api/notes?project=noted", json={"text": "lr matters most"}).json()
    assert saved["study"] == "lr matters most"
    trial_id = api.get("/api/study?project=noted").json()["trials"][1]["trial_id"]
    api.put("/api/notes?project=noted", json={"text": "diverged", "trial_id": trial_id})
    notes = api.get("/api/notes?project=noted").json()
    assert notes == {"study": "lr matters most", "trials": {trial_id: "diverged"}}
    assert api.get("/api/study?project=noted").json()["notes"] == notes
    api.put("/api/notes?project=noted", json={"text": "", "trial_id": trial_id})
    assert api.get("/api/notes?project=noted").json()["trials"] == {}
    assert (project / NOTES_FILENAME).is_file()
    assert digest(tmp_path) == before
    bad = api.put("/api/notes?project=noted", json={"text": 3})
    assert bad.status_code == 400 and "note is text" in bad.json()["error"]
    too_long = api.put("/api/notes?project=noted", json={"text": "x" * 20_001})
    assert too_long.status_code == 400 and "at most" in too_long.json()["error"]
    unknown = api.put("/api/notes?project=noted", json={"text": "?", "trial_id": "9999"})
    assert unknown.status_code == 400 and "No trial '9999'" in unknown.json()["error"]


def test_a_note_that_cannot_be_written_says_why_and_changes_nothing(tmp_path, monkeypatch):
    from tunesmith.web import _notes

    write_study(tmp_path, "locked", trials=2)
    before = digest(tmp_path)

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")  # a read-only folder, for any user

    monkeypatch.setattr(_notes.tempfile, "mkstemp", refuse)
    answer = client(tmp_path).put("/api/notes?project=locked", json={"text": "hi"})
    assert answer.status_code == 409 and "could not be saved" in answer.json()["error"]
    assert "Permission denied" in answer.json()["error"]
    assert digest(tmp_path) == before and not (tmp_path / "locked" / "notes.json").exists()


@pytest.mark.parametrize(
    "path",
    [
        "/api/study?project=../etc",
        "/api/study?project=/etc/passwd",
        "/api/study?project=random_search/trials",
        "/static/../_app.py",
        "/static/%2e%2e/_app.py",
        "/static/..%2f_app.py",
        "/../../etc/passwd",
        "/tunesmith.db",
    ],
)
def test_no_path_outside_the_projects_is_served(runs, path):
    answer = client(runs).get(path)
    assert answer.status_code == 404, (path, answer.text[:200])
    assert "import" not in answer.text and "SQLite" not in answer.text


def test_bad_cursors_are_refused_clearly(runs):
    answer = client(runs).get("/api/changes?project=random_search&trials_after=soon")
    assert answer.status_code == 400 and "trials_after must be a number" in answer.json()["error"]


def test_a_local_dashboard_answers_only_to_local_names(runs):
    assert client(runs).get("/api/projects").status_code == 200
    rebinding = TestClient(create_app(runs), base_url="http://attacker.example")
    assert rebinding.get("/api/projects").status_code == 400


def test_a_token_is_needed_when_one_is_set(runs):
    app = create_app(runs, token="s3cret", local_only=False)
    api = TestClient(app, base_url="http://10.0.0.5")
    refused = api.get("/api/projects")
    assert refused.status_code == 403 and "token" in refused.json()["error"]
    page = api.get("/?token=s3cret")
    assert page.status_code == 200 and "tunesmith_token=s3cret" in page.headers["set-cookie"]
    assert api.get("/api/projects").status_code == 200  # the cookie carries it from now on
    assert TestClient(app, base_url="http://10.0.0.5").get("/?token=wrong").status_code == 403


def test_listening_beyond_this_machine_needs_an_explicit_flag(tmp_path):
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0")
    with pytest.raises(ValueError, match="--allow-remote"):
        check_host("0.0.0.0", allow_remote=False)
    server = DashboardServer(tmp_path, host="0.0.0.0", port=0, allow_remote=True)
    try:
        assert server.token and f"?token={server.token}" in server.url
        assert "WARNING" in (server.warning() or "")
    finally:
        server.stop()
    local = DashboardServer(tmp_path, port=0)
    try:
        assert local.token is None and local.warning() is None
        assert local.url.startswith("http://127.0.0.1:")
    finally:
        local.stop()


def test_a_folder_that_does_not_exist_is_refused(tmp_path):
    from tunesmith.errors import StoreError

    with pytest.raises(StoreError, match="is not a folder"):
        create_app(tmp_path / "missing")


def test_a_running_search_shows_as_running(tmp_path):
    from tunesmith.store._lock import claim_driver, release_driver

    project = write_study(tmp_path, "busy", trials=2)
    claim_driver(project)
    try:
        card = client(tmp_path).get("/api/projects").json()["projects"][0]
        assert card["running"] is True
    finally:
        release_driver(project)
    assert client(tmp_path).get("/api/projects").json()["projects"][0]["running"] is False


def test_failed_trials_carry_their_traceback(tmp_path):
    project = write_study(tmp_path, "failing", trials=2)
    with Store.open(project) as store:
        trial = store.load_trials()[0]
        failed = Trial(
            hyperparameters=trial.hyperparameters,
            trial_id="0099",
            number=99,
            status=TrialStatus.FAILED,
            error="Traceback (most recent call last):\nValueError: boom",
        )
        store.save_trial(failed)
    doc = client(tmp_path).get("/api/study?project=failing").json()
    (row,) = [t for t in doc["trials"] if t["trial_id"] == "0099"]
    assert row["status"] == "FAILED" and "ValueError: boom" in row["error"]


def test_the_background_dashboard_of_a_folder_is_reused(tmp_path):
    import urllib.request

    import tunesmith

    write_study(tmp_path, "shown", trials=2)
    url = tunesmith.dashboard(tmp_path)
    try:
        assert tunesmith.dashboard(tmp_path) == url
        with urllib.request.urlopen(url + "api/projects", timeout=10) as answer:
            assert b'"shown"' in answer.read()
        assert "<iframe" in url._repr_html_()
    finally:
        url.stop()


def test_a_keras_tuner_opens_the_dashboard_on_its_study(tmp_path):
    keras = pytest.importorskip("keras")
    import numpy as np

    import tunesmith as kt

    def build_model(hp):
        model = keras.Sequential(
            [
                keras.Input(shape=(3,)),
                keras.layers.Dense(hp.Int("units", 2, 4), activation="relu"),
                keras.layers.Dense(1),
            ]
        )
        model.compile(optimizer="adam", loss="mse")
        return model

    x = np.random.default_rng(0).random((16, 3))
    tuner = kt.RandomSearch(
        build_model, objective="val_loss", max_trials=1, directory=tmp_path, project_name="kt"
    )
    tuner.search(x, x[:, 0], epochs=1, validation_split=0.25, verbose=0)
    url = tuner.dashboard()
    try:
        assert url.endswith("/#/study/kt")
        api = url.split("#")[0] + "api/study?project=kt"
        import json
        import urllib.request

        with urllib.request.urlopen(api, timeout=10) as answer:
            assert len(json.loads(answer.read())["trials"]) == 1
    finally:
        url.stop()
