"""The Gaussian process stays bounded: above ``max_model_points`` results it is fitted
on a subset (the best, the newest, a seeded random draw of the rest)."""

from __future__ import annotations

import numpy as np
import pytest

import tunesmith
from tunesmith import Constraint, HyperParameters
from tunesmith.samplers import BayesianSampler
from tunesmith.samplers._gp import _model
from tunesmith.samplers._gp._subset import training_rows
from tunesmith.space import config_key
from tunesmith.study import Study


# ------------------------------------------------------------------ the subset
def test_no_subset_at_or_below_the_cap_and_no_draw():
    rng = np.random.default_rng(3)
    before = rng.bit_generator.state
    assert training_rows(np.arange(50.0), 50, rng) is None
    assert training_rows(np.arange(50.0), None, rng) is None
    assert rng.bit_generator.state == before  # proposals below the cap are unchanged


@pytest.mark.parametrize(("n", "cap"), [(51, 50), (300, 40), (1000, 300), (7, 2)])
def test_the_subset_has_cap_distinct_rows_with_the_best_and_the_newest(n, cap):
    y = np.random.default_rng(n).permutation(n).astype(float)
    rows = training_rows(y, cap, np.random.default_rng(0))
    assert rows is not None
    assert len(rows) == cap
    assert len(set(rows.tolist())) == cap
    assert np.all(np.diff(rows) > 0)  # kept in the order the results came
    assert rows.min() >= 0 and rows.max() < n
    best = max(1, cap // 3)
    assert set(np.argsort(y)[:best].tolist()) <= set(rows.tolist())
    assert int(np.argmin(y)) in rows
    newest = cap // 6
    kept = set(rows.tolist())
    # The newest rows are kept, those among the best counted once.
    assert sum(1 for i in range(n - newest, n) if i in kept) == newest


def test_the_subset_is_deterministic_given_the_seed_and_varies_with_it():
    y = np.random.default_rng(1).standard_normal(500)
    first = training_rows(y, 100, np.random.default_rng([7, 3]))
    again = training_rows(y, 100, np.random.default_rng([7, 3]))
    other = training_rows(y, 100, np.random.default_rng([8, 3]))
    assert first is not None and again is not None and other is not None
    np.testing.assert_array_equal(first, again)
    assert set(first.tolist()) != set(other.tolist())


def test_the_random_part_covers_the_whole_history():
    # Not only the start or the end: the rows drawn beyond the best and the newest
    # spread over the history (uniform: each quarter gets about a quarter).
    y = np.zeros(2000)  # all tied: the best third is the first rows
    rows = training_rows(y, 300, np.random.default_rng(0))
    assert rows is not None
    drawn = rows[(rows >= 100) & (rows < 1950)]
    quarters = np.histogram(drawn, bins=4, range=(100, 1950))[0]
    assert quarters.min() > 0.6 * quarters.mean(), quarters


def test_a_cap_below_two_is_refused():
    with pytest.raises(ValueError, match="max_model_points must be at least 2"):
        BayesianSampler(max_model_points=1)


# ------------------------------------------------------------------ in the sampler
def _space() -> HyperParameters:
    hp = HyperParameters()
    hp.Float("x", 0.0, 1.0)
    hp.Float("y", 0.0, 1.0)
    return hp


def _loss(values: dict) -> float:
    return (values["x"] - 0.3) ** 2 + (values["y"] - 0.7) ** 2


@pytest.fixture
def fitted_sizes(monkeypatch):
    """The number of rows of every fit and conditioning of a GP."""
    sizes: list[int] = []
    real_fit, real_condition = _model.GaussianProcess.fit, _model.GaussianProcess.condition

    def fit(self, x, *args, **kwargs):
        sizes.append(len(x))
        return real_fit(self, x, *args, **kwargs)

    def condition(self, x, *args, **kwargs):
        sizes.append(len(x))
        return real_condition(self, x, *args, **kwargs)

    monkeypatch.setattr(_model.GaussianProcess, "fit", fit)
    monkeypatch.setattr(_model.GaussianProcess, "condition", condition)
    return sizes


def _study(cap: int | None, trials: int, seed: int = 0, **kwargs) -> Study:
    return Study(
        objective=kwargs.pop("objective", "loss"),
        sampler=BayesianSampler(num_initial_points=4, max_model_points=cap),
        hyperparameters=_space(),
        seed=seed,
        max_trials=trials,
        **kwargs,
    )


def _proposals(study: Study, evaluate) -> list[dict]:
    asked = []
    while (trial := study.ask()) is not None:
        asked.append(dict(trial.values))
        study.tell(trial, evaluate(trial.values))
    return asked


def test_below_the_cap_the_proposals_are_those_of_an_unbounded_model():
    bounded = _proposals(_study(16, 16), _loss)
    unbounded = _proposals(_study(None, 16), _loss)
    assert bounded == unbounded


def test_above_the_cap_the_model_is_fitted_on_cap_results_and_still_converges(fitted_sizes):
    study = _study(12, 40)
    asked = _proposals(study, _loss)
    assert max(fitted_sizes) == 12
    assert fitted_sizes[-1] == 12  # the last fits, on 35 results, too
    best = min(_loss(values) for values in asked)
    assert best < 2e-3  # the best kept in the model: the search still homes in


def test_above_the_cap_pending_trials_still_get_distinct_proposals(fitted_sizes):
    study = _study(10, 40)
    for _ in range(25):
        trial = study.ask()
        study.tell(trial, _loss(trial.values))
    fitted_sizes.clear()
    running = [study.ask() for _ in range(5)]
    assert len({config_key(t.values) for t in running}) == 5
    assert fitted_sizes and max(fitted_sizes) == 10  # pending trials come on top


def test_above_the_cap_objectives_and_constraints_are_bounded_too(fitted_sizes):
    def evaluate(values: dict) -> dict[str, float]:
        x, y = values["x"], values["y"]
        return {"f1": x, "f2": (1 - x) ** 2 + y, "g": float(np.hypot(x - 0.5, y - 0.2) - 0.3)}

    study = _study(
        8,
        16,
        objective=tunesmith.Pareto(["f1", "f2"], directions=["min", "min"]),
        constraints=[Constraint("g", max=0.0)],
    )
    asked = _proposals(study, evaluate)
    assert len({config_key(values) for values in asked}) == 16
    assert max(fitted_sizes) == 8
    # Three models (two objectives, one constraint) per ask above the cap.
    assert fitted_sizes[-3:] == [8, 8, 8]
