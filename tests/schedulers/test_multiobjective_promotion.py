"""Hyperband and ASHA under a Pareto objective: promotions by non-dominated sorting."""

from __future__ import annotations

import math

import numpy as np
import pytest

import tunesmith
from tunesmith import Constraint, HyperParameters, Objective, Pareto, Trial, TrialStatus
from tunesmith.constraints import is_feasible
from tunesmith.oracles import ASHAOracle, HyperbandOracle
from tunesmith.pareto import dominates
from tunesmith.schedulers._fidelity import ranked
from tunesmith.schedulers._pareto_rungs import pareto_rung_order, total_violation
from tunesmith.schedulers.rungs import promotion_quota

PARETO = Pareto(["error", "cost"], directions=["min", "min"])


def trial(number: int, error: float, cost: float, **extra: float) -> Trial:
    return Trial(
        HyperParameters(),
        trial_id=f"{number:04d}",
        number=number,
        status="COMPLETED",
        score=error,
        metrics={"error": error, "cost": cost, **extra},
    )


def numbers(trials) -> list[int]:
    return [t.number for t in trials]


# ------------------------------------------------------------------- the order
def test_fronts_first_and_the_split_front_keeps_its_extremes_then_the_loneliest():
    front = [(0.1, 9.0), (0.2, 8.9), (0.5, 5.0), (0.9, 1.0), (0.3, 7.0)]
    dominated = [(0.6, 6.0), (0.95, 9.5)]
    trials = [trial(n, e, c) for n, (e, c) in enumerate(front + dominated)]
    order = numbers(pareto_rung_order(trials, PARETO))
    assert set(order[:5]) == {0, 1, 2, 3, 4} and set(order[5:]) == {5, 6}
    # Three places for a front of five: both extremes, then the largest crowding
    # distance (0.5, 5.0), never the crowded (0.2, 8.9) beside (0.1, 9.0).
    assert order[:2] == [0, 3] and order[2] == 2
    assert order.index(1) == 4


def test_one_trial_dominating_the_rung_is_first():
    trials = [trial(0, 0.5, 5.0), trial(1, 0.2, 2.0), trial(2, 0.1, 7.0), trial(3, 0.9, 1.0)]
    trials.append(trial(4, 0.05, 0.5))  # beats every other in both objectives
    assert numbers(pareto_rung_order(trials, PARETO))[0] == 4


def test_constraint_breakers_rank_after_every_feasible_trial_by_total_violation():
    trials = [
        trial(0, 0.9, 9.0),  # feasible but dominated by every other
        trial(1, 0.01, 0.1, **{"constraint/size": 3.0}),
        trial(2, 0.02, 0.2, **{"constraint/size": 0.5, "constraint/latency": -1.0}),
        trial(3, 0.5, 5.0, **{"constraint/size": -2.0}),
        trial(4, 0.0, 0.0, **{"constraint/size": math.nan}),
    ]
    assert numbers(pareto_rung_order(trials, PARETO)) == [3, 0, 2, 1, 4]
    assert total_violation(trials[2].metrics) == 0.5
    assert total_violation(trials[4].metrics) == math.inf


def test_a_trial_missing_an_objective_follows_the_complete_ones():
    partial = Trial(HyperParameters(), trial_id="0009", number=9, status="COMPLETED", score=0.0)
    partial.metrics = {"error": 0.0}
    trials = [partial, trial(0, 0.5, 5.0), trial(1, 0.9, 1.0)]
    assert numbers(pareto_rung_order(trials, PARETO)) == [0, 1, 9]


def test_the_order_depends_on_the_trials_not_their_order_in_the_list():
    rng = np.random.default_rng(0)
    trials = [trial(n, *rng.uniform(0, 1, 2)) for n in range(30)]
    expected = numbers(pareto_rung_order(trials, PARETO))
    for _ in range(5):
        shuffled = list(rng.permutation(trials))
        assert numbers(pareto_rung_order(shuffled, PARETO)) == expected


def test_single_objective_promotions_still_follow_the_score():
    trials = [trial(n, e, c) for n, (e, c) in enumerate([(0.3, 1.0), (0.1, 9.0), (0.2, 5.0)])]
    trials[1].metrics = {"error": 0.1, "cost": 9.0, "constraint/size": 4.0}
    assert numbers(ranked(trials, Objective("error", "min"))) == [1, 2, 0]
    # Under Pareto the constraint breaker goes last; a front of two is ordered by
    # the objectives in turn.
    assert numbers(ranked(trials, PARETO)) == [2, 0, 1]


# -------------------------------------------------------- through the oracles
def by_number(table: dict[int, tuple[float, float]]):
    """Metrics by the configuration's first trial (its ``i``), whatever the epochs."""

    def metrics(values: dict, epoch: int) -> dict[str, float]:
        error, cost = table.get(int(values["i"]), (2.0, 4.9))  # later brackets: poor
        return {"error": error + 0.01 / (epoch + 1), "cost": cost}

    return metrics


def run_by_hand(oracle, metrics, limit: int = 200) -> list[Trial]:
    """Ask, report each epoch, tell the last epoch's metrics, until the oracle is done.
    Each new configuration gets ``i`` = its position among new configurations."""
    trials, fresh = [], 0
    while (asked := oracle.ask()) is not None:
        if "tuner/trial_id" not in asked.values:
            asked.hyperparameters.values["i"] = fresh
            fresh += 1
        first, last = asked.values["tuner/initial_epoch"], asked.values["tuner/epochs"]
        logs: dict[str, float] = {}
        for epoch in range(first, last):
            logs = metrics(asked.values, epoch)
            oracle.report(asked, epoch, logs)
        trials.append(oracle.tell(asked, logs, best_step=last - 1, epochs=last - first))
        assert len(trials) < limit
    return trials


def space() -> HyperParameters:
    hp = HyperParameters()
    hp.Int("i", 0, 1000)
    return hp


def parents_of_round(trials: list[Trial], bracket: int, round_: int) -> set[int]:
    by_id = {t.trial_id: t.number for t in trials}
    return {
        by_id[t.values["tuner/trial_id"]]
        for t in trials
        if t.values["tuner/bracket"] == bracket and t.values["tuner/round"] == round_
    }


def test_hyperband_promotes_the_front_not_the_best_scores():
    # Bracket 2 of max_epochs=9: 9 configurations, 3 promoted. By error alone the
    # three best are 0, 1, 2, but 1 and 2 are dominated; the front is 0, 5, 8.
    table = {
        0: (0.10, 9.0),
        1: (0.11, 9.5),
        2: (0.12, 9.9),
        3: (0.60, 6.0),
        4: (0.70, 7.0),
        5: (0.50, 4.0),
        6: (0.80, 8.0),
        7: (0.90, 9.0),
        8: (0.95, 0.5),
    }
    oracle = HyperbandOracle(objective=PARETO, max_epochs=9, hyperparameters=space(), seed=0)
    trials = run_by_hand(oracle, by_number(table))
    first_round = [t for t in trials if t.values["tuner/bracket"] == 2][:9]
    assert [t.values["i"] for t in first_round] == list(range(9))
    assert parents_of_round(trials, 2, 1) == {0, 5, 8}


def test_asha_promotes_the_one_trial_that_dominates_its_rung():
    table = {0: (0.5, 5.0), 1: (0.2, 2.0), 2: (0.3, 3.0)}  # 1 dominates both others
    oracle = ASHAOracle(
        objective=PARETO, max_epochs=9, max_trials=3, hyperparameters=space(), seed=0
    )
    trials = run_by_hand(oracle, by_number(table))
    promoted = [t for t in trials if "tuner/trial_id" in t.values]
    assert [(t.values["i"], t.values["tuner/epochs"]) for t in promoted] == [(1, 3)]


@pytest.mark.parametrize("make", [HyperbandOracle, ASHAOracle], ids=["hyperband", "asha"])
def test_trials_that_break_a_constraint_are_never_promoted_over_feasible_ones(make):
    # The first nine configurations: the even ones are far better in both objectives
    # but too costly (cost above 5 breaks the constraint); later ones are poor but
    # feasible, so every rung has enough feasible trials for its places.
    table = {
        i: ((0.01 * i, 6.0 + 0.01 * i) if i % 2 == 0 else (0.5 + 0.01 * i, 5.0 - 0.1 * i))
        for i in range(9)
    }
    extra = {"max_trials": 9} if make is ASHAOracle else {}
    oracle = make(objective=PARETO, max_epochs=9, hyperparameters=space(), seed=0, **extra)
    oracle.constraints = [Constraint("cost", max=5.0)]
    trials = run_by_hand(oracle, by_number(table))
    promoted = [t for t in trials if "tuner/trial_id" in t.values]
    assert len(promoted) >= 2
    assert all(is_feasible(t.metrics) for t in trials if "tuner/trial_id" in t.values)
    assert any(not is_feasible(t.metrics) for t in trials)


# ------------------------------------------------------------- tune() end to end
PARETO_TUNE = Pareto(["error", "size"], directions=["min", "min"])


def two_objectives(hp, steps):
    """Crossing learning curves: fast starters plateau high, slow ones end low; a
    wider model costs more (known from the start) and ends lower."""
    width = hp.Float("width", 0.0, 1.0)
    speed = hp.Float("speed", 0.1, 2.0, sampling="log")
    floor = 0.6 * (1.0 - width) ** 2 + 0.2 * abs(speed - 0.5)
    logs: dict[str, float] = {}
    for epoch in range(steps.initial_epoch, steps.epochs):
        error = floor + (1.0 - floor) * math.exp(-speed * (epoch + 1))
        logs = {"error": error, "size": 1.0 + 9.0 * width}
        if not steps.report(epoch, logs):
            break
    return logs


def tune_pareto(algorithm: str, fn=two_objectives, **extra):
    budget = {"max_trials": 18} if algorithm == "asha" else {}
    return tunesmith.tune(
        fn,
        objective=PARETO_TUNE,
        algorithm=algorithm,
        max_epochs=9,
        seed=3,
        **budget,
        **extra,
    )


def rung_of(trial: Trial) -> tuple[int, int]:
    return int(trial.values["tuner/bracket"]), int(trial.values["tuner/round"])


@pytest.mark.parametrize("algorithm", ["hyperband", "asha"])
def test_tune_promotes_each_parent_from_the_top_of_its_rung_as_it_stood(algorithm):
    result = tune_pareto(algorithm)
    trials = sorted(result.trials, key=lambda t: t.number)
    assert all(t.status is TrialStatus.COMPLETED for t in trials)
    assert {t.values["tuner/epochs"] for t in trials} == {1, 3, 9}
    by_id = {t.trial_id: t for t in trials}
    promoted = [t for t in trials if "tuner/trial_id" in t.values]
    assert len(promoted) >= 3
    for child in promoted:
        parent = by_id[child.values["tuner/trial_id"]]
        # The parent's rung as it stood when the child was asked (trials run one at
        # a time here, so every earlier trial had finished).
        rung = [t for t in trials if t.number < child.number and rung_of(t) == rung_of(parent)]
        order = pareto_rung_order(rung, PARETO_TUNE)
        if algorithm == "hyperband":
            bracket, round_ = rung_of(parent)
            places = sum(rung_of(t) == (bracket, round_ + 1) for t in trials)
        else:
            places = promotion_quota(len(order), 3)
        assert parent in order[:places]
    # The best trials are the front of every trial with a result.
    points = {t.number: PARETO_TUNE.minimised(t.metrics) for t in trials}
    best = result.best_trials
    assert best
    assert not any(dominates(points[o], points[b.number]) for b in best for o in points)


def schedule(trials) -> list[tuple]:
    number_of = {t.trial_id: t.number for t in trials}
    return [
        (
            t.number,
            round(t.values["width"], 12),
            t.values["tuner/epochs"],
            number_of.get(t.values.get("tuner/trial_id")),
        )
        for t in sorted(trials, key=lambda t: t.number)
    ]


@pytest.mark.parametrize("algorithm", ["hyperband", "asha"])
def test_a_resumed_search_makes_the_same_promotions(tmp_path, algorithm):
    straight = tune_pareto(algorithm)
    calls = 0

    def crashes_at_the_twelfth_trial(hp, steps):
        nonlocal calls
        calls += 1
        if calls == 12:  # past the first promotions of either algorithm
            raise KeyboardInterrupt
        return two_objectives(hp, steps)

    with pytest.raises(KeyboardInterrupt):
        tune_pareto(algorithm, crashes_at_the_twelfth_trial, directory=tmp_path, project_name="p")
    resumed = tune_pareto(algorithm, directory=tmp_path, project_name="p")
    assert schedule(resumed.trials) == schedule(straight.trials)
    assert sum("tuner/trial_id" in t.values for t in resumed.trials) >= 3
    assert all(t.status is TrialStatus.COMPLETED for t in resumed.trials)


# ------------------------------------------------------------------ Keras
@pytest.mark.keras
def test_keras_hyperband_under_pareto_promotes_and_its_best_trials_are_the_front(tmp_path):
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(96, 4)).astype("float32")
    y = (x[:, 0] + 0.5 * x[:, 1] > 0).astype("int32")

    def build_model(hp):
        model = keras.Sequential(
            [
                keras.Input((4,)),
                keras.layers.Dense(hp.Int("units", 2, 16, step=2), activation="relu"),
                keras.layers.Dense(1, activation="sigmoid"),
            ]
        )
        model.compile(
            optimizer=keras.optimizers.Adam(hp.Float("lr", 1e-3, 1e-1, sampling="log")),
            loss="binary_crossentropy",
            metrics=["accuracy"],
        )
        return model

    tuner = tunesmith.Hyperband(
        build_model,
        objective=Pareto(["val_accuracy", "val_loss"]),
        max_epochs=4,  # two brackets: 5 trials of 2 epochs, 2 promoted to 4; 3 of 4
        seed=0,
        directory=tmp_path,
        project_name="p",
    )
    tuner.search(x[:64], y[:64], validation_data=(x[64:], y[64:]), batch_size=32, verbose=0)
    trials = [t for t in tuner.oracle.trials.values() if t.has_valid_score]
    assert any("tuner/trial_id" in t.values for t in trials)  # promotions happened
    objective = tuner.oracle.objective
    points = {t.trial_id: objective.minimised(t.metrics) for t in trials}
    best = tuner.oracle.get_best_trials()
    front = {i for i, p in points.items() if not any(dominates(q, p) for q in points.values())}
    assert {t.trial_id for t in best} == front
