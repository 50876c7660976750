import math
import subprocess
import sys

import numpy as np
import pytest

from tunesmith.metrics_tracking import (
    MetricHistory,
    MetricObservation,
    MetricsTracker,
    infer_metric_direction,
)


def observations(*values):
    return [MetricObservation(value, step) for step, value in enumerate(values)]


def test_observation_keeps_one_value_per_execution():
    observation = MetricObservation(0.5, step=2)
    assert repr(observation) == "MetricObservation(value=[0.5], step=2)"
    observation.append([0.7, 0.9])
    assert observation.value == [0.5, 0.7, 0.9]
    assert observation.mean() == pytest.approx(0.7)
    assert observation == MetricObservation([0.5, 0.7, 0.9], 2)
    assert observation != MetricObservation([0.5, 0.7, 0.9], 3)
    assert observation != "0.7"
    assert MetricObservation.from_config(observation.get_config()) == observation


def test_register_infers_or_takes_the_direction():
    tracker = MetricsTracker(metrics=["val_accuracy", "mystery"])
    tracker.register("score", direction="max")
    assert {n: tracker.get_direction(n) for n in tracker.metrics} == {
        "val_accuracy": "max",
        "mystery": "min",  # unknown names default to min
        "score": "max",
    }
    assert tracker.exists("score") and not tracker.exists("other")
    with pytest.raises(ValueError, match="already exists"):
        tracker.register("score")
    with pytest.raises(ValueError, match="`direction` should be one of"):
        tracker.register("bad", direction="up")


def test_update_registers_and_says_whether_the_best_changed():
    tracker = MetricsTracker()
    assert tracker.update("val_loss", 0.5, step=0)
    assert not tracker.update("val_loss", 0.7, step=1)
    assert tracker.update("val_loss", 0.1, step=2)
    assert tracker.get_history("val_loss") == observations(0.5, 0.7, 0.1)
    assert tracker.get_best_value("val_loss") == 0.1
    assert tracker.get_best_step("val_loss") == 2
    assert tracker.get_last_value("val_loss") == 0.1


def test_unknown_metric_is_named_with_what_is_tracked():
    tracker = MetricsTracker()
    tracker.update("loss", 1.0)
    with pytest.raises(ValueError, match=r"Unknown metric 'acc'; tracked: loss"):
        tracker.get_history("acc")


def test_executions_at_one_step_are_averaged():
    tracker = MetricsTracker()
    tracker.register("score", "max")
    tracker.update("score", 10, step=1)
    tracker.update("score", 20, step=1)
    tracker.update("score", 12, step=2)
    assert tracker.get_history("score") == [
        MetricObservation([10.0, 20.0], 1),
        MetricObservation(12.0, 2),
    ]
    assert tracker.get_best_value("score") == 15.0 and tracker.get_best_step("score") == 1


def test_best_and_last_values_before_and_after_a_history():
    history = MetricHistory("max")
    assert history.get_best_value() is None and history.get_best_step() is None
    assert history.get_last_value() is None and history.get_statistics() == {}
    history.set_history(observations(1.0, math.nan, 3.0, 3.0, 2.0))
    assert history.get_best_value() == 3.0
    assert history.get_best_step() == 2  # the earliest of a tie
    assert history.get_last_value() == 2.0
    assert MetricHistory("min").get_best_value() is None


def test_all_nan_history_has_no_best_step():
    history = MetricHistory("min")
    history.update(math.nan, step=0)
    assert math.isnan(history.get_best_value()) and history.get_best_step() is None
    assert math.isnan(history.get_statistics()["mean"])


def test_statistics_match_numpy_and_skip_nan():
    values = [0.3, 0.9, 0.1, 0.4]
    history = MetricHistory()
    history.set_history(observations(*values, math.nan))
    stats = history.get_statistics()
    assert stats == {
        "min": np.min(values),
        "max": np.max(values),
        "mean": np.mean(values),
        "median": np.median(values),
        "var": np.var(values),
        "std": np.std(values),
    }


def test_history_is_sorted_by_step_and_set_history_adds_up():
    history = MetricHistory()
    history.update(2.0, step=5)
    history.update(1.0, step=0)
    history.set_history([MetricObservation(3.0, 5)])
    assert history.get_history() == [MetricObservation(1.0, 0), MetricObservation([2.0, 3.0], 5)]


def test_tracker_config_round_trip():
    tracker = MetricsTracker()
    tracker.register("acc", "max")
    tracker.set_history("acc", observations(0.5, 0.8))
    tracker.update("loss", 0.3, step=0)
    tracker.update("loss", 0.4, step=0)
    copy = MetricsTracker.from_config(tracker.get_config())
    assert copy.get_config() == tracker.get_config()
    assert copy.get_direction("acc") == "max"
    assert copy.get_history("loss") == [MetricObservation([0.3, 0.4], 0)]


@pytest.mark.parametrize(
    ("metric", "direction"),
    [
        ("loss", "min"),
        ("val_acc", "max"),
        ("ce", "min"),
        ("weighted_acc", "max"),
        ("val_weighted_ce", "min"),
        ("MAE", "min"),
        ("squared_hinge", "min"),
        ("binary_accuracy", "max"),
        ("my_metric", None),
    ],
)
def test_direction_of_names(metric, direction):
    assert infer_metric_direction(metric) == direction


def test_names_are_inferred_without_importing_keras():
    code = (
        "import sys; from tunesmith.metrics_tracking import infer_metric_direction as f; "
        "print(f('val_accuracy'), f('weighted_ce'), 'keras' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["max", "min", "False"]


def test_direction_of_keras_objects_and_functions():
    keras = pytest.importorskip("keras")
    metrics, losses = keras.metrics, keras.losses
    assert infer_metric_direction(metrics.binary_crossentropy) == "min"
    assert infer_metric_direction(metrics.FalsePositives()) == "min"
    assert infer_metric_direction(losses.hinge) == "min"
    assert infer_metric_direction(losses.CategoricalCrossentropy()) == "min"
    assert infer_metric_direction(metrics.categorical_accuracy) == "max"
    assert infer_metric_direction(metrics.Precision()) == "max"
    assert infer_metric_direction(metrics.AUC) == "max"
    assert infer_metric_direction(metrics.MeanIoU(num_classes=2)) == "max"
    # Names Keras resolves to one of its losses, though not in tunesmith's lists.
    assert infer_metric_direction("val_dice") == "min"
    assert infer_metric_direction(losses.Tversky()) == "min"

    def my_metric_fn(y_true, y_pred):
        return y_pred

    class MyMetric(metrics.Metric):
        def update_state(self, *args, **kwargs):
            pass

        def result(self):
            return 1.0

    assert infer_metric_direction(my_metric_fn) is None
    assert infer_metric_direction(MyMetric()) is None

    tracker = MetricsTracker(metrics=[metrics.CategoricalAccuracy(), metrics.MeanSquaredError()])
    assert {n: h.direction for n, h in tracker.metrics.items()} == {
        "categorical_accuracy": "max",
        "mean_squared_error": "min",
    }


def test_keras_tuners_engine_path_reexports():
    from tunesmith import engine

    assert engine.metrics_tracking.MetricsTracker is MetricsTracker
    assert engine.metrics_tracking.infer_metric_direction is infer_metric_direction
    assert engine.objective.MultiObjective.__module__ == "tunesmith.objective"
