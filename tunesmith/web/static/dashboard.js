/* The dashboard page: the studies list, one study's views, two studies side by side.
 *
 * It draws what /api/study returns, then asks /api/changes every second for what was
 * written since its cursor and merges it in, so a running search shows its new trials
 * and epochs without a reload and the store is never read whole again.
 */
(function () {
  "use strict";
  const C = window.TunesmithCharts;
  const PAGE_ROWS = 100;
  const POLL_MS = 1000;
  const IDLE_POLL_MS = 3000;
  const MAX_SELECTED = 10;
  // The path the dashboard is served under behind a proxy ("/proxy/8765/"), written
  // into the page by the server; empty: requests relative to the page.
  const ROOT = (document.querySelector('meta[name="tunesmith-root"]') || {}).content || "";

  const app = document.getElementById("app");
  const loading = document.getElementById("loading");
  const banner = document.getElementById("banner");
  const crumbs = document.getElementById("crumbs");
  const liveBadge = document.getElementById("live");
  window.tunesmithTimings = { start: performance.now() };

  let view = null;  // the current view's state; replaced on navigation
  let inFlight = 0;

  /* ---------------------------------------------------------------- helpers */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "class") node.className = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : v);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  /* quiet: a background poll, which should not flash the loading indicator. */
  async function api(path, params, init, quiet) {
    const query = new URLSearchParams(params || {}).toString();
    inFlight += quiet ? 0 : 1;
    loading.hidden = inFlight === 0;
    try {
      const response = await fetch(`${ROOT}api/${path}${query ? "?" + query : ""}`, init);
      const body = await response.json().catch(() => ({ error: response.statusText }));
      if (!response.ok) throw new Error(body.error || `HTTP ${response.status}`);
      return body;
    } finally {
      inFlight -= quiet ? 0 : 1;
      loading.hidden = inFlight === 0;
    }
  }

  function showError(message) {
    banner.textContent = message;
    banner.hidden = !message;
  }

  function when(seconds) {
    if (!seconds) return "–";
    const age = Date.now() / 1000 - seconds;
    if (age < 90) return `${Math.max(0, Math.round(age))} s ago`;
    if (age < 5400) return `${Math.round(age / 60)} min ago`;
    return new Date(seconds * 1000).toLocaleString();
  }

  function duration(t) {
    if (!t.started_at) return null;
    return (t.ended_at || Date.now() / 1000) - t.started_at;
  }

  function chart(container) {
    const instance = echarts.init(container, null, { renderer: "canvas" });
    new ResizeObserver(() => instance.resize()).observe(container);
    return instance;
  }

  function studyLink(key) { return `#/study/${encodeURIComponent(key)}`; }

  /* -------------------------------------------------------------- the list */
  async function showList() {
    crumbs.replaceChildren();
    liveBadge.hidden = true;
    const state = { kind: "list", timer: null, picked: new Set() };
    view = state;
    async function refresh() {
      let doc;
      try { doc = await api("projects", {}, undefined, state.loaded); state.loaded = true; showError(""); } catch (e) { showError(e.message); return; }
      if (view !== state) return;
      renderList(state, doc);
      state.timer = setTimeout(refresh, IDLE_POLL_MS);
    }
    await refresh();
  }

  /* The folder a project sits in under the root, when not the root itself: the name
   * is the heading already, so a project at the top shows it once. */
  function folderLine(p) {
    const at = p.key.lastIndexOf("/");
    return at > 0 ? el("div", { class: "muted", "data-folder": "" }, `in ${p.key.slice(0, at)}/`) : null;
  }

  function renderList(state, doc) {
    const cards = doc.projects.map((p) => {
      if (p.problem) {
        return el("div", { class: "card problem", "data-project": p.key },
          el("h3", {}, p.name), folderLine(p),
          el("div", { class: "problem-text" }, p.problem));
      }
      const statuses = Object.entries(p.statuses).map(([s, n]) => el("span", { class: "pill" }, `${s.toLowerCase()} ${n}`));
      const pick = el("input", { type: "checkbox", title: "compare", onchange: (e) => {
        if (e.target.checked) state.picked.add(p.key); else state.picked.delete(p.key);
        compare.disabled = state.picked.size !== 2;
      } });
      pick.checked = state.picked.has(p.key);
      return el("div", { class: "card", "data-project": p.key },
        el("h3", {}, el("a", { href: studyLink(p.key) }, p.name), " ",
           p.running ? el("span", { class: "live" }, "running") : null),
        folderLine(p),
        el("dl", {},
          el("dt", {}, "best"), el("dd", {}, p.best ? `${C.formatValue(p.best.score)} (trial ${p.best.trial_id})` : "–"),
          el("dt", {}, p.objective.name), el("dd", {}, p.objective.direction === "max" ? "maximised" : "minimised"),
          el("dt", {}, "trials"), el("dd", {}, String(p.trials), " ", statuses),
          el("dt", {}, "algorithm"), el("dd", {}, p.algorithm || "–"),
          el("dt", {}, "updated"), el("dd", {}, when(p.updated_at))),
        el("label", { class: "muted" }, pick, " compare"));
    });
    const compare = el("button", { disabled: state.picked.size !== 2, onclick: () => {
      const [a, b] = [...state.picked];
      location.hash = `#/compare/${encodeURIComponent(a)}/${encodeURIComponent(b)}`;
    } }, "Compare the two checked studies");
    app.replaceChildren(
      el("h2", {}, `Studies under ${doc.root}`),
      cards.length ? el("div", { class: "cards" }, cards)
        : el("p", { class: "muted" }, "No tunesmith project here yet: run a search with directory= set to this folder."),
      el("div", { class: "toolbar" }, compare));
    document.body.dataset.ready = "list";
  }

  /* ------------------------------------------------------------- one study */
  async function showStudy(key) {
    const state = { kind: "study", key, timer: null, charts: {}, sort: { column: "score", asc: null },
                    filters: {}, status: "", brushed: null, page: 0, selected: new Set(),
                    curves: {}, focus: null, metric: null, sliceName: null, dirty: false };
    view = state;
    crumbs.replaceChildren(el("a", { href: "#/" }, "studies"), " / ", key);
    let doc;
    try { doc = await api("study", { project: key }); showError(""); } catch (e) {
      app.replaceChildren(el("p", { class: "banner" }, e.message));
      return;
    }
    if (view !== state) return;
    state.study = doc;
    doc.broken = doc.broken || {};
    doc.front = doc.front || [];
    doc.origins = doc.origins || {};
    state.trials = new Map(doc.trials.map((t) => [t.trial_id, t]));
    state.curves = doc.curves;
    state.cursor = doc.cursor;
    state.best = doc.best;
    if (doc.best) state.selected.add(doc.best.trial_id);
    window.tunesmithTimings.data = performance.now();
    renderStudy(state);
    window.tunesmithTimings.interactive = performance.now();
    document.body.dataset.ready = "study";
    poll(state);
  }

  function trialList(state) {
    return [...state.trials.values()].sort((a, b) => a.number - b.number);
  }

  function studyNow(state) {
    return { ...state.study, trials: trialList(state) };
  }

  /* The best trial as the server ranks it (tunesmith.ranking: the tuner's rule,
   * stopped trials and ties included); the page never ranks trials itself. */
  function bestOf(state) {
    return state.best ? state.trials.get(state.best.trial_id) || state.best : null;
  }

  async function poll(state) {
    const delay = state.study.running ? POLL_MS : IDLE_POLL_MS;
    state.timer = setTimeout(async () => {
      if (view !== state) return;
      let changes;
      try {
        changes = await api("changes", { project: state.key, trials_after: state.cursor.trials,
                                         curves_after: state.cursor.curves }, undefined, true);
        showError("");
      } catch (e) { showError(`Live updates paused: ${e.message}`); poll(state); return; }
      if (view !== state) return;
      merge(state, changes);
      poll(state);
    }, delay);
  }

  /* Merge what changed and note which views it touches: a finished trial moves the
   * search views, a new epoch only the curves of its trial. */
  function merge(state, changes) {
    state.cursor = changes.cursor;
    const touched = state.touched || (state.touched = { finished: false, curves: new Set() });
    let changed = changes.running !== state.study.running;
    state.study.running = changes.running;
    for (const t of changes.trials) {
      const old = state.trials.get(t.trial_id);
      if (old && old.updated_at === t.updated_at && old.status === t.status) continue;
      if (old && old.attempts !== t.attempts) delete state.curves[t.trial_id];  // run again: curves restart
      if (C.FINISHED.has(t.status) || (old && C.FINISHED.has(old.status))) touched.finished = true;
      state.trials.set(t.trial_id, t);
      changed = true;
    }
    // Trade-offs: the constraints each changed trial breaks, the front and hypervolume.
    for (const t of changes.trials) delete state.study.broken[t.trial_id];
    Object.assign(state.study.broken, changes.broken || {});
    for (const key of ["front", "hypervolume"]) {
      if (key in changes && JSON.stringify(changes[key]) !== JSON.stringify(state.study[key])) {
        state.study[key] = changes[key];
        touched.finished = true;
        changed = true;
      }
    }
    if ("best" in changes && (changes.best && changes.best.trial_id) !== (state.best && state.best.trial_id)) {
      state.best = changes.best;
      touched.finished = true;
      changed = true;
    }
    for (const [id, rows] of Object.entries(changes.curves)) {
      const known = state.curves[id] || (state.curves[id] = []);
      for (const row of rows) {
        const at = known.findIndex((r) => r[0] === row[0] && r[1] === row[1]);
        if (at >= 0) known[at] = row; else known.push(row);
      }
      touched.curves.add(id);
      changed = true;
    }
    if (changed) {
      updateStudy(state);
      document.body.dataset.updates = String(Number(document.body.dataset.updates || 0) + 1);
    }
  }

  function section(id, title, ...content) {
    return el("section", { id }, el("h2", {}, title), ...content);
  }

  function renderStudy(state) {
    const s = state.study;
    liveBadge.hidden = !s.running;
    const dims = C.dimensions(s);
    state.sliceName = state.sliceName || (dims[0] && dims[0].name);
    const hasBrackets = s.trials.some((t) => t.values["tuner/bracket"] !== undefined);
    const hasTradeoffs = s.pareto || (s.constraints || []).length > 0;
    const metricNames = C.metricNames(s);
    const objectiveNames = C.objectivesOf(s).map((o) => o.name);
    state.paretoAxes = state.paretoAxes || { x: objectiveNames[0], y: objectiveNames[1] || metricNames.find((n) => n !== objectiveNames[0]) || objectiveNames[0] };
    const nav = el("div", { class: "sticky-nav" },
      ["overview", "trials", "history", "parallel", "slices", "importance", "curves", "running",
       "failed", ...(hasTradeoffs ? ["tradeoffs"] : []), ...(hasBrackets ? ["brackets"] : [])].map((id) => el("a", { href: `#/study/${encodeURIComponent(state.key)}`, onclick: (e) => {
        e.preventDefault(); document.getElementById(id).scrollIntoView();
      } }, id)));
    state.nodes = {
      summary: el("div", { class: "cards", id: "summary" }),
      table: el("div", { class: "scroll", id: "trial-table" }),
      pager: el("div", { class: "toolbar", id: "pager" }),
      details: el("div", { id: "trial-details" }),
      running: el("div", { id: "running-list" }),
      failed: el("div", { id: "failed-list" }),
      importance: el("div", { id: "importance-note", class: "muted" }),
      bracketTable: el("div", { class: "scroll", id: "bracket-table" }),
    };
    const chartBox = (name, tall) => el("div", { class: tall ? "chart tall" : "chart", "data-chart": name });
    const boxes = {
      history: chartBox("history"), parallel: chartBox("parallel", true), slice: chartBox("slice"),
      importance: chartBox("importance"), curves: chartBox("curves"), running: chartBox("running"),
      brackets: chartBox("brackets"), pareto: chartBox("pareto"), hypervolume: chartBox("hypervolume"),
    };
    const axisSelect = (axis) => el("select", { id: `pareto-${axis}`, onchange: (e) => { state.paretoAxes[axis] = e.target.value; drawPareto(state); } },
      metricNames.map((n) => el("option", { value: n, selected: n === state.paretoAxes[axis] }, n)));
    const sliceSelect = el("select", { id: "slice-select", onchange: (e) => { state.sliceName = e.target.value; drawSlice(state); } },
      dims.map((d) => el("option", { value: d.name, selected: d.name === state.sliceName }, d.name)));
    state.nodes.metricSelect = el("select", { id: "metric-select", onchange: (e) => { state.metric = e.target.value; drawCurves(state); } });
    // replaceChildren writes a null as the text "null": the optional sections are dropped.
    app.replaceChildren(...[
      el("h2", {}, s.name, " ", el("span", { class: "muted" }, `${s.algorithm || ""} · ${s.objective.name} ${s.objective.direction === "max" ? "▲" : "▼"}`)),
      nav,
      section("overview", "Overview", state.nodes.summary, el("div", { class: "grid2" },
        el("div", {}, el("h3", {}, "Search space"), spaceTable(s)),
        el("div", {}, el("h3", {}, "Settings"), el("pre", {}, JSON.stringify(settingsShown(s.settings), null, 1)),
          el("h3", {}, "Notes on this study"), noteEditor(state, null)))),
      section("trials", "Trials", el("div", { class: "toolbar" },
        el("label", {}, "status ", statusFilter(state)),
        el("button", { id: "clear-filters", onclick: () => {
          state.filters = {}; state.status = ""; state.page = 0;
          document.getElementById("status-filter").value = "";
          clearBrush(state); state.brushed = null; drawTable(state);
        } }, "clear filters"),
        el("span", { class: "muted", id: "brush-note" })),
        state.nodes.table, state.nodes.pager, state.nodes.details),
      el("div", { class: "grid2" },
        section("history", "Objective history", boxes.history),
        section("slices", "Hyperparameter against score", el("div", { class: "toolbar" }, "hyperparameter ", sliceSelect), boxes.slice)),
      section("parallel", "Parallel coordinates", el("p", { class: "muted" }, "Drag along an axis to keep only the trials in that range; the table follows."), boxes.parallel),
      el("div", { class: "grid2" },
        section("importance", "Importance", state.nodes.importance, boxes.importance),
        section("curves", "Learning curves of the checked trials", el("div", { class: "toolbar" }, "metric ", state.nodes.metricSelect,
          el("span", { class: "muted" }, "check rows of the table to compare up to 10 trials")), boxes.curves)),
      section("running", "Running trials", state.nodes.running, boxes.running),
      section("failed", "Failed trials", state.nodes.failed),
      hasTradeoffs ? section("tradeoffs", s.pareto ? "Pareto front" : "Feasibility",
        el("p", { class: "muted" }, "Red: the Pareto front as the tuner ranks it; faded: dominated trials; grey crosses: trials that break a constraint."),
        el("div", { class: "toolbar" }, "x ", axisSelect("x"), " y ", axisSelect("y")),
        el("div", { class: "grid2" }, boxes.pareto, s.pareto ? el("div", {}, el("h3", {}, "Hypervolume over trials"),
          el("p", { class: "muted" }, "Objectives scaled to [0, 1] over the feasible trials, reference point 1.1 in each."), boxes.hypervolume) : null)) : null,
      hasBrackets ? section("brackets", "Brackets and promotions", boxes.brackets, state.nodes.bracketTable) : null,
    ].filter(Boolean));
    for (const [name, box] of Object.entries(boxes)) {
      if (box.isConnected) state.charts[name] = chart(box);
    }
    state.charts.parallel.on("axisareaselected", () => {
      const series = state.charts.parallel.getModel().getSeries()[0];
      const active = series.getRawIndicesByActiveState("active");
      const all = active.length === state.parallelIds.length;
      state.brushed = all ? null : new Set(active.map((i) => state.parallelIds[i]));
      state.page = 0;
      drawTable(state);
    });
    drawAll(state);
    // Importance costs the server a model fit: asked for when its section is in view.
    const seen = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) { seen.disconnect(); loadImportance(state); }
    });
    seen.observe(document.getElementById("importance"));
  }

  function clearBrush(state) {
    if (!state.charts.parallel) return;
    state.charts.parallel.dispatchAction({ type: "axisAreaSelect", parallelAxisIndex: "all", intervals: [] });
  }

  function settingsShown(settings) {
    const { space, ...rest } = settings || {};
    return rest;
  }

  function spaceTable(s) {
    const rows = s.space.filter((hp) => !hp.config.name.startsWith("tuner/")).map((hp) => {
      const c = hp.config;
      const range = "values" in c ? c.values.map(C.formatValue).join(", ")
        : "min_value" in c ? `${C.formatValue(c.min_value)} … ${C.formatValue(c.max_value)}${c.step ? `, step ${c.step}` : ""}`
        : "value" in c ? C.formatValue(c.value) : "";
      const when = (c.conditions || []).map((k) => `${k.config.name} in ${k.config.values.join("/")}`).join("; ");
      return el("tr", {}, el("td", {}, c.name), el("td", {}, hp.class_name), el("td", {}, range),
        el("td", {}, c.sampling && c.sampling !== "linear" ? c.sampling : ""), el("td", { class: "muted" }, when));
    });
    return el("table", {}, el("thead", {}, el("tr", {}, ["name", "kind", "range", "sampling", "active when"].map((h) => el("th", {}, h)))),
      el("tbody", {}, rows));
  }

  function noteEditor(state, trialId) {
    const notes = state.study.notes || { study: "", trials: {} };
    const current = trialId ? (notes.trials || {})[trialId] || "" : notes.study || "";
    const area = el("textarea", { "data-note": trialId || "study", placeholder: "What you noticed, what to try next…" });
    area.value = current;
    const status = el("span", { class: "muted" });
    const save = el("button", { onclick: async () => {
      try {
        const saved = await api("notes", { project: state.key }, { method: "PUT",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify(trialId ? { trial_id: trialId, text: area.value } : { text: area.value }) });
        state.study.notes = saved;
        status.textContent = "saved";
      } catch (e) { status.textContent = e.message; }
    } }, "save note");
    return el("div", {}, area, el("div", { class: "toolbar" }, save, status));
  }

  function statusFilter(state) {
    const statuses = ["", "COMPLETED", "RUNNING", "STOPPED", "FAILED", "INVALID", "INFEASIBLE"];
    return el("select", { id: "status-filter", onchange: (e) => { state.status = e.target.value; state.page = 0; drawTable(state); } },
      statuses.map((s) => el("option", { value: s, selected: s === state.status }, s || "all")));
  }

  /* A filter typed in a column's box: ">0.1", "<=3", "2..8", "=relu", or text to look for. */
  function matches(filter, value) {
    const f = filter.trim();
    if (!f) return true;
    if (value === null || value === undefined) return false;
    const range = f.match(/^(-?[\d.e+-]+)\s*\.\.\s*(-?[\d.e+-]+)$/i);
    if (range && typeof value === "number") return value >= Number(range[1]) && value <= Number(range[2]);
    const cmp = f.match(/^(<=|>=|<|>|=)\s*(.+)$/);
    if (cmp) {
      const [, op, rhs] = cmp;
      if (typeof value === "number" && !Number.isNaN(Number(rhs))) {
        const r = Number(rhs);
        return { "<": value < r, "<=": value <= r, ">": value > r, ">=": value >= r, "=": value === r }[op];
      }
      return op === "=" && String(value) === rhs.trim();
    }
    return String(value).toLowerCase().includes(f.toLowerCase());
  }

  function columns(state) {
    const names = C.dimensions(state.study).map((d) => d.name);
    return [
      { key: "number", label: "#", get: (t) => t.number, num: true },
      { key: "id", label: "trial", get: (t) => t.trial_id },
      { key: "status", label: "status", get: (t) => t.status },
      { key: "score", label: state.study.objective.name, get: (t) => t.score, num: true },
      { key: "epochs", label: "epochs", get: (t) => t.values["tuner/epochs"] ?? (t.epochs || null), num: true },
      { key: "seconds", label: "seconds", get: duration, num: true },
      ...C.objectivesOf(state.study).slice(1).map((o) => ({ key: `metric:${o.name}`, label: o.name, get: (t) => (t.metrics || {})[o.name], num: true })),
      ...C.metricNames(state.study).filter((n) => n.startsWith("model/")).map((n) => ({ key: `metric:${n}`, label: n, get: (t) => (t.metrics || {})[n], num: true })),
      ...((state.study.constraints || []).length ? [{ key: "broken", label: "broken constraint", get: (t) => (state.study.broken[t.trial_id] || []).join(", ") || null }] : []),
      ...(Object.keys(state.study.origins || {}).length ? [{ key: "origin", label: "origin", get: (t) => state.study.origins[t.trial_id] || null }] : []),
      ...names.map((n) => ({ key: `hp:${n}`, label: n, get: (t) => t.values[n], num: true })),
    ];
  }

  function visibleTrials(state) {
    const cols = columns(state);
    let rows = trialList(state).filter((t) => (!state.status || t.status === state.status)
      && (!state.brushed || state.brushed.has(t.trial_id))
      && cols.every((c) => !state.filters[c.key] || matches(state.filters[c.key], c.get(t))));
    const col = cols.find((c) => c.key === state.sort.column) || cols[0];
    let asc = state.sort.asc;
    if (asc === null) asc = state.study.objective.direction !== "max" || col.key !== "score";
    const sign = asc ? 1 : -1;
    rows = rows.sort((a, b) => {
      const x = col.get(a), y = col.get(b);
      const missingX = x === null || x === undefined, missingY = y === null || y === undefined;
      if (missingX || missingY) return missingX - missingY || a.number - b.number;  // missing last
      if (typeof x === "number" && typeof y === "number") return sign * (x - y) || a.number - b.number;
      return sign * String(x).localeCompare(String(y)) || a.number - b.number;
    });
    return { rows, cols, asc };
  }

  function drawTable(state) {
    const { rows, cols, asc } = visibleTrials(state);
    const best = bestOf(state);
    const pages = Math.max(1, Math.ceil(rows.length / PAGE_ROWS));
    state.page = Math.min(state.page, pages - 1);
    const shown = rows.slice(state.page * PAGE_ROWS, (state.page + 1) * PAGE_ROWS);
    const head = el("tr", {}, el("th", { title: "check to draw its curves" }, "✓"),
      cols.map((c) => el("th", { "data-column": c.key,
        class: c.key === state.sort.column ? (asc ? "sorted-asc" : "sorted-desc") : null,
        onclick: () => {
          state.sort = { column: c.key, asc: c.key === state.sort.column ? !asc : true };
          drawTable(state);
        } }, c.label)));
    const filters = el("tr", { class: "filters" }, el("th", {}),
      cols.map((c) => {
        const input = el("input", { "data-filter": c.key, placeholder: c.num ? ">0.5, 1..4" : "text",
          value: state.filters[c.key] || "" });
        input.addEventListener("change", () => { state.filters[c.key] = input.value; state.page = 0; drawTable(state); });
        return el("th", {}, input);
      }));
    const body = shown.map((t) => {
      const box = el("input", { type: "checkbox", "data-select": t.trial_id });
      box.checked = state.selected.has(t.trial_id);
      box.addEventListener("change", () => toggleSelected(state, t.trial_id, box.checked));
      const cls = [best && best.trial_id === t.trial_id ? "best" : "", state.selected.has(t.trial_id) ? "selected" : "",
        state.study.pareto && state.study.front.includes(t.trial_id) ? "front" : "",
        state.study.broken[t.trial_id] ? "infeasible" : ""].join(" ").trim();
      return el("tr", { "data-trial": t.trial_id, class: cls || null, onclick: (e) => {
        if (e.target.tagName !== "INPUT") { state.focus = t.trial_id; drawDetails(state); }
      } }, el("td", {}, box),
        cols.map((c) => {
          const v = c.get(t);
          const text = c.key === "id" && best && best.trial_id === t.trial_id ? `★ ${v}` : C.formatValue(v);
          return el("td", { class: [c.num ? "num" : "", c.key === "status" ? `status-${v}` : ""].join(" ").trim() || null }, text);
        }));
    });
    state.nodes.table.replaceChildren(el("table", { id: "trials-table", "data-rows": String(rows.length) },
      el("thead", {}, head, filters), el("tbody", {}, body)));
    state.nodes.pager.replaceChildren(
      el("span", { class: "muted", id: "row-count" }, rows.length ? `trials ${state.page * PAGE_ROWS + 1}–${state.page * PAGE_ROWS + shown.length} of ${rows.length}` : "no trial matches"),
      el("button", { disabled: state.page === 0, onclick: () => { state.page -= 1; drawTable(state); } }, "previous"),
      el("button", { disabled: state.page >= pages - 1, onclick: () => { state.page += 1; drawTable(state); } }, "next"));
    document.getElementById("brush-note").textContent = state.brushed ? `${state.brushed.size} trials in the brushed ranges` : "";
  }

  async function toggleSelected(state, id, on) {
    if (on) {
      if (state.selected.size >= MAX_SELECTED) { showError(`Curves of at most ${MAX_SELECTED} trials at a time.`); drawTable(state); return; }
      state.selected.add(id);
    } else state.selected.delete(id);
    drawTable(state);
    const missing = [...state.selected].filter((t) => !state.curves[t]);
    if (missing.length) {
      try {
        const doc = await api("curves", { project: state.key, trials: missing.join(",") });
        Object.assign(state.curves, doc.curves);
      } catch (e) { showError(e.message); }
    }
    drawCurves(state);
  }

  function drawDetails(state) {
    const t = state.trials.get(state.focus);
    if (!t) { state.nodes.details.replaceChildren(); return; }
    const values = Object.entries(t.values).map(([k, v]) => [el("dt", {}, k), el("dd", {}, C.formatValue(v))]);
    const metrics = Object.entries(t.metrics || {}).map(([k, v]) => [el("dt", {}, k), el("dd", {}, C.formatValue(v))]);
    state.nodes.details.replaceChildren(el("div", { class: "card", "data-details": t.trial_id },
      el("h3", {}, `Trial ${t.trial_id} · ${t.status}`),
      el("div", { class: "grid2" }, el("dl", { class: "kv" }, values), el("dl", { class: "kv" }, metrics)),
      t.error ? el("pre", { class: "traceback" }, t.error) : null,
      el("h3", {}, "Note on this trial"), noteEditor(state, t.trial_id)));
  }

  const VIEWS = { summary: drawSummary, table: drawTable, history: drawHistory, parallel: drawParallel,
                  slice: drawSlice, curves: drawCurves, running: drawRunning, failed: drawFailed,
                  brackets: drawBrackets, details: drawDetails, pareto: drawPareto };

  /* Draw the views; their times go to tunesmithTimings.views (the benchmark reads them). */
  function drawAll(state) {
    const times = {};
    for (const [name, draw] of Object.entries(VIEWS)) {
      const started = performance.now();
      draw(state);
      times[name] = Math.round(performance.now() - started);
    }
    window.tunesmithTimings.views = times;
  }

  /* Live changes arrive every second; redraw at most once per animation frame. */
  function updateStudy(state) {
    if (state.dirty) return;
    state.dirty = true;
    requestAnimationFrame(() => {
      state.dirty = false;
      if (view !== state) return;
      liveBadge.hidden = !state.study.running;
      const touched = state.touched || { finished: true, curves: new Set() };
      state.touched = null;
      // The cheap views always; the charts only when what they draw changed, so that
      // a page watching a fast search costs the machine little.
      for (const draw of [drawSummary, drawTable, drawRunning, drawFailed, drawDetails]) draw(state);
      if (touched.finished) for (const draw of [drawHistory, drawParallel, drawSlice, drawBrackets, drawPareto]) draw(state);
      if ([...touched.curves].some((id) => state.selected.has(id))) drawCurves(state);
    });
  }

  function drawSummary(state) {
    const trials = trialList(state);
    const best = bestOf(state);
    const count = (s) => trials.filter((t) => t.status === s).length;
    const card = (label, value, id) => el("div", { class: "card", "data-summary": id }, el("div", { class: "muted" }, label), el("h3", {}, value));
    state.nodes.summary.replaceChildren(...[
      card("best " + state.study.objective.name, best ? `${C.formatValue(best.score)} (trial ${best.trial_id})` : "–", "best"),
      card("trials", String(trials.length), "trials"),
      card("running", String(count("RUNNING")), "running"),
      card("completed / stopped", `${count("COMPLETED")} / ${count("STOPPED")}`, "done"),
      card("failed", String(count("FAILED")), "failed"),
      state.study.pareto ? card("Pareto front", `${state.study.front.length} trials`, "front") : null,
      (state.study.constraints || []).length || count("INFEASIBLE")
        ? card("infeasible", `${Object.keys(state.study.broken).length} (${count("INFEASIBLE")} never trained)`, "infeasible") : null].filter(Boolean));
  }

  function drawPareto(state) {
    if (!state.charts.pareto) return;
    const study = studyNow(state);
    state.charts.pareto.setOption(C.pareto(study, state.paretoAxes.x, state.paretoAxes.y), { notMerge: true });
    const hv = C.hypervolume(study);
    if (state.charts.hypervolume && hv) state.charts.hypervolume.setOption(hv, { notMerge: true });
  }

  function drawHistory(state) {
    state.charts.history.setOption(C.history(studyNow(state)), { notMerge: true });
  }

  function drawParallel(state) {
    const { ids, option } = C.parallel(studyNow(state));
    // Redrawing would drop the user's brushed ranges: only when the lines changed.
    const drawn = ids.join(",");
    state.parallelIds = ids;
    if (state.parallelDrawn === drawn) return;
    state.parallelDrawn = drawn;
    state.charts.parallel.setOption(option, { notMerge: true });
  }

  function drawSlice(state) {
    if (!state.sliceName) return;
    state.charts.slice.setOption(C.slice(studyNow(state), state.sliceName), { notMerge: true });
  }

  function drawCurves(state) {
    const metrics = C.curveMetrics(state.curves, state.study.objective.name);
    if (!state.metric || !metrics.includes(state.metric)) state.metric = metrics[0] || null;
    const select = state.nodes.metricSelect;
    if (select.options.length !== metrics.length) {
      select.replaceChildren(...metrics.map((m) => el("option", { value: m, selected: m === state.metric }, m)));
    }
    if (!state.metric) return;
    state.charts.curves.setOption(C.curves(state.curves, state.metric, [...state.selected]), { notMerge: true });
  }

  function drawRunning(state) {
    const running = trialList(state).filter((t) => t.status === "RUNNING");
    state.nodes.running.replaceChildren(running.length
      ? el("p", {}, running.map((t) => el("span", { class: "pill", "data-running": t.trial_id }, `trial ${t.trial_id} · started ${when(t.started_at)}`)))
      : el("p", { class: "muted" }, state.study.running ? "Between trials." : "No trial is running."));
    const metric = state.metric || state.study.objective.name;
    state.charts.running.setOption(C.curves(state.curves, metric, running.map((t) => t.trial_id)), { notMerge: true });
  }

  function drawFailed(state) {
    const failed = trialList(state).filter((t) => t.status === "FAILED" || t.status === "INVALID");
    state.nodes.failed.replaceChildren(...(failed.length ? failed.map((t) => el("details", { "data-failed": t.trial_id },
      el("summary", {}, `trial ${t.trial_id} · ${t.status.toLowerCase()}${t.attempts > 1 ? ` after ${t.attempts} attempts` : ""}`),
      el("pre", { class: "traceback" }, t.error || "(no traceback stored)"))) : [el("p", { class: "muted" }, "None.")]));
  }

  function drawBrackets(state) {
    if (!state.charts.brackets) return;
    const study = studyNow(state);
    state.charts.brackets.setOption(C.brackets(study), { notMerge: true });
    const rungs = new Map();
    for (const t of study.trials) {
      const b = t.values["tuner/bracket"];
      if (b === undefined) continue;
      const key = `${b}/${t.values["tuner/round"]}`;
      const r = rungs.get(key) || { bracket: b, round: t.values["tuner/round"], epochs: t.values["tuner/epochs"], trials: 0, finished: 0, promoted: 0 };
      r.trials += 1;
      if (C.FINISHED.has(t.status)) r.finished += 1;
      if (t.values["tuner/trial_id"] !== undefined) r.promoted += 1;
      rungs.set(key, r);
    }
    const rows = [...rungs.values()].sort((a, b) => b.bracket - a.bracket || a.round - b.round);
    state.nodes.bracketTable.replaceChildren(el("table", {}, el("thead", {}, el("tr", {},
      ["bracket", "round", "epochs", "trials", "finished", "promoted into it"].map((h) => el("th", {}, h)))),
      el("tbody", {}, rows.map((r) => el("tr", {}, [r.bracket, r.round, r.epochs, r.trials, r.finished, r.promoted].map((v) => el("td", { class: "num" }, C.formatValue(v))))))));
  }

  async function loadImportance(state) {
    state.nodes.importance.textContent = "Fitting the importance model…";
    let doc;
    try { doc = await api("importance", { project: state.key }); } catch (e) { state.nodes.importance.textContent = e.message; return; }
    if (view !== state) return;
    if (doc.message) { state.nodes.importance.textContent = doc.message; return; }
    state.nodes.importance.replaceChildren(`From ${doc.trials} finished trials (random forest, permutation importance).`,
      ...(doc.caveat ? [" ", el("strong", { class: "caveat", "data-caveat": "" }, `Shares ${doc.caveat}.`)] : []));
    state.charts.importance.setOption(C.importance(doc), { notMerge: true });
  }

  /* ------------------------------------------------------ two studies, side by side */
  async function showCompare(a, b) {
    const state = { kind: "compare" };
    view = state;
    liveBadge.hidden = true;
    crumbs.replaceChildren(el("a", { href: "#/" }, "studies"), " / compare");
    let docs;
    try { docs = await Promise.all([api("study", { project: a }), api("study", { project: b })]); } catch (e) {
      app.replaceChildren(el("p", { class: "banner" }, e.message)); return;
    }
    if (view !== state) return;
    const box = el("div", { class: "chart", "data-chart": "compare" });
    const column = (doc) => {
      const best = doc.best && doc.trials.find((t) => t.trial_id === doc.best.trial_id);
      return el("div", { class: "card", "data-compare": doc.key },
        el("h3", {}, el("a", { href: studyLink(doc.key) }, doc.key)),
        el("dl", { class: "kv" },
          el("dt", {}, "algorithm"), el("dd", {}, doc.algorithm || "–"),
          el("dt", {}, "objective"), el("dd", {}, `${doc.objective.name} (${doc.objective.direction})`),
          el("dt", {}, "trials"), el("dd", {}, String(doc.trials.length)),
          el("dt", {}, "best"), el("dd", {}, doc.best ? `${C.formatValue(doc.best.score)} (trial ${doc.best.trial_id})` : "–")),
        best ? el("div", {}, el("h3", {}, "Best configuration"), el("dl", { class: "kv" },
          Object.entries(best.values).filter(([k]) => !k.startsWith("tuner/")).map(([k, v]) => [el("dt", {}, k), el("dd", {}, C.formatValue(v))]))) : null);
    };
    const sameObjective = docs[0].objective.name === docs[1].objective.name && docs[0].objective.direction === docs[1].objective.direction;
    app.replaceChildren(el("h2", {}, `${a} and ${b}`), el("div", { class: "grid2" }, column(docs[0]), column(docs[1])),
      el("h2", {}, "Best so far"), sameObjective ? box : el("p", { class: "muted" }, "The two studies optimise different objectives; their scores are not comparable."));
    if (sameObjective) chart(box).setOption(C.compareHistory(docs));
    document.body.dataset.ready = "compare";
  }

  /* ------------------------------------------------------------------ routing */
  function route() {
    if (view && view.timer) clearTimeout(view.timer);
    if (view && view.charts) for (const c of Object.values(view.charts)) c.dispose();
    delete document.body.dataset.ready;
    const parts = location.hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
    if (parts[0] === "study" && parts[1] !== undefined) showStudy(parts.slice(1).join("/"));
    else if (parts[0] === "compare" && parts.length >= 3) showCompare(parts[1], parts[2]);
    else showList();
  }

  window.addEventListener("hashchange", route);
  window.addEventListener("error", (e) => showError(`Page error: ${e.message}`));
  route();
})();
