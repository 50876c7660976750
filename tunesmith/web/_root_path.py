"""Serving the dashboard under a path prefix, behind a reverse proxy or Jupyter's.

A proxy such as jupyter-server-proxy shows the dashboard at ``/proxy/8765/`` and
forwards ``/proxy/8765/api/study`` to the dashboard's ``/api/study``. The page
must then ask for ``/proxy/8765/api/...``: the prefix (the *root path*) is written
into the page, and its scripts and links start from it. Requests arriving with the
prefix still on (a proxy that does not strip it, or a browser pointed straight at
the server) are served too.
"""

from __future__ import annotations

import re
from pathlib import Path

_INDEX_REFERENCES = re.compile(r'(href|src)="static/')


def normalise_root_path(root_path: str | None) -> str:
    """``root_path`` as ``/a/b``, with no trailing slash; ``""`` for none.

    Example:
        >>> normalise_root_path("proxy/8080/")
        '/proxy/8080'
        >>> normalise_root_path("/")
        ''
    """
    text = (root_path or "").strip()
    if any(c in text for c in '?#"<>\\ '):
        raise ValueError(
            f"root_path is the path the dashboard is served under, such as "
            f"/proxy/8765; {root_path!r} holds characters a path cannot."
        )
    parts = [part for part in text.split("/") if part]
    if any(part in (".", "..") for part in parts):
        raise ValueError(f"root_path {root_path!r} may not hold '.' or '..'.")
    return "/" + "/".join(parts) if parts else ""


def index_html(static_dir: Path, root_path: str) -> str:
    """The page, its stylesheet and scripts addressed under ``root_path``.

    Without a root path they stay relative (``static/...``), which already works
    under any prefix the page's own address ends with a slash in.

    Example:
        >>> from tunesmith._study_document import STATIC_DIR
        >>> '"/proxy/1/static/dashboard.js"' in index_html(STATIC_DIR, "/proxy/1")
        True
    """
    page = (static_dir / "index.html").read_text(encoding="utf-8")
    base = f"{root_path}/"
    if root_path:
        page = _INDEX_REFERENCES.sub(lambda m: f'{m.group(1)}="{base}static/', page)
    # The page's scripts read it for their requests (dashboard.js, `api`).
    meta = f'<meta name="tunesmith-root" content="{base if root_path else ""}">'
    return page.replace("<head>", f"<head>\n{meta}", 1)
