// The command map: the road network itself is the base map (no tiles on a police network).
// Canvas rendering keeps hundreds of markers cheap; markers are updated in place, never rebuilt.
import { api, el, $, t, half, typeName, kindName, statusName, stateName, fmtTime, catalogue, may } from "./core.js";
import { state, onChange } from "./state.js";

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

let map, renderer, areaLayer, isoLayer;
export const maps = {}; // every Leaflet map by element id, for the browser tests
const unitMarkers = new Map();
const incidentMarkers = new Map();
export const markers = { units: unitMarkers, incidents: incidentMarkers }; // by id, for the browser tests
let ready = false;

// The city, its roads and key areas do not change while the page is open: fetched once.
const once = new Map();
export const cached = (path) => { if (!once.has(path)) once.set(path, api(path).catch((e) => { once.delete(path); throw e; })); return once.get(path); };

/** A Leaflet map on element `id` over the road network (no tiles), fitted to the city.
 * Every map of the command centre (command map, deployment, the citizen's place picker) is one of these. */
export async function baseMap(id, { weight = 1 } = {}) {
  const canvas = L.canvas({ padding: 0.2 });
  const m = L.map(id, { preferCanvas: true, renderer: canvas, zoomControl: true, attributionControl: true });
  maps[id] = m;
  const city = await cached("/api/v1/geo/city");
  const [w, s, e, n] = city.bounds;
  m.fitBounds([[s, w], [n, e]]);
  // Leaflet's attribution is an HTML string: the notice goes in as escaped text.
  if (city.notice) m.attributionControl.addAttribution(el("span", {}, half(`${city.notice.zh} / ${city.notice.en}`)).innerHTML);
  const roads = await cached("/api/v1/geo/roads");
  L.geoJSON(roads, { renderer: canvas, interactive: false,
    style: (f) => (f.properties.class === "major" ? { color: "#5b6b82", weight: 3 * weight } : { color: "#9aa5b5", weight: 1.3 * weight }) }).addTo(m);
  return { map: m, renderer: canvas };
}

export async function initMap() {
  // Reach circles and cameras come from endpoints some roles are refused (policy.yaml): not offered to them.
  $("#show-iso").closest("label").hidden = !may("dispatch.read");
  if (ready) { map.invalidateSize(); return; }
  ready = true;
  ({ map, renderer } = await baseMap("map"));
  const areas = await cached("/api/v1/geo/key-areas");
  areaLayer = L.geoJSON(areas, { renderer, style: () => ({ color: "#555", weight: 1, fillOpacity: 0.25, fillColor: LEVEL_COLOR.unknown }),
    onEachFeature: (f, layer) => layer.on("click", () => showArea(f.properties.code)) }).addTo(map);
  isoLayer = L.layerGroup().addTo(map);
  $("#show-iso").addEventListener("change", drawIsochrones);
  legend();
  if (may("video.read")) loadDevices();
  onChange((what) => { if (what === "units") drawUnits(); if (what === "incidents") drawIncidents(); if (what === "areas") colourAreas(); });
  drawUnits(); drawIncidents(); colourAreas();
}

export function legend() {
  if (!map) return;
  const box = $("#legend"); box.replaceChildren();
  for (const [s, c] of Object.entries(STATUS_COLOR)) box.append(el("span", {}, el("i", { style: `background:${c}` }), statusName(s)));
  for (const [p, c] of Object.entries(PRIORITY_COLOR)) box.append(el("span", {}, el("i", { style: `background:${c};border-radius:0` }), `P${p}`));
}

function colourAreas() {
  if (!areaLayer) return;
  areaLayer.eachLayer((layer) => {
    const a = state.areas.get(layer.feature.properties.code);
    layer.setStyle({ fillColor: LEVEL_COLOR[a ? a.level : "unknown"] || LEVEL_COLOR.unknown });
  });
}

/** Units: one circle per unit, colour by status, size by kind; moved in place. */
export function drawUnits(units = state.units) {
  if (!map) return;
  for (const u of units.values()) {
    const lon = u.lon ?? u.post_lon, lat = u.lat ?? u.post_lat;
    if (lon == null) continue;
    let m = unitMarkers.get(u.id);
    const style = { renderer, radius: KIND_RADIUS[u.kind] || 5, color: "#fff", weight: 1.5, fillOpacity: 0.95,
      fillColor: STATUS_COLOR[u.status] || "#333" };
    if (!m) {
      m = L.circleMarker([lat, lon], style).addTo(map);
      m.on("click", () => showUnit(u.id));
      unitMarkers.set(u.id, m);
    } else {
      m.setLatLng([lat, lon]); m.setStyle(style);
    }
  }
  for (const [id, m] of unitMarkers) if (!units.has(id)) { m.remove(); unitMarkers.delete(id); }
}

/** Open incidents: a ring coloured by priority (P1 largest). */
export function drawIncidents(incidents = state.incidents) {
  if (!map) return;
  for (const i of incidents.values()) {
    let m = incidentMarkers.get(i.id);
    const style = { renderer, radius: 12 - 2 * (i.priority || 3), color: PRIORITY_COLOR[i.priority] || "#333", weight: 3,
      fillOpacity: 0.15, dashArray: i.state === "received" ? "4 3" : null };
    if (!m) {
      m = L.circleMarker([i.lat, i.lon], style).addTo(map);
      m.on("click", () => showIncident(i.id));
      incidentMarkers.set(i.id, m);
    } else { m.setLatLng([i.lat, i.lon]); m.setStyle(style); }
  }
  for (const [id, m] of incidentMarkers) if (!incidents.has(id)) { m.remove(); incidentMarkers.delete(id); }
}

async function loadDevices() {
  // Cameras and other devices, where those registries answer (roles without access see none).
  try {
    const cams = await api("/api/v1/video/cameras?limit=500");
    for (const c of cams.items || []) {
      L.circleMarker([c.lat, c.lon], { renderer, radius: 3, color: "#222", weight: 1, fillColor: "#ffd43b", fillOpacity: 1 })
        .addTo(map).on("click", () => detail(el("h3", {}, `${t("camera")} ${c.code}`), el("p", {}, c.name)));
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

function detail(...nodes) { $("#map-detail").replaceChildren(...nodes); }
function showUnit(id) {
  const u = state.units.get(id); if (!u) return;
  detail(el("h3", {}, u.call_sign), el("p", {}, `${kindName(u.kind)} · ${statusName(u.status)} · ${u.crew_size}人`),
    el("p", { class: "hint" }, `${t("position_age")} ${fmtTime(u.position_at) || t("post")}`),
    u.cover_area_code ? el("p", { class: "note" }, `${t("cover_standby")}: ${u.cover_area_code} · ${u.cover_by || ""} · ${fmtTime(u.cover_at)}`) : "");
}
function showIncident(id) {
  const i = state.incidents.get(id); if (!i) return;
  detail(el("h3", {}, i.case_number), el("p", {}, `${typeName(i.type_code)} · P${i.priority} · ${stateName(i.state)}`),
    el("p", {}, i.summary || ""), el("a", { href: `#queue/${i.id}` }, t("nav_queue")));
}
function showArea(code) {
  const a = state.areas.get(code);
  detail(el("h3", {}, a ? half(`${a.name_zh} / ${a.name_en}`) : code),
    a ? el("p", { class: "lv-" + a.level }, `${t("crowd_level")} ${a.level} · ${Math.round(a.count || 0)} · ${Math.round((a.capacity_share || 0) * 100)}%`) : "");
}

/** Frame-time probe (bench/map_frames.py; the browser test): draw synthetic units and incidents,
 *  move them every second, and return every animation frame's interval and every redraw's time
 *  in ms. With 0 and 0 it is the baseline: the same page and loop with nothing to redraw. */
export function stress(nUnits, nIncidents, seconds) {
  const [s, w] = [map.getBounds().getSouth(), map.getBounds().getWest()];
  const [n, e] = [map.getBounds().getNorth(), map.getBounds().getEast()];
  const rnd = (a, b) => a + Math.random() * (b - a);
  const units = new Map(), incidents = new Map();
  for (let k = 0; k < nUnits; k++) units.set(-1 - k, { id: -1 - k, kind: "patrol_car", status: "available", lon: rnd(w, e), lat: rnd(s, n) });
  for (let k = 0; k < nIncidents; k++) incidents.set(-1 - k, { id: -1 - k, priority: 1 + (k % 4), state: "dispatched", lon: rnd(w, e), lat: rnd(s, n) });
  return new Promise((resolve) => {
    const frames = [], draws = []; let last = performance.now(); const end = last + seconds * 1000;
    const tick = setInterval(() => {
      for (const u of units.values()) { u.lon += rnd(-1e-4, 1e-4); u.lat += rnd(-1e-4, 1e-4); u.status = Math.random() < 0.1 ? "dispatched" : "available"; }
      const t0 = performance.now();
      drawUnits(units); drawIncidents(incidents);
      draws.push(performance.now() - t0);
    }, 1000);
    const frame = (now) => {
      frames.push(now - last); last = now;
      if (now < end) requestAnimationFrame(frame);
      else { clearInterval(tick); drawUnits(); drawIncidents(); resolve({ frames: frames.length, frame_ms: frames, draw_ms: draws }); }
    };
    requestAnimationFrame(frame);
  });
}
