// 视频会见 (family): a resident visits a relative held at a detention facility by video, from the
// phone. Steps, each shown only once the one before holds: identity level 2 (else a link to
// the identity page); registration as a family visitor; a tie to the detainee (the facility's
// number and the name, the kinship and its proof uploaded), checked by the facility; a booking
// from the facility's free slots with who takes part; the bookings with their state, cancelled
// while the rules allow, exported to a calendar, and joined (the call's own view, #visitcall).
// The API decides everything (levels, ties, consent, quotas, slots): refusals in its words.
import { api, post, el, $, t, saveFile } from "./core.js";
import { addTexts, fill, serverText } from "./i18n.js";
import { API, at, span, today, line, privacyWords, partyWords, joinLink, readProof, PROOF_TYPES, slotGrid, bookingStatus, tieStatus,
  relationName, proofName, paren, visitorStatus, facilityKind, visitKind, tieFacility, readVisitor } from "./visit-words.js";

// Kinships and their proofs a family visitor may claim (visits/rules.yaml, family).
const RELATIONS = ["spouse", "parent", "child", "sibling", "grandparent", "grandchild"];
const PROOFS = ["household_register", "marriage_certificate", "birth_certificate", "notarised_kinship"];
const PARTY_MAX = 2; // companions: rules.yaml family max_persons (3, 看守所 and 拘留所 alike) less the visitor; the server checks
const ID_NUMBER = /^\d{17}[\dXx]$/;
const POLL_MS = 15000;

addTexts({
  nav_visits: "视频会见", vv_title: "视频会见", vv_intro: "为在押的近亲属预约远程视频会见。需实人认证、登记为会见人，并提交亲属关系证明，经场所审核后即可预约。",
  vv_me: "会见人登记", vv_register: "登记为家属会见人", vv_phone: "联系手机（可选，用于会见提醒）", vv_registered: "已登记",
  vv_name: "姓名", vv_id: "身份证号", vv_suspended_until: "暂停预约至 {date}（多次预约未到）",
  vv_ties: "我的亲属关系", vv_tie_new: "登记亲属关系", vv_detainee_no: "被羁押人编号（场所告知）", vv_detainee_name: "被羁押人姓名",
  vv_relation: "您与其关系", vv_proof_kind: "证明材料", vv_proof_file: "证明材料照片或扫描件", vv_tie_submit: "提交审核",
  vv_tie_sent: "已提交，等待场所审核。", vv_no_ties: "尚未登记亲属关系", vv_tie_line: "{name}（{no}）· {rel}",
  vv_review_reason: "审核意见",
  vv_book: "预约会见", vv_book_tie: "会见对象", vv_date: "日期", vv_slots: "可预约时段", vv_pick_slot: "请选择时段",
  vv_party: "同行亲属（不含本人，最多 {n} 人，可不填）", vv_party_add: "增加同行亲属", vv_party_remove: "移除",
  vv_p_name: "姓名", vv_p_id: "身份证号", vv_p_relation: "与被羁押人关系", vv_book_submit: "提交预约",
  vv_booked: "已预约，预约号 ", vv_booked_pending: "。等待场所审批，审批结果在“我的预约”中显示。", vv_booked_ok: "。请按时进入视频会见。",
  vv_no_accepted: "亲属关系审核通过后才能预约。", vv_mine: "我的预约", vv_no_bookings: "暂无预约", vv_ics_all: "全部加入日历",
  vv_join_soon: "开始前可进入；进入前须再次核验身份。",
}, {
  nav_visits: "Video visits", vv_title: "Video visits", vv_intro: "Book a video visit with a near relative held at a detention facility. You need real-person verification, to register as a visitor and to send proof of kinship; once the facility accepts it, you can book.",
  vv_me: "Visitor registration", vv_register: "Register as a family visitor", vv_phone: "Mobile for reminders (optional)", vv_registered: "Registered",
  vv_name: "Name", vv_id: "ID number", vv_suspended_until: "Booking suspended until {date} (missed visits)",
  vv_ties: "My relatives held", vv_tie_new: "Register a relative", vv_detainee_no: "Detainee number (the facility gives it)", vv_detainee_name: "Detainee's name",
  vv_relation: "Your relation to them", vv_proof_kind: "Proof", vv_proof_file: "Photo or scan of the proof", vv_tie_submit: "Send for checking",
  vv_tie_sent: "Sent: the facility checks it.", vv_no_ties: "No relative registered yet", vv_tie_line: "{name} ({no}) · {rel}",
  vv_review_reason: "Facility's note",
  vv_book: "Book a visit", vv_book_tie: "Whom to visit", vv_date: "Date", vv_slots: "Free slots", vv_pick_slot: "Pick a slot",
  vv_party: "Relatives coming with you (you not counted, at most {n}, optional)", vv_party_add: "Add a relative", vv_party_remove: "Remove",
  vv_p_name: "Name", vv_p_id: "ID number", vv_p_relation: "Relation to the detainee", vv_book_submit: "Book",
  vv_booked: "Booked, number ", vv_booked_pending: ". The facility approves it; see \"My bookings\" for its decision.",
  vv_booked_ok: ". Join the video visit on time.",
  vv_no_accepted: "You can book once the facility has accepted a relation.", vv_mine: "My bookings", vv_no_bookings: "No bookings yet",
  vv_ics_all: "Add all to calendar", vv_join_soon: "You can join shortly before the start; you verify yourself again first.",
});

const page = { ready: false, me: null, level: 0, ties: [], facilities: new Map(), slot: null };
export const visitsState = page; // read by the browser tests

const field = (name, key, input) => el("label", {}, el("span", { "data-i18n": key }, t(key)), " ", input,
  el("small", { class: "field-error", "data-for": name }));
// options carry their text key, so a language switch relabels them (i18n.js applyLang)
const select = (name, codes, prefix) => el("select", { name }, el("option", { value: "", "data-i18n": "choose" }, t("choose")),
  ...codes.map((c) => el("option", { value: c, "data-i18n": prefix + c }, t(prefix + c))));
const note = (id) => el("p", { id, class: "form-note", role: "status" });

/** The page's frame, built once: its words relabel with the language (data-i18n). */
function build() {
  const root = $("#view-visits");
  const card = (id, key, ...kids) => el("div", { class: "card", id }, el("h2", { "data-i18n": key }, t(key)), ...kids);
  root.replaceChildren(
    card("vv-me-card", "vv_title", el("p", { class: "hint", "data-i18n": "vv_intro" }, t("vv_intro")),
      el("div", { id: "vv-me", "aria-live": "polite" }),
      el("form", { id: "vv-register-form", novalidate: "", hidden: "" },
        field("phone", "vv_phone", el("input", { name: "phone", inputmode: "tel", maxlength: "11", autocomplete: "tel" })),
        el("button", { type: "submit", "data-i18n": "vv_register" }, t("vv_register")), note("vv-register-note"))),
    card("vv-ties-card", "vv_ties", el("ul", { id: "vv-ties", class: "cases" }),
      el("details", { id: "vv-tie-box" }, el("summary", { "data-i18n": "vv_tie_new" }, t("vv_tie_new")),
        el("form", { id: "vv-tie-form", novalidate: "" },
          field("detainee_no", "vv_detainee_no", el("input", { name: "detainee_no", maxlength: "30", autocomplete: "off" })),
          field("detainee_name", "vv_detainee_name", el("input", { name: "detainee_name", maxlength: "50", autocomplete: "off" })),
          field("relation", "vv_relation", select("relation", RELATIONS, "vw_rel_")),
          field("proof_kind", "vv_proof_kind", select("proof_kind", PROOFS, "vw_pk_")),
          field("proof", "vv_proof_file", el("input", { name: "proof", type: "file", accept: PROOF_TYPES })),
          el("button", { type: "submit", "data-i18n": "vv_tie_submit" }, t("vv_tie_submit")), note("vv-tie-note")))),
    card("vv-book-card", "vv_book", el("p", { id: "vv-book-hint", class: "hint", "data-i18n": "vv_no_accepted" }, t("vv_no_accepted")),
      el("form", { id: "vv-book-form", novalidate: "", hidden: "" },
        field("relation_id", "vv_book_tie", el("select", { name: "relation_id" })),
        el("p", { id: "vv-book-facility", class: "hint" }),
        field("date", "vv_date", el("input", { name: "date", type: "date" })),
        el("div", { class: "vw-slots-box" }, el("span", { "data-i18n": "vv_slots" }, t("vv_slots")),
          el("div", { id: "vv-slots", class: "vw-slots" }), el("small", { class: "field-error", "data-for": "starts_at" })),
        el("fieldset", { id: "vv-party-box" }, el("legend", { id: "vv-party-legend" }),
          el("div", { id: "vv-party" }),
          el("button", { type: "button", id: "vv-party-add", "data-i18n": "vv_party_add" }, t("vv_party_add")),
          el("small", { class: "field-error", "data-for": "party" })),
        el("p", { class: "hint", "data-i18n": "vv_join_soon" }, t("vv_join_soon")),
        el("button", { type: "submit", "data-i18n": "vv_book_submit" }, t("vv_book_submit")), note("vv-book-note"))),
    card("vv-mine-card", "vv_mine",
      el("button", { type: "button", id: "vv-ics-all", "data-i18n": "vv_ics_all" }, t("vv_ics_all")),
      el("ul", { id: "vv-mine", class: "cases" }), el("p", { id: "vv-mine-error", class: "error", role: "alert" })));
  $("#vv-register-form").addEventListener("submit", register);
  $("#vv-tie-form").addEventListener("submit", submitTie);
  $("#vv-book-form").addEventListener("submit", book);
  const f = $("#vv-book-form");
  f.elements.relation_id.addEventListener("change", () => drawSlots());
  f.elements.date.addEventListener("change", () => drawSlots());
  f.elements.date.value = today();
  f.elements.date.min = today();
  $("#vv-party-add").addEventListener("click", () => addPerson());
  $("#vv-ics-all").addEventListener("click", () => saveFile(`${API}/bookings/mine/calendar.ics`, "visits.ics").catch((e) => serverText($("#vv-mine-error"), e.message)));
  setInterval(() => { if (!root.hidden) drawMine().catch(() => {}); }, POLL_MS);
}

export async function showVisits() {
  if (!page.ready) { build(); page.ready = true; }
  partyLegend();
  Object.assign(page, await readVisitor());
  drawMe();
  await Promise.all([drawTies(), drawMine()]);
}

function drawMe() {
  const box = $("#vv-me"), form = $("#vv-register-form"), me = page.me;
  $("#view-visits").dataset.registered = me ? "yes" : "no";
  form.hidden = Boolean(me) || page.level < 2;
  for (const id of ["vv-ties-card", "vv-book-card", "vv-mine-card"]) $("#" + id).hidden = !me;
  if (me) {
    box.replaceChildren(
      line("vv_registered", me.name_masked || "", me.id_masked ? ` · ${me.id_masked}` : ""),
      line("vw_status", el("b", { class: "vv-status", "data-status": me.status }, visitorStatus(me.status))),
      me.status === "suspended" && me.suspended_until ? el("p", { class: "note" }, fill("vv_suspended_until", { date: at(me.suspended_until) })) : "");
  } else if (page.level < 2) {
    box.replaceChildren(el("p", { class: "note vv-level" }, t("vw_level_needed"), " ",
      el("a", { href: "#identity", class: "identity-link" }, t("vw_go_identity"))));
  } else box.replaceChildren();
}

async function register(ev) {
  ev.preventDefault();
  const f = ev.target, out = $("#vv-register-note");
  serverText(out, "");
  const phone = f.elements.phone.value.trim();
  try {
    page.me = await post(`${API}/visitors/me`, { role: "family", phone: phone || null });
    drawMe();
    await Promise.all([drawTies(), drawMine()]);
  } catch (e) {
    if (e.status === 401) return;
    serverText(out, e.message);
    if (e.body && e.body.code === "assurance_too_low") out.append(" ", el("a", { href: "#identity", class: "identity-link" }, t("vw_go_identity")));
  }
}

const facilityOf = (tie) => tieFacility(tie, page.facilities);

async function drawTies() {
  if (!page.me) return;
  let ties;
  try { ties = await api(`${API}/relations/mine`); } catch { return; }
  page.ties = ties;
  const list = ties.map((r) => {
    const d = r.detainee || {}, fac = facilityOf(r);
    return el("li", { "data-tie": r.id, "data-status": r.status },
      el("div", {}, el("b", { class: "vv-tie-status" }, tieStatus(r.status)), " · ",
        fill("vv_tie_line", { name: d.name_masked || "", no: d.detainee_no || "", rel: relationName(r.relation) })),
      fac ? el("div", { class: "hint" }, fac.name + paren(facilityKind(fac.kind))) : "",
      el("div", { class: "hint" }, proofName(r.proof_kind)),
      r.review_reason ? line("vv_review_reason", r.review_reason) : "");
  });
  $("#vv-ties").replaceChildren(...(list.length ? list : [el("li", { class: "hint" }, t("vv_no_ties"))]));
  const accepted = ties.filter((r) => r.status === "accepted");
  const sel = $("#vv-book-form").elements.relation_id, keep = sel.value;
  sel.replaceChildren(...accepted.map((r) => el("option", { value: r.id },
    ((r.detainee || {}).name_masked || "") + paren(relationName(r.relation)))));
  if (accepted.some((r) => String(r.id) === keep)) sel.value = keep;
  $("#vv-book-form").hidden = !accepted.length;
  $("#vv-book-hint").hidden = Boolean(accepted.length);
  if (accepted.length) await drawSlots();
}

async function submitTie(ev) {
  ev.preventDefault();
  const f = ev.target, out = $("#vv-tie-note");
  serverText(out, "");
  const v = Object.fromEntries(["detainee_no", "detainee_name", "relation", "proof_kind"].map((k) => [k, f.elements[k].value.trim()]));
  const bad = {};
  for (const [k, x] of Object.entries(v)) if (!x) bad[k] = t("vw_required");
  const proof = await readProof(f.elements.proof);
  if (proof.error) bad.proof = proof.error;
  f.querySelectorAll(".field-error").forEach((s) => { s.textContent = bad[s.dataset.for] || ""; });
  if (Object.keys(bad).length) return;
  try {
    await post(`${API}/relations`, { ...v, proof_b64: proof.b64 });
    f.reset();
    out.textContent = t("vv_tie_sent");
    await drawTies();
  } catch (e) {
    if (e.status === 401) return;
    serverText(out, e.message);
  }
}

function chosenTie() {
  const id = Number($("#vv-book-form").elements.relation_id.value);
  return page.ties.find((r) => r.id === id) || null;
}

async function drawSlots() {
  const f = $("#vv-book-form"), tie = chosenTie(), box = $("#vv-slots");
  page.slot = null;
  const fac = tie && facilityOf(tie);
  $("#vv-book-facility").textContent = fac ? fac.name + paren(facilityKind(fac.kind)) : "";
  if (!fac || !f.elements.date.value) { box.replaceChildren(); return; }
  try {
    await slotGrid(box, { facilityId: fac.id, kind: "family", date: f.elements.date.value, onPick: (s) => { page.slot = s; } });
  } catch (e) { serverText(box, e.message); }
}

function partyLegend() { $("#vv-party-legend").textContent = fill("vv_party", { n: PARTY_MAX }); }

function addPerson(focus = true) {
  const list = $("#vv-party");
  if (list.querySelectorAll(".vv-person").length >= PARTY_MAX) return;
  const row = el("div", { class: "vv-person" },
    field("name", "vv_p_name", el("input", { name: "p_name", maxlength: "50", autocomplete: "off" })),
    field("id_number", "vv_p_id", el("input", { name: "p_id_number", maxlength: "18", autocomplete: "off" })),
    field("relation", "vv_p_relation", select("p_relation", RELATIONS, "vw_rel_")),
    el("button", { type: "button", class: "vv-remove", "data-i18n": "vv_party_remove", onclick: () => { row.remove(); addButton(); } }, t("vv_party_remove")));
  list.append(row);
  addButton();
  if (focus) row.querySelector("input").focus();
}
function addButton() { $("#vv-party-add").hidden = $("#vv-party").querySelectorAll(".vv-person").length >= PARTY_MAX; }

/** The party rows as the API takes them, or the reasons per row. */
function readParty() {
  const party = [], bad = [];
  for (const row of $("#vv-party").querySelectorAll(".vv-person")) {
    const p = { name: row.querySelector("[name=p_name]").value.trim(), id_number: row.querySelector("[name=p_id_number]").value.trim().toUpperCase(),
      relation: row.querySelector("[name=p_relation]").value };
    const why = {};
    if (!p.name) why.name = t("vw_required");
    if (!ID_NUMBER.test(p.id_number)) why.id_number = t("vw_id_bad");
    if (!p.relation) why.relation = t("vw_required");
    row.querySelectorAll(".field-error").forEach((s) => { s.textContent = why[s.dataset.for] || ""; });
    if (Object.keys(why).length) bad.push(why);
    party.push(p);
  }
  return { party, ok: !bad.length };
}

async function book(ev) {
  ev.preventDefault();
  const f = ev.target, out = $("#vv-book-note"), tie = chosenTie();
  serverText(out, "");
  const read = readParty();
  const slotError = f.querySelector(".field-error[data-for=starts_at]");
  slotError.textContent = page.slot ? "" : t("vv_pick_slot");
  if (!tie || !page.slot || !read.ok) return;
  try {
    const b = await post(`${API}/bookings`, { relation_id: tie.id, starts_at: page.slot.starts_at, party: read.party });
    out.replaceChildren(t("vv_booked"), el("b", { class: "booking-no" }, b.booking_no),
      t(b.status === "pending_approval" ? "vv_booked_pending" : "vv_booked_ok"));
    $("#vv-party").replaceChildren(); addButton();
    await Promise.all([drawMine(), drawSlots()]);
  } catch (e) {
    if (e.status === 401) return;
    serverText(out, e.message);
  }
}

// -- my bookings ------------------------------------------------------------------------------
const LIVE = ["pending_approval", "confirmed", "in_call"];
const cancelling = new Set(); // bookings whose cancel form is open (kept across a redraw)

export async function drawMine() {
  if (!page.me) return;
  const list = await api(`${API}/bookings/mine`);
  const items = list.items || list;
  const rows = items.map((b) => bookingItem(b));
  $("#vv-mine").replaceChildren(...(rows.length ? rows : [el("li", { class: "hint" }, t("vv_no_bookings"))]));
}

/** One booking as the visitor reads it; shared with the lawyer's page. */
export function bookingItem(b, { onChange = drawMine, prefix = "vv" } = {}) {
  const now = Date.now(), ended = Date.parse(b.ends_at) <= now;
  const li = el("li", { "data-booking": b.id, "data-status": b.status, class: `${prefix}-booking` },
    el("div", {}, el("b", { class: "vw-status" }, bookingStatus(b.status)), " · ", t("vw_booking_no"), " ",
      el("span", { class: "booking-no" }, b.booking_no)),
    el("div", {}, span(b), " · ", visitKind(b.kind)),
    el("div", {}, `${b.facility.name} · ${b.terminal ? b.terminal.name : ""}`),
    el("div", {}, t("vw_detainee"), t("vw_colon"), b.detainee.name_masked + paren(b.detainee.detainee_no)),
    b.party && b.party.length ? el("div", { class: "hint" }, t("vw_party"), t("vw_colon"), partyWords(b.party)) : "",
    el("div", { class: "hint vw-privacy" }, privacyWords(b)),
    b.status === "cancelled" && b.cancel_reason ? el("div", { class: "note" }, fill("vw_cancelled_note", { reason: b.cancel_reason })) : "",
    b.status === "refused" && b.cancel_reason ? el("div", { class: "note" }, fill("vw_refused_note", { reason: b.cancel_reason })) : "");
  const acts = el("div", { class: "vw-actions" });
  if (["confirmed", "in_call"].includes(b.status) && !ended) acts.append(joinLink(b));
  if (LIVE.includes(b.status) && !ended) {
    acts.append(el("button", { type: "button", class: "vw-ics", onclick: () => saveFile(`${API}/bookings/${b.id}/calendar.ics`, `${b.booking_no}.ics`).catch(() => {}) }, t("vw_ics")));
    if (b.can_cancel) acts.append(el("button", { type: "button", class: "vw-cancel", onclick: () => { cancelling.add(b.id); li.append(cancelForm(b, onChange)); } }, t("vw_cancel")));
    else if (b.status !== "in_call") acts.append(el("span", { class: "hint" }, t("vw_cancel_late")));
  }
  li.append(acts);
  if (cancelling.has(b.id) && b.can_cancel) li.append(cancelForm(b, onChange));
  return li;
}

function cancelForm(b, onChange) {
  const old = document.querySelector(`form.vw-cancel-form[data-booking="${b.id}"]`);
  if (old) old.remove();
  const out = el("p", { class: "error", role: "alert" });
  const form = el("form", { class: "vw-cancel-form", "data-booking": b.id, novalidate: "" },
    el("label", {}, el("span", {}, t("vw_cancel_reason")), " ", el("input", { name: "reason", maxlength: "200" })),
    el("button", { type: "submit" }, t("vw_cancel_confirm")),
    el("button", { type: "button", onclick: () => { cancelling.delete(b.id); form.remove(); } }, t("vw_keep")), out);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const reason = form.elements.reason.value.trim();
    if (!reason) { out.textContent = t("vw_required"); return; }
    try {
      await post(`${API}/bookings/${b.id}/cancel`, { reason });
      cancelling.delete(b.id);
      await onChange();
    } catch (e) { if (e.status !== 401) serverText(out, e.message); }
  });
  return form;
}
