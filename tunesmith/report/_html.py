"""HTML building blocks of the report: one self-contained page, no network.

Styles and the table-sorting script are inline and figures are embedded as base64
PNG, so the file opens offline, from an e-mail attachment or a CI artefact alike.
"""

from __future__ import annotations

import base64
import html
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

_CSS = """
:root { --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --head: #f6f8fa;
        --accent: #0969da; --best: #dafbe1; }
* { box-sizing: border-box; }
body { font: 14px/1.5 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif;
       color: var(--ink); margin: 0; background: #fff; }
header { padding: 20px 32px 12px; border-bottom: 1px solid var(--line); }
header h1 { margin: 0 0 4px; font-size: 24px; }
header p { margin: 0; color: var(--muted); }
nav { padding: 8px 32px; border-bottom: 1px solid var(--line); background: var(--head);
      position: sticky; top: 0; z-index: 1; }
nav a { margin-right: 16px; color: var(--accent); text-decoration: none; }
main { padding: 8px 32px 48px; max-width: 1400px; }
section { margin-top: 28px; }
h2 { font-size: 19px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 15px; margin: 18px 0 6px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 8px 14px; min-width: 150px; }
.card .label { color: var(--muted); font-size: 12px; }
.card .value { font-size: 18px; font-weight: 600; }
table { border-collapse: collapse; margin: 6px 0; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid var(--line); padding: 3px 8px; text-align: left; }
th { background: var(--head); }
td.num { text-align: right; }
table.sortable th { cursor: pointer; user-select: none; white-space: nowrap; }
table.sortable th::after { content: " \\2195"; color: var(--muted); font-size: 11px; }
table.sortable th[aria-sort="ascending"]::after { content: " \\2191"; color: var(--ink); }
table.sortable th[aria-sort="descending"]::after { content: " \\2193"; color: var(--ink); }
tr.best td { background: var(--best); }
.scroll { max-height: 520px; overflow: auto; border: 1px solid var(--line); }
.scroll table { margin: 0; }
.scroll th { position: sticky; top: 0; }
figure { margin: 12px 0 20px; }
figure img { max-width: 100%; height: auto; border: 1px solid var(--line); }
figure .chart { width: 100%; height: 400px; border: 1px solid var(--line); }
figure .chart-tools { font-size: 13px; margin: 4px 0; }
figcaption { color: var(--muted); font-size: 13px; margin-top: 4px; }
pre { background: var(--head); border: 1px solid var(--line); padding: 10px; overflow: auto;
      font-size: 12px; line-height: 1.35; }
.note { color: var(--muted); }
"""

# Sorts a table by the clicked column; numbers by their data-value, text otherwise.
_SORT_JS = """
document.querySelectorAll("table.sortable").forEach(function (table) {
  var heads = table.tHead.rows[0].cells;
  Array.prototype.forEach.call(heads, function (th, column) {
    th.addEventListener("click", function () {
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      function key(row) {
        var cell = row.cells[column];
        var v = cell.getAttribute("data-value");
        return v === null ? cell.textContent : parseFloat(v);
      }
      rows.sort(function (a, b) {
        var x = key(a), y = key(b);
        var xNaN = typeof x === "number" && isNaN(x), yNaN = typeof y === "number" && isNaN(y);
        if (xNaN || yNaN) { return xNaN - yNaN; }  // missing values last either way
        var order = typeof x === "number" ? x - y : String(x).localeCompare(String(y));
        return ascending ? order : -order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
});
"""


def escape(value: Any) -> str:
    return html.escape(str(value), quote=True)


@dataclass
class Section:
    """One titled part of the page; ``body`` is already HTML."""

    anchor: str
    title: str
    body: list[str] = field(default_factory=list)

    def add(self, fragment: str) -> None:
        self.body.append(fragment)


def page(title: str, subtitle: str, sections: Sequence[Section], scripts: str = "") -> str:
    """The whole document; ``scripts`` (HTML) goes last, after every chart's figure."""
    nav = "".join(f'<a href="#{escape(s.anchor)}">{escape(s.title)}</a>' for s in sections)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<header><h1>{escape(title)}</h1><p>{escape(subtitle)}</p></header>",
        f"<nav>{nav}</nav><main>",
    ]
    for section in sections:
        parts.append(f'<section id="{escape(section.anchor)}"><h2>{escape(section.title)}</h2>')
        parts.extend(section.body)
        parts.append("</section>")
    parts.append(f"</main><script>{_SORT_JS}</script>{scripts}</body></html>")
    return "\n".join(parts)


def cards(items: Iterable[tuple[str, Any]]) -> str:
    """Headline figures as small labelled boxes."""
    boxes = "".join(
        f'<div class="card"><div class="label">{escape(label)}</div>'
        f'<div class="value">{escape(value)}</div></div>'
        for label, value in items
    )
    return f'<div class="cards">{boxes}</div>'


def figure(png: bytes, name: str, caption: str, spec: str | None = None) -> str:
    """An embedded PNG; ``data-chart`` lets a browser test find every chart.

    With ``spec`` (a chart of ``charts.js``: ``history``, ``parallel``, ``slices``,
    ``importance``, ``curves``, ``best-curves``) the page's script draws it as an
    interactive chart and hides the image, which stays for printing and for readers
    without JavaScript.
    """
    data = base64.b64encode(png).decode("ascii")
    spec_attr = f' data-spec="{escape(spec)}"' if spec else ""
    return (
        f'<figure data-chart="{escape(name)}"{spec_attr}><img alt="{escape(caption)}" '
        f'src="data:image/png;base64,{data}"><figcaption>{escape(caption)}</figcaption></figure>'
    )


def chart_scripts(document: Mapping[str, Any], sources: Iterable[Path]) -> str:
    """The study's data and the chart scripts, inline: the report stays one file."""
    data = json.dumps(document, allow_nan=False, separators=(",", ":"))
    # "</" would end the script element early: JSON allows escaping the slash.
    data = data.replace("</", "<\\/")
    code = "".join(f"<script>{path.read_text('utf-8')}</script>" for path in sources)
    return f'<script type="application/json" id="study-data">{data}</script>{code}'


def preformatted(text: str) -> str:
    return f"<pre>{escape(text)}</pre>"


def paragraph(text: str, note: bool = False) -> str:
    return f'<p class="note">{escape(text)}</p>' if note else f"<p>{escape(text)}</p>"


def format_value(value: Any) -> str:
    """A cell's text: floats to 4 significant digits, missing values blank."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return f"{value:.4g}"
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


def _numeric(value: Any) -> float | None:
    if isinstance(value, (bool, np.bool_)) or value is None or value is pd.NA:
        return None
    if isinstance(value, (int, float, np.number)):
        return float(value)
    return None


def table(
    frame: pd.DataFrame,
    *,
    sortable: bool = False,
    highlight_rows: Sequence[int] = (),
    scroll: bool = False,
    index: bool = False,
) -> str:
    """A DataFrame as an HTML table; numeric cells carry their value for sorting."""
    if index:
        frame = frame.reset_index()
    highlight = set(highlight_rows)
    head = "".join(f"<th>{escape(c)}</th>" for c in frame.columns)
    rows = []
    for position, row in enumerate(frame.itertuples(index=False, name=None)):
        cells = []
        for value in row:
            number = _numeric(value)
            if number is not None:
                key = "NaN" if math.isnan(number) else repr(number)
                cells.append(
                    f'<td class="num" data-value="{key}">{escape(format_value(value))}</td>'
                )
            elif value is None or (isinstance(value, float) and math.isnan(value)):
                cells.append('<td data-value="NaN"></td>')
            else:
                cells.append(f"<td>{escape(format_value(value))}</td>")
        css = ' class="best"' if position in highlight else ""
        rows.append(f"<tr{css}>{''.join(cells)}</tr>")
    css = ' class="sortable"' if sortable else ""
    body = f"<table{css}><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    return f'<div class="scroll">{body}</div>' if scroll else body
