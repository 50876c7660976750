"""GridSearch explores hyperparameters found during the search as keras-tuner does.

The counts are those of keras-tuner's own grid search tests, on models of our own;
nothing is trained: ``run_trial`` returns a number.
"""

from __future__ import annotations

import itertools

import tunesmith as kt
from tunesmith import TrialStatus


def grid_tuner(tmp_path, register, hypermodel=None, **kwargs):
    """A GridSearch whose trials only run ``register(hp)`` (the model's build and fit)."""

    class Registering(kt.GridSearch):
        def run_trial(self, trial, *args, **kwargs):
            register(trial.hyperparameters)
            return float(len(self.oracle.trials))

    return Registering(hypermodel, directory=tmp_path, project_name="grid", **kwargs)


def build_then_fit(tmp_path, hypermodel):
    """A GridSearch that builds and fits ``hypermodel`` without Keras (no model)."""

    class BuildAndFit(kt.GridSearch):
        def run_trial(self, trial, *args, **kwargs):
            hp = trial.hyperparameters
            return self.hypermodel.fit(hp, self.hypermodel.build(hp))

    return BuildAndFit(hypermodel, directory=tmp_path, project_name="grid")


def tried(tuner):
    return [tuner.oracle.trials[i].values for i in tuner.oracle.start_order]


def test_every_combination_of_values_registered_in_the_trials(tmp_path):
    def register(hp):
        hp.Choice("width", [16, 32, 64])
        hp.Boolean("norm", default=True)
        hp.Choice("act", ["relu", "gelu"])
        hp.Int("depth", 1, 2)
        hp.Fixed("loss", "mae")

    tuner = grid_tuner(tmp_path, register)
    tuner.search(verbose=0)
    seen = tried(tuner)
    assert len(seen) == 3 * 2 * 2 * 2
    expected = itertools.product([16, 32, 64], [True, False], ["relu", "gelu"], [1, 2])
    assert [tuple(v[n] for n in ("width", "norm", "act", "depth")) for v in seen] == list(expected)
    assert all(v["loss"] == "mae" for v in seen)


def test_float_without_step_takes_ten_points_and_its_default(tmp_path):
    def register(hp):
        hp.Int("layers", 2, 4)
        hp.Float("rate", 0.5, 1.5)

    tuner = grid_tuner(tmp_path, register)
    tuner.search(verbose=0)
    seen = tried(tuner)
    assert len(seen) == 3 * (10 + 1)
    assert [v["rate"] for v in seen[:3]] == [0.5, 0.55, 0.65]


def test_names_found_later_never_vary_the_trials_before(tmp_path):
    # Without conditional scopes a name is active everywhere once known: "momentum"
    # (found by the first trial) varies in the "adam" trials too, but "beta" and
    # "amsgrad" (found by the first "adam" trial) never reach the "sgd" ones.
    def register(hp):
        if hp.Choice("optimizer", ["sgd", "adam"]) == "adam":
            hp.Choice("beta", [0.9, 0.99])
            hp.Boolean("amsgrad")
        else:
            hp.Choice("momentum", [0.0, 0.5, 0.9])

    tuner = grid_tuner(tmp_path, register)
    tuner.search(verbose=0)
    seen = tried(tuner)
    assert len(seen) == 3 + 3 * 2 * 2
    assert seen[:3] == [{"optimizer": "sgd", "momentum": m} for m in (0.0, 0.5, 0.9)]
    assert seen[3] == {"optimizer": "adam", "momentum": 0.0, "beta": 0.9, "amsgrad": False}


class FixedBuildChoiceInFit(kt.HyperModel):
    def build(self, hp):
        hp.Fixed("width", 8)

    def fit(self, hp, model, *args, **kwargs):
        return hp.Choice("batch", [16, 32, 64]) / 64


def test_hyperparameters_registered_in_fit_are_searched(tmp_path):
    tuner = build_then_fit(tmp_path, FixedBuildChoiceInFit())
    assert [hp.name for hp in tuner.oracle.get_space().space] == ["width"]
    tuner.search(verbose=0)
    assert [v["batch"] for v in tried(tuner)] == [16, 32, 64]


class ScopedBuildAndFit(kt.HyperModel):
    """Two branches in build and two in fit, each under a conditional scope."""

    def __init__(self):
        self.builds = 0

    def build(self, hp):
        self.builds += 1
        conv = hp.Boolean("conv")
        with hp.conditional_scope("conv", [True]):
            if conv:
                hp.Choice("kernel", [3, 5])
        with hp.conditional_scope("conv", [False]):
            if not conv:
                hp.Choice("units", [32, 64])

    def fit(self, hp, model, *args, **kwargs):
        schedule = hp.Boolean("schedule")
        with hp.conditional_scope("schedule", [True]):
            if schedule:
                hp.Choice("warmup", [1, 2])
        with hp.conditional_scope("schedule", [False]):
            if not schedule:
                hp.Choice("lr", [0.1, 0.01])
        return 1.0


def test_every_conditional_scope_of_the_build_is_known_before_the_first_trial(tmp_path):
    hypermodel = ScopedBuildAndFit()
    tuner = build_then_fit(tmp_path, hypermodel)
    assert [hp.name for hp in tuner.oracle.get_space().space] == ["conv", "units", "kernel"]
    assert hypermodel.builds == 2  # defaults, then conv=True to open its scope
    tuner.search(verbose=0)
    seen = tried(tuner)
    assert len(seen) == 4 * 4
    assert len({tuple(sorted(v.items())) for v in seen}) == 16
    assert all(("kernel" in v) == v["conv"] and ("warmup" in v) == v["schedule"] for v in seen)


def test_a_scope_that_never_holds_is_tried_once(tmp_path):
    class Contradiction(kt.HyperModel):
        builds = 0

        def build(self, hp):
            type(self).builds += 1
            hp.Boolean("flag")
            with hp.conditional_scope("flag", [False]), hp.conditional_scope("flag", [True]):
                hp.Int("never", 1, 2)

    build_then_fit(tmp_path, Contradiction())
    assert Contradiction.builds == 2


def test_a_hypermodel_with_many_branches_is_built_a_bounded_number_of_times(tmp_path):
    class ManyBranches(kt.HyperModel):
        builds = 0

        def build(self, hp):
            type(self).builds += 1
            choice = hp.Int("branch", 0, 99)
            for value in range(100):
                with hp.conditional_scope("branch", [value]):
                    if choice == value:
                        hp.Boolean(f"option_{value}")

    tuner = build_then_fit(tmp_path, ManyBranches())
    assert ManyBranches.builds == 20
    assert len(tuner.oracle.get_space().space) == 1 + 20


class FlagInBuildFlagInFit(kt.HyperModel):
    def build(self, hp):
        hp.Boolean("pool")

    def fit(self, hp, model, *args, **kwargs):
        hp.Boolean("shuffle")
        return 0.5


def test_workers_wait_while_the_next_combination_depends_on_a_running_trial(tmp_path):
    tuner = build_then_fit(tmp_path, FlagInBuildFlagInFit())
    oracle = tuner.oracle

    def finish(trial):
        hypermodel = FlagInBuildFlagInFit()
        hypermodel.fit(trial.hyperparameters, hypermodel.build(trial.hyperparameters))
        oracle.update_space(trial.hyperparameters)
        oracle.update_trial(trial.trial_id, {oracle.objective.name: 0.5})
        trial.status = TrialStatus.COMPLETED
        oracle.end_trial(trial)

    a = oracle.create_trial("a")
    b = oracle.create_trial("b")
    assert (a.values, b.values) == ({"pool": False}, {"pool": True})
    assert oracle.create_trial("c").status is TrialStatus.IDLE  # pool is used up

    finish(a)  # a found "shuffle": its next value comes before b
    c = oracle.create_trial("c")
    assert c.values == {"pool": False, "shuffle": True}
    assert oracle.create_trial("d").status is TrialStatus.IDLE  # what follows b is unknown

    finish(b)
    d = oracle.create_trial("d")
    assert d.values == {"pool": True, "shuffle": True}
    assert oracle.create_trial("e").status is TrialStatus.IDLE

    finish(c)
    finish(d)
    assert oracle.create_trial("e").status is TrialStatus.STOPPED
    assert len(oracle.trials) == 4


def test_hyperparameters_record_the_scopes_entered_active_and_inactive():
    hp = kt.HyperParameters()
    hp.Choice("arch", ["mlp", "cnn"])
    with hp.conditional_scope("arch", "cnn"):
        hp.Int("filters", 8, 16)
        with hp.conditional_scope("filters", [8]):
            pass
    with hp.conditional_scope("arch", ["mlp"]):
        hp.Boolean("dropout")
        with hp.conditional_scope("dropout", [False]):
            pass
    names = [[(c.name, c.values) for c in scope] for scope in hp.active_scopes]
    assert names == [[("arch", ["mlp"])], [("arch", ["mlp"]), ("dropout", [False])]]
    names = [[(c.name, c.values) for c in scope] for scope in hp.inactive_scopes]
    assert names == [[("arch", ["cnn"])], [("arch", ["cnn"]), ("filters", [8])]]
    assert hp.copy().active_scopes == [] and hp.copy().inactive_scopes == []
