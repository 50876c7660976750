"""Each trial an MLflow run: :class:`MLflowCallback`.

The search is one MLflow experiment (named after the project unless told), and by
default one parent run with each trial as a nested run under it, as MLflow's own
tuning examples arrange them; ``nested=False`` logs the trials as top-level runs.
A trial's run holds its hyperparameters (params), every reported step's metrics
(the epoch is the step), its score, its status (the tag ``tunesmith.status``:
``completed``, ``failed``, ``pruned``, ``infeasible``, ``invalid``), its duration
(the run's start and end times, and the metric ``duration_s``) and, when asked
(``log_best_model=True``), the best trial's saved files as artifacts.

Runs are found again by their tags ``tunesmith.search`` (the search's name) and
``tunesmith.trial_id``: a resumed search logs no trial twice, and a run that a
crash left open is closed as ``KILLED`` before the trial runs again in a new run.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

from tunesmith._compat_paths import _load
from tunesmith.integrations._tracking import TrackingCallback, metric_key, now, status_text
from tunesmith.store import TRIALS_DIRNAME
from tunesmith.study import Study
from tunesmith.trial import Trial, TrialStatus

# MLflow's limits on a param's and a tag's value (characters).
_PARAM_CHARS = 6000
_TAG_CHARS = 8000

SEARCH_TAG = "tunesmith.search"
TRIAL_TAG = "tunesmith.trial_id"
STATUS_TAG = "tunesmith.status"
_ROLE_TAG = "tunesmith.role"  # "search" on the parent run


class MLflowCallback(TrackingCallback[str]):
    """Logs each trial of a search as an MLflow run (see the module for what).

    Args:
        tracking_uri: Where MLflow stores runs (``"sqlite:///mlflow.db"``, a server's
            URL); None uses MLflow's default (``MLFLOW_TRACKING_URI`` or ``./mlruns``).
        experiment_name: The experiment; None names it after the project folder
            (``<directory>/<project_name>``), or ``"tunesmith"`` without one.
        nested: Whether the trials' runs are nested under one run for the search.
        log_best_model: Whether to log, once the search is over, the best trial's
            files (a Keras tuner's best-epoch weights and build configuration, or
            what a function saved in ``steps.trial_dir()``) as artifacts of its run,
            under ``best_model/``.
        tags: More tags for every run.
        artifact_location: Where a new experiment keeps artifacts (MLflow's
            default when None); ignored for an existing experiment.

    Example:
        >>> import tempfile, tunesmith
        >>> from tunesmith.integrations import MLflowCallback
        >>> folder = tempfile.mkdtemp()
        >>> def objective(hp, steps):
        ...     x = hp.Float("x", -1.0, 1.0)
        ...     for step in range(3):
        ...         steps.report(step, {"loss": (x - 0.2) ** 2 / (step + 1)})
        ...     return (x - 0.2) ** 2 / 3
        >>> tracking = MLflowCallback(tracking_uri=f"sqlite:///{folder}/mlflow.db",
        ...                           experiment_name="quadratic")
        >>> result = tunesmith.tune(objective, objective="loss", max_trials=2, seed=0,
        ...                         callbacks=[tracking])
        >>> from mlflow.tracking import MlflowClient
        >>> client = MlflowClient(f"sqlite:///{folder}/mlflow.db")
        >>> experiment = client.get_experiment_by_name("quadratic")
        >>> run = client.search_runs([experiment.experiment_id],
        ...                          "tags.`tunesmith.trial_id` = '00'")[0]
        >>> x = result.trials[0].values["x"]
        >>> run.data.tags["tunesmith.status"], run.data.params == {"x": str(x)}
        ('completed', True)
        >>> [m.step for m in client.get_metric_history(run.info.run_id, "loss")]
        [0, 1, 2]
    """

    backend = "MLflow"

    def __init__(
        self,
        tracking_uri: str | None = None,
        experiment_name: str | None = None,
        *,
        nested: bool = True,
        log_best_model: bool = False,
        tags: dict[str, str] | None = None,
        artifact_location: str | None = None,
    ) -> None:
        super().__init__()
        self._client_class = _load("mlflow.tracking:MlflowClient", "tunesmith.MLflowCallback")
        self._entities = _load("mlflow.entities", "tunesmith.MLflowCallback")
        self.tracking_uri = tracking_uri
        self.experiment_name = experiment_name
        self.nested = nested
        self.log_best_model = log_best_model
        self.tags = {str(k): str(v) for k, v in (tags or {}).items()}
        self.artifact_location = artifact_location
        #: The experiment's id, once the search began.
        self.experiment_id: str | None = None
        #: The search's parent run id (with ``nested=True``).
        self.parent_run_id: str | None = None
        #: The run id of each trial this callback logged, by trial id.
        self.run_ids: dict[str, str] = {}
        self._client: Any = None

    # --------------------------------------------------------------- search
    def _start_search(self, study: Study) -> bool:
        self._client = self._client_class(tracking_uri=self.tracking_uri)
        name = self.experiment_name or self.name
        experiment = self._client.get_experiment_by_name(name)
        if experiment is None:
            self.experiment_id = self._client.create_experiment(
                name, artifact_location=self.artifact_location
            )
        else:
            self.experiment_id = experiment.experiment_id
        if self.nested:
            self.parent_run_id = self._parent_run()
        return True

    def _parent_run(self) -> str:
        """The search's run: the one an earlier search of the project made, reopened,
        or a new one."""
        found = self._find({_ROLE_TAG: "search"})
        if found:
            run_id: str = found[0].info.run_id
            self._client.update_run(run_id, status="RUNNING")
            return run_id
        tags = {**self.tags, SEARCH_TAG: self.name, _ROLE_TAG: "search"}
        run = self._client.create_run(self.experiment_id, tags=tags, run_name=self.name)
        return str(run.info.run_id)

    def _find(self, tags: dict[str, str]) -> list[Any]:
        """This search's runs with ``tags``, newest first."""
        conditions = [f"tags.`{SEARCH_TAG}` = '{_quoted(self.name)}'"]
        conditions += [f"tags.`{k}` = '{_quoted(v)}'" for k, v in tags.items()]
        return list(
            self._client.search_runs(
                [self.experiment_id],
                " and ".join(conditions),
                order_by=["attributes.start_time DESC"],
            )
        )

    def _finish_search(self, study: Study) -> None:
        best = study.get_best_trials(1)
        if self.parent_run_id is not None:
            if best and best[0].score is not None:
                self._client.set_tag(
                    self.parent_run_id, "tunesmith.best_trial_id", best[0].trial_id
                )
                self._client.log_metric(self.parent_run_id, "best_score", float(best[0].score))
            self._client.set_terminated(self.parent_run_id, "FINISHED")
        if best and self.log_best_model:
            self._log_model(study, best[0])

    def _log_model(self, study: Study, trial: Trial) -> None:
        """The best trial's folder as artifacts of its run, under ``best_model/``."""
        run_id = self.run_ids.get(trial.trial_id)
        if run_id is None:  # logged by an earlier search of the project
            found = self._find({TRIAL_TAG: trial.trial_id})
            run_id = found[0].info.run_id if found else None
        folder = _trial_folder(study, trial)
        if run_id is None or folder is None:
            missing = "no MLflow run" if run_id is None else "no saved files"
            warnings.warn(
                f"MLflowCallback(log_best_model=True) logs no model: the best trial "
                f"{trial.trial_id} has {missing}. A Keras tuner saves each trial's best "
                "weights in its project folder; a tune() function saves its model in "
                "steps.trial_dir() (with directory= set).",
                UserWarning,
                stacklevel=2,
            )
            return
        self._client.log_artifacts(run_id, str(folder), "best_model")
        self._client.set_tag(run_id, "tunesmith.best_model", "true")

    # ----------------------------------------------------------------- runs
    def _start_run(self, trial: Trial) -> str | None:
        for earlier in self._find({TRIAL_TAG: trial.trial_id}):
            if earlier.info.status == "RUNNING":  # left open by a crash
                self._client.set_terminated(earlier.info.run_id, "KILLED")
            elif earlier.data.tags.get(STATUS_TAG) not in (None, "retried", "interrupted"):
                return None  # this trial's outcome is logged already
        tags = {
            **self.tags,
            SEARCH_TAG: self.name,
            TRIAL_TAG: trial.trial_id,
            STATUS_TAG: "running",
            "tunesmith.attempt": str(trial.attempts),  # a retried trial's runs apart
        }
        if self.parent_run_id is not None:
            tags["mlflow.parentRunId"] = self.parent_run_id
        run = self._client.create_run(
            self.experiment_id,
            start_time=_ms(trial.started_at),
            tags=tags,
            run_name=f"trial_{trial.trial_id}",
        )
        run_id = str(run.info.run_id)
        self.run_ids[trial.trial_id] = run_id
        return run_id

    def _log(self, run: str, step: int, metrics: dict[str, float]) -> None:
        stamp = _ms(None)
        batch = [self._entities.Metric(k, v, stamp, int(step)) for k, v in metrics.items()]
        self._client.log_batch(run, metrics=batch)

    def _finish_run(self, run: str, trial: Trial, final: dict[str, float]) -> None:
        entities = self._entities
        stamp, step = _ms(trial.ended_at), trial.best_step or 0
        metrics = dict(final)
        if trial.score is not None:
            metrics["score"] = float(trial.score)
        if trial.seconds is not None:
            metrics["duration_s"] = trial.seconds
        params = [
            entities.Param(metric_key(name), str(value)[:_PARAM_CHARS])
            for name, value in trial.values.items()
        ]
        status = status_text(trial)
        tags = [entities.RunTag(STATUS_TAG, status)]
        if trial.error:
            tags.append(entities.RunTag("tunesmith.error", trial.error[-_TAG_CHARS:]))
        self._client.log_batch(
            run,
            metrics=[entities.Metric(k, v, stamp, step) for k, v in metrics.items()],
            params=params,
            tags=tags,
        )
        failed = trial.status is TrialStatus.FAILED or status == "retried"
        self._client.set_terminated(run, "FAILED" if failed else "FINISHED", end_time=stamp)

    def _kill_run(self, run: str) -> None:
        self._client.set_tag(run, STATUS_TAG, "interrupted")
        self._client.set_terminated(run, "KILLED")


def _ms(seconds: float | None) -> int:
    """MLflow's timestamps: milliseconds."""
    return int((seconds if seconds is not None else now()) * 1000)


def _quoted(text: str) -> str:
    """``text`` inside single quotes of an MLflow search filter."""
    return text.replace("\\", "\\\\").replace("'", "\\'")


def _trial_folder(study: Study, trial: Trial) -> Path | None:
    """The trial's folder of files in the project, if it has one with files."""
    project = getattr(getattr(study, "store", None), "project_dir", None)
    if project is None:
        return None
    folder = Path(project) / TRIALS_DIRNAME / trial.trial_id
    return folder if folder.is_dir() and any(os.scandir(folder)) else None
