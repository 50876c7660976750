"""``kt.engine.metrics_tracking``: the metric trackers under keras-tuner's path."""

from tunesmith.metrics_tracking import (
    MetricHistory,
    MetricObservation,
    MetricsTracker,
    infer_metric_direction,
)

__all__ = ["MetricHistory", "MetricObservation", "MetricsTracker", "infer_metric_direction"]
