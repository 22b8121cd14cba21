// The command centre: login, views per role, snapshots plus the live feed.
import { api, post, $, el, t, session, loadCatalogue, may } from "./core.js";
import { applyLang, setLang, lang, onLang, addTexts, word, serverText } from "./i18n.js";
import { startLive, stopLive, dropLive, onLive, live } from "./live.js";
import { state, applyEvent, loadIncidents, loadUnits, loadAreas, changed } from "./state.js";
import { initMap, stress, legend, maps, markers } from "./map.js";
import { initQueue, openIncident, showQueue } from "./queue.js";
import { initBoard, showBoard } from "./units-board.js";
import { initCrowd, showCrowd, resizeCrowd } from "./crowd.js";
import { showKpi, resizeKpi } from "./kpi.js";
import { showFraudWall, resizeFraudWall } from "./fraud-wall.js";
import { showDeploy, resizeDeploy } from "./deploy.js";
import { initOfficer, showOfficer } from "./officer.js";
import { initCitizen, showCitizen } from "./citizen.js";
import { initAdmin, showUsers, showUnits } from "./admin.js";
import { showLost, mayUseDesk } from "./lost-desk.js";
import { showCertDesk, mayUseCertDesk } from "./cert-desk.js";
import { labelControls } from "./map-controls.js";
import { showIdentity } from "./trust-identity.js";
import { showCert } from "./trust-cert.js";
import { showUnlock } from "./unlock.js";
import { showWitness } from "./unlock-witness.js";
import { showLocksmith } from "./locksmith.js";
import { showUnlockDesk, mayUseUnlockDesk } from "./unlock-desk.js";
import { showDissuade } from "./fraud-dissuade.js";
import { showFraudDesk, mayUseFraudDesk } from "./fraud.js";
import { showFraudReport } from "./fraudreport.js";
import { showVisits } from "./visits.js";
import { showLawyerVisits } from "./lawyer-visits.js";
import { showVisitDesk, mayUseVisitDesk } from "./visit-desk.js";
import { showKinship, mayUseKinship } from "./kinship.js";
import "./verify-texts.js";

// Roles (policy.yaml) as words, for the header's "who is logged in".
addTexts({ role_commander: "指挥员", role_dispatcher: "调度员", role_auditor: "审计员", role_officer: "民警",
  role_volunteer: "志愿者", role_citizen: "群众", role_admin: "系统管理员",
  who: "{user}（{role}）", login_missing: "{field}：{why}", list_sep: "；" },
{ role_commander: "Commander", role_dispatcher: "Dispatcher", role_auditor: "Auditor", role_officer: "Officer",
  role_volunteer: "Volunteer", role_citizen: "Resident", role_admin: "Administrator",
  who: "{user} ({role})", login_missing: "{field}: {why}", list_sep: "; " });
import { initIntake, showIntakeButton, hideIntake } from "./intake.js";

// Which views each role may open (the API enforces the same through policy.yaml).
const VIEWS = {
  commander: ["map", "queue", "board", "crowd", "kpi", "fraudwall", "deploy", "lost", "certdesk", "unlockdesk", "fraud", "dissuade", "visitdesk"],
  dispatcher: ["map", "queue", "board", "crowd", "kpi", "fraudwall", "deploy", "lost", "certdesk", "unlockdesk", "fraud", "dissuade"],
  auditor: ["map", "queue", "board", "crowd", "kpi", "fraudwall", "certdesk", "unlockdesk", "fraud", "dissuade", "kinship"],
  officer: ["officer", "map", "queue", "lost", "certdesk", "unlockdesk", "witness", "fraud", "dissuade", "visitdesk", "kinship"],
  volunteer: ["map", "crowd", "lost", "unlock", "witness", "identity", "fraudreport"],
  citizen: ["citizen", "identity", "cert", "unlock", "fraudreport", "visits"],
  admin: ["users", "units"],
  locksmith: ["locksmith"],
  lawyer: ["lawyervisits", "identity"],
  analyst: ["kinship"], // the family search only (寻亲比对): its data never meets incident records
  reviewer: ["kinship"],
};
const SHOW = { map: () => initMap(), queue: () => showQueue(), board: () => showBoard(), crowd: () => showCrowd().then(resizeCrowd), kpi: () => showKpi().then(resizeKpi),
  fraudwall: () => showFraudWall().then(resizeFraudWall),
  deploy: () => showDeploy().then(resizeDeploy), officer: showOfficer, citizen: showCitizen,
  users: showUsers, units: showUnits, lost: showLost, identity: showIdentity, cert: showCert,
  unlock: showUnlock, witness: showWitness, certdesk: showCertDesk, locksmith: showLocksmith,
  unlockdesk: showUnlockDesk, fraud: showFraudDesk, fraudreport: showFraudReport, dissuade: showDissuade,
  visits: showVisits, lawyervisits: showLawyerVisits, visitdesk: showVisitDesk, kinship: showKinship, none: () => {} };
// Views a role is offered only while it holds the permission they act with (the lost-and-found
// desk registers found items: services.register_found in policy.yaml).
const NEEDS = { lost: mayUseDesk, certdesk: mayUseCertDesk, unlockdesk: mayUseUnlockDesk, fraud: mayUseFraudDesk,
  fraudreport: () => may("fraud.report"), visitdesk: mayUseVisitDesk, kinship: mayUseKinship, visits: () => may("visits.book"), lawyervisits: () => may("visits.book") };
// The video visit call (visit-call.js): opened from a booking's link, #visitcall/<booking_id>,
// by the roles that take part in calls; never an entry of the navigation (NOT_IN_NAV).
import { showVisitCall, CALL_ROLES } from "./visit-call.js";
SHOW.visitcall = showVisitCall;
CALL_ROLES.forEach((role) => (VIEWS[role] ||= []).push("visitcall"));
const NOT_IN_NAV = ["none", "visitcall"];
// Views laid out for a phone: the shared header shrinks while one of them is shown.
const PHONE_VIEWS = ["officer", "citizen", "identity", "cert", "unlock", "witness", "locksmith", "fraudreport", "visits", "lawyervisits"];
// Views that show an incident's summary: a new incident's detail is read only while one is open
// (entering one reads whatever was missed with a single list request).
const SUMMARY_VIEWS = ["map", "queue"];
// Roles outside the control room: no live feed, no incident or unit snapshots (the API refuses
// them those; a filed locksmith sees only its own unlock jobs).
const OUTSIDE = ["citizen", "admin", "locksmith", "lawyer", "analyst", "reviewer"];
const timers = [];
let citizenReady = false;

async function health() {
  const p = $("#health");
  try { const r = await fetch("/healthz"); p.className = "pill " + (r.ok ? "ok" : "bad"); p.dataset.i18n = r.ok ? "ok" : "bad"; }
  catch { p.className = "pill bad"; p.dataset.i18n = "bad"; }
  p.textContent = t(p.dataset.i18n);
}

function views() { return ((session.user && VIEWS[session.user.role]) || []).filter((v) => !NEEDS[v] || NEEDS[v]()); }

// The header speaks to whoever is signed in: a neutral name on the login screen, the
// citizen's own page for residents, the locksmith's for a filed locksmith, the command centre
// for police staff.
addTexts({ page_title: "平安", locksmith_title: "平安 · 备案开锁", lawyer_title: "平安 · 律师会见" },
  { page_title: "Pingan", locksmith_title: "Pingan · Filed locksmith", lawyer_title: "Pingan · Lawyer visits" });
function heading() {
  const role = session.token && session.user ? session.user.role : null;
  const key = { citizen: "citizen_title", locksmith: "locksmith_title", lawyer: "lawyer_title" }[role] || (role ? "title" : "page_title");
  const h = $("#page-title"); h.dataset.i18n = key; h.textContent = t(key);
  document.title = t(key);
  const f = $("#page-footer"); f.dataset.i18n = role === "citizen" ? "citizen_footer" : "footer"; f.textContent = t(f.dataset.i18n);
  $("#health").hidden = ["citizen", "locksmith", "lawyer"].includes(role); // the control room's concern
}

function route() {
  heading();
  const allowed = views();
  if (!allowed.length) return;
  const [name, arg] = location.hash.replace(/^#/, "").split("/");
  const view = allowed.includes(name) ? name : allowed[0];
  document.querySelectorAll(".view").forEach((v) => { v.hidden = v.id !== "view-" + view; });
  document.querySelectorAll("#nav a").forEach((a) => a.classList.toggle("active", a.dataset.view === view));
  document.body.classList.toggle("phone-view", PHONE_VIEWS.includes(view)); // compact header (app.css)
  if (SUMMARY_VIEWS.includes(view) && [...state.incidents.values()].some((i) => i.summary === undefined)) loadIncidents().catch(() => {});
  const shown = Promise.resolve(SHOW[view]()).catch((e) => console.error(e));
  if (view === "queue" && arg) openIncident(Number(arg));
  return shown.then(() => Object.values(maps).forEach((m) => labelControls(m)));
}

/** "commander（指挥员）": the account as typed, the role in words. */
function who() {
  const u = session.user;
  $("#who").textContent = u ? t("who").replace("{user}", u.username).replace("{role}", word("role_", u.role)) : "";
}

// A language switch re-draws everything on screen in the new language: the map legend, the
// header, the login form's own messages, the current view (re-fetched: details and notes
// come from the server in one language), and every view drawn from state.
let loginMissing = [];
const missingText = () => loginMissing.map((k) => t("login_missing").replace("{field}", t(k)).replace("{why}", t("required"))).join(t("list_sep"));
onLang(() => {
  legend();
  who();
  heading();
  if (loginMissing.length) $("#login-error").textContent = missingText();
  if (!views().length) return;
  // views drawn from the control room's state; roles outside it have none (and may not read
  // the crowd alerts that the "alerts" change re-reads)
  if (!OUTSIDE.includes(session.user.role)) { changed("incidents"); changed("units"); changed("areas"); changed("alerts"); }
  return route();
});

async function snapshots() {
  const role = session.user.role;
  const jobs = [];
  if (!OUTSIDE.includes(role)) jobs.push(loadIncidents().catch(() => {}));
  if (["volunteer", "officer", "dispatcher", "commander", "auditor"].includes(role)) jobs.push(loadUnits().catch(() => {}), loadAreas().catch(() => {}));
  await Promise.all(jobs);
}

async function enter() {
  $("#login-box").hidden = true;
  $("#logout").hidden = false;
  who();
  if (may("catalogue.read")) await loadCatalogue(); // a lawyer reads only their visits
  const nav = $("#nav");
  nav.replaceChildren(...views().filter((v) => !NOT_IN_NAV.includes(v)).map((v) => el("a", { href: "#" + v, "data-view": v, "data-i18n": "nav_" + v }, t("nav_" + v))));
  nav.hidden = false;
  showIntakeButton();
  if (session.user.role === "citizen" && !citizenReady) { await initCitizen(); citizenReady = true; }
  await snapshots();
  $("#live").hidden = OUTSIDE.includes(session.user.role);
  if (!OUTSIDE.includes(session.user.role)) {
    startLive();
    // Unit positions are not events (too many): the map polls them; crowd levels every 15 s.
    timers.push(setInterval(() => loadUnits().catch(() => {}), 2000), setInterval(() => loadAreas().catch(() => {}), 15000));
  } else if (session.user.role === "citizen") {
    timers.push(setInterval(() => { if (!$("#view-citizen").hidden) showCitizen().catch(() => {}); }, 5000));
  }
  route();
}

function leave(note) {
  stopLive();
  hideIntake();
  timers.splice(0).forEach(clearInterval);
  session.token = null;
  sessionStorage.removeItem("pingan.token");
  document.querySelectorAll(".view").forEach((v) => { v.hidden = true; });
  $("#nav").hidden = true; $("#logout").hidden = true;
  heading();
  $("#login-box").hidden = false;
  const n = $("#login-note"); n.hidden = !note;
  if (note) n.dataset.i18n = note; else delete n.dataset.i18n;
  n.textContent = note ? t(note) : "";
}

session.onExpired = () => { if (session.token) leave("expired"); };

$("#login-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const f = ev.target;
  const err = $("#login-error"); serverText(err, "");
  loginMissing = ["username", "password"].filter((k) => !f.elements[k].value);
  err.textContent = missingText();
  if (loginMissing.length) return;
  try {
    const res = await post("/api/v1/auth/login", { username: f.elements.username.value, password: f.elements.password.value });
    session.token = res.access_token; session.user = res.user;
    sessionStorage.setItem("pingan.token", res.access_token); sessionStorage.setItem("pingan.user", JSON.stringify(res.user));
    f.reset(); $("#login-note").hidden = true;
    await enter();
  } catch (e) { serverText(err, e.message); }
});
$("#logout").addEventListener("click", async () => { try { await post("/api/v1/auth/logout"); } catch { /* already gone */ } leave(); });
$("#lang").addEventListener("click", () => setLang(lang === "zh" ? "en" : "zh"));
window.addEventListener("hashchange", route);

onLive((type, e) => {
  if (type === "resync") { snapshots(); return; }
  const inc = applyEvent(type, e);
  if (inc && type === "incident.received" && SUMMARY_VIEWS.some((v) => !$("#view-" + v).hidden)) loadIncidentDetail(inc.id);
});
async function loadIncidentDetail(id) {
  try { const full = await api(`/api/v1/incidents/${id}`); const cur = state.incidents.get(id); if (cur) { Object.assign(cur, full); } } catch { /* closed meanwhile */ }
}

// Hooks for the browser tests (frame time, dropping the live connection).
window.pingan = { stress, dropLive, live, state, maps, markers };

applyLang();
health();
initQueue(); initBoard(); initCrowd(); initOfficer(); initIntake(); initAdmin();
if (session.token && session.user) {
  api("/api/v1/auth/me").then((me) => { session.user = me; return enter(); }).catch(() => leave(session.token ? "expired" : ""));
} else { leave(); }
