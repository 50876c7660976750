"""Each trial a Weights & Biases run: :class:`WandbCallback`.

The search is one W&B project (named after the tunesmith project unless told) and
one group (the search's name): each trial is one run of the group, named
``trial_<id>``, with job type ``trial``. A run's config holds the trial's
hyperparameters; its history one row per reported step, with the step as the
``epoch`` column (every metric is charted against it); its summary the score,
``status`` (``completed``, ``failed``, ``pruned``, ``infeasible``, ``invalid``),
``duration_s``, ``best_step`` and the metrics no step reported (a function's
returned dict, ``model/params``, constraint values). A failed trial's run also ends
with exit code 1. Several runs can be open at once (``reinit="create_new"``), so
trials that run in parallel on workers or Ray each log to their own.

The callback never asks the W&B server anything, so it works offline. A trial
already logged is not logged again by a resumed search (finished trials do not run
again), but a trial interrupted by Ctrl-C or a crash and run again on resume gets a
second run: the first is closed with the status ``interrupted`` (after Ctrl-C) or
left as W&B marks a crashed run. Model files are not logged: W&B artifacts of the
trial folder are left to your own code (``tuner.get_best_models()`` after the
search), as a W&B run ends with its trial, before the search knows the best one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tunesmith._compat_paths import _load
from tunesmith.integrations._tracking import TrackingCallback, status_text
from tunesmith.study import Study
from tunesmith.trial import Trial, TrialStatus

# The characters of a long error kept in a run's summary.
_ERROR_CHARS = 4000


class WandbCallback(TrackingCallback[Any]):
    """Logs each trial of a search as a W&B run (see the module for what).

    Args:
        project: The W&B project; None names it after the tunesmith project folder
            (``<directory>/<project_name>``), or ``"tunesmith"`` without one.
        entity: The W&B team or user (W&B's default when None).
        group: The runs' group; None is the search's name, as ``project``.
        mode: ``"online"``, ``"offline"`` or ``"disabled"`` (None: W&B's default,
            or ``WANDB_MODE``).
        dir: Where W&B writes its local files (W&B's default when None).
        config: More config for every run (the trial's values are added to it).
        init_kwargs: More arguments to ``wandb.init`` (``tags``, ``notes``,
            ``settings`` ...).

    Example:
        >>> import os, tempfile, tunesmith
        >>> from tunesmith.integrations import WandbCallback
        >>> os.environ["WANDB_SILENT"] = "true"
        >>> def objective(hp, steps):
        ...     x = hp.Float("x", -1.0, 1.0)
        ...     for step in range(3):
        ...         steps.report(step, {"loss": (x - 0.2) ** 2 / (step + 1)})
        ...     return (x - 0.2) ** 2 / 3
        >>> tracking = WandbCallback(project="quadratic", mode="offline", dir=tempfile.mkdtemp())
        >>> result = tunesmith.tune(objective, objective="loss", max_trials=2, seed=0,
        ...                         callbacks=[tracking])
        >>> sorted(tracking.run_ids) == ["00", "01"]
        True
    """

    backend = "Weights & Biases"

    def __init__(
        self,
        project: str | None = None,
        entity: str | None = None,
        group: str | None = None,
        *,
        mode: str | None = None,
        dir: str | None = None,  # wandb.init's own name for it
        config: Mapping[str, Any] | None = None,
        init_kwargs: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__()
        self._wandb = _load("wandb", "tunesmith.WandbCallback")
        self.project = project
        self.entity = entity
        self.group = group
        self.mode = mode
        self.dir = dir
        self.config = dict(config or {})
        self.init_kwargs = dict(init_kwargs or {})
        #: The W&B run id of each trial this callback logged, by trial id.
        self.run_ids: dict[str, str] = {}

    def _start_search(self, study: Study) -> bool:
        return True  # nothing to prepare: each run is made with its trial

    def _start_run(self, trial: Trial) -> Any:
        given_tags = tuple(self.init_kwargs.get("tags") or ())
        arguments: dict[str, Any] = {
            "project": self.project or self.name,
            "entity": self.entity,
            "group": self.group or self.name,
            "name": f"trial_{trial.trial_id}",
            "job_type": "trial",
            "mode": self.mode,
            "dir": self.dir,
            **self.init_kwargs,
            # Several runs at once (parallel trials), each its own.
            "reinit": "create_new",
            "config": {**self.config, **trial.values, "trial_id": trial.trial_id},
            "tags": [*given_tags, "tunesmith"],
        }
        run = self._wandb.init(**arguments)
        # Every metric is charted against the epoch the trial reported it at.
        run.define_metric("epoch")
        run.define_metric("*", step_metric="epoch")
        self.run_ids[trial.trial_id] = run.id
        return run

    def _log(self, run: Any, step: int, metrics: dict[str, float]) -> None:
        run.log({**metrics, "epoch": int(step)})

    def _finish_run(self, run: Any, trial: Trial, final: dict[str, float]) -> None:
        # Values declared while the trial ran (define-by-run) are known at its end.
        run.config.update(dict(trial.values), allow_val_change=True)
        summary: dict[str, Any] = {**final, "status": status_text(trial)}
        if trial.score is not None:
            summary["score"] = float(trial.score)
        if trial.best_step is not None:
            summary["best_step"] = int(trial.best_step)
        if trial.seconds is not None:
            summary["duration_s"] = trial.seconds
        if trial.error:
            summary["error"] = trial.error[-_ERROR_CHARS:]
        run.summary.update(summary)
        failed = trial.status is TrialStatus.FAILED or not trial.status.is_finished
        run.finish(exit_code=1 if failed else 0)

    def _kill_run(self, run: Any) -> None:
        run.summary.update({"status": "interrupted"})
        run.finish(exit_code=255)
