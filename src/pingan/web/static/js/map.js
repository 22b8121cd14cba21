// The command map: the road network itself is the base map (no tiles on a police network).
// Canvas rendering keeps hundreds of markers cheap; markers are updated in place, never rebuilt.
// Labels (call signs, key-area and road names) go on a canvas of their own (map-labels.js).
import { api, el, $, t, kindName, statusName, stateName, fmtTime, typeName, catalogue, may } from "./core.js";
import { addTexts, lang } from "./i18n.js";
import { state, onChange } from "./state.js";
import { LabelLayer, alongLine } from "./map-labels.js";

addTexts({
  map_labels: "标注", map_legend_status: "警力状态", map_legend_kind: "警力类型", map_legend_priority: "警情等级",
  map_legend_crowd: "重点区域客流", map_p1: "一级 · 危及生命", map_p2: "二级 · 紧急", map_p3: "三级 · 一般", map_p4: "四级 · 求助服务",
  map_undispatched: "虚线圈：尚未派警", map_lv_normal: "正常", map_lv_yellow: "黄色预警", map_lv_orange: "橙色预警",
  map_lv_red: "红色预警", map_lv_critical: "危急", map_lv_unknown: "暂无读数", map_fix: "定位", map_no_fix: "无定位，显示在岗点",
  map_waiting: "已等待", map_crew: "{n}人", map_people: "{n}人", map_of_capacity: "占容量 {p}", map_ago: "{d}前",
  map_dur_s: "{s}秒", map_dur_m: "{m}分{s}秒", map_dur_h: "{h}小时{m}分", map_open_in_queue: "在警情处置中打开",
  map_cover: "补位备勤（替代岗点）",
}, {
  map_labels: "Labels", map_legend_status: "Unit status", map_legend_kind: "Unit kind", map_legend_priority: "Incident priority",
  map_legend_crowd: "Key-area crowds", map_p1: "Priority 1 · life at risk", map_p2: "Priority 2 · urgent", map_p3: "Priority 3 · routine",
  map_p4: "Priority 4 · service", map_undispatched: "Dashed ring: no unit sent yet", map_lv_normal: "Normal", map_lv_yellow: "Yellow alert",
  map_lv_orange: "Orange alert", map_lv_red: "Red alert", map_lv_critical: "Critical", map_lv_unknown: "No reading", map_fix: "Last fix",
  map_no_fix: "no fix, shown at its post", map_waiting: "Waiting", map_crew: "crew of {n}", map_people: "{n} people",
  map_of_capacity: "{p} of capacity", map_ago: "{d} ago", map_dur_s: "{s} s", map_dur_m: "{m} min {s} s", map_dur_h: "{h} h {m} min",
  map_open_in_queue: "Open in the incident queue", map_cover: "Cover standby (overrides the post)",
});

const L = window.L;
const STATUS_COLOR = { available: "#1b7f3b", dispatched: "#f59f00", en_route: "#1c7ed6",
  on_scene: "#b3261e", off_duty: "#999999" };
const PRIORITY_COLOR = { 1: "#b3261e", 2: "#e8590c", 3: "#1c7ed6", 4: "#5c7cfa" };
const LEVEL_COLOR = { normal: "#40c057", yellow: "#fab005", orange: "#fd7e14", red: "#e03131", critical: "#862e9c", unknown: "#adb5bd" };
export const KIND_RADIUS = { ptu: 8, patrol_car: 7, traffic: 7, foot_patrol: 5, k9: 5, patrol_robot: 5, drone: 6, volunteer: 4,
  swat: 7, office_staff: 5, flatbed: 6, armed_police: 6, firefighter: 7, city_management: 4, shop_watch: 4, grid_worker: 4 };
export const KIND_COLOR = { ptu: "#862e9c", patrol_car: "#1c7ed6", traffic: "#f08c00", foot_patrol: "#2b8a3e", k9: "#5c3d2e",
  patrol_robot: "#0b7285", drone: "#495057", volunteer: "#e64980", swat: "#212529", office_staff: "#74b816", flatbed: "#1098ad",
  armed_police: "#2f9e44", firefighter: "#e03131", city_management: "#748ffc", shop_watch: "#f59f00", grid_worker: "#c2255c" };
const BUSY = new Set(["dispatched", "en_route", "on_scene"]);
const incidentRadius = (p) => 12 - 2 * (p || 3);

/** From which zoom each kind of label is written (the city fits the screen at about 13).
 *  Key areas are few and always named; road names from the whole-city view, yielding to
 *  call signs where they meet; the call signs of units on a job from the whole-city view,
 *  every unit's from 15, where 500 units no longer stand on each other. */
export const LABEL_ZOOM = { area: 0, road: 13, busy: 13, unit: 15 };
const FONT = { area: "600 13px system-ui, sans-serif", road: "italic 11px system-ui, sans-serif", unit: "600 11px system-ui, sans-serif" };
const ROAD_SPACING = 420; // px between repeats of a road's name along it

let map, renderer, areaLayer, isoLayer, labelLayer;
let labelsOn = true, probing = false, kindsShown = "", showing = null;
let shownUnits = new Map(), roadNames = [];
const roadSpots = new Map(); // zoom → where each road's name is written
const notices = new Map(); // map → its city notice, put again in the current language on a switch
export const maps = {}; // every Leaflet map by element id, for the browser tests
const unitMarkers = new Map();
const incidentMarkers = new Map();
/** By id, for the browser tests; `labels()`: the labels written on the last redraw. */
export const markers = { units: unitMarkers, incidents: incidentMarkers, labels: () => (labelLayer && labelsOn ? labelLayer.placed : []) };
let ready = null; // the command map being built, once

// The city, its roads and key areas do not change while the page is open: fetched once.
const once = new Map();
export const cached = (path) => { if (!once.has(path)) once.set(path, api(path).catch((e) => { once.delete(path); throw e; })); return once.get(path); };

const fill = (key, vars) => t(key).replace(/\{(\w+)\}/g, (_, k) => vars[k]);
const byLang = (zh, en) => (lang === "zh" ? zh : en || zh);
/** A span of time in words: "4分12秒" / "4 min 12 s". */
function duration(secs) {
  const s = Math.max(0, Math.round(secs));
  if (s < 60) return fill("map_dur_s", { s });
  if (s < 3600) return fill("map_dur_m", { m: Math.floor(s / 60), s: s % 60 });
  return fill("map_dur_h", { h: Math.floor(s / 3600), m: Math.floor((s % 3600) / 60) });
}
const since = (iso) => (iso ? (Date.now() - new Date(iso).getTime()) / 1000 : null);
const fixAge = (u) => (u.position_at ? fill("map_ago", { d: duration(since(u.position_at)) }) : t("map_no_fix"));
const levelName = (lv) => t("map_lv_" + (LEVEL_COLOR[lv] ? lv : "unknown"));
const areaName = (code) => { const f = areaFeature(code); const a = state.areas.get(code) || (f && f.properties);
  return a ? byLang(a.name_zh, a.name_en) : code; };

/** A Leaflet map on element `id` over the road network (no tiles), fitted to the city.
 * Every map of the command centre (command map, deployment, the citizen's place picker) is one of these. */
export async function baseMap(id, { weight = 1 } = {}) {
  const canvas = L.canvas({ padding: 0.2 });
  const m = L.map(id, { preferCanvas: true, renderer: canvas, zoomControl: true, attributionControl: true });
  maps[id] = m;
  const city = await cached("/api/v1/geo/city");
  const [w, s, e, n] = city.bounds;
  m.fitBounds([[s, w], [n, e]]);
  // Leaflet's attribution is an HTML string: the notice goes in as escaped text, in the current language.
  if (city.notice) {
    const notice = { html: "", update: () => (notice.html = el("span", {}, byLang(city.notice.zh, city.notice.en)).innerHTML) };
    m.attributionControl.addAttribution(notice.update());
    notices.set(m, notice);
  }
  const roads = await cached("/api/v1/geo/roads");
  L.geoJSON(roads, { renderer: canvas, interactive: false, filter: (f) => f.properties.class !== "name",
    style: (f) => (f.properties.class === "major" ? { color: "#5b6b82", weight: 3 * weight } : { color: "#9aa5b5", weight: 1.3 * weight }) }).addTo(m);
  return { map: m, renderer: canvas };
}

/** Show the command map: built on the first call (a second call while it builds waits for it). */
export function initMap() {
  // Reach circles and cameras come from endpoints some roles are refused (policy.yaml): not offered to them.
  $("#show-iso").closest("label").hidden = !may("dispatch.read");
  if (!ready) ready = buildMap();
  return ready.then(() => map.invalidateSize());
}

async function buildMap() {
  ({ map, renderer } = await baseMap("map"));
  const [areas, roads] = await Promise.all([cached("/api/v1/geo/key-areas"), cached("/api/v1/geo/roads")]);
  roadNames = roads.features.filter((f) => f.properties.class === "name");
  areaLayer = L.geoJSON(areas, { renderer, style: () => ({ color: "#555", weight: 1, fillOpacity: 0.25, fillColor: LEVEL_COLOR.unknown }),
    onEachFeature: (f, layer) => {
      layer.on("click", () => showArea(f.properties.code));
      layer.bindTooltip(() => areaTip(f.properties.code), { sticky: true, direction: "top", offset: [0, -8] });
    } }).addTo(map);
  isoLayer = L.layerGroup().addTo(map);
  labelLayer = new LabelLayer(labelSource);
  $("#show-iso").addEventListener("change", drawIsochrones);
  const box = $("#show-iso").closest(".layers");
  if (box && !$("#show-labels")) {
    box.append(" ", el("label", {}, el("input", { type: "checkbox", id: "show-labels", checked: true, onchange: (e) => setLabels(e.target.checked) }),
      " ", el("span", { "data-i18n": "map_labels" }, t("map_labels"))));
  }
  setLabels(labelsOn);
  if (may("video.read")) loadDevices();
  onChange((what) => {
    if (probing) return; // the frame probe draws its own units and incidents
    if (what === "units") drawUnits(); if (what === "incidents") drawIncidents(); if (what === "areas") colourAreas();
  });
  drawUnits(); drawIncidents(); colourAreas();
  legend();
}

/** Labels on or off (the "标注" box; the frame probe compares both). */
export function setLabels(on) {
  labelsOn = on;
  const box = $("#show-labels"); if (box) box.checked = on;
  if (!labelLayer) return;
  if (on && !map.hasLayer(labelLayer)) labelLayer.addTo(map);
  if (!on && map.hasLayer(labelLayer)) labelLayer.remove();
}

const areaFeature = (code) => { let found = null; if (areaLayer) areaLayer.eachLayer((l) => { if (l.feature.properties.code === code) found = l.feature; }); return found; };

/** What the label layer writes, most important first: it drops whatever would overlap. */
function* labelSource(m) {
  const z = m.getZoom();
  if (z >= LABEL_ZOOM.area && areaLayer) {
    for (const layer of areaLayer.getLayers()) {
      const c = layer.getCenter();
      yield { kind: "area", text: areaName(layer.feature.properties.code), lat: c.lat, lon: c.lng, font: FONT.area, size: 13, color: "#212529" };
    }
  }
  const unit = (u) => {
    const lon = u.lon ?? u.post_lon, lat = u.lat ?? u.post_lat;
    return lon == null || !u.call_sign ? null : { kind: "unit", text: u.call_sign, lat, lon, dy: -(KIND_RADIUS[u.kind] || 5) - 8,
      font: FONT.unit, size: 11, color: STATUS_COLOR[u.status] === STATUS_COLOR.available ? "#14532d" : STATUS_COLOR[u.status] || "#333" };
  };
  if (z >= LABEL_ZOOM.busy) for (const u of shownUnits.values()) if (BUSY.has(u.status)) { const lb = unit(u); if (lb) yield lb; }
  if (z >= LABEL_ZOOM.road) {
    // where each name goes depends on the zoom only (lengths and angles do not change with a pan)
    if (!roadSpots.has(z)) roadSpots.set(z, roadNames.map((f) => alongLine(m, f.geometry.coordinates, ROAD_SPACING).filter(Boolean)));
    const spots = roadSpots.get(z);
    for (const [k, f] of roadNames.entries()) {
      const text = byLang(f.properties.name_zh, f.properties.name_en);
      for (const p of spots[k]) yield { kind: "road", text, lat: p.lat, lon: p.lon, angle: p.angle, font: FONT.road, size: 11, color: "#3b4658" };
    }
  }
  if (z >= LABEL_ZOOM.unit) for (const u of shownUnits.values()) if (!BUSY.has(u.status) && u.status !== "off_duty") { const lb = unit(u); if (lb) yield lb; }
}

const kindKey = (units) => [...new Set([...units.values()].map((u) => u.kind))].sort().join();
const symbol = (css) => el("i", { class: "sym", style: css });
const item = (sym, text, attrs = {}) => el("span", attrs, sym, text);
const group = (name, title, items) => el("div", { class: "legend-group", "data-group": name }, el("h4", {}, t(title)), el("div", {}, ...items));

/** The legend, grouped: unit status (fill), unit kind (size and ring), incident priority
 *  (ring), key-area crowds (area fill). Also re-renders what the current language shows:
 *  the open detail and the labels (main.js calls this on a language switch). */
export function legend() {
  for (const [m, notice] of notices) m.attributionControl.removeAttribution(notice.html).addAttribution(notice.update());
  if (!map) return;
  const order = Object.keys(catalogue.kinds);
  kindsShown = kindKey(shownUnits);
  const kinds = kindsShown.split(",").filter(Boolean).sort((a, b) => order.indexOf(a) - order.indexOf(b));
  const ring = (colour, r, dashed) => `width:${2 * r}px;height:${2 * r}px;border:2px ${dashed ? "dashed" : "solid"} ${colour};background:transparent`;
  $("#legend").replaceChildren(
    group("status", "map_legend_status", Object.entries(STATUS_COLOR).map(([s, c]) => item(symbol(`background:${c}`), statusName(s), { "data-status": s }))),
    group("kind", "map_legend_kind", kinds.map((k) => item(symbol(`width:${2 * (KIND_RADIUS[k] || 5)}px;height:${2 * (KIND_RADIUS[k] || 5)}px;`
      + `background:#ced4da;border:2px solid ${KIND_COLOR[k] || "#333"}`), kindName(k), { "data-kind": k }))),
    group("priority", "map_legend_priority", [
      ...Object.entries(PRIORITY_COLOR).map(([p, c]) => item(symbol(ring(c, incidentRadius(Number(p)))), t("map_p" + p), { "data-priority": p })),
      item(symbol(ring("#555", 8, true)), t("map_undispatched"))]),
    group("crowd", "map_legend_crowd", Object.entries(LEVEL_COLOR).map(([lv, c]) => item(symbol(`background:${c};border-radius:2px;opacity:.7`), levelName(lv)))),
  );
  if (showing) showing();
  // an open hover tooltip was written in the old language: close it (the next hover rebuilds it)
  map.eachLayer((l) => { if (l.getTooltip && l.getTooltip() && l.isTooltipOpen()) l.closeTooltip(); });
  if (labelLayer) labelLayer.redraw();
}

function colourAreas() {
  if (!areaLayer) return;
  areaLayer.eachLayer((layer) => {
    const a = state.areas.get(layer.feature.properties.code);
    layer.setStyle({ fillColor: LEVEL_COLOR[a ? a.level : "unknown"] || LEVEL_COLOR.unknown });
  });
}

/** Units: one circle per unit, fill by status, size and ring colour by kind; moved in place. */
export function drawUnits(units = state.units) {
  if (!map) return;
  shownUnits = units;
  for (const u of units.values()) {
    const lon = u.lon ?? u.post_lon, lat = u.lat ?? u.post_lat;
    if (lon == null) continue;
    let m = unitMarkers.get(u.id);
    const look = u.status + "|" + u.kind; // restyled only when this changes
    const style = () => ({ renderer, radius: KIND_RADIUS[u.kind] || 5, color: KIND_COLOR[u.kind] || "#fff", weight: 2,
      fillOpacity: 0.95, fillColor: STATUS_COLOR[u.status] || "#333" });
    if (!m) {
      const made = m = L.circleMarker([lat, lon], style()).addTo(map);
      m.on("click", () => showUnit(made.unit));
      m.bindTooltip(() => unitTip(made.unit), { direction: "top", offset: [0, -6] });
      unitMarkers.set(u.id, m);
    } else {
      const at = m.getLatLng();
      if (at.lat !== lat || at.lng !== lon) m.setLatLng([lat, lon]);
      if (m.look !== look) m.setStyle(style());
    }
    m.look = look; m.unit = u;
  }
  for (const [id, m] of unitMarkers) if (!units.has(id)) { m.remove(); unitMarkers.delete(id); }
  if (labelLayer && labelsOn) labelLayer.redraw();
  if (kindKey(units) !== kindsShown) legend();
}

/** Open incidents: a ring coloured by priority (P1 largest), dashed until a unit is sent. */
export function drawIncidents(incidents = state.incidents) {
  if (!map) return;
  for (const i of incidents.values()) {
    let m = incidentMarkers.get(i.id);
    const look = `${i.priority}|${i.state === "received"}`;
    const style = () => ({ renderer, radius: incidentRadius(i.priority), color: PRIORITY_COLOR[i.priority] || "#333", weight: 3,
      fillOpacity: 0.15, dashArray: i.state === "received" ? "4 3" : null });
    if (!m) {
      const made = m = L.circleMarker([i.lat, i.lon], style()).addTo(map);
      m.on("click", () => showIncident(made.incident));
      m.bindTooltip(() => incidentTip(made.incident), { direction: "top", offset: [0, -8] });
      incidentMarkers.set(i.id, m);
    } else {
      const at = m.getLatLng();
      if (at.lat !== i.lat || at.lng !== i.lon) m.setLatLng([i.lat, i.lon]);
      if (m.look !== look) m.setStyle(style());
    }
    m.look = look; m.incident = i;
  }
  for (const [id, m] of incidentMarkers) if (!incidents.has(id)) { m.remove(); incidentMarkers.delete(id); }
}

// Hover tooltips: built when opened, so they speak the current language and show the current age.
const tip = (title, ...lines) => el("div", { class: "map-tip" }, el("b", {}, title), ...lines.filter(Boolean).map((x) => el("div", {}, x)));
function unitTip(u) {
  if (!u) return "";
  return tip(u.call_sign || "", `${kindName(u.kind)} · ${statusName(u.status)}`, `${t("map_fix")}: ${fixAge(u)}`);
}
function incidentTip(i) {
  if (!i) return "";
  const wait = since(i.received_at);
  return tip(i.case_number || "", `${typeName(i.type_code)} · ${t("map_p" + i.priority)}`, stateName(i.state),
    wait == null ? "" : `${t("map_waiting")}: ${duration(wait)}`);
}
function areaTip(code) {
  const a = state.areas.get(code);
  return tip(areaName(code), `${t("crowd_level")}: ${levelName(a ? a.level : "unknown")}`,
    a && a.count != null ? fill("map_people", { n: Math.round(a.count) }) : "");
}

async function loadDevices() {
  // Cameras and other devices, where those registries answer (roles without access see none).
  try {
    const cams = await api("/api/v1/video/cameras?limit=500");
    for (const c of cams.items || []) {
      L.circleMarker([c.lat, c.lon], { renderer, radius: 3, color: "#222", weight: 1, fillColor: "#ffd43b", fillOpacity: 1 })
        .addTo(map).on("click", () => show(() => detail(el("h3", {}, `${t("camera")} ${c.code}`), el("p", {}, c.name))));
    }
  } catch { /* no permission or no cameras */ }
}

async function drawIsochrones() {
  isoLayer.clearLayers();
  if (!$("#show-iso").checked || !may("dispatch.read")) return;
  const free = [...state.units.values()].filter((u) => u.status === "available" && (u.lon ?? u.post_lon) != null).slice(0, 30);
  const colours = { 300: "#74c0fc", 180: "#4dabf7", 60: "#1971c2" };
  for (const u of free) {
    const mode = (catalogue.kinds[u.kind] || {}).mode || "drive";
    if (mode === "fly") continue;
    try {
      const g = await api(`/api/v1/geo/isochrones?lon=${u.lon ?? u.post_lon}&lat=${u.lat ?? u.post_lat}&mode=${mode}`);
      g.features.sort((a, b) => b.properties.seconds - a.properties.seconds);
      L.geoJSON(g, { renderer, interactive: false, style: (f) => ({ color: colours[f.properties.seconds], weight: 0, fillOpacity: 0.12 }) }).addTo(isoLayer);
    } catch { /* a unit off the network */ }
  }
}

// The detail beside the map; kept as a function so a language switch draws it again.
function detail(...nodes) { $("#map-detail").replaceChildren(...nodes); }
function show(render) { showing = render; render(); }
function showUnit(marked) {
  if (!marked) return;
  const id = marked.id;
  show(() => {
    const u = state.units.get(id) || marked;
    detail(el("h3", {}, u.call_sign || ""),
      el("p", {}, `${kindName(u.kind)} · ${statusName(u.status)}${u.crew_size ? " · " + fill("map_crew", { n: u.crew_size }) : ""}`),
      el("p", { class: "hint" }, `${t("map_fix")}: ${u.position_at ? `${fmtTime(u.position_at)} (${fixAge(u)})` : t("map_no_fix")}`),
      u.cover_area_code ? el("p", { class: "note" }, `${t("map_cover")}: ${areaName(u.cover_area_code)} · ${u.cover_by || ""} · ${fmtTime(u.cover_at)}`) : "");
  });
}
function showIncident(marked) {
  if (!marked) return;
  const id = marked.id;
  show(() => {
    const i = state.incidents.get(id) || marked;
    detail(el("h3", {}, i.case_number || ""), el("p", {}, `${typeName(i.type_code)} · ${t("map_p" + i.priority)} · ${stateName(i.state)}`),
      i.received_at ? el("p", { class: "hint" }, `${t("map_waiting")}: ${duration(since(i.received_at))}`) : "",
      el("p", {}, i.summary || ""), el("a", { href: `#queue/${i.id}` }, t("map_open_in_queue")));
  });
}
function showArea(code) {
  show(() => {
    const a = state.areas.get(code);
    detail(el("h3", {}, areaName(code)),
      el("p", { class: "lv-" + (a ? a.level : "unknown") }, `${t("crowd_level")}: ${levelName(a ? a.level : "unknown")}`),
      a ? el("p", {}, `${fill("map_people", { n: Math.round(a.count || 0) })} · ${fill("map_of_capacity", { p: Math.round((a.capacity_share || 0) * 100) + "%" })}`) : "");
  });
}

/** Frame-time probe (bench/map_frames.py; the browser test): draw synthetic units and incidents
 *  inside the current view, move them every second, and return every animation frame's
 *  interval, every redraw's time and every label pass's time in ms. With 0 and 0 it is the
 *  baseline: the same page and loop with nothing to redraw. `labels` false measures the same
 *  load with the label layer off. The live units are put back at the end. */
export function stress(nUnits, nIncidents, seconds, { labels = true } = {}) {
  const [s, w] = [map.getBounds().getSouth(), map.getBounds().getWest()];
  const [n, e] = [map.getBounds().getNorth(), map.getBounds().getEast()];
  const rnd = (a, b) => a + Math.random() * (b - a);
  const kinds = ["patrol_car", "foot_patrol", "ptu", "traffic", "volunteer"];
  const statuses = ["available", "available", "available", "dispatched", "en_route", "on_scene"];
  const units = new Map(), incidents = new Map();
  for (let k = 0; k < nUnits; k++) {
    units.set(-1 - k, { id: -1 - k, call_sign: `S-${String(k + 1).padStart(3, "0")}`, kind: kinds[k % kinds.length],
      status: "available", lon: rnd(w, e), lat: rnd(s, n) });
  }
  for (let k = 0; k < nIncidents; k++) {
    incidents.set(-1 - k, { id: -1 - k, case_number: `S${k}`, priority: 1 + (k % 4), state: k % 5 ? "dispatched" : "received", lon: rnd(w, e), lat: rnd(s, n) });
  }
  const wasOn = labelsOn;
  setLabels(labels); probing = true;
  const labelRuns = labelLayer.drawMs.length;
  return new Promise((resolve) => {
    const frames = [], draws = []; let last = performance.now(); const end = last + seconds * 1000;
    const tick = setInterval(() => {
      for (const u of units.values()) {
        u.lon += rnd(-1e-4, 1e-4); u.lat += rnd(-1e-4, 1e-4);
        u.status = statuses[Math.random() < 0.8 ? 0 : Math.floor(rnd(0, statuses.length))];
      }
      const t0 = performance.now();
      drawUnits(units); drawIncidents(incidents);
      draws.push(performance.now() - t0);
    }, 1000);
    const frame = (now) => {
      frames.push(now - last); last = now;
      if (now < end) { requestAnimationFrame(frame); return; }
      clearInterval(tick);
      const labelMs = labelLayer.drawMs.slice(labelRuns), placed = labels ? labelLayer.placed.length : 0;
      probing = false; setLabels(wasOn); drawUnits(); drawIncidents();
      resolve({ frames: frames.length, frame_ms: frames, draw_ms: draws, label_ms: labelMs, labels_placed: placed });
    };
    requestAnimationFrame(frame);
  });
}
