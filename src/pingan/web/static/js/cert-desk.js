// Certificate desk (证明审核): officers list no-criminal-record applications (by status, document
// kind and day submitted) with their due dates in working days, the identity level each
// applicant held and what was issued; open one for its documents, objections and timeline;
// answer or extend objections; revoke a certificate; check a person in person at the window (L3);
// see when the criminal-record table was last imported. Auditors read the lists only.
// Personal data stays as the API masks it; every string from the API goes on screen as text.
import { api, post, el, $, t, may, showFieldErrors } from "./core.js";
import { addTexts, fill, lang, word, serverText } from "./i18n.js";

addTexts({
  nav_certdesk: "证明审核", cd_title: "无犯罪记录证明审核", cd_status: "状态", cd_kind: "出具文书", cd_from: "提交日期自", cd_to: "至",
  cd_all_statuses: "全部状态", cd_all_kinds: "全部文书", cd_no: "申请号", cd_applicant: "申请人", cd_submitted: "提交时间",
  cd_due: "办结期限", cd_identity: "身份核验", cd_result: "核查结果", cd_document: "出具文书", cd_prev: "上一页", cd_next: "下一页",
  cd_count: "第 {from}–{to} 条，共 {total} 条", cd_none: "暂无申请", cd_no_objections: "暂无异议",
  cd_objections: "异议复核", cd_grounds: "异议理由", cd_filed: "提出时间", cd_obj_status: "状态", cd_actions: "处理",
  cd_pick: "选择一份申请查看详情与办理经过", cd_revoke: "撤销证明", cd_number: "证明编号", cd_reason: "撤销理由",
  cd_revoke_button: "撤销", cd_inperson: "窗口核验（实证）", cd_inperson_hint: "查验居民身份证原件后填写；账号可填用户名或账号编号。",
  cd_name: "姓名", cd_id_number: "身份证号", cd_account: "账号（用户名或编号，可选）", cd_check: "核验",
  cd_overdue: "已超期", cd_extended: "已延期", cd_not_extended: "未延期", cd_extend: "延期", cd_answer: "答复", cd_cancel: "取消",
  cd_confirm: "确认", cd_upheld_q: "复核结论", cd_answer_text: "答复内容", cd_send_answer: "提交答复",
  cd_confirm_extend: "将申请 {app} 的异议期限延长至受理后 30 个工作日？只能延期一次。",
  cd_confirm_revoke: "确认撤销证明 {number}？撤销后在线核验将显示已撤销，不可恢复。", cd_confirm_revoke_button: "确认撤销 {number}",
  cd_revoked_ok: "已撤销证明 {number}", cd_revoked_tag: "已撤销", cd_revoked_at: "撤销于 {at}：{reason}",
  cd_extended_ok: "已延期至 {due}", cd_answered_ok: "已答复", cd_inperson_ok: "核验通过：{name}，{id}，{level}，有效至 {until}",
  cd_detail: "申请 {id}", cd_purpose: "用途", cd_period: "查询期间", cd_station: "受理单位", cd_decided: "办结时间",
  cd_timeline: "办理经过", cd_scans: "在线核验 {n} 次", cd_documents: "文书", cd_answered: "答复：{answer}",
  cd_records: "犯罪记录表：{rows} 条（其中 {counting} 条计入核查），{at} 由 {by} 导入", cd_records_none: "犯罪记录表尚未导入",
  cd_lv_0: "未核验", cd_lv_1: "实名", cd_lv_2: "实人", cd_lv_3: "实证",
  cd_m_id_name: "身份证号与姓名比对", cd_m_face: "人脸核验", cd_m_otp: "短信验证码", cd_m_in_person: "窗口核验",
  cd_st_issued: "已出具证明", cd_st_not_issued: "不予出具", cd_st_submitted: "已提交",
  cd_r_no_record: "无犯罪记录", cd_r_record_found: "有犯罪记录",
  cd_k_certificate: "无犯罪记录证明", cd_k_notice: "不予出具通知书", cd_k_letter: "查询结果告知函",
  cd_os_open: "待答复", cd_os_upheld: "异议成立", cd_os_dismissed: "异议不成立",
  cd_p_employment: "就业", cd_p_study_abroad: "出国留学", cd_p_emigration: "出国定居", cd_p_political_review: "政审",
  cd_p_qualification: "资格审查", cd_p_other: "其他",
  "cd_ev_cert.apply": "提交申请并自动核查", "cd_ev_cert.objection": "提出异议", "cd_ev_cert.objection_extend": "异议延期",
  "cd_ev_cert.objection_answer": "答复异议", "cd_ev_cert.revoke": "撤销证明", "cd_ev_cert.consent": "生成授权码",
  "cd_ev_cert.query": "单位查询", "cd_ev_cert.pin": "设置核验密码",
}, {
  nav_certdesk: "Certificates", cd_title: "No-criminal-record certificates", cd_status: "Status", cd_kind: "Document", cd_from: "Submitted from", cd_to: "to",
  cd_all_statuses: "All statuses", cd_all_kinds: "All documents", cd_no: "Application", cd_applicant: "Applicant", cd_submitted: "Submitted",
  cd_due: "Due", cd_identity: "Identity", cd_result: "Check", cd_document: "Document issued", cd_prev: "Previous", cd_next: "Next",
  cd_count: "{from}–{to} of {total}", cd_none: "No applications", cd_no_objections: "No objections",
  cd_objections: "Objections", cd_grounds: "Grounds", cd_filed: "Filed", cd_obj_status: "Status", cd_actions: "Action",
  cd_pick: "Pick an application to see its details and timeline", cd_revoke: "Revoke a certificate", cd_number: "Certificate number", cd_reason: "Reason",
  cd_revoke_button: "Revoke", cd_inperson: "In-person check (L3)", cd_inperson_hint: "Fill in after seeing the resident ID card; the account by username or number.",
  cd_name: "Name", cd_id_number: "ID number", cd_account: "Account (username or number, optional)", cd_check: "Check",
  cd_overdue: "overdue", cd_extended: "extended", cd_not_extended: "not extended", cd_extend: "Extend", cd_answer: "Answer", cd_cancel: "Cancel",
  cd_confirm: "Confirm", cd_upheld_q: "Finding", cd_answer_text: "Answer", cd_send_answer: "Send answer",
  cd_confirm_extend: "Extend the objection on application {app} to 30 working days from filing? It can be extended once only.",
  cd_confirm_revoke: "Revoke certificate {number}? Online verification will then say revoked; this cannot be undone.", cd_confirm_revoke_button: "Revoke {number}",
  cd_revoked_ok: "Certificate {number} revoked", cd_revoked_tag: "revoked", cd_revoked_at: "revoked {at}: {reason}",
  cd_extended_ok: "Extended to {due}", cd_answered_ok: "Answered", cd_inperson_ok: "Checked: {name}, {id}, {level}, valid until {until}",
  cd_detail: "Application {id}", cd_purpose: "Purpose", cd_period: "Period", cd_station: "Station", cd_decided: "Decided",
  cd_timeline: "Timeline", cd_scans: "verified online {n} times", cd_documents: "Documents", cd_answered: "Answer: {answer}",
  cd_records: "Criminal-record table: {rows} rows ({counting} counting), imported {at} by {by}", cd_records_none: "The criminal-record table has not been imported",
  cd_lv_0: "not verified", cd_lv_1: "real name", cd_lv_2: "real person", cd_lv_3: "in person",
  cd_m_id_name: "ID number and name", cd_m_face: "face check", cd_m_otp: "text message code", cd_m_in_person: "at the window",
  cd_st_issued: "Certificate issued", cd_st_not_issued: "Not issued", cd_st_submitted: "Submitted",
  cd_r_no_record: "no record", cd_r_record_found: "record found",
  cd_k_certificate: "Certificate", cd_k_notice: "Notice of refusal", cd_k_letter: "Result letter",
  cd_os_open: "Open", cd_os_upheld: "Upheld", cd_os_dismissed: "Dismissed",
  cd_p_employment: "employment", cd_p_study_abroad: "study abroad", cd_p_emigration: "emigration", cd_p_political_review: "political review",
  cd_p_qualification: "qualification", cd_p_other: "other",
  "cd_ev_cert.apply": "applied; checked automatically", "cd_ev_cert.objection": "objection filed", "cd_ev_cert.objection_extend": "objection extended",
  "cd_ev_cert.objection_answer": "objection answered", "cd_ev_cert.revoke": "certificate revoked", "cd_ev_cert.consent": "consent code made",
  "cd_ev_cert.query": "employer's query", "cd_ev_cert.pin": "verification PIN set",
});

const URL = "/api/v1/trust/certificates";
const STATUSES = ["issued", "not_issued"];
const KINDS = ["certificate", "notice"];
const PAGE = 20;
let offset = 0;
let selected = null;
let ready = false;

const when = (iso) => (iso ? new Date(iso).toLocaleString(lang === "zh" ? "zh-CN" : "en-GB", { hour12: false,
  year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" }) : "");
const manages = () => may("trust.cert_manage");
const values = (form) => Object.fromEntries(new FormData(form));

/** Whether the signed-in role reads the desk (trust.cert_list; acting needs trust.cert_manage). */
export const mayUseCertDesk = () => may("trust.cert_list");

function init() {
  if (ready) return;
  ready = true;
  for (const id of ["#cd-status", "#cd-kind", "#cd-from", "#cd-to"]) $(id).addEventListener("change", () => { offset = 0; loadList(); });
  $("#cd-prev").addEventListener("click", () => { offset = Math.max(0, offset - PAGE); loadList(); });
  $("#cd-next").addEventListener("click", () => { offset += PAGE; loadList(); });
  $("#cd-revoke-form").addEventListener("submit", askRevoke);
  $("#cd-inperson-form").addEventListener("submit", inPerson);
}

/** Opening the view (and each language switch): words, both lists, the open application. */
export async function showCertDesk() {
  init();
  document.querySelectorAll("#view-certdesk .cd-manage").forEach((n) => { n.hidden = !manages(); });
  document.querySelectorAll("#view-certdesk .cd-inperson").forEach((n) => { n.hidden = !may("trust.identity_in_person"); });
  fillSelect($("#cd-status"), "cd_all_statuses", STATUSES.map((s) => [s, word("cd_st_", s)]));
  fillSelect($("#cd-kind"), "cd_all_kinds", KINDS.map((k) => [k, word("cd_k_", k)]));
  await Promise.all([loadRecords(), loadList(), loadObjections(), selected ? openDetail(selected) : null]);
}

function fillSelect(sel, allKey, options) {
  const keep = sel.value;
  sel.replaceChildren(el("option", { value: "" }, t(allKey)), ...options.map(([v, text]) => el("option", { value: v }, text)));
  sel.value = options.some(([v]) => v === keep) ? keep : "";
}

async function loadRecords() {
  const p = $("#cd-records");
  try {
    const s = await api(`${URL}/records/status`);
    p.textContent = s.imported_at ? fill("cd_records", { rows: s.rows, counting: s.counting, at: when(s.imported_at), by: s.imported_by }) : t("cd_records_none");
  } catch (e) { if (e.status !== 401) serverText(p, e.message); }
}

const identity = (a) => [word("cd_lv_", a.level), word("cd_m_", a.method)].filter(Boolean).join(" · ");
const result = (a) => word("cd_r_", a.status === "issued" ? "no_record" : a.reason || "");
const due = (iso, overdue) => el("span", { class: overdue ? "cd-late" : "" }, iso, overdue ? el("b", { class: "cd-late-tag" }, " ", t("cd_overdue")) : "");
const docLine = (d) => el("span", { class: "cd-doc", "data-number": d.number }, `${word("cd_k_", d.kind)} `, el("code", {}, d.number),
  d.revoked_at ? el("b", { class: "cd-revoked" }, " ", t("cd_revoked_tag")) : "");

async function loadList() {
  const q = new URLSearchParams({ limit: PAGE, offset });
  for (const [name, id] of [["status", "#cd-status"], ["kind", "#cd-kind"], ["submitted_from", "#cd-from"], ["submitted_to", "#cd-to"]]) if ($(id).value) q.set(name, $(id).value);
  const err = $("#cd-list-error"); err.textContent = "";
  let page;
  try { page = await api(`${URL}/applications?${q}`); } catch (e) { if (e.status !== 401) serverText(err, e.message); return; }
  const rows = page.items.map((a) => el("tr", { "data-app": a.id, class: [a.id === selected ? "selected" : "", a.overdue ? "overdue" : ""].join(" ").trim(), onclick: () => openDetail(a.id) },
    el("td", {}, el("button", { type: "button", class: "case", onclick: (ev) => { ev.stopPropagation(); openDetail(a.id); } }, String(a.id))),
    el("td", { class: "nowrap" }, a.name_masked || "", " ", el("span", { class: "hint" }, a.id_masked)),
    el("td", { class: "nowrap" }, when(a.submitted_at)), el("td", { class: "nowrap" }, due(a.due_on, a.overdue)),
    el("td", { class: "cd-identity" }, identity(a)), el("td", { class: "nowrap" }, result(a)), el("td", {}, a.documents.map(docLine))));
  $("#cd-apps tbody").replaceChildren(...(rows.length ? rows : [el("tr", {}, el("td", { colspan: 7, class: "hint" }, t("cd_none")))]));
  $("#cd-count").textContent = page.total ? fill("cd_count", { from: offset + 1, to: offset + page.items.length, total: page.total }) : "";
  $("#cd-prev").disabled = offset === 0;
  $("#cd-next").disabled = offset + page.items.length >= page.total;
}

async function loadObjections() {
  const err = $("#cd-obj-error");
  let page;
  try { page = await api(`${URL}/objections?limit=100`); } catch (e) { if (e.status !== 401) serverText(err, e.message); return; }
  const rows = page.items.map((o) => el("tr", { "data-objection": o.id, "data-app": o.application_id, class: o.overdue ? "overdue" : "", onclick: () => openDetail(o.application_id) },
    el("td", {}, String(o.application_id)), el("td", { class: "desc" }, o.grounds), el("td", { class: "nowrap" }, when(o.filed_at)),
    el("td", { class: "nowrap" }, due(o.due_on, o.overdue), el("div", { class: "hint" }, t(o.extended ? "cd_extended" : "cd_not_extended"))),
    el("td", {}, word("cd_os_", o.status), o.answer ? el("div", { class: "hint" }, o.answer) : ""),
    manages() ? el("td", { class: "nowrap" }, o.status === "open" ? [
      el("button", { type: "button", class: "cd-answer", onclick: (ev) => { ev.stopPropagation(); answerForm(o); } }, t("cd_answer")),
      o.extended ? "" : el("button", { type: "button", class: "cd-extend", onclick: (ev) => { ev.stopPropagation(); askExtend(o); } }, t("cd_extend")),
    ] : "") : ""));
  $("#cd-objections tbody").replaceChildren(...(rows.length ? rows : [el("tr", {}, el("td", { colspan: manages() ? 6 : 5, class: "hint" }, t("cd_no_objections")))]));
}

/** An in-page confirmation naming what is about to change: Confirm runs `action`. */
function confirmIn(box, text, button, action) {
  box.replaceChildren(el("div", { class: "cd-confirm", role: "alertdialog" }, el("p", {}, text),
    el("button", { type: "button", class: "cd-yes", onclick: () => { box.replaceChildren(); action(); } }, button),
    " ", el("button", { type: "button", class: "cd-no", onclick: () => box.replaceChildren() }, t("cd_cancel"))));
  box.querySelector(".cd-yes").focus();
}

function askExtend(o) {
  $("#cd-obj-error").textContent = "";
  confirmIn($("#cd-obj-panel"), fill("cd_confirm_extend", { app: o.application_id }), t("cd_confirm"), async () => {
    try {
      const done = await post(`${URL}/objections/${o.id}/extend`);
      $("#cd-obj-error").textContent = "";
      $("#cd-obj-panel").replaceChildren(el("p", { role: "status", class: "cd-ok" }, fill("cd_extended_ok", { due: done.due_on })));
    } catch (e) { if (e.status !== 401) serverText($("#cd-obj-error"), e.message); }
    await afterChange(o.application_id);
  });
}

function answerForm(o) {
  $("#cd-obj-error").textContent = "";
  const form = el("form", { id: "cd-answer-form", "data-objection": o.id, novalidate: "" },
    el("p", {}, fill("cd_detail", { id: o.application_id }), " · ", el("span", { class: "desc" }, o.grounds)),
    el("label", {}, el("span", {}, t("cd_upheld_q")), " ", el("select", { name: "upheld" },
      el("option", { value: "false" }, t("cd_os_dismissed")), el("option", { value: "true" }, t("cd_os_upheld")))),
    el("label", {}, el("span", {}, t("cd_answer_text")), " ", el("textarea", { name: "answer", rows: 3, maxlength: 1000 }),
      el("small", { class: "field-error", "data-for": "answer" })),
    el("button", { type: "submit" }, t("cd_send_answer")), " ",
    el("button", { type: "button", onclick: () => $("#cd-obj-panel").replaceChildren() }, t("cd_cancel")));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const v = values(form);
    const bad = String(v.answer || "").trim() ? {} : { answer: t("required") };
    showFieldErrors(form, bad);
    if (Object.keys(bad).length) return;
    try {
      await post(`${URL}/objections/${o.id}/answer`, { upheld: v.upheld === "true", answer: v.answer.trim() });
      $("#cd-obj-panel").replaceChildren(el("p", { role: "status", class: "cd-ok" }, t("cd_answered_ok")));
    } catch (e) { if (e.status !== 401) serverText($("#cd-obj-error"), e.message); }
    await afterChange(o.application_id);
  });
  $("#cd-obj-panel").replaceChildren(form);
  form.elements.answer.focus();
}

async function afterChange(appId) {
  await Promise.all([loadList(), loadObjections(), appId && (selected === appId || !selected) ? openDetail(appId) : null]);
}

/** One application: who, what for, identity held, result, documents, objections, timeline. */
async function openDetail(id) {
  selected = id;
  document.querySelectorAll("#cd-apps tbody tr").forEach((r) => r.classList.toggle("selected", Number(r.dataset.app) === id));
  const box = $("#cd-detail");
  let a;
  try { a = await api(`${URL}/applications/${id}/timeline`); } catch (e) {
    if (e.status !== 401) box.replaceChildren(serverText(el("p", { class: "error", role: "alert" }), e.message)); return;
  }
  if (selected !== id) return; // another was picked meanwhile
  const row = (key, ...value) => el("div", { class: "cd-row" }, el("span", { class: "hint" }, t(key), " "), ...value);
  const docs = a.documents.map((d) => el("li", {}, docLine(d),
    d.revoked_at ? el("div", { class: "hint" }, fill("cd_revoked_at", { at: when(d.revoked_at), reason: d.revoke_reason || "" })) : "",
    manages() && d.kind === "certificate" && !d.revoked_at
      ? el("button", { type: "button", class: "cd-revoke-this", onclick: () => pickRevoke(d.number) }, t("cd_revoke_button")) : ""));
  const objections = a.objections.map((o) => el("li", {}, `${word("cd_os_", o.status)} · ${when(o.filed_at)} · `,
    el("span", { class: "desc" }, o.grounds), o.answer ? el("div", { class: "hint" }, fill("cd_answered", { answer: o.answer })) : ""));
  const events = a.timeline.map((e) => el("li", {}, el("span", { class: "nowrap" }, when(e.at)), " · ", e.actor, " · ",
    word("cd_ev_", e.action), e.detail && e.detail.reason ? el("span", { class: "hint" }, " · ", e.detail.reason) : "",
    e.detail && e.detail.status && e.action === "cert.objection_answer" ? el("span", { class: "hint" }, " · ", word("cd_os_", e.detail.status)) : "",
    e.detail && e.detail.document ? el("span", { class: "hint" }, " · ", el("code", {}, e.detail.document)) : ""));
  box.replaceChildren(el("h3", {}, fill("cd_detail", { id: a.id })),
    el("p", {}, a.name_masked || "", " ", el("span", { class: "hint" }, a.id_masked)),
    row("cd_purpose", word("cd_p_", a.purpose)), row("cd_period", `${a.period_from} – ${a.period_to}`),
    row("cd_station", a.station), row("cd_identity", identity(a)),
    row("cd_result", `${word("cd_st_", a.status)} · ${result(a)}`),
    row("cd_submitted", when(a.submitted_at)), row("cd_due", due(a.due_on, a.overdue)), row("cd_decided", when(a.decided_at)),
    el("h4", {}, t("cd_documents")), el("ul", { id: "cd-docs" }, docs),
    a.scans ? el("p", { class: "hint" }, fill("cd_scans", { n: a.scans })) : "",
    objections.length ? [el("h4", {}, t("cd_objections")), el("ul", {}, objections)] : "",
    el("h4", {}, t("cd_timeline")), el("ol", { id: "cd-timeline" }, events));
}

function pickRevoke(number) {
  const form = $("#cd-revoke-form");
  form.elements.number.value = number;
  form.elements.reason.focus();
}

function askRevoke(ev) {
  ev.preventDefault();
  const form = ev.target;
  const v = values(form);
  const bad = {};
  for (const n of ["number", "reason"]) if (!String(v[n] || "").trim()) bad[n] = t("required");
  showFieldErrors(form, bad);
  const out = $("#cd-revoke-result"); out.textContent = ""; out.className = "";
  if (Object.keys(bad).length) return;
  const number = v.number.trim();
  confirmIn($("#cd-revoke-confirm"), fill("cd_confirm_revoke", { number }), fill("cd_confirm_revoke_button", { number }), async () => {
    try {
      await post(`${URL}/documents/${encodeURIComponent(number)}/revoke`, { reason: v.reason.trim() });
      out.className = "cd-ok"; out.textContent = fill("cd_revoked_ok", { number });
      form.reset();
    } catch (e) { if (e.status !== 401) { out.className = "error"; serverText(out, e.message); } }
    await afterChange(selected);
  });
}

/** The window check: the officer saw the person and the card; L3 for the account named. */
async function inPerson(ev) {
  ev.preventDefault();
  const form = ev.target;
  const v = values(form);
  const bad = {};
  for (const n of ["name", "id_number"]) if (!String(v[n] || "").trim()) bad[n] = t("required");
  showFieldErrors(form, bad);
  const out = $("#cd-inperson-result"); out.textContent = ""; out.className = "";
  if (Object.keys(bad).length) return;
  const account = String(v.account || "").trim();
  const body = { name: v.name.trim(), id_number: v.id_number.trim().toUpperCase() };
  if (/^\d+$/.test(account)) body.user_id = Number(account); else if (account) body.username = account;
  try {
    const r = await post("/api/v1/trust/identity/in-person", body);
    const x = r.verification;
    out.className = "cd-ok";
    out.textContent = fill("cd_inperson_ok", { name: x.name_masked, id: x.id_masked, level: word("cd_lv_", r.level), until: when(x.expires_at) });
    form.reset(); // the full ID number leaves the screen once checked
  } catch (e) { if (e.status !== 401) { out.className = "error"; serverText(out, e.message); } }
}
