"""Trials on a Ray cluster: each search slot is a Ray actor with the resources asked.

The driver keeps the oracle and the store, as with local workers; Ray places the
actors (CPUs, GPUs, fractions of a GPU), restarts nothing itself and reports a dead
actor or node as an error on its pending call, which the search loop turns into a
FAILED trial (retried as ``max_retries_per_trial`` allows) and a fresh actor. What
the trials need (the hypermodel or function, the data) goes once into Ray's object
store; the files a trial writes come back with its result.
"""

from __future__ import annotations

import os
import queue as queue_module
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from tunesmith.errors import InvalidArgumentError
from tunesmith.execution._devices import shared_gpu_environment
from tunesmith.execution._executor import Responder, TrialTask, WorkerEvent
from tunesmith.execution._ray_actor import read_trial_folders, write_trial_folders
from tunesmith.execution._ray_quiet import init_ray
from tunesmith.execution._trial_run import OutcomeMessage, ProgressMessage, outcome_event
from tunesmith.execution._workers import checked_workers, unshippable
from tunesmith.space import PARENT
from tunesmith.store import TRIALS_DIRNAME
from tunesmith.trial import Trial

if TYPE_CHECKING:
    from ray import ObjectRef
    from ray.actor import ActorHandle
    from ray.util.queue import Queue as RayQueue

    from tunesmith.execution._ray_actor import TrialActor, TrialFolders

_STARTUP_TIMEOUT_S = 300.0
# Environment variables a trial's framework reads at import, passed on to each actor.
_PASSED_ON = ("KERAS_BACKEND", "KERAS_HOME", "TF_CPP_MIN_LOG_LEVEL")


@dataclass
class RayWorkers:
    """Run trials as Ray actors, on this machine or on a cluster.

    Args:
        workers: How many trials run at once (default: as many as the cluster's
            CPUs and GPUs hold at ``resources_per_trial``).
        resources_per_trial: What each trial gets from Ray: ``{"cpu": 1}``,
            ``{"cpu": 2, "gpu": 1}``, ``{"cpu": 1, "gpu": 0.5}`` (two trials share a
            GPU, each with half its memory); other keys are Ray custom resources.
        address: The cluster to join (``"auto"``, ``"ray://host:10001"``); None
            joins the Ray this process already started, or starts a local one.
        init_kwargs: More arguments for ``ray.init`` when it is called here, e.g.
            ``{"runtime_env": {"working_dir": "."}}`` to ship local modules to nodes.
        trial_timeout: Seconds after which a running trial is stopped and FAILED.
        max_worker_memory_mb: An actor whose memory passed this after a trial is
            replaced by a fresh one.

    No shared file system is needed: the files a trial writes (best weights,
    the checkpoint a promotion continues from) travel back to the driver, which
    alone writes the project folder. TensorBoard logs stay on the node that wrote
    them.

    Example:
        >>> import tunesmith as kt
        >>> tuner = kt.RandomSearch(build_model, objective="val_accuracy", max_trials=40,
        ...     executor=kt.RayWorkers(resources_per_trial={"cpu": 4, "gpu": 1}))  # doctest: +SKIP
    """

    workers: int | None = None
    resources_per_trial: Mapping[str, float] = field(default_factory=lambda: {"cpu": 1})
    address: str | None = None
    init_kwargs: Mapping[str, Any] = field(default_factory=dict)
    trial_timeout: float | None = None
    max_worker_memory_mb: float | None = None

    def pool(self, task: TrialTask, respond: Responder) -> RayPool:
        """The actors that run ``task``'s trials for one search (a context manager)."""
        return RayPool(self, task, respond)

    def connect(self) -> ModuleType:
        """The ``ray`` module, initialised (joining ``address`` or starting a local Ray)."""
        try:
            import ray
        except ImportError:
            raise InvalidArgumentError(
                "RayWorkers needs Ray, which is not installed: pip install 'tunesmith[ray]' "
                "(or pip install 'ray>=2.40'), or use tunesmith.LocalWorkers on one machine."
            ) from None
        if not ray.is_initialized():
            init_ray(ray, self.address, self.init_kwargs)
        return ray

    def asked(self) -> dict[str, float]:
        """``resources_per_trial`` with lower-case names and ``cpu`` (1 unless given)."""
        resources = {str(k).lower(): float(v) for k, v in self.resources_per_trial.items()}
        for name, amount in resources.items():
            if amount < 0:
                raise InvalidArgumentError(
                    f"resources_per_trial[{name!r}]={amount:g} is negative; ask for 0 or more."
                )
        resources.setdefault("cpu", 1.0)
        return resources

    def actor_options(self) -> dict[str, Any]:
        """``ray.remote`` options of one actor: its resources and environment."""
        resources = self.asked()
        cpus = resources.pop("cpu")
        gpus = resources.pop("gpu", 0.0)
        env = {name: os.environ[name] for name in _PASSED_ON if name in os.environ}
        if 0 < gpus < 1:
            env.update(shared_gpu_environment(gpus))
        elif gpus == 0:
            env["CUDA_VISIBLE_DEVICES"] = ""  # a CPU trial never grabs a GPU
        options: dict[str, Any] = {
            "num_cpus": cpus,
            "num_gpus": gpus,
            # run() and answer() at once: answer() delivers the go-on a report waits on.
            "max_concurrency": 2,
            "runtime_env": {"env_vars": env},
        }
        if resources:
            options["resources"] = resources
        return options

    def slots(self, ray: ModuleType) -> int:
        """How many trials run at once: ``workers``, or what the cluster holds."""
        if self.workers is not None:
            return checked_workers(self.workers)
        total = {k.lower(): v for k, v in ray.cluster_resources().items()}
        fits = [int(total.get(k, 0.0) // v) for k, v in self.asked().items() if v > 0]
        count = min(fits) if fits else 1
        if count < 1:
            raise InvalidArgumentError(
                f"The Ray cluster ({_describe(total)}) cannot hold one trial of "
                f"resources_per_trial={dict(self.resources_per_trial)}: ask for less, or "
                "add nodes."
            )
        return count


def _describe(resources: Mapping[str, float]) -> str:
    shown = [f"{resources.get(k, 0):g} {k.upper()}" for k in ("cpu", "gpu")]
    return ", ".join(shown)


@dataclass
class _Slot:
    actor: ActorHandle[TrialActor]
    generation: int
    call: ObjectRef[tuple[OutcomeMessage, TrialFolders]] | None = None  # the pending run()
    started: float | None = None
    trial_id: str | None = None


class RayPool:
    """The actors of one search, with the same calls as the local :class:`WorkerPool`.

    Example:
        >>> with RayWorkers(workers=2).pool(task, respond) as pool:  # doctest: +SKIP
        ...     pool.submit(0, trial)
        ...     for event in pool.wait(1.0): ...
    """

    #: The queue of the running trials' reports and progress lines (while open).
    _events: RayQueue | None

    def __init__(self, executor: RayWorkers, task: TrialTask, respond: Responder) -> None:
        self.executor = executor
        self._respond = respond
        self._task = task
        project_dir = getattr(task, "project_dir", None)
        self._trials = Path(project_dir) / TRIALS_DIRNAME if project_dir is not None else None
        self._ray: ModuleType | None = None  # the ray module, once open
        self._slots: list[_Slot | None] = []
        self._generations = 0

    @property
    def size(self) -> int:
        return len(self._slots)

    def __enter__(self) -> RayPool:
        from ray.util.queue import Queue

        ray = self._ray = self.executor.connect()
        self._actor_class = ray.remote(_actor_type()).options(**self.executor.actor_options())
        self._events = Queue(actor_options={"num_cpus": 0})
        try:
            # Once, for every actor. Through Ray's own serialisation, numpy arrays are
            # read in place (read-only) by the actors of a node, not copied into each.
            self._task_ref = ray.put(self._task)
        except Exception as exc:
            self.shutdown()
            raise unshippable(exc) from exc
        self._slots = [None] * self.executor.slots(ray)
        try:
            for index in range(self.size):
                self._slots[index] = self._new_slot()
            self._await_ready(list(range(self.size)))
        except BaseException:
            self.shutdown()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.shutdown()

    def free_slots(self) -> list[int]:
        return [i for i, slot in enumerate(self._slots) if slot is not None and slot.call is None]

    def submit(self, index: int, trial: Trial) -> None:
        import cloudpickle

        slot = self._slot(index)
        given = {}
        parent = trial.values.get(PARENT)
        if parent is not None and self._trials is not None:
            given = read_trial_folders(self._trials, only=[str(parent)])
        slot.call = slot.actor.run.remote(cloudpickle.dumps(trial), given)
        slot.started = time.monotonic()
        slot.trial_id = trial.trial_id

    def wait(self, timeout: float) -> Iterator[WorkerEvent]:
        """The events of the running trials within ``timeout`` seconds (maybe none).

        Reports and epoch lines come through one queue; a trial's end is its
        pending call completing. A call that completed is read after the queue is
        drained, so its trial's last epoch comes before its end.
        """
        calls = {s.call: i for i, s in enumerate(self._slots) if s is not None and s.call}
        if not calls:
            return
        ray, _ = self._connected()
        messages = self._messages(timeout)
        ended, _ = ray.wait(list(calls), num_returns=len(calls), timeout=0)
        if ended:
            messages += self._messages(0.0)
        for (index, generation), message in messages:
            slot = self._slots[index]
            if slot is not None and slot.generation == generation and slot.call is not None:
                answer = self._respond(WorkerEvent(index, message[0], tuple(message[1:])))
                if message[0] == "report":
                    slot.actor.answer.remote(bool(answer))
        for call in ended:
            yield self._ended(calls[call], call)
        yield from self._timeouts()

    def shutdown(self) -> None:
        """Stop every actor of this search (Ray itself keeps running)."""
        ray = self._ray
        if ray is None:
            return
        for slot in self._slots:
            if slot is not None:
                ray.kill(slot.actor, no_restart=True)
        self._slots = [None] * self.size
        events = getattr(self, "_events", None)
        if events is not None:
            events.shutdown(force=True)
            self._events = None

    # ------------------------------------------------------------------ internals
    def _connected(self) -> tuple[ModuleType, RayQueue]:
        """Ray and the events queue, which an open pool has."""
        if self._ray is None or self._events is None:
            raise RuntimeError("The Ray pool is not open: use it as a context manager.")
        return self._ray, self._events

    def _slot(self, index: int) -> _Slot:
        slot = self._slots[index]
        if slot is None:
            raise RuntimeError(f"actor {index} is not running")
        return slot

    def _new_slot(self) -> _Slot:
        self._generations += 1
        index = self._slots.index(None)
        tag = (index, self._generations)
        driver = (list(sys.path), list(sys.argv))
        # In a list, so Ray hands the reference over unresolved: the actor fetches the
        # task once it has the driver's import path.
        actor = self._actor_class.remote(tag, [self._task_ref], driver, self._events)
        return _Slot(actor, self._generations)

    def _replace(self, index: int) -> None:
        old = self._slots[index]
        self._slots[index] = None
        if old is not None:
            self._connected()[0].kill(old.actor, no_restart=True)
        self._slots[index] = self._new_slot()

    def _await_ready(self, indices: list[int]) -> None:
        ray, _ = self._connected()
        calls = [self._slot(i).actor.ready.remote() for i in indices]
        try:
            ray.get(calls, timeout=_STARTUP_TIMEOUT_S)
        except ray.exceptions.GetTimeoutError:
            raise RuntimeError(
                f"The Ray actors did not start within {_STARTUP_TIMEOUT_S:g} s: the "
                f"cluster may lack the resources asked ({dict(self.executor.resources_per_trial)})."
            ) from None
        except ray.exceptions.RayError as exc:
            raise InvalidArgumentError(
                "A Ray actor could not load what it must run (the hypermodel or function, "
                "the callbacks, the data): an import that works here may be missing on the "
                "node, e.g. a local module; pass init_kwargs={'runtime_env': {'working_dir': "
                f"'.'}} to ship it. The actor's error:\n{exc}"
            ) from None

    def _messages(self, timeout: float) -> list[tuple[tuple[int, int], ProgressMessage]]:
        """What the queue holds, waiting up to ``timeout`` s for the first message."""
        _, events = self._connected()
        try:
            first = [events.get(block=timeout > 0, timeout=timeout if timeout > 0 else None)]
        except queue_module.Empty:
            return []
        more = events.qsize()
        return first + (events.get_nowait_batch(more) if more else [])

    def _ended(
        self, index: int, call: ObjectRef[tuple[OutcomeMessage, TrialFolders]]
    ) -> WorkerEvent:
        ray, _ = self._connected()
        slot = self._slot(index)
        slot.call = slot.started = None
        try:
            outcome, files = ray.get(call)
        except ray.exceptions.RayError as exc:
            self._replace(index)
            return WorkerEvent(index, "died", (_death_cause(exc),))
        if files and self._trials is not None:
            write_trial_folders(self._trials, files)
        limit = self.executor.max_worker_memory_mb
        if limit is not None and float(outcome[-1]) > limit:
            self._replace(index)
        return outcome_event(index, outcome)

    def _timeouts(self) -> Iterator[WorkerEvent]:
        limit = self.executor.trial_timeout
        if limit is None:
            return
        now = time.monotonic()
        for index, slot in enumerate(self._slots):
            if slot is not None and slot.started is not None and now - slot.started > limit:
                self._replace(index)
                yield WorkerEvent(
                    index, "died", (f"The trial ran longer than trial_timeout={limit:g} s.",)
                )


def _actor_type() -> type:
    from tunesmith.execution._ray_actor import TrialActor

    return TrialActor


def _death_cause(exc: BaseException) -> str:
    """One paragraph on why an actor's call failed (Ray's messages run long)."""
    text = " ".join(str(exc).split())
    if len(text) > 600:
        text = text[:600] + " …"
    return f"The Ray actor running this trial died ({type(exc).__name__}): {text}"
