// Lost-and-found desk (失物招领): staff list lost reports and found items (filtered by kind,
// status and category, a page at a time), register a found item with its holder and storage,
// and read the ranked matches of any item, those at the registry's alert threshold marked.
// Personal data stays as the API masks it; every string from the API goes on screen as text.
import { api, post, el, $, t, half, may, fieldErrors, showFieldErrors } from "./core.js";
import { addTexts, lang } from "./i18n.js";
import { baseMap, cached } from "./map.js";
import { placeSuggest } from "./places.js";

const L = window.L;
addTexts({
  nav_lost: "失物招领", lf_title: "失物招领", lf_kind: "类型", lf_status: "状态", lf_category: "物品类别",
  lf_case: "编号", lf_description: "描述", lf_colour: "颜色", lf_brand: "品牌", lf_place: "地点", lf_at: "时间",
  lf_all_kinds: "全部类型", lf_all_statuses: "全部状态", lf_all_categories: "全部类别",
  lf_k_lost: "遗失报告", lf_k_found: "拾得物",
  lf_st_open: "登记中", lf_st_announced: "已公告", lf_st_claimed: "认领中", lf_st_returned: "已归还", lf_st_disposed: "已处置",
  lf_prev: "上一页", lf_next: "下一页", lf_count: "第 {from}–{to} 条，共 {total} 条", lf_none: "暂无登记",
  lf_pick_item: "选择一条登记查看可能的匹配", lf_matches_of: "{case} 的可能匹配", lf_no_matches: "暂无可能的匹配",
  lf_score: "匹配度", lf_distance: "相距", lf_gap: "时间差", lf_alert: "达到提醒阈值", lf_threshold: "提醒阈值 {pct}",
  lf_hours: "{n} 小时", lf_metres: "{n} 米", lf_km: "{n} 公里", lf_by_identifier: "号码一致",
  lf_register: "拾得物登记", lf_identifier: "手机串号、序列号或证件号（可选）",
  lf_hidden: "留存细节（不公开，认领时核对）", lf_place_input: "拾得地点（输入地名，从提示中选择；或在地图上点选）",
  lf_found_at: "拾得时间", lf_holder: "保管人", lf_storage: "存放处", lf_submit: "登记", lf_registered: "已登记，编号 ",
  lf_no_place: "没有这个地名，可在地图上点选", lf_point: "地图点选：{lon}, {lat}",
  lf_k_key_area: "景区/广场", lf_k_post: "警务点", lf_k_road: "道路", lf_k_crossing: "路口",
}, {
  nav_lost: "Lost & found", lf_title: "Lost and found desk", lf_kind: "Kind", lf_status: "Status", lf_category: "Category",
  lf_case: "Case", lf_description: "Description", lf_colour: "Colour", lf_brand: "Brand", lf_place: "Place", lf_at: "Time",
  lf_all_kinds: "All kinds", lf_all_statuses: "All statuses", lf_all_categories: "All categories",
  lf_k_lost: "Lost report", lf_k_found: "Found item",
  lf_st_open: "Registered", lf_st_announced: "Announced", lf_st_claimed: "Being claimed", lf_st_returned: "Returned", lf_st_disposed: "Disposed of",
  lf_prev: "Previous", lf_next: "Next", lf_count: "{from}–{to} of {total}", lf_none: "Nothing registered",
  lf_pick_item: "Pick an item to see its possible matches", lf_matches_of: "Possible matches for {case}", lf_no_matches: "No possible match yet",
  lf_score: "Score", lf_distance: "Distance", lf_gap: "Time apart", lf_alert: "at the alert threshold", lf_threshold: "alert threshold {pct}",
  lf_hours: "{n} h", lf_metres: "{n} m", lf_km: "{n} km", lf_by_identifier: "same number",
  lf_register: "Register a found item", lf_identifier: "Phone IMEI, serial or ID number (optional)",
  lf_hidden: "Held-back details (not published; checked at a claim)", lf_place_input: "Where found (type a name and pick it from the list, or tap the map)",
  lf_found_at: "Found at", lf_holder: "Holder", lf_storage: "Storage", lf_submit: "Register", lf_registered: "Registered as ",
  lf_no_place: "no place of that name; tap the map instead", lf_point: "Map point: {lon}, {lat}",
  lf_k_key_area: "area", lf_k_post: "police point", lf_k_road: "road", lf_k_crossing: "crossing",
});

const KINDS = ["lost", "found"];
const STATUSES = ["open", "announced", "claimed", "returned", "disposed"];
const PAGE = 20;
const MATCHES = 10;
// Where each API field sits on the form, and which field a service refusal's code is about.
const FIELD = { identifiers: "identifier", lon: "place", lat: "place" };
const CODE_FIELD = { bad_category: "category", empty_description: "description", no_storage: "storage",
  unknown_place: "place", no_place: "place", bad_coordinates: "place", no_time: "at", naive_time: "at",
  future_time: "at", stale_time: "at", bad_identifier: "identifier" };

let categories = {};
let threshold = null;
let offset = 0;
let selected = null;
let ready = null;
let picker = null, marker = null;

const fill = (text, vars) => text.replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? ""));
// The catalogue's English names are lower case (for use mid-sentence); on their own in a cell or
// an option they are written in sentence case, as core.js does for states.
const sentence = (s) => s.charAt(0).toUpperCase() + s.slice(1);
const catName = (c) => (categories[c] ? (lang === "zh" ? categories[c].name_zh : sentence(categories[c].name_en)) : c);
const word = (prefix, code) => (t(prefix + code) !== prefix + code ? t(prefix + code) : code);
const when = (iso) => (iso ? new Date(iso).toLocaleString(lang === "zh" ? "zh-CN" : "en-GB", { hour12: false,
  month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" }) : "");
const distance = (m) => (m < 1000 ? fill(t("lf_metres"), { n: Math.round(m) }) : fill(t("lf_km"), { n: (m / 1000).toFixed(1) }));
const localNow = () => { const d = new Date(); d.setSeconds(0, 0); return new Date(d - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16); };
const values = (form) => Object.fromEntries(new FormData(form));

/** Whether the signed-in role works the desk (registers found items; the API enforces it). */
export const mayUseDesk = () => may("services.register_found");

/** Once per session: categories, the alert threshold, the form's wiring. */
function init() {
  if (ready) return ready;
  ready = Promise.all([cached("/api/v1/catalogue/item-categories"), cached("/api/v1/catalogue/lost-found")]).then(([cats, rules]) => {
    categories = Object.fromEntries(cats.map((c) => [c.code, c]));
    threshold = rules.alert_threshold;
    const form = $("#lf-form");
    form.elements.category.replaceChildren(el("option", { value: "" }), ...cats.map((c) => el("option", { value: c.code })));
    placeSuggest(form.elements.place, $("#lf-places"), { kindKey: "lf_k_", noneKey: "lf_no_place",
      onPick: (p) => { clearPoint(form); mark([p.lat, p.lon]); } });
    form.addEventListener("submit", submit);
    for (const id of ["#lf-kind", "#lf-status", "#lf-category"]) $(id).addEventListener("change", () => { offset = 0; loadList(); });
    $("#lf-prev").addEventListener("click", () => { offset = Math.max(0, offset - PAGE); loadList(); });
    $("#lf-next").addEventListener("click", () => { offset += PAGE; loadList(); });
    resetForm(form);
  }).catch((e) => { ready = null; throw e; });
  return ready;
}

/** Opening the view (and each language switch): words, the list, the selected item's matches. */
export async function showLost() {
  await init();
  fillSelect($("#lf-kind"), "lf_all_kinds", KINDS.map((k) => [k, word("lf_k_", k)]));
  fillSelect($("#lf-status"), "lf_all_statuses", STATUSES.map((s) => [s, word("lf_st_", s)]));
  fillSelect($("#lf-category"), "lf_all_categories", Object.keys(categories).map((c) => [c, catName(c)]));
  const form = $("#lf-form");
  for (const o of form.elements.category.options) o.textContent = o.value ? catName(o.value) : t("choose");
  placeMap(form).catch((e) => console.error(e));
  await Promise.all([loadList(), selected ? openMatches(selected) : null]);
}

function fillSelect(sel, allKey, options) {
  const keep = sel.value;
  sel.replaceChildren(el("option", { value: "" }, t(allKey)), ...options.map(([v, text]) => el("option", { value: v }, text)));
  sel.value = options.some(([v]) => v === keep) ? keep : "";
}

async function loadList() {
  const q = new URLSearchParams({ limit: PAGE, offset });
  for (const [name, id] of [["kind", "#lf-kind"], ["status", "#lf-status"], ["category", "#lf-category"]]) if ($(id).value) q.set(name, $(id).value);
  const err = $("#lf-list-error"); err.textContent = "";
  let page;
  try { page = await api(`/api/v1/services/lost-found/items?${q}`); } catch (e) { if (e.status !== 401) err.textContent = half(e.message); return; }
  const rows = page.items.map((i) => el("tr", { "data-item": i.id, "data-kind": i.kind, class: i.id === selected ? "selected" : "",
    onclick: () => openMatches(i.id) },
  el("td", {}, el("button", { type: "button", class: "case", onclick: (ev) => { ev.stopPropagation(); openMatches(i.id); } }, i.case_number)),
  el("td", { class: "nowrap" }, word("lf_k_", i.kind)), el("td", { class: "nowrap" }, catName(i.category)),
  el("td", { class: "desc" }, i.description), el("td", {}, i.colour || ""), el("td", {}, i.place || ""),
  el("td", { class: "nowrap" }, when(i.at)), el("td", { class: "nowrap" }, word("lf_st_", i.status))));
  $("#lf-items tbody").replaceChildren(...(rows.length ? rows : [el("tr", {}, el("td", { colspan: 8, class: "hint" }, t("lf_none")))]));
  $("#lf-count").textContent = page.total ? fill(t("lf_count"), { from: offset + 1, to: offset + page.items.length, total: page.total }) : "";
  $("#lf-prev").disabled = offset === 0;
  $("#lf-next").disabled = offset + page.items.length >= page.total;
}

/** An item's ranked matches, each with the other item's case, score, reason, distance and gap. */
async function openMatches(id) {
  selected = id;
  document.querySelectorAll("#lf-items tbody tr").forEach((r) => r.classList.toggle("selected", Number(r.dataset.item) === id));
  const box = $("#lf-matches");
  let item, ranked;
  try {
    [item, ranked] = await Promise.all([api(`/api/v1/services/lost-found/items/${id}`),
      api(`/api/v1/services/lost-found/items/${id}/matches?limit=${MATCHES}`)]);
  } catch (e) { if (e.status !== 401) box.replaceChildren(el("p", { class: "error", role: "alert" }, half(e.message))); return; }
  if (selected !== id) return; // another item was picked meanwhile
  const others = await Promise.all(ranked.map((m) => api(`/api/v1/services/lost-found/items/${m.item_id}`).catch(() => null)));
  const list = el("ol", { id: "lf-match-list" }, ranked.map((m, k) => {
    const o = others[k];
    const alert = threshold != null && m.score >= threshold;
    return el("li", { "data-item": m.item_id, class: alert ? "alert" : "" },
      o ? el("button", { type: "button", class: "case", onclick: () => openMatches(m.item_id) }, o.case_number) : "",
      " ", el("span", { class: "score" }, `${t("lf_score")} ${Math.round(m.score * 100)}%`),
      alert ? el("span", { class: "alert-tag" }, t("lf_alert")) : "",
      o ? el("div", {}, `${word("lf_k_", o.kind)} · ${catName(o.category)} · `, el("span", { class: "desc" }, o.description)) : "",
      el("div", { class: "reason" }, lang === "zh" ? m.reason_zh : m.reason_en),
      el("div", { class: "hint" }, `${t("lf_distance")} ${distance(m.distance_m)} · ${t("lf_gap")} ${fill(t("lf_hours"), { n: m.gap_h.toFixed(1) })}`,
        m.by_identifier ? ` · ${t("lf_by_identifier")}` : ""));
  }));
  box.replaceChildren(el("h3", {}, fill(t("lf_matches_of"), { case: item.case_number })),
    el("p", { class: "hint" }, `${word("lf_k_", item.kind)} · ${catName(item.category)} · `, el("span", {}, item.description)),
    threshold != null ? el("p", { class: "hint" }, fill(t("lf_threshold"), { pct: `${Math.round(threshold * 100)}%` })) : "",
    ranked.length ? list : el("p", { class: "hint" }, t("lf_no_matches")));
}

let mapReady = null;
function placeMap(form) {
  if (mapReady) return mapReady.then(() => picker.invalidateSize());
  mapReady = Promise.all([baseMap("lf-map", { weight: 0.6 }), cached("/api/v1/geo/key-areas")]).then(([{ map, renderer }, areas]) => {
    picker = map;
    const outline = L.geoJSON(areas, { renderer, interactive: false, style: () => ({ color: "#13315c", weight: 1, fillOpacity: 0.1 }) }).addTo(map);
    picker.fitBounds(outline.getBounds());
    picker.on("click", (ev) => setPoint(form, ev.latlng.lng, ev.latlng.lat));
  }).catch((e) => { mapReady = null; throw e; });
  return mapReady;
}
/** A tap on the map: the point itself, ahead of a typed place name (as in the API). */
function setPoint(form, lon, lat) {
  form.elements.lon.value = lon.toFixed(6); form.elements.lat.value = lat.toFixed(6);
  $("#lf-point").textContent = fill(t("lf_point"), { lon: lon.toFixed(5), lat: lat.toFixed(5) });
  mark([lat, lon]);
}
function clearPoint(form) { form.elements.lon.value = ""; form.elements.lat.value = ""; $("#lf-point").textContent = ""; }
function mark(latlng) {
  if (!picker) return;
  if (!latlng) { if (marker) { marker.remove(); marker = null; } return; }
  marker = marker || L.circleMarker(latlng, { radius: 7, color: "#b3261e", weight: 3, fillOpacity: 0.3 }).addTo(picker);
  marker.setLatLng(latlng);
  picker.panTo(latlng);
}

function resetForm(form) {
  const holder = form.elements.holder.value, storage = form.elements.storage.value; // the desk's own, kept for the next item
  form.reset(); clearPoint(form); mark(null);
  form.elements.holder.value = holder; form.elements.storage.value = storage;
  form.elements.at.value = localNow();
}

/** Field -> reason for what the form can tell before asking; the rest the API says. */
function check(v) {
  const bad = {};
  for (const n of ["category", "description", "at", "holder", "storage"]) if (!String(v[n] || "").trim()) bad[n] = t("required");
  if (!(v.lon && v.lat) && !String(v.place || "").trim()) bad.place = t("pick_place");
  if (v.at && new Date(v.at) > new Date(Date.now() + 60000)) bad.at = t("future");
  if (v.identifier && v.identifier.trim() && !v.identifier_kind) bad.identifier = t("identifier_kind");
  return bad;
}

async function submit(ev) {
  ev.preventDefault();
  const form = ev.target;
  const v = values(form);
  const bad = check(v);
  showFieldErrors(form, bad);
  const result = $("#lf-result"); result.textContent = "";
  if (Object.keys(bad).length) { result.textContent = t("fix_fields"); return; }
  const opt = (x) => (x && x.trim() ? x.trim() : null);
  const body = { category: v.category, description: v.description.trim(), colour: opt(v.colour), brand: opt(v.brand),
    identifiers: v.identifier_kind && opt(v.identifier) ? { [v.identifier_kind]: v.identifier.trim() } : {},
    hidden_details: opt(v.hidden_details), place: opt(v.place),
    lon: v.lon ? Number(v.lon) : null, lat: v.lat ? Number(v.lat) : null, // none: the place's name is looked up
    at: new Date(v.at).toISOString(), holder: v.holder.trim(), storage: v.storage.trim() };
  try {
    const res = await post("/api/v1/services/lost-found/found", body);
    result.replaceChildren(t("lf_registered"), el("b", { class: "case-no" }, res.item.case_number));
    resetForm(form);
    offset = 0;
    selected = res.item.id;
    await Promise.all([loadList(), openMatches(res.item.id)]);
  } catch (e) {
    const fields = e.status === 422 && e.body ? fieldErrors(e.body, { fields: FIELD, codes: CODE_FIELD }) : {};
    showFieldErrors(form, fields);
    if (e.status !== 401) result.textContent = Object.keys(fields).length ? t("fix_fields") : half(e.message);
  }
}
