"""The live dashboard of every study under a folder: ``tunesmith dashboard runs/``.

It opens each project read-only and never slows the search writing it; a running
search's new trials and epochs appear within about a second. It writes one thing,
the notes people add, to ``notes.json`` beside each store.

Needs the ``dashboard`` extra: ``pip install "tunesmith[dashboard]"``.

Example:
    >>> import tunesmith
    >>> url = tunesmith.dashboard("runs")     # doctest: +SKIP
    >>> url                                   # doctest: +SKIP
    'http://127.0.0.1:53127/'
    >>> url.stop()                            # doctest: +SKIP
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

try:
    import starlette  # noqa: F401
    import uvicorn  # noqa: F401
except ImportError as exc:  # pragma: no cover - depends on the installation
    raise ImportError(
        f"tunesmith.web needs starlette and uvicorn ({exc.name} is missing): "
        'pip install "tunesmith[dashboard]"'
    ) from exc

from tunesmith.web._app import create_app
from tunesmith.web._notes import read_notes, write_note
from tunesmith.web._projects import Projects
from tunesmith.web._serve import DEFAULT_HOST, DEFAULT_PORT, DashboardServer, print_banner

__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "DashboardServer",
    "DashboardURL",
    "Projects",
    "create_app",
    "dashboard",
    "print_banner",
    "read_notes",
    "write_note",
]

# One background dashboard per folder per process: asking again returns it.
_running: dict[Path, DashboardServer] = {}
_running_lock = threading.Lock()


class DashboardURL(str):
    """The address of a dashboard running in the background: a ``str`` that can stop
    its server and, in Jupyter, shows the dashboard inline."""

    server: DashboardServer

    def __new__(cls, server: DashboardServer, study: str | None = None) -> DashboardURL:
        from urllib.parse import quote

        page = f"#/study/{quote(study, safe='')}" if study else ""
        url = super().__new__(cls, server.url + page)
        url.server = server
        return url

    def stop(self) -> None:
        """Stop the server and free its port."""
        with _running_lock:
            _running.pop(self.server.root, None)
        self.server.stop()

    def _repr_html_(self) -> str:
        from html import escape

        return (
            f'<iframe src="{escape(str(self))}" width="100%" height="720" '
            'style="border:1px solid #ddd"></iframe>'
            f'<p><a href="{escape(str(self))}" target="_blank">Open the dashboard</a></p>'
        )


def dashboard(
    path: str | os.PathLike[str] = ".",
    *,
    port: int = 0,
    host: str = DEFAULT_HOST,
    allow_remote: bool = False,
    open_browser: bool = False,
    study: str | None = None,
) -> DashboardURL:
    """Start the dashboard of every study under ``path`` in the background.

    Returns its URL (a :class:`DashboardURL`: shown inline in Jupyter, ``.stop()``
    ends it). ``port=0`` picks a free port; the same folder asked for twice gets the
    running dashboard. It listens on this machine only unless ``allow_remote=True``
    with another ``host``, and then requires a token, which the URL carries.
    ``study``: the key of a project under ``path`` to open the page on.

    Example:
        >>> url = dashboard("runs")             # doctest: +SKIP
        >>> url.stop()                          # doctest: +SKIP
    """
    root = Path(path).expanduser().resolve()
    with _running_lock:
        server = _running.get(root)
        if server is None or not server.alive:
            server = DashboardServer(root, host=host, port=port, allow_remote=allow_remote)
            warning = server.warning()
            if warning:
                print(warning)
            server.start()
            _running[root] = server
    url = DashboardURL(server, study)
    if open_browser:
        import webbrowser

        webbrowser.open(url)
    return url
