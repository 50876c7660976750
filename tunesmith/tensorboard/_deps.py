"""The optional packages: ``tensorboard`` (required here) and TensorFlow (never required)."""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

INSTALL_HINT = 'pip install "tunesmith[tensorboard]"'


def require_tensorboard() -> ModuleType:
    """Import the ``tensorboard`` package, or raise an ImportError that names the fix.

    Only the package's pure-Python parts are used (event files, summary protos),
    which work without TensorFlow.
    """
    try:
        # The writer is the deepest import we need; a broken install fails here too.
        importlib.import_module("tensorboard.summary.writer.event_file_writer")
        return importlib.import_module("tensorboard")
    except ImportError as exc:
        raise ImportError(
            f"TensorBoard logging needs the tensorboard package ({exc}). Install it with: "
            f"{INSTALL_HINT}"
        ) from exc


def tensorflow_available() -> bool:
    """Whether TensorFlow can be imported (looked up, not imported: that takes seconds)."""
    try:
        return importlib.util.find_spec("tensorflow") is not None
    except (ImportError, ValueError):  # a half-removed install, or a stub in sys.modules
        return False
