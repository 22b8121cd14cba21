// Session, API calls, catalogue and small DOM helpers shared by every view.
import { lang, t, half, acceptLanguage } from "./i18n.js";

export const $ = (s, root = document) => root.querySelector(s);
/** The one way the pages put data on screen: an element whose children are nodes or text.
 * Strings become text nodes, never markup, so stored text (call signs, summaries, names)
 * cannot add elements or scripts. Styles go through the CSSOM, which the page's
 * Content-Security-Policy (style-src 'self') allows where a style attribute is refused.
 * Leaflet tooltips and popups take the element itself: bindTooltip(el("span", {}, text)). */
export const el = (tag, attrs = {}, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v; else if (k === "style") e.style.cssText = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) e.setAttribute(k, v);
  }
  kids.flat().forEach((c) => e.append(c instanceof Node ? c : document.createTextNode(String(c ?? ""))));
  return e;
};

export const session = {
  token: sessionStorage.getItem("pingan.token"),
  user: JSON.parse(sessionStorage.getItem("pingan.user") || "null"),
  onExpired: () => {},
};

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.detail) || String(status));
    this.status = status; this.body = body;
  }
}

/** fetch() with the bearer token; a 401 on a signed-in session means it expired. */
export async function api(path, opts = {}) {
  // a file upload (FormData) carries the multipart type the browser writes, boundary included
  const type = opts.body instanceof FormData ? {} : { "Content-Type": "application/json" };
  const headers = { ...type, "Accept-Language": acceptLanguage(), ...(opts.headers || {}) };
  if (session.token) headers.Authorization = "Bearer " + session.token;
  const res = await fetch(path, { ...opts, headers });
  const body = res.status === 204 ? null : await res.json().catch(() => null);
  if (res.status === 401 && session.token) session.onExpired();
  if (!res.ok) throw new ApiError(res.status, body);
  return body;
}
/** Whether the signed-in role holds a permission (policy.yaml, as /auth/me reports it):
 * pages skip what the API would refuse, so no role meets a 403 in normal use. */
export const may = (permission) => Boolean(session.user && (session.user.permissions || []).includes(permission));
export const post = (path, body) => api(path, { method: "POST", body: JSON.stringify(body || {}) });

/** A file the API serves, as a blob: URL to save or show (an <img> or a link cannot carry the
 * bearer token); the caller revokes it when done. */
export async function blobUrl(path) {
  const res = await fetch(path, { headers: { Authorization: "Bearer " + session.token } });
  if (res.status === 401 && session.token) session.onExpired();
  if (!res.ok) throw new ApiError(res.status, await res.json().catch(() => null));
  return URL.createObjectURL(await res.blob());
}

/** Download a file the API serves (exports): a plain link cannot carry the bearer token. */
export async function saveFile(path, name) {
  const url = await blobUrl(path);
  const a = el("a", { href: url, download: name });
  document.body.append(a); a.click(); a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

export const catalogue = { types: {}, kinds: {}, labels: null };
export async function loadCatalogue() {
  const [types, kinds, labels] = await Promise.all([
    api("/api/v1/catalogue/incident-types"), api("/api/v1/catalogue/unit-kinds"), api("/api/v1/catalogue/labels", { headers: { "Accept-Language": "zh-CN" } })]);
  types.forEach((x) => { catalogue.types[x.code] = x; });
  kinds.forEach((x) => { catalogue.kinds[x.code] = x; });
  catalogue.labels = labels;
}
const named = (x, c) => (x ? (lang === "zh" ? x.name_zh : x.name_en) : c);
export const typeName = (c) => named(catalogue.types[c], c);
export const kindName = (c) => named(catalogue.kinds[c], c);
// The catalogue's labels are read in Chinese once; on screen in English the states are the
// words below, in sentence case (the catalogue's English is lower case, for use mid-sentence).
const STATES_EN = { received: "Received", dispatched: "Dispatched", acknowledged: "Acknowledged", en_route: "En route",
  on_scene: "On scene", resolved: "Resolved", closed: "Closed", cancelled: "Cancelled", merged: "Merged" };
const STATUSES_EN = { available: "Available", dispatched: "Dispatched", en_route: "En route", on_scene: "On scene", off_duty: "Off duty" };
const labelled = (table, en, s) => (lang === "zh" ? (catalogue.labels && catalogue.labels[table][s]) || s || "" : en[s] || s || "");
export const stateName = (s) => labelled("incident_states", STATES_EN, s);
export const statusName = (s) => labelled("unit_statuses", STATUSES_EN, s);
export const fmtTime = (iso) => (iso ? new Date(iso).toLocaleTimeString(lang === "zh" ? "zh-CN" : "en-GB", { hour12: false }) : "");
export const fmtSecs = (s) => (s == null ? "-" : `${Math.floor(s / 60)}:${String(Math.round(s % 60)).padStart(2, "0")}`);
/** ECharts tooltips drawn as rich text on the canvas: the HTML tooltip builds markup with
 * style attributes (refused by the Content-Security-Policy) around names that come from data. */
export const chartTooltip = (opts = {}) => ({ renderMode: "richText", ...opts });
export const pct = (v) => (v == null ? "-" : `${Math.round(v * 100)}%`);
export { t, half };

/** Local midnight today as an ISO time with zone (KPI "today"). */
export function todayStart() {
  const d = new Date(); d.setHours(0, 0, 0, 0); return d.toISOString();
}
/** Local midnight on 1 January (KPI "this year"). */
export function yearStart() {
  const d = new Date(); d.setMonth(0, 1); d.setHours(0, 0, 0, 0); return d.toISOString();
}
/** The calendar date (YYYY-MM-DD) now in an IANA time zone: which day "today" is for the city. */
export const dateIn = (zone, d = new Date()) => new Intl.DateTimeFormat("en-CA", { timeZone: zone }).format(d);
/** "HH:MM" now in an IANA time zone. */
export const timeIn = (zone, d = new Date()) => new Intl.DateTimeFormat("en-GB", { timeZone: zone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(d);

/** An API refusal (422/409) as field -> reason in the page's language, for the forms.
 * Schema errors name their field and type (texts v_<type>); service refusals carry a code,
 * which `codes` maps to the field it is about; `fields` renames API fields to form fields. */
export function fieldErrors(body, { fields = {}, codes = {} } = {}) {
  const out = {};
  for (const x of (body && body.errors) || []) {
    const name = String(x.field).split(".")[0];
    const key = "v_" + x.type;
    out[fields[name] || name] = t(key) !== key ? t(key) : half(x.message);
  }
  if (body && body.code && codes[body.code]) out[codes[body.code]] = half(body.detail);
  return out;
}

/** Put each reason under its field (<small class="field-error" data-for=name>) and mark it. */
export function showFieldErrors(form, bad) {
  form.querySelectorAll(".field-error").forEach((s) => { s.textContent = bad[s.dataset.for] || ""; });
  [...form.elements].forEach((x) => x.classList && x.classList.toggle("invalid", Boolean(bad[x.name])));
}

/** Forms marked data-keep survive a reload or an expired session (kept in sessionStorage). */
export function keepForm(form) {
  const key = "pingan.form." + form.dataset.keep;
  const saved = JSON.parse(sessionStorage.getItem(key) || "{}");
  for (const [name, value] of Object.entries(saved)) if (form.elements[name]) form.elements[name].value = value;
  form.addEventListener("input", () => {
    sessionStorage.setItem(key, JSON.stringify(Object.fromEntries(new FormData(form))));
  });
  return () => sessionStorage.removeItem(key);
}
