// Pingan first page: health, login, live lists of incidents and units. No external scripts.
"use strict";
const T = {
  zh: { title: "平安 · 城市公安平台", checking: "检查中…", ok: "运行正常", bad: "存储异常", login: "登录",
    logout: "退出", username: "用户名", password: "密码", apidocs: "API 文档", incidents: "警情", units: "警力",
    case: "警情编号", type: "类别", priority: "等级", state: "状态", received: "接警时间", response: "到场用时",
    summary: "描述", none: "暂无", callsign: "呼号", kind: "类型", status: "状态", crew: "人数", area: "区域",
    footer: "离线运行 · 不依赖互联网 · 个人信息脱敏显示", lang: "English" },
  en: { title: "Pingan · City Police Platform", checking: "checking…", ok: "healthy", bad: "store unhealthy",
    login: "Log in", logout: "Log out", username: "Username", password: "Password", apidocs: "API docs",
    incidents: "Incidents", units: "Units", case: "Case", type: "Type", priority: "Priority", state: "State",
    received: "Received", response: "Response", summary: "Summary", none: "None", callsign: "Call sign",
    kind: "Kind", status: "Status", crew: "Crew", area: "Area",
    footer: "Runs offline · no internet needed · personal data masked", lang: "中文" },
};
let lang = localStorage.getItem("pingan.lang") || "zh";
let token = sessionStorage.getItem("pingan.token");
let catalogue = { types: {}, kinds: {}, labels: null };
const $ = (s) => document.querySelector(s);
const t = (k) => (T[lang] && T[lang][k]) || k;

function applyLang() {
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
  $("#lang").textContent = t("lang");
}

async function api(path, opts = {}) {
  const headers = { "Content-Type": "application/json", ...(opts.headers || {}) };
  if (token) headers.Authorization = "Bearer " + token;
  const res = await fetch(path, { ...opts, headers });
  const body = res.status === 204 ? null : await res.json();
  if (!res.ok) { const e = new Error((body && body.detail) || res.statusText); e.status = res.status; throw e; }
  return body;
}

async function health() {
  const el = $("#health");
  try {
    const res = await fetch("/healthz");
    const ok = res.ok;
    el.className = "pill " + (ok ? "ok" : "bad");
    el.dataset.i18n = ok ? "ok" : "bad";
  } catch { el.className = "pill bad"; el.dataset.i18n = "bad"; }
  el.textContent = t(el.dataset.i18n);
}

function fmtTime(iso) { return iso ? new Date(iso).toLocaleString(lang === "zh" ? "zh-CN" : "en-GB", { hour12: false }) : ""; }
function fmtSecs(s) { if (s == null) return ""; const m = Math.floor(s / 60); return `${m}:${String(Math.round(s % 60)).padStart(2, "0")}`; }
function cell(text, cls) { const td = document.createElement("td"); td.textContent = text; if (cls) td.className = cls; return td; }

async function loadCatalogue() {
  const [types, kinds, labels] = await Promise.all([
    api("/api/v1/catalogue/incident-types"), api("/api/v1/catalogue/unit-kinds"), api("/api/v1/catalogue/labels")]);
  types.forEach((x) => { catalogue.types[x.code] = x; });
  kinds.forEach((x) => { catalogue.kinds[x.code] = x; });
  catalogue.labels = labels;
}
const typeName = (c) => { const x = catalogue.types[c]; return x ? (lang === "zh" ? x.name_zh : x.name_en) : c; };
const kindName = (c) => { const x = catalogue.kinds[c]; return x ? (lang === "zh" ? x.name_zh : x.name_en) : c; };
const stateName = (s) => (lang === "zh" && catalogue.labels ? catalogue.labels.incident_states[s] || s : s);
const statusName = (s) => (lang === "zh" && catalogue.labels ? catalogue.labels.unit_statuses[s] || s : s);

async function loadBoard() {
  const page = await api("/api/v1/incidents?limit=50");
  const tbody = $("#incidents tbody"); tbody.replaceChildren();
  page.items.forEach((i) => {
    const tr = document.createElement("tr");
    tr.append(cell(i.case_number), cell(typeName(i.type_code)), cell("P" + i.priority, i.priority === 1 ? "p1" : ""),
      cell(stateName(i.state)), cell(fmtTime(i.received_at)),
      cell(fmtSecs(i.response_seconds), i.response_tier === "late" ? "late" : ""), cell(i.summary));
    tbody.append(tr);
  });
  $("#incidents-empty").hidden = page.items.length > 0;
  try {
    const units = await api("/api/v1/units?limit=200");
    const ub = $("#units tbody"); ub.replaceChildren();
    units.items.forEach((u) => {
      const tr = document.createElement("tr");
      tr.append(cell(u.call_sign), cell(kindName(u.kind)), cell(statusName(u.status)), cell(String(u.crew_size)), cell(u.area_code || ""));
      ub.append(tr);
    });
    $("#units-card").hidden = false;
  } catch (e) { if (e.status === 403) $("#units-card").hidden = true; else throw e; }
}

async function showBoard() {
  try {
    const me = await api("/api/v1/auth/me");
    $("#who").textContent = `${me.display_name} (${me.role})`;
    $("#login-box").hidden = true; $("#board").hidden = false; $("#logout").hidden = false;
    await loadCatalogue(); await loadBoard();
  } catch (e) {
    token = null; sessionStorage.removeItem("pingan.token");
    $("#login-box").hidden = false; $("#board").hidden = true; $("#logout").hidden = true; $("#who").textContent = "";
  }
}

$("#login-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const f = new FormData(ev.target);
  try {
    const r = await api("/api/v1/auth/login", { method: "POST", body: JSON.stringify({ username: f.get("username"), password: f.get("password") }) });
    token = r.access_token; sessionStorage.setItem("pingan.token", token);
    $("#login-error").textContent = ""; await showBoard();
  } catch (e) { $("#login-error").textContent = e.message; }
});
$("#logout").addEventListener("click", async () => {
  try { await api("/api/v1/auth/logout", { method: "POST" }); } catch { /* already gone */ }
  token = null; sessionStorage.removeItem("pingan.token"); await showBoard();
});
$("#lang").addEventListener("click", async () => {
  lang = lang === "zh" ? "en" : "zh"; localStorage.setItem("pingan.lang", lang); applyLang();
  await health(); if (token) await loadBoard();
});

applyLang(); health(); if (token) showBoard();
setInterval(() => { health(); if (token && !$("#board").hidden) loadBoard().catch(() => {}); }, 10000);
