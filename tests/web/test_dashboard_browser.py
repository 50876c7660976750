"""The dashboard in real headless Chromium: what a person clicks, hovers and watches
(see tests/browser_support.py for when a missing browser fails instead of skipping)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request

import pytest

pytest.importorskip("selenium")
pytest.importorskip("starlette")

from tests.browser_support import browser as _browser
from tests.browser_support import need_browser
from tunesmith.web import DashboardServer


@pytest.fixture(scope="module")
def driver():
    need_browser()
    with _browser.chromium(1400, 1100) as chrome:
        yield chrome


@pytest.fixture(scope="module")
def server(runs):
    served = DashboardServer(runs, port=0).start()
    yield served
    served.stop()


def wait_for(driver, script: str, timeout: float = 20.0):
    """The first truthy value of ``script``, polled; fails the test after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = driver.execute_script(script)
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for: {script}")


def open_page(driver, url: str, ready: str) -> None:
    driver.get("about:blank")
    driver.get(url)
    wait_for(driver, f"return document.body.dataset.ready === {ready!r}")


def no_console_errors(driver) -> None:
    assert _browser.console_errors(driver) == []


def table_column(driver, column: str) -> list[str]:
    return driver.execute_script(
        """
        const table = document.getElementById('trials-table');
        const heads = [...table.querySelectorAll('thead tr:first-child th')];
        const at = heads.findIndex((h) => h.dataset.column === arguments[0]);
        return [...table.querySelectorAll('tbody tr')].map((r) => r.children[at].textContent);
        """,
        column,
    )


def test_the_list_shows_each_study_and_the_damaged_one_says_why(driver, server):
    open_page(driver, server.url, "list")
    cards = driver.execute_script(
        "return [...document.querySelectorAll('.card')].map((c) => "
        "[c.dataset.project, c.classList.contains('problem'), c.innerText])"
    )
    by_key = {key: (problem, text) for key, problem, text in cards}
    assert set(by_key) == {"random_search", "group/hyperband", "damaged"}
    assert by_key["damaged"][0] and "not a SQLite database" in by_key["damaged"][1]
    assert not by_key["random_search"][0] and "12" in by_key["random_search"][1]
    driver.find_element("css selector", '[data-project="group/hyperband"] h3 a').click()
    wait_for(driver, "return document.body.dataset.ready === 'study'")
    assert "Brackets and promotions" in driver.find_element("id", "brackets").text
    no_console_errors(driver)


def test_the_table_sorts_filters_and_marks_the_best(driver, server):
    open_page(driver, server.url + "#/study/random_search", "study")
    assert driver.find_element("id", "trials-table").get_attribute("data-rows") == "12"
    scores = [float(s) for s in table_column(driver, "score")]
    assert scores == sorted(scores)  # lower is better: best first
    assert "★" in driver.find_element("css selector", "tr.best").text
    header = driver.find_element("css selector", 'th[data-column="hp:x"]')
    header.click()
    xs = [float(v) for v in table_column(driver, "hp:x")]
    assert xs == sorted(xs)
    driver.find_element("css selector", 'th[data-column="hp:x"]').click()
    assert [float(v) for v in table_column(driver, "hp:x")] == sorted(xs, reverse=True)

    box = driver.find_element("css selector", 'input[data-filter="hp:x"]')
    box.send_keys(">0.5\n")
    kept = [float(v) for v in table_column(driver, "hp:x")]
    assert kept and all(v > 0.5 for v in kept) and len(kept) == sum(v > 0.5 for v in xs)
    driver.find_element("id", "clear-filters").click()
    assert driver.find_element("id", "trials-table").get_attribute("data-rows") == "12"
    status = driver.find_element("id", "status-filter")
    status.find_element("css selector", 'option[value="FAILED"]').click()
    assert driver.find_element("id", "row-count").text == "no trial matches"
    no_console_errors(driver)


def test_hovering_a_learning_curve_names_its_trial(driver, server):
    from selenium.webdriver.common.action_chains import ActionChains

    open_page(driver, server.url + "#/study/random_search", "study")
    best = driver.execute_script("return document.querySelector('tr.best').dataset.trial")
    curves = driver.find_element("css selector", '[data-chart="curves"]')
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", curves)
    ActionChains(driver).move_to_element_with_offset(curves, 40, 10).perform()
    text = wait_for(
        driver,
        f"return [...document.querySelectorAll('[data-chart=\"curves\"] div')]"
        f".map((d) => d.innerText).find((t) => t.includes('trial {best}'))",
    )
    assert f"trial {best}" in text
    no_console_errors(driver)


def test_brushing_an_axis_filters_the_table(driver, server):
    from selenium.webdriver.common.action_chains import ActionChains

    open_page(driver, server.url + "#/study/random_search", "study")
    chart = driver.find_element("css selector", '[data-chart="parallel"]')
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", chart)
    width, height = chart.size["width"], chart.size["height"]
    # The first axis (x, from 0 at the bottom to 1 at the top) sits at the grid's left
    # edge: drag along its upper half.
    axis_x = 48 - width / 2
    top, bottom = 48 - height / 2, (height - 32) - height / 2
    (
        ActionChains(driver)
        .move_to_element_with_offset(chart, int(axis_x), int(top + 4))
        .click_and_hold()
        .move_by_offset(0, int((bottom - top) / 4))
        .move_by_offset(0, int((bottom - top) / 4))
        .release()
        .perform()
    )
    rows = int(
        wait_for(
            driver,
            "const n = Number(document.getElementById('trials-table').dataset.rows);"
            "return n < 12 ? String(n) : null;",
        )
    )
    xs = [float(v) for v in table_column(driver, "hp:x")]
    assert 0 < rows == len(xs) and all(v >= 0.4 for v in xs), xs
    assert "brushed" in driver.find_element("id", "brush-note").text
    no_console_errors(driver)


def test_a_path_outside_the_folder_is_refused(server):
    for path in ("static/../_app.py", "static/..%2f_app.py", "api/study?project=..%2F.."):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(server.url + path, timeout=10)
        assert refused.value.code == 404


_SEARCH = textwrap.dedent(
    """
    import sys, time
    import tunesmith

    def objective(hp, steps):
        x = hp.Float("x", 0.0, 1.0)
        loss = 1.0
        for step in range(5):
            time.sleep(0.25)
            loss = (x - 0.3) ** 2 + 1.0 / (step + 1)
            steps.report(step, {"val_loss": loss})
        return {"val_loss": loss}

    tunesmith.tune(objective, objective="val_loss", directory=sys.argv[1],
                   project_name="live", max_trials=8, seed=1)
    """
)


@pytest.mark.slow
def test_a_running_search_shows_new_trials_and_epochs_without_a_reload(driver, tmp_path):
    script = tmp_path / "search.py"
    script.write_text(_SEARCH)
    root = tmp_path / "runs"
    root.mkdir()
    search = subprocess.Popen(
        [sys.executable, str(script), str(root)],
        env={**os.environ, "KERAS_BACKEND": os.environ.get("KERAS_BACKEND", "jax")},
    )
    served = DashboardServer(root, port=0).start()
    try:
        deadline = time.monotonic() + 60
        while not (root / "live" / "tunesmith.db").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        open_page(driver, served.url + "#/study/live", "study")
        driver.execute_script("window.notReloaded = true")
        trials = "return Number(document.querySelector('[data-summary=\"trials\"] h3').textContent)"
        points = (
            "const c = echarts.getInstanceByDom("
            "document.querySelector('[data-chart=\"running\"]'));"
            "return c.getOption().series.reduce((n, s) => n + s.data.length, 0);"
        )
        first = driver.execute_script(trials)
        wait_for(driver, points, timeout=30)  # epochs of the running trial arrive live
        before = driver.execute_script(points)
        wait_for(
            driver,
            f"const c = echarts.getInstanceByDom(document.querySelector("
            f"'[data-chart=\"running\"]')); return c.getOption().series.reduce("
            f"(n, s) => n + s.data.length, 0) !== {before}",
            timeout=30,
        )
        wait_for(driver, trials + f" > {first} + 1", timeout=60)
        assert driver.execute_script("return window.notReloaded === true")
        assert int(driver.execute_script("return document.body.dataset.updates")) >= 2
        assert search.wait(timeout=120) == 0
        wait_for(driver, trials + " === 8", timeout=15)
        no_console_errors(driver)
    finally:
        served.stop()
        if search.poll() is None:
            search.kill()


def test_two_studies_side_by_side(driver, server):
    open_page(driver, server.url, "list")
    for key in ("random_search", "group/hyperband"):
        driver.find_element("css selector", f'[data-project="{key}"] input[type=checkbox]').click()
    driver.find_element("xpath", "//button[contains(., 'Compare')]").click()
    wait_for(driver, "return document.body.dataset.ready === 'compare'")
    shown = driver.execute_script(
        "return [...document.querySelectorAll('[data-compare]')].map((c) => c.dataset.compare)"
    )
    assert shown == ["random_search", "group/hyperband"]
    lines = driver.execute_script(
        "return echarts.getInstanceByDom(document.querySelector('[data-chart=\"compare\"]'))"
        ".getOption().series.map((s) => s.name)"
    )
    assert lines == ["random_search", "group/hyperband"]
    no_console_errors(driver)


def test_a_note_is_saved_and_shown_again(driver, server, runs):
    open_page(driver, server.url + "#/study/random_search", "study")
    area = driver.find_element("css selector", 'textarea[data-note="study"]')
    area.clear()
    area.send_keys("units above 64 never helped")
    driver.find_element("xpath", "//textarea[@data-note='study']/..//button").click()
    wait_for(
        driver,
        "return document.querySelector('textarea[data-note=\"study\"]')"
        ".parentNode.innerText.includes('saved')",
    )
    open_page(driver, server.url + "#/study/random_search", "study")
    again = driver.find_element("css selector", 'textarea[data-note="study"]')
    assert again.get_attribute("value") == "units above 64 never helped"
    assert "units above 64" in (runs / "random_search" / "notes.json").read_text()
    no_console_errors(driver)


# ---------------------------------------------------------------- the page's details


def _polish_objective(hp, steps):
    """An Int from 16 to 256 (round ticks crowd its max), a Choice holding "" and a
    log-scaled Float: what a parallel-coordinates axis has to label."""
    units = hp.Int("units", 16, 256)
    act = hp.Choice("act", ["", "relu", "tanh"])
    lr = hp.Float("lr", 1e-4, 1e-1, sampling="log")
    return {"val_loss": abs(units - 100) / 100 + lr + (0.1 if act == "" else 0.0)}


@pytest.fixture(scope="module")
def polish(tmp_path_factory):
    """A study of 4 trials, fewer than the report trusts importance from."""
    import tunesmith

    root = tmp_path_factory.mktemp("polish")
    tunesmith.tune(
        _polish_objective,
        objective="val_loss",
        directory=str(root),
        project_name="polish",
        max_trials=4,
        seed=3,
    ).close()
    served = DashboardServer(root, port=0).start()
    yield served
    served.stop()


# Every text ECharts drew and shows in a chart: its words and its box on the page. A
# label is a text element of tspans; hidden ones (ignore, invisible) are left out.
_DRAWN_TEXTS = """
const chart = echarts.getInstanceByDom(document.querySelector(arguments[0]));
const out = [];
for (const span of chart.getZr().storage.getDisplayList(true)) {
  if (span.type !== 'tspan' || !span.style || span.style.text === undefined) continue;
  let hidden = false;
  for (let p = span; p; p = p.parent) if (p.ignore || p.invisible) hidden = true;
  if (hidden) continue;
  const label = span.parent && span.parent.type === 'text' ? span.parent : span;
  const box = label.getBoundingRect().clone();
  const transform = label.getComputedTransform();
  if (transform) box.applyTransform(transform);
  const size = Number((label.style && label.style.fontSize) || 12);
  out.push({text: String(span.style.text), x: box.x, w: box.width,
            y: box.y + box.height / 2 - size / 2, h: size});
}
return out;
"""


def drawn_texts(driver, chart: str) -> list[dict]:
    """The texts shown in ``[data-chart=chart]``; each box as tall as its font, as the
    glyphs are (ECharts' own measure of a label's height is smaller)."""
    return driver.execute_script(_DRAWN_TEXTS, f'[data-chart="{chart}"]')


def overlapping(texts: list[dict]) -> list[tuple[str, str]]:
    def apart(a, b):
        return (
            a["x"] + a["w"] <= b["x"]
            or b["x"] + b["w"] <= a["x"]
            or a["y"] + a["h"] <= b["y"]
            or b["y"] + b["h"] <= a["y"]
        )

    return [
        (a["text"], b["text"])
        for i, a in enumerate(texts)
        for b in texts[i + 1 :]
        if not apart(a, b)
    ]


def test_no_stray_null_is_written_on_the_study_page(driver, server):
    open_page(driver, server.url + "#/study/random_search", "study")
    assert driver.find_element("id", "failed").text == "Failed trials\nNone."
    nulls = driver.execute_script(
        "const walk = document.createTreeWalker(document.getElementById('app'),"
        " NodeFilter.SHOW_TEXT); const out = [];"
        " while (walk.nextNode()) if (walk.currentNode.textContent.trim() === 'null')"
        "   out.push(walk.currentNode.parentNode.id || walk.currentNode.parentNode.tagName);"
        " return out;"
    )
    assert nulls == []
    no_console_errors(driver)


def test_each_card_names_its_project_once(driver, server):
    open_page(driver, server.url, "list")
    texts = driver.execute_script(
        "return Object.fromEntries([...document.querySelectorAll('.card')]"
        ".map((c) => [c.dataset.project, c.innerText]))"
    )
    # The heading, then where it is when below the folder; never the name again.
    assert texts["random_search"].split("\nbest\n")[0] == "random_search"
    assert texts["group/hyperband"].split("\nbest\n")[0] == "hyperband\nin group/"
    assert texts["damaged"].startswith("damaged\n") and "\ndamaged\n" not in texts["damaged"]
    no_console_errors(driver)


def test_every_category_is_labelled_on_its_axis(driver, polish):
    open_page(driver, polish.url + "#/study/polish", "study")
    shown = {t["text"] for t in drawn_texts(driver, "parallel")}
    assert {"(empty)", "relu", "tanh"} <= shown
    assert "" not in shown  # no blank tick
    select = driver.find_element("id", "slice-select")
    select.find_element("css selector", 'option[value="act"]').click()
    wait_for(
        driver,
        "return echarts.getInstanceByDom(document.querySelector('[data-chart=\"slice\"]'))"
        ".getOption().xAxis[0].name === 'act'",
    )
    slice_texts = [t["text"] for t in drawn_texts(driver, "slice")]
    assert all(name in slice_texts for name in ("(empty)", "relu", "tanh")), slice_texts
    assert "" not in slice_texts
    no_console_errors(driver)


def test_few_trials_show_the_reports_importance_caveat(driver, polish):
    from tunesmith.report.importance import few_trials_caveat

    open_page(driver, polish.url + "#/study/polish", "study")
    driver.execute_script("document.getElementById('importance').scrollIntoView()")
    note = wait_for(
        driver,
        "const n = document.querySelector('[data-caveat]'); return n && n.textContent;",
        timeout=60,
    )
    assert few_trials_caveat(4) in note
    shown = [t["text"] for t in drawn_texts(driver, "importance")]
    assert few_trials_caveat(4) in shown
    shares = [t for t in shown if t.endswith(" %") and not t[0].isdigit()]
    assert shares and all(t.startswith("~") for t in shares), shown  # rounded, as the report
    no_console_errors(driver)


def test_parallel_axis_labels_never_overlap(driver, polish):
    open_page(driver, polish.url + "#/study/polish", "study")
    texts = drawn_texts(driver, "parallel")
    shown = [t["text"] for t in texts]
    # The Int's bounds are labelled, and its round ticks between them.
    assert {"16", "256", "100"} <= set(shown), shown
    assert {"0.0001", "0.1"} <= set(shown), shown
    assert overlapping(texts) == []
    no_console_errors(driver)


class _StripPrefix:
    """A reverse proxy in miniature, as jupyter-server-proxy forwards
    ``/proxy/<port>/...``: the prefix taken off, its own public name as the Host,
    and anything outside the prefix not found."""

    def __init__(self, app, prefix: str) -> None:
        self.app, self.prefix = app, prefix

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            path = scope["path"]
            if path != self.prefix and not path.startswith(self.prefix + "/"):
                from starlette.responses import PlainTextResponse

                await PlainTextResponse("not proxied", 404)(scope, receive, send)
                return
            headers = [(k, v) for k, v in scope["headers"] if k != b"host"]
            scope = {
                **scope,
                "path": path[len(self.prefix) :] or "/",
                "raw_path": (path[len(self.prefix) :] or "/").encode(),
                "headers": [*headers, (b"host", b"hub.example.org")],
            }
        await self.app(scope, receive, send)


@pytest.mark.parametrize("strips", [True, False], ids=["prefix-stripped", "prefix-kept"])
def test_the_dashboard_works_under_a_path_prefix(driver, runs, strips):
    served = DashboardServer(runs, port=0, root_path="/proxy/{port}")
    prefix = f"/proxy/{served.port}"
    assert served.root_path == prefix and served.token
    if strips:
        served.app = _StripPrefix(served.app, prefix)
    served.start()
    try:
        # No trailing slash: relative addresses would leave the prefix.
        page = f"http://127.0.0.1:{served.port}{prefix}?token={served.token}"
        open_page(driver, page, "list")
        assert driver.find_elements("css selector", '[data-project="random_search"]')
        driver.find_element("css selector", '[data-project="random_search"] h3 a').click()
        wait_for(driver, "return document.body.dataset.ready === 'study'")
        points = wait_for(
            driver,
            "return echarts.getInstanceByDom(document.querySelector('[data-chart=\"history\"]'))"
            ".getOption().series[0].data.length",
        )
        assert points == 12
        loaded = driver.execute_script(
            "return performance.getEntriesByType('resource').map((e) => e.name)"
        )
        assert any(f"{prefix}/api/study" in name for name in loaded), loaded
        assert all(prefix in name for name in loaded if "/static/" in name or "/api/" in name)
        no_console_errors(driver)  # a 404 is a console error in Chromium
        if strips:  # the proxy really is one: the app is not reachable beside it
            with pytest.raises(urllib.error.HTTPError) as outside:
                urllib.request.urlopen(f"http://127.0.0.1:{served.port}/api/projects", timeout=10)
            assert outside.value.code == 404
    finally:
        served.stop()


def test_the_notebook_frame_shows_the_dashboard(driver, server, tmp_path):
    from tunesmith.web import DashboardURL

    # The HTML a notebook cell shows, in a page of its own.
    cell = tmp_path / "cell.html"
    shown = DashboardURL(server, "random_search")._repr_html_()
    cell.write_text(f"<html><body>{shown}</body></html>")
    driver.get("about:blank")
    driver.get(cell.as_uri())
    assert "ssh -N -L" in driver.find_element("tag name", "details").get_attribute("innerHTML")
    driver.switch_to.frame(driver.find_element("tag name", "iframe"))
    try:
        wait_for(driver, "return document.body.dataset.ready === 'study'")
        assert driver.find_element("id", "trials-table").get_attribute("data-rows") == "12"
    finally:
        driver.switch_to.default_content()
