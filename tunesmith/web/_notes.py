"""Notes a person writes on a study and its trials, kept in a file beside the store.

Why beside the store and not in it: the store has one writer, the search driver,
which holds its lock for the whole search. A note written into SQLite while the
search runs would make the dashboard a second writer that competes for the write
lock, and a driver transaction could then wait on it; the dashboard must never slow
the search down. ``notes.json`` is plain JSON, replaced atomically (a temporary
file renamed over it), so a crash while saving leaves the previous notes whole, and
any tool can read it. It is the only file the dashboard writes.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

NOTES_FILENAME = "notes.json"
#: Longest note kept, in characters: notes are remarks, not documents.
MAX_NOTE_CHARS = 20_000

_lock = threading.Lock()


def read_notes(project_dir: Path) -> dict[str, Any]:
    """``{"study": text, "trials": {trial_id: text}}``; empty when there are none."""
    path = project_dir / NOTES_FILENAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        data = {}
    except (OSError, ValueError) as exc:
        raise ValueError(
            f"{path} cannot be read as notes ({exc}); move it away to start new notes."
        ) from exc
    study = data.get("study", "") if isinstance(data, dict) else ""
    trials = data.get("trials", {}) if isinstance(data, dict) else {}
    return {
        "study": study if isinstance(study, str) else "",
        "trials": {str(k): v for k, v in trials.items() if isinstance(v, str)}
        if isinstance(trials, dict)
        else {},
    }


def write_note(project_dir: Path, text: str, trial_id: str | None = None) -> dict[str, Any]:
    """Set the study's note (or a trial's, with ``trial_id``); empty text removes it.

    Example:
        >>> import tempfile, pathlib
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> write_note(folder, "lr above 1e-2 diverges", trial_id="0003")["trials"]
        {'0003': 'lr above 1e-2 diverges'}
    """
    if not isinstance(text, str):
        raise ValueError("A note is text; send {'text': '...'}.")
    if len(text) > MAX_NOTE_CHARS:
        raise ValueError(
            f"A note holds at most {MAX_NOTE_CHARS} characters; this one has {len(text)}."
        )
    with _lock:
        notes = read_notes(project_dir)
        if trial_id is None:
            notes["study"] = text
        elif text:
            notes["trials"][trial_id] = text
        else:
            notes["trials"].pop(trial_id, None)
        handle, temporary = tempfile.mkstemp(dir=project_dir, prefix=".notes-", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as f:
                json.dump(notes, f, ensure_ascii=False, indent=1, sort_keys=True)
                f.flush()
                os.fsync(f.fileno())
            os.replace(temporary, project_dir / NOTES_FILENAME)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    return notes
