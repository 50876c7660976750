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
from tunesmith.web._notebook import hub_root_path, notebook_html
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

    page: str

    def __new__(cls, server: DashboardServer, study: str | None = None) -> DashboardURL:
        from urllib.parse import quote

        page = f"#/study/{quote(study, safe='')}" if study else ""
        url = super().__new__(cls, server.url + page)
        url.server = server
        url.page = page
        return url

    def stop(self) -> None:
        """Stop the server and free its port."""
        with _running_lock:
            _running.pop(self.server.root, None)
        self.server.stop()

    def _repr_html_(self) -> str:
        # A frame at this machine's address, or through the notebook server's proxy;
        # and how to reach it from a notebook served elsewhere.
        return notebook_html(self.server.url, self.server.port, self.server.root_path, self.page)


def dashboard(
    path: str | os.PathLike[str] = ".",
    *,
    port: int = 0,
    host: str = DEFAULT_HOST,
    allow_remote: bool = False,
    open_browser: bool = False,
    study: str | None = None,
    root_path: str | None = None,
) -> DashboardURL:
    """Start the dashboard of every study under ``path`` in the background.

    Returns its URL (a :class:`DashboardURL`: shown inline in Jupyter, ``.stop()``
    ends it). ``port=0`` picks a free port; the same folder asked for twice gets the
    running dashboard. It listens on this machine only unless ``allow_remote=True``
    with another ``host``, and then requires a token, which the URL carries.
    ``study``: the key of a project under ``path`` to open the page on.
    ``root_path``: the path a reverse proxy serves it under, such as
    ``"/proxy/{port}"`` for jupyter-server-proxy (``{port}`` becomes its port); it
    then requires a token too, which the URL carries. On JupyterHub it defaults to
    the hub's proxy path, so the notebook shows it through the hub.

    Example:
        >>> url = dashboard("runs")             # doctest: +SKIP
        >>> url.stop()                          # doctest: +SKIP
    """
    root = Path(path).expanduser().resolve()
    with _running_lock:
        server = _running.get(root)
        if server is None or not server.alive:
            if root_path is None:
                root_path = hub_root_path() or ""
            server = DashboardServer(
                root, host=host, port=port, allow_remote=allow_remote, root_path=root_path
            )
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
