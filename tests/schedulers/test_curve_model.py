"""The learning-curve model and promotions by predicted final value."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import tunesmith
from tunesmith import HyperParameters
from tunesmith.oracles import ASHAOracle, HyperbandOracle
from tunesmith.schedulers import (
    ASHAScheduler,
    CurveModel,
    HyperbandScheduler,
    chain_curve,
    make_scheduler,
    predict_trials,
    scheduler_settings,
)
from tunesmith.space import PARENT

HORIZON = 27


def synthetic_curves(seed: int, count: int = 40) -> list[list[float]]:
    """Saturating curves of both families, rates and scales drawn, noise 0.01."""
    rng = np.random.default_rng(seed)
    curves = []
    for i in range(count):
        final, scale = rng.uniform(0.1, 0.8), rng.uniform(0.5, 1.5)
        t = np.arange(1, HORIZON + 1, dtype=float)
        shape = t ** (-rng.uniform(0.3, 1.5)) if i % 2 else np.exp(-rng.uniform(0.08, 1.0) * t)
        curves.append(list(final + scale * shape + rng.normal(0.0, 0.01, HORIZON)))
    return curves


@pytest.mark.parametrize("seen", [3, 5, 9])
def test_the_model_predicts_the_end_better_than_the_last_value(seen: int) -> None:
    model_errors, last_errors = [], []
    for seed in range(3):
        curves = synthetic_curves(seed)
        # Four curves trained in full teach the shared prior, the rest are cut short.
        partial = [dict(enumerate(c)) for c in curves[:4]]
        partial += [dict(enumerate(c[:seen])) for c in curves[4:]]
        model = CurveModel(partial, HORIZON)
        for full, cut in zip(curves[4:], partial[4:], strict=True):
            end = min(full)
            model_errors.append(abs(model.predict(cut).mean - end))
            last_errors.append(abs(min(cut.values()) - end))
    # Three epochs leave the rate loosely known (measured 0.54 of the last value's
    # error), more pin it down (0.5 and below).
    assert np.mean(model_errors) < (0.7 if seen == 3 else 0.5) * np.mean(last_errors)


def test_the_uncertainty_shrinks_as_the_curve_grows() -> None:
    curve = synthetic_curves(0)[1]
    model = CurveModel([dict(enumerate(curve))], HORIZON)
    spreads = [model.predict(dict(enumerate(curve[:n]))).sd for n in (3, 9, 20)]
    assert spreads[0] > spreads[1] > spreads[2]
    assert model.predict(dict(enumerate(curve))).sd == 0.0  # trained in full


def fast_then_flat(step: int) -> float:
    """Converges at once to a poor end (0.6)."""
    return 0.6 + 0.3 * math.exp(-2.0 * (step + 1))


def slow_and_falling(step: int) -> float:
    """Starts worst and is still falling steeply towards a good end (0.2)."""
    return 0.2 + 1.2 * math.exp(-0.15 * (step + 1))


def first_promotion(promote_by: str) -> tuple[str, dict[str, str]]:
    """Three configurations at 3 epochs: two fast and flat, one slow; the parent
    of the first promotion, and which kind each trial was."""
    hp = HyperParameters()
    hp.Float("x", 0.0, 1.0)
    oracle = ASHAOracle(
        objective="val_loss",
        max_epochs=HORIZON,
        min_epochs=3,
        factor=3,
        max_trials=30,
        hyperparameters=hp,
        seed=0,
        promote_by=promote_by,
    )
    kinds: dict[str, str] = {}
    for kind in ("fast", "slow", "fast"):
        trial = oracle.ask()
        curve = slow_and_falling if kind == "slow" else fast_then_flat
        kinds[trial.trial_id] = kind
        for step in range(3):
            oracle.report(trial, step, {"val_loss": curve(step)})
        oracle.tell(trial, {"val_loss": min(curve(s) for s in range(3))})
    promotion = oracle.ask()
    return str(promotion.values[PARENT]), kinds


def test_promotion_follows_the_predicted_end_not_the_value_reached() -> None:
    parent, kinds = first_promotion("prediction")
    assert kinds[parent] == "slow"
    parent, kinds = first_promotion("score")
    assert kinds[parent] == "fast"


def test_a_promoted_trials_curve_continues_its_parents() -> None:
    hp = HyperParameters()
    hp.Float("x", 0.0, 1.0)
    oracle = ASHAOracle(
        objective="val_loss",
        max_epochs=9,
        min_epochs=3,
        factor=3,
        max_trials=9,
        hyperparameters=hp,
        seed=0,
        promote_by="prediction",
    )
    while (trial := oracle.ask()) is not None:
        start, end = trial.values["tuner/initial_epoch"], trial.values["tuner/epochs"]
        for step in range(start, end):
            oracle.report(trial, step, {"val_loss": trial.values["x"] + 1.0 / (step + 1)})
        oracle.tell(trial, {"val_loss": trial.values["x"] + 1.0 / end})
    context = oracle.sampling_context()
    by_id = {t.trial_id: t for t in context.trials}
    child = next(t for t in context.trials if PARENT in t.values)
    parent = by_id[child.values[PARENT]]
    curve = chain_curve(child, by_id, context.curves)
    assert list(curve) == list(range(9))
    assert [curve[s] for s in range(3)] == [context.curves[parent.trial_id][s] for s in range(3)]
    predictions = predict_trials(context.trials, context.curves, 9)
    assert predictions[child.trial_id].epochs == 9
    assert predictions[parent.trial_id].epochs == 3


def test_promote_by_is_stored_and_checked() -> None:
    for scheduler in (
        ASHAScheduler(max_epochs=9, min_epochs=3, promote_by="prediction"),
        HyperbandScheduler(max_epochs=9, promote_by="prediction"),
    ):
        again = make_scheduler(scheduler_settings(scheduler))
        assert again.promote_by == "prediction"  # type: ignore[union-attr]
    assert "promote_by" not in ASHAScheduler(max_epochs=9).get_config()
    with pytest.raises(ValueError, match="promote_by"):
        ASHAScheduler(max_epochs=9, promote_by="current")


@pytest.mark.parametrize("oracle_class", [ASHAOracle, HyperbandOracle])
def test_predicted_promotions_end_to_end_through_tune(oracle_class: type) -> None:
    def objective(hp: HyperParameters, steps: tunesmith.execution.Steps) -> float:
        lr = hp.Float("lr", 1e-3, 0.5, sampling="log")
        loss = math.inf
        for epoch in range(steps.initial_epoch, steps.epochs):
            loss = 0.1 / lr + math.exp(-20 * lr * (epoch + 1))
            steps.report(epoch, loss)
        return loss

    extra = {"min_epochs": 3, "max_trials": 12} if oracle_class is ASHAOracle else {}
    oracle = oracle_class(
        objective="loss",
        max_epochs=9,
        sampler="random",
        seed=0,
        promote_by="prediction",
        **extra,
    )
    result = tunesmith.tune(objective, algorithm=oracle, objective="loss")
    promoted = [t for t in result.trials if PARENT in t.values]
    assert promoted, "no configuration was continued"
    assert result.best_values["lr"] > 0.05  # the large rates end lowest


def trusted_after(shape: str, cut: int) -> bool:
    """Whether the model is trusted at ``cut`` epochs after 8 full curves of ``shape``."""
    rng = np.random.default_rng(0)
    t = np.arange(1, HORIZON + 1, dtype=float)
    curves: dict[str, dict[int, float]] = {}
    for i, final in enumerate(np.linspace(0.1, 0.6, 9)):
        if shape == "crossing":  # the best end converges slowest
            values = final + 1.5 * np.exp(-(0.1 + 3.0 * (final - 0.1)) * t)
        else:  # one shape for all: a few epochs rank them as full training does
            values = final + (0.8 + 0.3 * final) * t**-0.8
        noisy = values + rng.normal(0.0, 0.01, HORIZON)
        curves[str(i)] = dict(enumerate(noisy[: cut if i == 8 else HORIZON]))
    trials = [tunesmith.Trial(HyperParameters(), trial_id=trial_id) for trial_id in curves]
    return predict_trials(trials, curves, HORIZON)["8"].trusted


@pytest.mark.parametrize("cut", [1, 3])
def test_the_model_is_trusted_only_where_it_ranks_cut_curves_better(cut: int) -> None:
    assert trusted_after("crossing", cut)
    assert not trusted_after("ranked", cut)


def test_after_one_epoch_crossing_curves_are_ranked_the_other_way() -> None:
    """The longer curves show that a low first value ends high: one-epoch curves
    are then ranked by the line through the longer curves, reversed."""
    rng = np.random.default_rng(1)
    t = np.arange(1, HORIZON + 1, dtype=float)
    curves: dict[str, dict[int, float]] = {}
    for i, final in enumerate(np.linspace(0.1, 0.8, 8)):
        values = final + 1.5 * np.exp(-(0.1 + 3.0 * (final - 0.1)) * t)
        curves[str(i)] = dict(enumerate(values + rng.normal(0.0, 0.01, HORIZON)))
    slow, fast = 0.1 + 1.5 * math.exp(-0.1), 0.8 + 1.5 * math.exp(-2.2)
    curves["slow"], curves["fast"] = {0: slow}, {0: fast}
    trials = [tunesmith.Trial(HyperParameters(), trial_id=trial_id) for trial_id in curves]
    predictions = predict_trials(trials, curves, HORIZON)
    assert slow > fast  # the value reached says "fast"
    assert predictions["slow"].mean < predictions["fast"].mean


@pytest.mark.parametrize("algorithm", ["asha", "hyperband"])
def test_tune_takes_promote_by_by_name(algorithm: str) -> None:
    def objective(hp: HyperParameters, steps: tunesmith.execution.Steps) -> float:
        lr = hp.Float("lr", 1e-3, 0.5, sampling="log")
        for epoch in range(steps.initial_epoch, steps.epochs):
            steps.report(epoch, 0.1 / lr + math.exp(-20 * lr * (epoch + 1)))
        return 0.1 / lr + math.exp(-20 * lr * steps.epochs)

    result = tunesmith.tune(
        objective,
        algorithm=algorithm,
        max_epochs=9,
        max_trials=6,
        seed=0,
        promote_by="prediction",
    )
    assert result.oracle.scheduler.promote_by == "prediction"  # type: ignore[union-attr]
    assert any(PARENT in t.values for t in result.trials)


def test_promote_by_is_refused_where_nothing_is_promoted() -> None:
    def objective(hp: HyperParameters) -> float:
        return hp.Float("x", 0.0, 1.0)

    with pytest.raises(tunesmith.errors.InvalidArgumentError, match="promote_by"):
        tunesmith.tune(objective, algorithm="random", promote_by="prediction")
    oracle = ASHAOracle(objective="loss", max_epochs=9)
    with pytest.raises(tunesmith.errors.InvalidArgumentError, match="ASHAOracle"):
        tunesmith.tune(objective, algorithm=oracle, promote_by="prediction")


def test_the_keras_tuners_take_promote_by(tmp_path: Path) -> None:
    from tunesmith.keras import ASHA, Hyperband

    common = {
        "objective": "val_loss",
        "max_epochs": 9,
        "promote_by": "prediction",
        "directory": tmp_path,
    }
    asha = ASHA(lambda hp: None, project_name="asha", **common)
    hyperband = Hyperband(lambda hp: None, project_name="hyperband", **common)
    assert asha.oracle.scheduler.promote_by == "prediction"  # type: ignore[union-attr]
    assert hyperband.oracle.scheduler.promote_by == "prediction"  # type: ignore[union-attr]
