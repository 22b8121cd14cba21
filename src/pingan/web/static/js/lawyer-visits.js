// 律师会见 (remote lawyer visits): a practising lawyer registers with the licence number
// (执业证号, 17 digits) and the firm, ties themself to a client held at a facility with the
// engagement letter (委托书) or the firm's letter, and asks for a visit: the earliest free
// lawyer slot within 48 hours, arranged by the server (刑诉法 §39), or a slot the lawyer picks.
// A lawyer's visit is never watched and never recorded (the page says so on each booking).
// "My visits" lists them with their state and the way into the call (#visitcall, the call's view).
import { api, post, el, $, t } from "./core.js";
import { addTexts, fill, serverText } from "./i18n.js";
import { API, today, line, readProof, PROOF_TYPES, slotGrid, tieStatus, proofName, visitorStatus, facilityKind, paren, span, tieFacility, readVisitor } from "./visit-words.js";
import { bookingItem } from "./visits.js";

const PROOFS = ["engagement_letter", "legal_aid_letter"];
const LICENCE = /^\d{17}$/;
const POLL_MS = 15000;

addTexts({
  nav_lawyervisits: "律师会见", vl_title: "律师远程会见", vl_intro: "辩护律师凭执业证、授权委托书和律师事务所证明预约远程视频会见；场所在48小时内安排，会见不被监听、不录音录像。",
  vl_register: "登记为会见律师", vl_licence: "执业证号（17位数字）", vl_firm: "律师事务所", vl_phone: "联系手机（可选）",
  vl_licence_bad: "执业证号为17位数字", vl_registered: "已登记",
  vl_clients: "我的委托人", vl_client_new: "登记委托关系", vl_detainee_no: "被羁押人编号", vl_detainee_name: "被羁押人姓名",
  vl_proof_kind: "委托材料", vl_proof_file: "委托书或律师事务所证明（照片或扫描件）", vl_client_submit: "提交审核",
  vl_client_sent: "已提交，等待场所审核。", vl_no_clients: "尚未登记委托关系", vl_review_reason: "审核意见",
  vl_request: "申请会见", vl_request_client: "委托人", vl_mode_earliest: "由场所安排48小时内最早的时段", vl_mode_slot: "自选时段",
  vl_date: "日期", vl_slots: "可预约时段", vl_pick_slot: "请选择时段", vl_submit: "申请会见",
  vl_arranged: "已安排：{when}，预约号 ", vl_no_accepted: "委托关系审核通过后才能申请会见。",
  vl_mine: "我的会见", vl_no_visits: "暂无会见", vl_level_needed: "申请会见须先完成实人认证（人脸或短信验证码）。",
}, {
  nav_lawyervisits: "Lawyer visits", vl_title: "Remote lawyer visits", vl_intro: "Defence lawyers book remote video visits with their licence, the engagement letter and the firm's letter; the facility arranges one within 48 hours, never watched or recorded.",
  vl_register: "Register as a visiting lawyer", vl_licence: "Licence number (17 digits)", vl_firm: "Law firm", vl_phone: "Mobile (optional)",
  vl_licence_bad: "The licence number has 17 digits", vl_registered: "Registered",
  vl_clients: "My clients", vl_client_new: "Register an engagement", vl_detainee_no: "Detainee number", vl_detainee_name: "Detainee's name",
  vl_proof_kind: "Engagement document", vl_proof_file: "Engagement letter or the firm's letter (photo or scan)", vl_client_submit: "Send for checking",
  vl_client_sent: "Sent: the facility checks it.", vl_no_clients: "No engagement registered yet", vl_review_reason: "Facility's note",
  vl_request: "Ask for a visit", vl_request_client: "Client", vl_mode_earliest: "The earliest slot within 48 hours, arranged by the facility",
  vl_mode_slot: "A slot I pick", vl_date: "Date", vl_slots: "Free slots", vl_pick_slot: "Pick a slot", vl_submit: "Ask for the visit",
  vl_arranged: "Arranged: {when}, booking number ", vl_no_accepted: "You can ask for a visit once the facility has accepted an engagement.",
  vl_mine: "My visits", vl_no_visits: "No visits yet", vl_level_needed: "Asking for a visit needs real-person verification (face or text-message code) first.",
});

const page = { ready: false, me: null, level: 0, ties: [], facilities: new Map(), slot: null };
export const lawyerState = page; // read by the browser tests

const field = (name, key, input) => el("label", {}, el("span", { "data-i18n": key }, t(key)), " ", input,
  el("small", { class: "field-error", "data-for": name }));
const note = (id) => el("p", { id, class: "form-note", role: "status" });
const showBad = (form, bad) => form.querySelectorAll(".field-error").forEach((s) => { s.textContent = bad[s.dataset.for] || ""; });

function build() {
  const card = (id, key, ...kids) => el("div", { class: "card", id }, el("h2", { "data-i18n": key }, t(key)), ...kids);
  $("#view-lawyervisits").replaceChildren(
    card("vl-me-card", "vl_title", el("p", { class: "hint", "data-i18n": "vl_intro" }, t("vl_intro")),
      el("div", { id: "vl-me", "aria-live": "polite" }),
      el("form", { id: "vl-register-form", novalidate: "", hidden: "" },
        field("licence_no", "vl_licence", el("input", { name: "licence_no", inputmode: "numeric", maxlength: "17", autocomplete: "off" })),
        field("organisation", "vl_firm", el("input", { name: "organisation", maxlength: "100" })),
        field("phone", "vl_phone", el("input", { name: "phone", inputmode: "tel", maxlength: "11" })),
        el("button", { type: "submit", "data-i18n": "vl_register" }, t("vl_register")), note("vl-register-note"))),
    card("vl-ties-card", "vl_clients", el("ul", { id: "vl-ties", class: "cases" }),
      el("details", { id: "vl-tie-box" }, el("summary", { "data-i18n": "vl_client_new" }, t("vl_client_new")),
        el("form", { id: "vl-tie-form", novalidate: "" },
          field("detainee_no", "vl_detainee_no", el("input", { name: "detainee_no", maxlength: "30", autocomplete: "off" })),
          field("detainee_name", "vl_detainee_name", el("input", { name: "detainee_name", maxlength: "50", autocomplete: "off" })),
          field("proof_kind", "vl_proof_kind", el("select", { name: "proof_kind" }, ...PROOFS.map((c) => el("option", { value: c, "data-i18n": "vw_pk_" + c }, proofName(c))))),
          field("proof", "vl_proof_file", el("input", { name: "proof", type: "file", accept: PROOF_TYPES })),
          el("button", { type: "submit", "data-i18n": "vl_client_submit" }, t("vl_client_submit")), note("vl-tie-note")))),
    card("vl-request-card", "vl_request", el("p", { id: "vl-request-hint", class: "hint", "data-i18n": "vl_no_accepted" }, t("vl_no_accepted")),
      el("form", { id: "vl-request-form", novalidate: "", hidden: "" },
        field("relation_id", "vl_request_client", el("select", { name: "relation_id" })),
        el("p", { id: "vl-request-facility", class: "hint" }),
        el("label", { class: "check" }, el("input", { type: "radio", name: "mode", value: "earliest", checked: "" }), " ",
          el("span", { "data-i18n": "vl_mode_earliest" }, t("vl_mode_earliest"))),
        el("label", { class: "check" }, el("input", { type: "radio", name: "mode", value: "slot" }), " ",
          el("span", { "data-i18n": "vl_mode_slot" }, t("vl_mode_slot"))),
        el("div", { id: "vl-slot-box", hidden: "" },
          field("date", "vl_date", el("input", { name: "date", type: "date" })),
          el("span", { "data-i18n": "vl_slots" }, t("vl_slots")), el("div", { id: "vl-slots", class: "vw-slots" }),
          el("small", { class: "field-error", "data-for": "starts_at" })),
        el("button", { type: "submit", "data-i18n": "vl_submit" }, t("vl_submit")), note("vl-request-note"))),
    card("vl-mine-card", "vl_mine", el("ul", { id: "vl-mine", class: "cases" })));
  $("#vl-register-form").addEventListener("submit", register);
  $("#vl-tie-form").addEventListener("submit", submitTie);
  const f = $("#vl-request-form");
  f.addEventListener("submit", request);
  f.elements.date.value = today(); f.elements.date.min = today();
  for (const r of f.querySelectorAll("input[name=mode]")) r.addEventListener("change", modeChanged);
  f.elements.relation_id.addEventListener("change", () => drawSlots());
  f.elements.date.addEventListener("change", () => drawSlots());
  setInterval(() => { if (!$("#view-lawyervisits").hidden) drawMine().catch(() => {}); }, POLL_MS);
}

export async function showLawyerVisits() {
  if (!page.ready) { build(); page.ready = true; }
  Object.assign(page, await readVisitor());
  drawMe();
  await Promise.all([drawTies(), drawMine()]);
}

function drawMe() {
  const me = page.me;
  $("#view-lawyervisits").dataset.registered = me ? "yes" : "no";
  $("#vl-register-form").hidden = Boolean(me) || page.level < 2;
  for (const id of ["vl-ties-card", "vl-request-card", "vl-mine-card"]) $("#" + id).hidden = !me;
  const box = $("#vl-me");
  if (me) {
    box.replaceChildren(line("vl_registered", me.name_masked || ""), line("vl_licence", me.licence_no || ""),
      line("vl_firm", me.organisation || ""), line("vw_status", el("b", { "data-status": me.status }, visitorStatus(me.status))));
  } else if (page.level < 2) {
    box.replaceChildren(el("p", { class: "note" }, t("vl_level_needed"), " ", el("a", { href: "#identity", class: "identity-link" }, t("vw_go_identity"))));
  } else box.replaceChildren();
}

async function register(ev) {
  ev.preventDefault();
  const f = ev.target, out = $("#vl-register-note");
  serverText(out, "");
  const v = { licence_no: f.elements.licence_no.value.trim(), organisation: f.elements.organisation.value.trim(), phone: f.elements.phone.value.trim() };
  const bad = {};
  if (!LICENCE.test(v.licence_no)) bad.licence_no = t("vl_licence_bad");
  if (!v.organisation) bad.organisation = t("vw_required");
  showBad(f, bad);
  if (Object.keys(bad).length) return;
  try {
    page.me = await post(`${API}/visitors/me`, { role: "lawyer", licence_no: v.licence_no, organisation: v.organisation, phone: v.phone || null });
    drawMe();
    await Promise.all([drawTies(), drawMine()]);
  } catch (e) { if (e.status !== 401) serverText(out, e.message); }
}

const facilityOf = (tie) => tieFacility(tie, page.facilities);

async function drawTies() {
  if (!page.me) return;
  let ties;
  try { ties = await api(`${API}/relations/mine`); } catch { return; }
  page.ties = ties;
  const rows = ties.map((r) => {
    const d = r.detainee || {}, fac = facilityOf(r);
    return el("li", { "data-tie": r.id, "data-status": r.status },
      el("div", {}, el("b", {}, tieStatus(r.status)), " · ", (d.name_masked || "") + paren(d.detainee_no || "")),
      fac ? el("div", { class: "hint" }, fac.name + paren(facilityKind(fac.kind))) : "",
      el("div", { class: "hint" }, proofName(r.proof_kind)),
      r.review_reason ? line("vl_review_reason", r.review_reason) : "");
  });
  $("#vl-ties").replaceChildren(...(rows.length ? rows : [el("li", { class: "hint" }, t("vl_no_clients"))]));
  const accepted = ties.filter((r) => r.status === "accepted");
  const sel = $("#vl-request-form").elements.relation_id, keep = sel.value;
  sel.replaceChildren(...accepted.map((r) => el("option", { value: r.id }, ((r.detainee || {}).name_masked || "") + paren((r.detainee || {}).detainee_no || ""))));
  if (accepted.some((r) => String(r.id) === keep)) sel.value = keep;
  $("#vl-request-form").hidden = !accepted.length;
  $("#vl-request-hint").hidden = Boolean(accepted.length);
  showFacility();
}

async function submitTie(ev) {
  ev.preventDefault();
  const f = ev.target, out = $("#vl-tie-note");
  serverText(out, "");
  const v = { detainee_no: f.elements.detainee_no.value.trim(), detainee_name: f.elements.detainee_name.value.trim(), proof_kind: f.elements.proof_kind.value };
  const bad = {};
  if (!v.detainee_no) bad.detainee_no = t("vw_required");
  if (!v.detainee_name) bad.detainee_name = t("vw_required");
  const proof = await readProof(f.elements.proof);
  if (proof.error) bad.proof = proof.error;
  showBad(f, bad);
  if (Object.keys(bad).length) return;
  try {
    await post(`${API}/relations`, { ...v, relation: "counsel", proof_b64: proof.b64 });
    f.reset();
    out.textContent = t("vl_client_sent");
    await drawTies();
  } catch (e) { if (e.status !== 401) serverText(out, e.message); }
}

const chosenTie = () => page.ties.find((r) => r.id === Number($("#vl-request-form").elements.relation_id.value)) || null;
const mode = () => $("#vl-request-form").querySelector("input[name=mode]:checked").value;

function showFacility() {
  const tie = chosenTie(), fac = tie && facilityOf(tie);
  $("#vl-request-facility").textContent = fac ? fac.name + paren(facilityKind(fac.kind)) : "";
}

function modeChanged() {
  $("#vl-slot-box").hidden = mode() !== "slot";
  if (mode() === "slot") drawSlots();
}

async function drawSlots() {
  showFacility();
  page.slot = null;
  const tie = chosenTie(), fac = tie && facilityOf(tie), box = $("#vl-slots"), f = $("#vl-request-form");
  if (mode() !== "slot" || !fac || !f.elements.date.value) { box.replaceChildren(); return; }
  try {
    await slotGrid(box, { facilityId: fac.id, kind: "lawyer", date: f.elements.date.value, onPick: (s) => { page.slot = s; } });
  } catch (e) { serverText(box, e.message); }
}

async function request(ev) {
  ev.preventDefault();
  const f = ev.target, out = $("#vl-request-note"), tie = chosenTie();
  serverText(out, "");
  const picking = mode() === "slot";
  showBad(f, picking && !page.slot ? { starts_at: t("vl_pick_slot") } : {});
  if (!tie || (picking && !page.slot)) return;
  const body = { relation_id: tie.id, party: [] };
  if (picking) body.starts_at = page.slot.starts_at;
  try {
    const b = await post(`${API}/bookings`, body);
    out.replaceChildren(fill("vl_arranged", { when: span(b) }), el("b", { class: "booking-no" }, b.booking_no));
    out.dataset.starts = b.starts_at;
    await Promise.all([drawMine(), drawSlots()]);
  } catch (e) { if (e.status !== 401) serverText(out, e.message); }
}

async function drawMine() {
  if (!page.me) return;
  const list = await api(`${API}/bookings/mine`);
  const items = list.items || list;
  const rows = items.map((b) => bookingItem(b, { onChange: drawMine, prefix: "vl" }));
  $("#vl-mine").replaceChildren(...(rows.length ? rows : [el("li", { class: "hint" }, t("vl_no_visits"))]));
}
