// Incident queue and handling: the live list (waiting time, area, units on each call, calls
// waiting past the dispatch target), the detail with what is assigned, the first dispatch from
// the recommendation, and more units only through an explicit, confirmed "send more" (增派).
import { api, post, el, $, t, half, typeName, kindName, stateName, fmtTime, fmtSecs, session } from "./core.js";
import { addTexts, lang } from "./i18n.js";
import { state, onChange } from "./state.js";
import { since, secondsSince, fmtElapsed, onTick } from "./clocks.js";
import { beep } from "./beep.js";

addTexts({
  queue_wait: "等待", queue_area: "区域", queue_units: "出警单元", queue_street: "一般街面",
  queue_overdue: "超时未派", queue_overdue_n: "超时未派 {n} 起", queue_target: "派警时限",
  queue_undispatched: "待派警", queue_p1: "一级", queue_p2: "二级", queue_p3: "三级", queue_p4: "四级",
  queue_p1_title: "危及生命", queue_p2_title: "紧急", queue_p3_title: "一般", queue_p4_title: "求助服务",
  queue_as_dispatched: "已派", queue_as_acknowledged: "已签收", queue_as_en_route: "途中", queue_as_on_scene: "到场",
  queue_as_released: "已收队",
  queue_assigned: "已派警力", queue_call_sign: "呼号", queue_kind: "类型", queue_as_state: "状态", queue_in_state: "状态时长",
  queue_released_list: "已收队警力", queue_none_assigned: "尚未派警",
  queue_reinforce: "增派", queue_reinforce_title: "增派警力（不预先勾选）", queue_reinforce_send: "增派所选警力",
  queue_reinforce_pick: "请先勾选要增派的警力", queue_reinforce_confirm: "确认向 {case} 增派以下警力？",
  queue_confirm_yes: "确认增派", queue_confirm_no: "取消", queue_response: "到场用时",
  queue_circle: "{n}分钟圈", queue_received_at: "接警",
  queue_ev_received: "接警", queue_ev_dispatched: "已派警", queue_ev_acknowledged: "已签收", queue_ev_en_route: "已出发",
  queue_ev_on_scene: "已到场", queue_ev_resolved: "已反馈", queue_ev_closed: "已结案", queue_ev_cancelled: "已撤销",
  queue_ev_merged: "已合并", queue_ev_unit_released: "警力收队", queue_ev_reassigned: "改派", queue_ev_noted: "补充情况",
  queue_ev_call_attached: "重复报警", queue_ev_reprioritised: "调整等级",
}, {
  queue_wait: "Waiting", queue_area: "Area", queue_units: "Units", queue_street: "street",
  queue_overdue: "not dispatched in time", queue_overdue_n: "{n} past the dispatch target", queue_target: "Dispatch target",
  queue_undispatched: "awaiting dispatch", queue_p1: "P1", queue_p2: "P2", queue_p3: "P3", queue_p4: "P4",
  queue_p1_title: "life at risk", queue_p2_title: "urgent", queue_p3_title: "routine", queue_p4_title: "service",
  queue_as_dispatched: "Dispatched", queue_as_acknowledged: "Acknowledged", queue_as_en_route: "En route", queue_as_on_scene: "On scene",
  queue_as_released: "Released",
  queue_assigned: "Assigned units", queue_call_sign: "Call sign", queue_kind: "Kind", queue_as_state: "State", queue_in_state: "In state",
  queue_released_list: "Released units", queue_none_assigned: "No unit sent yet",
  queue_reinforce: "Send more", queue_reinforce_title: "Send more units (none ticked)", queue_reinforce_send: "Send the ticked units",
  queue_reinforce_pick: "Tick the units to send first", queue_reinforce_confirm: "Send these units to {case}?",
  queue_confirm_yes: "Confirm", queue_confirm_no: "Cancel", queue_response: "Response time",
  queue_circle: "{n}-minute reach", queue_received_at: "received",
  queue_ev_received: "Received", queue_ev_dispatched: "Dispatched", queue_ev_acknowledged: "Acknowledged", queue_ev_en_route: "En route",
  queue_ev_on_scene: "On scene", queue_ev_resolved: "Resolved", queue_ev_closed: "Closed", queue_ev_cancelled: "Cancelled",
  queue_ev_merged: "Merged", queue_ev_unit_released: "Unit released", queue_ev_reassigned: "Reassigned", queue_ev_noted: "Note added",
  queue_ev_reprioritised: "Priority changed", queue_ev_call_attached: "Further call",
});

let selected = null;
let openSeq = 0;
const alarmed = new Set();
const targets = { dispatch: {}, response: {} };
let targetsLoaded = null;
let unitsSig = "";
const can = (role, ...roles) => roles.includes(role);
const ACTIVE = ["received", "dispatched", "acknowledged", "en_route", "on_scene"];
const AS_AT = { dispatched: "dispatched_at", acknowledged: "acknowledged_at", en_route: "en_route_at", on_scene: "on_scene_at" };
const pick = (zh, en) => (lang === "zh" ? zh : en) || zh || en || "";
const fill = (text, vars) => text.replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? ""));
const prioWord = (p) => t("queue_p" + p);
const asWord = (s) => t("queue_as_" + s);

export function initQueue() {
  onChange((what) => {
    if (what === "incidents") { drawQueue(); if (selected && state.incidents.has(selected)) openIncident(selected, false); }
    if (what === "units" || what === "areas") { const sig = assignedSig(); if (sig !== unitsSig) drawQueue(); }
  });
  onTick(checkAlarms);
  drawQueue();
  $("#moveups-refresh").onclick = loadMoveups;
}

/** Call-to-dispatch targets and the response tiers' names, read once after login. */
function loadTargets() {
  targetsLoaded = targetsLoaded || Promise.all([
    api("/api/v1/catalogue/dispatch-targets").then((d) => { targets.dispatch = d; }),
    api("/api/v1/catalogue/response-targets").then((r) => { r.forEach((x) => { targets.response[x.code] = x; }); }),
  ]).then(drawQueue).catch(() => { targetsLoaded = null; });
  return targetsLoaded;
}

/** Opening the queue: dispatchers and commanders see the cover moves (read after login). */
export function showQueue() {
  loadTargets();
  drawQueue();
  const mine = Boolean(session.user) && can(session.user.role, "dispatcher", "commander");
  $("#moveups").hidden = !mine;
  if (mine) loadMoveups();
  if (selected && !location.hash.includes("/")) openIncident(selected, false);
}

const areaName = (code) => { const a = state.areas.get(code); return a ? pick(a.name_zh, a.name_en) : null; };
// cover tiers come as "tier1", "tier3": the 1-minute circle, the 3-minute zone
const tierMinutes = (k) => fill(t("queue_circle"), { n: String(k).replace(/^tier/, "") });
const tierText = (shares) => Object.entries(shares).map(([k, v]) => `${tierMinutes(k)} ${Math.round(v * 100)}%`).join(" · ");

// Cover moves (动中备勤): proposals with the cover they restore; every text goes in as text.
async function loadMoveups() {
  const list = $("#moveups-list"), err = $("#moveups-error");
  err.textContent = "";
  try {
    const m = await api("/api/v1/dispatch/moveups");
    const gaps = Object.entries(m.uncovered).map(([a, tiers]) => `${areaName(a) || t("queue_street")}: ${tiers.map(tierMinutes).join(" / ")}`).join("; ");
    if (!m.proposals.length) { list.replaceChildren(el("li", { class: "hint" }, t("moveups_none"))); return; }
    list.replaceChildren(el("li", { class: "hint" }, `${t("moveup_uncovered")}: ${gaps}`), ...m.proposals.map((p) => el("li", {},
      el("span", {}, pick(p.text_zh, p.text_en)), " ",
      el("span", { class: "hint" }, `${t("moveup_before_after")}: ${tierText(p.before)} → ${tierText(p.after)}`), " ",
      el("button", { type: "button", onclick: () => post("/api/v1/dispatch/moveups/accept",
        { unit_id: p.unit_id, lon: p.lon, lat: p.lat, area_code: p.area_code }).then(loadMoveups).catch((e) => { err.textContent = half(e.message); }) },
        t("moveup_accept")))));
  } catch (e) { err.textContent = half(e.message); }
}

/** Units on each incident now, from the units list (each unit says which incident it is on). */
function unitsByIncident() {
  const by = new Map();
  for (const u of state.units.values()) {
    if (u.incident_id == null) continue;
    if (!by.has(u.incident_id)) by.set(u.incident_id, []);
    by.get(u.incident_id).push(u);
  }
  by.forEach((us) => us.sort((a, b) => a.call_sign.localeCompare(b.call_sign)));
  return by;
}
function assignedSig() {
  return [...state.units.values()].filter((u) => u.incident_id != null).map((u) => `${u.id}:${u.incident_id}:${u.assignment_state}`).sort().join(",")
    + "|" + state.areas.size;
}

/** Seconds a call may wait for its first dispatch order (undefined until the targets load). */
const dispatchTarget = (i) => targets.dispatch[String(i.priority)];
const isOverdue = (i) => i.state === "received" && dispatchTarget(i) != null && secondsSince(i.received_at) > dispatchTarget(i);

function waitCell(i) {
  const target = i.state === "received" ? dispatchTarget(i) : null;
  return el("td", { class: "wait nowrap", title: `${t("queue_received_at")} ${fmtTime(i.received_at)}` },
    since(i.received_at), target != null ? el("span", { class: "hint", title: t("queue_target") }, ` / ${fmtElapsed(target)}`) : "");
}

export function drawQueue() {
  const tbody = $("#queue tbody"); if (!tbody) return;
  unitsSig = assignedSig();
  const on = unitsByIncident();
  const rows = [...state.incidents.values()].sort((a, b) => (a.priority - b.priority) || (b.received_at || "").localeCompare(a.received_at || ""));
  tbody.replaceChildren(...rows.map((i) => {
    const cls = [i._fresh && "fresh", i.id === selected && "selected", i.state === "received" && "undispatched", isOverdue(i) && "overdue"];
    const units = on.get(i.id) || [];
    const tr = el("tr", { "data-id": i.id, "data-state": i.state, class: cls.filter(Boolean).join(" "), onclick: () => { location.hash = `#queue/${i.id}`; } },
      el("td", { class: "case nowrap" }, i.case_number), el("td", { class: "type" }, typeName(i.type_code)),
      el("td", { class: "p" + i.priority + " nowrap", title: t(`queue_p${i.priority}_title`) }, prioWord(i.priority)),
      el("td", { class: "state nowrap" }, i.state === "received" ? t("queue_undispatched") : stateName(i.state)),
      waitCell(i),
      el("td", { class: "area" }, areaName(i.area_code) || i.address || t("queue_street")),
      el("td", { class: "units" }, units.map((u) => el("span", { class: "chip as-" + u.assignment_state, "data-unit": u.id }, `${u.call_sign} ${asWord(u.assignment_state)}`))),
      el("td", { class: "summary" }, i.sample ? el("span", { class: "pill sample" }, t("sample")) : "", i.sample ? " " : "", i.summary || ""));
    i._fresh = false;
    return tr;
  }));
  checkAlarms();
}

/** Each second: mark calls waiting past the dispatch target, count them in the header, and
 * sound once for each call that has just passed it. */
function checkAlarms() {
  const tbody = $("#queue tbody"); if (!tbody) return;
  let n = 0;
  for (const tr of tbody.querySelectorAll("tr.undispatched")) {
    const i = state.incidents.get(Number(tr.dataset.id));
    const late = Boolean(i) && isOverdue(i);
    tr.classList.toggle("overdue", late);
    if (!late) continue;
    n++;
    if (!alarmed.has(i.id)) { alarmed.add(i.id); beep(); }
  }
  const badge = $("#queue-alarm");
  if (badge) { badge.hidden = n === 0; badge.dataset.count = String(n); badge.textContent = fill(t("queue_overdue_n"), { n }); }
}

function timelineText(e, unitName) {
  const what = t("queue_ev_" + e.kind) !== "queue_ev_" + e.kind ? t("queue_ev_" + e.kind) : stateName(e.to_state);
  return `${fmtTime(e.at)} ${what}${e.unit_id ? " · " + unitName(e.unit_id) : ""} · ${e.actor}${e.note ? " · " + half(e.note) : ""}`;
}

let freshWanted = false;

export async function openIncident(id, fresh = true) {
  const seq = ++openSeq;
  if (selected !== id) freshWanted = true;
  selected = id;
  // a fresh render asked for (after an action) must survive a newer live refresh overtaking it
  freshWanted = freshWanted || fresh;
  const box = $("#incident-detail");
  let inc;
  try { inc = await api(`/api/v1/incidents/${id}`); } catch (e) { if (seq === openSeq) box.replaceChildren(el("p", { class: "error" }, half(e.message))); return; }
  if (seq !== openSeq) return; // a newer request for the detail is on its way
  fresh = freshWanted; freshWanted = false;
  const role = session.user.role;
  const unitOf = (uid) => state.units.get(uid) || {};
  const unitName = (uid) => unitOf(uid).call_sign || "—";
  const held = inc.assignments.filter((a) => !a.released_at);
  const released = inc.assignments.filter((a) => a.released_at);
  const parts = [
    el("h2", {}, el("span", { class: "nowrap" }, inc.case_number), ` · ${typeName(inc.type_code)}`),
    el("p", {}, el("b", { class: "p" + inc.priority, title: t(`queue_p${inc.priority}_title`) }, prioWord(inc.priority)), " · ",
      el("span", { id: "detail-state" }, inc.state === "received" ? t("queue_undispatched") : stateName(inc.state)),
      ` · ${t("queue_received_at")} ${fmtTime(inc.received_at)} · ${t("queue_wait")} `, since(inc.received_at),
      ` · ${areaName(inc.area_code) || t("queue_street")}${inc.address ? " · " + inc.address : ""}`),
    el("p", {}, inc.sample ? el("span", { class: "pill sample" }, t("sample")) : "", inc.sample ? " " : "", inc.summary),
  ];
  if (inc.response_seconds != null) {
    const tier = targets.response[inc.response_tier];
    parts.push(el("p", {}, `${t("queue_response")} ${fmtSecs(inc.response_seconds)}${tier ? ` (${pick(tier.name_zh, tier.name_en)})` : ""}`));
  }
  parts.push(el("h3", {}, t("queue_assigned")));
  parts.push(held.length ? assignedTable(inc, held, role) : el("p", { class: "hint", id: "assigned-none" }, t("queue_none_assigned")));
  if (released.length) {
    parts.push(el("p", { class: "hint", id: "released" }, `${t("queue_released_list")}: `,
      released.map((a) => `${unitName(a.unit_id)} (${fmtTime(a.released_at)})`).join("、")));
  }
  // Sending: the recommendation ticked for a first dispatch; once units are on it, more only
  // through "send more", unticked, with a confirmation naming the units.
  const mode = !can(role, "dispatcher", "commander") || !ACTIVE.includes(inc.state) ? null : held.length ? "reinforce" : "dispatch";
  const old = box.querySelector("#send");
  const keep = !fresh && old && old.dataset.incident === String(id) && old.dataset.mode === mode && old.dataset.lang === lang;
  if (mode) parts.push(keep ? old : sendBox(inc, mode));
  if (inc.state === "on_scene" && can(role, "officer", "dispatcher", "commander")) {
    const f = el("form", { id: "resolve-form" }, el("label", {}, t("outcome"), el("input", { name: "outcome", required: true })),
      el("button", { type: "submit" }, t("resolve")));
    f.addEventListener("submit", async (ev) => { ev.preventDefault(); await act(() => post(`/api/v1/incidents/${id}/resolve`, { outcome: f.elements.outcome.value }), id); });
    parts.push(f);
  }
  if (inc.state === "resolved" && can(role, "dispatcher", "commander")) {
    parts.push(el("button", { id: "close-btn", onclick: () => act(() => post(`/api/v1/incidents/${id}/close`, {}), id) }, t("close")));
  }
  parts.push(el("h3", {}, t("timeline")), el("ol", { class: "timeline", id: "timeline" }, inc.timeline.map((e) => el("li", {}, timelineText(e, unitName)))));
  parts.push(el("p", { class: "error", id: "act-error", role: "alert" }));
  const keptError = box.querySelector("#act-error");
  box.replaceChildren(...parts);
  if (keptError && !fresh) box.querySelector("#act-error").textContent = keptError.textContent;
  drawQueue();
}

function assignedTable(inc, held, role) {
  return el("table", { id: "assigned", class: "assigned" },
    el("thead", {}, el("tr", {}, ["queue_call_sign", "queue_kind", "queue_as_state", "queue_in_state"].map((k) => el("th", {}, t(k))), el("th", {}))),
    el("tbody", {}, held.map((a) => {
      const u = state.units.get(a.unit_id) || {};
      return el("tr", { "data-unit": a.unit_id, "data-state": a.state },
        el("td", { class: "nowrap" }, u.call_sign || "—"), el("td", {}, u.kind ? kindName(u.kind) : ""),
        el("td", {}, asWord(a.state)), el("td", { class: "nowrap" }, since(a[AS_AT[a.state]] || a.dispatched_at)),
        el("td", {}, progressButtons(inc, a, role)));
    })));
}

function progressButtons(inc, a, role) {
  if (a.released_at || !can(role, "officer", "dispatcher", "commander")) return [];
  const next = { dispatched: ["acknowledge", "acknowledge"], acknowledged: ["en-route", "en_route"], en_route: ["on-scene", "on_scene"] }[a.state];
  if (!next) return [];
  const url = `/api/v1/incidents/${inc.id}/units/${a.unit_id}/${next[0]}`;
  return [el("button", { type: "button", onclick: () => act(() => post(url, {}).catch((e) => overrideArrival(e, url, role)), inc.id) }, t(next[1]))];
}

// An arrival the unit's fix does not confirm: a dispatcher or commander may accept it with a
// reason (audited, and counted apart in the KPI); anyone else sees the refusal and its reason.
function overrideArrival(e, url, role) {
  if (!(e.body && e.body.code === "arrival_not_verified") || !can(role, "dispatcher", "commander")) throw e;
  const reason = window.prompt(`${half(e.message)}\n${t("override_reason")}`);
  if (!reason || !reason.trim()) throw e;
  return post(url, { override_reason: reason.trim() });
}

/** The sending box: a first dispatch shows the recommendation ticked; after that, a "send
 * more" button opens it unticked. */
function sendBox(inc, mode) {
  const box = el("div", { id: "send", "data-incident": inc.id, "data-mode": mode, "data-lang": lang });
  if (mode === "dispatch") {
    const rec = el("div", { id: "recommendation" }, el("h3", {}, t("recommendation")));
    box.append(rec);
    loadRecommendation(inc, rec, true);
    return box;
  }
  const open = el("button", { type: "button", id: "reinforce-btn", onclick: () => {
    open.hidden = true;
    const rec = el("div", { id: "recommendation", "data-mode": "reinforce" }, el("h3", {}, t("queue_reinforce_title")));
    box.append(rec);
    loadRecommendation(inc, rec, false);
  } }, t("queue_reinforce"));
  box.append(open);
  return box;
}

async function loadRecommendation(inc, box, first) {
  let rec;
  try { rec = await api(`/api/v1/incidents/${inc.id}/recommendation`); } catch (e) { box.append(el("p", { class: "error" }, half(e.message))); return; }
  if (!rec.picks.length) box.append(el("p", { class: "hint" }, t("no_picks")));
  const list = el("ul", { class: "picks" }, rec.picks.map((p) => el("li", {},
    el("label", {}, el("input", { type: "checkbox", value: p.unit_id, checked: first }),
      ` ${(state.units.get(p.unit_id) || {}).call_sign || "—"} · ${kindName(p.kind)} · ${t("eta")} ${fmtSecs(p.eta_s)} — `,
      el("span", { class: "hint" }, pick(p.text_zh, p.text_en))))));
  box.append(list, ...rec.unmet.map((u) => el("p", { class: "note" }, pick(u.text_zh, u.text_en))));
  if (!rec.picks.length) return;
  const ticked = () => [...list.querySelectorAll("input:checked")].map((x) => Number(x.value));
  if (first) {
    box.append(el("button", { type: "button", id: "dispatch-btn", onclick: () =>
      act(() => post(`/api/v1/incidents/${inc.id}/dispatch`, { unit_ids: ticked(), note: "指挥中心派警 / dispatched from the command centre" }), inc.id) }, t("dispatch")));
    return;
  }
  const confirmBox = el("div", { id: "reinforce-confirm", class: "note", hidden: true });
  box.append(el("button", { type: "button", id: "reinforce-send", onclick: () => {
    const ids = ticked();
    const err = $("#act-error");
    if (!ids.length) { if (err) err.textContent = t("queue_reinforce_pick"); confirmBox.hidden = true; return; }
    if (err) err.textContent = "";
    const names = ids.map((uid) => { const u = state.units.get(uid) || {}; return `${u.call_sign || "—"}${u.kind ? `（${kindName(u.kind)}）` : ""}`; });
    confirmBox.replaceChildren(el("p", {}, fill(t("queue_reinforce_confirm"), { case: inc.case_number })),
      el("ul", { id: "reinforce-names" }, names.map((n) => el("li", {}, n))),
      el("button", { type: "button", id: "reinforce-yes", onclick: () =>
        act(() => post(`/api/v1/incidents/${inc.id}/dispatch`, { unit_ids: ids, note: "指挥中心增派 / more units sent from the command centre" }), inc.id) }, t("queue_confirm_yes")), " ",
      el("button", { type: "button", id: "reinforce-no", onclick: () => { confirmBox.hidden = true; } }, t("queue_confirm_no")));
    confirmBox.hidden = false;
  } }, t("queue_reinforce_send")), confirmBox);
}

async function act(call, id) {
  try { await call(); await openIncident(id); } catch (e) { const p = $("#act-error"); if (p) p.textContent = half(e.message); }
}
