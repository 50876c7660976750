"""The Bayesian sampler with constraints: one GP per constraint value, the acquisition
weighed by the probability of feasibility, the incumbent from feasible trials only."""

from __future__ import annotations

import numpy as np
import pytest

import tunesmith
from tunesmith import Constraint, HyperParameters
from tunesmith.constraints import is_feasible
from tunesmith.pareto import hypervolume
from tunesmith.samplers._gp._acquisition import log_probability_feasible
from tunesmith.samplers._outcomes import signed_log
from tunesmith.study import Study
from tunesmith.trial import TrialStatus


def _plane(seed: int, sampler: str, trials: int, **kwargs) -> Study:
    hp = HyperParameters()
    hp.Float("x", 0.0, 1.0)
    hp.Float("y", 0.0, 1.0)
    return Study(
        objective=kwargs.pop("objective", "loss"),
        sampler=sampler,
        hyperparameters=hp,
        seed=seed,
        max_trials=trials,
        constraints=kwargs.pop("constraints", [Constraint("g", max=0.0)]),
    )


def _disc(values: dict) -> dict[str, float]:
    """Feasible: a disc of radius 0.2 around (0.7, 0.7), an eighth of the square;
    the optimum (0.65, 0.75) lies inside it."""
    x, y = values["x"], values["y"]
    return {
        "loss": (x - 0.65) ** 2 + (y - 0.75) ** 2,
        "g": float(np.hypot(x - 0.7, y - 0.7) - 0.2),
    }


def _run(study: Study, evaluate) -> list[dict[str, float]]:
    told = []
    while (trial := study.ask()) is not None:
        metrics = evaluate(trial.values)
        told.append(metrics)
        study.tell(trial, metrics)
    return told


# ------------------------------------------------------------------ the math
def test_probability_of_feasibility_and_its_gradient():
    mean, std = np.array([-1.0, 0.0, 2.0]), np.array([0.5, 1.0, 0.7])
    value, d_mean, d_std = log_probability_feasible(mean, std)
    np.testing.assert_allclose(np.exp(value), [0.97725, 0.5, 0.0021374], rtol=1e-4)
    step = 1e-7
    np.testing.assert_allclose(
        (log_probability_feasible(mean + step, std)[0] - value) / step, d_mean, rtol=1e-4
    )
    np.testing.assert_allclose(
        (log_probability_feasible(mean, std + step)[0] - value) / step,
        d_std,
        rtol=1e-4,
        atol=1e-6,
    )


def test_constraint_targets_keep_their_sign_and_tame_a_heavy_tail():
    values = np.array([-0.5, -0.01, 0.0, 0.02, 3.0, 1e7, np.inf])
    scaled = signed_log(values)
    assert np.array_equal(np.sign(scaled), np.sign(np.minimum(values, 1e7)))
    assert np.all(np.diff(scaled[:-1]) > 0) and scaled[-1] == scaled[-2] < 25


# ------------------------------------------------------------------ searches
def test_far_fewer_infeasible_proposals_than_random_search():
    def infeasible(sampler: str, seed: int) -> int:
        told = _run(_plane(seed, sampler, 25), _disc)
        return sum(m["g"] > 0 for m in told[5:])  # after the initial designs

    bayesian = [infeasible("bayesian", s) for s in range(2)]
    random = [infeasible("random", s) for s in range(2)]
    # 20 proposals each: random search breaks the constraint ~17 times of 20.
    assert np.mean(random) > 14
    assert np.mean(bayesian) < 0.5 * np.mean(random)


def test_the_incumbent_is_the_best_feasible_trial():
    study = _plane(0, "bayesian", 20)
    told = _run(study, _disc)
    best = study.get_best_trials(1)[0]
    assert is_feasible(best.metrics)
    feasible = [m["loss"] for m in told if m["g"] <= 0]
    assert best.score == min(feasible)
    assert min(feasible) < 0.01  # the optimum inside the disc was approached


def test_without_a_feasible_trial_it_seeks_feasibility():
    def corner(values: dict) -> dict[str, float]:
        # Feasible: the corner x + y <= 0.3 (4.5 % of the square); the loss pulls
        # the other way, to (1, 1).
        x, y = values["x"], values["y"]
        return {"loss": -(x + y), "g": x + y - 0.3}

    for seed in range(2):
        told = _run(_plane(seed, "bayesian", 14), corner)
        first = next(i for i, m in enumerate(told) if m["g"] <= 0)
        assert first < 12
        # Once found, the search keeps to the edge of the feasible corner.
        assert np.mean([m["g"] <= 0.1 for m in told[first:]]) > 0.6


def test_infeasible_configurations_are_never_proposed_again():
    def objective(hp, steps):
        width = hp.Int("width", 1, 12)
        act = hp.Choice("act", ["relu", "tanh"])
        steps.check_model({"model/params": width * 10.0})
        return {"loss": 1.0 / width + (0.05 if act == "tanh" else 0.0)}

    result = tunesmith.tune(
        objective,
        objective="loss",
        algorithm="bayesian",
        max_trials=8,
        seed=0,
        verbose=0,
        constraints=[Constraint("model/params", max=60)],
    )
    keys = [tuple(sorted(t.values.items())) for t in result.trials]
    assert len(keys) == len(set(keys)), "a configuration was proposed twice"
    infeasible = [t for t in result.trials if t.status is TrialStatus.INFEASIBLE]
    completed = [t for t in result.trials if t.status is TrialStatus.COMPLETED]
    assert len(completed) == 8
    # 12 of the 24 configurations break the limit; the model learns where.
    assert len(infeasible) <= 6
    assert result.best_values["width"] == 6


def test_pending_trials_are_not_duplicated_with_constraints():
    study = _plane(3, "bayesian", 30)
    for _ in range(6):
        trial = study.ask()
        study.tell(trial, _disc(trial.values))
    running = [study.ask() for _ in range(4)]
    points = np.array([[t.values["x"], t.values["y"]] for t in running])
    distances = np.linalg.norm(points[:, None] - points[None], axis=2)
    assert distances[np.triu_indices(4, 1)].min() > 1e-3


@pytest.mark.parametrize("seed", [0])
def test_pareto_with_a_constraint_keeps_to_the_feasible_front(seed):
    def zdt1_cut(values: dict) -> dict[str, float]:
        x, y = values["x"], values["y"]
        g = 1.0 + 9.0 * y
        f1, f2 = x, g * (1.0 - np.sqrt(x / g))
        return {"f1": f1, "f2": float(f2), "g": 0.4 - x}  # feasible: x >= 0.4

    def feasible_hypervolume(sampler: str, s: int) -> float:
        study = _plane(
            s,
            sampler,
            20,
            objective=tunesmith.Pareto(["f1", "f2"], directions=["min", "min"]),
        )
        told = _run(study, zdt1_cut)
        points = np.array([(m["f1"], m["f2"]) for m in told if m["g"] <= 0])
        front = study.get_best_trials()
        assert all(is_feasible(t.metrics) for t in front)
        return hypervolume(points, np.array([1.1, 1.1])) if len(points) else 0.0

    bayesian = feasible_hypervolume("bayesian", seed)
    random = np.mean([feasible_hypervolume("random", s) for s in range(3)])
    # The feasible front x in [0.4, 1], y = 0 holds 1.1 * 1.1 - 0.4 * 1.1 - 0.264 = 0.506.
    assert bayesian > 0.4 and bayesian > random + 0.1
