"""What the contract suites share: their search spaces, a synthetic objective, study loops.

Plain code without pytest, so a suite's helpers can be read and reused on their own.
Every loop here plays the search driver by hand (ask, report each epoch, tell), so a
failing contract shows the trial that broke it rather than a stuck worker.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from tunesmith.samplers import Sampler
from tunesmith.schedulers import Scheduler
from tunesmith.space import (
    EPOCHS,
    INITIAL_EPOCH,
    PARENT,
    HyperParameters,
    config_key,
    is_tuner_value,
)
from tunesmith.study import Study
from tunesmith.trial import Trial

#: The objective every suite's study minimises.
OBJECTIVE = "loss"
#: Epochs a trial trains when no scheduler sets ``tuner/epochs``.
DEFAULT_EPOCHS = 3
#: More trials than any of the suites' searches needs: a search still asking for
#: trials past this does not end by itself.
TRIAL_LIMIT = 400


def mixed_space() -> HyperParameters:
    """Every kind of hyperparameter: a log-scaled float, a stepped int, a choice, a
    boolean, and ``momentum``, active only when ``optimizer`` is ``"sgd"``."""
    hp = HyperParameters()
    hp.Float("lr", 1e-4, 1e-1, sampling="log")
    hp.Int("units", 16, 128, step=16)
    hp.Choice("optimizer", ["adam", "sgd"])
    hp.Boolean("batch_norm")
    with hp.conditional_scope("optimizer", "sgd"):
        hp.Float("momentum", 0.0, 0.9, step=0.1)
    return hp


def finite_space() -> HyperParameters:
    """Six configurations: ``kind`` linear (2 of ``bias``) or tree (2 ``depth`` x 2 ``bias``)."""
    hp = HyperParameters()
    hp.Choice("kind", ["linear", "tree"])
    with hp.conditional_scope("kind", "tree"):
        hp.Int("depth", 1, 2)
    hp.Boolean("bias")
    return hp


def synthetic_loss(values: Mapping[str, Any], epoch: int) -> float:
    """A finite, deterministic loss of any configuration at ``epoch`` (from 0): better
    with more epochs, so a promotion improves on its parent."""
    total = 0.0
    for name, value in sorted(values.items()):
        if is_tuner_value(name):
            continue
        if isinstance(value, bool):
            total += 0.1 * value
        elif isinstance(value, (int, float)):
            total += abs(math.log10(abs(float(value)) + 1e-3) + 2.0) / 4.0
        else:  # a string: stable across processes, unlike hash()
            total += (zlib.crc32(str(value).encode()) % 7) / 10.0
    return total + 1.0 / (epoch + 1)


def new_study(
    space: HyperParameters,
    *,
    sampler: Sampler | str | None = None,
    scheduler: Scheduler | None = None,
    max_trials: int | None = None,
    seed: int = 7,
    **kwargs: Any,
) -> Study:
    """A study of ``space`` minimising ``loss``."""
    return Study(
        objective=OBJECTIVE,
        max_trials=max_trials,
        hyperparameters=space,
        seed=seed,
        sampler=sampler,
        scheduler=scheduler,
        **kwargs,
    )


def train(study: Study, trial: Trial, loss: Callable[[Mapping[str, Any], int], float]) -> Trial:
    """Train ``trial`` as a tuner would: epochs ``tuner/initial_epoch`` to
    ``tuner/epochs - 1`` (else :data:`DEFAULT_EPOCHS`), a report per epoch, stop
    when told, then tell the last epoch's loss."""
    first = int(trial.values.get(INITIAL_EPOCH, 0))
    last = int(trial.values.get(EPOCHS, DEFAULT_EPOCHS))
    value, step, stopped = math.inf, first, False
    for step in range(first, last):
        value = loss(trial.values, step)
        if not study.report(trial, step, {OBJECTIVE: value}):
            stopped = step < last - 1
            break
    return study.tell(trial, {OBJECTIVE: value}, best_step=step, stopped_early=stopped)


def next_trial(study: Study) -> Trial:
    """``study.ask()``, which must hand out a trial here."""
    trial = study.ask()
    assert trial is not None, f"ask() handed out no trial ({study.stop_reason or 'waiting'})."
    return trial


def run_sequentially(
    study: Study,
    end: Callable[[Study, Trial], Any] | None = None,
    limit: int = TRIAL_LIMIT,
) -> list[Trial]:
    """Ask, end (``end(study, trial)``, by default :func:`train` on
    :func:`synthetic_loss`) and repeat until the study is done; the trials in the
    order asked. A study that waits with nothing running, or that hands out more
    than ``limit`` trials, fails with the reason."""
    end = end or (lambda s, t: train(s, t, synthetic_loss))
    asked: list[Trial] = []
    while (trial := study.ask()) is not None:
        asked.append(trial)
        assert len(asked) <= limit, (
            f"The search handed out {limit} trials and goes on: it does not end by itself."
        )
        end(study, trial)
    assert not study.waiting, (
        "ask() answered Wait although no trial was running: nothing could ever end it."
    )
    assert study.stop_reason, "The search ended without a stop_reason."
    return asked


def new_configurations(trials: Iterable[Trial]) -> list[tuple]:
    """The configuration key of every trial that is not a promotion."""
    return [config_key(t.values) for t in trials if PARENT not in t.values]


def repeated(keys: list[tuple]) -> list[tuple]:
    """The keys that occur more than once."""
    seen: set[tuple] = set()
    return [key for key in keys if key in seen or seen.add(key)]  # type: ignore[func-returns-value]


def invalid_values(space: HyperParameters, values: Mapping[str, Any]) -> list[str]:
    """What is wrong with ``values`` for ``space`` (empty when nothing): a name outside
    the space, a missing active one, an inactive one given, or a value outside its
    hyperparameter's range."""
    problems = []
    names = {hp.name for hp in space.space}
    problems += [f"{name!r} is not in the space" for name in values if name not in names]
    for hp in space.space:
        active = all(condition.is_active(values) for condition in hp.conditions)
        if active and hp.name not in values:
            problems.append(f"{hp.name!r} is active but has no value")
        elif not active and hp.name in values:
            problems.append(f"{hp.name!r} has a value but its condition does not hold")
        elif active and not hp.is_valid(values[hp.name]):
            problems.append(f"{hp.name!r}={values[hp.name]!r} is outside its range")
        elif active and type(values[hp.name]) is not type(hp.default):
            problems.append(
                f"{hp.name!r}={values[hp.name]!r} is a {type(values[hp.name]).__name__}, "
                f"not a {type(hp.default).__name__}"
            )
    return problems


def hyperparameter_values(trial: Trial) -> dict[str, Any]:
    """The trial's values without the ``tuner/*`` bookkeeping."""
    return {k: v for k, v in trial.values.items() if not is_tuner_value(k)}
