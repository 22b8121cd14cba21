// 会见管理 (the facility's visit desk): the day's schedule per terminal; visitors' ties waiting
// for review (accept, or refuse with a reason); family bookings waiting for the case
// authority's consent (record the consent, then approve, or refuse with a reason); the
// detainees (searched, masked); no-shows; visitors whose booking is suspended (reinstate); the
// calls under way, with a "watch" link to the call's view for monitored ones only — a lawyer's
// call is never watched. Officers and commanders act (visits.manage); the API enforces it.
import { api, post, el, $, t, may, saveFile } from "./core.js";
import { addTexts, fill, serverText } from "./i18n.js";
import { beijingIso } from "./money.js";
import { API, today, span, at, paren, privacyWords, partyWords, bookingStatus, visitKind, visitorRole, relationName, proofName,
  visitorStatus, detaineeStatus, stageName, restrictionName, facilityKind, terminalUse } from "./visit-words.js";

const POLL_MS = 15000;

addTexts({
  nav_visitdesk: "会见管理", vd_title: "视频会见管理", vd_facility: "场所", vd_date: "日期", vd_refresh: "刷新",
  vd_schedule: "会见安排（按终端）", vd_no_schedule: "当天没有会见安排", vd_col_time: "时间", vd_col_no: "预约号",
  vd_col_kind: "类别", vd_col_detainee: "被羁押人", vd_col_visitor: "会见人", vd_col_status: "状态", vd_col_actions: "操作",
  vd_no_show: "记为未到", vd_desk_cancel: "取消", vd_reason: "原因", vd_reason_needed: "请写明原因", vd_confirm: "确认", vd_back: "返回",
  vd_ties: "待审核的亲属关系与委托", vd_no_ties: "没有待审核的申请", vd_col_relation: "关系", vd_col_proof: "证明材料",
  vd_col_submitted: "提交时间", vd_view_proof: "查看证明", vd_accept: "通过", vd_refuse: "不予通过",
  vd_pending: "待审批的家属会见", vd_no_pending: "没有待审批的会见",
  vd_consent: "登记办案机关同意", vd_authority: "办案机关", vd_document_no: "文书编号", vd_valid_from: "有效期自",
  vd_valid_until: "有效期至", vd_col_consent: "办案机关同意", vd_consent_on_file: "已有同意文书", vd_consent_none: "未见同意文书",
  vd_consent_saved: "已登记办案机关同意（文书 {no}）", vd_approve: "批准", vd_decline: "不予批准",
  vd_detainees: "在押人员", vd_search: "编号或姓名", vd_find: "查找", vd_no_detainees: "没有匹配的人员",
  vd_col_stage: "诉讼阶段", vd_col_authority: "办案机关", vd_col_restrictions: "限制", vd_col_id: "身份证号",
  vd_no_shows: "预约未到", vd_no_no_shows: "没有未到记录",
  vd_suspended: "暂停预约的会见人", vd_no_suspended: "没有暂停预约的会见人", vd_until: "暂停至", vd_reinstate: "恢复预约",
  vd_live: "进行中的会见", vd_no_live: "当前没有进行中的会见", vd_watch: "监看", vd_terminal_join: "终端接入", vd_not_watched: "律师会见不予监看",
  vd_terminal_line: "{name}（{use}）",
}, {
  nav_visitdesk: "Visit desk", vd_title: "Video visit desk", vd_facility: "Facility", vd_date: "Date", vd_refresh: "Refresh",
  vd_schedule: "Schedule by terminal", vd_no_schedule: "No visits that day", vd_col_time: "Time", vd_col_no: "Booking no.",
  vd_col_kind: "Kind", vd_col_detainee: "Detainee", vd_col_visitor: "Visitor", vd_col_status: "Status", vd_col_actions: "Actions",
  vd_no_show: "Mark as not attended", vd_desk_cancel: "Cancel", vd_reason: "Reason", vd_reason_needed: "Give the reason", vd_confirm: "Confirm", vd_back: "Back",
  vd_ties: "Relations and engagements to check", vd_no_ties: "Nothing to check", vd_col_relation: "Relation", vd_col_proof: "Proof",
  vd_col_submitted: "Sent", vd_view_proof: "View the proof", vd_accept: "Accept", vd_refuse: "Refuse",
  vd_pending: "Family visits waiting for approval", vd_no_pending: "No visits waiting",
  vd_consent: "Record the case authority's consent", vd_authority: "Case authority", vd_document_no: "Document no.", vd_valid_from: "Valid from",
  vd_valid_until: "Valid until", vd_col_consent: "Case authority's consent", vd_consent_on_file: "On file", vd_consent_none: "None seen",
  vd_consent_saved: "Consent recorded (document {no})", vd_approve: "Approve", vd_decline: "Refuse",
  vd_detainees: "Detainees", vd_search: "Number or name", vd_find: "Find", vd_no_detainees: "Nobody matches",
  vd_col_stage: "Stage", vd_col_authority: "Case authority", vd_col_restrictions: "Restrictions", vd_col_id: "ID number",
  vd_no_shows: "Missed visits", vd_no_no_shows: "No missed visits",
  vd_suspended: "Visitors suspended from booking", vd_no_suspended: "No suspended visitors", vd_until: "Suspended until", vd_reinstate: "Reinstate",
  vd_live: "Calls under way", vd_no_live: "No call under way", vd_watch: "Watch", vd_terminal_join: "Join as the terminal", vd_not_watched: "Lawyer visits are not watched",
  vd_terminal_line: "{name} ({use})",
});

const desk = { ready: false, facilities: [], facility: null };
export const visitDeskState = desk; // read by the browser tests
export const mayUseVisitDesk = () => may("visits.read");
const manage = () => may("visits.manage");

const th = (...keys) => el("thead", {}, el("tr", {}, ...keys.map((k) => el("th", { "data-i18n": k }, t(k)))));
const card = (id, key, ...kids) => el("div", { class: "card", id }, el("h2", { "data-i18n": key }, t(key)), ...kids);
const empty = (n, key) => el("tr", { class: "empty" }, el("td", { colspan: n, class: "hint" }, t(key)));
const errorLine = (id) => el("p", { id, class: "error", role: "alert" });
const q = (params) => new URLSearchParams(Object.entries(params).filter(([, v]) => v !== null && v !== undefined && v !== "")).toString();

function build() {
  $("#view-visitdesk").replaceChildren(
    el("div", { class: "card" }, el("h2", { "data-i18n": "vd_title" }, t("vd_title")),
      el("div", { class: "board-bar" },
        el("label", {}, el("span", { "data-i18n": "vd_facility" }, t("vd_facility")), " ", el("select", { id: "vd-facility" })),
        el("label", {}, el("span", { "data-i18n": "vd_date" }, t("vd_date")), " ", el("input", { id: "vd-date", type: "date" })),
        el("button", { type: "button", id: "vd-refresh", "data-i18n": "vd_refresh" }, t("vd_refresh"))),
      el("p", { id: "vd-facility-line", class: "hint" }), errorLine("vd-error")),
    el("div", { class: "split" },
      el("div", {},
        card("vd-live-card", "vd_live", el("table", { id: "vd-live" }), errorLine("vd-live-error")),
        card("vd-schedule-card", "vd_schedule", el("div", { id: "vd-schedule" })),
        card("vd-pending-card", "vd_pending", el("table", { id: "vd-pending" }), errorLine("vd-pending-error")),
        card("vd-ties-card", "vd_ties", el("table", { id: "vd-ties" }), errorLine("vd-ties-error"))),
      el("div", {},
        card("vd-detainees-card", "vd_detainees",
          el("form", { id: "vd-search", class: "inline", novalidate: "" },
            el("input", { name: "q", maxlength: "50", "data-i18n-placeholder": "vd_search", placeholder: t("vd_search"), "data-i18n-aria-label": "vd_search", "aria-label": t("vd_search") }),
            el("button", { type: "submit", "data-i18n": "vd_find" }, t("vd_find"))),
          el("table", { id: "vd-detainees" }), el("div", { id: "vd-consent-box" })),
        card("vd-noshow-card", "vd_no_shows", el("table", { id: "vd-noshows" })),
        card("vd-suspended-card", "vd_suspended", el("table", { id: "vd-suspended" }), errorLine("vd-suspended-error")))));
  $("#vd-date").value = today();
  $("#vd-facility").addEventListener("change", () => { desk.facility = Number($("#vd-facility").value); draw(); });
  $("#vd-date").addEventListener("change", () => draw());
  $("#vd-refresh").addEventListener("click", () => draw());
  $("#vd-search").addEventListener("submit", (ev) => { ev.preventDefault(); drawDetainees(); });
  setInterval(() => { if (!$("#view-visitdesk").hidden) drawLive().catch(() => {}); }, POLL_MS);
}

export async function showVisitDesk() {
  if (!desk.ready) { build(); desk.ready = true; }
  try { desk.facilities = await api(`${API}/facilities`); } catch (e) { serverText($("#vd-error"), e.message); return; }
  const sel = $("#vd-facility");
  sel.replaceChildren(...desk.facilities.map((f) => el("option", { value: f.id }, f.name + paren(facilityKind(f.kind)))));
  if (!desk.facilities.some((f) => f.id === desk.facility)) desk.facility = desk.facilities.length ? desk.facilities[0].id : null;
  if (desk.facility) sel.value = desk.facility;
  await draw();
}

const facility = () => desk.facilities.find((f) => f.id === desk.facility) || null;

async function draw() {
  serverText($("#vd-error"), "");
  const f = facility();
  $("#vd-facility-line").textContent = f ? [f.address, f.phone, ...(f.terminals || []).map((x) => fill("vd_terminal_line", { name: x.name, use: terminalUse(x.use) }))].filter(Boolean).join(t("vw_sep")) : "";
  if (!f) return;
  await Promise.all([drawSchedule(), drawPending(), drawTies(), drawDetainees(), drawNoShows(), drawSuspended(), drawLive()]);
}

const bookings = (params) => api(`${API}/bookings?${q({ facility_id: desk.facility, ...params })}`).then((x) => x.items || x);

/** A reason asked for in the row itself, then `act(reason)`; the row's error line shows refusals. */
function reasonForm(cell, label, act) {
  const out = el("span", { class: "error", role: "alert" });
  const form = el("form", { class: "vd-reason-form inline", novalidate: "" },
    el("input", { name: "reason", maxlength: "200", placeholder: t("vd_reason"), "aria-label": t("vd_reason") }),
    el("button", { type: "submit" }, label), el("button", { type: "button", onclick: () => form.remove() }, t("vd_back")), out);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const reason = form.elements.reason.value.trim();
    if (!reason) { out.textContent = t("vd_reason_needed"); return; }
    try { await act(reason); } catch (e) { if (e.status !== 401) serverText(out, e.message); }
  });
  cell.querySelectorAll(".vd-reason-form").forEach((x) => x.remove());
  cell.append(form);
  form.elements.reason.focus();
}

/** A button that runs `act`, its refusal shown beside it in the server's words. */
function actButton(label, cls, act) {
  const out = el("span", { class: "error", role: "alert" });
  const b = el("button", { type: "button", class: cls }, label);
  b.addEventListener("click", async () => {
    b.disabled = true;
    try { await act(); } catch (e) { if (e.status !== 401) serverText(out, e.message); } finally { b.disabled = false; }
  });
  return [b, out];
}

// -- the day's schedule per terminal ----------------------------------------------------------
async function drawSchedule() {
  const box = $("#vd-schedule");
  let items;
  try { items = await bookings({ date: $("#vd-date").value }); } catch (e) { serverText(box, e.message); return; }
  const f = facility(), byTerminal = new Map((f.terminals || []).map((x) => [x.id, []]));
  for (const b of items) {
    if (!byTerminal.has(b.terminal.id)) byTerminal.set(b.terminal.id, []);
    byTerminal.get(b.terminal.id).push(b);
  }
  const names = new Map((f.terminals || []).map((x) => [x.id, fill("vd_terminal_line", { name: x.name, use: terminalUse(x.use) })]));
  const blocks = [...byTerminal].map(([id, list]) => {
    list.sort((a, b) => a.starts_at.localeCompare(b.starts_at));
    const rows = list.map((b) => scheduleRow(b));
    return el("div", { class: "vd-terminal", "data-terminal": id },
      el("h3", {}, names.get(id) || (list[0] && list[0].terminal.name) || ""),
      el("table", {}, th("vd_col_time", "vd_col_no", "vd_col_kind", "vd_col_detainee", "vd_col_visitor", "vd_col_status", "vd_col_actions"),
        el("tbody", {}, ...(rows.length ? rows : [empty(7, "vd_no_schedule")]))));
  });
  box.replaceChildren(...(blocks.length ? blocks : [el("p", { class: "hint" }, t("vd_no_schedule"))]));
}

function scheduleRow(b) {
  const acts = el("td", { class: "vd-actions" });
  const ended = Date.parse(b.ends_at) <= Date.now();
  if (manage() && b.status === "confirmed" && ended) acts.append(...actButton(t("vd_no_show"), "vd-noshow", () => post(`${API}/bookings/${b.id}/no-show`).then(draw)));
  if (manage() && ["confirmed", "pending_approval"].includes(b.status) && !ended) {
    acts.append(el("button", { type: "button", class: "vd-cancel", onclick: () => reasonForm(acts, t("vd_confirm"),
      (reason) => post(`${API}/bookings/${b.id}/cancel`, { reason }).then(draw)) }, t("vd_desk_cancel")));
  }
  if (may("visits.terminal") && ["confirmed", "in_call"].includes(b.status) && !ended) {
    acts.append(el("a", { href: `#visitcall/${b.id}/terminal`, class: "vd-terminal-join", "data-booking": b.id }, t("vd_terminal_join")));
  }
  if (b.status === "in_call") acts.append(watchCell(b));
  return el("tr", { "data-booking": b.id, "data-status": b.status },
    el("td", { class: "nowrap" }, span(b)), el("td", { class: "booking-no" }, b.booking_no), el("td", {}, visitKind(b.kind)),
    el("td", {}, b.detainee.name_masked + paren(b.detainee.detainee_no)), el("td", {}, b.visitor.name_masked),
    el("td", {}, bookingStatus(b.status), el("div", { class: "hint" }, privacyWords(b))), acts);
}

/** "Watch" for a monitored call (the monitor side of #visitcall); a lawyer's call never. */
function watchCell(b) {
  if (b.kind === "lawyer" || !b.monitored) return el("span", { class: "hint vd-not-watched" }, t("vd_not_watched"));
  if (!may("visits.monitor")) return "";
  return el("a", { href: `#visitcall/${b.id}/monitor`, class: "vd-watch", "data-booking": b.id }, t("vd_watch"));
}

// -- calls under way ----------------------------------------------------------------------------
async function drawLive() {
  const table = $("#vd-live");
  let items;
  try { items = await bookings({ status: "in_call" }); } catch (e) { serverText($("#vd-live-error"), e.message); return; }
  const rows = items.map((b) => el("tr", { "data-booking": b.id },
    el("td", { class: "nowrap" }, span(b)), el("td", {}, b.terminal.name), el("td", {}, visitKind(b.kind)),
    el("td", {}, b.detainee.name_masked), el("td", {}, b.visitor.name_masked), el("td", {}, watchCell(b))));
  table.replaceChildren(th("vd_col_time", "vw_terminal", "vd_col_kind", "vd_col_detainee", "vd_col_visitor", "vd_col_actions"),
    el("tbody", {}, ...(rows.length ? rows : [empty(6, "vd_no_live")])));
}

// -- bookings waiting for the case authority's consent -------------------------------------------
async function drawPending() {
  const table = $("#vd-pending");
  let items;
  try { items = await bookings({ status: "pending_approval" }); } catch (e) { serverText($("#vd-pending-error"), e.message); return; }
  const rows = items.map((b) => {
    const acts = el("td", { class: "vd-actions" });
    if (manage()) {
      acts.append(
        ...actButton(t("vd_approve"), "vd-approve", () => post(`${API}/bookings/${b.id}/decide`, { decision: "approve", reason: "" }).then(draw)),
        el("button", { type: "button", class: "vd-decline", onclick: () => reasonForm(acts, t("vd_decline"),
          (reason) => post(`${API}/bookings/${b.id}/decide`, { decision: "refuse", reason }).then(draw)) }, t("vd_decline")));
    }
    return el("tr", { "data-booking": b.id },
      el("td", { class: "nowrap" }, span(b)), el("td", { class: "booking-no" }, b.booking_no),
      el("td", {}, b.detainee.name_masked + paren(b.detainee.detainee_no)),
      el("td", {}, b.visitor.name_masked, b.party && b.party.length ? el("div", { class: "hint" }, partyWords(b.party)) : ""),
      el("td", {}, t(b.approval_id ? "vd_consent_on_file" : "vd_consent_none")), acts);
  });
  table.replaceChildren(th("vd_col_time", "vd_col_no", "vd_col_detainee", "vd_col_visitor", "vd_col_consent", "vd_col_actions"),
    el("tbody", {}, ...(rows.length ? rows : [empty(6, "vd_no_pending")])));
}

/** The case authority's consent to family visits with a detainee, as its document says: who,
 * number, how long (for every visitor: a 看守所 books family visits only with one on file). */
function consentForm(d) {
  const day = today();
  const field = (name, key, input) => el("label", {}, el("span", {}, t(key)), " ", input, el("small", { class: "field-error", "data-for": name }));
  const out = el("p", { class: "form-note", role: "status" });
  const form = el("form", { id: "vd-consent-form", novalidate: "", "data-detainee": d.id },
    el("h3", {}, t("vd_consent"), " · ", d.name_masked + paren(d.detainee_no)),
    field("authority", "vd_authority", el("input", { name: "authority", maxlength: "100" })),
    field("document_no", "vd_document_no", el("input", { name: "document_no", maxlength: "60", autocomplete: "off" })),
    field("valid_from", "vd_valid_from", el("input", { name: "valid_from", type: "date", value: day })),
    field("valid_until", "vd_valid_until", el("input", { name: "valid_until", type: "date" })),
    el("button", { type: "submit" }, t("vd_consent")),
    el("button", { type: "button", onclick: () => form.remove() }, t("vd_back")), out);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const v = Object.fromEntries(["authority", "document_no", "valid_from", "valid_until"].map((k) => [k, form.elements[k].value.trim()]));
    const bad = {};
    for (const k of ["authority", "document_no", "valid_from", "valid_until"]) if (!v[k]) bad[k] = t("vw_required");
    form.querySelectorAll(".field-error").forEach((s) => { s.textContent = bad[s.dataset.for] || ""; });
    if (Object.keys(bad).length) return;
    try {
      await post(`${API}/approvals`, { detainee_id: d.id, visitor_id: null,
        authority: v.authority, document_no: v.document_no,
        valid_from: beijingIso(`${v.valid_from}T00:00`), valid_until: beijingIso(`${v.valid_until}T23:59:59`) });
      out.textContent = fill("vd_consent_saved", { no: v.document_no });
      out.dataset.saved = "yes";
    } catch (e) { if (e.status !== 401) serverText(out, e.message); }
  });
  $("#vd-consent-box").replaceChildren(form);
  form.elements.authority.value = d.case_authority || "";
  form.elements.authority.focus();
}

// -- ties waiting for review ------------------------------------------------------------------------
async function drawTies() {
  const table = $("#vd-ties");
  let items;
  try { items = await api(`${API}/relations?${q({ status: "pending", facility_id: desk.facility })}`); } catch (e) { serverText($("#vd-ties-error"), e.message); return; }
  items = items.items || items;
  const rows = items.map((r) => {
    const acts = el("td", { class: "vd-actions" });
    if (manage()) {
      acts.append(...actButton(t("vd_accept"), "vd-accept", () => post(`${API}/relations/${r.id}/review`, { decision: "accept", reason: "" }).then(draw)),
        el("button", { type: "button", class: "vd-refuse", onclick: () => reasonForm(acts, t("vd_refuse"),
          (reason) => post(`${API}/relations/${r.id}/review`, { decision: "refuse", reason }).then(draw)) }, t("vd_refuse")));
    }
    const v = r.visitor || {}, d = r.detainee || {};
    return el("tr", { "data-tie": r.id },
      el("td", {}, (v.name_masked || "") + paren(visitorRole(v.role)), v.licence_no ? el("div", { class: "hint" }, v.licence_no, t("vw_sep"), v.organisation || "") : ""),
      el("td", {}, (d.name_masked || "") + paren(d.detainee_no || "")), el("td", {}, relationName(r.relation)),
      el("td", {}, proofName(r.proof_kind), " ", el("button", { type: "button", class: "vd-proof",
        onclick: () => saveFile(`${API}/relations/${r.id}/proof`, `proof-${r.id}`).catch((e) => serverText($("#vd-ties-error"), e.message)) }, t("vd_view_proof"))),
      el("td", { class: "nowrap" }, at(r.created_at)), acts);
  });
  table.replaceChildren(th("vd_col_visitor", "vd_col_detainee", "vd_col_relation", "vd_col_proof", "vd_col_submitted", "vd_col_actions"),
    el("tbody", {}, ...(rows.length ? rows : [empty(6, "vd_no_ties")])));
}

// -- detainees, no-shows, suspended visitors -------------------------------------------------------
async function drawDetainees() {
  const table = $("#vd-detainees");
  let items;
  try { items = await api(`${API}/detainees?${q({ facility_id: desk.facility, q: $("#vd-search").elements.q.value.trim() })}`); } catch (e) { serverText(table, e.message); return; }
  items = items.items || items;
  const rows = items.map((d) => el("tr", { "data-detainee": d.id },
    el("td", {}, d.detainee_no), el("td", {}, d.name_masked), el("td", {}, d.id_masked || ""),
    el("td", {}, detaineeStatus(d.status), t("vw_sep"), stageName(d.stage)), el("td", {}, d.case_authority || ""),
    el("td", {}, (d.restrictions || []).map(restrictionName).join(t("vw_list"))),
    el("td", { class: "vd-actions" }, manage() && d.status === "held" && facility().kind === "detention_centre"
      ? el("button", { type: "button", class: "vd-consent", onclick: () => consentForm(d) }, t("vd_consent")) : "")));
  table.replaceChildren(th("vd_col_no", "vd_col_detainee", "vd_col_id", "vd_col_stage", "vd_col_authority", "vd_col_restrictions", "vd_col_actions"),
    el("tbody", {}, ...(rows.length ? rows : [empty(7, "vd_no_detainees")])));
}

async function drawNoShows() {
  const table = $("#vd-noshows");
  let items;
  try { items = await bookings({ status: "no_show" }); } catch (e) { serverText(table, e.message); return; }
  const rows = items.map((b) => el("tr", { "data-booking": b.id },
    el("td", { class: "nowrap" }, span(b)), el("td", { class: "booking-no" }, b.booking_no), el("td", {}, b.visitor.name_masked),
    el("td", {}, b.detainee.name_masked)));
  table.replaceChildren(th("vd_col_time", "vd_col_no", "vd_col_visitor", "vd_col_detainee"),
    el("tbody", {}, ...(rows.length ? rows : [empty(4, "vd_no_no_shows")])));
}

async function drawSuspended() {
  const table = $("#vd-suspended");
  let items;
  try { items = await api(`${API}/visitors?${q({ status: "suspended" })}`); } catch (e) { serverText($("#vd-suspended-error"), e.message); return; }
  items = (items.items || items).filter((v) => v.status === "suspended");
  const rows = items.map((v) => {
    const acts = el("td", { class: "vd-actions" });
    if (manage()) {
      acts.append(el("button", { type: "button", class: "vd-reinstate", onclick: () => reasonForm(acts, t("vd_reinstate"),
        (reason) => post(`${API}/visitors/${v.id}/reinstate`, { reason }).then(draw)) }, t("vd_reinstate")));
    }
    return el("tr", { "data-visitor": v.id }, el("td", {}, v.name_masked + paren(visitorRole(v.role))),
      el("td", {}, visitorStatus(v.status)), el("td", { class: "nowrap" }, at(v.suspended_until)), acts);
  });
  table.replaceChildren(th("vd_col_visitor", "vd_col_status", "vd_until", "vd_col_actions"),
    el("tbody", {}, ...(rows.length ? rows : [empty(4, "vd_no_suspended")])));
}
