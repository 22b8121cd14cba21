// 开锁服务: a resident (or a volunteer) asks for a lock to be opened, follows the request
// through witness, dispatch and the locksmith's visit, re-verifies on site, reads the drafted
// record and signs it; once filed, keeps their own copy. The API decides everything (level,
// entitlement, witness, risk): this page shows its answers, refusals in the server's words.
// The record's words (lock types, states, flags, methods) are shared with the witness page.
import { api, post, el, $, t, session } from "./core.js";
import { addTexts, lang, serverText, word } from "./i18n.js";
import { baseMap } from "./map.js";
import { placeSuggest } from "./places.js";

const L = window.L;
export const UNLOCK = "/api/v1/trust/unlock";
const IDENTITY = "/api/v1/trust/identity";
export const STEPS = ["awaiting_witness", "ready", "dispatched", "accepted", "on_site", "signing", "filed"];

addTexts({
  nav_unlock: "开锁服务", ul_title: "开锁服务", ul_lock_type: "锁的类型",
  ul_lt_home: "家门", ul_lt_office: "办公室门", ul_lt_safe: "保险柜", ul_lt_vehicle: "车辆",
  ul_target_address: "门牌地址编码", ul_target_plate: "车牌号",
  ul_hint_address: "标准地址库中的地址编码，如 150602001001（见门牌或房产证）",
  ul_hint_plate: "机动车登记的车牌号，如 蒙KA1234",
  ul_address: "地址说明（可选：楼栋、单元、门牌号）", ul_place: "附近地名（输入后从提示中选择）",
  ul_no_place: "没有这个地名，可在地图上点选", ul_locate: "使用我的位置", ul_locating: "正在定位…",
  ul_no_geo: "无法取得您的位置，请在地图上点选", ul_tap_map: "在地图上点一下需要开锁的地方，可修改下面的经纬度",
  ul_lon: "经度", ul_lat: "纬度", ul_need_point: "请在地图上点选位置、选择地名或使用我的位置",
  ul_need_target: "请填写地址编码或车牌号", ul_submit: "申请开锁", ul_mine: "我的开锁申请",
  ul_level_ok: "您已完成实人认证，可以申请开锁。", ul_level_low: "申请开锁须先完成实人认证（人脸或短信验证码），您现在的认证等级不够。",
  ul_level_none: "申请开锁须先完成实名和实人认证。", ul_go_identity: "去身份认证",
  ul_sent: "已提交，申请编号 ", ul_k_key_area: "景区/广场", ul_k_post: "警务点", ul_k_road: "道路", ul_k_crossing: "路口",
  ul_st_awaiting_witness: "等待见证人", ul_st_ready: "等待派单", ul_st_dispatched: "已派开锁师傅", ul_st_accepted: "师傅已接单",
  ul_st_on_site: "师傅已到场", ul_st_signing: "签署开锁记录", ul_st_filed: "已归档",
  ul_f_not_entitled: "登记资料中未查到您对此处的权利，须见证人到场", ul_f_night: "夜间开锁", ul_f_repeat: "此地址近期多次开锁，须见证人到场",
  ul_f_recent_incident: "附近近期有警情，须见证人到场", ul_f_not_occupant: "您登记为产权人而非居住人",
  ul_needs_witness: "须由物业管理人员、社区工作人员或民警到场见证。请把见证码交给见证人：",
  ul_witness_code: "见证码", ul_witness_link: "见证链接", ul_witness_joined: "见证人：",
  ul_wk_property_manager: "物业管理人员", ul_wk_community_worker: "社区工作人员", ul_wk_officer: "民警",
  ul_waiting_smith: "附近暂无空闲的备案开锁师傅，请稍后重试。", ul_retry: "重新派单",
  ul_smith: "开锁师傅：", ul_filing: "备案编号", ul_eta: "预计到达", ul_minutes: "{n} 分钟",
  ul_checkin: "到场时间：", ul_by_position: "定位核验到场", ul_by_override: "民警确认到场（非定位核验）",
  ul_reverify: "师傅到场后，请您再次核验身份，然后阅读并签署开锁记录。", ul_face: "刷脸核验", ul_otp: "短信验证码",
  ul_otp_sent: "验证码已发送至 {phone}", ul_otp_code: "验证码", ul_otp_confirm: "确认", ul_reverified: "已重新核验身份",
  ul_record: "开锁记录", ul_record_no: "记录编号", ul_method: "开锁方式", ul_m_technical: "技术开启", ul_m_destructive: "破坏性开启",
  ul_fee: "费用", ul_yuan: "{n} 元", ul_photos: "照片（哈希值）", ul_ph_before: "开锁前", ul_ph_after: "开锁后",
  ul_parties: "签名", ul_p_requester: "委托人", ul_p_locksmith: "开锁师傅", ul_p_witness: "见证人",
  ul_signed: "已签", ul_unsigned: "未签", ul_sign: "签署开锁记录", ul_signed_wait: "您已签名，等待其他各方签名。",
  ul_filed: "已归档至派出所，保存至 {date}", ul_download: "下载我的副本", ul_none: "暂无申请",
}, {
  nav_unlock: "Unlock service", ul_title: "Unlock service", ul_lock_type: "Lock",
  ul_lt_home: "Home door", ul_lt_office: "Office door", ul_lt_safe: "Safe", ul_lt_vehicle: "Vehicle",
  ul_target_address: "Address code", ul_target_plate: "Number plate",
  ul_hint_address: "The code of the address in the standard address register, e.g. 150602001001 (on the door plate or the deed)",
  ul_hint_plate: "The plate as registered, e.g. 蒙KA1234",
  ul_address: "Address details (optional: building, entrance, flat)", ul_place: "Place nearby (type and pick from the list)",
  ul_no_place: "no place of that name; you can tap the map instead", ul_locate: "Use my location", ul_locating: "Finding you…",
  ul_no_geo: "Your location is not available; tap the map instead", ul_tap_map: "Tap the map where the lock is; you can correct the coordinates below",
  ul_lon: "Longitude", ul_lat: "Latitude", ul_need_point: "Tap the map, pick a place or use your location",
  ul_need_target: "Enter the address code or the plate", ul_submit: "Ask for the lock to be opened", ul_mine: "My unlock requests",
  ul_level_ok: "You are verified as a real person: you may ask.", ul_level_low: "Asking needs real-person verification (face or text-message code); your level is not enough yet.",
  ul_level_none: "Asking needs real-name and real-person verification first.", ul_go_identity: "Verify my identity",
  ul_sent: "Sent, request number ", ul_k_key_area: "area", ul_k_post: "police point", ul_k_road: "road", ul_k_crossing: "crossing",
  ul_st_awaiting_witness: "Waiting for a witness", ul_st_ready: "Waiting for a locksmith", ul_st_dispatched: "Locksmith sent",
  ul_st_accepted: "Locksmith on the way", ul_st_on_site: "Locksmith on site", ul_st_signing: "Signing the record", ul_st_filed: "Filed",
  ul_f_not_entitled: "The registers do not show your right to this place: a witness must attend", ul_f_night: "At night",
  ul_f_repeat: "Several unlocks at this address lately: a witness must attend", ul_f_recent_incident: "A recent police incident nearby: a witness must attend",
  ul_f_not_occupant: "You are registered as the owner, not as living there",
  ul_needs_witness: "A property manager, community worker or police officer must attend as witness. Give them this witness code:",
  ul_witness_code: "Witness code", ul_witness_link: "Witness link", ul_witness_joined: "Witness: ",
  ul_wk_property_manager: "property manager", ul_wk_community_worker: "community worker", ul_wk_officer: "police officer",
  ul_waiting_smith: "No filed locksmith is free nearby just now; try again shortly.", ul_retry: "Try again",
  ul_smith: "Locksmith: ", ul_filing: "Filing number", ul_eta: "Expected in", ul_minutes: "{n} min",
  ul_checkin: "Arrived: ", ul_by_position: "arrival checked by location", ul_by_override: "Arrival confirmed by an officer (not by location)",
  ul_reverify: "Now that the locksmith is here, verify yourself again, then read and sign the record.", ul_face: "Face check", ul_otp: "Text-message code",
  ul_otp_sent: "Code sent to {phone}", ul_otp_code: "Code", ul_otp_confirm: "Confirm", ul_reverified: "Verified again",
  ul_record: "Unlock record", ul_record_no: "Record number", ul_method: "How it was opened", ul_m_technical: "Opened without damage",
  ul_m_destructive: "Opened by force", ul_fee: "Fee", ul_yuan: "¥{n}", ul_photos: "Photos (hashes)", ul_ph_before: "before", ul_ph_after: "after",
  ul_parties: "Signatures", ul_p_requester: "requester", ul_p_locksmith: "locksmith", ul_p_witness: "witness",
  ul_signed: "signed", ul_unsigned: "not yet", ul_sign: "Sign the record", ul_signed_wait: "You have signed; waiting for the others.",
  ul_filed: "Filed with the police station, kept until {date}", ul_download: "Download my copy", ul_none: "No requests yet",
});

const yuan = (fen) => (fen / 100).toFixed(fen % 100 ? 2 : 0);
/** A date as YYYY-MM-DD in the city's time (Beijing): what "kept until" means to a resident. */
export const day = (iso) => new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" }).format(new Date(iso));
const clock = (iso) => new Date(iso).toLocaleString(lang === "zh" ? "zh-CN" : "en-GB", { hour12: false, timeZone: "Asia/Shanghai" });

/** The states as a progress line: done, the current one, the rest (the witness step only where one is required). */
export function progressLine(req) {
  const steps = STEPS.filter((s) => s !== "awaiting_witness" || req.witness_required);
  const at = steps.indexOf(req.status);
  return el("ol", { class: "ul-steps" }, ...steps.map((s, i) =>
    el("li", { class: i < at ? "done" : i === at ? "current" : "", "data-step": s }, word("ul_st_", s))));
}

/** The drafted record as the requester and the witness read it before signing. */
export function recordView(rec, signed) {
  const ci = rec.checkin || {};
  const byOverride = ci.confirmed_by === "override";
  return el("div", { class: "ul-record" },
    el("h4", {}, t("ul_record")),
    el("dl", {},
      el("dt", {}, t("ul_record_no")), el("dd", {}, rec.record_no),
      el("dt", {}, t("ul_method")), el("dd", { class: "method" }, word("ul_m_", rec.method)),
      el("dt", {}, t("ul_fee")), el("dd", { class: "fee" }, t("ul_yuan").replace("{n}", yuan(rec.fee_fen))),
      el("dt", {}, t("ul_checkin")), el("dd", { class: "checkin" }, ci.at ? clock(ci.at) : "", " · ",
        el("span", { class: byOverride ? "override" : "" }, t(byOverride ? "ul_by_override" : "ul_by_position"))),
      el("dt", {}, t("ul_photos")), el("dd", { class: "photos" }, ...(rec.photos || []).map((p) =>
        el("div", {}, `${word("ul_ph_", p.stage)}: `, el("code", { title: p.sha256 }, p.sha256.slice(0, 16) + "…")))),
      el("dt", {}, t("ul_parties")), el("dd", { class: "parties" }, (rec.parties || []).map((p) =>
        `${word("ul_p_", p)} ${t(signed.includes(p) ? "ul_signed" : "ul_unsigned")}`).join(" · "))));
}

// -- the request form ----------------------------------------------------------------------------
let ready = false, picker = null, marker = null, poll = null;
const shown = new Map(); // request id -> the JSON last drawn (a poll redraws only what changed)
const reverified = new Set(); // requests the resident verified again for on this page

function form() { return $("#ul-form"); }

function targetWords() {
  const plate = form().elements.lock_type.value === "vehicle";
  const label = $("#ul-target-label"), hint = $("#ul-target-hint");
  label.dataset.i18n = plate ? "ul_target_plate" : "ul_target_address"; label.textContent = t(label.dataset.i18n);
  hint.dataset.i18n = plate ? "ul_hint_plate" : "ul_hint_address"; hint.textContent = t(hint.dataset.i18n);
}

function setPoint(lon, lat, pan = false) {
  const f = form();
  f.elements.lon.value = Number(lon).toFixed(6); f.elements.lat.value = Number(lat).toFixed(6);
  markPoint(pan);
}
function point() {
  const f = form();
  const lon = Number(f.elements.lon.value), lat = Number(f.elements.lat.value);
  return f.elements.lon.value.trim() && f.elements.lat.value.trim() && Number.isFinite(lon) && Number.isFinite(lat) ? [lon, lat] : null;
}
function markPoint(pan = false) {
  const p = point();
  if (!picker) return;
  if (!p) { if (marker) { marker.remove(); marker = null; } return; }
  marker = marker || L.circleMarker([p[1], p[0]], { radius: 7, color: "#b3261e", weight: 3, fillOpacity: 0.3 }).addTo(picker);
  marker.setLatLng([p[1], p[0]]);
  if (pan) picker.panTo([p[1], p[0]]);
}

let mapReady = null;
function placeMap() {
  if (mapReady) return mapReady.then(() => picker.invalidateSize());
  mapReady = baseMap("ul-map", { weight: 0.6 }).then(({ map }) => {
    picker = map;
    picker.on("click", (ev) => setPoint(ev.latlng.lng, ev.latlng.lat));
    markPoint(true);
  });
  return mapReady;
}

function locate() {
  const out = $("#ul-result");
  if (!navigator.geolocation) { out.textContent = t("ul_no_geo"); return; }
  out.textContent = t("ul_locating");
  navigator.geolocation.getCurrentPosition(
    (pos) => { out.textContent = ""; setPoint(pos.coords.longitude, pos.coords.latitude, true); },
    () => { out.textContent = t("ul_no_geo"); }, { enableHighAccuracy: true, timeout: 10000 });
}

function initUnlock() {
  const f = form();
  f.elements.lock_type.addEventListener("change", targetWords);
  placeSuggest(f.elements.place, $("#ul-places"), { kindKey: "ul_k_", noneKey: "ul_no_place", onPick: (p) => setPoint(p.lon, p.lat, true) });
  for (const name of ["lon", "lat"]) f.elements[name].addEventListener("change", () => markPoint(true));
  $("#ul-locate").addEventListener("click", locate);
  f.addEventListener("submit", submit);
}

function fieldError(name, text) {
  form().querySelectorAll(`.field-error[data-for=${name}]`).forEach((s) => { s.textContent = text; });
}

async function submit(ev) {
  ev.preventDefault();
  const f = form(), out = $("#ul-result");
  const target = f.elements.target.value.trim(), p = point();
  fieldError("target", target ? "" : t("ul_need_target"));
  fieldError("point", p ? "" : t("ul_need_point"));
  if (!target || !p) return;
  serverText(out, "");
  try {
    const req = await post(`${UNLOCK}/requests`, { lock_type: f.elements.lock_type.value, target, lon: p[0], lat: p[1],
      address: f.elements.address.value.trim() || null });
    out.replaceChildren(t("ul_sent"), el("b", { class: "request-no" }, String(req.id)), " · ", word("ul_st_", req.status));
    f.elements.target.value = ""; f.elements.address.value = "";
    await drawMine();
    follow();
  } catch (e) {
    if (e.status === 401) return;
    serverText(out, e.message);
    if (e.body && e.body.code === "assurance_too_low") out.append(" ", identityLink());
  }
}

const identityLink = () => el("a", { href: "#identity", class: "identity-link" }, t("ul_go_identity"));

async function drawLevel() {
  const p = $("#ul-level");
  let me = null;
  try { me = await api(`${IDENTITY}/me`); } catch { /* shown as no level */ }
  const level = me ? me.level : 0;
  p.replaceChildren(t(level >= 2 ? "ul_level_ok" : level === 1 ? "ul_level_low" : "ul_level_none"));
  if (level < 2) p.append(" ", identityLink());
}

// -- my requests -----------------------------------------------------------------------------
const OPEN = (r) => r.status !== "filed";

function witnessBox(req) {
  const link = `${location.origin}${location.pathname}#witness/${req.id}`;
  return el("div", { class: "ul-witness" }, t("ul_needs_witness"), " ",
    el("b", { class: "witness-code" }, `${t("ul_witness_code")} ${req.id}`), el("br"),
    t("ul_witness_link"), " ", el("a", { href: `#witness/${req.id}`, class: "witness-link" }, link));
}

function smithLine(req) {
  const s = req.locksmith;
  if (!s) return "";
  const eta = req.eta_s != null && ["dispatched", "accepted"].includes(req.status)
    ? ` · ${t("ul_eta")} ${t("ul_minutes").replace("{n}", Math.max(1, Math.round(req.eta_s / 60)))}` : "";
  return el("div", { class: "ul-smith" }, t("ul_smith"), el("b", {}, s.name_masked), ` · ${s.company} · ${t("ul_filing")} `,
    el("span", { class: "filing" }, s.filing_number), eta);
}

function reverifyBox(req) {
  const box = el("div", { class: "ul-reverify" }, el("p", {}, t("ul_reverify")));
  const said = el("p", { class: "said", role: "status" });
  const done = () => { reverified.add(req.id); said.replaceChildren(t("ul_reverified")); };
  const fail = (e) => { if (e.status !== 401) serverText(said, e.message); };
  const face = el("button", { type: "button", class: "face", onclick: async () => {
    // The provider's own SDK takes the picture on the phone and hands back its reference;
    // the platform never receives the face image (docs/trust.md, Identity).
    try { await post(`${IDENTITY}/verify`, { method: "face", image_ref: `web-${req.id}-${Date.now()}` }); done(); } catch (e) { fail(e); }
  } }, t("ul_face"));
  const code = el("input", { name: "otp", inputmode: "numeric", maxlength: "6", hidden: true, "aria-label": t("ul_otp_code") });
  const confirm = el("button", { type: "button", class: "otp-confirm", hidden: true, onclick: async () => {
    try { await post(`${IDENTITY}/verify`, { method: "otp", code: code.value.trim() }); done(); } catch (e) { fail(e); }
  } }, t("ul_otp_confirm"));
  const otp = el("button", { type: "button", class: "otp", onclick: async () => {
    try {
      const r = await post(`${IDENTITY}/verify`, { method: "otp" });
      said.replaceChildren(t("ul_otp_sent").replace("{phone}", r.otp_sent_to || ""));
      code.hidden = false; confirm.hidden = false; code.focus();
    } catch (e) { fail(e); }
  } }, t("ul_otp"));
  box.append(face, " ", otp, " ", code, " ", confirm, said);
  if (reverified.has(req.id)) said.textContent = t("ul_reverified");
  return box;
}

function signBox(req) {
  const said = el("p", { class: "said", role: "status" });
  const sign = el("button", { type: "button", class: "sign", onclick: async () => {
    serverText(said, "");
    try { await post(`${UNLOCK}/requests/${req.id}/sign/requester`); await drawMine(); } catch (e) { if (e.status !== 401) serverText(said, e.message); }
  } }, t("ul_sign"));
  return el("div", { class: "ul-sign" }, sign, said);
}

async function download(req) {
  const copy = await api(`${UNLOCK}/requests/${req.id}/my-record`);
  const url = URL.createObjectURL(new Blob([JSON.stringify(copy.document, null, 2)], { type: "application/json" }));
  const a = el("a", { href: url, download: `${(copy.document && copy.document.record.record_no) || "unlock-" + req.id}.json` });
  document.body.append(a); a.click(); a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

function requestItem(req) {
  const li = el("li", { "data-request": req.id, "data-status": req.status },
    el("b", {}, `#${req.id}`), ` · ${word("ul_lt_", req.lock_type)} · ${req.target}${req.address ? " · " + req.address : ""} · `,
    el("span", { class: "state" }, word("ul_st_", req.status)), progressLine(req));
  if (req.flags.length) li.append(el("div", { class: "flags hint" }, req.flags.map((f) => word("ul_f_", f)).join(t("list_sep"))));
  if (req.status === "awaiting_witness") li.append(witnessBox(req));
  if (req.witness_kind) li.append(el("div", { class: "hint" }, t("ul_witness_joined"), word("ul_wk_", req.witness_kind)));
  if (req.status === "ready") {
    const said = el("span", { class: "said", role: "status" });
    li.append(el("div", { class: "ul-ready" }, t("ul_waiting_smith"), " ", el("button", { type: "button", class: "retry", onclick: async () => {
      serverText(said, "");
      try { await post(`${UNLOCK}/requests/${req.id}/dispatch`); await drawMine(); } catch (e) { if (e.status !== 401) serverText(said, e.message); }
    } }, t("ul_retry")), " ", said));
  }
  li.append(smithLine(req));
  if (req.checkin && !req.record) {
    li.append(el("div", { class: "hint" }, t("ul_checkin"), clock(req.checkin.at), " · ",
      t(req.checkin.confirmed_by === "override" ? "ul_by_override" : "ul_by_position")));
  }
  if (req.record) li.append(recordView(req.record, req.signed));
  const mineSigned = req.signed.includes("requester");
  if (["on_site", "signing"].includes(req.status) && !mineSigned) li.append(reverifyBox(req));
  if (req.status === "signing" && !mineSigned) li.append(signBox(req));
  if (req.status === "signing" && mineSigned) li.append(el("p", { class: "hint" }, t("ul_signed_wait")));
  if (req.status === "filed") {
    li.append(el("p", { class: "filed" }, t("ul_filed").replace("{date}", req.retain_until ? day(req.retain_until) : "")),
      el("button", { type: "button", class: "download", onclick: () => download(req).catch(() => {}) }, t("ul_download")));
  }
  return li;
}

async function drawMine(force = false) {
  const mine = await api(`${UNLOCK}/requests/mine`);
  const ul = $("#ul-mine");
  if (force) shown.clear();
  const ids = mine.map((r) => String(r.id));
  if (!mine.length) { ul.replaceChildren(el("li", { class: "hint" }, t("ul_none"))); shown.clear(); return mine; }
  ul.querySelectorAll("li.hint").forEach((x) => x.remove());
  ul.querySelectorAll("li[data-request]").forEach((x) => { if (!ids.includes(x.dataset.request)) x.remove(); });
  let prev = null;
  for (const req of mine) {
    const key = JSON.stringify(req);
    let li = ul.querySelector(`li[data-request="${req.id}"]`);
    if (!li || shown.get(req.id) !== key) {
      const fresh = requestItem(req);
      if (li) li.replaceWith(fresh); else if (prev) prev.after(fresh); else ul.prepend(fresh);
      li = fresh;
      shown.set(req.id, key);
    }
    prev = li;
  }
  return mine;
}

/** Poll my requests while one is open and the page is shown. */
function follow() {
  if (poll) return;
  poll = setInterval(async () => {
    if ($("#view-unlock").hidden || !session.token) { clearInterval(poll); poll = null; return; }
    try { const mine = await drawMine(); if (!mine.some(OPEN)) { clearInterval(poll); poll = null; } } catch { /* next tick */ }
  }, 3000);
}

export async function showUnlock() {
  if (!ready) { initUnlock(); ready = true; }
  targetWords();
  placeMap().catch(() => {});
  await Promise.all([drawLevel(), drawMine(true)]);
  follow();
}
