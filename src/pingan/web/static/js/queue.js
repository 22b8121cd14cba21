// Incident queue and handling: live list, recommendation with reasons, dispatch, timeline.
import { api, post, el, $, t, half, typeName, stateName, statusName, kindName, fmtTime, fmtSecs, session } from "./core.js";
import { state, onChange } from "./state.js";

let selected = null;
const can = (role, ...roles) => roles.includes(role);

export function initQueue() {
  onChange((what) => { if (what === "incidents") { drawQueue(); if (selected && state.incidents.has(selected)) openIncident(selected, false); } });
  drawQueue();
  $("#moveups-refresh").onclick = loadMoveups;
}

/** Opening the queue: dispatchers and commanders see the cover moves (read after login). */
export function showQueue() {
  const mine = Boolean(session.user) && can(session.user.role, "dispatcher", "commander");
  $("#moveups").hidden = !mine;
  if (mine) loadMoveups();
}

const tierText = (shares) => Object.entries(shares).map(([k, v]) => `${k} ${Math.round(v * 100)}%`).join(" · ");

// Cover moves (动中备勤): proposals with the cover they restore; every text goes in as text.
async function loadMoveups() {
  const list = $("#moveups-list"), err = $("#moveups-error");
  err.textContent = "";
  try {
    const m = await api("/api/v1/dispatch/moveups");
    const gaps = Object.entries(m.uncovered).map(([a, tiers]) => `${a}: ${tiers.join("/")}`).join("; ");
    if (!m.proposals.length) { list.replaceChildren(el("li", { class: "hint" }, t("moveups_none"))); return; }
    list.replaceChildren(el("li", { class: "hint" }, `${t("moveup_uncovered")}: ${gaps}`), ...m.proposals.map((p) => el("li", {},
      el("span", {}, half(`${p.text_zh} / ${p.text_en}`)), " ",
      el("span", { class: "hint" }, `${t("moveup_before_after")}: ${tierText(p.before)} → ${tierText(p.after)}`), " ",
      el("button", { type: "button", onclick: () => post("/api/v1/dispatch/moveups/accept",
        { unit_id: p.unit_id, lon: p.lon, lat: p.lat, area_code: p.area_code }).then(loadMoveups).catch((e) => { err.textContent = half(e.message); }) },
        t("moveup_accept")))));
  } catch (e) { err.textContent = half(e.message); }
}

export function drawQueue() {
  const tbody = $("#queue tbody"); if (!tbody) return;
  const rows = [...state.incidents.values()].sort((a, b) => (a.priority - b.priority) || (b.received_at || "").localeCompare(a.received_at || ""));
  tbody.replaceChildren(...rows.map((i) => {
    const tr = el("tr", { "data-id": i.id, class: (i._fresh ? "fresh " : "") + (i.id === selected ? "selected" : ""), onclick: () => { location.hash = `#queue/${i.id}`; } },
      el("td", {}, i.case_number), el("td", {}, typeName(i.type_code)), el("td", { class: "p" + i.priority }, "P" + i.priority),
      el("td", { class: "state" }, stateName(i.state)), el("td", {}, fmtTime(i.received_at)),
      el("td", {}, i.sample ? el("span", { class: "pill sample" }, t("sample")) : "", i.sample ? " " : "", i.summary || ""));
    i._fresh = false;
    return tr;
  }));
}

export async function openIncident(id, withRecommendation = true) {
  selected = id;
  const box = $("#incident-detail");
  let inc;
  try { inc = await api(`/api/v1/incidents/${id}`); } catch (e) { box.replaceChildren(el("p", { class: "error" }, half(e.message))); return; }
  const role = session.user.role;
  const units = state.units;
  const unitName = (uid) => (units.get(uid) || {}).call_sign || `#${uid}`;
  const parts = [
    el("h2", {}, `${inc.case_number} · ${typeName(inc.type_code)}`),
    el("p", {}, el("b", { class: "p" + inc.priority }, "P" + inc.priority), ` · `, el("span", { id: "detail-state" }, stateName(inc.state)),
      ` · ${fmtTime(inc.received_at)} · ${inc.address || ""}`),
    el("p", {}, inc.sample ? el("span", { class: "pill sample" }, t("sample")) : "", inc.sample ? " " : "", inc.summary),
  ];
  if (inc.response_seconds != null) parts.push(el("p", {}, `到场用时 / response ${fmtSecs(inc.response_seconds)} (${inc.response_tier})`));
  const old = box.querySelector("#recommendation");
  if (can(role, "dispatcher", "commander") && ["received", "dispatched", "acknowledged", "en_route", "on_scene"].includes(inc.state)) {
    const rec = el("div", { id: "recommendation" }, el("h3", {}, t("recommendation")));
    parts.push(rec);
    if (withRecommendation || !old) loadRecommendation(inc, rec); else rec.replaceWith(old);
  }
  if (inc.assignments.length) {
    parts.push(el("h3", {}, t("assignments")), el("ul", {}, inc.assignments.map((a) =>
      el("li", {}, `${unitName(a.unit_id)} · ${stateName(a.state) || a.state}${a.released_at ? " · released" : ""}`, ...progressButtons(inc, a, role)))));
  }
  if (inc.state === "on_scene" && can(role, "officer", "dispatcher", "commander")) {
    const f = el("form", { id: "resolve-form" }, el("label", {}, t("outcome"), el("input", { name: "outcome", required: true })),
      el("button", { type: "submit" }, t("resolve")));
    f.addEventListener("submit", async (ev) => { ev.preventDefault(); await act(() => post(`/api/v1/incidents/${id}/resolve`, { outcome: f.elements.outcome.value }), id); });
    parts.push(f);
  }
  if (inc.state === "resolved" && can(role, "dispatcher", "commander")) {
    parts.push(el("button", { id: "close-btn", onclick: () => act(() => post(`/api/v1/incidents/${id}/close`, {}), id) }, t("close")));
  }
  parts.push(el("h3", {}, t("timeline")), el("ol", { class: "timeline", id: "timeline" }, inc.timeline.map((e) =>
    el("li", {}, `${fmtTime(e.at)} ${stateName(e.to_state) || e.kind}${e.unit_id ? " · " + unitName(e.unit_id) : ""} · ${e.actor}${e.note ? " · " + e.note : ""}`))));
  parts.push(el("p", { class: "error", id: "act-error", role: "alert" }));
  const keep = box.querySelector("#recommendation");
  box.replaceChildren(...parts);
  if (keep && !withRecommendation && box.querySelector("#recommendation")) box.querySelector("#recommendation").replaceWith(keep);
  drawQueue();
}

function progressButtons(inc, a, role) {
  if (a.released_at || !can(role, "officer", "dispatcher", "commander")) return [];
  const next = { dispatched: ["acknowledge", "acknowledge"], acknowledged: ["en-route", "en_route"], en_route: ["on-scene", "on_scene"] }[a.state];
  if (!next) return [];
  const url = `/api/v1/incidents/${inc.id}/units/${a.unit_id}/${next[0]}`;
  return [" ", el("button", { onclick: () => act(() => post(url, {}).catch((e) => overrideArrival(e, url, role)), inc.id) }, t(next[1]))];
}

// An arrival the unit's fix does not confirm: a dispatcher or commander may accept it with a
// reason (audited, and counted apart in the KPI); anyone else sees the refusal and its reason.
function overrideArrival(e, url, role) {
  if (!(e.body && e.body.code === "arrival_not_verified") || !can(role, "dispatcher", "commander")) throw e;
  const reason = window.prompt(`${half(e.message)}\n${t("override_reason")}`);
  if (!reason || !reason.trim()) throw e;
  return post(url, { override_reason: reason.trim() });
}

async function loadRecommendation(inc, box) {
  try {
    const rec = await api(`/api/v1/incidents/${inc.id}/recommendation`);
    if (!rec.picks.length) { box.append(el("p", { class: "hint" }, t("no_picks"))); }
    const list = el("ul", { class: "picks" }, rec.picks.map((p) => el("li", {},
      el("label", {}, el("input", { type: "checkbox", value: p.unit_id, checked: true }),
        ` ${(state.units.get(p.unit_id) || {}).call_sign || p.unit_id} · ${kindName(p.kind)} · ${t("eta")} ${fmtSecs(p.eta_s)} — `, el("span", { class: "hint" }, half(`${p.text_zh} / ${p.text_en}`))))));
    box.append(list, ...rec.unmet.map((u) => el("p", { class: "note" }, half(`${u.text_zh} / ${u.text_en}`))));
    if (rec.picks.length) {
      box.append(el("button", { id: "dispatch-btn", onclick: () => {
        const ids = [...list.querySelectorAll("input:checked")].map((x) => Number(x.value));
        act(() => post(`/api/v1/incidents/${inc.id}/dispatch`, { unit_ids: ids, note: "指挥中心派警 / dispatched from the command centre" }), inc.id);
      } }, t("dispatch")));
    }
  } catch (e) { box.append(el("p", { class: "error" }, half(e.message))); }
}

async function act(call, id) {
  try { await call(); await openIncident(id); } catch (e) { const p = $("#act-error"); if (p) p.textContent = half(e.message); }
}
