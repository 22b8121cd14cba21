// Citizen page: report a lost item (lost-and-found registry), a missing person (missing-person
// service, which also opens the incident) or a lost car (a request for help), then follow your
// own cases with their status and any matches, and read the public found-item notice.
// The form survives an expired session (sessionStorage) and says which field is wrong and why.
// The place is a point on the small map, a place name picked from the gazetteer's suggestions
// or a key area, in that order; a lost item may also name a place the server looks up.
import { api, post, el, $, t, half, typeName, fmtTime, keepForm, fieldErrors, showFieldErrors } from "./core.js";
import { addTexts } from "./i18n.js";
import { baseMap, cached } from "./map.js";
import { placeSuggest } from "./places.js";

const L = window.L;
// The citizen's own words: no control-room terms (综合指挥室, 推送半径, 警情, 派警…), plain
// states of their request instead of the dispatch lifecycle's.
addTexts({
  citizen_title: "平安 · 群众求助", citizen_footer: "您填写的个人信息只用于办理您的求助，页面上脱敏显示",
  citizen_report_help: "报失物品 · 寻人 · 找车", citizen_what: "您需要什么帮助", citizen_area: "大致在哪里",
  citizen_place: "地点（输入地名，从提示中选择；也可写门口、店名）", citizen_tap_map: "在地图上点一下发生的地方，或从上面选一个地点",
  citizen_no_place: "没有这个地名，可在地图上点选",
  citizen_k_key_area: "景区/广场", citizen_k_post: "警务点", citizen_k_road: "道路", citizen_k_crossing: "路口",
  citizen_when: "什么时候", citizen_describe: "发生了什么", citizen_phone: "您的手机号", citizen_my_cases: "我提交的求助",
  citizen_found_listing: "失物招领", citizen_identifier: "手机串号、序列号或证件号（可选）",
  citizen_search_area: "正在{km}公里范围内寻找",
  citizen_st_received: "已收到", citizen_st_dispatched: "已安排民警", citizen_st_acknowledged: "民警已接到任务",
  citizen_st_en_route: "民警正在赶来", citizen_st_on_scene: "民警已到达", citizen_st_resolved: "已处理完毕",
  citizen_st_closed: "已办结", citizen_st_cancelled: "已撤销", citizen_st_merged: "已与同一求助合并",
  citizen_st_other: "办理中",
}, {
  citizen_title: "Pingan · Help for residents", citizen_footer: "Your personal details are used only to handle your request, and are shown masked",
  citizen_report_help: "Report a loss, a missing person, a lost car", citizen_what: "What do you need help with?",
  citizen_area: "Roughly where", citizen_place: "Place (type a name and pick it from the list, or describe it: an entrance, a shop)",
  citizen_no_place: "no place of that name; you can tap the map instead",
  citizen_k_key_area: "area", citizen_k_post: "police point", citizen_k_road: "road", citizen_k_crossing: "crossing",
  citizen_tap_map: "Tap the map where it happened, or pick a place above", citizen_when: "When",
  citizen_describe: "What happened", citizen_phone: "Your mobile number", citizen_my_cases: "My requests",
  citizen_found_listing: "Found items", citizen_identifier: "Phone IMEI, serial or ID number (optional)",
  citizen_search_area: "searching within {km} km",
  citizen_st_received: "received", citizen_st_dispatched: "an officer is assigned", citizen_st_acknowledged: "the officer has it",
  citizen_st_en_route: "an officer is on the way", citizen_st_on_scene: "an officer has arrived", citizen_st_resolved: "dealt with",
  citizen_st_closed: "closed", citizen_st_cancelled: "withdrawn", citizen_st_merged: "joined with the same request",
  citizen_st_other: "in hand",
});

/** A word from the table for a status code, or `other` (never the code itself). */
const word = (prefix, code, other) => (t(prefix + code) !== prefix + code ? t(prefix + code) : t(other));
const requestState = (s) => word("citizen_st_", s, "citizen_st_other");

let forget = () => {};
let centres = {};
let categories = {};
let areaNames = {};
let picker = null, marker = null;
const PHONE = /^1\d{10}$/;
const ID_NUMBER = /^\d{17}[\dXx]$/;

// Where each API field is on the form (the three APIs name the same things differently).
const FIELD = { summary: "description", contact_phone: "phone", guardian_phone: "phone", reporter_phone: "phone",
  last_seen_at: "at", lon: "place", lat: "place", identifiers: "identifier", kind: "person_kind" };
// Refusals from the services carry a code, not a field: the code says which field.
const CODE_FIELD = { no_time: "at", naive_time: "at", future_time: "at", stale_time: "at", no_place: "place",
  bad_coordinates: "place", unknown_place: "place", unknown_area: "area_code", bad_category: "category", empty_description: "description",
  empty_summary: "description", empty_field: "name", no_phone: "phone", bad_phone: "phone",
  no_id_number: "guardian_id_number", bad_id_number: "guardian_id_number", bad_identifier: "identifier" };

export async function initCitizen() {
  const form = $("#citizen-form");
  const [areas, cats] = await Promise.all([cached("/api/v1/geo/key-areas"), cached("/api/v1/catalogue/item-categories")]);
  centres = Object.fromEntries(areas.features.map((f) => {
    const ring = f.geometry.coordinates[0].slice(0, -1);
    return [f.properties.code, [ring.reduce((s, p) => s + p[0], 0) / ring.length, ring.reduce((s, p) => s + p[1], 0) / ring.length]];
  }));
  const sel = form.elements.area_code;
  sel.append(el("option", { value: "", "data-i18n": "choose" }, t("choose")));
  for (const f of areas.features) sel.append(el("option", { value: f.properties.code }));
  areaNames = Object.fromEntries(areas.features.map((f) => [f.properties.code, f.properties]));
  categories = Object.fromEntries(cats.map((c) => [c.code, c]));
  form.elements.category.append(el("option", { value: "", "data-i18n": "choose" }, t("choose")),
    ...cats.map((c) => el("option", { value: c.code })));
  nameOptions(form);
  forget = keepForm(form);
  form.elements.type.addEventListener("change", () => toggle(form));
  sel.addEventListener("change", () => mark(form));
  const place = form.elements.place;
  placeSuggest(place, $("#citizen-places"), { kindKey: "citizen_k_", noneKey: "citizen_no_place", onPick: (p) => {
    form.elements.place_pick.value = JSON.stringify({ name: place.value, lon: p.lon, lat: p.lat, area: p.kind === "key_area" ? p.code : null });
    mark(form, true);
    form.dispatchEvent(new Event("input")); // keep it with the rest of the form
  } });
  // a pick holds while the field still shows its name; typing something else drops it
  place.addEventListener("input", () => {
    if (form.elements.place_pick.value && !picked(values(form))) { form.elements.place_pick.value = ""; mark(form); }
  });
  form.addEventListener("submit", submit);
  toggle(form);
}

/** Area and category names in the page's language (again after a language switch). */
function nameOptions(form) {
  for (const o of form.elements.area_code.options) if (areaNames[o.value]) o.textContent = half(`${areaNames[o.value].name_zh} / ${areaNames[o.value].name_en}`);
  for (const o of form.elements.category.options) if (categories[o.value]) o.textContent = catName(o.value);
}

/** Show the fields of the chosen kind of report; the time defaults to now. */
function toggle(form) {
  const type = form.elements.type.value;
  form.querySelectorAll("fieldset[data-when]").forEach((f) => { f.hidden = f.dataset.when !== type; });
  if (type && !form.elements.at.value) form.elements.at.value = localNow();
}
const localNow = () => { const d = new Date(); d.setSeconds(0, 0); return new Date(d - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16); };

let pickerReady = null;
function placeMap(form) {
  if (pickerReady) return pickerReady.then(() => picker.invalidateSize());
  pickerReady = Promise.all([baseMap("place-map", { weight: 0.6 }), cached("/api/v1/geo/key-areas")]).then(([{ map, renderer }, areas]) => {
    picker = map;
    const outline = L.geoJSON(areas, { renderer, interactive: false, style: () => ({ color: "#13315c", weight: 1, fillOpacity: 0.1 }) }).addTo(map);
    picker.fitBounds(outline.getBounds()); // where visitors lose things: the key areas, not the whole city
    picker.on("click", (ev) => setPlace(form, ev.latlng.lng, ev.latlng.lat));
    mark(form);
  });
  return pickerReady;
}
/** A tap on the map: the point itself, ahead of a picked place or an area (as in the API). */
function setPlace(form, lon, lat) {
  form.elements.lon.value = lon.toFixed(6); form.elements.lat.value = lat.toFixed(6);
  mark(form);
  form.dispatchEvent(new Event("input")); // keep it with the rest of the form
}
const values = (form) => Object.fromEntries(new FormData(form));
/** The place picked from the suggestions, while the place field still shows its name. */
function picked(v) {
  let p = null;
  try { p = JSON.parse(v.place_pick || "null"); } catch { return null; }
  return p && p.name === String(v.place || "").trim() ? p : null;
}
/** Where the report is: a tap on the map, else the picked place, else the area's centre. */
function pointOf(v) {
  if (v.lon && v.lat) return [Number(v.lon), Number(v.lat)];
  const pick = picked(v);
  return pick ? [pick.lon, pick.lat] : centres[v.area_code] || [null, null];
}
/** Show on the small map where the report will be placed (none: no marker). */
function mark(form, pan = false) {
  if (!picker) return;
  const [lon, lat] = pointOf(values(form));
  if (lon === null) { if (marker) { marker.remove(); marker = null; } return; }
  marker = marker || L.circleMarker([lat, lon], { radius: 7, color: "#b3261e", weight: 3, fillOpacity: 0.3 }).addTo(picker);
  marker.setLatLng([lat, lon]);
  if (pan) picker.panTo([lat, lon]);
}

/** Field -> reason, in the page's language; empty when the form may be sent. */
function check(form) {
  const v = values(form);
  const bad = {};
  const need = (...names) => names.forEach((n) => { if (!String(v[n] || "").trim()) bad[n] = t("required"); });
  need("type");
  if (!v.description || v.description.trim().length < 5) bad.description = t("too_short");
  // a lost item's typed place name is looked up by the registry (refused there if unknown)
  const named = picked(v) || (v.type === "lost_item" && String(v.place || "").trim());
  if (!(v.lon && v.lat) && !v.area_code && !named) bad.place = t("pick_place");
  if (v.phone && !PHONE.test(v.phone.trim())) bad.phone = t("bad_phone");
  if (v.type && v.type !== "car_finding") {
    need("at");
    if (v.at && new Date(v.at) > new Date(Date.now() + 60000)) bad.at = t("future");
  }
  if (v.type === "lost_item") {
    need("category", "phone"); // the desk calls back when the item turns up
    if (v.identifier && !v.identifier_kind) bad.identifier = t("identifier_kind");
  }
  if (v.type === "missing_person") {
    need("person_kind", "name", "guardian_name", "guardian_id_number", "phone");
    if (v.guardian_id_number && !ID_NUMBER.test(v.guardian_id_number.trim())) bad.guardian_id_number = t("bad_id");
  }
  if (v.type === "car_finding") need("area_code");
  return bad;
}

/** The request for the chosen kind of report: which API and what it takes. */
function request(v) {
  const [lon, lat] = pointOf(v); // none: a lost item's place name is looked up by the registry
  const pick = v.lon && v.lat ? null : picked(v);
  const area = v.area_code || (pick && pick.area) || null;
  const at = v.at ? new Date(v.at).toISOString() : null;
  const opt = (x) => (x && x.trim() ? x.trim() : null);
  if (v.type === "lost_item") {
    return ["/api/v1/services/lost-found/lost", { category: v.category, description: v.description.trim(), colour: opt(v.colour),
      brand: opt(v.brand), identifiers: v.identifier_kind && opt(v.identifier) ? { [v.identifier_kind]: v.identifier.trim() } : {},
      lon, lat, at, place: opt(v.place), area_code: area, contact_phone: opt(v.phone) }];
  }
  if (v.type === "missing_person") {
    return ["/api/v1/services/missing", { kind: v.person_kind, name: v.name.trim(), age: v.age === "" ? null : Number(v.age),
      description: [v.description.trim(), opt(v.place)].filter(Boolean).join("；"), clothing: opt(v.clothing), lon, lat, last_seen_at: at,
      area_code: area, guardian_name: v.guardian_name.trim(), guardian_phone: v.phone.trim(),
      guardian_id_number: v.guardian_id_number.trim() }];
  }
  return ["/api/v1/incidents", { type: v.type, summary: [v.description.trim(), opt(v.place)].filter(Boolean).join("；"),
    area_code: v.area_code, lon, lat, source: "citizen_app", reporter_phone: opt(v.phone) }];
}

async function submit(ev) {
  ev.preventDefault();
  const form = ev.target;
  const bad = check(form);
  showFieldErrors(form, bad);
  if (Object.keys(bad).length) return;
  const [path, body] = request(values(form));
  const result = $("#citizen-result");
  try {
    const res = await post(path, body);
    const row = res.item || res;
    result.replaceChildren(t("reported"), el("b", { class: "case-no" }, row.case_number));
    if (res.matches && res.matches.length) result.append(el("br"), t("matches_found").replace("{n}", res.matches.length));
    form.reset(); forget(); forget = keepForm(form);
    for (const name of ["lon", "lat", "place_pick"]) form.elements[name].value = ""; // reset() leaves hidden fields
    toggle(form);
    if (marker) { marker.remove(); marker = null; }
    showCitizen();
  } catch (e) {
    const fields = e.status === 422 && e.body ? fieldErrors(e.body, { fields: FIELD, codes: CODE_FIELD }) : {};
    showFieldErrors(form, fields);
    if (e.status !== 401) result.textContent = Object.keys(fields).length ? t("fix_fields") : half(e.message);
  }
}

const lostStatus = (s) => word("ls_", s, "citizen_st_other");
const catName = (c) => (categories[c] ? half(`${categories[c].name_zh} / ${categories[c].name_en}`) : c);

export async function showCitizen() {
  nameOptions($("#citizen-form"));
  placeMap($("#citizen-form")).catch(() => {});
  const [items, missing, incidents] = await Promise.all([
    api("/api/v1/services/lost-found/items?kind=lost&limit=50"), api("/api/v1/services/missing?limit=50"), api("/api/v1/incidents?limit=50")]);
  const cases = [];
  for (const i of items.items) {
    const li = el("li", { "data-case": i.case_number, "data-kind": "lost_item" }, el("b", {}, i.case_number),
      ` · ${t("t_lost_item")} · ${catName(i.category)}${i.colour ? " · " + i.colour : ""} · `, el("span", { class: "state" }, lostStatus(i.status)),
      ` · ${fmtTime(i.at)}`, el("div", { class: "hint" }, i.description));
    if (i.status === "open" || i.status === "announced") li.append(el("div", { class: "matches" }));
    cases.push([i.created_at, li, i]);
  }
  for (const m of missing.items) {
    cases.push([m.created_at, el("li", { "data-case": m.case_number, "data-kind": "missing_person" }, el("b", {}, m.case_number),
      ` · ${t("t_missing_person")} · ${m.name} · `, el("span", { class: "state" }, word("ms_", m.status, "citizen_st_other")),
      ` · ${t("citizen_search_area").replace("{km}", m.radius_km)} · ${fmtTime(m.last_seen_at)}`)]);
  }
  const viaService = new Set(missing.items.map((m) => m.incident_id)); // the report's own incident is shown once, as the report
  for (const i of incidents.items.filter((x) => !viaService.has(x.id))) {
    cases.push([i.received_at, el("li", { "data-case": i.case_number, "data-kind": "incident" },
      el("b", {}, i.case_number), ` · ${typeName(i.type_code)} · `, el("span", { class: "state" }, requestState(i.state)), ` · ${fmtTime(i.received_at)}`,
      i.outcome ? el("div", { class: "hint" }, i.outcome) : "")]);
  }
  cases.sort((a, b) => String(b[0]).localeCompare(String(a[0])));
  const ul = $("#my-cases");
  ul.replaceChildren(...cases.map((c) => c[1]));
  if (!cases.length) ul.append(el("li", { class: "hint" }, t("none")));
  await Promise.all(cases.filter((c) => c[2] && c[1].querySelector(".matches")).slice(0, 10).map(async ([, li, item]) => {
    const found = await api(`/api/v1/services/lost-found/items/${item.id}/matches`).catch(() => []);
    li.querySelector(".matches").replaceChildren(...found.slice(0, 3).map((m) =>
      el("div", { class: "match" }, `${t("possible_match")} ${Math.round(m.score * 100)}%${t("colon")}${half(`${m.reason_zh} / ${m.reason_en}`)}`)));
  }));
  const pub = await api("/api/v1/services/lost-found/public?limit=20").catch(() => null);
  const list = $("#found-listing");
  if (pub) {
    list.replaceChildren(...pub.items.map((x) => el("li", { "data-case": x.case_number }, el("b", {}, catName(x.category)),
      ` · ${x.description}${x.colour ? " · " + x.colour : ""} · ${x.place || ""} · ${fmtTime(x.at)}`,
      x.storage ? el("div", { class: "hint" }, `${t("storage")} ${x.storage}`) : "")));
    if (!pub.items.length) list.append(el("li", { class: "hint" }, t("none")));
  }
}
