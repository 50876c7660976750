"""Results a person can see: figures of the data, the search and the best model, and
one self-contained HTML report of a stored study.

Needs the ``report`` extra (matplotlib and scikit-learn):
``pip install "tunesmith[report]"``.

Example:
    >>> from tunesmith.report import write_report
    >>> write_report("runs/breast_cancer")  # doctest: +SKIP
    PosixPath('runs/breast_cancer/report.html')
"""

from __future__ import annotations

try:
    import matplotlib  # noqa: F401
    import sklearn  # noqa: F401
except ImportError as exc:  # pragma: no cover - depends on the installation
    raise ImportError(
        f"tunesmith.report needs matplotlib and scikit-learn ({exc.name} is missing): "
        'pip install "tunesmith[report]"'
    ) from exc

from tunesmith.report import curves, data_views, evaluation, importance, search_views
from tunesmith.report._report import model_summary, write_report
from tunesmith.report.curves import best_trial_curves, learning_curves, smooth
from tunesmith.report.evaluation import (
    ClassifierEvaluation,
    confusion_matrix_plot,
    evaluate_classifier,
    roc_plot,
)
from tunesmith.report.importance import hyperparameter_importance, importance_plot
from tunesmith.report.search_views import (
    hyperparameter_scores,
    objective_history,
    parallel_coordinates,
)

__all__ = [
    "ClassifierEvaluation",
    "best_trial_curves",
    "confusion_matrix_plot",
    "curves",
    "data_views",
    "evaluate_classifier",
    "evaluation",
    "hyperparameter_importance",
    "hyperparameter_scores",
    "importance",
    "importance_plot",
    "learning_curves",
    "model_summary",
    "objective_history",
    "parallel_coordinates",
    "roc_plot",
    "search_views",
    "smooth",
    "write_report",
]
