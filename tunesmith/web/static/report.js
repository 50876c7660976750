/* The report's interactive charts: each figure with a data-spec is drawn from the
 * study document embedded in the page, with the dashboard's own chart specifications
 * (charts.js); its image stays in the page, hidden, for printing. */
(function () {
  "use strict";
  const C = window.TunesmithCharts;
  const doc = JSON.parse(document.getElementById("study-data").textContent);

  function select(values, chosen, onChange) {
    const node = document.createElement("select");
    for (const v of values) {
      const option = document.createElement("option");
      option.value = option.textContent = v;
      option.selected = v === chosen;
      node.append(option);
    }
    node.addEventListener("change", () => onChange(node.value));
    return node;
  }

  function draw(figure) {
    const spec = figure.dataset.spec;
    const box = document.createElement("div");
    box.className = "chart";
    const chart = echarts.init(box, null, { renderer: "canvas" });
    const tools = document.createElement("div");
    tools.className = "chart-tools";
    let option = null;
    if (spec === "history") option = C.history(doc);
    else if (spec === "parallel") option = C.parallel(doc).option;
    else if (spec === "importance" && doc.importance) option = C.importance(doc.importance);
    else if (spec === "hypervolume") option = C.hypervolume(doc);
    else if (spec === "pareto") {
      const names = C.metricNames(doc);
      const objectives = C.objectivesOf(doc).map((o) => o.name);
      const axes = { x: objectives[0], y: objectives[1] };
      const redraw = () => chart.setOption(C.pareto(doc, axes.x, axes.y), { notMerge: true });
      tools.append("x ", select(names, axes.x, (n) => { axes.x = n; redraw(); }),
                   " y ", select(names, axes.y, (n) => { axes.y = n; redraw(); }));
      option = C.pareto(doc, axes.x, axes.y);
    }
    else if (spec === "slices") {
      const names = C.dimensions(doc).map((d) => d.name);
      if (!names.length) return;
      tools.append("hyperparameter ", select(names, names[0], (n) => chart.setOption(C.slice(doc, n), { notMerge: true })));
      option = C.slice(doc, names[0]);
    } else if (spec === "curves" || spec === "best-curves") {
      const ids = spec === "curves" ? doc.curve_order : [doc.best && doc.best.trial_id];
      const metrics = C.curveMetrics(doc.curves, doc.objective.name);
      if (!metrics.length) return;
      tools.append("metric ", select(metrics, metrics[0], (m) => chart.setOption(C.curves(doc.curves, m, ids), { notMerge: true })));
      option = C.curves(doc.curves, metrics[0], ids);
    }
    if (!option) { chart.dispose(); return; }
    const image = figure.querySelector("img");
    figure.insertBefore(box, image);
    if (tools.childNodes.length) figure.insertBefore(tools, box);
    image.hidden = true;
    chart.resize();
    chart.setOption(option);
    new ResizeObserver(() => chart.resize()).observe(box);
  }

  for (const figure of document.querySelectorAll("figure[data-spec]")) draw(figure);
  document.body.dataset.ready = "report";
})();
