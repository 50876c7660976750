"""Every Python block of the README and docs/ (and its subfolders) runs as written, in
a fresh process.

A block is a program of its own, unless the text just before it begins with
"Continuing the first example": then it runs after the file's first program, in the
same process, as a reader pasting both into one script would. The programs run in
an empty folder, with no KERAS_BACKEND set and a home without keras.json, as on a
newcomer's machine. A block that is not meant to run is fenced as something other
than ``python`` (``bash``, ``text``, ``console``).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
DOCUMENTS = [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]
CONTINUES = "Continuing the first example"
_BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)


def programs(document: Path) -> list[tuple[str, str]]:
    """``(name, source)`` of each program in ``document``, in order."""
    text = document.read_text(encoding="utf-8")
    found: list[list[str]] = []
    last_end = 0
    for match in _BLOCK.finditer(text):
        before = text[last_end : match.start()].strip().splitlines()
        last_end = match.end()
        if before and before[-1].startswith(CONTINUES) and found:
            found[0].append(match.group(1))
        else:
            found.append([match.group(1)])
    label = document.relative_to(DOCS).as_posix() if DOCS in document.parents else document.name
    return [(f"{label}:{_first_line(p[0])}", "\n".join(p)) for p in found]


def _first_line(code: str) -> str:
    return code.strip().splitlines()[0][:40]


ALL = [program for document in DOCUMENTS for program in programs(document)]


def test_the_documents_have_programs():
    names = [name for name, _ in ALL]
    assert len(names) >= 4, names  # the Keras tour, tune(), ask/tell, keras-tuner's line


@pytest.mark.slow
@pytest.mark.parametrize("name,source", ALL, ids=[name for name, _ in ALL])
def test_program_runs_as_written(name, source, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("KERAS_BACKEND", "KERAS_HOME")}
    env["HOME"] = str(tmp_path)  # no ~/.keras/keras.json: a newcomer's machine
    script = tmp_path / "example.py"
    script.write_text(source, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, (
        f"{name} failed:\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}"
    )
