"""Pareto studies: the front's maths, its ranking rule, its errors, and resume."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import tunesmith
from tunesmith import HyperParameters, Objective, Pareto, Trial
from tunesmith.errors import InvalidArgumentError, ObjectiveError
from tunesmith.oracles import load_oracle
from tunesmith.pareto import (
    crowding_distance,
    hypervolume,
    hypervolume_contributions,
    nondominated_ranks,
    pareto_mask,
)
from tunesmith.ranking import pareto_front, rank_trials
from tunesmith.store import Store
from tunesmith.study import Study


def _brute_front(points: np.ndarray) -> np.ndarray:
    return np.array([not any(np.all(q <= p) and np.any(q < p) for q in points) for p in points])


def test_the_front_is_every_point_no_other_dominates():
    rng = np.random.default_rng(3)
    for objectives in (2, 3, 4):
        points = rng.integers(0, 6, size=(40, objectives)).astype(float)  # ties included
        assert (pareto_mask(points) == _brute_front(points)).all()
        ranks = nondominated_ranks(points)
        # Removing the front promotes the next one to rank 0.
        rest = points[ranks > 0]
        assert (nondominated_ranks(rest) == ranks[ranks > 0] - 1).all()


@pytest.mark.parametrize("objectives", [2, 3])
def test_hypervolume_matches_a_monte_carlo_estimate(objectives):
    rng = np.random.default_rng(objectives)
    points = rng.uniform(0, 1, size=(12, objectives))
    reference = np.ones(objectives) * 1.1
    samples = rng.uniform(0, 1.1, size=(200_000, objectives))
    dominated = np.zeros(len(samples), dtype=bool)
    for point in points:
        dominated |= np.all(samples >= point, axis=1)
    estimate = dominated.mean() * 1.1**objectives
    assert hypervolume(points, reference) == pytest.approx(estimate, rel=0.02)


def test_contributions_and_crowding_favour_the_lonely_and_the_extreme():
    points = np.array([[0.0, 4.0], [1.0, 3.0], [1.1, 2.9], [4.0, 0.0]])
    contributions = hypervolume_contributions(points, reference=[5.0, 5.0])
    assert contributions[2] < contributions[0] and contributions[1] < contributions[3]
    crowding = crowding_distance(points)
    assert np.isinf(crowding[[0, 3]]).all() and np.isfinite(crowding[[1, 2]]).all()


def _trial(number: int, status: str = "COMPLETED", **metrics: float) -> Trial:
    score = metrics.get("error")
    return Trial(
        HyperParameters(), trial_id=f"{number:02d}", status=status, score=score, metrics=metrics
    )


def test_pareto_ranking_puts_the_front_first_in_the_objectives_order():
    pareto = Pareto(["error", "size"], directions=["min", "min"])
    trials = [
        _trial(0, error=0.30, size=10),  # front
        _trial(1, error=0.10, size=50),  # front
        _trial(2, error=0.35, size=60),  # dominated by 0 and 1
        _trial(3, error=0.20, size=20),  # front
        _trial(4, status="FAILED"),
        _trial(5, error=0.05, size=5, **{"constraint/size<=1": 4.0}),  # infeasible
    ]
    assert [t.trial_id for t in rank_trials(trials, pareto)] == ["01", "03", "00", "02"]
    assert [t.trial_id for t in pareto_front(trials, pareto)] == ["01", "03", "00"]


def test_pareto_input_errors_name_the_fix():
    with pytest.raises(ObjectiveError, match="directions"):
        Pareto(["a", "b"], directions=["min"])
    with pytest.raises(ObjectiveError, match="at least two"):
        Pareto(["val_loss"])
    with pytest.raises(ObjectiveError, match="list of objectives"):
        Pareto("val_loss")  # type: ignore[arg-type]
    with pytest.raises(ObjectiveError, match="more than once"):
        Pareto(["val_loss", "val_loss"])
    with pytest.raises(ObjectiveError, match="direction"):
        Pareto(["val_loss", "latency"])  # unknown direction: asks for one
    assert Pareto(["val_accuracy", "model/latency_ms"]).objectives[1].direction == "min"
    with pytest.raises(InvalidArgumentError, match="Hyperband or ASHA"):
        Study(objective=Pareto(["loss", "model/params"]), pruner="median", sampler="random")
    with pytest.raises(InvalidArgumentError, match="direction"):
        tunesmith.tune(lambda hp: 0.0, objective=Pareto(["loss", "model/params"]), direction="min")


def test_a_list_of_objectives_keeps_keras_tuners_sum():
    summed = tunesmith.tune(
        lambda hp: {"loss": hp.Float("x", 0, 1), "model/params": 2.0},
        objective=["loss", Objective("model/params", "min")],
        max_trials=3,
        seed=0,
    )
    assert summed.best_score == pytest.approx(summed.best_trial.metrics["loss"] + 2.0)


def schaffer(hp):
    """Two objectives whose front is x in [0, 1] (y = 0 the best, as y adds to both)."""
    x, y = hp.Float("x", -1.0, 2.0), hp.Float("y", 0.0, 1.0)
    return {"f1": x**2 + 0.1 * y, "f2": (x - 1.0) ** 2 + 0.1 * y}


def test_tune_returns_the_front_and_best_trial_follows_the_rule(tmp_path):
    pareto = Pareto(["f1", "f2"], directions=["min", "min"])
    result = tunesmith.tune(schaffer, objective=pareto, max_trials=25, seed=1, directory=tmp_path)
    front = result.best_trials
    assert len(front) >= 2
    points = np.array([pareto.minimised(t.metrics) for t in result.trials])
    on_front = {
        t.trial_id for t, keep in zip(result.trials, pareto_mask(points), strict=True) if keep
    }
    assert {t.trial_id for t in front} == on_front
    # One best: the front's best by the first objective.
    assert result.best_trial is front[0]
    assert front[0].metrics["f1"] == min(t.metrics["f1"] for t in front)
    result.close()
    # The front survives a reopening of the store.
    with Store.open_read_only(tmp_path / "untitled_project") as store:
        resumed = load_oracle(store)
        assert resumed.objective == pareto
        assert [t.trial_id for t in resumed.get_best_trials()] == [t.trial_id for t in front]


KILLED_PARETO = """
import os, signal, sys
import tunesmith

kill_at = int(sys.argv[2])

def objective(hp):
    x = hp.Float("x", 0.0, 1.0)
    y = hp.Int("y", 1, 100)
    if objective.calls == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)
    objective.calls += 1
    return {"error": (x - 0.3) ** 2 + 1.0 / y, "size": float(y)}

objective.calls = 0
result = tunesmith.tune(
    objective,
    objective=tunesmith.Pareto(["error", "size"], directions=["min", "min"]),
    constraints=[tunesmith.Constraint("size", max=60)],
    algorithm=sys.argv[3], max_trials=10, seed=0, directory=sys.argv[1],
    project_name="study",
)
print(",".join(t.trial_id for t in result.best_trials))
"""


@pytest.mark.subprocess
@pytest.mark.parametrize("algorithm", ["random", "bayesian"])
def test_a_killed_constrained_pareto_study_resumes_to_the_same_front(tmp_path, algorithm):
    script = tmp_path / "child.py"
    script.write_text(textwrap.dedent(KILLED_PARETO))

    def run(folder, kill_at):
        return subprocess.run(
            [sys.executable, str(script), str(folder), str(kill_at), algorithm],
            capture_output=True,
            text=True,
            env={**os.environ, "KERAS_BACKEND": os.environ.get("KERAS_BACKEND", "jax")},
        )

    killed = run(tmp_path / "killed", 6)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    resumed = run(tmp_path / "killed", -1)
    assert resumed.returncode == 0, resumed.stderr
    straight = run(tmp_path / "straight", -1)
    assert straight.returncode == 0, straight.stderr
    assert resumed.stdout.strip() == straight.stdout.strip() != ""
    with Store.open_read_only(tmp_path / "killed" / "study") as store:
        trials = store.load_trials()
        settings = store.load_study()
    assert len(trials) == 10 and {t.status.value for t in trials} == {"COMPLETED"}
    assert settings["constraints"] == [{"metric": "size", "max": 60.0, "min": None}]
    for trial in trials:  # the constraint's value is stored with every trial
        assert trial.metrics["constraint/size<=60"] == pytest.approx(trial.metrics["size"] - 60)
    front_ids = resumed.stdout.strip().split(",")
    assert all(next(t for t in trials if t.trial_id == i).metrics["size"] <= 60 for i in front_ids)


def test_every_pair_of_front_trials_is_mutually_non_dominated():
    pareto = Pareto(["f1", "f2"], directions=["min", "min"])
    result = tunesmith.tune(schaffer, objective=pareto, max_trials=30, seed=4)
    for a, b in itertools.permutations(result.best_trials, 2):
        pa, pb = np.array(pareto.minimised(a.metrics)), np.array(pareto.minimised(b.metrics))
        assert not (np.all(pa <= pb) and np.any(pa < pb))
