// Crowd panel: level per key area, the day's trend with the forecast beside it, alerts.
import { api, el, $, t, half, fmtTime, pct, chartTooltip } from "./core.js";
import { state, onChange, loadAreas } from "./state.js";
import { chartIn } from "./charts.js";

let chart = null;
export function initCrowd() {
  onChange((what) => { if (what === "areas") drawTable(); if (what === "alerts") loadAlerts("#crowd-alerts"); });
  $("#crowd-area").addEventListener("change", drawChart);
}
export async function showCrowd() {
  await loadAreas();
  const sel = $("#crowd-area");
  if (!sel.options.length) for (const a of state.areas.values()) sel.append(el("option", { value: a.area_code }, half(`${a.name_zh} / ${a.name_en}`)));
  drawTable(); drawChart(); loadAlerts("#crowd-alerts");
}
function drawTable() {
  const tbody = $("#crowd-table tbody");
  tbody.replaceChildren(...[...state.areas.values()].map((a) => el("tr", {},
    el("td", {}, half(`${a.name_zh} / ${a.name_en}`)), el("td", { class: "lv-" + a.level }, a.level),
    el("td", {}, a.count == null ? "-" : Math.round(a.count)), el("td", {}, pct(a.capacity_share)),
    el("td", {}, a.density_ppm2 == null ? "-" : a.density_ppm2.toFixed(2)), el("td", {}, fmtTime(a.at)))));
}
async function drawChart() {
  const code = $("#crowd-area").value; if (!code) return;
  const since = new Date(Date.now() - 12 * 3600e3).toISOString();
  const hist = await api(`/api/v1/crowd/areas/${code}/history?since=${encodeURIComponent(since)}`);
  const series = [{ name: t("actual"), type: "line", showSymbol: false, data: hist.map((r) => [r.at, Math.round(r.count)]) }];
  const note = $("#forecast-note"); note.textContent = "";
  try {
    const f = await api("/api/v1/crowd/forecast?hours=12");
    series.push({ name: `${t("forecast")} (${f.model})`, type: "line", step: "start", lineStyle: { type: "dashed" },
      data: f.hours.map((h, k) => [h, f.areas[code] ? f.areas[code][k] : null]) });
    const lacking = f.calendar.used ? f.calendar.missing_years : [];
    if (lacking.length) note.textContent = t("calendar_missing") + lacking.join(", ");
  } catch (e) { note.textContent = t("forecast_na") + half(e.message); }
  chart = await chartIn($("#crowd-chart"));
  chart.setOption({ animation: false, tooltip: chartTooltip({ trigger: "axis" }), legend: {}, xAxis: { type: "time" }, yAxis: { type: "value" }, series }, true);
}
export async function loadAlerts(target) {
  const ul = $(target); if (!ul) return;
  try {
    const page = await api("/api/v1/crowd/alerts?limit=30");
    ul.replaceChildren(...page.items.map((a) => el("li", { class: "lv-" + a.level }, `${fmtTime(a.at)} ${half(`${a.text_zh} / ${a.text_en}`)}`)));
    if (!page.items.length) ul.append(el("li", { class: "hint" }, t("none")));
  } catch (e) { ul.replaceChildren(el("li", { class: "hint" }, half(e.message))); }
}
export const resizeCrowd = () => chart && chart.resize();
