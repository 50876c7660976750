"""What ``tuner.dashboard()`` shows in a notebook: a frame that works where the
notebook runs on this machine, and, for one served from elsewhere, how to reach it
(the proxy path on JupyterHub, jupyter-server-proxy, an SSH tunnel)."""

from __future__ import annotations

import re

import pytest

import tunesmith.web as web
from tunesmith.web import DashboardServer, DashboardURL
from tunesmith.web._notebook import HUB_PREFIX_VARIABLE, hub_root_path, notebook_html


def frame_src(html: str) -> str:
    match = re.search(r'<iframe src="([^"]*)"', html)
    assert match, html
    return match.group(1).replace("&amp;", "&")


def test_a_local_notebook_gets_the_frame_and_the_remote_advice():
    html = notebook_html("http://127.0.0.1:8765/", 8765, "", "#/study/mnist")
    assert frame_src(html) == "http://127.0.0.1:8765/#/study/mnist"
    assert "another machine" in html
    assert "ssh -N -L 8765:127.0.0.1:8765" in html
    assert "jupyter-server-proxy" in html and "/proxy/8765/" in html
    assert "root_path=&quot;/proxy/8765&quot;" in html


def test_jupyterhub_is_recognised_from_its_prefix():
    assert hub_root_path({HUB_PREFIX_VARIABLE: "/user/ada/"}) == "/user/ada/proxy/{port}"
    assert hub_root_path({HUB_PREFIX_VARIABLE: ""}) is None
    assert hub_root_path({}) is None


def test_behind_a_proxy_the_frame_goes_through_it_with_the_token(runs):
    server = DashboardServer(runs, port=0, root_path="/user/ada/proxy/{port}")
    try:
        assert server.root_path == f"/user/ada/proxy/{server.port}"
        assert server.token  # the proxy's Host is not this machine's: a token instead
        html = DashboardURL(server, "random_search")._repr_html_()
        assert frame_src(html) == (
            f"/user/ada/proxy/{server.port}/?token={server.token}#/study/random_search"
        )
        assert "pip install jupyter-server-proxy" in html
    finally:
        server.stop()


def test_on_jupyterhub_dashboard_serves_under_the_hub_proxy(runs, monkeypatch):
    monkeypatch.setenv(HUB_PREFIX_VARIABLE, "/user/ada/")
    monkeypatch.setattr(DashboardServer, "start", lambda self: self)  # no thread here
    monkeypatch.setattr(web, "_running", {})
    url = web.dashboard(runs, port=0, study="random_search")
    try:
        assert url.server.root_path == f"/user/ada/proxy/{url.server.port}"
        assert frame_src(url._repr_html_()).startswith(f"/user/ada/proxy/{url.server.port}/?token=")
    finally:
        url.server.stop()


def test_an_explicit_root_path_wins_over_the_hub(runs, monkeypatch):
    monkeypatch.setenv(HUB_PREFIX_VARIABLE, "/user/ada/")
    monkeypatch.setattr(DashboardServer, "start", lambda self: self)
    monkeypatch.setattr(web, "_running", {})
    url = web.dashboard(runs, port=0, root_path="")
    try:
        assert url.server.root_path == "" and url.server.token is None
        assert frame_src(url._repr_html_()).startswith("http://127.0.0.1:")
    finally:
        url.server.stop()


@pytest.mark.parametrize("bad", ["/a b", "/a/../b", "/a?x=1"])
def test_a_malformed_root_path_is_refused_before_a_port_is_taken(runs, bad):
    with pytest.raises(ValueError, match="root_path"):
        DashboardServer(runs, port=0, root_path=bad)
