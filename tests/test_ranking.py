"""The one ranking of trials (``tunesmith.ranking``), on trials and on records."""

from __future__ import annotations

import math

import pytest

from tunesmith import HyperParameters, Objective, Trial
from tunesmith.objective import MultiObjective
from tunesmith.ranking import (
    RANKED_STATUSES,
    best_records,
    best_trials,
    is_ranked,
    rank_records,
    rank_trials,
)


def trial(number: int, status: str, score: float | None, **metrics: float) -> Trial:
    return Trial(
        HyperParameters(),
        trial_id=f"{number:02d}",
        status=status,
        number=number,
        score=score,
        metrics=metrics,
    )


def test_stopped_trials_rank_and_trials_without_a_finite_score_do_not() -> None:
    trials = [
        trial(0, "COMPLETED", 0.30),
        trial(1, "STOPPED", 0.10),  # stopped early, at a better score than any completed one
        trial(2, "FAILED", None),
        trial(3, "INVALID", math.nan),
        trial(4, "COMPLETED", math.inf),
        trial(5, "RUNNING", None),
        trial(6, "COMPLETED", 0.20),
    ]
    ranked = rank_trials(trials, Objective("val_loss", "min"))
    assert [t.number for t in ranked] == [1, 6, 0]
    assert [t.number for t in best_trials(trials, Objective("val_loss", "min"), 2)] == [1, 6]
    assert [is_ranked(t) for t in trials] == [t.has_valid_score for t in trials]
    assert set(RANKED_STATUSES) == {"COMPLETED", "STOPPED"}


def test_ties_go_to_the_lower_loss_then_to_the_earlier_trial() -> None:
    trials = [
        trial(0, "COMPLETED", 0.9, val_loss=0.4),
        trial(1, "COMPLETED", 0.9),  # no tie-breaker metric: after those with one
        trial(2, "STOPPED", 0.9, val_loss=0.2),
        trial(3, "COMPLETED", 0.9, val_loss=0.2),
        trial(4, "COMPLETED", 0.8, val_loss=0.01),
    ]
    ranked = rank_trials(trials, Objective("val_accuracy", "max"))
    assert [t.number for t in ranked] == [2, 3, 0, 1, 4]


def test_the_ranking_is_the_objectives_rank_key_order() -> None:
    objective = Objective("val_accuracy", "max")
    trials = [trial(n, "COMPLETED", s, val_loss=v) for n, s, v in [(0, 0.5, 1), (1, 0.7, 2)]]
    expected = sorted(trials, key=lambda t: objective.rank_key(t.score, t.metrics, t.number))
    assert rank_trials(trials, objective) == expected


def test_a_multi_objective_ranks_its_summed_score_without_a_tie_breaker() -> None:
    objective = MultiObjective([Objective("val_loss", "min"), Objective("val_auc", "max")])
    trials = [trial(0, "COMPLETED", -0.2, loss=0.0), trial(1, "COMPLETED", -0.2, loss=9.0)]
    assert [t.number for t in rank_trials(trials, objective)] == [0, 1]


def test_records_rank_as_their_trials_and_come_back_as_the_same_dicts() -> None:
    trials = [
        trial(0, "COMPLETED", 0.30, val_loss=0.3),
        trial(1, "STOPPED", 0.10, val_loss=0.2),
        trial(2, "COMPLETED", 0.10, val_loss=0.1),
        trial(3, "FAILED", None),
    ]
    records = [
        {
            "trial_id": t.trial_id,
            "number": t.number,
            "status": t.status.value,
            "score": t.score,
            "metrics": dict(t.metrics),
        }
        for t in trials
    ]
    objective = Objective("val_mae", "min")
    ranked = rank_records(records, objective)
    assert all(any(r is record for record in records) for r in ranked)
    assert [r["trial_id"] for r in ranked] == [t.trial_id for t in rank_trials(trials, objective)]
    assert best_records(records, objective) == [records[2]]
    assert best_records([], objective) == []


@pytest.mark.parametrize("status", ["completed", "COMPLETE", "STOPPED"])
def test_a_records_status_may_be_any_spelling_a_trial_accepts(status: str) -> None:
    record = {"number": 0, "status": status, "score": 1.0}
    assert rank_records([record], Objective("loss", "min")) == [record]


def test_an_unknown_status_or_a_missing_score_is_not_ranked() -> None:
    records = [{"number": 0, "status": "LOST", "score": 1.0}, {"number": 1, "status": "STOPPED"}]
    assert rank_records(records, Objective("loss", "min")) == []


def test_the_pareto_front_is_the_first_front_in_ranking_order():
    import numpy as np

    from tunesmith import HyperParameters, Pareto, Trial
    from tunesmith.pareto import nondominated_ranks
    from tunesmith.ranking import pareto_front, rank_trials

    rng = np.random.default_rng(0)
    pareto = Pareto(["loss", "size", "latency"], directions=["min", "min", "max"])
    for _ in range(20):
        trials = []
        for n in range(int(rng.integers(1, 30))):
            metrics = {name: float(rng.integers(5)) for name in ("loss", "size", "latency")}
            if rng.random() < 0.1:
                metrics.pop("latency")  # a trial without every objective
            status = "FAILED" if rng.random() < 0.1 else "COMPLETED"
            trials.append(
                Trial(
                    HyperParameters(),
                    trial_id=str(n),
                    status=status,
                    score=metrics["loss"],
                    metrics=metrics,
                    number=n,
                )
            )
        ranked = rank_trials(trials, pareto)
        complete = [t for t in ranked if pareto.has_value(t.metrics)]
        points = np.array([pareto.minimised(t.metrics) for t in complete])
        first = (
            {
                t.trial_id
                for t, r in zip(complete, nondominated_ranks(points), strict=True)
                if r == 0
            }
            if complete
            else set()
        )
        expected = [t.trial_id for t in ranked if t.trial_id in first]
        assert [t.trial_id for t in pareto_front(trials, pareto)] == expected
