"""The Bayesian optimisation oracle through its public ask/tell interface."""

from __future__ import annotations

import math

import numpy as np
import pytest

import tunesmith
from tunesmith import HyperParameters, TrialStatus
from tunesmith.oracles import (
    BayesianOptimization,
    BayesianOptimizationOracle,
    RandomSearchOracle,
    load_oracle,
)
from tunesmith.samplers import default_initial_points
from tunesmith.space import config_key
from tunesmith.store import Store


def branin(x1: float, x2: float) -> float:
    b, c, t = 5.1 / (4 * math.pi**2), 5 / math.pi, 1 / (8 * math.pi)
    return (x2 - b * x1**2 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


BRANIN_MIN = 0.397887


def branin_space() -> HyperParameters:
    hp = HyperParameters()
    hp.Float("x1", -5.0, 10.0)
    hp.Float("x2", 0.0, 15.0)
    return hp


def run(oracle, objective) -> list:
    trials = []
    while (trial := oracle.ask()) is not None:
        oracle.tell(trial, objective(trial.values))
        trials.append(trial)
    return trials


def best_branin(cls, seed: int, trials: int = 30) -> float:
    oracle = cls(objective="loss", max_trials=trials, hyperparameters=branin_space(), seed=seed)
    run(oracle, lambda v: branin(v["x1"], v["x2"]))
    return oracle.get_best_trials(1)[0].score


def test_beats_random_search_on_branin():
    seeds = range(3)
    bayes = [best_branin(BayesianOptimizationOracle, s) - BRANIN_MIN for s in seeds]
    random = [best_branin(RandomSearchOracle, s) - BRANIN_MIN for s in seeds]
    assert np.mean(bayes) < 0.1 < np.mean(random)
    assert np.mean(bayes) < 0.2 * np.mean(random)


def test_a_tiny_space_is_run_to_exhaustion_without_repeats():
    hp = HyperParameters()
    hp.Int("a", 0, 3)
    hp.Boolean("b")
    hp.Choice("c", ["x", "y", "z"])
    oracle = BayesianOptimizationOracle(
        objective="loss", max_trials=100, hyperparameters=hp, seed=0, num_initial_points=2
    )
    trials = run(oracle, lambda v: v["a"] + (v["c"] == "z") + 0.5 * v["b"])
    keys = [config_key(t.values) for t in trials]
    assert len(keys) == 24 == len(set(keys))
    assert oracle.stop_reason == "All 24 configurations of the search space have been tried."
    # The model ranks the space: the best configurations come early.
    assert min(t.score for t in trials[:8]) == 0.0


def conditional_space() -> HyperParameters:
    hp = HyperParameters()
    hp.Choice("model", ["linear", "mlp", "cnn"])
    with hp.conditional_scope("model", ["mlp", "cnn"]):
        hp.Float("dropout", 0.0, 0.5)
    with hp.conditional_scope("model", "cnn"):
        hp.Int("filters", 8, 64, step=8)
        hp.Choice("kernel", ["3", "5"])
    with hp.conditional_scope("model", "mlp"):
        hp.Int("units", 16, 256, step=16)
    hp.Float("lr", 1e-4, 1e-1, sampling="log")
    return hp


def conditional_loss(v: dict) -> float:
    lr_term = (math.log10(v["lr"]) + 2.5) ** 2
    if v["model"] == "linear":
        return 1.0 + lr_term
    if v["model"] == "mlp":
        return 0.6 + (v["dropout"] - 0.2) ** 2 + ((v["units"] - 128) / 256) ** 2 + lr_term
    return 0.3 + (v["dropout"] - 0.3) ** 2 + ((v["filters"] - 40) / 64) ** 2 + lr_term


def test_conditional_spaces_give_valid_proposals_and_find_the_best_branch():
    hp = conditional_space()
    oracle = BayesianOptimizationOracle(objective="loss", max_trials=25, hyperparameters=hp, seed=1)
    trials = run(oracle, conditional_loss)
    for trial in trials:
        assert hp.with_values(trial.values).values == trial.values
        assert ("filters" in trial.values) == (trial.values["model"] == "cnn")
        assert ("units" in trial.values) == (trial.values["model"] == "mlp")
    best = oracle.get_best_trials(1)[0]
    assert best.values["model"] == "cnn" and best.score < 0.45
    assert len({config_key(t.values) for t in trials}) == 25


def test_same_seed_same_proposals_and_another_seed_other_ones():
    def proposals(seed):
        oracle = BayesianOptimizationOracle(
            objective="loss", max_trials=9, hyperparameters=conditional_space(), seed=seed
        )
        return [t.values for t in run(oracle, conditional_loss)]

    first = proposals(5)
    assert first == proposals(5)
    assert first != proposals(6)


def test_num_initial_points_is_honoured_and_the_default_rule():
    def sequence(initial):
        oracle = BayesianOptimizationOracle(
            objective="loss",
            max_trials=5,
            hyperparameters=branin_space(),
            seed=2,
            num_initial_points=initial,
        )
        return [t.values for t in run(oracle, lambda v: branin(v["x1"], v["x2"]))]

    quasi_random = sequence(100)
    modelled = sequence(3)
    assert modelled[:3] == quasi_random[:3] and modelled[3] != quasi_random[3]
    assert [default_initial_points(d) for d in (1, 2, 6, 9, 30)] == [3, 3, 5, 6, 8]
    oracle = BayesianOptimizationOracle(objective="loss", hyperparameters=conditional_space())
    assert oracle.initial_points() == 5  # six tunable hyperparameters


def test_pending_trials_get_distinct_spread_out_proposals():
    # Each pending trial is data for the next proposal (kriging believer), so four
    # asks in a row give four different regions, not one point nudged four times
    # (that would put them 0.02 length scales apart). Floats differ between
    # processors, so the property is checked over several seeds with a wide margin.
    median_gaps = []
    for seed in range(6):
        oracle = BayesianOptimizationOracle(
            objective="loss", max_trials=20, hyperparameters=branin_space(), seed=seed
        )
        for _ in range(6):
            trial = oracle.ask()
            oracle.tell(trial, branin(trial.values["x1"], trial.values["x2"]))
        pending = [oracle.ask() for _ in range(4)]
        assert all(t.status is TrialStatus.RUNNING for t in pending)
        assert len({config_key(t.values) for t in pending}) == 4
        points = np.array([[t.values["x1"] / 15, t.values["x2"] / 15] for t in pending])
        gaps = [np.linalg.norm(a - b) for i, a in enumerate(points) for b in points[i + 1 :]]
        median_gaps.append(float(np.median(gaps)))
    assert min(median_gaps) > 0.04, median_gaps  # seen: 0.10 and more on every seed
    assert float(np.median(median_gaps)) > 0.2, median_gaps  # seen: about 0.5


def test_with_trials_running_the_kernel_is_refitted_only_as_results_grow(monkeypatch):
    # Many workers ask in bursts: refitting the hyperparameters at every ask made
    # the driver the bottleneck. They are refitted once the finished trials grew by
    # 10 %; in between the model is only conditioned on the new results.
    from tunesmith.samplers._gp import _model

    fits = []
    real_fit = _model.GaussianProcess.fit

    def counted_fit(self, *args, **kwargs):
        fits.append(1)
        return real_fit(self, *args, **kwargs)

    monkeypatch.setattr(_model.GaussianProcess, "fit", counted_fit)
    oracle = BayesianOptimizationOracle(
        objective="loss", max_trials=200, hyperparameters=branin_space(), seed=0
    )

    def finish(trial):
        oracle.tell(trial, branin(trial.values["x1"], trial.values["x2"]))

    for _ in range(20):
        finish(oracle.ask())
    sequential = len(fits)
    assert sequential == 20 - oracle.initial_points()  # alone, a fit at every ask
    running = [oracle.ask() for _ in range(4)]
    assert len(fits) == sequential + 1  # one fit serves the burst of four
    assert len({config_key(t.values) for t in running}) == 4
    finish(running.pop(0))  # 21 results: under 20 x 1.1
    running.append(oracle.ask())
    assert len(fits) == sequential + 1
    finish(running.pop(0))  # 22 results: refitted
    running.append(oracle.ask())
    assert len(fits) == sequential + 2


def test_failed_and_invalid_trials_steer_the_search_away():
    # lr > 0.03 (failed or NaN) is 30 % of the log range: random search puts about 5
    # of the 17 modelled proposals there. Seen with the model: 0 to 3 on each of 40
    # seeds (one seed's count moves with the processor's floats, 1 or 2 for seed 6);
    # with failures left out of the fit, or imputed at the best score: 11 to 17.
    for seed in (4, 5, 6):
        hp = HyperParameters()
        hp.Float("lr", 1e-5, 1.0, sampling="log")
        oracle = BayesianOptimizationOracle(
            objective="loss",
            max_trials=20,
            hyperparameters=hp,
            seed=seed,
            max_consecutive_failed_trials=20,
        )
        proposals = []
        while (trial := oracle.ask()) is not None:
            lr = trial.values["lr"]
            proposals.append(lr)
            if lr > 0.1:
                oracle.tell(trial, error=RuntimeError("diverged"))
            elif lr > 0.03:
                oracle.tell(trial, math.nan)
            else:
                oracle.tell(trial, (math.log10(lr) + 2.0) ** 2 + 1.0)
        modelled = proposals[oracle.initial_points() :]
        assert len(modelled) == 17
        assert sum(lr > 0.03 for lr in modelled) <= 4, (seed, modelled)
        # The optimum is 1.0 at lr = 0.01; seen: below 1.008 on every seed.
        assert oracle.get_best_trials(1)[0].score < 1.05, seed


@pytest.mark.parametrize("acquisition", ["ucb", "logei", "auto"])
def test_maximising_is_minimising_the_negation(acquisition):
    def proposals(objective, sign):
        oracle = BayesianOptimizationOracle(
            objective=objective,
            max_trials=10,
            hyperparameters=branin_space(),
            seed=5,
            acquisition=acquisition,
        )
        trials = run(oracle, lambda v: {objective: sign * branin(v["x1"], v["x2"])})
        return oracle, [t.values for t in trials]

    minimised, values = proposals("val_loss", 1.0)
    maximised, same_values = proposals("val_accuracy", -1.0)
    assert values == same_values
    assert minimised.get_best_trials(1)[0].score == -maximised.get_best_trials(1)[0].score


def test_invalid_arguments_are_refused():
    with pytest.raises(ValueError, match="acquisition"):
        BayesianOptimizationOracle(objective="loss", acquisition="ei")
    with pytest.raises(ValueError, match="num_initial_points"):
        BayesianOptimizationOracle(objective="loss", num_initial_points=0)
    with pytest.raises(ValueError, match="beta"):
        BayesianOptimizationOracle(objective="loss", beta=-1.0)


def test_resume_rebuilds_the_model_from_the_store(tmp_path):
    def objective(v):
        return branin(v["x1"], v["x2"])

    straight = BayesianOptimizationOracle(
        objective="loss", max_trials=9, hyperparameters=branin_space(), seed=6
    )
    expected = [t.values for t in run(straight, objective)]

    first = BayesianOptimizationOracle(
        objective="loss", max_trials=9, hyperparameters=branin_space(), seed=6
    )
    first.attach_store(Store.open(tmp_path / "p"))
    for _ in range(6):
        trial = first.ask()
        first.tell(trial, objective(trial.values))
    first.store.close()

    second = BayesianOptimization(objective="loss", max_trials=9, hyperparameters=branin_space())
    second.attach_store(Store.open(tmp_path / "p"))
    run(second, objective)
    got = [t.values for t in sorted(second.trials.values(), key=lambda t: t.number)]
    assert got[:6] == expected[:6]
    # The model is refitted from the stored trials (without the previous fit's warm
    # start), which lands on the same optimum: the same proposals, up to rounding.
    for a, b in zip(got[6:], expected[6:], strict=True):
        assert a == pytest.approx(b, abs=1e-3)

    loaded = load_oracle(Store.open(tmp_path / "p"))
    assert isinstance(loaded, BayesianOptimizationOracle)
    assert loaded.beta == 2.6 and loaded.acquisition == "auto" and len(loaded.trials) == 9


def test_tune_with_a_growing_define_by_run_space():
    def objective(hp):
        layers = hp.Int("layers", 1, 3)
        widths = [hp.Int(f"units_{i}", 16, 128, step=16) for i in range(layers)]
        act = hp.Choice("act", ["relu", "tanh"])
        return sum((w - 64) ** 2 for w in widths) / 1e4 + layers * 0.1 + (act == "tanh")

    result = tunesmith.tune(objective, max_trials=14, seed=0, algorithm="bayesian")
    assert isinstance(result.oracle, BayesianOptimizationOracle)
    assert len(result.trials) == 14
    assert len({config_key(t.values) for t in result.trials}) == 14
    assert {h.name for h in result.oracle.hyperparameters.space} >= {"layers", "units_0", "act"}
    assert result.best_score < 0.5
