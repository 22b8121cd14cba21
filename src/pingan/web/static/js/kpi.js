// KPI board (大屏): every figure read from stored records through the APIs; where a service
// has no API yet the tile says so instead of showing a number.
import { api, probe, el, $, t, half, pct, fmtSecs, todayStart, typeName } from "./core.js";
import { loadAlerts } from "./crowd.js";

// The help services of the seed, the incident type that records the call, and the service API
// that would give its own figures (found, returned, …) once it exists.
const SERVICES = [
  ["car_finding", "找车", "/api/v1/car-finding/requests"],
  ["lost_item", "遗失物品", "/api/v1/lost-found/items"],
  ["missing_person", "走失人员", "/api/v1/missing-persons"],
  ["breakdown", "车辆故障", "/api/v1/breakdowns"],
];
let chart = null;
let loads = 0;

const tile = (key, value, na = false, id = null) =>
  el("div", { class: "tile" + (na ? " na" : ""), "data-kpi": id || key }, el("div", { class: "k" }, key), el("div", { class: "v" }, value));

export async function showKpi() {
  const since = encodeURIComponent(todayStart());
  const tiles = [];
  try {
    const rep = await api(`/api/v1/reports/response?by=all&since=${since}`);
    const r = rep.rows[0];
    tiles.push(tile(t("incidents_today"), r ? r.incidents : 0, false, "incidents"), tile(t("responded"), r ? r.responded : 0, false, "responded"));
    for (const [code, label] of [["tier1", "1"], ["tier3", "3"], ["tier5", "5"]]) {
      tiles.push(tile(`${t("compliance")} ≤${label}′`, r ? pct(r.within[code]) : "-", false, code));
    }
    tiles.push(tile(t("p50"), r ? fmtSecs(r.p50_s) : "-", false, "p50"), tile(t("p90"), r ? fmtSecs(r.p90_s) : "-", false, "p90"));
  } catch (e) { tiles.push(tile(t("compliance"), half(e.message), true)); }
  const counts = await Promise.all(SERVICES.map(async ([type, name, path]) => {
    const page = await api(`/api/v1/incidents?type=${type}&since=${since}&limit=1`).catch(() => null);
    const exists = await probe(path);
    return [type, name, page ? page.total : null, exists];
  }));
  for (const [type, name, n, exists] of counts) {
    tiles.push(tile(`${name} · ${typeName(type)}`, n == null ? t("not_available") : n, n == null, type));
    if (!exists) tiles.push(tile(`${name} · 服务 service`, `${t("not_available")}`, true, type + "-service"));
  }
  try {
    const alerts = await api(`/api/v1/crowd/alerts?since=${since}&limit=1`);
    tiles.push(tile(t("alerts_today"), alerts.total, false, "alerts"));
  } catch { tiles.push(tile(t("alerts_today"), t("not_available"), true, "alerts")); }
  $("#kpi-tiles").replaceChildren(...tiles);
  $("#kpi-tiles").dataset.loads = String(++loads); // each refresh is visible (tests wait on it)
  try {
    const byType = await api(`/api/v1/reports/response?by=type&since=${since}`);
    byType.rows = byType.rows.filter((r) => r.group !== "all");
    chart = chart || window.echarts.init($("#kpi-chart"));
    chart.setOption({ animation: false, tooltip: {}, xAxis: { type: "category", data: byType.rows.map((r) => typeName(r.group)) },
      yAxis: { type: "value" }, series: [{ type: "bar", data: byType.rows.map((r) => r.incidents) }] }, true);
  } catch { /* role without reports */ }
  loadAlerts("#kpi-alerts");
}
export const resizeKpi = () => chart && chart.resize();
