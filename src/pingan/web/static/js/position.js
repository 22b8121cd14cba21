// The phone's own position, shared by the pages used in the field (the officer's jobs, the
// locksmith's jobs): one reading from the browser, and its report for the bound unit, which the
// server compares an arrival or a check-in with.
import { api } from "./core.js";

/** One reading (coords), or null where the phone has none or the user refused it. */
export function here() {
  return new Promise((resolve) => {
    if (!navigator.geolocation) { resolve(null); return; }
    navigator.geolocation.getCurrentPosition((p) => resolve(p.coords), () => resolve(null), { enableHighAccuracy: true, timeout: 10000 });
  });
}

/** Report a reading as the unit's position (PUT /units/{unit}/position: bound units only). */
export const reportPosition = (unitId, c) =>
  api(`/api/v1/units/${unitId}/position`, { method: "PUT", body: JSON.stringify({ lon: c.longitude, lat: c.latitude }) });

/** Metres between two points on the sphere (haversine): enough to tell a locksmith how far the
 * lock is, and too small a formula to take a library for. */
export function metresBetween(lon1, lat1, lon2, lat2) {
  const rad = Math.PI / 180, dLat = (lat2 - lat1) * rad, dLon = (lon2 - lon1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 6371008.8 * 2 * Math.asin(Math.min(1, Math.sqrt(a)));
}
