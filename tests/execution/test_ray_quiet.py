"""A plain local Ray run prints none of the notices it cannot act on (JAX's fork
warning, Ray's token-authentication-enabled notice); a fork elsewhere still warns."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap
import warnings

import pytest

from tunesmith.execution._ray_quiet import AUTH_LOGGER, _quiet_start

pytest.importorskip("ray")

SCRIPT = """
import jax.numpy as jnp
import tunesmith

jnp.ones(3) + 1  # JAX started, so a fork warns

def objective(hp):
    return hp.Float("x", 0.0, 1.0) ** 2

if __name__ == "__main__":
    result = tunesmith.tune(objective, max_trials=2, directory={directory!r},
                            executor=tunesmith.RayWorkers(workers=1))
    print("trials", len(result.trials))
"""


def test_a_local_ray_search_prints_no_fork_or_token_notice(tmp_path):
    script = tmp_path / "search.py"
    script.write_text(textwrap.dedent(SCRIPT).format(directory=str(tmp_path / "p")))
    env = {**os.environ, "KERAS_BACKEND": "jax"}
    env.pop("RAY_ADDRESS", None)
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=240
    )
    assert done.returncode == 0, done.stderr
    assert "trials 2" in done.stdout
    output = done.stdout + done.stderr
    assert "os.fork() was called" not in output
    assert "Token authentication is enabled" not in output
    assert "Started a local Ray instance" not in output  # INFO, lowered to WARNING


def test_only_the_auth_enabled_notice_is_dropped(caplog):
    logger = logging.getLogger(AUTH_LOGGER)
    with caplog.at_level(logging.WARNING, logger=AUTH_LOGGER), _quiet_start():
        logger.warning("Token authentication is enabled for this Ray cluster.")
        logger.warning("Token authentication is disabled for this Ray cluster.")
    assert [r.getMessage() for r in caplog.records] == [
        "Token authentication is disabled for this Ray cluster."
    ]
    logger.warning("Token authentication is enabled, after the start")
    assert len(caplog.records) == 2  # the filter left with the start


def test_a_fork_warning_outside_the_start_still_shows():
    def warned() -> int:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with _quiet_start():  # applies its filter over "always"
                warnings.warn("os.fork() was called", RuntimeWarning, stacklevel=1)
            warnings.warn("os.fork() was called", RuntimeWarning, stacklevel=1)
        return len(caught)

    assert warned() == 1  # the one after the start
