"""Code built on keras-tuner's classes, written as a library that subclasses them would.

``LIBRARY`` is such a library, importing tunesmith in keras-tuner's place: a tuner
whose ``search`` deep-copies the callbacks, adds its own and keeps a state of its
own; a greedy oracle that writes its own ``populate_space`` with keras-tuner's
collision and hash members; blocks (``HyperModel`` subclasses) that open a name
scope around every build, one of them not tunable. Each is run through a search
here, and all three together through a search SIGKILLed mid-trial and resumed.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
import textwrap
from pathlib import Path

import keras
import numpy as np
import pytest

import tunesmith as kt
from tunesmith import TrialStatus
from tunesmith.store import Store

LIBRARY = textwrap.dedent(
    '''
    import copy

    import keras
    import numpy as np
    import tunesmith as kt


    class Block(kt.HyperModel):
        """A part of a model; its hyperparameters are named under the block's name."""

        def _build_wrapper(self, hp, *args, **kwargs):
            with hp.name_scope(self.name):
                return super()._build_wrapper(hp, *args, **kwargs)


    class DenseBlock(Block):
        def build(self, hp, inputs):
            units = hp.Int("units", 4, 32, step=4, default=8)
            return keras.layers.Dense(units, activation="relu")(inputs)


    class RegressionHead(Block):
        def build(self, hp, inputs):
            rate = hp.Float("dropout", 0.0, 0.5, default=0.0)
            return keras.layers.Dense(1)(keras.layers.Dropout(rate)(inputs))


    class Graph(kt.HyperModel):
        """Blocks joined into one model; the head is fixed (tunable=False)."""

        def __init__(self):
            super().__init__(name="graph")
            self.body = DenseBlock(name="body")
            self.head = RegressionHead(name="head", tunable=False)

        def build(self, hp):
            inputs = keras.Input((4,))
            outputs = self.head.build(hp, self.body.build(hp, inputs))
            model = keras.Model(inputs, outputs)
            rate = hp.Choice("learning_rate", [1e-2, 3e-3, 1e-3])
            model.compile(optimizer=keras.optimizers.Adam(rate), loss="mse")
            return model


    class GreedyOracle(kt.Oracle):
        """Tries the given configurations first, then changes one value of the best."""

        def __init__(self, initial_hps=None, **kwargs):
            super().__init__(**kwargs)
            self.initial_hps = copy.deepcopy(initial_hps) or []
            self.tried_initial = [False] * len(self.initial_hps)

        def get_state(self):
            state = super().get_state()
            state.update(initial_hps=self.initial_hps, tried_initial=self.tried_initial)
            return state

        def set_state(self, state):
            super().set_state(state)
            self.initial_hps = state["initial_hps"]
            self.tried_initial = state["tried_initial"]

        def populate_space(self, trial_id):
            for index, tried in enumerate(self.tried_initial):
                if not tried:
                    self.tried_initial[index] = True
                    return {"status": kt.engine.trial.TrialStatus.RUNNING,
                            "values": self.initial_hps[index]}
            best = self.get_best_trials(1)
            best_hps = best[0].hyperparameters if best else self.hyperparameters.copy()
            names = [hp.name for hp in self.hyperparameters.space]
            for _ in range(self._max_collisions):
                changed = np.random.default_rng(self._seed_state).choice(names)
                hps = kt.HyperParameters()
                for hp in self.hyperparameters.space:
                    hps.merge([hp])
                    if hps.is_active(hp):
                        if hp.name != changed and best_hps.is_active(hp.name):
                            hps.values[hp.name] = best_hps.values[hp.name]
                        else:
                            hps.values[hp.name] = hp.random_sample(self._seed_state)
                        self._seed_state += 1
                values_hash = self._compute_values_hash(hps.values)
                if values_hash in self._tried_so_far:
                    continue
                self._tried_so_far.add(values_hash)
                return {"status": "RUNNING", "values": hps.values}
            return {"status": "STOPPED", "values": None}


    class AutoTuner(kt.engine.tuner.Tuner):
        """Adds early stopping to every search, keeps each trial's fitted model, and
        remembers that it finished and which trials it saw."""

        def __init__(self, *args, **kwargs):
            # Before super().__init__, which resumes a project (calling set_state).
            self.finished = False
            self.seen = []
            self.fitted = {}
            super().__init__(*args, **kwargs)

        def search(self, *fit_args, callbacks=None, **fit_kwargs):
            if self.finished:
                return
            callbacks = self._deepcopy_callbacks(callbacks or [])
            if not any(isinstance(c, keras.callbacks.EarlyStopping) for c in callbacks):
                callbacks.append(keras.callbacks.EarlyStopping(patience=3))
            super().search(*fit_args, callbacks=callbacks, **fit_kwargs)
            self.finished = True
            self.save()

        def _build_and_fit_model(self, trial, *args, **kwargs):
            # Built without the tuner's own helpers, as such libraries do.
            model = self.hypermodel.build(trial.hyperparameters)
            self.fitted[trial.trial_id] = model
            return model.fit(*args, **kwargs)

        def on_trial_end(self, trial):
            self.seen.append(trial.trial_id)
            super().on_trial_end(trial)

        def get_state(self):
            state = super().get_state()
            state.update(finished=self.finished, seen=self.seen)
            return state

        def set_state(self, state):
            super().set_state(state)
            self.finished = state["finished"]
            self.seen = state["seen"]


    INITIAL = [{"body/units": 8, "learning_rate": 1e-2}, {"body/units": 32, "learning_rate": 1e-3}]


    def make_tuner(directory, max_trials, **kwargs):
        oracle = GreedyOracle(objective="val_loss", max_trials=max_trials,
                              initial_hps=INITIAL, seed=3)
        return AutoTuner(oracle=oracle, hypermodel=Graph(), directory=directory,
                         project_name="lib", **kwargs)


    def data():
        rng = np.random.default_rng(0)
        x = rng.normal(size=(96, 4)).astype("float32")
        return x, (x @ np.array([1.0, -2.0, 0.5, 0.0], dtype="float32"))[:, None]
    '''
)

# The child: a search with the library, SIGKILLed in its fourth trial (3 ended).
CHILD = textwrap.dedent(
    """
    import os, signal, sys
    os.environ.setdefault("KERAS_BACKEND", "jax")
    import keras
    sys.path.insert(0, sys.argv[2])
    import library

    class KillInTrial(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if len(tuner.oracle.trials) == 4:
                os.kill(os.getpid(), signal.SIGKILL)

    tuner = library.make_tuner(sys.argv[1], max_trials=6)
    x, y = library.data()
    tuner.search(x, y, validation_split=0.25, epochs=2, callbacks=[KillInTrial()], verbose=0)
    """
)


@pytest.fixture
def library(tmp_path, monkeypatch):
    folder = tmp_path / "lib_src"
    folder.mkdir()
    (folder / "library.py").write_text(LIBRARY)
    monkeypatch.syspath_prepend(str(folder))
    sys.modules.pop("library", None)
    yield importlib.import_module("library")
    sys.modules.pop("library", None)


@pytest.mark.slow
def test_the_subclassed_tuner_oracle_and_blocks_search_together(library, tmp_path):
    tuner = library.make_tuner(tmp_path, max_trials=5)
    x, y = library.data()
    tuner.search(x, y, validation_split=0.25, epochs=2, verbose=0)

    trials = sorted(tuner.oracle.trials.values(), key=lambda t: t.number)
    assert [t.status for t in trials] == [TrialStatus.COMPLETED] * 5
    # The initial configurations first, then five different configurations.
    assert [t.values["body/units"] for t in trials[:2]] == [8, 32]
    assert len({tuner.oracle._compute_values_hash(t.values) for t in trials}) == 5
    # Every build went through the blocks' _build_wrapper; the fixed head's
    # hyperparameter never joined the space.
    assert sorted(hp.name for hp in tuner.oracle.get_space().space) == [
        "body/units",
        "learning_rate",
    ]
    # The tuner's state, and the weights of the models the subclass itself fitted.
    assert tuner.finished and tuner.seen == [t.trial_id for t in trials]
    best = tuner.oracle.get_best_trials(1)[0]
    kept = tuner.get_best_models(1)[0].get_weights()
    fitted = tuner.fitted[best.trial_id].get_weights()
    assert all(np.array_equal(a, b) for a, b in zip(kept, fitted, strict=True))


def test_the_private_oracle_members_follow_the_trials(library, tmp_path):
    tuner = library.make_tuner(tmp_path, max_trials=3)
    oracle = tuner.oracle
    x, y = library.data()
    tuner.search(x, y, validation_split=0.25, epochs=1, verbose=0)

    hashes = {oracle._compute_values_hash(t.values) for t in oracle.trials.values()}
    assert hashes <= set(oracle._tried_so_far)
    assert dict(oracle._id_to_hash) == {
        tid: oracle._compute_values_hash(t.values) for tid, t in oracle.trials.items()
    }
    assert oracle._id_to_hash["no such trial"] is None
    # The hash ignores the order of the values and the tuner's bookkeeping.
    values = dict(next(iter(oracle.trials.values())).values)
    reordered = {**dict(reversed(list(values.items()))), "tuner/epochs": 3}
    assert oracle._compute_values_hash(reordered) == oracle._compute_values_hash(values)
    assert oracle._duplicate(values)
    assert oracle._max_collisions == 20 and oracle._seed_state > oracle.seed


def test_build_wrapper_wraps_every_build_and_untunable_models_keep_defaults(library):
    hp = kt.HyperParameters()
    graph = library.Graph()
    model = graph.build(hp)
    assert set(hp.values) == {"body/units", "learning_rate"}
    assert model.layers[1].units == 8
    # The head's dropout took its default, outside the space.
    assert "head/dropout" not in hp
    assert graph.head.tunable is False and graph.body.tunable is True


def test_a_hypermodel_survives_pickling_and_copying_with_its_wrapper(library):
    import copy

    import cloudpickle

    for graph in (
        copy.deepcopy(library.Graph()),
        cloudpickle.loads(cloudpickle.dumps(library.Graph())),
    ):
        hp = kt.HyperParameters()
        graph.build(hp)
        assert set(hp.values) == {"body/units", "learning_rate"}


@pytest.mark.slow
def test_a_search_killed_mid_trial_resumes_with_every_state(library, tmp_path):
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    result = subprocess.run(
        [sys.executable, str(script), str(tmp_path), str(Path(library.__file__).parent)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == -9, result.stderr[-3000:]
    with Store.open_read_only(tmp_path / "lib") as store:
        stored = store.load_study()
        killed = [t for t in store.load_trials() if t.status is TrialStatus.RUNNING]
    # What the subclasses added was saved with the study, and one trial was cut off.
    state = stored["state"]
    assert state["oracle"]["tried_initial"] == [True, True]
    assert len(state["tuners"]["tuner0"]["seen"]) == 3
    assert state["tuners"]["tuner0"]["finished"] is False
    assert len(killed) == 1

    tuner = library.make_tuner(tmp_path, max_trials=6)
    # set_state ran while the tuner was created: both states are back.
    assert tuner.seen == state["tuners"]["tuner0"]["seen"]
    assert tuner.oracle.tried_initial == [True, True]
    assert tuner.oracle._seed_state == state["oracle"]["seed_state"]
    x, y = library.data()
    tuner.search(x, y, validation_split=0.25, epochs=2, verbose=0)

    trials = list(tuner.oracle.trials.values())
    assert len(trials) == 6
    assert all(t.status is TrialStatus.COMPLETED for t in trials)
    # The interrupted trial ran again; the initial configurations were not repeated.
    assert killed[0].trial_id in tuner.seen
    assert len({tuner.oracle._compute_values_hash(t.values) for t in trials}) == 6
    assert tuner.finished
    # A finished tuner, resumed, does nothing more (its own flag came back).
    again = library.make_tuner(tmp_path, max_trials=8)
    assert again.finished
    again.search(x, y, validation_split=0.25, epochs=2, verbose=0)
    assert len(again.oracle.trials) == 6


def test_try_build_starts_from_a_clean_session(tmp_path):
    def build_model(hp):
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(hp.Int("u", 2, 4))])
        model.compile(loss="mse")
        return model

    tuner = kt.RandomSearch(build_model, max_trials=1, directory=tmp_path, project_name="p")
    hp = kt.HyperParameters()
    names = [tuner._try_build(hp).layers[0].name for _ in range(2)]
    # keras-tuner's clear_session before each build: layer names start afresh.
    assert names == ["dense", "dense"]


def test_hyperband_honours_max_trials_set_after_construction(tmp_path):
    hp = kt.HyperParameters()
    hp.Float("x", 0.0, 1.0)
    oracle = kt.oracles.HyperbandOracle(
        objective="loss", max_epochs=9, factor=3, hyperparameters=hp, seed=0
    )
    oracle.max_trials = 4
    count = 0
    while (trial := oracle.ask()) is not None:
        oracle.tell(trial, {"loss": trial.values["x"]})
        count += 1
    assert count == 4
    assert oracle.remaining_trials == 0
    assert "max_trials=4" in (oracle.stop_reason or "")


def test_a_state_json_cannot_hold_is_refused_before_anything_is_written(library, tmp_path):
    tuner = library.make_tuner(tmp_path, max_trials=2)
    tuner.seen = {1, 2}  # a set: JSON has none
    with pytest.raises(kt.errors.InvalidArgumentError, match=r"AutoTuner.*get_state"):
        tuner.save()
    with Store.open_read_only(tmp_path / "lib") as store:
        assert "seen" not in store.load_study()["state"]["tuners"].get("tuner0", {})


def test_overriding_a_step_of_keras_tuners_own_loop_warns_that_it_has_no_effect():
    with pytest.warns(UserWarning, match=r"_run_and_update_trial.*never calls.*run_trial"):

        class Reporting(kt.RandomSearch):
            def _run_and_update_trial(self, trial, *args, **kwargs):
                raise AssertionError("not called")

    assert issubclass(Reporting, kt.Tuner)


def test_hyperbands_private_bracket_members_follow_the_schedule():
    hp = kt.HyperParameters()
    hp.Float("a", -1.0, 1.0)
    oracle = kt.oracles.HyperbandOracle(
        objective=kt.Objective("score", "max"), max_epochs=4, factor=2, hyperparameters=hp
    )
    table = {
        b: [(oracle._get_size(b, r), oracle._get_epochs(b, r)) for r in range(b + 1)]
        for b in range(oracle._get_num_brackets())
    }
    assert table == {2: [(4, 1), (2, 2), (1, 4)], 1: [(3, 2), (2, 4)], 0: [(3, 4)]}
    assert [oracle._get_num_rounds(b) for b in range(3)] == [1, 2, 3]

    first_round = [oracle.create_trial(f"t{i}") for i in range(10)]
    # Every bracket's first round runs at once; nothing can be promoted yet.
    assert [b["bracket_num"] for b in oracle._brackets] == [2, 1, 0]
    assert [len(b["rounds"][0]) for b in oracle._brackets] == [4, 3, 3]
    assert oracle.create_trial("t10").status == "IDLE"
    for score, trial in enumerate(first_round):
        oracle.update_trial(trial.trial_id, {"score": score})
        trial.status = "COMPLETED"
        oracle.end_trial(trial)
    promoted = oracle.create_trial("t0")
    # The one-round bracket is over; a promotion names its parent, as keras-tuner's.
    assert [b["bracket_num"] for b in oracle._brackets] == [2, 1]
    assert oracle._brackets[0]["rounds"][1] == [
        {"past_id": promoted.values["tuner/trial_id"], "id": promoted.trial_id}
    ]
    assert oracle._current_iteration == 0


def test_best_models_are_rebuilt_from_a_clean_session_as_their_trials_were(tmp_path):
    class Counted(kt.HyperModel):
        """Names its part from Keras' counter, as some libraries name their blocks:
        after a clear_session the part is "part_1" again."""

        def build(self, hp):
            name = f"part_{keras.backend.get_uid('part')}"
            units = hp.Choice(f"{name}/units", [4, 64])
            model = keras.Sequential(
                [keras.Input((3,)), keras.layers.Dense(units), keras.layers.Dense(1)]
            )
            model.compile(loss="mse")
            return model

    tuner = kt.RandomSearch(
        Counted(), objective="loss", max_trials=2, seed=0, directory=tmp_path, project_name="p"
    )
    x, y = np.ones((8, 3), dtype="float32"), np.zeros((8, 1), dtype="float32")
    tuner.search(x, y, epochs=1, verbose=0)
    assert sorted(t.values["part_1/units"] for t in tuner.oracle.trials.values()) == [4, 64]

    models = tuner.get_best_models(2)
    # Each model is its trial's (a rebuild named "part_2" would take the default, 4).
    expected = [t.values["part_1/units"] for t in tuner.oracle.get_best_trials(2)]
    assert [m.layers[0].units for m in models] == expected
    assert all(m.predict(x, verbose=0).shape == (8, 1) for m in models)
