// KPI board (大屏): every figure read from stored records through the APIs. The help-service
// tiles count what the Kangbashi article counts (found cars, returned items, found people,
// breakdowns helped) from GET /services/stats, for today and for this year.
import { api, el, $, t, half, pct, fmtSecs, todayStart, yearStart, typeName, chartTooltip } from "./core.js";
import { loadAlerts } from "./crowd.js";
import { lang } from "./i18n.js";
import { chartIn } from "./charts.js";

// [tile id, service name, the /services/stats figure, what it counts]
const SERVICES = [
  ["cars_found", "找车", "cars_found", "svc_cars_found"],
  ["items_returned", "遗失物品", "items_returned", "svc_items_returned"],
  ["missing_found", "走失人员", "missing_found", "svc_missing_found"],
  ["breakdowns_helped", "车辆故障", "breakdowns_helped", "svc_breakdowns_helped"],
];
let chart = null;
let loads = 0;

const tile = (key, value, na = false, id = null, sub = null) =>
  el("div", { class: "tile" + (na ? " na" : ""), "data-kpi": id || key }, el("div", { class: "k" }, key), el("div", { class: "v" }, value),
    sub ? el("div", { class: "s" }, sub) : "");
const num = (v) => (v == null ? "-" : String(v));
/** Median time to return: minutes under an hour, else hours. */
const hours = (h) => (h == null ? "-" : h < 1 ? `${Math.round(h * 60)} ${t("minutes_unit")}` : `${h} ${t("hours")}`);

/** The help-service tiles: today's figure large, this year's beneath; the raw values as data-*. */
async function serviceTiles() {
  const periods = { today: todayStart(), year: yearStart() };
  const box = $("#kpi-tiles");
  box.dataset.statsToday = periods.today; box.dataset.statsYear = periods.year;
  let today, year;
  try {
    [today, year] = await Promise.all(Object.values(periods).map((since) => api(`/api/v1/services/stats?since=${encodeURIComponent(since)}`)));
  } catch (e) { return [tile(t("help_services"), half(e.message), true, "services")]; }
  const out = SERVICES.map(([id, name, field, what]) => {
    const x = tile(`${name} · ${t(what)}`, num(today[field]), false, id, `${t("this_year")} ${num(year[field])}`);
    x.dataset.today = num(today[field]); x.dataset.year = num(year[field]);
    return x;
  });
  const rate = tile(`遗失物品 · ${t("return_rate")}`, pct(today.return_rate), false, "return_rate", `${t("this_year")} ${pct(year.return_rate)}`);
  rate.dataset.today = num(today.return_rate); rate.dataset.year = num(year.return_rate);
  const ttr = tile(`遗失物品 · ${t("time_to_return")}`, hours(today.time_to_return_h_median), false, "time_to_return",
    `${t("this_year")} ${hours(year.time_to_return_h_median)}`);
  ttr.dataset.today = num(today.time_to_return_h_median); ttr.dataset.year = num(year.time_to_return_h_median);
  out.splice(2, 0, rate, ttr);
  return out;
}

/** A name pair from the API in the page's language (Chinese first). */
const named = (x) => (lang === "zh" ? x.name_zh : x.name_en || x.name_zh);
/** A tier row's group as a reader says it: area types by name, shifts and hours in words. */
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
  box.dataset.since = since; box.dataset.by = by;
  let rep;
  try {
    rep = await api(`/api/v1/reports/response/tiers?by=${encodeURIComponent(by)}&since=${encodeURIComponent(since)}`);
  } catch (e) { box.replaceChildren(el("p", { class: "hint" }, half(e.message))); return; }
  const tiers = Object.fromEntries(rep.tiers.map((x) => [x.code, x]));
  const clock = (c) => (lang === "zh" ? `（${t(`clock_${c}`)}）` : ` (${t(`clock_${c}`)})`);
  const head = el("tr", {}, ...[t("tier_col"), t("group_col"), t("applies"), t("measured"), t("not_reached"), t("by_override"),
    t("met") + clock("call"), t("met") + clock("dispatch"), "P90" + clock("call"), "P90" + clock("dispatch"), t("pending_col")].map((h) => el("th", {}, h)));
  const rows = rep.rows.filter((r) => r.incidents > 0 || r.group === "all").map((r) => el("tr",
    { "data-tier": r.tier, "data-group": r.group, "data-incidents": String(r.incidents),
      "data-met-call": r.met_from_call ?? "", "data-met-dispatch": r.met_from_dispatch ?? "" },
    el("td", {}, `${r.tier} ${named(tiers[r.tier])}`), el("td", {}, groupName(rep, r.group)), el("td", {}, r.incidents),
    el("td", {}, r.measured), el("td", {}, r.not_reached), el("td", {}, r.overridden), el("td", {}, pct(r.met_from_call)),
    el("td", {}, pct(r.met_from_dispatch)), el("td", {}, fmtSecs(r.p90_from_call_s)), el("td", {}, fmtSecs(r.p90_from_dispatch_s)), el("td", {}, r.pending)));
  box.replaceChildren(el("table", {}, el("thead", {}, head), el("tbody", {}, ...rows)));
  box.dataset.loads = String(Number(box.dataset.loads || 0) + 1);
}

/** Planned vs realized per tier (GET /deployment/realized): the plan's expected coverage
 * beside the share of today's calls first reached in time, with the clock in the note. */
async function plannedTable(since) {
  const box = $("#kpi-planned");
  box.dataset.since = since;
  let rep;
  try {
    rep = await api(`/api/v1/deployment/realized?since=${encodeURIComponent(since)}`);
  } catch (e) { box.replaceChildren(el("p", { class: "hint" }, half(e.message))); return; }
  const points = (d) => (d == null ? "-" : `${d > 0 ? "+" : ""}${d.toFixed(1)}`);
  const head = el("tr", {}, ...[t("tier_col"), t("planned_col"), t("realized_col"), t("diff_col"), t("all_free_col")].map((h) => el("th", {}, h)));
  const rows = rep.tiers.map((x) => el("tr", { "data-tier": x.code, "data-planned": x.planned ?? "", "data-realized": x.realized ?? "" },
    el("td", {}, `≤${Math.round(x.seconds / 60)}′`), el("td", {}, pct(x.planned)), el("td", {}, pct(x.realized)),
    el("td", {}, points(x.diff_points)), el("td", {}, pct(rep.deterministic[x.code]))));
  const counts = el("p", { class: "hint" }, `${t("planned_calls")} ${rep.incidents} · ${t("planned_with_plan")} ${rep.with_plan} · ${t("planned_verified")} ${rep.verified}`);
  box.replaceChildren(counts, rep.with_plan ? el("table", {}, el("thead", {}, head), el("tbody", {}, ...rows)) : el("p", { class: "hint" }, t("planned_none")));
  box.dataset.loads = String(Number(box.dataset.loads || 0) + 1);
}

export async function showKpi() {
  const since = encodeURIComponent(todayStart());
  const tiles = [];
  try {
    const rep = await api(`/api/v1/reports/response?by=all&since=${since}`);
    const r = rep.rows[0];
    const fromCall = `${t("first_arrival")} · ${t("clock_call")}`; // the clock beside each figure
    tiles.push(tile(t("incidents_today"), r ? r.incidents : 0, false, "incidents"), tile(t("responded"), r ? r.responded : 0, false, "responded"),
      tile(t("overridden"), r ? r.overridden : 0, false, "overridden"));
    for (const [code, label] of [["tier1", "1"], ["tier3", "3"], ["tier5", "5"]]) {
      tiles.push(tile(`${t("compliance")} ≤${label}′`, r ? pct(r.within[code]) : "-", false, code, fromCall));
    }
    tiles.push(tile(t("p50"), r ? fmtSecs(r.p50_s) : "-", false, "p50", fromCall), tile(t("p90"), r ? fmtSecs(r.p90_s) : "-", false, "p90", fromCall));
  } catch (e) { tiles.push(tile(t("compliance"), half(e.message), true)); }
  tiles.push(...(await serviceTiles()));
  try {
    const alerts = await api(`/api/v1/crowd/alerts?since=${since}&limit=1`);
    tiles.push(tile(t("alerts_today"), alerts.total, false, "alerts"));
  } catch (e) { tiles.push(tile(t("alerts_today"), half(e.message), true, "alerts")); }
  $("#kpi-tiles").replaceChildren(...tiles);
  $("#kpi-tiles").dataset.loads = String(++loads); // each refresh is visible (tests wait on it)
  try {
    const byType = await api(`/api/v1/reports/response?by=type&since=${since}`);
    byType.rows = byType.rows.filter((r) => r.group !== "all");
    chart = await chartIn($("#kpi-chart"));
    chart.setOption({ animation: false, tooltip: chartTooltip(), xAxis: { type: "category", data: byType.rows.map((r) => typeName(r.group)) },
      yAxis: { type: "value" }, series: [{ type: "bar", data: byType.rows.map((r) => r.incidents) }] }, true);
  } catch { /* role without reports */ }
  loadAlerts("#kpi-alerts");
  const pick = $("#kpi-tiers-by");
  if (!pick.dataset.bound) { pick.dataset.bound = "1"; pick.addEventListener("change", () => tierTable(todayStart())); }
  await Promise.all([tierTable(todayStart()), plannedTable(todayStart())]);
}
export const resizeKpi = () => chart && chart.resize();
