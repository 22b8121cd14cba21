// Crowd panel: level per key area, the day's trend with the forecast beside it, alerts.
import { api, el, $, t, half, fmtTime, pct, chartTooltip } from "./core.js";
import { addTexts, word, serverText } from "./i18n.js";
import { state, onChange, loadAreas } from "./state.js";
import { chartIn } from "./charts.js";

// Crowd levels (crowd/levels.py) and forecast models (crowd/forecasting.py) as words.
addTexts({
  crowd_level_normal: "正常", crowd_level_yellow: "黄色", crowd_level_orange: "橙色", crowd_level_red: "红色",
  crowd_level_critical: "危急", crowd_level_unknown: "暂无读数",
  crowd_model_lightgbm: "梯度提升模型", crowd_model_ets: "指数平滑模型", crowd_model_seasonal_naive: "上周同时段", crowd_forecast_by: "预测（{model}）",
}, {
  crowd_level_normal: "Normal", crowd_level_yellow: "Yellow", crowd_level_orange: "Orange", crowd_level_red: "Red",
  crowd_level_critical: "Critical", crowd_level_unknown: "No reading",
  crowd_model_lightgbm: "gradient boosting", crowd_model_ets: "exponential smoothing", crowd_model_seasonal_naive: "same hour last week", crowd_forecast_by: "Forecast ({model})",
});
/** A crowd level code ("yellow") in words. */
export const levelName = (code) => word("crowd_level_", code || "unknown");
/** A forecast model code ("lightgbm") in words. */
export const modelName = (code) => word("crowd_model_", code);
const areaName = (a) => half(`${a.name_zh} / ${a.name_en}`);

let chart = null;
export function initCrowd() {
  onChange((what) => { if (what === "areas") drawTable(); if (what === "alerts") loadAlerts("#crowd-alerts"); });
  $("#crowd-area").addEventListener("change", drawChart);
}
export async function showCrowd() {
  await loadAreas();
  const sel = $("#crowd-area"), keep = sel.value; // the options are re-labelled on each showing (language)
  sel.replaceChildren(...[...state.areas.values()].map((a) => el("option", { value: a.area_code }, areaName(a))));
  if (keep && state.areas.has(keep)) sel.value = keep;
  drawTable(); drawChart(); loadAlerts("#crowd-alerts");
}
function drawTable() {
  const tbody = $("#crowd-table tbody");
  tbody.replaceChildren(...[...state.areas.values()].map((a) => el("tr", {},
    el("td", {}, areaName(a)), el("td", { class: "lv-" + a.level, "data-level": a.level }, levelName(a.level)),
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
    series.push({ name: t("crowd_forecast_by").replace("{model}", modelName(f.model)), type: "line", step: "start", lineStyle: { type: "dashed" },
      data: f.hours.map((h, k) => [h, f.areas[code] ? f.areas[code][k] : null]) });
    const lacking = f.calendar.used ? f.calendar.missing_years : [];
    if (lacking.length) note.textContent = t("calendar_missing") + lacking.join(", ");
  } catch (e) { serverText(note, t("forecast_na") + half(e.message)); }
  chart = await chartIn($("#crowd-chart"));
  chart.setOption({ animation: false, tooltip: chartTooltip({ trigger: "axis" }), legend: {}, xAxis: { type: "time" }, yAxis: { type: "value" }, series }, true);
}
export async function loadAlerts(target) {
  const ul = $(target); if (!ul) return;
  try {
    const page = await api("/api/v1/crowd/alerts?limit=30");
    ul.replaceChildren(...page.items.map((a) => el("li", { class: "lv-" + a.level }, `${fmtTime(a.at)} ${half(`${a.text_zh} / ${a.text_en}`)}`)));
    if (!page.items.length) ul.append(el("li", { class: "hint" }, t("none")));
  } catch (e) { ul.replaceChildren(serverText(el("li", { class: "hint" }), e.message)); }
}
export const resizeCrowd = () => chart && chart.resize();
