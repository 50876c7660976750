"""Running the dashboard: where it listens, who may use it, in the foreground or not.

Served by uvicorn, the reference ASGI server for Starlette. The socket is bound
here, before uvicorn starts, so the URL (port 0 picks a free port) is known at
once and a port already taken fails with a clear error, not a log line.
"""

from __future__ import annotations

import ipaddress
import secrets
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tunesmith.web._app import create_app
from tunesmith.web._projects import Projects
from tunesmith.web._root_path import normalise_root_path

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


def is_loopback(host: str) -> bool:
    """Whether ``host`` is this machine only (127.0.0.0/8, ::1 or 'localhost')."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_host(host: str, allow_remote: bool) -> None:
    """Refuse to listen beyond this machine unless asked to in so many words."""
    if not is_loopback(host) and not allow_remote:
        raise ValueError(
            f"Listening on {host} would show your studies to other machines. The "
            f"dashboard listens on {DEFAULT_HOST} (this machine only) by default; to "
            "serve it to others on purpose, add --allow-remote (allow_remote=True): "
            "every request then needs the token printed with the URL."
        )


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as exc:
        sock.close()
        raise OSError(
            f"The dashboard cannot listen on {host}:{port} ({exc.strerror}). Another "
            "program (or another dashboard) may use that port: pass another --port, "
            "or --port 0 for any free one."
        ) from exc
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


@dataclass
class DashboardServer:
    """A dashboard listening on a socket; :meth:`serve_forever` or :meth:`start`."""

    root: Path
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    allow_remote: bool = False
    token: str | None = None
    #: The path prefix a reverse proxy serves the dashboard under (``/proxy/8765``);
    #: ``{port}`` in it becomes the port (``/proxy/{port}`` with ``port=0``).
    root_path: str = ""
    _socket: socket.socket | None = field(default=None, repr=False)
    _server: Any = field(default=None, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        check_host(self.host, self.allow_remote)
        local = is_loopback(self.host)
        normalise_root_path(self.root_path)  # a malformed one fails before a port is taken
        Projects(self.root)  # and so does a root that is not a folder
        # A proxy forwards its own public name as the Host, which the check of this
        # machine's names would refuse: the token guards the dashboard instead.
        if (not local or self.root_path) and not self.token:
            self.token = secrets.token_urlsafe(24)
        self._socket = _bind(self.host, self.port)
        self.port = self._socket.getsockname()[1]
        self.root_path = normalise_root_path(self.root_path.replace("{port}", str(self.port)))
        try:
            self.app = create_app(
                self.root,
                token=self.token,
                local_only=local and not self.root_path,
                root_path=self.root_path,
            )
        except BaseException:
            self._socket.close()
            raise

    @property
    def url(self) -> str:
        """Where to point a browser (with the token when one is needed)."""
        if self.host in ("0.0.0.0", "::"):  # every address: the name others reach it by
            shown = socket.gethostname()
        elif ":" in self.host and not self.host.startswith("["):
            shown = f"[{self.host}]"  # an IPv6 address in a URL
        else:
            shown = self.host
        url = f"http://{shown}:{self.port}{self.root_path}/"
        return url + (f"?token={self.token}" if self.token else "")

    def warning(self) -> str | None:
        """What to print when the dashboard is reachable from other machines."""
        if is_loopback(self.host):
            return None
        return (
            f"WARNING: the dashboard listens on {self.host}, reachable from other "
            "machines; anyone with the token can read these studies and edit their "
            "notes. Traffic is not encrypted: on a shared network, prefer an SSH "
            "tunnel to a dashboard on 127.0.0.1."
        )

    def _uvicorn(self) -> Any:
        import uvicorn

        config = uvicorn.Config(self.app, log_level="warning", access_log=False, lifespan="off")
        self._server = uvicorn.Server(config)
        return self._server

    def serve_forever(self) -> None:
        """Serve until interrupted (Ctrl-C), in this thread."""
        assert self._socket is not None
        self._uvicorn().run(sockets=[self._socket])

    def start(self) -> DashboardServer:
        """Serve from a background thread; returns once requests are answered."""
        assert self._socket is not None
        server = self._uvicorn()
        sockets = [self._socket]
        self._thread = threading.Thread(
            target=server.run, kwargs={"sockets": sockets}, name="tunesmith-dashboard", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10.0
        while not server.started and self._thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.01)
        if not server.started:
            raise RuntimeError("The dashboard server did not start; see the log above.")
        return self

    @property
    def alive(self) -> bool:
        """Whether a background server is still serving."""
        return self._thread is not None and self._thread.is_alive()

    def stop(self) -> None:
        """Stop a server started with :meth:`start`, and free its port."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._socket is not None:
            self._socket.close()


def print_banner(server: DashboardServer) -> None:
    warning = server.warning()
    if warning:
        print(warning, file=sys.stderr)
    print(f"tunesmith dashboard of {server.root} at {server.url}  (Ctrl-C stops it)", flush=True)
    if server.root_path:
        print(
            f"Behind your proxy, open {server.root_path}/ on its address "
            f"(the proxy forwards it to port {server.port}).",
            flush=True,
        )
