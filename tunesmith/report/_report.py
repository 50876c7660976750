"""The HTML report of a stored study: settings, results, search views, curves, evaluation.

Everything comes from the store, so a report can be written for any project, during a
search or long after it, without the tuner that ran it. What only the user's program
knows (data views, the best model's summary, its evaluation) is passed in.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from tunesmith import _tradeoffs
from tunesmith._study_document import CHART_SCRIPTS, STATIC_DIR, study_document
from tunesmith.errors import StoreError
from tunesmith.objective import Objective, Pareto
from tunesmith.ranking import rank_records
from tunesmith.report import _html
from tunesmith.space import Fixed, HyperParameters
from tunesmith.store import RESULT_COLUMNS, Store, describe_part, find_store, normalise_settings

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from tunesmith.report.evaluation import ClassifierEvaluation

REPORT_FILE = "report.html"
FIGURES_DIR = "report_figures"
# The interactive learning curves show the best trials: ten lines stay readable.
_INTERACTIVE_CURVES = 10
_DPI = 100
#: Columns of the results table, before the hyperparameters.
_TABLE_COLUMNS = ("number", "trial_id", "status", "score", "best_step", "epochs", "seconds")


def _returning(fig: Figure) -> Callable[[], Figure]:
    """A drawing function that returns the figure already drawn."""
    return lambda: fig


@dataclass(frozen=True)
class _Study:
    """What the report reads from the store, once."""

    project_dir: Path
    settings: dict[str, Any]
    objective: Objective
    hyperparameters: HyperParameters
    results: pd.DataFrame
    curves: pd.DataFrame
    #: Each trial's metrics at its best step (for ties on the score).
    metrics: dict[str, dict[str, Any]]
    #: The study as the interactive charts read it (``_study_document``).
    document: dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def hyperparameter_columns(self) -> list[str]:
        listed = self.results.attrs.get("hyperparameters")
        if listed is not None:
            return [c for c in listed if c in self.results.columns]
        return [c for c in self.results.columns if c not in RESULT_COLUMNS]

    @property
    def objectives(self) -> list[Objective]:
        return _tradeoffs.objectives_of(self.objective)

    @property
    def front(self) -> list[str]:
        """The Pareto front's trial ids, ranked (the document's)."""
        return [str(t) for t in self.document.get("front", [])]

    @property
    def constrained(self) -> bool:
        return "feasible" in self.results.columns

    def trade_off_columns(self) -> list[str]:
        """The results' columns that a table of trade-offs shows: the objectives of a
        Pareto study, the model metrics, then the trial's origin."""
        columns = self.results.columns
        shown = []
        if isinstance(self.objective, Pareto):
            for objective in self.objectives:
                found = [c for c in (f"metric:{objective.name}", objective.name) if c in columns]
                shown += found[:1]
        shown += [c for c in columns if c.startswith("model/") and c not in shown]
        return shown

    def ranked(self) -> pd.DataFrame:
        """The ranked trials, best first, as the tuner ranks them
        (:func:`tunesmith.ranking.rank_records`: finished trials with a finite score;
        ties go to the lower loss of the same data, then to the earlier trial)."""
        records = [
            {
                "position": position,
                "number": row.number,
                "status": row.status,
                "score": row.score,
                "metrics": self.metrics.get(row.trial_id, {}),
            }
            for position, row in enumerate(self.results.itertuples())
        ]
        order = [record["position"] for record in rank_records(records, self.objective)]
        return self.results.iloc[order]

    def tied_with_best(self) -> pd.DataFrame:
        """The other trials whose score equals the best one's."""
        ranked = self.ranked()
        if ranked.empty:
            return ranked
        return ranked.iloc[1:][ranked["score"].iloc[1:] == ranked["score"].iloc[0]]

    def best_row(self) -> pd.Series | None:
        ranked = self.ranked()
        return None if ranked.empty else ranked.iloc[0]


def _open_study(project: str | os.PathLike[str] | Store) -> _Study:
    if isinstance(project, Store):
        store, owned = project, False
    else:
        project_dir = find_store(Path(project))
        if project_dir is None:
            raise StoreError(
                f"No tunesmith store under {project}. Give the folder "
                "<directory>/<project_name> that a tuner wrote (it holds tunesmith.db)."
            )
        store, owned = Store.open_read_only(project_dir), True
    try:
        settings = store.load_study()
        if settings is None:
            raise StoreError(
                f"The store at {store.project_dir} holds no study yet: run a search first."
            )
        study = _Study(
            project_dir=store.project_dir,
            settings=settings,
            objective=Objective.from_config(settings["objective"]),
            hyperparameters=HyperParameters.from_config(settings["space"]),
            results=store.results_frame(),
            curves=store.load_curves(),
            metrics=store.trial_metrics(),
        )
        order = [str(t) for t in study.ranked()["trial_id"][:_INTERACTIVE_CURVES]]
        document = study_document(store, store.project_dir.name, False, {}, curves_of=order)
        document["curve_order"] = order
        return dataclasses.replace(study, document=document)
    finally:
        if owned:
            store.close()


class _FigureWriter:
    """Renders each figure once: the PNG beside the report and the same bytes embedded."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self.count = 0
        if directory is not None:
            directory.mkdir(parents=True, exist_ok=True)
            for old in directory.glob("*.png"):  # figures of an earlier report of this study
                old.unlink()

    def html(
        self, name: str, caption: str, draw: Callable[[], Figure], spec: str | None = None
    ) -> str:
        from tunesmith.report._style import png_bytes

        try:
            fig = draw()
        except ValueError as exc:  # too little data for this view: say so, draw the rest
            return _html.paragraph(f"{caption}: not drawn ({exc})", note=True)
        png = png_bytes(fig, dpi=_DPI)
        self.count += 1
        if self.directory is not None:
            slug = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
            (self.directory / f"{self.count:02d}_{slug}.png").write_bytes(png)
        return _html.figure(png, name, caption, spec)


def write_report(
    project: str | os.PathLike[str] | Store,
    path: str | os.PathLike[str] | None = None,
    *,
    title: str | None = None,
    data_views: Mapping[str, Figure] | None = None,
    model_summary: str | None = None,
    evaluations: Mapping[str, ClassifierEvaluation] | None = None,
    tables: Mapping[str, pd.DataFrame] | None = None,
    write_pngs: bool = True,
) -> Path:
    """Write one self-contained HTML file about a stored study and return its path.

    Args:
        project: The project folder (``<directory>/<project_name>``), its parent when it
            holds one project, or an open :class:`~tunesmith.store.Store`.
        path: Where to write; default ``<project>/report.html``.
        title: Page title; default the project's name.
        data_views: Figures of the data before tuning, by caption (e.g. from
            :mod:`tunesmith.report.data_views`).
        model_summary: The best model's ``summary()`` text (see :func:`model_summary`).
        evaluations: The best model's evaluation per data split, e.g.
            ``{"train": evaluate_classifier(...), "test": ...}``.
        tables: Tables by heading for a "Comparison" section after the study's
            overview, e.g. this search beside others run on the same data.
        write_pngs: Also write each figure as a PNG in ``report_figures/`` beside it.

    Example:
        >>> from tunesmith.report import write_report
        >>> write_report("runs/breast_cancer")  # doctest: +SKIP
        PosixPath('runs/breast_cancer/report.html')
    """
    started = time.time()
    study = _open_study(project)
    target = Path(path) if path is not None else study.project_dir / REPORT_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    figures = _FigureWriter(target.parent / FIGURES_DIR if write_pngs else None)

    # Built in page order, so the PNG files are numbered as the page shows them.
    sections = [_overview(study)]
    if tables:
        sections.append(_tables(tables))
    if data_views:
        data = _html.Section("data", "Data")
        for caption, fig in data_views.items():
            data.add(figures.html(caption, caption, _returning(fig)))
        sections.append(data)
    sections += [_results(study), _search(study, figures), _curves(study, figures)]
    if model_summary or evaluations:
        sections.append(_evaluation(model_summary, evaluations or {}, figures))

    name = title or study.project_dir.name
    subtitle = (
        f"{study.settings.get('algorithm', '?')} search, {_objective_text(study.objective)}; "
        f"store {study.project_dir}; written {time.strftime('%Y-%m-%d %H:%M:%S')} "
        f"in {time.time() - started:.1f} s"
    )
    scripts = ""
    if not study.ranked().empty:  # interactive charts need finished trials to draw
        scripts = _html.chart_scripts(study.document, [*CHART_SCRIPTS, STATIC_DIR / "report.js"])
    text = _html.page(f"{name} — tunesmith report", subtitle, sections, scripts)
    partial = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, target)  # a reader never sees half a report
    return target


def _overview(study: _Study) -> _html.Section:
    section = _html.Section("study", "Study")
    results = study.results
    counts = results["status"].value_counts()
    best = study.best_row()
    seconds = results["seconds"].sum(min_count=1)
    section.add(
        _html.cards(
            [
                ("objective", _objective_text(study.objective)),
                ("best score", "—" if best is None else _html.format_value(best["score"])),
                ("best trial", "—" if best is None else best["trial_id"]),
                ("trials", f"{len(results)} of {study.settings.get('max_trials') or '∞'}"),
                ("completed", int(counts.get("COMPLETED", 0))),
                ("failed or invalid", int(counts.get("FAILED", 0) + counts.get("INVALID", 0))),
                *_tradeoff_cards(study, counts),
                ("trial time", "—" if pd.isna(seconds) else f"{seconds:.1f} s"),
            ]
        )
    )
    settings = {
        "algorithm": study.settings.get("algorithm"),
        "objective": _objective_text(study.objective),
        "max_trials": study.settings.get("max_trials"),
        "seed": study.settings.get("seed"),
        **_search_parts(study.settings),
        "hyperparameters": len(study.hyperparameters.space),
        "store": str(study.project_dir),
    }
    section.add("<h3>Settings</h3>")
    section.add(_html.table(pd.DataFrame({"setting": settings.keys(), "value": settings.values()})))
    section.add("<h3>Search space</h3>")
    section.add(_html.table(_space_frame(study.hyperparameters)))
    if best is not None and isinstance(study.objective, Pareto):
        section.add(f"<h3>Pareto front: {len(study.front)} trial(s)</h3>")
        section.add(_html.paragraph(_FRONT_RULE, note=True))
        section.add(_html.table(_front_frame(study)))
    elif best is not None:
        section.add(f"<h3>Best trial {_html.escape(best['trial_id'])}</h3>")
        values = {c: best[c] for c in study.hyperparameter_columns if not _missing(best[c])}
        rows = {"score": best["score"], "best epoch": _human_epoch(best["best_step"]), **values}
        section.add(
            _html.table(pd.DataFrame({"": list(rows.keys()), "value": list(rows.values())}))
        )
        tied = study.tied_with_best()
        if not tied.empty:
            section.add(_html.paragraph(_tie_text(study, best, tied), note=True))
    return section


_FRONT_RULE = (
    "The feasible trials no other feasible trial beats in every objective, ranked as the "
    "tuner ranks them: by the objectives in the order given (the first, then ties by the "
    "next), then the earlier trial."
)


def _tradeoff_cards(study: _Study, counts: pd.Series) -> list[tuple[str, Any]]:
    """Headline counts of the trade-offs: the front's size, the infeasible trials, the
    trials the search did not run."""
    cards: list[tuple[str, Any]] = []
    if isinstance(study.objective, Pareto):
        cards.append(("Pareto front", f"{len(study.front)} trials"))
    if study.constrained or counts.get("INFEASIBLE", 0):
        broken = int((~study.results["feasible"].fillna(True)).sum()) if study.constrained else 0
        untrained = int(counts.get("INFEASIBLE", 0))
        cards.append(("infeasible", f"{max(broken, untrained)} ({untrained} never trained)"))
    origins = study.document.get("origins") or {}
    if origins:
        cards.append(("added or imported", len(origins)))
    return cards


def _front_frame(study: _Study) -> pd.DataFrame:
    """The front's trials in ranking order: objectives, then hyperparameters."""
    rows = study.results.set_index("trial_id", drop=False)
    front = rows.loc[[t for t in study.front if t in rows.index]]
    columns = ["trial_id", *study.trade_off_columns(), *study.hyperparameter_columns]
    if "origin" in front.columns:
        columns.append("origin")
    return front[columns].reset_index(drop=True)


def _human_epoch(step: Any) -> Any:
    """The 1-based epoch people count, for a 0-based ``best_step`` (keras-tuner's)."""
    return None if _missing(step) else int(step) + 1


def _tie_text(study: _Study, best: pd.Series, tied: pd.DataFrame) -> str:
    others = ", ".join(str(t) for t in tied["trial_id"])
    text = f"Tied on the score with trial(s) {others}."
    metric = study.objective.tie_breaker
    value = study.metrics.get(best["trial_id"], {}).get(metric) if metric else None
    if metric and value is not None:
        theirs = [study.metrics.get(t, {}).get(metric) for t in tied["trial_id"]]
        listed = ", ".join("—" if v is None else f"{v:.4g}" for v in theirs)
        return text + f" Ranked first by its lower {metric}: {value:.4g} (theirs: {listed})."
    return text + " Ranked first as the earlier trial."


def _tables(tables: Mapping[str, pd.DataFrame]) -> _html.Section:
    section = _html.Section("comparison", "Comparison")
    for heading, frame in tables.items():
        section.add(f"<h3>{_html.escape(heading)}</h3>")
        section.add(_html.table(frame, sortable=True, scroll=True))
    return section


def _objective_text(objective: Objective) -> str:
    return f"{objective.direction}imise {objective.name}"


def _space_frame(hyperparameters: HyperParameters) -> pd.DataFrame:
    rows = []
    for hp in hyperparameters.space:
        config = hp.get_config()
        details = {
            k: v for k, v in config.items() if k not in ("name", "conditions") and v is not None
        }
        conditions = [
            f"{c['config']['name']} in {c['config']['values']}"
            for c in config.get("conditions") or []
        ]
        rows.append(
            {
                "name": hp.name,
                "type": type(hp).__name__,
                "range or values": ", ".join(f"{k}={v}" for k, v in details.items()),
                "active when": " and ".join(conditions) or "always",
            }
        )
    return pd.DataFrame(rows, columns=["name", "type", "range or values", "active when"])


def _missing(value: Any) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def _results(study: _Study) -> _html.Section:
    section = _html.Section("results", "Trials")
    results = study.results
    if results.empty:
        section.add(_html.paragraph("No trials yet.", note=True))
        return section
    extra = study.trade_off_columns()
    marks = [c for c in ("broken_constraints", "origin") if c in results.columns]
    columns = [*_TABLE_COLUMNS, *extra, *marks, *study.hyperparameter_columns, "error"]
    frame = results[columns].copy()
    frame["best_step"] = frame["best_step"] + 1  # epochs as people count them, from 1
    frame = frame.rename(
        columns={"best_step": "best epoch", "broken_constraints": "broken constraint"}
    )
    if "broken constraint" in frame.columns:
        frame["broken constraint"] = frame["broken constraint"].fillna("")
    if "origin" in frame.columns:
        frame["origin"] = frame["origin"].fillna("")
    best = study.best_row()
    front = set(study.front) if isinstance(study.objective, Pareto) else set()
    highlight = (
        [int(i) for i in np.flatnonzero(results["trial_id"].isin(front).to_numpy())]
        if front
        else ([] if best is None else [int(results.index.get_loc(best.name))])
    )
    marked = "The Pareto front's trials are" if front else "The best trial is"
    notes = [f"Click a column's header to sort. {marked} highlighted."]
    if marks:
        notes.append(
            "A broken constraint means the trial is infeasible: not ranked. An origin "
            "marks a trial told without running (added by hand or imported)."
        )
    section.add(_html.paragraph(" ".join(notes), True))
    section.add(_html.table(frame, sortable=True, highlight_rows=highlight, scroll=True))
    return section


def _search(study: _Study, figures: _FigureWriter) -> _html.Section:
    from tunesmith.report import importance, search_views

    section = _html.Section("search", "Search")
    direction = study.objective.direction
    name = study.objective.name
    results = study.results
    best = study.best_row()
    if best is None:
        section.add(_html.paragraph("No finished trial with a score yet.", note=True))
        return section
    if isinstance(study.objective, Pareto):
        _pareto_figures(study, section, figures)
    section.add(
        figures.html(
            "objective history",
            f"{name} of each trial and the best so far",
            lambda: search_views.objective_history(
                results, name, direction, best_trial_id=best["trial_id"]
            ),
            spec="history",
        )
    )
    hps, tuned = study.hyperparameters, _tuned_names(study.hyperparameters)
    if not tuned:
        return section
    section.add(
        figures.html(
            "parallel coordinates",
            "Hyperparameters of every finished trial, coloured by score",
            lambda: search_views.parallel_coordinates(
                results, hps, direction, name, best_trial_id=best["trial_id"]
            ),
            spec="parallel",
        )
    )
    section.add(
        figures.html(
            "hyperparameter scores",
            f"{name} against each hyperparameter; the best trial marked",
            lambda: search_views.hyperparameter_scores(
                results, hps, direction, name, best_trial_id=best["trial_id"]
            ),
            spec="slices",
        )
    )
    try:
        shares = importance.hyperparameter_importance(results, hps, direction)
    except ValueError as exc:
        shares, why = None, exc
    else:
        trials = int(shares.attrs.get("trials", 0))
        study.document["importance"] = {
            "names": [str(n) for n in shares.index],
            "shares": [float(v) for v in shares],
            "trials": trials,
            # The interactive chart replaces the figure: it carries the figure's caveat.
            "caveat": importance.few_trials_caveat(trials),
        }

    def draw_importance() -> Figure:
        if shares is None:
            raise why  # the writer says why the view is missing
        return importance.importance_plot(shares)

    section.add(
        figures.html(
            "importance",
            "Hyperparameter importance (permutation importance on a random-forest surrogate)",
            draw_importance,
            spec="importance",
        )
    )
    return section


def _pareto_figures(study: _Study, section: _html.Section, figures: _FigureWriter) -> None:
    from tunesmith.report import pareto_views

    objectives = study.objectives
    names = " and ".join(o.name for o in objectives)
    draw = (
        pareto_views.pareto_front_plot if len(objectives) == 2 else pareto_views.pareto_pairs_plot
    )
    section.add(
        figures.html(
            "pareto front",
            f"The Pareto front of {names}: red trials no feasible trial beats in every "
            "objective; dominated trials faded; infeasible trials grey crosses, with the "
            "constraint they break",
            lambda: draw(study.results, objectives, front_trial_ids=study.front),
            spec="pareto",
        )
    )
    progress = study.document.get("hypervolume")

    def draw_hypervolume() -> Figure:
        if not progress:
            raise ValueError("no feasible trial has every objective yet")
        return pareto_views.hypervolume_plot(progress)

    section.add(
        figures.html(
            "hypervolume",
            "Hypervolume of the feasible trials so far: each objective scaled to [0, 1] "
            "over the feasible trials (0 its best value, 1 its worst), reference point "
            f"{_tradeoffs.HYPERVOLUME_REFERENCE} in each; higher is better",
            draw_hypervolume,
            spec="hypervolume",
        )
    )


def _tuned_names(hyperparameters: HyperParameters) -> list[str]:
    return [hp.name for hp in hyperparameters.space if not isinstance(hp, Fixed)]


def _curves(study: _Study, figures: _FigureWriter) -> _html.Section:
    from tunesmith.report import curves as curve_views

    section = _html.Section("curves", "Learning curves")
    curves = study.curves
    if curves.empty:
        section.add(_html.paragraph("No epoch was logged.", note=True))
        return section
    scores = study.results.set_index("trial_id")["score"]
    labels = {
        trial_id: f"{trial_id} ({_html.format_value(scores.get(trial_id))})"
        for trial_id in curves["trial_id"].unique()
    }
    # Best first: with many trials only the first ten get a colour of their own.
    logged = list(dict.fromkeys(curves["trial_id"]))
    order = [t for t in study.ranked()["trial_id"] if t in set(logged)]
    ranked = set(order)
    order += [t for t in logged if t not in ranked]
    section.add(
        figures.html(
            "all learning curves",
            "Every trial, train solid and validation dashed (smoothed 0.6, raw faint); "
            "the best ten in colour",
            lambda: curve_views.learning_curves(curves, trial_ids=order, labels=labels),
            spec="curves",
        )
    )
    best = study.best_row()
    if best is not None and (curves["trial_id"] == best["trial_id"]).any():
        step = None if _missing(best["best_step"]) else int(best["best_step"])
        section.add(
            figures.html(
                "best trial curves",
                f"Best trial {best['trial_id']} alone; the marker is its best epoch",
                lambda: curve_views.best_trial_curves(curves, best["trial_id"], best_step=step),
                spec="best-curves",
            )
        )
    return section


def _evaluation(
    model_summary: str | None,
    evaluations: Mapping[str, ClassifierEvaluation],
    figures: _FigureWriter,
) -> _html.Section:
    from tunesmith.report import evaluation as views

    section = _html.Section("evaluation", "Best model")
    if model_summary:
        section.add("<h3>Summary</h3>")
        section.add(_html.preformatted(model_summary))
    for split, result in evaluations.items():
        section.add(f"<h3>{_html.escape(split)}: accuracy {result.accuracy:.4f}</h3>")
        section.add(_html.table(result.table(), index=True))
        section.add(
            figures.html(
                f"confusion {split}",
                f"Confusion matrix on the {split} data (rows: true class)",
                functools.partial(
                    views.confusion_matrix_plot, result, title=f"Confusion matrix ({split})"
                ),
            )
        )
    if evaluations:
        section.add(
            figures.html(
                "roc",
                "ROC curves with their AUC",
                lambda: views.roc_plot(evaluations),
            )
        )
    return section


def model_summary(model: Any) -> str:
    """A Keras model's ``summary()`` as plain text, for ``write_report(model_summary=...)``.

    Example:
        >>> text = model_summary(tuner.get_best_models(1)[0])  # doctest: +SKIP
    """
    lines: list[str] = []
    width = 100
    # Keras renders the table with rich, whose console is 80 columns wide (or $COLUMNS)
    # when not writing to a terminal: a wider table silently loses its last columns
    # ("Param #" first). The console is told the table's width for the call.
    saved = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(width)
    try:
        model.summary(print_fn=lambda line, *args, **kwargs: lines.append(line), line_length=width)
    finally:
        if saved is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = saved
    text = "\n".join(lines)
    return re.sub(r"\x1b\[[0-9;]*m", "", text)  # Keras may colour it for a terminal


def _search_parts(stored: Mapping[str, Any]) -> dict[str, str]:
    """The sampler, scheduler and pruner a study composes, as the report names them
    (a user's own class by its path, never as another)."""
    settings = normalise_settings(stored)
    parts = {
        role: describe_part(settings[role])
        for role in ("sampler", "scheduler")
        if settings.get(role) is not None
    }
    if settings.get("pruner") is not None:
        parts["pruner"] = str(settings["pruner"].get("class_name"))
    return parts
