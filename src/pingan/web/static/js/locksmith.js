// The filed locksmith's phone (开锁接单): the filing and its unit, the phone's position reported
// for that unit (as the officer's phone does), and the current job stepped through: accept or
// decline, check in at the lock, photos before and after, the record, the signature.
// Every refusal of the API (not filed, suspended, unit not bound, not your job, outside the
// geofence …) is shown in words as the server gives it, in the page's language.
import { api, post, el, $, t, session } from "./core.js";
import { addTexts, serverText } from "./i18n.js";
import { here, reportPosition, metresBetween } from "./position.js";
import { fill, levelName, smithStatus, ulState, lockType, flagChips, witnessLine, methodName, distance, when, partyName, labelled } from "./unlock-words.js";

const API = "/api/v1/trust/unlock";
const MAX_PHOTO_BYTES = 600_000; // the server's limit (services/common.py): refused before sending
const POLL_MS = 10_000; // new jobs reach this page by polling: a locksmith has no live feed

addTexts({
  nav_locksmith: "开锁接单",
  ls_filing: "我的备案", ls_filing_number: "备案编号", ls_company: "所属单位", ls_name: "姓名", ls_status: "备案状态",
  ls_not_filed: "本账号尚未备案为开锁人员，不能接单。请到辖区派出所办理备案。",
  ls_suspended: "您的备案已停用（{reason}），停用期间不能接单。如有疑问请联系辖区派出所。",
  ls_unit: "我的开锁单元", ls_unbound: "本账号当前未绑定开锁单元，不能接单。请联系派出所或平台管理员绑定。",
  ls_fix: "最近上报位置：{at}", ls_no_fix: "尚未上报位置", ls_report: "上报当前位置", ls_reported: "位置已上报",
  ls_no_geo: "无法获取手机定位：请允许本页面使用位置信息后重试。",
  ls_jobs: "当前任务", ls_no_jobs: "暂无开锁任务", ls_job: "开锁任务 {id}",
  ls_target: "开锁对象", ls_requester: "申请人", ls_flags: "风险提示", ls_no_flags: "无",
  ls_witness: "见证人", ls_eta: "预计到达", ls_distance: "距开锁点", ls_distance_unknown: "位置未知，请先上报位置",
  ls_notified_110: "已同步通报110",
  ls_accept: "接单", ls_decline: "拒单", ls_decline_confirm: "确认拒单（将改派其他开锁人员）", ls_cancel: "取消",
  ls_checkin: "到场签到（使用当前定位）", ls_checking: "正在获取定位…",
  ls_photo_before: "开锁前照片", ls_photo_after: "开锁后照片", ls_photo_done: "已上传", ls_photo_big: "照片过大（{size}），最大 600 KB，请降低拍照分辨率后重拍。",
  ls_photo_sending: "正在上传…",
  ls_method: "开锁方式", ls_fee: "收费（元）", ls_fee_bad: "请填写收费金额（元，最多两位小数）", ls_record: "生成开锁记录",
  ls_sign: "签名确认开锁记录", ls_signed_wait: "您已签名，等待{parties}签名",
  ls_done: "已签名归档，任务完成", ls_ok: "知道了",
}, {
  nav_locksmith: "Unlock jobs",
  ls_filing: "My filing", ls_filing_number: "Filing number", ls_company: "Company", ls_name: "Name", ls_status: "Filing status",
  ls_not_filed: "This account is not filed as a locksmith and cannot take jobs. File at the local police station.",
  ls_suspended: "Your filing is suspended ({reason}): no jobs until it is reinstated. Ask the local police station.",
  ls_unit: "My locksmith unit", ls_unbound: "This account is bound to no locksmith unit now and cannot take jobs. Ask the station or the administrator to bind it.",
  ls_fix: "Last position reported: {at}", ls_no_fix: "No position reported yet", ls_report: "Report my position", ls_reported: "Position reported",
  ls_no_geo: "The phone's position is not available: allow this page to use your location and try again.",
  ls_jobs: "Current job", ls_no_jobs: "No unlock jobs", ls_job: "Unlock job {id}",
  ls_target: "Lock", ls_requester: "Requester", ls_flags: "Risk flags", ls_no_flags: "none",
  ls_witness: "Witness", ls_eta: "Expected arrival", ls_distance: "Distance to the lock", ls_distance_unknown: "position unknown: report it first",
  ls_notified_110: "110 has been told",
  ls_accept: "Accept", ls_decline: "Decline", ls_decline_confirm: "Decline for sure (another locksmith is sent)", ls_cancel: "Cancel",
  ls_checkin: "Check in (uses my position now)", ls_checking: "Reading the position…",
  ls_photo_before: "Photo before opening", ls_photo_after: "Photo after opening", ls_photo_done: "uploaded",
  ls_photo_big: "Photo too large ({size}); at most 600 KB: take it at a lower resolution.", ls_photo_sending: "Uploading…",
  ls_method: "How it was opened", ls_fee: "Fee (yuan)", ls_fee_bad: "Enter the fee in yuan (at most two decimals)", ls_record: "Write the record",
  ls_sign: "Sign the record", ls_signed_wait: "You have signed; waiting for: {parties}",
  ls_done: "Signed and filed: job done", ls_ok: "OK",
});

/** What this phone holds: the filing, its unit and jobs (GET /locksmith/me), the phone's last
 * reading, jobs finished here (kept until dismissed), what it signed, each job's last note. */
const mine = { user: null, me: null, fix: null, done: new Map(), signed: new Map(), notes: new Map(), error: "", timer: null };
export const locksmithState = mine; // read by the browser tests

const visible = () => !$("#view-locksmith").hidden;
const active = () => Boolean(mine.me && mine.me.filing && mine.me.filing.status === "active" && mine.me.unit && mine.me.unit.bound);

/** Read the filing and jobs; true when anything changed (a poll re-draws only then, so a
 * half-typed fee or a chosen photo is not wiped by a re-draw). */
async function load() {
  const before = JSON.stringify(mine.me);
  try { mine.me = await api(`${API}/locksmith/me`); mine.error = ""; } catch (e) { if (e.status !== 401) mine.error = e.message; }
  return JSON.stringify(mine.me) !== before;
}

/** A job's note line: a refusal (server's words, current language) or a plain note. */
function note(id, text, isError = true) { mine.notes.set(id, { text, isError }); render(); }

/** Run one step of a job; its answer (the request) replaces the job, a refusal goes under it. */
async function act(id, send) {
  try { const out = await send(); mine.notes.delete(id); await load(); return out; }
  catch (e) { if (e.status !== 401) mine.notes.set(id, { text: e.message, isError: true }); await load(); return null; }
  finally { render(); }
}

/** Read the phone's position and report it for the unit (the server checks a check-in with it). */
async function report() {
  const c = await here();
  if (!c) throw new Error(t("ls_no_geo"));
  await reportPosition(mine.me.unit.id, c);
  mine.fix = { lon: c.longitude, lat: c.latitude, at: new Date().toISOString() };
  return c;
}

async function checkIn(job) {
  note(job.id, t("ls_checking"), false);
  await act(job.id, async () => {
    const c = await report();
    return post(`${API}/jobs/${job.id}/checkin`, { lon: c.longitude, lat: c.latitude });
  });
}

const readB64 = (file) => new Promise((resolve, reject) => {
  const r = new FileReader();
  r.onload = () => resolve(String(r.result).replace(/^data:[^,]*,/, ""));
  r.onerror = () => reject(r.error);
  r.readAsDataURL(file);
});

async function sendPhoto(job, stage, input) {
  const file = input.files && input.files[0];
  if (!file) return;
  if (file.size > MAX_PHOTO_BYTES) { note(job.id, fill("ls_photo_big", { size: `${Math.round(file.size / 1024)} KB` })); input.value = ""; return; }
  note(job.id, t("ls_photo_sending"), false);
  const b64 = await readB64(file);
  await act(job.id, () => post(`${API}/jobs/${job.id}/photos`, { stage, photo_b64: b64 }));
}

async function writeRecord(job, form) {
  const fee = String(form.elements.fee.value).trim();
  if (!/^\d+(\.\d{1,2})?$/.test(fee)) { note(job.id, t("ls_fee_bad")); return; }
  const [yuanPart, cents = ""] = fee.split(".");
  const fen = Number(yuanPart) * 100 + Number(cents.padEnd(2, "0")); // exact: no floating-point yuan
  await act(job.id, () => post(`${API}/jobs/${job.id}/record`, { method: form.elements.method.value, fee_fen: fen }));
}

async function sign(job) {
  const rec = await act(job.id, () => post(`${API}/jobs/${job.id}/sign`, {}));
  if (!rec) return;
  if (rec.filed_at) mine.done.set(job.id, job);
  else mine.signed.set(job.id, rec.parties.filter((p) => !rec.signed.includes(p)));
  render();
}

// -- drawing ------------------------------------------------------------------------------------
const line = labelled;

function filingCard() {
  const f = mine.me && mine.me.filing;
  if (!f) return [el("p", { class: "note ls-banner", role: "alert" }, t("ls_not_filed"))];
  const out = [line("ls_filing_number", f.filing_number), line("ls_company", f.company), line("ls_name", f.name_masked),
    line("ls_status", el("b", { "data-status": f.status }, smithStatus(f.status)))];
  if (f.status === "suspended") out.unshift(el("p", { class: "note ls-banner ls-suspended", role: "alert" }, fill("ls_suspended", { reason: f.status_reason || "" })));
  return out;
}

function unitCard() {
  const u = mine.me && mine.me.unit;
  if (!u) return [];
  const out = [el("p", {}, el("b", {}, u.call_sign))];
  if (!u.bound) out.push(el("p", { class: "note ls-banner", role: "alert" }, t("ls_unbound")));
  const at = mine.fix ? mine.fix.at : u.position_at;
  out.push(el("p", { class: "hint", id: "ls-fix" }, at ? fill("ls_fix", { at: when(at) }) : t("ls_no_fix")));
  if (active()) {
    const err = el("p", { class: "error", role: "alert" });
    out.push(el("button", { type: "button", id: "ls-report", onclick: async (ev) => {
      ev.target.disabled = true;
      try { await report(); await load(); render(); $("#ls-fix").textContent = t("ls_reported") + " · " + fill("ls_fix", { at: when(mine.fix.at) }); }
      catch (e) { if (e.status !== 401) serverText(err, e.message); }
      finally { ev.target.disabled = false; }
    } }, t("ls_report")), err);
  }
  return out;
}

/** Metres from the latest known position (the phone's reading, else the unit's fix) to the lock. */
function distanceTo(job) {
  const u = mine.me.unit || {};
  const p = mine.fix || (u.lon != null ? { lon: u.lon, lat: u.lat } : null);
  return p ? distance(metresBetween(p.lon, p.lat, job.lon, job.lat)) : t("ls_distance_unknown");
}

function photoInput(job, stage) {
  const done = job.photos.some((p) => p.stage === stage);
  const input = el("input", { type: "file", accept: "image/*", capture: "environment", name: stage, "data-stage": stage,
    onchange: () => sendPhoto(job, stage, input) });
  return el("label", { class: "ls-photo" }, el("span", {}, t(`ls_photo_${stage}`)), " ",
    done ? el("b", { class: "ok", "data-done": stage }, "✓ " + t("ls_photo_done")) : "", input);
}

function recordForm(job) {
  const form = el("form", { class: "ls-record", novalidate: true, onsubmit: (ev) => { ev.preventDefault(); writeRecord(job, form); } },
    el("label", {}, el("span", {}, t("ls_method")), " ",
      el("select", { name: "method" }, ...["technical", "destructive"].map((m) => el("option", { value: m }, methodName(m))))),
    el("label", {}, el("span", {}, t("ls_fee")), " ", el("input", { name: "fee", inputmode: "decimal", size: 8 })),
    el("button", { type: "submit" }, t("ls_record")));
  return form;
}

function actions(job) {
  const out = [];
  const button = (key, fn, attrs = {}) => el("button", { type: "button", ...attrs, onclick: async (ev) => { ev.target.disabled = true; await fn(); } }, t(key));
  if (job.status === "dispatched") {
    const confirm = el("span", { class: "ls-confirm", hidden: true },
      button("ls_decline_confirm", () => act(job.id, () => post(`${API}/jobs/${job.id}/decline`, {})), { "data-step": "decline-confirm" }),
      el("button", { type: "button", onclick: () => { confirm.hidden = true; } }, t("ls_cancel")));
    out.push(button("ls_accept", () => act(job.id, () => post(`${API}/jobs/${job.id}/accept`, {})), { "data-step": "accept" }),
      el("button", { type: "button", "data-step": "decline", onclick: () => { confirm.hidden = false; } }, t("ls_decline")), confirm);
  } else if (job.status === "accepted") {
    out.push(button("ls_checkin", () => checkIn(job), { "data-step": "checkin" }));
  } else if (job.status === "on_site") {
    out.push(photoInput(job, "before"), photoInput(job, "after"), recordForm(job));
  } else if (job.status === "signing") {
    const waiting = mine.signed.get(job.id);
    out.push(waiting ? el("p", { class: "hint" }, fill("ls_signed_wait", { parties: waiting.map(partyName).join(t("list_sep")) }))
      : button("ls_sign", () => sign(job), { "data-step": "sign" }));
  }
  return out;
}

function jobCard(job) {
  const n = mine.notes.get(job.id);
  return el("div", { class: "assignment ls-job", "data-request": job.id, "data-status": job.status },
    el("b", {}, `${fill("ls_job", { id: job.id })} · ${lockType(job.lock_type)} · ${ulState(job.status)}`),
    line("ls_target", [job.target, job.address].filter(Boolean).join(" · ")),
    line("ls_requester", `${job.id_masked} · ${levelName(job.level)}`),
    line("ls_flags", ...(job.flags.length ? flagChips(job.flags) : [t("ls_no_flags")])),
    line("ls_witness", witnessLine(job)),
    line("ls_distance", el("span", { class: "ls-distance" }, distanceTo(job))),
    job.eta_s != null && ["dispatched", "accepted"].includes(job.status) ? line("ls_eta", etaText(job.eta_s)) : "",
    job.notified_110 ? el("p", { class: "hint" }, t("ls_notified_110")) : "",
    ...(active() ? actions(job) : []),
    n ? serverTextNode(n) : el("p", { class: "error", role: "alert" }));
}
const etaText = (s) => `${Math.max(1, Math.round(s / 60))}${t("minutes")}`;
function serverTextNode(n) {
  const p = el("p", { class: n.isError ? "error" : "hint", role: "alert" });
  return n.isError ? serverText(p, n.text) : Object.assign(p, { textContent: n.text });
}

function doneCard(id) {
  return el("div", { class: "assignment done", "data-request": id, "data-done": "filed", role: "status" },
    el("b", {}, `✓ ${t("ls_done")}`), el("p", {}, fill("ls_job", { id })),
    el("button", { type: "button", class: "dismiss", onclick: () => { mine.done.delete(id); render(); } }, t("ls_ok")));
}

/** Draw from what the phone holds; no request here. */
function render() {
  if (!visible()) return;
  $("#ls-filing").replaceChildren(...(mine.error && !mine.me ? [serverText(el("p", { class: "error", role: "alert" }), mine.error)] : filingCard()));
  $("#ls-unit").replaceChildren(...(mine.me ? unitCard() : []));
  const jobs = (mine.me ? mine.me.jobs : []).filter((j) => !mine.done.has(j.id));
  const cards = [...[...mine.done.keys()].map(doneCard), ...jobs.map(jobCard)];
  $("#ls-jobs").replaceChildren(...(cards.length ? cards : [el("p", { class: "hint" }, t("ls_no_jobs"))]));
}

export async function showLocksmith() {
  const who = session.user && session.user.username;
  if (mine.user !== who) { Object.assign(mine, { user: who, me: null, fix: null, error: "" }); mine.done.clear(); mine.signed.clear(); mine.notes.clear(); }
  if (!mine.timer) {
    mine.timer = setInterval(() => { if (session.token && visible()) load().then((changed) => { if (changed) render(); }); }, POLL_MS);
  }
  await load();
  render();
}
