"""The text of ``results_summary()`` and ``search_space_summary()``."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tunesmith.constraints import broken_constraints
from tunesmith.objective import Pareto
from tunesmith.ranking import is_ranked
from tunesmith.store import describe_part, normalise_settings

if TYPE_CHECKING:
    from tunesmith.space import HyperParameters
    from tunesmith.study import Study


def results_summary_text(oracle: Study, project_dir: Path, num_trials: int = 10) -> str:
    """The best trials, best first, in the layout keras-tuner users read."""
    best = oracle.get_best_trials(num_trials)
    lines = [
        "Results summary",
        f"Results in {project_dir}",
        f"Showing {len(best)} best trials",
        f"{oracle.objective}",
        search_text(oracle.settings()),
    ]
    objective = oracle.objective
    front = {t.trial_id for t in oracle.pareto_front()} if isinstance(objective, Pareto) else set()
    if front:
        lines.append(f"Pareto front: {len(front)} trial(s), listed first")
    for trial in best:
        lines.append("")
        trial_lines = trial.summary_lines()
        if isinstance(objective, Pareto):
            # Every objective, not the first alone (the score).
            values = ", ".join(
                f"{name}={trial.metrics[name]:.6g}"
                for name in objective.names
                if name in trial.metrics
            )
            where = "on the Pareto front" if trial.trial_id in front else "dominated"
            trial_lines = [
                f"Objectives: {values} ({where})" if line.startswith("Score: ") else line
                for line in trial_lines
            ]
        lines += trial_lines
    unranked = [t for t in oracle.trials.values() if not is_ranked(t)]
    if unranked:
        counts: dict[str, int] = {}
        for trial in unranked:
            status = trial.status.value
            if trial.status.has_result and broken_constraints(trial.metrics):
                status = "over a limit"  # a result, but a constraint broken
            counts[status] = counts.get(status, 0) + 1
        text = ", ".join(f"{n} {status.lower()}" for status, n in sorted(counts.items()))
        lines += ["", f"Not ranked: {text} (see results_frame() for why)."]
    if not best and not oracle.trials:
        lines += ["", "No trials yet."]
    return "\n".join(lines)


def search_text(settings: Mapping[str, Any]) -> str:
    """One line on how a study searches: its algorithm and the parts it composes.

    Example:
        >>> search_text({"algorithm": "composed", "pruner": None, "scheduler": None,
        ...              "sampler": {"name": "custom", "config": {}, "class": "mine.Next"}})
        'Search: composed; sampler mine.Next (a custom class)'
    """
    settings = normalise_settings(settings)
    parts = [f"Search: {settings.get('algorithm')}"]
    for role in ("sampler", "scheduler"):
        if settings.get(role) is not None:
            parts.append(f"{role} {describe_part(settings[role])}")
    if settings.get("pruner") is not None:
        parts.append(f"pruner {settings['pruner'].get('class_name')}")
    return "; ".join(parts)


def search_space_summary_text(hyperparameters: HyperParameters, extended: bool = False) -> str:
    """Every hyperparameter with its definition."""
    space = hyperparameters.space
    lines = ["Search space summary", f"Default search space size: {len(space)}"]
    for hp in space:
        lines.append(f"{hp.name} ({type(hp).__name__})")
        lines.append(str(hp.describe()))
    return "\n".join(lines)


__all__ = ["results_summary_text", "search_space_summary_text", "search_text"]
