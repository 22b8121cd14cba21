// Unit status board (警力状态板): every unit with its kind, call sign, status, time in status,
// the incident it is on and the age of its last fix; filtered by kind and status, sortable,
// kept current by the units polling and the live feed (state.js), clocks ticking in place.
import { el, $, t, kindName, statusName, catalogue } from "./core.js";
import { addTexts } from "./i18n.js";
import { state, onChange } from "./state.js";
import { since } from "./clocks.js";

addTexts({
  nav_board: "警力状态", board_title: "警力状态板", board_kind: "类型", board_call_sign: "呼号", board_status: "状态",
  board_in_status: "状态时长", board_incident: "警情", board_fix_age: "定位时长", board_all_kinds: "全部类型",
  board_all_statuses: "全部状态", board_count: "显示 {n} / {total} 个单元", board_no_fix: "无定位", board_no_incident: "—",
  board_sort_hint: "点击列名排序",
}, {
  nav_board: "Unit status", board_title: "Unit status board", board_kind: "Kind", board_call_sign: "Call sign", board_status: "Status",
  board_in_status: "Time in status", board_incident: "Incident", board_fix_age: "Last fix", board_all_kinds: "All kinds",
  board_all_statuses: "All statuses", board_count: "{n} of {total} units", board_no_fix: "no fix", board_no_incident: "—",
  board_sort_hint: "click a column to sort",
});

const STATUSES = ["available", "dispatched", "en_route", "on_scene", "off_duty"];
// A fix older than this is drawn as stale (the simulated and real trackers report every few seconds).
const STALE_FIX_S = 120;
const COLUMNS = [
  ["kind", "board_kind", (u) => kindName(u.kind)],
  ["call_sign", "board_call_sign", (u) => u.call_sign],
  ["status", "board_status", (u) => STATUSES.indexOf(u.status)],
  ["status_at", "board_in_status", (u) => -Date.parse(u.status_at || 0)],
  ["incident", "board_incident", (u) => u.case_number || "\uffff"],
  ["position_at", "board_fix_age", (u) => (u.position_at ? -Date.parse(u.position_at) : Infinity)],
];
const sort = { key: "call_sign", dir: 1 };
const lastStatus = new Map();

const fill = (text, vars) => text.replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? ""));
const visible = () => { const v = $("#view-board"); return v && !v.hidden; };

export function initBoard() {
  onChange((what) => { if (what === "units" && visible()) drawBoard(); });
  $("#board-kind").addEventListener("change", drawBoard);
  $("#board-status").addEventListener("change", drawBoard);
}

/** Opening the view (and each language switch): the filters' words, the headers, the rows. */
export function showBoard() {
  const kinds = Object.keys(catalogue.kinds).length ? Object.keys(catalogue.kinds) : [...new Set([...state.units.values()].map((u) => u.kind))];
  fillSelect($("#board-kind"), "board_all_kinds", kinds.map((k) => [k, kindName(k)]));
  fillSelect($("#board-status"), "board_all_statuses", STATUSES.map((s) => [s, statusName(s)]));
  // a button in each heading: sortable from the keyboard too
  $("#board thead").replaceChildren(el("tr", {}, COLUMNS.map(([key, label]) => el("th", {
    "data-sort": key, "aria-sort": sort.key === key ? (sort.dir > 0 ? "ascending" : "descending") : "none",
  }, el("button", { type: "button", class: "sort", title: t("board_sort_hint"),
    onclick: () => { sort.dir = sort.key === key ? -sort.dir : 1; sort.key = key; showBoard(); $(`#board th[data-sort="${key}"] button`).focus(); },
  }, t(label), sort.key === key ? (sort.dir > 0 ? " ▲" : " ▼") : "")))));
  drawBoard();
}

function fillSelect(sel, allKey, options) {
  const keep = sel.value;
  sel.replaceChildren(el("option", { value: "" }, t(allKey)), ...options.map(([v, text]) => el("option", { value: v }, text)));
  sel.value = options.some(([v]) => v === keep) ? keep : "";
}

export function drawBoard() {
  const tbody = $("#board tbody"); if (!tbody) return;
  const kind = $("#board-kind").value, status = $("#board-status").value;
  const all = [...state.units.values()];
  const col = COLUMNS.find(([k]) => k === sort.key) || COLUMNS[1];
  const key = col[2];
  const rows = all.filter((u) => (!kind || u.kind === kind) && (!status || u.status === status)).sort((a, b) => {
    const x = key(a), y = key(b);
    const c = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
    return (c || a.call_sign.localeCompare(b.call_sign)) * sort.dir;
  });
  tbody.replaceChildren(...rows.map((u) => {
    const changed = lastStatus.has(u.id) && lastStatus.get(u.id) !== u.status;
    lastStatus.set(u.id, u.status);
    const fixAge = u.position_at ? (Date.now() - Date.parse(u.position_at)) / 1000 : null;
    return el("tr", { "data-unit": u.id, "data-kind": u.kind, "data-status": u.status, class: changed ? "fresh" : "" },
      el("td", {}, kindName(u.kind)), el("td", { class: "nowrap" }, u.call_sign),
      el("td", { class: "st-" + u.status }, statusName(u.status)), el("td", { class: "nowrap" }, since(u.status_at)),
      el("td", { class: "nowrap" }, u.incident_id ? el("a", { href: `#queue/${u.incident_id}`, class: "case" }, u.case_number || "—") : t("board_no_incident")),
      el("td", { class: "nowrap" + (fixAge != null && fixAge > STALE_FIX_S ? " late" : "") }, u.position_at ? since(u.position_at) : t("board_no_fix")));
  }));
  $("#board-count").textContent = fill(t("board_count"), { n: rows.length, total: all.length });
}
