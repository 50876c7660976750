"""Small stored studies with several objectives, constraints and trials added by hand,
written by ``tune()``, for the report, dashboard and command-line tests."""

from __future__ import annotations

from pathlib import Path

import tunesmith

#: The size limit of :func:`write_pareto_study`'s constraint, and its label.
SIZE_LIMIT = 300
SIZE_LABEL = "size<=300"
#: The parameter limit of :func:`write_infeasible_study`, and its label.
PARAMS_LIMIT = 500
PARAMS_LABEL = "model/params<=500"


def error_and_size(hp):
    """Two objectives that pull apart: more units, lower error, larger size."""
    x = hp.Float("x", 0.0, 1.0)
    units = hp.Int("units", 1, 100)
    return {"error": (x - 0.3) ** 2 + 1.0 / units, "size": units * 5.0}


def three_objectives(hp):
    x = hp.Float("x", 0.0, 1.0)
    units = hp.Int("units", 1, 100)
    return {"error": (x - 0.3) ** 2 + 1.0 / units, "size": units * 5.0, "latency": x * 10 + 1}


def checked_model(hp, steps):
    """A trial whose model is measured before training: too many parameters, INFEASIBLE."""
    units = hp.Int("units", 1, 100)
    steps.check_model({"model/params": units * 10, "model/bytes": units * 40})
    return {"loss": 1.0 / units, "model/params": units * 10, "model/bytes": units * 40}


def write_pareto_study(root: Path, name: str = "pareto", trials: int = 16) -> Path:
    """Error and size, both minimised, size at most 300, and one trial added by hand."""
    result = tunesmith.tune(
        error_and_size,
        objective=tunesmith.Pareto(["error", "size"], directions=["min", "min"]),
        constraints=[tunesmith.Constraint("size", max=SIZE_LIMIT)],
        directory=str(root),
        project_name=name,
        max_trials=trials,
        seed=0,
        verbose=0,
    )
    result.oracle.add_trial({"x": 0.3, "units": 50}, {"error": 0.02, "size": 250.0})
    result.close()
    return root / name


def write_three_objective_study(root: Path, name: str = "three", trials: int = 12) -> Path:
    result = tunesmith.tune(
        three_objectives,
        objective=tunesmith.Pareto(["error", "size", "latency"], directions=["min"] * 3),
        directory=str(root),
        project_name=name,
        max_trials=trials,
        seed=1,
        verbose=0,
    )
    result.close()
    return root / name


def write_infeasible_study(root: Path, name: str = "limited", trials: int = 10) -> Path:
    """One objective, a parameter limit checked before training: INFEASIBLE trials."""
    result = tunesmith.tune(
        checked_model,
        objective="loss",
        constraints=[tunesmith.Constraint("model/params", max=PARAMS_LIMIT)],
        directory=str(root),
        project_name=name,
        max_trials=trials,
        seed=0,
        verbose=0,
    )
    result.close()
    return root / name
