// The officer's phone: the jobs of the units bound to this account (the server says which:
// GET /units/mine, GET /incidents/mine), stepped through one by one. Kept current from the live
// feed: an event updates the job it names; only a job new to this phone is read in full (one GET).
import { api, post, el, $, t, half, session, typeName, stateName, fmtTime } from "./core.js";
import { addTexts } from "./i18n.js";
import { onLive } from "./live.js";
import { here, reportPosition } from "./position.js";

addTexts({
  officer_units: "本人警力：", officer_sep: "、", officer_unbound: "本账号当前未绑定警力，请联系调度员绑定后再接收任务。",
  officer_no_jobs: "暂无任务", officer_unit_of: "警力", officer_done_resolved: "已反馈，任务完成",
  officer_done_closed: "警情已结案，任务结束", officer_done_cancelled: "警情已撤销，任务结束",
  officer_done_released: "已收队，任务结束", officer_done_merged: "警情已合并，任务结束", officer_ok: "知道了",
  officer_step_acknowledge: "签收", officer_step_en_route: "出发", officer_step_on_scene: "到场",
  officer_resolve: "反馈并完成", officer_outcome: "处置结果（必填）", officer_outcome_needed: "请填写处置结果",
  officer_load_failed: "任务读取失败：",
}, {
  officer_units: "My units: ", officer_sep: ", ", officer_unbound: "This account is bound to no unit now: ask a dispatcher to bind it, then jobs arrive here.",
  officer_no_jobs: "No jobs", officer_unit_of: "Unit", officer_done_resolved: "Outcome reported: job done",
  officer_done_closed: "Incident closed: job over", officer_done_cancelled: "Incident cancelled: job over",
  officer_done_released: "Released: job over", officer_done_merged: "Incident merged: job over", officer_ok: "OK",
  officer_step_acknowledge: "Acknowledge", officer_step_en_route: "Set off", officer_step_on_scene: "On scene",
  officer_resolve: "Report outcome", officer_outcome: "Outcome (required)", officer_outcome_needed: "Write the outcome",
  officer_load_failed: "Could not read the jobs: ",
});

// The next step of an assignment: [URL segment, text key].
const NEXT = { dispatched: ["acknowledge", "officer_step_acknowledge"], acknowledged: ["en-route", "officer_step_en_route"],
  en_route: ["on-scene", "officer_step_on_scene"] };
const STAGES = { "incident.acknowledged": "acknowledged", "incident.en_route": "en_route", "incident.on_scene": "on_scene" };
const ENDED = ["resolved", "closed", "cancelled", "merged"];

/** What this phone knows: the account's units, its jobs by incident id, and finished jobs
 * kept on screen until the officer dismisses them (why each ended). */
const mine = { user: null, units: [], jobs: new Map(), done: new Map(), loading: null, fetching: new Set(), error: "" };
export const officerState = mine; // read by the browser tests

const visible = () => !$("#view-officer").hidden;
const myUnitIds = () => new Set(mine.units.map((u) => u.id));
const callSign = (id) => (mine.units.find((u) => u.id === id) || {}).call_sign || String(id);
/** This phone's live assignments on an incident. */
const held = (inc) => (inc.assignments || []).filter((a) => myUnitIds().has(a.unit_id) && !a.released_at);

/** Read the units and jobs once per sign-in (and again after a resync). */
async function load() {
  const [units, jobs] = await Promise.all([api("/api/v1/units/mine"), api("/api/v1/incidents/mine")]);
  mine.units = units;
  mine.jobs = new Map(jobs.map((j) => [j.id, j]));
  mine.error = "";
}
function ensureLoaded() {
  const who = session.user && session.user.username;
  if (mine.user !== who) { mine.user = who; mine.loading = null; mine.done.clear(); mine.jobs.clear(); mine.units = []; }
  if (!mine.loading) mine.loading = load().catch((e) => { mine.error = half(e.message); mine.loading = null; });
  return mine.loading;
}

/** A job left this phone: keep it on screen, marked, until the officer says OK. */
function finish(inc, why) {
  if (!mine.jobs.has(inc.id)) return;
  mine.jobs.delete(inc.id);
  mine.done.set(inc.id, { inc, why });
}

/** The answer to one of our own steps (the incident in full) replaces what we had. */
function take(inc) {
  if (ENDED.includes(inc.state)) finish({ ...mine.jobs.get(inc.id), ...inc }, inc.state);
  else if (!held(inc).length) finish({ ...mine.jobs.get(inc.id), ...inc }, "released");
  else mine.jobs.set(inc.id, inc);
  render();
}

/** Read one incident that a unit of ours was just sent to (once, however many events name it). */
async function fetchJob(id) {
  if (mine.fetching.has(id)) return;
  mine.fetching.add(id);
  try { const inc = await api(`/api/v1/incidents/${id}`); if (held(inc).length && !ENDED.includes(inc.state)) mine.jobs.set(id, inc); }
  catch { /* not visible or gone meanwhile */ }
  finally { mine.fetching.delete(id); render(); }
}

/** Apply one live event to the jobs, from what the event itself says. */
function applyLive(type, e) {
  if (type === "resync") { if (mine.user) { mine.loading = null; ensureLoaded().then(render); } return; }
  if (!type.startsWith("incident.") || !e.incident_id || !mine.user) return;
  const ours = e.unit_id != null && myUnitIds().has(e.unit_id);
  const job = mine.jobs.get(e.incident_id);
  if (!job) { if (ours && (type === "incident.dispatched" || type === "incident.reassigned")) fetchJob(e.incident_id); return; }
  job.state = e.state || job.state;
  if (ours) {
    const a = (job.assignments || []).find((x) => x.unit_id === e.unit_id && !x.released_at);
    if (a && STAGES[type]) { a.state = STAGES[type]; a[`${STAGES[type]}_at`] = e.at; }
    if (a && type === "incident.unit_released") a.released_at = e.at;
    if (!a && (type === "incident.dispatched" || type === "incident.reassigned")) { fetchJob(e.incident_id); return; }
  }
  for (const id of e.released_units || []) {
    const a = (job.assignments || []).find((x) => x.unit_id === id && !x.released_at);
    if (a) a.released_at = e.at;
  }
  if (ENDED.includes(job.state)) finish(job, job.state);
  else if (!held(job).length) finish(job, "released");
  render();
}

// A step of the unit's job; an arrival is checked against the unit's last fix, so it sends
// the phone's position first (the server refuses an arrival far from the scene, with why).
async function step(incId, unitId, name) {
  if (name === "on-scene") {
    const c = await here();
    if (c) await reportPosition(unitId, c);
  }
  return post(`/api/v1/incidents/${incId}/units/${unitId}/${name}`, {});
}

function jobCard(inc) {
  const err = el("p", { class: "error", role: "alert" });
  const fail = (e) => { err.textContent = half(e.message); };
  const card = el("div", { class: "assignment", "data-incident": inc.id },
    el("b", {}, `${inc.case_number} · ${typeName(inc.type_code)} · P${inc.priority}`),
    el("p", {}, inc.summary || ""),
    el("p", { class: "hint" }, [inc.address, fmtTime(inc.received_at), stateName(inc.state)].filter(Boolean).join(" · ")));
  for (const a of held(inc)) {
    const next = NEXT[a.state];
    const line = el("p", { class: "job-unit" }, `${t("officer_unit_of")} ${callSign(a.unit_id)} · ${stateName(a.state)}`);
    if (next) line.append(" ", el("button", { type: "button", "data-step": next[0], onclick: (ev) => {
      ev.target.disabled = true; step(inc.id, a.unit_id, next[0]).then(take, (e) => { ev.target.disabled = false; fail(e); });
    } }, t(next[1])));
    card.append(line);
  }
  if (inc.state === "on_scene") {
    const input = el("input", { placeholder: t("officer_outcome"), "aria-label": t("officer_outcome"), class: "outcome" });
    card.append(input, el("button", { type: "button", class: "resolve", onclick: (ev) => {
      if (!input.value.trim()) { err.textContent = t("officer_outcome_needed"); input.focus(); return; }
      ev.target.disabled = true;
      post(`/api/v1/incidents/${inc.id}/resolve`, { outcome: input.value.trim() }).then(take, (e) => { ev.target.disabled = false; fail(e); });
    } }, t("officer_resolve")));
  }
  card.append(err);
  return card;
}

function doneCard(id, { inc, why }) {
  return el("div", { class: "assignment done", "data-incident": id, "data-done": why, role: "status" },
    el("b", {}, `✓ ${t(`officer_done_${why}`)}`),
    el("p", {}, `${inc.case_number || ""} · ${typeName(inc.type_code)}`),
    el("button", { type: "button", class: "dismiss", onclick: () => { mine.done.delete(id); render(); } }, t("officer_ok")));
}

/** Draw the page from what the phone holds; no request here. */
function render() {
  if (!visible()) return;
  const units = $("#my-units");
  units.replaceChildren(mine.units.length
    ? `${t("officer_units")}${mine.units.map((u) => u.call_sign).join(t("officer_sep"))}`
    : (mine.error ? `${t("officer_load_failed")}${mine.error}` : t("officer_unbound")));
  units.classList.toggle("note", !mine.units.length);
  const cards = [...[...mine.done].map(([id, d]) => doneCard(id, d)), ...[...mine.jobs.values()].map(jobCard)];
  $("#assignments").replaceChildren(...(cards.length ? cards : mine.units.length ? [el("p", { class: "hint" }, t("officer_no_jobs"))] : []));
  $("#assignments").dataset.renders = String(Number($("#assignments").dataset.renders || 0) + 1);
}

export function initOfficer() {
  onLive(applyLive);
}

export async function showOfficer() {
  await ensureLoaded();
  render();
}
