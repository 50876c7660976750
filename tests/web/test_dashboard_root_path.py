"""The dashboard under a path prefix, without a browser: the page names its files
and API under the prefix, and the app answers with the prefix stripped or kept
(tests/web/test_dashboard_browser.py loads it in Chromium)."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tunesmith.cli import build_parser
from tunesmith.web import create_app
from tunesmith.web._root_path import normalise_root_path


@pytest.mark.parametrize(
    ("given", "normal"),
    [("", ""), ("/", ""), ("proxy/8765", "/proxy/8765"), ("/proxy//8765/", "/proxy/8765")],
)
def test_root_paths_are_normalised(given, normal):
    assert normalise_root_path(given) == normal


def test_the_page_names_everything_under_the_prefix(runs):
    client = TestClient(create_app(runs, root_path="/proxy/8765", local_only=False))
    for path in ("/", "/proxy/8765/"):  # the proxy strips the prefix, or keeps it
        page = client.get(path).text
        assert '<meta name="tunesmith-root" content="/proxy/8765/">' in page
        assert 'src="/proxy/8765/static/dashboard.js"' in page
        assert 'href="/proxy/8765/static/dashboard.css"' in page
    assert client.get("/proxy/8765/api/projects").status_code == 200
    assert client.get("/api/projects").status_code == 200
    assert client.get("/proxy/8765/static/charts.js").status_code == 200


def test_without_a_prefix_the_page_stays_relative(runs):
    page = TestClient(create_app(runs, local_only=False)).get("/").text
    assert '<meta name="tunesmith-root" content="">' in page
    assert 'src="static/dashboard.js"' in page


def test_the_command_line_takes_a_root_path():
    args = build_parser().parse_args(["dashboard", "runs", "--root-path", "/proxy/8765"])
    assert args.root_path == "/proxy/8765"
    assert build_parser().parse_args(["dashboard"]).root_path == ""
