"""Without the tensorboard package: tunesmith imports, and TensorBoard use names the fix."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tunesmith.tensorboard import INSTALL_HINT, export_store, require_tensorboard

# An import of a name mapped to None in sys.modules raises ModuleNotFoundError.
_BLOCK = ("tensorboard", "tensorboard.summary.writer.event_file_writer")


@pytest.fixture
def no_tensorboard(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _BLOCK:
        monkeypatch.setitem(sys.modules, name, None)


@pytest.mark.usefixtures("no_tensorboard")
def test_require_names_the_install_command() -> None:
    with pytest.raises(ImportError, match=r'pip install "tunesmith\[tensorboard\]"'):
        require_tensorboard()


@pytest.mark.usefixtures("no_tensorboard")
def test_export_fails_before_reading_anything(tmp_path: Path) -> None:
    with pytest.raises(ImportError, match="tunesmith\\[tensorboard\\]"):
        export_store(tmp_path / "project", tmp_path / "tb")
    assert not (tmp_path / "tb").exists()


@pytest.mark.usefixtures("no_tensorboard")
def test_search_with_a_tensorboard_callback_fails_before_any_trial(tmp_path: Path) -> None:
    keras = pytest.importorskip("keras")
    import tunesmith as kt

    def build_model(hp):
        model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(hp.Int("u", 1, 2))])
        model.compile(loss="mse")
        return model

    tuner = kt.RandomSearch(
        build_model, objective="loss", max_trials=1, directory=tmp_path, project_name="p"
    )
    with pytest.raises(ImportError, match=INSTALL_HINT.replace("[", r"\[").replace("]", r"\]")):
        tuner.search(
            [[0.0, 1.0]], [[1.0]], epochs=1, callbacks=[keras.callbacks.TensorBoard(tmp_path)]
        )
    assert tuner.oracle.trials == {}


def test_importing_tunesmith_needs_neither_tensorboard_nor_keras() -> None:
    code = (
        "import sys\n"
        "sys.modules['tensorboard'] = None\n"
        "import tunesmith, tunesmith.tensorboard\n"
        "assert 'keras' not in sys.modules, 'keras imported'\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
