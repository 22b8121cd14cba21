// The anti-fraud wall (反诈大屏) in the command centre: this year's cases, losses, money stopped
// and returned, the stop success rate, report-to-stop time and warnings turned into
// dissuasions, each beside the same dates last year (GET /fraud/stats; definitions in
// docs/fraud.md), the fraud types by cases and by loss, and the cases and losses day by day.
// Read again on the live feed's fraud events (at most once a second) and every 30 s in any case:
// the feed carries a family of events only where the server delivers it to the role.
// Wall mode is the KPI board's (js/wall.js). Money arrives in integer fen and is shown in yuan.
import { api, el, $, t, half, pct, fmtTime, chartTooltip, session } from "./core.js";
import { addTexts, fill, word } from "./i18n.js";
import { onLive } from "./live.js";
import { chartIn } from "./charts.js";
import { inWall, wallButton } from "./wall.js";
import { fraudType } from "./fraud-words.js";

addTexts({
  nav_fraudwall: "反诈大屏", wl_title: "反诈大屏", wl_period: "统计区间 {from} 至 {to}（同比：{pfrom} 至 {pto}）",
  wl_cases: "案件数", wl_loss: "损失金额", wl_held: "止付冻结金额", wl_returned: "返还金额", wl_success: "止付成功率",
  wl_median: "报案到止付（中位数）", wl_warnings: "预警→劝阻",
  wl_accounts: "涉及账户 {n} 个", wl_returned_sub: "其中自助柜员机转账撤销 {atm}", wl_orders_sub: "已回执 {answered} · 发送中 {sending} · 无应答 {unavailable}",
  wl_median_sub: "P90 {p90} · 黄金时间起 {golden} · 未止付 {none} 起", wl_warnings_sub: "已分派 {assigned} · 已办结 {closed} · 劝阻率 {rate}",
  wl_minutes: "{n} 分钟", wl_last_year: "去年同期 {v}", wl_change: "同比 {pct}", wl_no_last_year: "去年同期无数据",
  wl_top_cases: "诈骗类型（案件数）", wl_top_loss: "诈骗类型（损失金额，元）", wl_by_day: "每日案件与损失",
  wl_series_cases: "案件数", wl_series_loss: "损失金额（元）", wl_updated: "更新于 {t}", wl_none: "本期暂无案件",
  wl_note: "案件、损失、止付与返还均指本期报案的案件；预警指本期产生的预警；同比为去年同日期区间。",
}, {
  nav_fraudwall: "Anti-fraud wall", wl_title: "Anti-fraud wall", wl_period: "Period {from} to {to} (year on year: {pfrom} to {pto})",
  wl_cases: "Cases", wl_loss: "Losses", wl_held: "Money stopped", wl_returned: "Money returned", wl_success: "Stop success rate",
  wl_median: "Report to stop (median)", wl_warnings: "Warnings → dissuaded",
  wl_accounts: "{n} accounts", wl_returned_sub: "ATM revocations {atm}", wl_orders_sub: "answered {answered} · sending {sending} · no answer {unavailable}",
  wl_median_sub: "P90 {p90} · from golden start {golden} · not stopped {none}", wl_warnings_sub: "assigned {assigned} · closed {closed} · rate {rate}",
  wl_minutes: "{n} min", wl_last_year: "last year {v}", wl_change: "change {pct}", wl_no_last_year: "nothing last year",
  wl_top_cases: "Fraud types (cases)", wl_top_loss: "Fraud types (losses, yuan)", wl_by_day: "Cases and losses by day",
  wl_series_cases: "Cases", wl_series_loss: "Losses (yuan)", wl_updated: "updated {t}", wl_none: "No case in the period",
  wl_note: "Cases, losses, money stopped and returned are those of the cases reported in the period; warnings those created in it; year on year compares the same dates last year.",
});

const REFRESH_MS = 30000; // read again this often whatever the live feed delivers
const MIN_GAP_MS = 1000; // a burst of fraud events is read as one
const charts = {};
let last = null; // the last answer, redrawn when wall mode changes the ink
let loads = 0;
let timer = null;
let poller = null;
export const fraudWallLive = { events: 0, reads: 0 }; // read by the browser tests

const visible = () => !$("#view-fraudwall").hidden;
/** Integer fen as yuan with two decimals, exact (no floating-point yuan). */
export function yuan(fen) {
  if (fen == null) return "-";
  const f = BigInt(Math.round(fen));
  const abs = f < 0n ? -f : f;
  const whole = (abs / 100n).toLocaleString("en-US");
  return `${f < 0n ? "-" : ""}¥${whole}.${String(abs % 100n).padStart(2, "0")}`;
}
const minutes = (m) => (m == null ? "-" : fill("wl_minutes", { n: m.toFixed(1) }));

/** Whether a rise is good news: more money stopped is, more losses are not. */
const RISE_IS = { cases: "worse", loss_fen: "worse", held_fen: "better", returned_fen: "better", stop_success_rate: "better",
  report_to_stop_median_min: "worse", dissuaded: "better" };

/** The year-on-year line under a figure: an arrow, last year's value and the change. */
function yoyLine(key, change, shown) {
  if (change.previous == null || (change.previous === 0 && change.current === 0)) {
    return el("div", { class: "yoy none", "data-trend": "none" }, change.previous == null ? t("wl_no_last_year") : fill("wl_last_year", { v: shown(0) }));
  }
  const d = (change.current ?? 0) - change.previous;
  const trend = d > 0 ? "up" : d < 0 ? "down" : "flat";
  const judged = trend === "flat" ? "" : (trend === "up") === (RISE_IS[key] === "better") ? " better" : " worse";
  const arrow = { up: "▲", down: "▼", flat: "＝" }[trend];
  const parts = [fill("wl_last_year", { v: shown(change.previous) })];
  if (change.change_pct != null) parts.push(fill("wl_change", { pct: `${change.change_pct > 0 ? "+" : ""}${change.change_pct.toFixed(1)}%` }));
  return el("div", { class: "yoy" + judged, "data-trend": trend, "data-change": change.change_pct ?? "" }, `${arrow} ${parts.join(" · ")}`);
}

function tile(id, label, value, raw, sub, yoy) {
  return el("div", { class: "tile", "data-kpi": id, "data-value": raw ?? "" }, el("div", { class: "k" }, label), el("div", { class: "v" }, value),
    sub ? el("div", { class: "s" }, sub) : "", yoy || "");
}

function tiles(s) {
  const c = s.current, y = s.year_on_year, m = c.money, o = c.stop_orders, r = c.report_to_stop, w = c.warnings.total;
  const count = (n) => String(n ?? 0);
  return [
    tile("cases", t("wl_cases"), count(c.cases), c.cases, null, yoyLine("cases", y.cases, count)),
    tile("loss", t("wl_loss"), yuan(m.loss_fen), m.loss_fen, null, yoyLine("loss_fen", y.loss_fen, yuan)),
    tile("held", t("wl_held"), yuan(m.held_fen), m.held_fen, fill("wl_accounts", { n: m.accounts_held }), yoyLine("held_fen", y.held_fen, yuan)),
    tile("returned", t("wl_returned"), yuan(m.returned_fen), m.returned_fen, fill("wl_returned_sub", { atm: yuan(m.returned_atm_fen) }),
      yoyLine("returned_fen", y.returned_fen, yuan)),
    tile("success", t("wl_success"), pct(o.success_rate), o.success_rate, fill("wl_orders_sub", o), yoyLine("stop_success_rate", y.stop_success_rate, pct)),
    tile("median", t("wl_median"), minutes(r.median_min), r.median_min,
      fill("wl_median_sub", { p90: minutes(r.p90_min), golden: minutes(r.golden_median_min), none: r.cases_without_stop }),
      yoyLine("report_to_stop_median_min", y.report_to_stop_median_min, minutes)),
    tile("warnings", t("wl_warnings"), `${w.created} → ${w.dissuaded}`, w.dissuaded,
      fill("wl_warnings_sub", { assigned: w.assigned, closed: w.closed, rate: pct(w.dissuasion_rate) }), yoyLine("dissuaded", y.dissuaded, count)),
  ];
}

const ink = () => (inWall() ? "#e8eefc" : "#333"); // readable on the wall's dark ground

/** One fraud-type bar chart, longest bar on top; the raw figures as data-rows. */
async function typeBars(node, rows, field, value, shown) {
  const chart = (charts[node.id] = await chartIn(node));
  const top = rows.slice(0, 10).reverse();
  const color = ink();
  chart.setOption({ animation: false, tooltip: chartTooltip(), textStyle: { color }, grid: { containLabel: true, left: 8, right: 40, top: 8, bottom: 8 },
    xAxis: { type: "value", minInterval: field === "cases" ? 1 : 0, axisLabel: { color } },
    yAxis: { type: "category", data: top.map((x) => fraudType(x.fraud_type)), axisLabel: { color } },
    // each bar's label is its own text (yuan with two decimals), fixed here: no formatter function
    series: [{ type: "bar", name: t(field === "cases" ? "wl_series_cases" : "wl_series_loss"),
      data: top.map((x) => ({ value: value(x), label: { formatter: shown(x) } })), label: { show: true, position: "right", color } }] }, true);
  node.dataset.rows = JSON.stringify(rows.map((x) => [x.fraud_type, x[field]]));
}

async function dayChart(node, days) {
  const chart = (charts[node.id] = await chartIn(node));
  const color = ink();
  chart.setOption({ animation: false, tooltip: chartTooltip({ trigger: "axis" }), textStyle: { color },
    legend: { textStyle: { color } }, grid: { containLabel: true, left: 8, right: 8, top: 32, bottom: 8 },
    xAxis: { type: "category", data: days.map((d) => d.day), axisLabel: { color } },
    yAxis: [{ type: "value", minInterval: 1, name: t("wl_series_cases"), axisLabel: { color } },
      { type: "value", name: t("wl_series_loss"), axisLabel: { color }, splitLine: { show: false } }],
    series: [{ type: "bar", name: t("wl_series_cases"), data: days.map((d) => d.cases) },
      { type: "line", name: t("wl_series_loss"), yAxisIndex: 1, showSymbol: false, data: days.map((d) => d.loss_fen / 100) }] }, true);
  node.dataset.days = String(days.length);
  node.dataset.cases = String(days.reduce((n, d) => n + d.cases, 0));
}

function drawCharts(s) {
  return Promise.all([
    typeBars($("#wl-types-cases"), s.top_types.by_cases, "cases", (x) => x.cases, (x) => String(x.cases)),
    typeBars($("#wl-types-loss"), s.top_types.by_loss, "loss_fen", (x) => x.loss_fen / 100, (x) => yuan(x.loss_fen)),
    dayChart($("#wl-days"), s.by_day),
  ]);
}

function draw(s) {
  const c = s.current.period, p = s.previous.period;
  $("#wl-period").textContent = fill("wl_period", { from: c.from, to: c.to, pfrom: p.from, pto: p.to });
  const box = $("#wl-tiles");
  box.replaceChildren(...tiles(s));
  $("#wl-empty").hidden = s.current.cases > 0;
  box.dataset.loads = String(++loads);
  $("#wl-updated").textContent = fill("wl_updated", { t: fmtTime(new Date().toISOString()) });
}

/** Read the KPIs again and redraw the wall. */
async function refresh() {
  fraudWallLive.reads++;
  let s;
  try {
    s = await api("/api/v1/fraud/stats");
  } catch (e) {
    $("#wl-tiles").replaceChildren(el("div", { class: "tile na", "data-kpi": "error" }, el("div", { class: "v" }, half(e.message))));
    return;
  }
  last = s;
  draw(s);
  await drawCharts(s).catch((e) => console.error(e));
}

/** Read again after a burst of events has settled, at most once a second. */
function schedule() {
  if (timer) return;
  timer = setTimeout(() => { timer = null; if (visible()) refresh().catch((e) => console.error(e)); }, MIN_GAP_MS);
}

onLive((type) => {
  if (type !== "resync" && !type.startsWith("fraud.")) return;
  fraudWallLive.events++;
  if (visible()) schedule();
});

export async function showFraudWall() {
  const button = $("#wl-wall-btn");
  wallButton(button, () => { if (last) drawCharts(last).then(resizeFraudWall).catch((e) => console.error(e)); });
  if (!poller) poller = setInterval(() => { if (session.token && visible()) refresh().catch((e) => console.error(e)); }, REFRESH_MS);
  await refresh();
}
export const resizeFraudWall = () => Object.values(charts).forEach((c) => c.resize());
