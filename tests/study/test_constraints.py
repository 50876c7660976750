"""Constraints: declared limits, functions of the trial, infeasible configurations."""

from __future__ import annotations

import pytest

import tunesmith
from tunesmith import Constraint, HyperParameters, TrialStatus
from tunesmith.constraints import ConstraintFunction, as_constraints, is_feasible
from tunesmith.errors import FatalValueError, InvalidArgumentError
from tunesmith.study import Study
from tunesmith.study._feasibility import MAX_INFEASIBLE_IN_A_ROW, InfeasibleSpaceError


def test_a_constraint_is_how_far_past_its_limit():
    both = Constraint("val_loss", min=0.1, max=0.5)
    assert both.label == "0.1<=val_loss<=0.5"
    assert both.value({"val_loss": 0.7}) == pytest.approx(0.2)
    assert both.value({"val_loss": 0.05}) == pytest.approx(0.05)
    assert both.value({"val_loss": 0.3}) < 0
    assert Constraint("model/params", max=100_000).before_training
    assert not Constraint("val_loss", max=1).before_training
    assert Constraint.from_config(both.get_config()) == both


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: Constraint("val_loss"), "no limit"),
        (lambda: Constraint("val_loss", max=float("nan")), "finite"),
        (lambda: Constraint("val_loss", min=2, max=1), "swap"),
        (lambda: Constraint("", max=1), "metric name"),
        (lambda: as_constraints(["val_loss"]), "Constraint objects"),
        (lambda: as_constraints([Constraint("a", max=1), Constraint("a", max=1)]), "twice"),
    ],
)
def test_bad_constraints_are_refused_with_the_fix(make, match):
    with pytest.raises(InvalidArgumentError, match=match):
        make()


def _space() -> HyperParameters:
    hp = HyperParameters()
    hp.Int("width", 1, 100)
    return hp


def test_trained_metrics_and_functions_decide_feasibility_and_best():
    study = Study(
        objective="loss",
        hyperparameters=_space(),
        sampler="random",
        seed=0,
        max_trials=30,
        constraints=[Constraint("size", max=50), lambda trial: trial.values["width"] - 80],
    )
    while (trial := study.ask()) is not None:
        width = trial.values["width"]
        study.tell(trial, {"loss": 1.0 / width, "size": float(width)})
    best = study.get_best_trials(1)[0]
    feasible = [t for t in study.trials.values() if t.values["width"] <= 50]
    assert best.values["width"] == max(t.values["width"] for t in feasible)
    for trial in study.trials.values():
        assert is_feasible(trial.metrics) == (trial.values["width"] <= 50)
        assert trial.metrics["constraint/<lambda>[0]"] == trial.values["width"] - 80


def test_a_constraint_on_a_metric_no_trial_logs_stops_the_search_with_did_you_mean():
    study = Study(
        objective="loss",
        hyperparameters=_space(),
        sampler="random",
        seed=0,
        constraints=[Constraint("sise", max=50)],
    )
    trial = study.ask()
    with pytest.raises(FatalValueError, match="Did you mean 'size'"):
        study.tell(trial, {"loss": 1.0, "size": 3.0})
    assert study.trials[trial.trial_id].status is TrialStatus.FAILED


def test_a_function_returning_nonsense_is_named():
    limit = ConstraintFunction(lambda trial: "small", name="size_limit")
    with pytest.raises(InvalidArgumentError, match="size_limit"):
        limit.values({}, None)


def measured(hp, steps):
    width = hp.Int("width", 1, 100)
    steps.check_model({"model/params": width * 10.0})
    measured.trained += 1
    return {"loss": 1.0 / width}


def test_infeasible_models_are_never_trained_nor_counted():
    measured.trained = 0
    result = tunesmith.tune(
        measured,
        objective="loss",
        max_trials=8,
        seed=0,
        constraints=[Constraint("model/params", max=300)],
    )
    statuses = [t.status for t in result.trials]
    infeasible = [t for t in result.trials if t.status is TrialStatus.INFEASIBLE]
    assert statuses.count(TrialStatus.COMPLETED) == 8 == measured.trained
    assert infeasible, "a width above 30 should have come up"
    for trial in infeasible:
        assert trial.values["width"] > 30 and trial.score is None
        assert trial.metrics["model/params"] == trial.values["width"] * 10
        assert trial.metrics["constraint/model/params<=300"] > 0
    assert result.best_values["width"] <= 30


def test_a_space_with_nothing_feasible_ends_naming_the_constraint_and_the_closest():
    measured.trained = 0
    with pytest.raises(InfeasibleSpaceError) as raised:
        tunesmith.tune(
            measured,
            objective="loss",
            max_trials=5,
            seed=0,
            constraints=[Constraint("model/params", max=5)],
        )
    message = str(raised.value)
    assert "model/params<=5" in message and "'width': 1" in message
    assert f"last {MAX_INFEASIBLE_IN_A_ROW} configurations" in message
    assert measured.trained == 0


def test_add_trial_is_told_without_running_and_learned_from():
    study = Study(
        objective="loss", hyperparameters=_space(), sampler="random", seed=0, max_trials=2
    )
    added = study.add_trial({"width": 64}, {"loss": 0.01})
    assert added.status is TrialStatus.COMPLETED and study.origins == {added.trial_id: "added"}
    assert study.remaining_trials == 2
    ran = 0
    while (trial := study.ask()) is not None:
        study.tell(trial, {"loss": 1.0 / trial.values["width"] + 0.5})
        ran += 1
    assert ran == 2
    assert study.get_best_trials(1)[0] is added
    with pytest.raises(InvalidArgumentError, match="outside its definition"):
        study.add_trial({"width": 500}, {"loss": 0.0})
    with pytest.raises(InvalidArgumentError, match="not hyperparameters"):
        study.add_trial({"depth": 3}, {"loss": 0.0})
    with pytest.raises(InvalidArgumentError, match="lack the objective"):
        study.add_trial({"width": 3}, {"accuracy": 0.0})
    assert len(study.trials) == 3  # the refused calls stored nothing


def curve(hp, steps):
    x = hp.Float("x", 0.0, 1.0)
    for epoch in range(steps.initial_epoch, steps.epochs):
        steps.report(epoch, x / (epoch + 1))
    return x / steps.epochs


def test_asha_neither_counts_nor_promotes_trials_told_without_running():
    from tunesmith.oracles import ASHAOracle

    oracle = ASHAOracle(
        objective=tunesmith.Objective("objective", "min"), max_trials=4, max_epochs=9, seed=0
    )
    added = [({"x": 0.1 * i}, {"objective": 0.01 * i}) for i in range(5)]
    result = tunesmith.tune(curve, algorithm=oracle, add=added)
    ran = [t for t in result.trials if t.trial_id not in oracle.origins]
    assert oracle.configurations == 4  # the 5 added trials are not configurations run
    assert all(t.status is TrialStatus.COMPLETED and "tuner/epochs" in t.values for t in ran)
    parents = {t.values.get("tuner/trial_id") for t in ran} - {None}
    assert parents and not parents & set(oracle.origins)  # never trained: never promoted
