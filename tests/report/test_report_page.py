"""The HTML report of a stored study: contents, self-containment, errors, the CLI."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("matplotlib")
pytest.importorskip("sklearn")

from report_study import make_study

from tunesmith.cli import main
from tunesmith.errors import StoreError
from tunesmith.report import evaluate_classifier, write_report
from tunesmith.report.data_views import feature_histograms
from tunesmith.store import Store

SEARCH_CHARTS = {"objective history", "parallel coordinates", "hyperparameter scores", "importance"}
CURVE_CHARTS = {"all learning curves", "best trial curves"}


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    return make_study(tmp_path_factory.mktemp("report") / "study", trials=12, epochs=8)


def charts(text: str) -> list[str]:
    return re.findall(
        r'<figure data-chart="([^"]+)"(?: data-spec="[^"]+")?><img alt="[^"]*" '
        r'src="data:image/png;base64,',
        text,
    )


def test_report_holds_every_view_of_the_search(study):
    path = write_report(study)
    assert path == study / "report.html"
    text = path.read_text(encoding="utf-8")
    assert set(charts(text)) == SEARCH_CHARTS | CURVE_CHARTS
    # every search and curve view is drawn interactive from the embedded study
    specs = dict(re.findall(r'<figure data-chart="([^"]+)" data-spec="([^"]+)"', text))
    assert set(specs) == SEARCH_CHARTS | CURVE_CHARTS
    assert '<script type="application/json" id="study-data">' in text
    assert "TunesmithCharts" in text and "echarts" in text
    pngs = sorted(p.name for p in (study / "report_figures").glob("*.png"))
    assert len(pngs) == len(SEARCH_CHARTS | CURVE_CHARTS)
    assert all((study / "report_figures" / name).stat().st_size > 5000 for name in pngs)
    # settings, space and best trial
    for expected in ("maximise val_accuracy", "random", "learning_rate", "layers in [2, 3]"):
        assert expected in text
    # one sortable row per trial, the best highlighted, the failed trial's error shown
    table = text[text.index('<table class="sortable">') :]
    table = table[: table.index("</table>")]
    assert table.count("<tr") == 1 + 12
    assert table.count('<tr class="best">') == 1
    assert "the model failed to build" in table


def test_report_is_self_contained_and_escapes_values(study):
    text = write_report(study, study / "page.html", write_pngs=False).read_text("utf-8")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", text), "no network resource"
    assert "<script src" not in text and "<link" not in text
    assert "<b>elu</b>" not in text and "&lt;b&gt;elu&lt;/b&gt;" in text


def test_the_best_row_matches_the_best_score(study):
    with Store.open(study) as store:
        results = store.results_frame()
    best = results.loc[results["score"].idxmax()]
    text = write_report(study, write_pngs=False).read_text("utf-8")
    row = re.search(r'<tr class="best">(.*?)</tr>', text).group(1)
    assert f">{best['trial_id']}<" in row


def test_data_views_model_and_evaluation_sections(study, tmp_path):
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(60, 3)), columns=["a", "b", "c"])
    y = rng.integers(0, 2, 60)
    p = np.clip(y * 0.6 + rng.uniform(0, 0.4, 60), 0, 1)
    path = write_report(
        study,
        tmp_path / "full.html",
        title="Full <report>",
        data_views={"Histograms": feature_histograms(frame)},
        model_summary="Model: sequential\nTotal params: 1,234",
        evaluations={"test": evaluate_classifier(y, p, class_names=["no", "yes"])},
    )
    text = path.read_text("utf-8")
    found = set(charts(text))
    assert {"Histograms", "confusion test", "roc"} <= found
    assert "Total params: 1,234" in text and "Full &lt;report&gt;" in text
    assert text.index('id="data"') < text.index('id="results"') < text.index('id="evaluation"')


def test_comparison_tables_follow_the_overview(study, tmp_path):
    import pandas as pd

    frame = pd.DataFrame(
        {
            "study": ["baseline", "depth"],
            "tuner": ["bayesian", "random"],
            "test accuracy": [0.5, 0.25],
        }
    )
    text = write_report(
        study, tmp_path / "cmp.html", tables={"Searches <compared>": frame}, write_pngs=False
    ).read_text("utf-8")
    assert text.index('id="study"') < text.index('id="comparison"') < text.index('id="results"')
    section = text[text.index('id="comparison"') : text.index('id="results"')]
    assert "Searches &lt;compared&gt;" in section
    assert section.count("<tr") == 1 + 2
    assert 'data-value="0.25"' in section and ">depth<" in section


def test_a_study_without_trials_still_gets_a_page(tmp_path):
    project = make_study(tmp_path / "empty", trials=0)
    text = write_report(project).read_text("utf-8")
    assert "No trials yet." in text and "No epoch was logged." in text
    assert charts(text) == []


def test_too_few_trials_for_a_view_says_so(tmp_path):
    project = make_study(tmp_path / "two", trials=2, failed=0)
    text = write_report(project).read_text("utf-8")
    assert "not drawn" in text  # importance needs more trials
    assert "objective history" in charts(text)


def test_missing_store_is_a_clear_error(tmp_path):
    with pytest.raises(StoreError, match="No tunesmith store under"):
        write_report(tmp_path / "nothing")


def test_cli_report(study, tmp_path, capsys):
    out = tmp_path / "cli.html"
    assert main(["report", str(study), "-o", str(out), "--title", "From the CLI"]) == 0
    assert f"Wrote {out}" in capsys.readouterr().out
    assert "From the CLI" in out.read_text("utf-8")
    assert main(["report", str(tmp_path / "none")]) == 2
    assert "No tunesmith project at" in capsys.readouterr().err


def test_model_summary_keeps_every_column(monkeypatch):
    import os

    import keras

    from tunesmith.report import model_summary

    monkeypatch.setenv("COLUMNS", "60")  # a narrow or piped terminal
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(10)])
    text = model_summary(model)
    assert "Param #" in text and "650" in text and "Total params: 650" in text
    assert os.environ["COLUMNS"] == "60"
