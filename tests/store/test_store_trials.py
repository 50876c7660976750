"""Study settings and trials: every field survives the store, including odd floats."""

from __future__ import annotations

import inspect
import math
import sqlite3
import traceback

import numpy as np
import pytest
from store_helpers import StandInHyperParameters, make_hp, make_trial

from tunesmith.errors import StoreError
from tunesmith.store import Store
from tunesmith.trial import Trial, TrialStatus


def _same(a: object, b: object) -> bool:
    """Equality where NaN equals NaN (at any depth of dicts)."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def assert_same_trial(got: Trial, want: Trial) -> None:
    for name in Trial.STORED_FIELDS:
        if name == "hyperparameters":
            continue
        g, w = getattr(got, name), getattr(want, name)
        if name == "metrics":
            g, w = dict(g), dict(w)
        assert _same(g, w), f"{name}: stored {w!r}, loaded {g!r}"
    assert isinstance(got.hyperparameters, StandInHyperParameters)
    assert _same(got.hyperparameters.values, want.hyperparameters.values)
    assert got.hyperparameters.get_config() == want.hyperparameters.get_config()


def _error_text() -> str:
    try:
        raise ValueError("units must be ≥ 1\n(got 0)")
    except ValueError as exc:
        return "".join(traceback.format_exception(exc))


# A value unlike the default for every field of Trial: a field added to Trial without
# being stored makes this test fail.
NON_DEFAULT = {
    "trial_id": "0042",
    "number": 42,
    "hyperparameters": make_hp(
        {"units": 64, "lr": 3e-4, "act": "tanh", "bn": True, "opt": None, "drop": math.nan}
    ),
    "status": TrialStatus.STOPPED,
    "score": 0.1234567890123,
    "best_step": 7,
    "metrics": {"loss": 0.5, "val_loss": 0.1234567890123, "nan": math.nan, "inf": -math.inf},
    "started_at": 1_700_000_000.125,
    "ended_at": 1_700_000_321.5,
    "error": _error_text(),
    "executions": 3,
    "epochs": 25,
    "attempts": 2,
}


def test_every_trial_field_round_trips(store: Store) -> None:
    assert set(NON_DEFAULT) == set(Trial.STORED_FIELDS)
    # Every constructor argument is stored or declared transient (message is error).
    arguments = set(inspect.signature(Trial).parameters) - {"message"}
    assert arguments == set(Trial.STORED_FIELDS) | set(Trial.TRANSIENT_FIELDS)
    trial = Trial(**NON_DEFAULT)
    store.save_trial(trial)
    (loaded,) = store.load_trials()
    assert_same_trial(loaded, trial)
    assert_same_trial(store.get_trial("0042"), trial)
    assert loaded.error.splitlines()[-1] == "(got 0)"
    assert "units must be ≥ 1" in loaded.error


def test_a_fresh_trial_round_trips_with_its_defaults(store: Store) -> None:
    trial = make_trial(0)
    store.save_trial(trial)
    assert_same_trial(store.get_trial(trial.trial_id), trial)


@pytest.mark.parametrize(
    "score", [math.nan, math.inf, -math.inf, None, 0.0, 1e308, 5e-324, -123.25]
)
def test_scores_round_trip_including_non_finite(store: Store, score: float | None) -> None:
    store.save_trial(make_trial(0, status=TrialStatus.INVALID, score=score))
    loaded = store.get_trial("0000").score
    if score is None:
        assert loaded is None
    elif math.isnan(score):
        assert math.isnan(loaded)
    else:
        assert loaded == score and type(loaded) is float


def test_non_finite_scores_are_null_in_the_score_column(store: Store) -> None:
    # SQL ordering and aggregates over `score` only ever see finite numbers.
    for number, score in enumerate([math.nan, math.inf, -math.inf, 2.0]):
        store.save_trial(make_trial(number, score=score))
    conn = sqlite3.connect(store.path)
    rows = conn.execute("SELECT score, score_flag FROM trials ORDER BY number").fetchall()
    conn.close()
    assert rows == [(None, "nan"), (None, "inf"), (None, "-inf"), (2.0, None)]


@pytest.mark.parametrize("status", list(TrialStatus))
def test_every_status_round_trips(store: Store, status: TrialStatus) -> None:
    store.save_trial(make_trial(0, status=status))
    assert store.get_trial("0000").status is status


def test_a_status_given_as_text_is_stored(store: Store) -> None:
    store.save_trial(make_trial(0, status="FAILED"))
    assert store.get_trial("0000").status is TrialStatus.FAILED


def test_save_trial_updates_in_place(store: Store) -> None:
    trial = make_trial(0, started_at=10.0)
    store.save_trial(trial)
    trial.status = TrialStatus.FAILED
    trial.error = _error_text()
    trial.attempts = 3
    store.save_trial(trial)
    trial.status = TrialStatus.COMPLETED
    trial.error = None
    trial.score, trial.best_step, trial.ended_at = 0.5, 2, 20.0
    store.save_trial(trial)
    (loaded,) = store.load_trials()
    assert_same_trial(loaded, trial)
    trial.score = trial.best_step = None
    store.save_trial(trial)
    assert store.get_trial("0000").score is None
    assert store.get_trial("0000").best_step is None


def test_trials_load_in_number_order(store: Store) -> None:
    for number in (3, 0, 2, 1, 10):
        store.save_trial(make_trial(number))
    assert [t.number for t in store.load_trials()] == [0, 1, 2, 3, 10]


def test_a_taken_number_is_refused_and_nothing_is_written(store: Store) -> None:
    store.save_trial(make_trial(0, trial_id="a"))
    conn = sqlite3.connect(store.path)
    spaces_before = conn.execute("SELECT count(*) FROM spaces").fetchone()
    with pytest.raises(StoreError, match="already belongs to trial 'a'"):
        store.save_trial(make_trial(0, values={"other": 1}, trial_id="b"))
    # The space row written before the failing statement was rolled back with it.
    assert conn.execute("SELECT count(*) FROM spaces").fetchone() == spaces_before
    conn.close()
    assert [t.trial_id for t in store.load_trials()] == ["a"]


def test_next_trial_number(store: Store) -> None:
    assert store.next_trial_number() == 0
    store.save_trial(make_trial(0))
    store.save_trial(make_trial(5))
    assert store.next_trial_number() == 6


def test_get_trial_of_an_unknown_id_is_none(store: Store) -> None:
    assert store.get_trial("nope") is None


def test_each_trial_keeps_the_space_it_was_sampled_from(store: Store) -> None:
    small = [{"name": "units", "class_name": "Int"}]
    grown = [*small, {"name": "dropout", "class_name": "Float"}]
    store.save_trial(Trial(trial_id="0000", number=0, hyperparameters=make_hp({"units": 8}, small)))
    store.save_trial(
        Trial(trial_id="0001", number=1, hyperparameters=make_hp({"units": 16}, small))
    )
    store.save_trial(
        Trial(
            trial_id="0002", number=2, hyperparameters=make_hp({"units": 32, "dropout": 0.5}, grown)
        )
    )
    trials = store.load_trials()
    assert [t.hyperparameters.space for t in trials] == [small, small, grown]
    assert [t.values for t in trials] == [
        {"units": 8},
        {"units": 16},
        {"units": 32, "dropout": 0.5},
    ]
    conn = sqlite3.connect(store.path)
    assert conn.execute("SELECT count(*) FROM spaces").fetchone() == (2,)  # shared, not copied
    conn.close()


def test_hyperparameter_values_keep_their_types(store: Store) -> None:
    values = {
        "i": 3,
        "f": 0.1,
        "s": "NaN",
        "b": False,
        "n": None,
        "nan": math.nan,
        "inf": math.inf,
        "np_int": np.int64(7),
        "np_float": np.float32(0.5),
        "np_bool": np.bool_(True),
    }
    store.save_trial(Trial(trial_id="0000", number=0, hyperparameters=make_hp(values)))
    loaded = store.get_trial("0000").values
    assert _same(
        loaded,
        {
            "i": 3,
            "f": 0.1,
            "s": "NaN",
            "b": False,
            "n": None,
            "nan": math.nan,
            "inf": math.inf,
            "np_int": 7,
            "np_float": 0.5,
            "np_bool": True,
        },
    )


def test_unstorable_values_are_refused_with_their_place(store: Store) -> None:
    with pytest.raises(TypeError, match=r"trial '0000' hyperparameter values\['obj'\]"):
        store.save_trial(
            Trial(trial_id="0000", number=0, hyperparameters=make_hp({"obj": object()}))
        )
    assert store.load_trials() == []


def test_study_settings_round_trip(store: Store) -> None:
    assert store.load_study() is None
    settings = {
        "objective": {"name": "val_loss", "direction": "min"},
        "algorithm": "random",
        "args": {"max_trials": 20, "seed": 7, "alpha": math.inf, "beta": math.nan},
        "space": {"space": [{"name": "units", "class_name": "Int", "min": 8}]},
        "tuple": (1, 2),
        "text": "Infinity",
        "tag_like": {"$float": "bogus"},
    }
    store.save_study(settings)
    loaded = store.load_study()
    assert _same(loaded, {**settings, "tuple": [1, 2]})
    store.save_study({"algorithm": "grid"})
    assert store.load_study() == {"algorithm": "grid"}


def test_study_settings_must_be_json(store: Store) -> None:
    with pytest.raises(TypeError, match=r"study settings\['when'\]"):
        store.save_study({"when": object()})
    with pytest.raises(TypeError, match="keys must be strings"):
        store.save_study({"space": {1: "a"}})
    assert store.load_study() is None


def test_trial_dir(store: Store) -> None:
    path = store.trial_dir("0003")
    assert path == store.project_dir / "trials" / "0003"
    assert path.is_dir()
    assert store.trial_dir("0003") == path
    for bad in ("", "..", "a/b", "a\\b"):
        with pytest.raises(ValueError, match="cannot name a folder"):
            store.trial_dir(bad)


def test_paths_and_closing(project) -> None:
    store = Store.open(project)
    assert store.project_dir == project
    assert store.path == project / "tunesmith.db"
    assert "project" in repr(store)
    store.close()
    store.close()
    assert store.closed
    with pytest.raises(StoreError, match="closed"):
        store.load_trials()
    with Store.open(project) as again:
        assert not again.closed
    assert again.closed
