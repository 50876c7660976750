"""TuneResult: a readable repr, a results frame with or without a store, and close()."""

from __future__ import annotations

from tunesmith import tune


def objective(hp):
    x = hp.Float("x", -1.0, 1.0)
    if x > 0.9:
        raise ValueError("too far right")
    return (x - 0.3) ** 2


def test_repr_names_the_counts_and_the_best_trial():
    result = tune(objective, max_trials=6, seed=0, max_consecutive_failed_trials=6)
    text = repr(result)
    best = result.best_trial
    assert text.startswith("TuneResult(6 trials: ")
    assert f"at trial {best.trial_id}" in text and f"x={best.values['x']:.4g}" in text


def test_results_frame_without_and_with_a_store(tmp_path):
    memory = tune(objective, max_trials=4, seed=1)
    frame = memory.results_frame()
    assert list(frame["trial_id"]) == [t.trial_id for t in memory.trials]
    assert {"score", "status", "x", "seconds"} <= set(frame.columns)
    with tune(objective, max_trials=4, seed=1, directory=tmp_path, project_name="p") as stored:
        stored_frame = stored.results_frame()
        assert list(stored_frame.columns) == list(frame.columns)
        assert stored_frame["score"].tolist() == frame["score"].tolist()  # same seed, same trials
    assert stored.store.closed
    assert len(stored.results_frame()) == 4  # still readable from the trials in memory
    again = tune(objective, max_trials=5, seed=1, directory=tmp_path, project_name="p")
    assert len(again.trials) == 5  # the lock was given back: the study resumes
    again.close()
