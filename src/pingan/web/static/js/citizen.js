// Citizen page: report a lost item, a missing person or a lost car, then follow your own cases.
// The form survives an expired session (sessionStorage) and says which field is wrong and why.
import { api, post, probe, el, $, t, half, typeName, stateName, fmtTime, keepForm } from "./core.js";

let forget = () => {};
const PHONE = /^1\d{10}$/;

export async function initCitizen() {
  const form = $("#citizen-form");
  const areas = await api("/api/v1/geo/key-areas");
  const sel = form.elements.area_code;
  sel.append(el("option", { value: "" }, t("choose")));
  for (const f of areas.features) sel.append(el("option", { value: f.properties.code, "data-lon": f.geometry.coordinates[0][0][0], "data-lat": f.geometry.coordinates[0][0][1] }, half(`${f.properties.name_zh} / ${f.properties.name_en}`)));
  forget = keepForm(form);
  form.addEventListener("submit", submit);
}

/** Field -> reason, in the page's language; empty when the form may be sent. */
function check(form) {
  const v = Object.fromEntries(new FormData(form));
  const bad = {};
  if (!v.type) bad.type = t("required");
  if (!v.area_code) bad.area_code = t("required");
  if (!v.summary || v.summary.trim().length < 5) bad.summary = t("too_short");
  if (v.reporter_phone && !PHONE.test(v.reporter_phone.trim())) bad.reporter_phone = t("bad_phone");
  return bad;
}

function showErrors(form, bad) {
  form.querySelectorAll(".field-error").forEach((s) => { s.textContent = bad[s.dataset.for] || ""; });
  [...form.elements].forEach((x) => x.classList && x.classList.toggle("invalid", Boolean(bad[x.name])));
}

async function submit(ev) {
  ev.preventDefault();
  const form = ev.target;
  const bad = check(form);
  showErrors(form, bad);
  if (Object.keys(bad).length) return;
  const v = Object.fromEntries(new FormData(form));
  const opt = form.elements.area_code.selectedOptions[0];
  const centre = areaCentre(v.area_code) || [Number(opt.dataset.lon), Number(opt.dataset.lat)];
  try {
    const inc = await post("/api/v1/incidents", { type: v.type, summary: v.summary.trim(), area_code: v.area_code,
      lon: centre[0], lat: centre[1], source: "citizen_app", reporter_phone: v.reporter_phone || null });
    $("#citizen-result").textContent = t("reported") + inc.case_number;
    form.reset(); forget(); forget = keepForm(form);
    showCitizen();
  } catch (e) {
    if (e.status === 422 && e.body && e.body.errors) {
      const server = {};
      for (const x of e.body.errors) server[String(x.field).split(".").pop()] = half(x.message);
      showErrors(form, server);
    }
    if (e.status !== 401) $("#citizen-result").textContent = half(e.message);
  }
}

let centres = null;
function areaCentre(code) {
  return centres && centres[code];
}

export async function showCitizen() {
  if (!centres) {
    const areas = await api("/api/v1/geo/key-areas");
    centres = Object.fromEntries(areas.features.map((f) => {
      const ring = f.geometry.coordinates[0];
      const n = ring.length - 1;
      return [f.properties.code, [ring.slice(0, n).reduce((s, p) => s + p[0], 0) / n, ring.slice(0, n).reduce((s, p) => s + p[1], 0) / n]];
    }));
  }
  const note = $("#lostfound-note");
  const registry = (await probe("/api/v1/lost-found/items")) || (await probe("/api/v1/missing-persons"));
  note.hidden = registry; note.textContent = t("lostfound_na");
  const page = await api("/api/v1/incidents?limit=50");
  const ul = $("#my-cases");
  ul.replaceChildren(...page.items.map((i) => el("li", { "data-case": i.case_number },
    el("b", {}, i.case_number), ` · ${typeName(i.type_code)} · `, el("span", { class: "state" }, stateName(i.state)), ` · ${fmtTime(i.received_at)}`,
    i.outcome ? el("div", { class: "hint" }, i.outcome) : "")));
  if (!page.items.length) ul.append(el("li", { class: "hint" }, t("none")));
}
