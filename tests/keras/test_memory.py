"""A long search keeps no trial's model, and clears JAX's in-memory caches."""

from __future__ import annotations

import gc
import weakref

import pytest

import tunesmith as kt
from tunesmith.keras._memory import clear_backend_caches, clearing_wanted, frozen_heap

keras = pytest.importorskip("keras")

from tests.keras.conftest import build_model  # noqa: E402


def _search(
    tmp_path, data, build, trials: int = 2, executions: int = 1, callbacks=()
) -> kt.RandomSearch:
    x, y, xv, yv = data
    tuner = kt.RandomSearch(
        build,
        objective="val_accuracy",
        max_trials=trials,
        executions_per_trial=executions,
        seed=1,
        directory=tmp_path,
        project_name="memory",
        verbose=0,
    )
    tuner.search(x, y, validation_data=(xv, yv), epochs=1, batch_size=50, callbacks=list(callbacks))
    return tuner


@pytest.mark.parametrize("executions", [1, 2])
def test_no_model_outlives_its_trial(tmp_path, data, executions):
    built: list[weakref.ref] = []

    def build(hp):
        model = build_model(hp)
        built.append(weakref.ref(model))
        return model

    tuner = _search(tmp_path, data, build, executions=executions)
    gc.collect()  # no clear_session after the search: only references count
    assert len(built) >= 2 * executions  # and the build that reads the space
    assert [ref() for ref in built] == [None] * len(built)
    assert len(tuner.get_best_models(1)) == 1  # what a model is needed for, from its file


@pytest.mark.skipif(keras.backend.backend() != "jax", reason="JAX's caches")
def test_jax_compiled_programs_are_cleared_between_trials(tmp_path, data, monkeypatch):
    import jax

    square = jax.jit(lambda v: v * v)
    square(2.0)
    assert square._cache_size() == 1
    _search(tmp_path / "cleared", data, build_model)
    assert square._cache_size() == 0

    monkeypatch.setenv("TUNESMITH_CLEAR_JAX_CACHES", "0")
    square(2.0)
    _search(tmp_path / "kept", data, build_model)
    assert square._cache_size() == 1


def test_clearing_is_switched_off_by_the_environment(monkeypatch):
    on_jax = keras.backend.backend() == "jax"
    assert clearing_wanted() is on_jax
    assert clear_backend_caches() is on_jax
    for off in ("0", "false", "No"):
        monkeypatch.setenv("TUNESMITH_CLEAR_JAX_CACHES", off)
        assert clearing_wanted() is False
        assert clear_backend_caches() is False


class _FreezeCount(keras.callbacks.Callback):
    seen: list[int] = []  # on the class: the tuner fits deep copies

    def on_train_begin(self, logs=None):
        type(self).seen.append(gc.get_freeze_count())


def test_a_search_freezes_the_heap_it_found_and_hands_it_back(tmp_path, data):
    _FreezeCount.seen = []
    before = gc.get_freeze_count()
    _search(tmp_path, data, build_model, callbacks=[_FreezeCount()])
    assert len(_FreezeCount.seen) == 2
    assert min(_FreezeCount.seen) > 0
    assert gc.get_freeze_count() == before == 0


def test_a_heap_frozen_by_the_user_stays_frozen():
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with frozen_heap():
            assert gc.get_freeze_count() == frozen
        assert gc.get_freeze_count() == frozen  # not unfrozen by the search
    finally:
        gc.unfreeze()


def test_garbage_made_inside_a_frozen_heap_is_still_collected():
    class Node:
        pass

    with frozen_heap():
        node = Node()
        node.cycle = node  # freed only by the collector
        ref = weakref.ref(node)
        del node
        gc.collect()
        assert ref() is None
