// KPI board (大屏): every figure read from stored records through the APIs, kept current from the
// live feed. An event first moves what can be counted here (a new call adds one to today's calls
// and to its type's bar), then marks which aggregates it touched; those are read again together,
// at most about once a second however many events arrive (a busy evening sends dozens a second).
// The help-service tiles count what the Kangbashi article counts (found cars, returned items,
// found people, breakdowns helped) from GET /services/stats, for today and for this year.
import { api, el, $, t, half, pct, fmtSecs, fmtTime, todayStart, yearStart, typeName, chartTooltip } from "./core.js";
import { loadAlerts } from "./crowd.js";
import { addTexts, lang } from "./i18n.js";
import { onLive } from "./live.js";
import { chartIn } from "./charts.js";
import { inWall, wallButton } from "./wall.js";

addTexts({
  kpi_svc_car_finding: "找车", kpi_svc_lost_found: "遗失物品", kpi_svc_missing: "走失人员", kpi_svc_breakdown: "车辆故障",
  kpi_updated: "更新于", kpi_live_note: "随实时推送自动更新",
}, {
  kpi_svc_car_finding: "Car finding", kpi_svc_lost_found: "Lost property", kpi_svc_missing: "Missing people", kpi_svc_breakdown: "Breakdowns",
  kpi_updated: "updated", kpi_live_note: "updates itself from the live feed",
});

// [tile id, service name key, the /services/stats figure, what it counts]
const SERVICES = [
  ["cars_found", "kpi_svc_car_finding", "cars_found", "svc_cars_found"],
  ["items_returned", "kpi_svc_lost_found", "items_returned", "svc_items_returned"],
  ["missing_found", "kpi_svc_missing", "missing_found", "svc_missing_found"],
  ["breakdowns_helped", "kpi_svc_breakdown", "breakdowns_helped", "svc_breakdowns_helped"],
];
/** Which aggregates an event family can change (the live event's type prefix). */
const TOUCHES = { incident: ["response", "chart", "tiers", "planned"], lost_found: ["services"], missing: ["services"],
  breakdown: ["services"], parking: ["services"], crowd: ["alerts"] };
const ALL = ["response", "services", "alerts", "chart", "tiers", "planned"];
const MIN_GAP_MS = 1000; // aggregates read again at most this often
const SETTLE_MS = 150; // a burst of events (one dispatch sends several) is read as one

let chart = null;
let loads = 0;
/** The tiles drawn last, by group, so one group is redrawn without reading the others. */
const groups = { response: [], services: [], alerts: [] };
/** Figures counted locally between reads: by type, today's calls. */
const byType = { codes: [], counts: [] };
const pending = new Set();
let timer = null;
let lastRead = 0;
export const kpiLive = { events: 0, reads: 0 }; // read by the browser tests

const tile = (key, value, na = false, id = null, sub = null) =>
  el("div", { class: "tile" + (na ? " na" : ""), "data-kpi": id || key }, el("div", { class: "k" }, key), el("div", { class: "v" }, value),
    sub ? el("div", { class: "s" }, sub) : "");
const num = (v) => (v == null ? "-" : String(v));
/** Median time to return: minutes under an hour, else hours. */
const hours = (h) => (h == null ? "-" : h < 1 ? `${Math.round(h * 60)} ${t("minutes_unit")}` : `${h} ${t("hours")}`);
const visible = () => !$("#view-kpi").hidden;

/** The response tiles: today's calls, arrivals and the 1-3-5 compliance, each with its clock. */
async function responseTiles(since) {
  try {
    const rep = await api(`/api/v1/reports/response?by=all&since=${encodeURIComponent(since)}`);
    const r = rep.rows[0];
    const fromCall = `${t("first_arrival")} · ${t("clock_call")}`; // the clock beside each figure
    const out = [tile(t("incidents_today"), r ? r.incidents : 0, false, "incidents"), tile(t("responded"), r ? r.responded : 0, false, "responded"),
      tile(t("overridden"), r ? r.overridden : 0, false, "overridden")];
    for (const [code, label] of [["tier1", "1"], ["tier3", "3"], ["tier5", "5"]]) {
      out.push(tile(`${t("compliance")} ≤${label}′`, r ? pct(r.within[code]) : "-", false, code, fromCall));
    }
    out.push(tile(t("p50"), r ? fmtSecs(r.p50_s) : "-", false, "p50", fromCall), tile(t("p90"), r ? fmtSecs(r.p90_s) : "-", false, "p90", fromCall));
    return out;
  } catch (e) { return [tile(t("compliance"), half(e.message), true)]; }
}

/** The help-service tiles: today's figure large, this year's beneath; the raw values as data-*. */
async function serviceTiles() {
  const periods = { today: todayStart(), year: yearStart() };
  const box = $("#kpi-tiles");
  let today, year;
  try {
    [today, year] = await Promise.all(Object.values(periods).map((since) => api(`/api/v1/services/stats?since=${encodeURIComponent(since)}`)));
  } catch (e) { return [tile(t("help_services"), half(e.message), true, "services")]; }
  box.dataset.statsToday = periods.today; box.dataset.statsYear = periods.year;
  const out = SERVICES.map(([id, name, field, what]) => {
    const x = tile(`${t(name)} · ${t(what)}`, num(today[field]), false, id, `${t("this_year")} ${num(year[field])}`);
    x.dataset.today = num(today[field]); x.dataset.year = num(year[field]);
    return x;
  });
  const rate = tile(`${t("kpi_svc_lost_found")} · ${t("return_rate")}`, pct(today.return_rate), false, "return_rate", `${t("this_year")} ${pct(year.return_rate)}`);
  rate.dataset.today = num(today.return_rate); rate.dataset.year = num(year.return_rate);
  const ttr = tile(`${t("kpi_svc_lost_found")} · ${t("time_to_return")}`, hours(today.time_to_return_h_median), false, "time_to_return",
    `${t("this_year")} ${hours(year.time_to_return_h_median)}`);
  ttr.dataset.today = num(today.time_to_return_h_median); ttr.dataset.year = num(year.time_to_return_h_median);
  out.splice(2, 0, rate, ttr);
  return out;
}

async function alertTiles(since) {
  try {
    const alerts = await api(`/api/v1/crowd/alerts?since=${encodeURIComponent(since)}&limit=1`);
    return [tile(t("alerts_today"), alerts.total, false, "alerts")];
  } catch (e) { return [tile(t("alerts_today"), half(e.message), true, "alerts")]; }
}

/** Put the tile groups on the wall; every redraw is counted (tests wait on data-loads). */
function drawTiles() {
  const box = $("#kpi-tiles");
  box.replaceChildren(...groups.response, ...groups.services, ...groups.alerts);
  box.dataset.loads = String(++loads);
  const stamp = $("#kpi-updated");
  stamp.textContent = `${t("kpi_updated")} ${fmtTime(new Date().toISOString())} · ${t("kpi_live_note")}`;
}

/** Today's calls by type; counts are whole numbers, so the axis steps by whole numbers. */
function drawChart() {
  chart = chart || window.echarts.init($("#kpi-chart"));
  const ink = inWall() ? "#e8eefc" : "#333"; // readable on the wall's dark ground
  chart.setOption({ animation: false, tooltip: chartTooltip(), textStyle: { color: ink }, grid: { containLabel: true, left: 8, right: 8, top: 16, bottom: 8 },
    xAxis: { type: "category", data: byType.codes.map(typeName), axisLabel: { color: ink, interval: 0, rotate: byType.codes.length > 6 ? 30 : 0 } },
    yAxis: { type: "value", minInterval: 1, axisLabel: { color: ink } },
    series: [{ type: "bar", data: byType.counts, label: { show: true, position: "top", color: ink } }] }, true);
  $("#kpi-chart").dataset.counts = JSON.stringify(Object.fromEntries(byType.codes.map((c, i) => [c, byType.counts[i]])));
}
async function readChart(since) {
  try {
    const rep = await api(`/api/v1/reports/response?by=type&since=${encodeURIComponent(since)}`);
    const rows = rep.rows.filter((r) => r.group !== "all");
    byType.codes = rows.map((r) => r.group); byType.counts = rows.map((r) => r.incidents);
    chart = await chartIn($("#kpi-chart")); // ECharts arrives with the first chart drawn
    drawChart();
  } catch { /* role without reports */ }
}

/** A tier row's group as a reader says it: area types by name, shifts and hours in words. */
const named = (x) => (lang === "zh" ? x.name_zh : x.name_en || x.name_zh);
function groupName(rep, group) {
  if (group === "all") return t("group_all");
  if (rep.by === "area_type" && rep.area_types[group]) return named(rep.area_types[group]);
  if (rep.by === "shift") return t(`shift_${group}`);
  if (rep.by === "hour") return `${group}${t("hour_suffix")}`;
  return group;
}

/** The tiered 1-3-5 table: each share and P90 with the clock it runs on in its heading. */
async function tierTable(since) {
  const box = $("#kpi-tiers");
  const by = $("#kpi-tiers-by").value || "tier";
  let rep;
  try {
    rep = await api(`/api/v1/reports/response/tiers?by=${encodeURIComponent(by)}&since=${encodeURIComponent(since)}`);
  } catch (e) { box.replaceChildren(el("p", { class: "hint" }, half(e.message))); return; }
  box.dataset.periodStart = since; box.dataset.by = by;
  const tiers = Object.fromEntries(rep.tiers.map((x) => [x.code, x]));
  const clock = (c) => (lang === "zh" ? `（${t(`clock_${c}`)}）` : ` (${t(`clock_${c}`)})`);
  const head = el("tr", {}, ...[t("tier_col"), t("group_col"), t("applies"), t("measured"), t("not_reached"), t("by_override"),
    t("met") + clock("call"), t("met") + clock("dispatch"), "P90" + clock("call"), "P90" + clock("dispatch"), t("pending_col")].map((h) => el("th", {}, h)));
  const rows = rep.rows.filter((r) => r.incidents > 0 || r.group === "all").map((r) => el("tr",
    { "data-tier": r.tier, "data-group": r.group, "data-incidents": String(r.incidents),
      "data-met-call": r.met_from_call ?? "", "data-met-dispatch": r.met_from_dispatch ?? "" },
    el("td", {}, tiers[r.tier] ? named(tiers[r.tier]) : r.tier), el("td", {}, groupName(rep, r.group)), el("td", {}, r.incidents),
    el("td", {}, r.measured), el("td", {}, r.not_reached), el("td", {}, r.overridden), el("td", {}, pct(r.met_from_call)),
    el("td", {}, pct(r.met_from_dispatch)), el("td", {}, fmtSecs(r.p90_from_call_s)), el("td", {}, fmtSecs(r.p90_from_dispatch_s)), el("td", {}, r.pending)));
  box.replaceChildren(el("table", {}, el("thead", {}, head), el("tbody", {}, ...rows)));
  box.dataset.loads = String(Number(box.dataset.loads || 0) + 1);
}

/** Planned vs realized per tier (GET /deployment/realized): the plan's expected coverage
 * beside the share of today's calls first reached in time, with the clock in the note. */
async function plannedTable(since) {
  const box = $("#kpi-planned");
  let rep;
  try {
    rep = await api(`/api/v1/deployment/realized?since=${encodeURIComponent(since)}`);
  } catch (e) { box.replaceChildren(el("p", { class: "hint" }, half(e.message))); return; }
  box.dataset.periodStart = since;
  const points = (d) => (d == null ? "-" : `${d > 0 ? "+" : ""}${d.toFixed(1)}`);
  const head = el("tr", {}, ...[t("tier_col"), t("planned_col"), t("realized_col"), t("diff_col"), t("all_free_col")].map((h) => el("th", {}, h)));
  const rows = rep.tiers.map((x) => el("tr", { "data-tier": x.code, "data-planned": x.planned ?? "", "data-realized": x.realized ?? "" },
    el("td", {}, `≤${Math.round(x.seconds / 60)}′`), el("td", {}, pct(x.planned)), el("td", {}, pct(x.realized)),
    el("td", {}, points(x.diff_points)), el("td", {}, pct(rep.deterministic[x.code]))));
  const counts = el("p", { class: "hint" }, `${t("planned_calls")} ${rep.incidents} · ${t("planned_with_plan")} ${rep.with_plan} · ${t("planned_verified")} ${rep.verified}`);
  box.replaceChildren(counts, rep.with_plan ? el("table", {}, el("thead", {}, head), el("tbody", {}, ...rows)) : el("p", { class: "hint" }, t("planned_none")));
  box.dataset.loads = String(Number(box.dataset.loads || 0) + 1);
}

/** Read the named aggregates again (all of them when the view opens) and redraw them. */
async function refresh(parts) {
  const since = todayStart();
  kpiLive.reads++;
  const jobs = [];
  const tiles = [];
  if (parts.has("response")) tiles.push(responseTiles(since).then((x) => { groups.response = x; }));
  if (parts.has("services")) tiles.push(serviceTiles().then((x) => { groups.services = x; }));
  if (parts.has("alerts")) { tiles.push(alertTiles(since).then((x) => { groups.alerts = x; })); jobs.push(loadAlerts("#kpi-alerts")); }
  if (parts.has("chart")) jobs.push(readChart(since));
  if (parts.has("tiers")) jobs.push(tierTable(since));
  if (parts.has("planned")) jobs.push(plannedTable(since));
  if (tiles.length) jobs.push(Promise.all(tiles).then(drawTiles));
  await Promise.all(jobs);
}

/** Read the pending aggregates now, or as soon as a second has passed since the last read. */
function schedule() {
  if (timer) return;
  const wait = Math.max(SETTLE_MS, lastRead + MIN_GAP_MS - Date.now());
  timer = setTimeout(() => {
    timer = null;
    if (!visible()) return; // read in full when the view opens again
    const parts = new Set(pending);
    pending.clear();
    lastRead = Date.now();
    refresh(parts).catch((e) => console.error(e)).finally(() => { if (pending.size) schedule(); });
  }, wait);
}

/** Count what an event says at once, where the wall can: a new call adds to today's figures. */
function countLocally(type, e) {
  if (type !== "incident.received" || !groups.response.length) return;
  const since = new Date(todayStart());
  if (e.at && new Date(e.at) < since) return;
  const v = $('#kpi-tiles [data-kpi="incidents"] .v');
  if (v && /^\d+$/.test(v.textContent)) v.textContent = String(Number(v.textContent) + 1);
  if (!chart || !e.type) return;
  const i = byType.codes.indexOf(e.type);
  if (i < 0) { byType.codes.push(e.type); byType.counts.push(1); } else byType.counts[i]++;
  drawChart();
}

onLive((type, e) => {
  if (type === "resync") { ALL.forEach((p) => pending.add(p)); } else {
    const touched = TOUCHES[type.split(".", 1)[0]];
    if (!touched) return;
    kpiLive.events++;
    touched.forEach((p) => pending.add(p));
  }
  if (!visible()) return;
  countLocally(type, e);
  schedule();
});

export async function showKpi() {
  const pick = $("#kpi-tiers-by");
  if (!pick.dataset.bound) {
    pick.dataset.bound = "1";
    pick.addEventListener("change", () => tierTable(todayStart()));
    wallButton($("#kpi-wall-btn"), () => { if (chart) { drawChart(); resizeKpi(); } });
  }
  pending.clear();
  lastRead = Date.now();
  await refresh(new Set(ALL));
}
export const resizeKpi = () => chart && chart.resize();
