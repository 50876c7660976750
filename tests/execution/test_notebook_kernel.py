"""In a real Jupyter kernel a search at verbose=1 shows one output, redrawn in
place as trials start and end, and prints no table per trial."""

from __future__ import annotations

import time

import pytest

manager = pytest.importorskip("jupyter_client.manager")
pytest.importorskip("ipykernel")

CELL = """
import os
os.environ["KERAS_BACKEND"] = "jax"
import tunesmith

def objective(hp, steps):
    x = hp.Float("x", 0.0, 1.0)
    for epoch in range(3):
        steps.report(epoch, {"loss": x + 1.0 / (epoch + 1)})
    return x

result = tunesmith.tune(objective, max_trials=3, verbose=1, seed=0)
print("trials:", len(result.trials))
"""


def run_cell(code: str, timeout: float = 120.0) -> list[dict]:
    """The iopub messages a kernel sends while it runs ``code``."""
    kernel, client = manager.start_new_kernel(kernel_name="python3")
    try:
        msg_id = client.execute(code)
        messages, deadline = [], time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = client.get_iopub_msg(timeout=timeout)
            if message["parent_header"].get("msg_id") != msg_id:
                continue
            messages.append(message)
            content = message["content"]
            if message["msg_type"] == "status" and content["execution_state"] == "idle":
                return messages
        raise AssertionError("the cell did not finish")
    finally:
        client.stop_channels()
        kernel.shutdown_kernel(now=True)


def test_a_search_in_a_notebook_redraws_one_output_in_place():
    messages = run_cell(CELL)
    kinds = [m["msg_type"] for m in messages]
    assert "error" not in kinds, [m["content"] for m in messages if m["msg_type"] == "error"]
    shown = [m for m in messages if m["msg_type"] == "display_data"]
    updates = [m for m in messages if m["msg_type"] == "update_display_data"]
    assert len(shown) == 1  # one block for the whole search
    display_id = shown[0]["content"]["transient"]["display_id"]
    assert len(updates) >= 6  # each trial's start and end, at least
    assert {m["content"]["transient"]["display_id"] for m in updates} == {display_id}
    pages = [m["content"]["data"]["text/html"] for m in updates]
    assert any("trial 1 of 3" in page for page in pages)
    assert "trial 3 of 3" in pages[-1] and "Best objective so far" in pages[-1]
    printed = "".join(m["content"]["text"] for m in messages if m["msg_type"] == "stream")
    assert printed.strip() == "trials: 3"  # no table per trial scrolled the cell
