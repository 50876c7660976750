"""The dashboard's web application: a JSON API over the projects and the page that uses it.

Built on Starlette: a small, well-kept ASGI toolkit with routing, static files
(safe against paths that climb out of their folder), gzip and trusted-host
middleware, and nothing the dashboard does not use (no ORM, no templating, no
validation layer). Every request that reads a store opens it read-only, reads in
one short transaction and closes it (:meth:`Project.visit`), so the search that
writes it is never blocked or held back.
"""

from __future__ import annotations

import hmac
import math
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from tunesmith import _study_document as documents
from tunesmith.errors import StoreError
from tunesmith.store import DB_FILENAME, sidecars, strict_json
from tunesmith.web._importance import importance_document
from tunesmith.web._notes import read_notes, write_note
from tunesmith.web._projects import Project, Projects
from tunesmith.web._root_path import index_html, normalise_root_path

STATIC_DIR = documents.STATIC_DIR
TOKEN_COOKIE = "tunesmith_token"
_LOOPBACK_NAMES = ["127.0.0.1", "localhost", "::1", "[::1]"]


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


class _Api:
    """The handlers, around one :class:`Projects`."""

    def __init__(self, projects: Projects) -> None:
        self.projects = projects
        # Cards are rebuilt only when a store's files change (a list of many large
        # studies, polled every few seconds, would otherwise re-read them all).
        self._cards: dict[str, tuple[tuple[Any, ...], dict[str, Any]]] = {}
        self._importance: dict[str, tuple[tuple[Any, ...], dict[str, Any]]] = {}

    def _project(self, request: Request) -> Project:
        key = request.query_params.get("project", "")
        try:
            return self.projects.get(key)
        except KeyError:
            raise _NotFound(f"No project {key!r} under {self.projects.root}.") from None

    def _card(self, project: Project) -> dict[str, Any]:
        if not project.check():
            return documents.problem_card(
                project.key, project.directory.name, project.problem or ""
            )
        running = project.running
        signature = (*_files_signature(project.directory), running)
        cached = self._cards.get(project.key)
        if cached is not None and cached[0] == signature:
            return cached[1]
        try:
            with project.visit() as store:
                card = documents.project_card(store, project.key, running)
        except StoreError as exc:
            return documents.problem_card(project.key, project.directory.name, str(exc))
        self._cards[project.key] = (signature, card)
        return card

    def projects_list(self, request: Request) -> dict[str, Any]:
        cards = [self._card(project) for project in self.projects.scan()]
        return {"root": str(self.projects.root), "projects": cards}

    def study(self, request: Request) -> str:
        project = self._project(request)
        with project.visit() as store:
            return documents.study_json(
                store, project.key, project.running, read_notes(project.directory)
            )

    def changes(self, request: Request) -> str:
        project = self._project(request)
        trials_after = _number(request, "trials_after", float)
        curves_after = _number(request, "curves_after", int)
        with project.visit() as store:
            return documents.changes_json(store, trials_after, curves_after, project.running)

    def curves(self, request: Request) -> dict[str, Any]:
        project = self._project(request)
        wanted = [t for t in request.query_params.get("trials", "").split(",") if t]
        if len(wanted) > 500:
            raise _BadRequest("Ask for at most 500 trials' curves at a time.")
        with project.visit() as store:
            points = [p for trial_id in wanted for p in store.curve_points(trial_id)]
        return strict_json({"curves": documents.curves_document(points)}, "dashboard curves")

    def importance(self, request: Request) -> dict[str, Any]:
        project = self._project(request)
        # A forest per page load is seconds of CPU on a large study, beside the search:
        # fitted again only once the store changed.
        signature = _files_signature(project.directory)
        cached = self._importance.get(project.key)
        if cached is not None and cached[0] == signature:
            return cached[1]
        with project.visit() as store:
            document = importance_document(store)
        self._importance[project.key] = (signature, document)
        return document

    def notes(self, request: Request, body: dict[str, Any] | None) -> dict[str, Any]:
        project = self._project(request)
        if body is None:
            return read_notes(project.directory)
        trial_id = body.get("trial_id")
        if trial_id is not None:
            if not isinstance(trial_id, str):
                raise _BadRequest("trial_id is the id of a trial, as text (e.g. '0003').")
            with project.visit() as store:
                if store.get_trial(trial_id) is None:
                    raise _BadRequest(f"No trial {trial_id!r} in {project.key}.")
        try:
            return write_note(project.directory, body.get("text", ""), trial_id)
        except ValueError as exc:
            raise _BadRequest(str(exc)) from exc
        except OSError as exc:
            raise StoreError(
                f"The note could not be saved: {exc.strerror} writing beside the store in "
                f"{project.directory}. Notes need a folder the dashboard can write to; "
                "nothing else was changed."
            ) from exc


class _NotFound(Exception):
    pass


class _BadRequest(Exception):
    pass


def _number(request: Request, name: str, kind: type) -> Any:
    text = request.query_params.get(name, "0")
    try:
        value = kind(text)
    except ValueError:
        raise _BadRequest(f"{name} must be a number, got {text!r}.") from None
    if not math.isfinite(value):
        raise _BadRequest(f"{name} must be finite, got {text!r}.")
    return value


def _files_signature(directory: Path) -> tuple[Any, ...]:
    """Changes whenever the writer commits: the database and its log, sized and dated."""
    out: list[Any] = []
    db = directory / DB_FILENAME
    for path in (db, sidecars(db)[0]):
        try:
            stat = path.stat()
            out += [stat.st_ino, stat.st_size, stat.st_mtime_ns]
        except OSError:
            out += [None, None, None]
    return tuple(out)


def _endpoint(handler: Callable[..., dict[str, Any] | str], accepts_body: bool = False):
    """An async endpoint around a blocking handler (run in a worker thread) that
    returns a document, or its JSON text when that was built already."""

    async def endpoint(request: Request) -> Response:
        body = None
        if accepts_body and request.method == "PUT":
            try:
                body = await request.json()
            except ValueError:
                return _error(400, "The body is not JSON; send {'text': '...'}.")
            if not isinstance(body, dict):
                return _error(400, "The body is a JSON object: {'text': '...'}.")
        try:
            args = (request, body) if accepts_body else (request,)
            document = await run_in_threadpool(handler, *args)
        except _NotFound as exc:
            return _error(404, str(exc))
        except _BadRequest as exc:
            return _error(400, str(exc))
        except StoreError as exc:
            return _error(409, str(exc))
        headers = {"Cache-Control": "no-store"}
        if isinstance(document, str):
            return Response(document, media_type="application/json", headers=headers)
        return JSONResponse(document, headers=headers)

    return endpoint


class _TokenMiddleware:
    """Refuses every request without the token (query ``token=``, or the cookie the
    first such request sets), so that only who was given the URL gets in."""

    def __init__(self, app: Any, token: str) -> None:
        self.app = app
        self.token = token

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        given = request.query_params.get("token") or request.cookies.get(TOKEN_COOKIE, "")
        if not hmac.compare_digest(given.encode(), self.token.encode()):
            response: Response = _error(
                403, "This dashboard needs its token: open the URL it printed (…/?token=…)."
            )
            await response(scope, receive, send)
            return

        async def send_with_cookie(message: dict) -> Awaitable[None] | None:
            if message["type"] == "http.response.start" and "token" in request.query_params:
                cookie = f"{TOKEN_COOKIE}={self.token}; HttpOnly; SameSite=Strict; Path=/"
                message.setdefault("headers", []).append((b"set-cookie", cookie.encode()))
            return await send(message)

        await self.app(scope, receive, send_with_cookie)


def create_app(
    root: str | Path,
    token: str | None = None,
    local_only: bool = True,
    root_path: str = "",
) -> Starlette:
    """The dashboard over every project under ``root``.

    ``token``: required on every request when set (the server sets it whenever it
    listens beyond this machine). ``local_only``: accept only requests addressed to
    this machine by name, which defeats DNS-rebinding pages in the user's browser.
    ``root_path``: the path prefix a reverse proxy serves it under (``/proxy/8765``);
    the page asks for everything under it, and requests are answered with the
    prefix stripped by the proxy or not.

    Example:
        >>> from starlette.testclient import TestClient     # doctest: +SKIP
        >>> client = TestClient(create_app("runs"))          # doctest: +SKIP
        >>> client.get("/api/projects").json()["projects"]  # doctest: +SKIP
    """
    api = _Api(Projects(root))
    prefix = normalise_root_path(root_path)
    page = index_html(STATIC_DIR, prefix)

    async def index(request: Request) -> Response:
        return HTMLResponse(page, headers={"Cache-Control": "no-store"})

    routes = [
        Route("/", index),
        Route("/api/projects", _endpoint(api.projects_list)),
        Route("/api/study", _endpoint(api.study)),
        Route("/api/changes", _endpoint(api.changes)),
        Route("/api/curves", _endpoint(api.curves)),
        Route("/api/importance", _endpoint(api.importance)),
        Route("/api/notes", _endpoint(api.notes, accepts_body=True), methods=["GET", "PUT"]),
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
    ]
    if prefix:
        # A proxy that forwards the whole path (or a browser pointed straight at the
        # server) asks for the prefixed paths the page names.
        routes.append(Mount(prefix, routes=list(routes)))
    # Level 5: nearly the size of level 9 at less than half its time, for a study
    # document of several MB.
    middleware = [Middleware(GZipMiddleware, minimum_size=2048, compresslevel=5)]
    if local_only:
        middleware.insert(0, Middleware(TrustedHostMiddleware, allowed_hosts=_LOOPBACK_NAMES))
    if token:
        middleware.insert(0, Middleware(_TokenMiddleware, token=token))
    return Starlette(routes=routes, middleware=middleware)
