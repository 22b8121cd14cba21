// What every view shows, kept current from snapshots (REST) and the live feed.
import { api } from "./core.js";

export const OPEN = ["received", "dispatched", "acknowledged", "en_route", "on_scene", "resolved"];
export const state = { incidents: new Map(), units: new Map(), areas: new Map(), listeners: new Set() };
export const onChange = (fn) => state.listeners.add(fn);
export const changed = (what) => state.listeners.forEach((fn) => fn(what));

export async function loadIncidents() {
  const q = OPEN.map((s) => "state=" + s).join("&");
  const page = await api(`/api/v1/incidents?${q}&limit=500`);
  state.incidents = new Map(page.items.map((i) => [i.id, i]));
  changed("incidents");
}
export async function loadUnits() {
  const page = await api("/api/v1/units?limit=500");
  state.units = new Map(page.items.map((u) => [u.id, u]));
  changed("units");
}
export async function loadAreas() {
  const rows = await api("/api/v1/crowd/areas");
  state.areas = new Map((rows.items || rows).map((a) => [a.area_code, a]));
  changed("areas");
}

/** Apply one live event to the state; returns the incident touched (if any). */
export function applyEvent(type, e) {
  if (type.startsWith("incident.") && e.incident_id) {
    const old = state.incidents.get(e.incident_id) || {};
    const merged = { ...old, id: e.incident_id, case_number: e.case_number, type_code: e.type,
      priority: e.priority, state: e.state, lon: e.lon, lat: e.lat, area_code: e.area_code,
      received_at: old.received_at || e.at, _fresh: type === "incident.received" };
    if (OPEN.includes(e.state)) state.incidents.set(e.incident_id, merged);
    else state.incidents.delete(e.incident_id);
    changed("incidents");
    return merged;
  }
  if (type === "unit.status_changed") {
    const u = state.units.get(e.unit_id);
    if (u) { u.status = e.status; if (e.at) u.status_at = e.at; changed("units"); }
  }
  if (type.startsWith("crowd.")) changed("alerts");
  return null;
}
