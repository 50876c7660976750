"""The Ray side of :class:`~tunesmith.execution.RayWorkers`: one actor, one trial at a time.

Like a local worker it never opens the store nor sees the oracle. It may run on
another machine, so its trials write their files into a scratch folder of its own;
the files come back with the result and the driver puts them in the project folder.
A promoted trial gets the files of the trial it continues from in the same way, so
no shared file system is needed.

This module imports Ray only inside the actor: the driver wraps :class:`TrialActor`
with ``ray.remote`` and Ray imports this module by name on each node.
"""

from __future__ import annotations

import os
import queue
import shutil
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from tunesmith.execution._trial_run import OutcomeMessage, limit_torch_memory, run_one
from tunesmith.store import TRIALS_DIRNAME, check_trial_id

if TYPE_CHECKING:
    from ray import ObjectRef
    from ray.util.queue import Queue as RayQueue

    from tunesmith.execution._executor import TrialTask

#: The files of one or more trial folders: ``"<trial id>/<name>"`` → bytes.
TrialFolders = dict[str, bytes]


class TrialActor:
    """Runs the trials of one search slot; made with ``ray.remote(TrialActor)``.

    Its ``run`` and ``answer`` methods must be able to run at once (the actor is
    created with ``max_concurrency=2``): ``answer`` delivers the driver's go-on or
    stop for the report a running trial waits on.
    """

    def __init__(
        self,
        tag: tuple[int, int],
        task: list[ObjectRef[TrialTask]],
        driver: tuple[list[str], list[str]],
        events: RayQueue,
    ) -> None:
        import ray

        # The driver's import path and argv, as a local worker gets them: what it
        # pickled by reference imports here too, and a script may read its argv.
        driver_path, driver_argv = driver
        sys.path[:0] = [entry for entry in driver_path if entry not in sys.path]
        sys.argv[:] = driver_argv
        self._tag = tag
        self._events = events
        self._answers: queue.Queue[bool] = queue.Queue()
        self._scratch = Path(tempfile.mkdtemp(prefix="tunesmith-trials-"))
        self._task = ray.get(task[0])  # imports the framework: the environment is set by now
        limit_torch_memory()
        if hasattr(self._task, "project_dir"):
            self._task.project_dir = self._scratch  # trial folders here, shipped back

    def ready(self) -> int:
        """The actor's process id, once its task is loaded."""
        return os.getpid()

    def run(self, trial_bytes: bytes, given: TrialFolders) -> tuple[OutcomeMessage, TrialFolders]:
        """Run one trial: (the outcome message, the files its trial folders hold)."""
        import cloudpickle

        trials = self._scratch / TRIALS_DIRNAME
        try:
            write_trial_folders(trials, given)
            channel = _ActorChannel(self._tag, self._events, self._answers)
            outcome = run_one(self._task, cloudpickle.loads(trial_bytes), channel)
            produced = read_trial_folders(trials, exclude=given)
        finally:
            shutil.rmtree(trials, ignore_errors=True)
        return outcome, produced

    def answer(self, go_on: bool) -> None:
        self._answers.put(bool(go_on))


class _ActorChannel:
    """What a running trial in an actor uses to talk to the driver."""

    def __init__(self, tag: tuple[int, int], events: RayQueue, answers: queue.Queue[bool]) -> None:
        self.tag = tag
        self.events = events
        self.answers = answers

    def report(self, execution: int, step: int, metrics: Mapping[str, float]) -> bool:
        self.events.put((self.tag, ("report", execution, step, dict(metrics))))
        return self.answers.get()

    def epoch(
        self, execution: int, epoch: int, epochs: int | None, logs: Mapping[str, float]
    ) -> None:
        self.events.put((self.tag, ("epoch", execution, epoch, epochs, dict(logs))))


def read_trial_folders(
    trials: Path, only: Sequence[str] | None = None, exclude: Mapping[str, bytes] | None = None
) -> TrialFolders:
    """Every file under ``trials/<id>/`` as ``{"<id>/<relative path>": bytes}``.

    ``only`` keeps the folders of those trial ids; a file also in ``exclude`` with
    the same bytes is left out (it was given, and the trial did not change it).

    Example:
        >>> import tempfile
        >>> root = Path(tempfile.mkdtemp())
        >>> write_trial_folders(root, {"t1/a.txt": b"x"})
        >>> read_trial_folders(root)
        {'t1/a.txt': b'x'}
    """
    exclude = exclude or {}
    folders = [trials / check_trial_id(i) for i in only] if only is not None else [trials]
    files = {}
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                name = path.relative_to(trials).as_posix()
                data = path.read_bytes()
                if exclude.get(name) != data:
                    files[name] = data
    return files


def write_trial_folders(trials: Path, files: Mapping[str, bytes]) -> None:
    """Write ``files`` (as :func:`read_trial_folders` gives them) under ``trials``.

    Each file is written beside its place and renamed into it, so a reader never
    sees half of one; a name that would leave its trial folder is refused.
    """
    for name, data in files.items():
        trial_id, _, rest = name.partition("/")
        check_trial_id(trial_id)
        parts = Path(rest).parts
        if not parts or any(part in ("..", "") for part in parts) or Path(rest).is_absolute():
            raise ValueError(f"{name!r} is not a file inside a trial folder.")
        path = trials / trial_id / Path(*parts)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(".partial." + path.name)
        partial.write_bytes(data)
        os.replace(partial, path)
