"""Pruners alone, inside the random and Bayesian oracles, in the store and on resume."""

from __future__ import annotations

import math

import numpy as np
import pytest
from fidelity_helpers import run, train

import tunesmith
from tunesmith import HyperParameters, TrialStatus
from tunesmith.oracles import BayesianOptimizationOracle, RandomSearchOracle, load_oracle
from tunesmith.pruners import (
    MedianPruner,
    NopPruner,
    SuccessiveHalvingPruner,
    TrialCurve,
    make_pruner,
)
from tunesmith.samplers._gp._targets import floor_stopped
from tunesmith.space import config_key
from tunesmith.store import Store

DONE, RUNNING = TrialStatus.COMPLETED, TrialStatus.RUNNING


def completed(*curves: dict) -> list[TrialCurve]:
    return [TrialCurve(c, DONE) for c in curves]


# ------------------------------------------------------------------ median rule
def test_median_rule_stops_a_clearly_worse_curve_after_the_warm_up():
    others = completed(*({s: 1.0 / (s + 1) for s in range(10)} for _ in range(5)))
    bad = {s: 5.0 for s in range(10)}
    pruner = MedianPruner(n_startup_trials=5, n_warmup_steps=3)
    assert [pruner.should_stop(s, {k: bad[k] for k in range(s + 1)}, others) for s in range(5)] == [
        False,
        False,
        False,
        True,
        True,
    ]
    good = {s: 0.5 / (s + 1) for s in range(10)}
    assert not any(pruner.should_stop(s, good, others) for s in range(10))


def test_median_rule_needs_startup_trials_and_compares_the_best_value_so_far():
    pruner = MedianPruner(n_startup_trials=2)
    one = completed({0: 1.0, 1: 0.5})
    assert not pruner.should_stop(1, {0: 9.0, 1: 9.0}, one)  # one completed trial
    two = [*one, *completed({0: 1.0, 1: 0.6})]
    assert pruner.should_stop(1, {0: 9.0, 1: 9.0}, two)
    # The best so far (0.1 at step 0) beats the median at step 1: it goes on.
    assert not pruner.should_stop(1, {0: 0.1, 1: 9.0}, two)
    # Running or stopped trials are not in the median, nor in the start-up count.
    others = [TrialCurve({0: 0.1, 1: 0.1}, RUNNING), TrialCurve({0: 0.1}, TrialStatus.STOPPED)]
    assert not pruner.should_stop(1, {0: 9.0, 1: 9.0}, [*one, *others])


def test_median_rule_interval_and_minimum_trials_at_the_step():
    others = completed(*({s: 0.1 for s in range(10)} for _ in range(5)))
    bad = {s: 1.0 for s in range(10)}
    every_third = MedianPruner(n_startup_trials=1, n_warmup_steps=2, interval_steps=3)
    decided = [s for s in range(10) if every_third.should_stop(s, bad, others)]
    assert decided == [2, 5, 8]
    # Reporting every other step still decides once per interval.
    sparse = {s: 1.0 for s in range(0, 10, 2)}
    assert [s for s in sparse if every_third.should_stop(s, sparse, others)] == [2, 6, 8]
    strict = MedianPruner(n_startup_trials=1, n_min_trials=6)
    assert not strict.should_stop(4, bad, others)


def test_no_pruner_stops_the_only_trial_or_before_its_minimum_step():
    lonely = {s: 1e6 for s in range(30)}
    pruners = [
        MedianPruner(n_startup_trials=0),
        SuccessiveHalvingPruner(min_resource=1),
        NopPruner(),
    ]
    for pruner in pruners:
        assert not any(pruner.should_stop(s, lonely, []) for s in range(30))
        assert not any(pruner.should_stop(s, lonely, [TrialCurve({}, RUNNING)]) for s in range(30))
    others = completed({s: 0.0 for s in range(30)})
    assert not MedianPruner(n_startup_trials=0, n_warmup_steps=5).should_stop(4, lonely, others)
    halving = SuccessiveHalvingPruner(min_resource=4)
    assert halving.min_step == 3
    assert not any(halving.should_stop(s, lonely, others) for s in range(3))
    assert halving.should_stop(3, lonely, others)


# --------------------------------------------------------- successive halving
def test_successive_halving_judges_only_at_rungs_keeping_the_top_third():
    pruner = SuccessiveHalvingPruner(min_resource=1, reduction_factor=3)
    assert [pruner.rung_step(k) for k in range(4)] == [0, 2, 8, 26]
    rivals = completed(*({s: v for s in range(27)} for v in (0.1, 0.2, 0.3, 0.4, 0.5)))
    # Six values at the rung (five rivals and itself): the best two go on.
    assert not pruner.should_stop(0, {0: 0.15}, rivals)
    assert pruner.should_stop(0, {0: 0.25}, rivals)
    # Between rungs nothing is stopped, however bad.
    curve = {0: 0.05, 1: 9.0}
    assert not pruner.should_stop(1, curve, rivals)
    assert pruner.should_stop(2, {**curve, 2: 9.0}, rivals)
    # Few values at a rung: only the best of them goes on (optuna's rule).
    assert pruner.should_stop(0, {0: 0.3}, completed({0: 0.2}))
    assert not pruner.should_stop(0, {0: 0.1}, completed({0: 0.2}))


def test_successive_halving_uses_each_trials_value_at_the_rung_and_skipped_rungs():
    pruner = SuccessiveHalvingPruner(min_resource=2, reduction_factor=2, min_early_stopping_rate=1)
    assert pruner.min_step == 3  # 2 * 2**1 epochs
    # A rival that reported only after the rung counts with its first value there.
    rivals = [TrialCurve({5: 0.2}, TrialStatus.STOPPED), TrialCurve({3: 0.4, 4: 0.01}, RUNNING)]
    assert pruner.should_stop(3, {3: 0.3}, rivals)  # behind 0.2: not in the best 1 of 3
    assert not pruner.should_stop(3, {3: 0.1}, rivals)
    # A jump over a rung is judged when it lands (step 9 covers the rung at step 7).
    assert pruner.should_stop(9, {2: 0.0, 9: 0.5}, completed({7: 0.1}))


def test_pruners_are_made_from_names_and_settings():
    assert make_pruner(None) is None
    assert make_pruner("median") == MedianPruner()
    assert make_pruner("asha") == SuccessiveHalvingPruner()
    assert isinstance(make_pruner("none"), NopPruner)
    custom = MedianPruner(n_startup_trials=2, n_warmup_steps=4)
    assert make_pruner(custom.to_settings()) == custom
    with pytest.raises(ValueError, match="Unknown pruner"):
        make_pruner("hyperband")
    with pytest.raises(ValueError, match="n_warmup_steps"):
        MedianPruner(n_warmup_steps=-1)
    with pytest.raises(ValueError, match="reduction_factor"):
        SuccessiveHalvingPruner(reduction_factor=1)
    assert tunesmith.pruners.MedianPruner is MedianPruner


# ------------------------------------------------------------- in the oracles
def space() -> HyperParameters:
    hp = HyperParameters()
    hp.Float("q", 0.0, 1.0)
    return hp


def curve(values, epoch):
    return values["q"] + 1.0 / (epoch + 1)


def test_a_pruned_trial_is_stored_stopped_with_its_partial_curve(tmp_path):
    store = Store.open(tmp_path / "p")
    oracle = RandomSearchOracle(
        objective="val_loss",
        max_trials=12,
        hyperparameters=space(),
        seed=0,
        pruner=MedianPruner(n_startup_trials=2, n_warmup_steps=2),
    )
    oracle.attach_store(store)
    trials = run(oracle, curve, epochs=10)
    stopped = [t for t in trials if t.status is TrialStatus.STOPPED]
    assert stopped and all(t.number >= 2 for t in stopped)
    for trial in stopped:
        steps = store.load_curves(trial.trial_id)["step"].tolist()
        assert steps == list(range(len(steps))) and 3 <= len(steps) < 10
        # Its score is the best value it reached, at the fidelity it reached.
        assert trial.score == pytest.approx(curve(trial.values, steps[-1]))
        assert trial.has_valid_score
    frame = store.results_frame()
    assert (frame["status"] == "STOPPED").sum() == len(stopped)
    best = oracle.get_best_trials(1)[0]
    assert best.status is TrialStatus.COMPLETED
    assert best.values["q"] <= min(t.values["q"] for t in trials) + 0.2


def test_maximised_objectives_are_pruned_the_right_way_round():
    oracle = RandomSearchOracle(
        objective="val_accuracy", max_trials=10, hyperparameters=space(), seed=1, pruner="median"
    )
    trials = run(oracle, lambda v, e: 1.0 - curve(v, e), epochs=8)
    stopped = [t for t in trials if t.status is TrialStatus.STOPPED]
    kept = [t for t in trials[5:] if t.status is TrialStatus.COMPLETED]
    assert stopped and kept
    # Pruned trials are the worse ones (higher q means lower accuracy).
    assert np.mean([t.values["q"] for t in stopped]) > np.mean([t.values["q"] for t in kept])


def test_a_step_without_the_objective_never_stops_a_trial():
    oracle = RandomSearchOracle(objective="val_loss", max_trials=5, hyperparameters=space(), seed=2)
    oracle.pruner = SuccessiveHalvingPruner()
    first = oracle.ask()
    assert oracle.report(first, 0, {"val_loss": 0.1})
    second = oracle.ask()
    assert oracle.report(second, 0, {"loss": 9.0})  # no val_loss in the logs
    assert oracle.report(second, 1, {"val_loss": math.nan})
    assert not oracle.report(second, 2, {"val_loss": 9.0})  # the rung at step 2: stopped


def test_resume_rebuilds_the_reported_curves_and_the_pruner(tmp_path):
    def make(seed=None):
        return RandomSearchOracle(
            objective="val_loss",
            max_trials=20,
            hyperparameters=space(),
            seed=seed,
            pruner=SuccessiveHalvingPruner(min_resource=1, reduction_factor=2),
        )

    straight = run(make(seed=4), curve, epochs=6)

    store = Store.open(tmp_path / "p")
    first = make(seed=4)
    first.attach_store(store)
    for _ in range(7):
        train(first, first.ask(), curve, epochs=6)
    crashed = first.ask()
    first.report(crashed, 0, {"val_loss": 50.0})
    store.close()

    resumed = make()
    resumed.attach_store(Store.open(tmp_path / "p"))
    run(resumed, curve, epochs=6)
    got = sorted(resumed.trials.values(), key=lambda t: t.number)
    assert [(t.status, t.epochs) for t in got] == [(t.status, t.epochs) for t in straight]
    assert any(t.status is TrialStatus.STOPPED for t in got)

    loaded = load_oracle(Store.open(tmp_path / "p"))
    assert loaded.pruner == SuccessiveHalvingPruner(min_resource=1, reduction_factor=2)


# ------------------------------------------------------------- Bayesian + stopped
def test_stopped_scores_are_floored_at_a_pessimistic_quantile():
    scores = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.05, 0.9, np.inf])
    stopped = np.array([False] * 5 + [True, True, False])
    floored = floor_stopped(scores, stopped)
    assert floored[5] == pytest.approx(0.4) and floored[6] == 0.9
    assert floored[:5].tolist() == scores[:5].tolist() and np.isinf(floored[7])
    assert floor_stopped(scores[5:7], stopped[5:7]).tolist() == [0.05, 0.9]  # no reference


def test_the_bayesian_oracle_trains_on_stopped_trials_without_taking_them_for_finished():
    oracle = BayesianOptimizationOracle(
        objective="val_accuracy", max_trials=10, hyperparameters=space(), seed=3
    )
    trials = [oracle.ask() for _ in range(6)]
    for trial, accuracy in zip(trials[:4], [0.9, 0.8, 0.7, 0.6], strict=True):
        oracle.tell(trial, accuracy)
    oracle.tell(trials[4], 0.95, stopped_early=True)  # looked good at low fidelity
    oracle.tell(trials[5], 0.1, stopped_early=True)
    seen = oracle.sampler.observations(oracle.sampling_context())
    finished, scores, pending = seen.finished, seen.scores, seen.pending
    assert len(finished) == 6 and not pending
    floor = np.quantile([-0.9, -0.8, -0.7, -0.6], 0.75)  # oriented: lower is better
    assert scores[:4].tolist() == [-0.9, -0.8, -0.7, -0.6]
    assert scores[4] == pytest.approx(floor) and scores[5] == pytest.approx(-0.1)


def test_bayesian_search_with_a_pruner_never_repeats_and_still_finds_the_optimum():
    oracle = BayesianOptimizationOracle(
        objective="val_loss",
        max_trials=14,
        hyperparameters=space(),
        seed=5,
        pruner=MedianPruner(n_startup_trials=3, n_warmup_steps=1),
    )
    trials = run(oracle, lambda v, e: (v["q"] - 0.3) ** 2 + 1.0 / (e + 1), epochs=6)
    assert len({config_key(t.values) for t in trials}) == 14
    assert any(t.status is TrialStatus.STOPPED for t in trials)
    best = oracle.get_best_trials(1)[0]
    assert best.status is TrialStatus.COMPLETED and abs(best.values["q"] - 0.3) < 0.1
    assert load_oracle_settings(oracle)["pruner"]["class_name"] == "MedianPruner"


def load_oracle_settings(oracle) -> dict:
    return oracle.settings()
