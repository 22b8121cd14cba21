// Deployment view (勤务部署): a shift's plan on the road map — posts by unit kind and patrol
// loops — with its coverage per 1/3/5-minute tier, status, exports, approval (commanders),
// re-planning with before/after, and "make a plan" when there is none. Figures come from the
// stored plan (/api/v1/deployment/plans); nothing is computed here but labels.
import { api, post, el, $, t, half, kindName, fmtTime, pct, session, saveFile, dateIn, timeIn, chartTooltip } from "./core.js";
import { addTexts, word, serverText } from "./i18n.js";
import { baseMap, cached, KIND_COLOR, KIND_RADIUS } from "./map.js";
import { loadEcharts } from "./charts.js";
import { labelControls } from "./map-controls.js";
import { modelName } from "./crowd.js";

// Solvers (deployment/coverage.py) and where a plan's crowds came from (deployment/service.py).
addTexts({
  deploy_solver_highs: "精确求解（HiGHS）", deploy_solver_greedy_swap: "启发式求解（贪心交换）",
  deploy_source_typical_profile: "典型日客流", deploy_source_replan: "重新布警时输入的人数", deploy_source_forecast: "客流预测（{model}）",
  deploy_loop_length: "{km} 公里，一圈约 {min} 分钟",
}, {
  deploy_solver_highs: "exact (HiGHS)", deploy_solver_greedy_swap: "heuristic (greedy swap)",
  deploy_source_typical_profile: "a typical day", deploy_source_replan: "the figures entered for the re-plan", deploy_source_forecast: "the forecast ({model})",
  deploy_loop_length: "{km} km, about {min} min a round",
});
/** "typical_profile", "replan" or "forecast:<model>" in words. */
function sourceName(code) {
  if (!code) return "-";
  const [kind, model] = String(code).split(":");
  return kind === "forecast" && model ? t("deploy_source_forecast").replace("{model}", modelName(model)) : word("deploy_source_", code);
}

const L = window.L;
const BASE = "/api/v1/deployment/plans";
const can = (...roles) => roles.includes(session.user.role);
let map = null, renderer = null, layer = null, chart = null, mapReady = null;
let catalogue = null; // shifts and the city's zone
let shown = null; // the plan on screen
const compared = new Map(); // new plan id -> the re-plan answer and the plan it came from

async function shiftCatalogue() {
  catalogue = catalogue || await cached("/api/v1/catalogue/shifts");
  return catalogue;
}
const shiftName = (code) => {
  const s = catalogue && catalogue.shifts.find((x) => x.code === code);
  return s ? half(`${s.name_zh} / ${s.name_en}`) : code;
};
/** The shift running now in the city's zone (a shift may cross midnight). */
function currentShift() {
  const now = timeIn(catalogue.timezone);
  const s = catalogue.shifts.find((x) => (x.start <= x.end ? x.start <= now && now < x.end : now >= x.start || now < x.end));
  return s ? s.code : catalogue.shifts[0].code;
}

/** "tier3" -> "≤3′"; a "_backup" key (second unit in reach) says so. */
function tierLabel(key) {
  const m = /^tier(\d+)(_backup)?$/.exec(key);
  if (!m) return key;
  return `≤${m[1]}${t("minutes")}${m[2] ? " · " + t("backup") : ""}`;
}

/** Today's approved plan first (the running shift's before others), then today's newest, then the newest. */
function pick(items) {
  const today = dateIn(catalogue.timezone), shift = currentShift();
  const rank = (p) => (p.plan_date === today ? 0 : 4) + (p.status === "approved" ? 0 : 2) + (p.shift_code === shift ? 0 : 1);
  return [...items].sort((a, b) => rank(a) - rank(b) || b.id - a.id)[0];
}

export async function showDeploy(planId = null) {
  const box = $("#deploy-body");
  await shiftCatalogue();
  let page;
  try { page = await api(`${BASE}?limit=100`); } catch (e) { box.replaceChildren(serverText(el("p", { class: "error" }), e.message)); return; }
  if (!page.items.length) { $("#deploy-main").hidden = true; box.replaceChildren(...emptyState()); return; }
  const chosen = page.items.find((p) => p.id === (planId ?? shown?.id)) || pick(page.items);
  const picker = el("select", { id: "deploy-plan", onchange: (ev) => showDeploy(Number(ev.target.value)) },
    page.items.map((p) => el("option", { value: p.id, selected: p.id === chosen.id },
      `${p.plan_date} ${shiftName(p.shift_code)} v${p.version} · ${t("plan_" + p.status)}`)));
  let plan, geo;
  try { [plan, geo] = await Promise.all([api(`${BASE}/${chosen.id}`), api(`${BASE}/${chosen.id}/geojson`)]); }
  catch (e) { box.replaceChildren(serverText(el("p", { class: "error" }), e.message)); return; }
  shown = plan;
  box.replaceChildren(el("div", { class: "deploy-bar" }, el("label", {}, t("plan"), " ", picker), ...actions(plan)),
    status(plan), el("p", { class: "error", id: "deploy-error", role: "alert" }));
  $("#deploy-main").hidden = false;
  await drawMap(plan, geo);
  await loadEcharts();
  drawCoverage(plan);
  drawReplan(plan);
  drawUnplaced(plan);
}

function emptyState() {
  const parts = [el("p", { class: "note", id: "deploy-none" }, t("no_plan"))];
  if (can("dispatcher", "commander")) parts.push(makeForm());
  else parts.push(el("p", { class: "hint" }, t("no_plan_ask")));
  return parts;
}

/** Date (today in the city's zone) and shift (the running one); POST /plans makes the draft. */
function makeForm() {
  const shiftSel = el("select", { name: "shift" }, catalogue.shifts.map((s) =>
    el("option", { value: s.code, selected: s.code === currentShift() }, `${half(`${s.name_zh} / ${s.name_en}`)} ${s.start}–${s.end}`)));
  const note = el("span", { class: "hint", role: "status" });
  const f = el("form", { id: "make-plan", class: "inline" },
    el("label", {}, t("date"), " ", el("input", { type: "date", name: "date", value: dateIn(catalogue.timezone), required: true })),
    el("label", {}, t("shift"), " ", shiftSel), el("button", { type: "submit" }, t("make_plan")), " ", note);
  f.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    note.textContent = t("making"); f.querySelector("button").disabled = true;
    try {
      const plan = await post(BASE, { date: f.elements.date.value, shift: f.elements.shift.value });
      await showDeploy(plan.id);
    } catch (e) { serverText(note, e.message); note.className = "error"; f.querySelector("button").disabled = false; }
  });
  return f;
}

function actions(plan) {
  const out = [];
  if (plan.status === "draft" && can("commander")) {
    out.push(el("button", { id: "approve-btn", onclick: () => act(() => post(`${BASE}/${plan.id}/approve`), plan.id) }, t("approve")));
  }
  if (can("dispatcher", "commander")) {
    out.push(el("button", { id: "new-plan-btn", type: "button", onclick: (ev) => { ev.target.replaceWith(makeForm()); } }, t("make_plan")));
  }
  const files = [["export.csv", "CSV"], ["export.pdf", "PDF"], ["geojson", "GeoJSON"]];
  out.push(el("span", { class: "exports" }, t("export"), " ", ...files.flatMap(([path, label], k) => {
    const name = `deployment-plan-${plan.id}.${path.replace("export.", "")}`;
    const link = el("a", { href: `${BASE}/${plan.id}/${path}`, "data-export": label, onclick: (ev) => {
      ev.preventDefault();
      saveFile(`${BASE}/${plan.id}/${path}`, name).catch((e) => { serverText($("#deploy-error"), e.message); });
    } }, label);
    return k ? [" · ", link] : [link];
  })));
  return out;
}

async function act(call, id) {
  try { await call(); await showDeploy(id); } catch (e) { serverText($("#deploy-error"), e.message); }
}

function status(plan) {
  const bits = [el("b", { id: "plan-status", class: "st-" + plan.status }, t("plan_" + plan.status)),
    ` · ${t("version")} v${plan.version} · ${plan.plan_date} ${shiftName(plan.shift_code)}`,
    ` · ${t("made_by")} ${plan.created_by} ${fmtTime(plan.created_at)}`];
  if (plan.approved_by) bits.push(el("span", { id: "plan-approver" }, ` · ${t("approved_by")} ${plan.approved_by} ${fmtTime(plan.approved_at)}`));
  if (plan.based_on_id) bits.push(` · ${t("based_on")} #${plan.based_on_id}`);
  const gap = `${(100 * plan.gap).toFixed(2)}%`;
  return el("p", { class: "plan-status" }, ...bits,
    el("br"), el("span", { class: "hint" }, `${t("posts")} ${plan.posts.length} · ${t("solver")} ${word("deploy_solver_", plan.solver)} · ${t("gap")} ${gap}`
      + ` · ${t("crowd_source")} ${sourceName(plan.detail.crowd_source)}`));
}

async function drawMap(plan, geo) {
  if (!mapReady) {
    mapReady = Promise.all([baseMap("deploy-map"), cached("/api/v1/geo/key-areas")]).then(([b, areas]) => {
      ({ map, renderer } = b);
      L.geoJSON(areas, { renderer, interactive: false, style: () => ({ color: "#555", weight: 1, fillOpacity: 0.08, fillColor: "#13315c" }) }).addTo(map);
      layer = L.layerGroup().addTo(map);
    });
  }
  await mapReady;
  map.invalidateSize();
  labelControls(map);
  layer.clearLayers();
  const moved = new Map(((compared.get(plan.id) || {}).moves || []).map((m) => [m.unit_id, m]));
  const points = [];
  for (const f of geo.features) {
    const p = f.properties;
    if (p.kind === "patrol_loop") {
      L.polyline(f.geometry.coordinates.map(([x, y]) => [y, x]), { renderer, color: KIND_COLOR.foot_patrol, weight: 2, opacity: 0.8, dashArray: "5 4" })
        .bindTooltip(el("span", {}, `${p.call_sign} · ${t("loop")} ${t("deploy_loop_length")
          .replace("{km}", (p.length_m / 1000).toFixed(1)).replace("{min}", Math.round(p.duration_s / 60))}`)).addTo(layer);
    }
  }
  for (const f of geo.features) {
    const p = f.properties;
    if (p.kind !== "post") continue;
    const [lon, lat] = f.geometry.coordinates;
    points.push([lat, lon]);
    const m = moved.get(p.unit_id);
    if (m) {
      L.polyline([[m.from_lat, m.from_lon], [lat, lon]], { renderer, color: "#b3261e", weight: 2, dashArray: "2 4" }).addTo(layer);
      L.circleMarker([m.from_lat, m.from_lon], { renderer, radius: 4, color: "#b3261e", weight: 1, fillOpacity: 0 }).addTo(layer);
    }
    L.circleMarker([lat, lon], { renderer, radius: (KIND_RADIUS[p.unit_kind] || 5) + 1, color: m ? "#b3261e" : "#fff", weight: m ? 3 : 1.5,
      fillColor: KIND_COLOR[p.unit_kind] || "#333", fillOpacity: 0.95 })
      .bindTooltip(el("span", {}, `${p.call_sign} · ${kindName(p.unit_kind)} · ${half(p.site_name)}`)).addTo(layer);
  }
  if (points.length) map.fitBounds(points, { padding: [30, 30], maxZoom: 16 });
  const box = $("#deploy-map"); // what is drawn, readable without looking into the canvas
  box.dataset.plan = plan.id; box.dataset.posts = points.length;
  box.dataset.loops = geo.features.filter((f) => f.properties.kind === "patrol_loop").length; box.dataset.moved = moved.size;
  const kinds = [...new Set(plan.posts.map((p) => p.unit_kind))];
  $("#deploy-legend").replaceChildren(...kinds.map((k) => el("span", { "data-kind": k }, el("i", { style: `background:${KIND_COLOR[k] || "#333"}` }),
    `${kindName(k)} ${plan.posts.filter((p) => p.unit_kind === k).length}`)),
  el("span", {}, el("i", { style: `background:${KIND_COLOR.foot_patrol};border-radius:0;height:.2rem` }), t("loop")));
}

function drawCoverage(plan) {
  const keys = Object.keys(plan.coverage);
  const cmp = compared.get(plan.id);
  const exp = plan.expected_coverage;  // older plans have none
  const head = [el("th", {}, t("tier")), el("th", {}, t("coverage"))];
  if (exp) head.push(el("th", { title: t("expected_note") }, t("expected")));
  if (cmp) head.push(el("th", {}, t("before")), el("th", {}, t("after")));
  $("#deploy-coverage").replaceChildren(el("thead", {}, el("tr", {}, head)), el("tbody", {}, keys.map((k) => {
    const cells = [el("td", {}, tierLabel(k)), el("td", { "data-tier": k, "data-share": plan.coverage[k] }, pct(plan.coverage[k]))];
    if (exp) cells.push(el("td", { "data-expected": k, "data-share": exp[k] }, pct(exp[k])));
    if (cmp) {
      const b = cmp.coverage_before[k], a = cmp.coverage_after[k];
      cells.push(el("td", { "data-before": k }, pct(b)), el("td", { "data-after": k, class: a >= b ? "up" : "down" }, `${pct(a)} (${a >= b ? "+" : ""}${Math.round((a - b) * 1000) / 10})`));
    }
    return el("tr", {}, cells);
  })));
  const areas = Object.entries(plan.detail.coverage_by_area || {});
  cached("/api/v1/geo/key-areas").then((g) => {
    const names = Object.fromEntries(g.features.map((f) => [f.properties.code, half(`${f.properties.name_zh} / ${f.properties.name_en}`)]));
    $("#deploy-areas").replaceChildren(el("thead", {}, el("tr", {}, el("th", {}, t("area")), keys.map((k) => el("th", {}, tierLabel(k))))),
      el("tbody", {}, areas.map(([a, shares]) => el("tr", {}, el("td", {}, a === "_other" ? t("other_area") : names[a] || a),
        keys.map((k) => el("td", {}, pct(shares[k])))))));
  }).catch(() => {});
  chart = chart || window.echarts.init($("#deploy-chart"));
  const series = cmp
    ? [{ name: t("before"), type: "bar", data: keys.map((k) => Math.round(cmp.coverage_before[k] * 1000) / 10) },
      { name: t("after"), type: "bar", data: keys.map((k) => Math.round(cmp.coverage_after[k] * 1000) / 10) }]
    : [{ name: t("coverage"), type: "bar", data: keys.map((k) => Math.round(plan.coverage[k] * 1000) / 10) }];
  chart.setOption({ animation: false, tooltip: chartTooltip(), legend: cmp ? { top: 0 } : undefined, grid: { left: 40, right: 10, top: cmp ? 30 : 10, bottom: 25 },
    xAxis: { type: "category", data: keys.map(tierLabel) }, yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } }, series }, true);
  chart.resize();
}

/** Crowds changed in one area: re-plan moving at most N units within M minutes, then compare. */
function drawReplan(plan) {
  const box = $("#deploy-replan");
  const cmp = compared.get(plan.id);
  const parts = [];
  if (cmp) {
    parts.push(el("h3", {}, t("replan_result")), el("p", { class: "hint" }, `${t("based_on")} #${cmp.from.id} v${cmp.from.version} · ${t("before_note")}`));
    parts.push(cmp.moves.length
      ? el("ul", { id: "replan-moves", class: "alerts" }, cmp.moves.map((m) => el("li", { "data-unit": m.unit_id },
        `${m.call_sign}: ${half(m.from_name)} → ${half(m.to_name)}`)))
      : el("p", { id: "replan-moves", class: "hint" }, t("no_moves")));
  }
  if (can("dispatcher", "commander") && plan.posts.length) {
    const crowds = plan.detail.crowds || {};
    const area = el("select", { name: "area" });
    const people = el("input", { name: "people", type: "number", min: 0, step: 100, required: true });
    cached("/api/v1/geo/key-areas").then((g) => {
      area.replaceChildren(...g.features.map((f) => el("option", { value: f.properties.code }, half(`${f.properties.name_zh} / ${f.properties.name_en}`))));
      people.value = Math.round(crowds[area.value] || 0);
    });
    area.addEventListener("change", () => { people.value = Math.round(crowds[area.value] || 0); });
    const note = el("p", { class: "hint", role: "status" });
    const f = el("form", { id: "replan-form" }, el("h3", {}, t("replan")),
      el("label", {}, t("area"), area), el("label", {}, t("area_people"), people),
      el("label", {}, t("max_moves"), el("input", { name: "max_moves", type: "number", min: 0, max: 500, placeholder: "3" })),
      el("label", {}, t("max_move_min"), el("input", { name: "max_move_min", type: "number", min: 1, max: 60, placeholder: "5" })),
      el("button", { type: "submit" }, t("replan")), note);
    f.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const body = { crowds: { [area.value]: Number(people.value) } };
      if (f.elements.max_moves.value) body.max_moves = Number(f.elements.max_moves.value);
      if (f.elements.max_move_min.value) body.max_move_s = 60 * Number(f.elements.max_move_min.value);
      note.textContent = t("replanning"); f.querySelector("button").disabled = true;
      try {
        const res = await post(`${BASE}/${plan.id}/replan`, body);
        const old = new Map(plan.posts.map((p) => [p.unit_id, p]));
        const now = new Map(res.plan.posts.map((p) => [p.unit_id, p]));
        const moves = (res.plan.detail.moves || []).map((m) => {
          const a = old.get(m.unit_id) || {}, b = now.get(m.unit_id) || {};
          return { ...m, from_name: a.site_name || m.from, to_name: b.site_name || m.to, from_lon: a.lon, from_lat: a.lat };
        }).filter((m) => m.from_lon != null);
        compared.set(res.plan.id, { from: plan, moves, coverage_before: res.coverage_before, coverage_after: res.coverage_after });
        await showDeploy(res.plan.id);
      } catch (e) { serverText(note, e.message); note.className = "error"; f.querySelector("button").disabled = false; }
    });
    parts.push(f);
  }
  box.replaceChildren(...parts);
}

function drawUnplaced(plan) {
  const list = plan.detail.unplaced || [];
  $("#deploy-unplaced").replaceChildren(...(list.length ? [el("h3", {}, `${t("unplaced")} ${list.length}`),
    el("ul", { class: "alerts" }, list.map((u) => el("li", {}, `${u.call_sign}: ${half(`${u.reason_zh} / ${u.reason_en}`)}`)))] : []));
}

export const resizeDeploy = () => { if (map) map.invalidateSize(); if (chart) chart.resize(); };
