"""An earlier keras-tuner search, read from its project folder.

keras-tuner (1.x) writes ``<directory>/<project_name>/oracle.json`` and one
``trial_<id>/trial.json`` per trial; only these JSON files are read (no
checkpoint, no Keras). A trial's metrics are keras-tuner's observations at the
trial's ``best_step``; a metric with no observation at that step gets its best
value over the steps, as keras-tuner's ``MetricsTracker.get_best_value`` gives it.
An observation holding several executions is their mean, as keras-tuner averages
them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeGuard

from tunesmith.errors import InvalidArgumentError, StudyMismatchError
from tunesmith.objective import Objective, Pareto
from tunesmith.study._import import (
    Candidate,
    ImportReport,
    finite_numbers,
    import_candidates,
    objective_names,
    objectives_of,
)

if TYPE_CHECKING:
    from tunesmith.study._study import Study


def import_keras_tuner(study: Study, path: str | Path) -> ImportReport:
    """Import the trials of the keras-tuner project at ``path`` into ``study``.

    See :meth:`tunesmith.study.Study.import_keras_tuner`.
    """
    folder = Path(path).expanduser().resolve()
    trials = [_KerasTunerTrial(folder, document) for document in _read_project(folder)]
    _check_objective(study.objective, folder, trials)
    return import_candidates(study, f"keras-tuner: {folder}", [t.candidate for t in trials])


class _KerasTunerTrial:
    """One ``trial.json``: the candidate it gives, its score and its metrics' directions."""

    def __init__(self, folder: Path, document: Mapping[str, Any]) -> None:
        trial_id = str(document["trial_id"])
        status = str(document.get("status") or "UNKNOWN")
        score = document.get("score")
        self.score = float(score) if _is_number(score) else None
        step = document.get("best_step")
        best_step = int(step) if _is_number(step) else 0
        tracker = document.get("metrics") or {}
        self.directions = {
            name: str(history.get("direction"))
            for name, history in (tracker.get("metrics") or {}).items()
            if history.get("direction") in ("min", "max")
        }
        problem = None
        if status != "COMPLETED":
            message = document.get("message")
            problem = f"status {status} in keras-tuner" + (f" ({message})" if message else "")
        elif self.score is None or not math.isfinite(self.score):
            problem = f"no score (score: {score!r})"
        self.candidate = Candidate(
            source_id=trial_id,
            origin=f"keras-tuner: {folder} trial {trial_id}",
            values=dict((document.get("hyperparameters") or {}).get("values") or {}),
            metrics=_metrics_at(tracker, best_step),
            best_step=best_step,
            problem=problem,
        )


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _read_project(folder: Path) -> list[dict[str, Any]]:
    """Every ``trial.json`` of the project, in trial order; a clear error when
    ``folder`` is not a keras-tuner project."""
    expected = (
        "a keras-tuner project folder (<directory>/<project_name>, holding oracle.json "
        "and trial_*/trial.json)"
    )
    if not folder.is_dir():
        raise InvalidArgumentError(f"{folder} is not a folder; expected {expected}.")
    has_oracle = (folder / "oracle.json").is_file()
    trial_files = sorted(folder.glob("trial_*/trial.json"))
    if not has_oracle or not trial_files:
        found = "no oracle.json" if not has_oracle else "no trial_*/trial.json"
        raise InvalidArgumentError(
            f"{folder} is not a keras-tuner project ({found} there); expected {expected}."
        )
    documents = []
    for file in trial_files:
        try:
            document = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InvalidArgumentError(
                f"{file} is not a keras-tuner trial.json ({exc}); nothing was imported."
            ) from exc
        if not isinstance(document, dict) or "trial_id" not in document:
            raise InvalidArgumentError(
                f"{file} is not a keras-tuner trial.json (no trial_id); nothing was imported."
            )
        documents.append(document)
    # Numbered ids in number order ("10" after "9"), others after them.
    return sorted(
        documents,
        key=lambda d: (
            (0, int(d["trial_id"]), "")
            if str(d["trial_id"]).isdigit()
            else (1, 0, str(d["trial_id"]))
        ),
    )


def _metrics_at(tracker: Mapping[str, Any], best_step: int) -> dict[str, float]:
    """Each metric's value at ``best_step``, else its best over the steps."""
    found: dict[str, object] = {}
    for name, history in (tracker.get("metrics") or {}).items():
        observations = [
            (int(o.get("step", 0)), _mean(o.get("value")))
            for o in history.get("observations") or []
        ]
        steps = [(step, value) for step, value in observations if value is not None]
        if not steps:
            continue
        at_step = [value for step, value in steps if step == best_step]
        if at_step:
            found[name] = at_step[-1]
        elif history.get("direction") == "max":
            found[name] = max(value for _, value in steps)
        else:
            found[name] = min(value for _, value in steps)
    return finite_numbers(found)


def _mean(value: object) -> float | None:
    """An observation's value: the mean over its executions, as keras-tuner's."""
    items = value if isinstance(value, list) else [value]
    numbers = [float(v) for v in items if _is_number(v)]
    return sum(numbers) / len(numbers) if numbers else None


def _check_objective(objective: Objective, folder: Path, trials: list[_KerasTunerTrial]) -> None:
    """Refuse a project searched for another objective than the study's.

    keras-tuner's oracle.json does not name its objective; each finished trial
    shows it: its score is the objective's value at the best step, and its
    metrics carry their directions. So the study's objectives must be among the
    trials' metrics, in the same directions, and (one objective, or keras-tuner's
    sum of several) give the trials' scores.
    """
    finished = [t for t in trials if t.candidate.problem is None]
    if not finished:
        return
    wanted = objectives_of(objective)
    reasons = []
    missing = sorted(
        {o.name for o in wanted for t in finished if o.name not in t.candidate.metrics}
    )
    if missing:
        reasons.append(f"the trials have no metric {', '.join(missing)}")
    turned = sorted(
        {
            f"{o.name} is {t.directions[o.name]}imised there"
            for o in wanted
            for t in finished
            if t.directions.get(o.name, o.direction) != o.direction
        }
    )
    reasons += turned
    if (
        not reasons
        and not isinstance(objective, Pareto)
        and not all(_close(objective.value_from(t.candidate.metrics), t.score) for t in finished)
    ):
        reasons.append(f"its scores are not the values of {objective_names(objective)}")
    if not reasons:
        return
    guesses = [
        name
        for name in finished[0].candidate.metrics
        if all(_close(t.candidate.metrics.get(name, math.nan), t.score) for t in finished)
    ]
    searched = f" (its scores are {' or '.join(guesses)})" if guesses else ""
    raise StudyMismatchError(
        f"The keras-tuner project {folder} was not searched for this study's objective "
        f"{objective_names(objective)!r} ({objective.direction}){searched}: "
        f"{'; '.join(reasons)}. Import it into a study with the project's objective; "
        "nothing was imported."
    )


def _close(value: float, score: float | None) -> bool:
    return score is not None and math.isclose(value, score, rel_tol=1e-6, abs_tol=1e-9)
