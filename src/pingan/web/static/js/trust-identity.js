// 实名认证: the account's assurance level (/api/v1/trust/identity/me) and the ways up to it.
// L1: name and ID number, checked here for form only (the server checks GB 11643 and the
// population register). L2, never by face alone: the configured face provider, or a one-time
// code sent to the phone the register holds. This page never captures or uploads a face image:
// with a real provider the provider's own SDK does that and hands back its reference through
// the hook window.pinganFaceSdk.check() (a promise of the reference string); with the test
// double a random reference stands in, and with no provider the face button is not shown.
import { api, post, $, t, fieldErrors, showFieldErrors } from "./core.js";
import { addTexts, serverText, word, lang } from "./i18n.js";

addTexts({
  nav_identity: "实名认证", tid_title: "实名认证", tid_why: "办理无犯罪记录证明、线上开锁等业务需要“实人”或以上等级。",
  tid_level: "当前等级", tid_method: "核验方式", tid_id: "身份证号", tid_expires: "有效期至",
  tid_lv_0: "未认证", tid_lv_1: "一级 · 实名（姓名与身份证号已核对）", tid_lv_2: "二级 · 实人（已确认本人）",
  tid_lv_3: "三级 · 实证（民警当面核验证件）",
  tid_m_id_name: "姓名与身份证号", tid_m_face: "人脸核验", tid_m_otp: "短信验证码", tid_m_in_person: "民警当面核验",
  tid_l1_title: "第一步：姓名与身份证号", tid_name: "姓名", tid_id_number: "身份证号", tid_check: "核对",
  tid_bad_id: "请填写18位身份证号码（最后一位可为X）", tid_required: "此项必填",
  tid_l2_title: "第二步：确认是本人", tid_l2_hint: "任选一种方式。人脸核验由核验服务完成，本平台不接收、不保存人脸图像。",
  tid_face_double: "人脸核验（演示替身，不采集人脸）", tid_face_real: "人脸核验",
  tid_face_missing: "本设备没有人脸核验组件，请改用短信验证码。",
  tid_otp_title: "短信验证码（发送到户籍登记的手机号）", tid_otp_send: "发送验证码", tid_otp_code: "验证码",
  tid_otp_confirm: "确认", tid_otp_sent: "验证码已发送至 {phone}，{left} 内有效", tid_otp_gone: "验证码已过期，请重新发送",
  tid_otp_outbox: "演示环境：验证码不真正发送，写在数据目录的 sms-outbox.txt 文件里。", tid_code_form: "请填写6位数字验证码",
  tid_done: "已达到“实人”等级，可以办理需要本人确认的业务。",
}, {
  nav_identity: "Identity", tid_title: "Verify your identity", tid_why: "The no-criminal-record certificate, online unlocking and similar services need level 2 (real person) or above.",
  tid_level: "Level now", tid_method: "Verified by", tid_id: "ID number", tid_expires: "Valid until",
  tid_lv_0: "Not verified", tid_lv_1: "Level 1 · real name (name and ID number checked)", tid_lv_2: "Level 2 · real person (confirmed it is you)",
  tid_lv_3: "Level 3 · in person (an officer saw your ID card)",
  tid_m_id_name: "name and ID number", tid_m_face: "face check", tid_m_otp: "SMS code", tid_m_in_person: "officer, in person",
  tid_l1_title: "Step 1: name and ID number", tid_name: "Name", tid_id_number: "ID number", tid_check: "Check",
  tid_bad_id: "an 18-character ID number (the last may be X)", tid_required: "required",
  tid_l2_title: "Step 2: confirm it is you", tid_l2_hint: "Either way will do. A face check is made by the verification provider: this platform never receives or keeps a face image.",
  tid_face_double: "Face check (demo stand-in, no face captured)", tid_face_real: "Face check",
  tid_face_missing: "This device has no face check component: use an SMS code instead.",
  tid_otp_title: "SMS code (sent to the phone on the population register)", tid_otp_send: "Send a code", tid_otp_code: "Code",
  tid_otp_confirm: "Confirm", tid_otp_sent: "Code sent to {phone}, valid for {left}", tid_otp_gone: "The code has expired: send a new one",
  tid_otp_outbox: "Demo: codes are not really sent; they are written to sms-outbox.txt in the data directory.", tid_code_form: "the 6-digit code",
  tid_done: "You are at level 2 (real person): services that need you to confirm it is you are open.",
});

const URL = "/api/v1/trust/identity";
const ID_NUMBER = /^\d{17}[\dXx]$/;
// Refusals carry a reason code, not a field: the code says which field it is about.
const CODE_FIELD = { invalid_id_number: "id_number", not_in_register: "id_number", name_mismatch: "name",
  deceased: "id_number", cancelled: "id_number", other_subject: "id_number",
  otp_wrong: "code", otp_expired: "code", otp_not_sent: "code" };
let methods = null;
let otp = null; // {to, until}: the last code sent, for the countdown
let ticker = null;
let ready = false;

/** Reasons under their fields and the rest under the form (cleared when the view re-draws,
 * e.g. after a language switch, so no reason stays in the old language). */
function showErrors(form, bad, general) {
  showFieldErrors(form, bad);
  serverText(form.querySelector("[data-for-form]"), general || "");
}

function refused(form, e) {
  const bad = fieldErrors(e.body, { codes: CODE_FIELD });
  const placed = e.body && e.body.code && CODE_FIELD[e.body.code];
  showErrors(form, bad, placed ? "" : e.message);
}

const day = (iso) => (iso ? new Date(iso).toLocaleDateString(lang === "zh" ? "zh-CN" : "en-GB") : "");
function drawLevel(me) {
  const rows = [["tid_level", word("tid_lv_", me.level)]];
  if (me.level > 0) rows.push(["tid_method", word("tid_m_", me.method)], ["tid_id", me.id_masked], ["tid_expires", day(me.expires_at)]);
  $("#tid-level").replaceChildren(...rows.flatMap(([k, v]) => {
    const dt = document.createElement("dt"); dt.textContent = t(k);
    const dd = document.createElement("dd"); dd.textContent = v || ""; dd.dataset.field = k;
    return [dt, dd];
  }));
  $("#view-identity").dataset.level = me.level;
}

export async function showIdentity() {
  if (!ready) { ready = true; wire(); }
  const [me, m] = await Promise.all([api(URL + "/me"), methods || api(URL + "/methods")]);
  methods = m;
  drawLevel(me);
  for (const f of ["#tid-l1-form", "#tid-otp-form"]) showErrors($(f), {}, "");
  serverText($('[data-for-form="face"]'), "");
  $("#tid-l1").hidden = me.level >= 1;
  $("#tid-l2").hidden = me.level !== 1;
  $("#tid-done").hidden = me.level < 2;
  $("#tid-done").textContent = t("tid_done");
  $("#tid-face").hidden = methods.face === "none";
  $("#tid-face-button").textContent = t(methods.face === "double" ? "tid_face_double" : "tid_face_real");
  $("#tid-otp-form").hidden = !methods.otp;
  $("#tid-otp-outbox").hidden = methods.sms_sender !== "outbox";
  countdown();
}

function wire() {
  $("#tid-l1-form").addEventListener("submit", verifyName);
  $("#tid-face-button").addEventListener("click", verifyFace);
  $("#tid-otp-send").addEventListener("click", sendCode);
  $("#tid-otp-form").addEventListener("submit", confirmCode);
}

async function verifyName(ev) {
  ev.preventDefault();
  const form = ev.target;
  const name = form.elements.name.value.trim(), id = form.elements.id_number.value.trim().toUpperCase();
  const bad = {};
  if (!name) bad.name = t("tid_required");
  if (!ID_NUMBER.test(id)) bad.id_number = id ? t("tid_bad_id") : t("tid_required");
  showErrors(form, bad, "");
  if (Object.keys(bad).length) return;
  try {
    await post(URL + "/verify", { method: "id_name", name, id_number: id });
    form.reset();
    await showIdentity();
  } catch (e) { refused(form, e); }
}

/** The provider's reference to a face it captured itself: never an image from this page. */
async function faceReference() {
  if (methods.face === "double") return "demo-" + crypto.randomUUID();
  const sdk = window.pinganFaceSdk;
  if (!sdk || typeof sdk.check !== "function") throw new Error(t("tid_face_missing"));
  return String(await sdk.check());
}

async function verifyFace() {
  const out = $('[data-for-form="face"]');
  serverText(out, "");
  try {
    await post(URL + "/verify", { method: "face", image_ref: await faceReference() });
    await showIdentity();
  } catch (e) { serverText(out, e.message); }
}

async function sendCode() {
  const form = $("#tid-otp-form");
  showErrors(form, {}, "");
  try {
    const r = await post(URL + "/verify", { method: "otp" });
    otp = { to: r.otp_sent_to, until: new Date(r.otp_expires_at).getTime() };
    countdown();
    form.elements.code.focus();
  } catch (e) { refused(form, e); }
}

/** "138****8000, 4:59": the time left on the last code, each second until it runs out. */
function countdown() {
  clearInterval(ticker);
  const line = $("#tid-otp-sent");
  const draw = () => {
    if (!otp) { line.textContent = ""; return; }
    const left = Math.max(0, Math.round((otp.until - Date.now()) / 1000));
    line.textContent = left ? t("tid_otp_sent").replace("{phone}", otp.to).replace("{left}", `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}`) : t("tid_otp_gone");
    if (!left) clearInterval(ticker);
  };
  draw();
  if (otp) ticker = setInterval(draw, 1000);
}

async function confirmCode(ev) {
  ev.preventDefault();
  const form = ev.target;
  const code = form.elements.code.value.trim();
  if (!/^\d{6}$/.test(code)) { showErrors(form, { code: t("tid_code_form") }, ""); return; }
  try {
    await post(URL + "/verify", { method: "otp", code });
    form.reset(); otp = null;
    await showIdentity();
  } catch (e) { refused(form, e); }
}
