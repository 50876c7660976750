/* Chart specifications of a study, shared by the dashboard and the HTML report.
 *
 * Each function takes the study document (tunesmith/_study_document.py), the one the
 * dashboard serves and the report embeds, and returns an ECharts option; drawing,
 * events and updates are the page's business.
 * Nothing here touches the DOM, so the report and the dashboard cannot drift apart.
 */
(function (global) {
  "use strict";

  const PALETTE = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2",
                   "#ca8a04", "#db2777", "#4b5563", "#65a30d"];
  const FINISHED = new Set(["COMPLETED", "STOPPED"]);
  const TUNER_PREFIX = "tuner/";

  function isNumber(x) { return typeof x === "number" && Number.isFinite(x); }

  function scored(study) {
    return study.trials.filter((t) => FINISHED.has(t.status) && isNumber(t.score));
  }

  function better(study, a, b) {
    return study.objective.direction === "max" ? a > b : a < b;
  }

  /* [trial number, best score so far] after each of ``trials`` (in number order). */
  function bestSoFar(study, trials) {
    const out = [];
    let incumbent = null;
    for (const t of trials) {
      if (incumbent === null || better(study, t.score, incumbent)) incumbent = t.score;
      out.push([t.number, incumbent]);
    }
    return out;
  }

  function formatValue(v) {
    if (v === null || v === undefined) return "–";
    if (typeof v === "number") {
      if (Number.isInteger(v)) return String(v);
      const a = Math.abs(v);
      return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(3) : v.toPrecision(4);
    }
    return String(v);
  }

  /* A category's tick label: an empty string would leave its tick blank. */
  function categoryName(value) {
    const text = String(value);
    return text === "" ? "(empty)" : text;
  }

  /* Labels of a category axis: every category named, none skipped to make room. */
  const CATEGORY_LABELS = { interval: 0 };
  /* Labels of a value axis whose ticks ECharts chooses: one that would overlap
   * another is left out rather than printed over it. */
  const VALUE_LABELS = { hideOverlap: true };

  /* A step of 1, 2 or 5 times a power of ten giving about ``count`` steps over ``span``. */
  function niceStep(span, count) {
    const raw = span / count;
    const power = 10 ** Math.floor(Math.log10(raw));
    const unit = raw / power;
    return power * (unit < 1.5 ? 1 : unit < 3.5 ? 2 : unit < 7.5 ? 5 : 10);
  }

  /* The ticks of a hyperparameter's axis from min to max: both bounds, and the round
   * values between them that are not crowding a bound. ECharts would print its round
   * ticks and the bounds however close (250 just under 256 for an Int from 16 to
   * 256); keeping those ticks half a step away keeps the labels apart. */
  function boundedTicks(kind, min, max) {
    if (!(max > min)) return [min];
    if (kind === "log") {
      if (!(min > 0)) return [min, max];
      const lo = Math.log10(min), hi = Math.log10(max);
      const every = Math.max(1, Math.ceil((hi - lo) / 6));  // at most ~6 decades labelled
      const inner = [];
      for (let d = Math.ceil(lo / every) * every; d <= hi; d += every) {
        if (d - lo >= every / 2 && hi - d >= every / 2) inner.push(Number((10 ** d).toPrecision(12)));
      }
      return [min, ...inner, max];
    }
    const step = niceStep(max - min, 5);
    const inner = [];
    for (let v = Math.ceil(min / step) * step; v <= max; v += step) {
      const tick = Number(v.toPrecision(12));  // 0.30000000000000004 -> 0.3
      if (tick - min >= step / 2 && max - tick >= step / 2) inner.push(tick);
    }
    return [min, ...inner, max];
  }

  /* The tuned hyperparameters, each with how to place it on an axis. */
  function dimensions(study) {
    const out = [];
    for (const hp of study.space) {
      const c = hp.config || {};
      if (hp.class_name === "Fixed" || c.name.startsWith(TUNER_PREFIX)) continue;
      if (hp.class_name === "Float" || hp.class_name === "Int") {
        out.push({ name: c.name, kind: c.sampling === "log" ? "log" : "value",
                   min: c.min_value, max: c.max_value });
      } else if (hp.class_name === "Boolean") {
        out.push({ name: c.name, kind: "category", categories: ["false", "true"] });
      } else {
        const values = (c.values || []).map(categoryName);
        const numeric = (c.values || []).length > 2 && c.values.every(isNumber) && c.ordered !== false;
        const lo = numeric ? Math.min(...c.values) : 0, hi = numeric ? Math.max(...c.values) : 0;
        // Choices like learning rates (1e-2, 1e-3, 1e-4) span decades: a log axis.
        const decades = numeric && lo > 0 && hi / lo >= 100;
        out.push(numeric
          ? { name: c.name, kind: decades ? "log" : "value", min: lo, max: hi }
          : { name: c.name, kind: "category", categories: values });
      }
    }
    return out;
  }

  function axisValue(dim, value) {
    if (value === undefined || value === null) return dim.kind === "category" ? "(inactive)" : null;
    if (dim.kind === "category") return categoryName(value);
    return isNumber(value) ? value : null;
  }

  function objectiveLabel(study) {
    const o = study.objective;
    return `${o.name} (${o.direction === "max" ? "higher" : "lower"} is better)`;
  }

  /* Score of every finished trial by trial number, and the best so far. */
  function history(study) {
    const trials = scored(study).slice().sort((a, b) => a.number - b.number);
    // Plain [x, y] pairs (ECharts draws thousands of them in one batch) and the trial
    // of each point beside them, for the tooltip.
    const points = trials.map((t) => [t.number, t.score]);
    const ids = trials.map((t) => t.trial_id);
    const best = bestSoFar(study, trials);
    return {
      animation: false,
      grid: { left: 64, right: 24, top: 36, bottom: 48 },
      legend: { top: 4 },
      tooltip: {
        trigger: "item",
        formatter: (p) => p.seriesIndex === 0
          ? `trial ${ids[p.dataIndex]}<br>${study.objective.name} ${formatValue(p.value[1])}`
          : `best after trial ${p.value[0]}: ${formatValue(p.value[1])}`,
      },
      xAxis: { type: "value", name: "trial", nameLocation: "middle", nameGap: 28, minInterval: 1 },
      yAxis: { type: "value", name: objectiveLabel(study), scale: true },
      dataZoom: [{ type: "inside" }],
      series: [
        { name: "trial", type: "scatter", data: points, symbolSize: 6,
          large: points.length > 2000, itemStyle: { color: PALETTE[0], opacity: 0.7 } },
        { name: "best so far", type: "line", step: "end", data: best, showSymbol: false,
          lineStyle: { color: PALETTE[1], width: 2 } },
      ],
    };
  }

  /* One line per finished trial through every tuned hyperparameter and the score.
   * Returns the option and the trial id of each line, in data order. */
  function parallel(study) {
    const dims = dimensions(study);
    const trials = scored(study);
    const scores = trials.map((t) => t.score);
    const axes = dims.map((d, i) => {
      const axis = { dim: i, name: d.name, type: d.kind,
                     axisLabel: { ...(d.kind === "category" ? CATEGORY_LABELS : VALUE_LABELS) } };
      if (d.kind === "category") {
        axis.data = trials.some((t) => t.values[d.name] === undefined)
          ? [...d.categories, "(inactive)"] : d.categories;
      } else if (isNumber(d.min) && isNumber(d.max)) {
        axis.min = d.min; axis.max = d.max;
        const ticks = boundedTicks(d.kind, d.min, d.max);
        axis.axisLabel = { ...VALUE_LABELS, customValues: ticks };
        axis.axisTick = { customValues: ticks };
      }
      return axis;
    });
    axes.push({ dim: dims.length, name: study.objective.name, type: "value", scale: true,
                axisLabel: { ...VALUE_LABELS }, nameTextStyle: { fontWeight: "bold" } });
    const data = trials.map((t) => [...dims.map((d) => axisValue(d, t.values[d.name])), t.score]);
    const lo = Math.min(...scores), hi = Math.max(...scores);
    return {
      ids: trials.map((t) => t.trial_id),
      option: {
        animation: false,
        parallel: { left: 48, right: 96, top: 48, bottom: 32,
                    parallelAxisDefault: { nameLocation: "end", nameGap: 16,
                                           areaSelectStyle: { width: 16 } } },
        parallelAxis: axes,
        visualMap: {
          type: "continuous", show: true, dimension: dims.length, right: 0, top: "middle",
          min: Number.isFinite(lo) ? lo : 0, max: Number.isFinite(hi) && hi > lo ? hi : lo + 1,
          inRange: { color: study.objective.direction === "max"
            ? ["#f59e0b", "#2563eb"] : ["#2563eb", "#f59e0b"] },
          text: [formatValue(hi), formatValue(lo)], calculable: false, itemHeight: 120,
        },
        series: [{ type: "parallel", data, smooth: false, progressive: 1000,
                   lineStyle: { width: 1, opacity: trials.length > 1000 ? 0.25 : 0.6 },
                   inactiveOpacity: 0.03, activeOpacity: 0.9 }],
      },
    };
  }

  /* Score against one hyperparameter (the "slice" of the search). */
  function slice(study, name) {
    const dim = dimensions(study).find((d) => d.name === name);
    const trials = scored(study).filter((t) => t.values[name] !== undefined);
    const points = trials.map((t) => [axisValue(dim, t.values[name]), t.score]);
    const ids = trials.map((t) => t.trial_id);
    const xAxis = { type: dim.kind, name, nameLocation: "middle", nameGap: 28 };
    if (dim.kind === "category") {
      xAxis.data = dim.categories;
      // Every category named: many of them side by side are slanted to fit.
      xAxis.axisLabel = { ...CATEGORY_LABELS, rotate: dim.categories.length > 6 ? 30 : 0 };
    } else { xAxis.scale = true; xAxis.axisLabel = { ...VALUE_LABELS }; if (dim.kind === "log") delete xAxis.scale; }
    return {
      animation: false,
      grid: { left: 64, right: 24, top: 24, bottom: 48 },
      tooltip: { trigger: "item",
                 formatter: (p) => `trial ${ids[p.dataIndex]}<br>${name} ${formatValue(p.value[0])}` +
                   `<br>${study.objective.name} ${formatValue(p.value[1])}` },
      xAxis, yAxis: { type: "value", name: objectiveLabel(study), scale: true },
      series: [{ type: "scatter", data: points, symbolSize: 7, large: points.length > 2000,
                 itemStyle: { color: PALETTE[0], opacity: 0.65 } }],
    };
  }

  /* Each hyperparameter's share of the score's variation, largest on top. With a
   * caveat (few trials, tunesmith.report.importance.FEW_TRIALS) the shares are shown
   * rounded, "~40 %", and the caveat written under the bars, as in the report. */
  function importance(doc) {
    const names = doc.names.slice().reverse();
    const shares = doc.shares.slice().reverse();
    const rough = doc.caveat ? "~" : "";
    return {
      animation: false,
      grid: { left: 140, right: 48, top: 16, bottom: doc.caveat ? 52 : 32 },
      tooltip: { trigger: "item", formatter: (p) => `${p.name}: ${rough}${(p.value * 100).toFixed(rough ? 0 : 1)} %` },
      xAxis: { type: "value", max: 1, axisLabel: { formatter: (v) => `${Math.round(v * 100)} %` } },
      yAxis: { type: "category", data: names, axisLabel: { ...CATEGORY_LABELS } },
      graphic: doc.caveat ? [{ type: "text", right: 8, bottom: 4,
                               style: { text: doc.caveat, fill: "#b45309", fontSize: 12 } }] : [],
      series: [{ type: "bar", data: shares, itemStyle: { color: PALETTE[0] },
                 label: { show: true, position: "right",
                          formatter: (p) => `${rough}${(p.value * 100).toFixed(0)} %` } }],
    };
  }

  /* Metric names logged in some curves, the objective's first. */
  function curveMetrics(curves, objectiveName) {
    const names = new Set();
    for (const rows of Object.values(curves)) for (const row of rows) for (const k in row[2]) names.add(k);
    const out = [...names].sort();
    const i = out.indexOf(objectiveName);
    if (i > 0) { out.splice(i, 1); out.unshift(objectiveName); }
    return out;
  }

  /* One line per trial of one metric by epoch (first execution), trial named on hover. */
  function curves(curvesByTrial, metric, trialIds) {
    const series = trialIds.filter((id) => curvesByTrial[id]).map((id, i) => {
      const byStep = new Map();
      for (const [execution, step, metrics] of curvesByTrial[id]) {
        if (execution === 0 && metric in metrics) byStep.set(step, metrics[metric]);
      }
      const data = [...byStep.entries()].sort((a, b) => a[0] - b[0]).map(([s, v]) => [s + 1, v]);
      return { name: `trial ${id}`, type: "line", data, showSymbol: data.length < 60,
               symbolSize: 4, connectNulls: false, emphasis: { focus: "series" },
               lineStyle: { width: 1.6 }, color: PALETTE[i % PALETTE.length] };
    });
    return {
      animation: false,
      grid: { left: 64, right: 24, top: 40, bottom: 48 },
      legend: { top: 4, type: "scroll" },
      tooltip: { trigger: "axis", valueFormatter: formatValue },
      xAxis: { type: "value", name: "epoch", nameLocation: "middle", nameGap: 28, minInterval: 1 },
      yAxis: { type: "value", name: metric, scale: true },
      series,
    };
  }

  /* Hyperband / ASHA: each trial at the rung it reached, promotions drawn as links. */
  function brackets(study) {
    const byId = new Map(study.trials.map((t) => [t.trial_id, t]));
    const groups = new Map();
    const links = [];
    for (const t of scored(study)) {
      const bracket = t.values["tuner/bracket"];
      if (bracket === undefined) continue;
      const epochs = t.values["tuner/epochs"];
      if (!groups.has(bracket)) groups.set(bracket, []);
      groups.get(bracket).push({ value: [epochs, t.score], id: t.trial_id });
      const parent = byId.get(t.values["tuner/trial_id"]);
      if (parent && isNumber(parent.score)) {
        links.push([parent.values["tuner/epochs"], parent.score], [epochs, t.score], null);
      }
    }
    const keys = [...groups.keys()].sort((a, b) => b - a);
    return {
      animation: false,
      grid: { left: 64, right: 24, top: 40, bottom: 48 },
      legend: { top: 4 },
      tooltip: { trigger: "item",
                 formatter: (p) => p.data && p.data.id ? `trial ${p.data.id}<br>${p.seriesName}` +
                   `<br>${formatValue(p.data.value[0])} epochs: ${formatValue(p.data.value[1])}` : "" },
      xAxis: { type: "log", name: "epochs (rung)", nameLocation: "middle", nameGap: 28 },
      yAxis: { type: "value", name: objectiveLabel(study), scale: true },
      series: [
        { name: "promotion", type: "line", data: links, showSymbol: false, silent: true,
          connectNulls: false, lineStyle: { color: "#9ca3af", width: 1 } },
        ...keys.map((k, i) => ({ name: `bracket ${k}`, type: "scatter", data: groups.get(k),
                                 symbolSize: 7, color: PALETTE[i % PALETTE.length] })),
      ],
    };
  }

  /* The objectives of a study document, in order (one for a single-objective study). */
  function objectivesOf(study) {
    return study.objectives && study.objectives.length ? study.objectives : [study.objective];
  }

  /* Numeric metrics of the trials at their best step, objectives first, then model/*
   * metrics and the others by name: what a trade-off chart may put on its axes. */
  function metricNames(study) {
    const names = new Set();
    for (const t of study.trials) {
      for (const [k, v] of Object.entries(t.metrics || {})) {
        if (isNumber(v) && !k.startsWith("constraint/")) names.add(k);
      }
    }
    const first = objectivesOf(study).map((o) => o.name).filter((n) => names.has(n));
    const rest = [...names].filter((n) => !first.includes(n)).sort((a, b) =>
      (b.startsWith("model/") - a.startsWith("model/")) || a.localeCompare(b));
    return [...first, ...rest];
  }

  // A filled cross: infeasible trials, as the report's grey crosses.
  const CROSS = "path://M2,0L5,3L8,0L10,2L7,5L10,8L8,10L5,7L2,10L0,8L3,5L0,2Z";
  const INFEASIBLE_COLOR = "#9ca3af";

  /* Two metrics of every finished trial: the Pareto front (the server's, never ranked
   * here) in red and, on two objectives, joined by the staircase that bounds what it
   * dominates; dominated trials faded; trials that break a constraint grey crosses. */
  function pareto(study, xName, yName) {
    const objectives = objectivesOf(study);
    xName = xName || objectives[0].name;
    yName = yName || (objectives[1] || objectives[0]).name;
    const broken = study.broken || {};
    const front = new Set(study.front || []);
    const groups = { front: [], dominated: [], infeasible: [] };
    for (const t of study.trials) {
      const m = t.metrics || {};
      if (!isNumber(m[xName]) || !isNumber(m[yName])) continue;
      const point = { value: [m[xName], m[yName]], id: t.trial_id };
      if (broken[t.trial_id]) groups.infeasible.push({ ...point, broken: broken[t.trial_id] });
      else if (front.has(t.trial_id)) groups.front.push(point);
      else if (FINISHED.has(t.status)) groups.dominated.push(point);
    }
    const objective = (name) => objectives.find((o) => o.name === name);
    const sign = objective(xName) && objective(xName).direction === "max" ? -1 : 1;
    const staircase = objective(xName) && objective(yName)
      ? groups.front.map((p) => p.value).sort((a, b) => sign * (a[0] - b[0])) : [];
    const label = (name) => objective(name) ? `${name} (${objective(name).direction})` : name;
    const labels = [...new Set(groups.infeasible.flatMap((p) => p.broken))];
    return {
      animation: false,
      grid: { left: 72, right: 24, top: 40, bottom: 48 },
      legend: { top: 4 },
      tooltip: { trigger: "item",
                 formatter: (p) => p.data && p.data.id ? `trial ${p.data.id}<br>${xName} ${formatValue(p.data.value[0])}` +
                   `<br>${yName} ${formatValue(p.data.value[1])}` +
                   (p.data.broken ? `<br>breaks ${p.data.broken.join(", ")}` : "") : "" },
      xAxis: { type: "value", name: label(xName), nameLocation: "middle", nameGap: 28, scale: true },
      yAxis: { type: "value", name: label(yName), scale: true },
      series: [
        { name: `dominated (${groups.dominated.length})`, type: "scatter", data: groups.dominated,
          symbolSize: 6, itemStyle: { color: PALETTE[0], opacity: 0.25 } },
        { name: `infeasible (${groups.infeasible.length})${labels.length ? ": " + labels.join(", ") : ""}`,
          type: "scatter", data: groups.infeasible, symbol: CROSS, symbolSize: 8,
          itemStyle: { color: INFEASIBLE_COLOR } },
        { name: "front", type: "line", step: "end", data: staircase, showSymbol: false, silent: true,
          lineStyle: { color: PALETTE[1], width: 1.5 } },
        { name: `Pareto front (${groups.front.length})`, type: "scatter", data: groups.front,
          symbolSize: 9, itemStyle: { color: PALETTE[1] }, z: 3 },
      ],
    };
  }

  /* The hypervolume of the feasible trials so far (normalised objectives; see
   * tunesmith/_tradeoffs.py for the scaling and the reference point). */
  function hypervolume(study) {
    const hv = study.hypervolume;
    if (!hv) return null;
    const data = hv.numbers.map((n, i) => [n, hv.values[i]]);
    const most = hv.reference.reduce((a, b) => a * b, 1);
    return {
      animation: false,
      grid: { left: 64, right: 24, top: 24, bottom: 48 },
      tooltip: { trigger: "axis", valueFormatter: formatValue },
      xAxis: { type: "value", name: "trial", nameLocation: "middle", nameGap: 28, minInterval: 1 },
      yAxis: { type: "value", name: `hypervolume (at most ${formatValue(most)})`, min: 0, max: most },
      series: [{ name: "hypervolume", type: "line", step: "end", data, symbolSize: 4,
                 color: PALETTE[0] }],
    };
  }

  /* Best score so far of several studies on one axis (same objective direction). */
  function compareHistory(studies) {
    return {
      animation: false,
      grid: { left: 64, right: 24, top: 40, bottom: 48 },
      legend: { top: 4 },
      tooltip: { trigger: "axis", valueFormatter: formatValue },
      xAxis: { type: "value", name: "trial", nameLocation: "middle", nameGap: 28, minInterval: 1 },
      yAxis: { type: "value", name: "best so far", scale: true },
      series: studies.map((study, i) => ({
        name: study.key, type: "line", step: "end", showSymbol: false,
        data: bestSoFar(study, scored(study).slice().sort((a, b) => a.number - b.number)),
        color: PALETTE[i % PALETTE.length],
      })),
    };
  }

  global.TunesmithCharts = {
    PALETTE, FINISHED, scored, better, formatValue, dimensions, boundedTicks, history, parallel, slice,
    importance, curveMetrics, curves, brackets, compareHistory, objectivesOf, metricNames,
    pareto, hypervolume,
  };
})(typeof window !== "undefined" ? window : globalThis);
