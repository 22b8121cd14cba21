// 接警 call intake: a 110 call entered by keyboard alone (F2 … Enter), placed through the city's
// gazetteer (Chinese, pinyin, initials) or a click on a small map. As soon as the point and type
// are set the form shows the units the call would get and the open incidents it may repeat; the
// call-taker either enters it (and sends the units at once) or attaches it to the incident.
import { api, post, el, $, t, half, typeName, kindName, stateName, fmtTime, fmtSecs, catalogue, session } from "./core.js";
import { addTexts } from "./i18n.js";
import { baseMap } from "./map.js";
import { nameOf, placeSuggest } from "./places.js";
import { state } from "./state.js";

addTexts({
  intake_open: "接警", intake_title: "接警登记", intake_phone: "来电号码", intake_place: "地址 / 地点",
  intake_keys: "F2 接警 · ↑↓ 选择地点，Enter 确定 · Enter 提交 · Shift+Enter 换行 · Alt+A 并入第一条疑似重复 · Esc 取消",
  intake_map_hint: "输入地名、拼音或首字母，或在小地图上点选", intake_at: "位置：", intake_send: "登记后立即派出推荐警力",
  intake_submit: "登记", intake_cancel: "取消", intake_need_place: "请选择地点或在地图上点选", intake_need_type: "请选择类别",
  intake_need_summary: "请填写警情描述", intake_bad_phone: "号码格式不对（手机11位，或带区号的固话）",
  intake_k_key_area: "重点区域", intake_k_post: "岗点", intake_k_road: "道路", intake_k_crossing: "路口",
  intake_no_place: "没有匹配的地点", intake_rec: "推荐警力", intake_rec_none: "暂无可派警力", intake_eta: "预计到达",
  intake_dups: "疑似重复报警", intake_dup_hint: "同类或相关警情，时间和地点相近：可将本次来电并入该警情，不再新建",
  intake_attach: "并入此警情", intake_away: "相距", intake_metres: "米", intake_p1: "危及生命", intake_p2: "紧急",
  intake_p3: "一般", intake_p4: "求助服务", intake_default: "默认", intake_created: "已登记", intake_sent: "已派警力",
  intake_attached: "来电已并入", intake_dispatch_failed: "派警未成功，请在警情详情中重新派警：", intake_working: "正在提交…",
}, {
  intake_open: "New call", intake_title: "Call intake", intake_phone: "Caller number", intake_place: "Address / place",
  intake_keys: "F2 new call · ↑↓ choose a place, Enter takes it · Enter submits · Shift+Enter new line · Alt+A attach to the first possible duplicate · Esc cancels",
  intake_map_hint: "Type a place name, its pinyin or initials, or click the small map", intake_at: "Point: ",
  intake_send: "Send the recommended units on entering", intake_submit: "Enter call", intake_cancel: "Cancel",
  intake_need_place: "choose a place or click the map", intake_need_type: "choose a type", intake_need_summary: "describe what happened",
  intake_bad_phone: "not a phone number (11-digit mobile, or a landline with area code)",
  intake_k_key_area: "key area", intake_k_post: "post", intake_k_road: "road", intake_k_crossing: "crossing",
  intake_no_place: "no matching place", intake_rec: "Recommended units", intake_rec_none: "No unit available", intake_eta: "ETA",
  intake_dups: "Possible duplicate", intake_dup_hint: "Same or related type, near in place and time: attach this call to it instead of entering a new incident",
  intake_attach: "Attach to this incident", intake_away: "away", intake_metres: "m", intake_p1: "life at risk", intake_p2: "urgent",
  intake_p3: "routine", intake_p4: "service request", intake_default: "default", intake_created: "Entered", intake_sent: "units sent",
  intake_attached: "Call attached to", intake_dispatch_failed: "The units were not sent; dispatch them from the incident: ", intake_working: "Sending…",
});

const L = window.L;
const PHONE = /^\+?[\d\- ]{5,20}$/;
// Where the API's refusals belong on the form: schema errors by field, service refusals by code.
const FIELD = { reporter_phone: "phone", lon: "place", lat: "place", address: "place", summary: "summary", type: "type", priority: "priority" };
const CODE_FIELD = { bad_phone: "phone", empty_summary: "summary", unknown_incident_type: "type", outside_service_area: "place",
  bad_coordinates: "place" };

let point = null; // { lon, lat, area_code, label }
let suggest = null; // the place field's suggestion list
let refreshSeq = 0;
let rec = null, dups = [];
let picker = null, marker = null, pickerReady = null;

const form = () => $("#intake-form");
const dialog = () => $("#intake");
const allowed = () => Boolean(session.user) && ["dispatcher", "commander"].includes(session.user.role);

export function initIntake() {
  const f = form();
  $("#intake-open").addEventListener("click", openIntake);
  document.addEventListener("keydown", (ev) => {
    if (ev.key === "F2" && allowed() && !dialog().open) { ev.preventDefault(); openIntake(); }
  });
  suggest = placeSuggest(f.elements.place, $("#intake-places"), { onPick: pick, kindKey: "intake_k_", noneKey: "intake_no_place" });
  f.elements.type.addEventListener("change", () => { fillPriorities(); refresh(); });
  f.elements.priority.addEventListener("change", refresh);
  f.elements.summary.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) { ev.preventDefault(); f.requestSubmit(); }
  });
  // Enter submits from every field (a select or a checkbox would not by itself).
  f.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && (ev.target.tagName === "SELECT" || ev.target.type === "checkbox")) { ev.preventDefault(); f.requestSubmit(); }
    if (ev.altKey && (ev.key === "a" || ev.key === "A") && dups.length) { ev.preventDefault(); attach(dups[0].incident); }
  });
  f.addEventListener("submit", (ev) => { ev.preventDefault(); submit(); });
  $("#intake-cancel").addEventListener("click", () => dialog().close());
  dialog().addEventListener("cancel", (ev) => { if (suggest.isOpen()) { ev.preventDefault(); suggest.hide(); } });
  dialog().addEventListener("close", reset);
}

/** The button for dispatchers and commanders (on signing in); gone, with the form, on leaving. */
export function showIntakeButton() { $("#intake-open").hidden = !allowed(); }
export function hideIntake() { $("#intake-open").hidden = true; if (dialog().open) dialog().close(); }

export function openIntake() {
  if (!allowed() || dialog().open) return;
  const f = form();
  reset();
  f.elements.type.replaceChildren(el("option", { value: "" }, "—"),
    ...Object.values(catalogue.types).map((x) => el("option", { value: x.code }, typeName(x.code))));
  fillPriorities();
  dialog().showModal();
  f.elements.phone.focus();
  placeMap().catch((e) => console.error(e));
}

function fillPriorities() {
  const f = form(), def = defaultPriority();
  f.elements.priority.replaceChildren(...[1, 2, 3, 4].map((p) => el("option", { value: String(p) },
    `P${p} ${t("intake_p" + p)}${p === def ? ` (${t("intake_default")})` : ""}`)));
  f.elements.priority.value = String(def);
}
function defaultPriority() {
  const type = catalogue.types[form().elements.type.value];
  return type ? type.priority : 3;
}

function reset() {
  const f = form();
  f.reset();
  point = null; rec = null; dups = [];
  suggest.hide();
  $("#intake-point").textContent = t("intake_map_hint");
  $("#intake-rec").replaceChildren(); $("#intake-dups").replaceChildren();
  $("#intake-error").textContent = "";
  showErrors({});
  if (marker) { marker.remove(); marker = null; }
  $("#intake-submit").disabled = false;
}

// -- place: gazetteer suggestions (places.js) and the small map ------------------------------
function pick(p) { setPoint(p.lon, p.lat, p.kind === "key_area" ? p.code : null, nameOf(p)); }

function setPoint(lon, lat, areaCode, label) {
  point = { lon, lat, area_code: areaCode || undefined, label };
  $("#intake-point").textContent = `${t("intake_at")}${label} (${lon.toFixed(5)}, ${lat.toFixed(5)})`;
  showErrors({ ...currentErrors(), place: "" });
  if (picker) {
    marker = marker || L.circleMarker([lat, lon], { radius: 7, color: "#b3261e", weight: 3, fillOpacity: 0.3 }).addTo(picker);
    marker.setLatLng([lat, lon]);
    picker.setView([lat, lon], Math.max(picker.getZoom(), 15));
  }
  refresh();
}

function placeMap() {
  if (pickerReady) return pickerReady.then(() => { picker.invalidateSize(); if (point) setPoint(point.lon, point.lat, point.area_code, point.label); });
  pickerReady = baseMap("intake-map", { weight: 0.6 }).then(({ map }) => {
    picker = map;
    map.keyboard.disable(); // the keyboard path is the place field; the map is for the mouse
    map.getContainer().setAttribute("tabindex", "-1");
    map.on("click", async (ev) => {
      const { lng, lat } = ev.latlng;
      let label = `${lng.toFixed(5)}, ${lat.toFixed(5)}`, area = null;
      try {
        const named = await api(`/api/v1/geo/place-name?lon=${lng}&lat=${lat}`);
        label = nameOf(named);
        if (named.place && named.place.kind === "key_area" && named.distance_m === 0) area = named.place.code;
      } catch (e) { showErrors({ ...currentErrors(), place: half(e.message) }); return; }
      form().elements.place.value = label;
      setPoint(lng, lat, area, label);
    });
  });
  return pickerReady;
}

// -- what the call would get, and what it may repeat -----------------------------------------
async function refresh() {
  const type = form().elements.type.value;
  if (!point || !type) return;
  const mine = ++refreshSeq;
  const q = `type=${encodeURIComponent(type)}&lon=${point.lon}&lat=${point.lat}`;
  const prio = form().elements.priority.value;
  const [r, d] = await Promise.all([
    api(`/api/v1/intake/recommendation?${q}&priority=${prio}`).catch((e) => ({ error: e })),
    api(`/api/v1/intake/duplicates?${q}`).catch(() => []),
  ]);
  if (mine !== refreshSeq) return;
  rec = r.error ? null : r; dups = d;
  drawRecommendation(r);
  drawDuplicates();
}

function drawRecommendation(r) {
  const box = $("#intake-rec");
  if (r.error) { box.replaceChildren(el("h3", {}, t("intake_rec")), el("p", { class: "error" }, half(r.error.message))); return; }
  const callSign = (id) => (state.units.get(id) || {}).call_sign || `#${id}`;
  box.replaceChildren(el("h3", {}, t("intake_rec")),
    r.picks.length ? el("ul", { id: "intake-picks" }, r.picks.map((p) => el("li", {}, el("label", {},
      el("input", { type: "checkbox", name: "unit", value: p.unit_id, checked: true }),
      ` ${callSign(p.unit_id)} · ${kindName(p.kind)} · ${t("intake_eta")} ${fmtSecs(p.eta_s)}`))))
      : el("p", { class: "hint" }, t("intake_rec_none")),
    ...r.unmet.map((u) => el("p", { class: "note" }, half(`${u.text_zh} / ${u.text_en}`))));
}

function drawDuplicates() {
  const box = $("#intake-dups");
  if (!dups.length) { box.replaceChildren(); return; }
  box.replaceChildren(el("h3", {}, t("intake_dups")), el("p", { class: "hint" }, t("intake_dup_hint")),
    ...dups.map((d, i) => {
      const inc = d.incident;
      return el("div", { class: "dup", "data-id": inc.id },
        el("p", {}, el("b", {}, inc.case_number), ` · ${typeName(inc.type_code)} · P${inc.priority} · ${stateName(inc.state)} · ${fmtTime(inc.received_at)}`,
          ` · ${t("intake_away")} ${Math.round(d.distance_m)} ${t("intake_metres")}`),
        el("p", { class: "hint" }, inc.address || "", inc.address ? " · " : "", inc.summary),
        el("button", { type: "button", class: "intake-attach", onclick: () => attach(inc) }, t("intake_attach"),
          ...(i === 0 ? [" ", el("kbd", {}, "Alt+A")] : [])));
    }));
}

// -- checks and sending -----------------------------------------------------------------------
let shown = {};
const currentErrors = () => shown;
function showErrors(bad) {
  shown = bad;
  const f = form();
  f.querySelectorAll(".field-error").forEach((s) => { s.textContent = bad[s.dataset.for] || ""; });
  [...f.elements].forEach((x) => x.classList && x.classList.toggle("invalid", Boolean(bad[x.name])));
}

function check({ needPoint = true } = {}) {
  const f = form(), bad = {};
  const phone = f.elements.phone.value.trim();
  if (phone && !PHONE.test(phone)) bad.phone = t("intake_bad_phone");
  if (needPoint && !point) bad.place = t("intake_need_place");
  if (needPoint && !f.elements.type.value) bad.type = t("intake_need_type");
  if (!f.elements.summary.value.trim()) bad.summary = t("intake_need_summary");
  return bad;
}

function refusal(e) {
  const out = {};
  for (const x of (e.body && e.body.errors) || []) {
    const name = String(x.field).split(".").pop();
    const key = "v_" + x.type;
    out[FIELD[name] || name] = t(key) !== key ? t(key) : half(x.message);
  }
  if (e.body && e.body.code && CODE_FIELD[e.body.code]) out[CODE_FIELD[e.body.code]] = half(e.body.detail);
  if (Object.keys(out).length) showErrors(out); else $("#intake-error").textContent = half(e.message);
}

function focusFirstError(bad) {
  const name = ["phone", "place", "type", "priority", "summary"].find((n) => bad[n]);
  if (name) form().elements[name].focus();
}

async function submit() {
  const f = form();
  const bad = check();
  showErrors(bad);
  $("#intake-error").textContent = "";
  if (Object.keys(bad).length) { focusFirstError(bad); return; }
  const phone = f.elements.phone.value.trim();
  const body = { type: f.elements.type.value, summary: f.elements.summary.value.trim(), lon: point.lon, lat: point.lat,
    address: f.elements.place.value.trim() || undefined, area_code: point.area_code, source: "call_110",
    priority: Number(f.elements.priority.value), reporter_phone: phone || undefined };
  const units = [...f.querySelectorAll("#intake-picks input:checked")].map((x) => Number(x.value));
  const send = f.elements.send.checked && units.length;
  $("#intake-submit").disabled = true; $("#intake-error").textContent = t("intake_working");
  let inc;
  try { inc = await post("/api/v1/incidents", body); } catch (e) {
    $("#intake-submit").disabled = false; $("#intake-error").textContent = ""; refusal(e); focusFirstError(shown); return;
  }
  let note = `${t("intake_created")} ${inc.case_number}`;
  if (send) {
    try { await post(`/api/v1/incidents/${inc.id}/dispatch`, { unit_ids: units }); note += ` · ${t("intake_sent")} ${units.length}`; }
    catch (e) { note += ` · ${t("intake_dispatch_failed")}${half(e.message)}`; }
  }
  done(inc.id, note);
}

async function attach(inc) {
  const f = form();
  const bad = check({ needPoint: false });
  showErrors(bad);
  if (Object.keys(bad).length) { focusFirstError(bad); return; }
  const phone = f.elements.phone.value.trim();
  try {
    await post(`/api/v1/incidents/${inc.id}/calls`, { summary: f.elements.summary.value.trim(), reporter_phone: phone || undefined });
  } catch (e) { refusal(e); return; }
  done(inc.id, `${t("intake_attached")} ${inc.case_number}`);
}

function done(id, note) {
  dialog().close();
  $("#intake-note").textContent = note;
  if (location.hash === `#queue/${id}`) window.dispatchEvent(new HashChangeEvent("hashchange"));
  else location.hash = `#queue/${id}`;
}
