// 无犯罪记录证明 (the applicant's side of the e-certificate): apply at identity level 2 or
// above (lower: a link to the identity view with the reason), follow one's applications with
// their due dates in working days, and for an issued certificate download the signed
// credential (JSON) and the PDF, show its QR code (drawn by the server from its signed payload),
// set or clear the holder's PIN and make a consent code for an employer; against a refusal,
// lodge an objection and follow it. The purposes are policy.yaml's list (their words here).
import { api, post, el, $, t, session, saveFile, fieldErrors, showFieldErrors, ApiError } from "./core.js";
import { addTexts, fill, serverText, word, lang } from "./i18n.js";

const PURPOSES = ["employment", "study_abroad", "emigration", "political_review", "qualification", "other"];
addTexts({
  nav_cert: "无犯罪记录证明", tc_title: "申请无犯罪记录证明", tc_purpose: "用途", tc_choose: "请选择",
  tc_p_employment: "就业", tc_p_study_abroad: "出国（境）留学", tc_p_emigration: "出国（境）定居",
  tc_p_political_review: "政审", tc_p_qualification: "职业资格", tc_p_other: "其他",
  tc_statement: "说明用途（本年申请已超过三次）", tc_period: "查询时段", tc_period_from: "自", tc_period_to: "至",
  tc_station: "受理派出所", tc_submit: "提交申请", tc_required: "此项必填", tc_period_order: "结束日期不能早于开始日期，也不能晚于今天",
  tc_needs: "申请需要“实人”（二级）或以上的实名认证；您当前为：{level}。", tc_go_identity: "去实名认证",
  tc_submitted: "已提交，申请编号 {id}：{status}", tc_mine: "我的申请", tc_none: "还没有申请",
  tc_st_submitted: "审核中", tc_st_issued: "已出具证明", tc_st_not_issued: "不予出具",
  tc_r_record_found: "经查询有犯罪记录", tc_app: "申请", tc_submitted_at: "提交于 {date}",
  tc_due: "办结期限：{date}", tc_estimate: "（估算：节假日安排尚未公布）",
  tc_k_certificate: "无犯罪记录证明", tc_k_notice: "不予出具通知书", tc_valid_until: "有效期至 {date}",
  tc_revoked: "已撤销", tc_scans: "已被查验 {n}/{max} 次",
  tc_vc: "下载电子证明文件", tc_pdf: "下载 PDF", tc_qr: "显示二维码", tc_qr_alt: "证明二维码，供查验方扫描",
  tc_pin: "查验密码（4–8位数字，可不设）", tc_pin_set: "设置密码", tc_pin_clear: "清除密码", tc_pin_done: "已设置查验密码",
  tc_pin_cleared: "已清除查验密码", tc_pin_form: "请填写4到8位数字",
  tc_consent: "生成单位查询授权码", tc_consent_code: "授权码 {code}，{date} 前有效，只能使用一次",
  tc_object: "提出异议", tc_grounds: "异议理由", tc_objections: "异议",
  tc_o_open: "复核中", tc_o_upheld: "复核成立", tc_o_dismissed: "维持原决定", tc_filed_at: "提出于 {date}",
  tc_answer: "答复：",
}, {
  nav_cert: "Record certificate", tc_title: "Apply for a no-criminal-record certificate", tc_purpose: "Purpose", tc_choose: "Choose",
  tc_p_employment: "Employment", tc_p_study_abroad: "Study abroad", tc_p_emigration: "Emigration",
  tc_p_political_review: "Political review", tc_p_qualification: "Professional qualification", tc_p_other: "Other",
  tc_statement: "State the purpose (more than three applications this year)", tc_period: "Period checked", tc_period_from: "From", tc_period_to: "To",
  tc_station: "Police station", tc_submit: "Apply", tc_required: "required", tc_period_order: "the end cannot be before the start, nor after today",
  tc_needs: "Applying needs identity level 2 (real person) or above; you are at: {level}.", tc_go_identity: "Verify your identity",
  tc_submitted: "Application {id} submitted: {status}", tc_mine: "My applications", tc_none: "No applications yet",
  tc_st_submitted: "being checked", tc_st_issued: "certificate issued", tc_st_not_issued: "not issued",
  tc_r_record_found: "a criminal record was found", tc_app: "Application", tc_submitted_at: "submitted {date}",
  tc_due: "due by {date}", tc_estimate: " (estimate: the holiday calendar is not published yet)",
  tc_k_certificate: "No-criminal-record certificate", tc_k_notice: "Notice of refusal", tc_valid_until: "valid until {date}",
  tc_revoked: "revoked", tc_scans: "checked {n} of {max} times",
  tc_vc: "Download the signed certificate", tc_pdf: "Download PDF", tc_qr: "Show the QR code", tc_qr_alt: "Certificate QR code, for the checker to scan",
  tc_pin: "PIN for checkers (4–8 digits, optional)", tc_pin_set: "Set PIN", tc_pin_clear: "Clear PIN", tc_pin_done: "PIN set",
  tc_pin_cleared: "PIN cleared", tc_pin_form: "4 to 8 digits",
  tc_consent: "Make a consent code for an employer", tc_consent_code: "Consent code {code}, valid until {date}, for one use",
  tc_object: "Lodge an objection", tc_grounds: "Grounds", tc_objections: "Objections",
  tc_o_open: "under review", tc_o_upheld: "upheld", tc_o_dismissed: "decision stands", tc_filed_at: "lodged {date}",
  tc_answer: "Answer: ",
});

const BASE = "/api/v1/trust/certificates";
const CODE_FIELD = { bad_purpose: "purpose", purpose_statement_required: "purpose_statement", bad_period: "period_to",
  no_station: "station" };
let ready = false;

const day = (iso) => (iso ? new Date(iso.length === 10 ? iso + "T00:00:00" : iso).toLocaleDateString(lang === "zh" ? "zh-CN" : "en-GB") : "");
const today = () => { const d = new Date(); return new Date(d - d.getTimezoneOffset() * 60000).toISOString().slice(0, 10); };

export async function showCert() {
  const form = $("#tc-form");
  if (!ready) { ready = true; wire(form); }
  for (const o of form.elements.purpose.options) o.textContent = o.value ? word("tc_p_", o.value) : t("tc_choose");
  showFieldErrors(form, {});
  serverText($('[data-for-form="apply"]', form), "");
  $("#tc-result").textContent = "";
  const [me, apps] = await Promise.all([api("/api/v1/trust/identity/me"), api(BASE + "/applications/mine")]);
  needs(me.level >= 2 ? null : fill("tc_needs", { level: word("tid_lv_", me.level) }));
  drawApps(apps);
}

/** Below level 2: the reason and a link to the identity view instead of the form. */
function needs(reason, fromServer = false) {
  $("#tc-needs").hidden = !reason;
  $("#tc-apply").hidden = Boolean(reason);
  if (fromServer) serverText($("#tc-needs-text"), reason); else $("#tc-needs-text").textContent = reason || "";
}

function wire(form) {
  form.elements.purpose.append(el("option", { value: "" }, t("tc_choose")), ...PURPOSES.map((p) => el("option", { value: p }, word("tc_p_", p))));
  form.elements.period_to.value = today();
  form.addEventListener("submit", apply);
}

async function apply(ev) {
  ev.preventDefault();
  const form = ev.target, f = form.elements;
  const body = { purpose: f.purpose.value, period_from: f.period_from.value, period_to: f.period_to.value, station: f.station.value.trim() };
  if (!$("#tc-statement").hidden) body.purpose_statement = f.purpose_statement.value.trim() || null;
  const bad = {};
  for (const k of ["purpose", "period_from", "period_to", "station"]) if (!body[k]) bad[k] = t("tc_required");
  if (!bad.period_to && !bad.period_from && (body.period_from > body.period_to || body.period_to > today())) bad.period_to = t("tc_period_order");
  const general = $('[data-for-form="apply"]', form);
  showFieldErrors(form, bad); serverText(general, "");
  if (Object.keys(bad).length) return;
  try {
    const app = await post(BASE + "/applications", body);
    $("#tc-result").textContent = fill("tc_submitted", { id: app.id, status: word("tc_st_", app.status) });
    f.purpose_statement.value = ""; $("#tc-statement").hidden = true;
    drawApps(await api(BASE + "/applications/mine"));
  } catch (e) {
    const code = e.body && e.body.code;
    if (code === "assurance_too_low") { needs(e.message, true); return; }
    if (code === "purpose_statement_required") $("#tc-statement").hidden = false; // asked for only now
    showFieldErrors(form, fieldErrors(e.body, { codes: CODE_FIELD }));
    if (!CODE_FIELD[code]) serverText(general, e.message);
  }
}

function drawApps(apps) {
  const list = $("#tc-apps");
  if (!apps.length) { list.replaceChildren(el("li", {}, t("tc_none"))); return; }
  list.replaceChildren(...[...apps].reverse().map(appItem));
}

function appItem(a) {
  const li = el("li", { "data-app": a.id, class: "tc-app" },
    el("strong", {}, `${t("tc_app")} ${a.id} · ${word("tc_p_", a.purpose)}`), " ",
    el("span", { class: "tc-status", "data-status": a.status }, word("tc_st_", a.status)),
    a.reason ? el("span", {}, " · " + word("tc_r_", a.reason)) : "",
    el("div", { class: "hint" }, fill("tc_submitted_at", { date: day(a.submitted_at) }), " · ",
      el("span", { class: "tc-due" }, fill("tc_due", { date: day(a.due_on) })),
      a.due_estimated ? el("span", { class: "tc-estimate" }, t("tc_estimate")) : ""));
  for (const d of a.documents) li.append(docBlock(d));
  if (a.status === "not_issued") li.append(objections(a));
  return li;
}

function docBlock(d) {
  const box = el("div", { class: "tc-doc", "data-number": d.number },
    el("div", {}, word("tc_k_", d.kind), " ", el("span", { class: "tc-number" }, d.number)),
    el("div", { class: "hint" }, d.valid_until ? fill("tc_valid_until", { date: day(d.valid_until) }) : "",
      d.kind === "certificate" ? " · " + fill("tc_scans", { n: d.scans, max: d.max_scans }) : "",
      d.revoked_at ? " · " + t("tc_revoked") : ""));
  const status = el("p", { class: "error", role: "alert" });
  const note = el("p", { class: "tc-note", role: "status" });
  const guard = (fn) => async () => { serverText(status, ""); note.textContent = ""; try { await fn(); } catch (e) { serverText(status, e.message); } };
  const buttons = el("div", { class: "tc-actions" },
    el("button", { type: "button", "data-act": "vc", onclick: guard(() => saveCredential(d.number)) }, t("tc_vc")),
    el("button", { type: "button", "data-act": "pdf", onclick: guard(() => saveFile(`${BASE}/documents/${d.number}/pdf`, `${d.number}.pdf`)) }, t("tc_pdf")));
  box.append(buttons);
  if (d.kind === "certificate" && !d.revoked_at) {
    const qr = el("div", { class: "tc-qr" });
    buttons.append(el("button", { type: "button", "data-act": "qr", onclick: guard(() => showQr(d.number, qr)) }, t("tc_qr")));
    const pin = el("input", { name: "pin", inputmode: "numeric", maxlength: "8", autocomplete: "off" });
    const setPin = async (value) => {
      if (value !== null && !/^\d{4,8}$/.test(value)) { note.textContent = t("tc_pin_form"); return; }
      await api(`${BASE}/documents/${d.number}/pin`, { method: "PUT", body: JSON.stringify({ pin: value }) });
      pin.value = ""; note.textContent = t(value === null ? "tc_pin_cleared" : "tc_pin_done");
    };
    box.append(qr,
      el("label", { class: "tc-pin" }, el("span", {}, t("tc_pin")), pin,
        el("button", { type: "button", "data-act": "pin-set", onclick: guard(() => setPin(pin.value.trim())) }, t("tc_pin_set")),
        el("button", { type: "button", "data-act": "pin-clear", onclick: guard(() => setPin(null)) }, t("tc_pin_clear"))),
      el("button", { type: "button", "data-act": "consent", onclick: guard(async () => {
        const c = await post(`${BASE}/applications/${appOf(box)}/consent`);
        note.textContent = fill("tc_consent_code", { code: c.code, date: day(c.expires_at) });
      }) }, t("tc_consent")));
  }
  box.append(note, status);
  return box;
}
const appOf = (node) => node.closest("[data-app]").dataset.app;

/** The signed credential as a .json file: what `pingan cert verify` and any verifier read. */
async function saveCredential(number) {
  const doc = await api(`${BASE}/documents/${number}`);
  const url = URL.createObjectURL(new Blob([JSON.stringify(doc.credential, null, 2)], { type: "application/json" }));
  const a = el("a", { href: url, download: `${number}.json` });
  document.body.append(a); a.click(); a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/** The QR code as the server draws it (an <img> cannot send the bearer token itself). */
async function showQr(number, box) {
  const res = await fetch(`${BASE}/documents/${number}/qr.png`, { headers: { Authorization: "Bearer " + session.token } });
  if (res.status === 401 && session.token) session.onExpired();
  if (!res.ok) throw new ApiError(res.status, await res.json().catch(() => null));
  const old = box.querySelector("img");
  if (old) URL.revokeObjectURL(old.src);
  box.replaceChildren(el("img", { src: URL.createObjectURL(await res.blob()), alt: t("tc_qr_alt"), class: "tc-qr-image" }));
}

function objections(a) {
  const box = el("div", { class: "tc-objections" });
  if (a.objections.length) {
    box.append(el("div", {}, t("tc_objections")), el("ul", {}, ...a.objections.map((o) => el("li", { "data-objection": o.id },
      el("span", { class: "tc-o-status", "data-status": o.status }, word("tc_o_", o.status)), " · ",
      fill("tc_filed_at", { date: day(o.filed_at) }), " · ", fill("tc_due", { date: day(o.due_on) }),
      o.due_estimated ? t("tc_estimate") : "",
      o.answer ? el("div", {}, t("tc_answer"), o.answer) : ""))));
  }
  if (a.objections.some((o) => o.status === "open")) return box;
  const grounds = el("textarea", { name: "grounds", rows: "2", maxlength: "1000" });
  const err = el("small", { class: "field-error" });
  box.append(el("label", {}, el("span", {}, t("tc_grounds")), grounds, err),
    el("button", { type: "button", "data-act": "object", onclick: async () => {
      serverText(err, "");
      if (!grounds.value.trim()) { err.textContent = t("tc_required"); return; }
      try {
        await post(`${BASE}/applications/${a.id}/objections`, { grounds: grounds.value.trim() });
        drawApps(await api(BASE + "/applications/mine"));
      } catch (e) { serverText(err, e.message); }
    } }, t("tc_object")));
  return box;
}
