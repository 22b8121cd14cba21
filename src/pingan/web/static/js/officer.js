// The officer's assignment list, for a phone: pick your unit once, then step through each job.
import { api, post, el, $, t, half, typeName, stateName, fmtTime } from "./core.js";
import { state, onChange } from "./state.js";

export function initOfficer() {
  const sel = $("#my-unit");
  sel.addEventListener("change", () => { localStorage.setItem("pingan.myUnit", sel.value); showOfficer(); });
  onChange((what) => { if (what === "incidents" && !$("#view-officer").hidden) showOfficer(); });
}

// The phone's own position (WGS-84), or null when the browser gives none within 10 s.
function here() {
  return new Promise((resolve) => {
    if (!navigator.geolocation) { resolve(null); return; }
    navigator.geolocation.getCurrentPosition((p) => resolve(p.coords), () => resolve(null), { enableHighAccuracy: true, timeout: 10000 });
  });
}

// A step of the unit's job; an arrival is checked against the unit's last fix, so it sends
// the phone's position first (the server refuses an arrival far from the scene, with why).
async function step(incId, unitId, name) {
  if (name === "on-scene") {
    const c = await here();
    if (c) await api(`/api/v1/units/${unitId}/position`, { method: "PUT", body: JSON.stringify({ lon: c.longitude, lat: c.latitude }) });
  }
  return post(`/api/v1/incidents/${incId}/units/${unitId}/${name}`, {});
}

export async function showOfficer() {
  const sel = $("#my-unit");
  if (!sel.options.length) {
    for (const u of [...state.units.values()].sort((a, b) => a.call_sign.localeCompare(b.call_sign))) sel.append(el("option", { value: u.id }, u.call_sign));
    sel.value = localStorage.getItem("pingan.myUnit") || sel.value;
  }
  const unitId = Number(sel.value);
  const box = $("#assignments");
  const cards = [];
  for (const i of state.incidents.values()) {
    let inc;
    try { inc = await api(`/api/v1/incidents/${i.id}`); } catch { continue; }
    const a = inc.assignments.find((x) => x.unit_id === unitId && !x.released_at);
    if (!a) continue;
    const next = { dispatched: ["acknowledge", "acknowledge"], acknowledged: ["en-route", "en_route"], en_route: ["on-scene", "on_scene"] }[a.state];
    const err = el("p", { class: "error" });
    const card = el("div", { class: "assignment" }, el("b", {}, `${inc.case_number} · ${typeName(inc.type_code)} · P${inc.priority}`),
      el("p", {}, inc.summary), el("p", { class: "hint" }, `${inc.address || ""} · ${fmtTime(inc.received_at)} · ${stateName(a.state)}`));
    if (next) card.append(el("button", { onclick: () => step(inc.id, unitId, next[0]).then(showOfficer, (e) => { err.textContent = half(e.message); }) }, t(next[1])));
    if (inc.state === "on_scene") {
      const input = el("input", { placeholder: t("outcome") });
      card.append(input, el("button", { onclick: () => post(`/api/v1/incidents/${inc.id}/resolve`, { outcome: input.value }).then(showOfficer, (e) => { err.textContent = half(e.message); }) }, t("resolve")));
    }
    card.append(err);
    cards.push(card);
  }
  box.replaceChildren(...(cards.length ? cards : [el("p", { class: "hint" }, t("none"))]));
}
