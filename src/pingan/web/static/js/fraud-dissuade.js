// Early warnings and dissuasion (预警劝阻): the warnings board — graded high / medium / low,
// filtered by grade and state, overdue tasks marked — where dispatchers and commanders give a
// task to an officer and import the known fraud numbers and the operator's contact feed; and the
// officer's own tasks, each with the person's number (read on demand, audited) and the outcome
// form that closes the loop. Auditors read the board. The API enforces the same
// (fraud.warn_read, fraud.warn_manage, fraud.warn).
import { api, post, el, $, t, may } from "./core.js";
import { addTexts, fill, word, serverText, lang } from "./i18n.js";
import { onLive } from "./live.js";

const API = "/api/v1/fraud";
const GRADES = ["high", "medium", "low"];
const STATUSES = ["new", "assigned", "closed"];
const OUTCOMES = ["dissuaded", "unreachable", "refused", "already_lost", "false_alarm"];

addTexts({
  nav_dissuade: "预警劝阻",
  fd_board: "预警看板", fd_grade: "等级", fd_status: "状态", fd_all: "全部", fd_refresh: "刷新", fd_overdue_only: "仅看超时",
  fd_col_no: "预警编号", fd_col_grade: "等级", fd_col_phone: "预警对象", fd_col_reasons: "预警原因", fd_col_status: "状态",
  fd_col_officer: "劝阻民警", fd_col_due: "办理时限", fd_col_action: "指派",
  fd_no_warnings: "暂无预警", fd_overdue: "已超时", fd_due_in: "剩余 {t}", fd_due_at: "{t} 前",
  fd_g_high: "高", fd_g_medium: "中", fd_g_low: "低",
  fd_s_new: "待指派", fd_s_assigned: "劝阻中", fd_s_closed: "已办结",
  fd_o_dissuaded: "劝阻成功", fd_o_unreachable: "联系不上", fd_o_refused: "拒不配合", fd_o_already_lost: "已被骗", fd_o_false_alarm: "误报",
  fd_officer: "民警账号", fd_assign: "指派", fd_reassign: "改派", fd_officer_needed: "请填写民警账号",
  fd_mine: "我的劝阻任务", fd_no_tasks: "暂无劝阻任务", fd_numbers_of: "涉诈号码：{n}", fd_type: "诈骗类型：{t}",
  fd_attempts: "已尝试联系 {n} 次（最近：{t}）", fd_show_phone: "查看号码", fd_phone: "联系电话：{p}",
  fd_outcome: "劝阻结果", fd_note: "情况说明", fd_contacted_at: "联系时间", fd_submit: "提交反馈", fd_note_needed: "请填写情况说明",
  fd_time_needed: "请填写联系时间", fd_result: "结果：{o} · {t}",
  fd_import: "数据导入", fd_numbers_file: "涉诈号码文件（CSV）", fd_import_numbers: "导入涉诈号码",
  fd_feed_file: "运营商通联数据文件（CSV 或 JSON）", fd_import_feed: "导入通联数据", fd_file_needed: "请选择文件",
  fd_numbers_done: "已导入：新增 {added} 个号码，{known} 个已在库中",
  fd_feed_done: "已导入 {stored} 条通联记录；非涉诈号码 {unknown} 条未保存，重复 {dup} 条；新预警 {created} 条，升级 {upgraded} 条",
  fd_bad_json: "文件不是有效的 JSON 记录列表",
  ft_rebate: "刷单返利", ft_investment: "虚假投资理财", ft_loan: "虚假网络贷款", ft_customer_service: "冒充电商物流客服",
  ft_authority: "冒充公检法", ft_game: "网络游戏产品虚假交易", ft_credit: "虚假征信", ft_acquaintance: "冒充领导熟人",
  ft_romance: "网络婚恋交友", ft_other: "其他",
}, {
  nav_dissuade: "Dissuasion",
  fd_board: "Warnings board", fd_grade: "Grade", fd_status: "State", fd_all: "All", fd_refresh: "Refresh", fd_overdue_only: "Overdue only",
  fd_col_no: "Warning", fd_col_grade: "Grade", fd_col_phone: "Person", fd_col_reasons: "Why", fd_col_status: "State",
  fd_col_officer: "Officer", fd_col_due: "Due", fd_col_action: "Assign",
  fd_no_warnings: "No warnings", fd_overdue: "Overdue", fd_due_in: "{t} left", fd_due_at: "by {t}",
  fd_g_high: "High", fd_g_medium: "Medium", fd_g_low: "Low",
  fd_s_new: "To assign", fd_s_assigned: "In hand", fd_s_closed: "Closed",
  fd_o_dissuaded: "Dissuaded", fd_o_unreachable: "Unreachable", fd_o_refused: "Refused", fd_o_already_lost: "Already lost money", fd_o_false_alarm: "False alarm",
  fd_officer: "Officer account", fd_assign: "Assign", fd_reassign: "Reassign", fd_officer_needed: "Type the officer's account",
  fd_mine: "My dissuasion tasks", fd_no_tasks: "No tasks", fd_numbers_of: "Fraud numbers: {n}", fd_type: "Fraud type: {t}",
  fd_attempts: "Tried {n} times (last: {t})", fd_show_phone: "Show number", fd_phone: "Phone: {p}",
  fd_outcome: "Outcome", fd_note: "Note", fd_contacted_at: "Contacted at", fd_submit: "Send", fd_note_needed: "Write a note",
  fd_time_needed: "Give the contact time", fd_result: "Result: {o} · {t}",
  fd_import: "Import", fd_numbers_file: "Fraud numbers file (CSV)", fd_import_numbers: "Import numbers",
  fd_feed_file: "Operator's contact feed file (CSV or JSON)", fd_import_feed: "Import feed", fd_file_needed: "Choose a file",
  fd_numbers_done: "Imported: {added} numbers added, {known} already known",
  fd_feed_done: "{stored} contacts stored; {unknown} from unknown numbers not kept, {dup} duplicates; {created} new warnings, {upgraded} raised",
  fd_bad_json: "The file is not a JSON list of items",
  ft_rebate: "Fake order rebates", ft_investment: "Fake investment", ft_loan: "Fake online loan", ft_customer_service: "Fake customer service",
  ft_authority: "Posing as police or courts", ft_game: "Fake game trading", ft_credit: "Fake credit records", ft_acquaintance: "Posing as a boss or friend",
  ft_romance: "Online romance", ft_other: "Other",
});

const desk = { ready: false, now: null };
const grade = (g) => word("fd_g_", g);
const status = (s) => word("fd_s_", s);
const outcomeName = (o) => word("fd_o_", o);
const when = (iso) => (iso ? new Date(iso).toLocaleString(lang === "zh" ? "zh-CN" : "en-GB", { hour12: false,
  month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" }) : "");
const span = (ms) => { const m = Math.max(0, Math.round(ms / 60000)); return `${Math.floor(m / 60)}:${String(m % 60).padStart(2, "0")}`; };

function dueText(w, now) {
  if (w.status === "closed" || !w.due_at) return fill("fd_due_at", { t: when(w.due_at) });
  if (w.overdue) return t("fd_overdue");
  return fill("fd_due_in", { t: span(new Date(w.due_at) - now) });
}

const gradePill = (g) => el("span", { class: "pill fd-grade fd-" + g, "data-grade": g }, grade(g));
const reasons = (w) => w.reasons.map((r) => el("span", { class: "chip", "data-reason": r.code }, r.text));

function init() {
  if (desk.ready) return;
  desk.ready = true;
  ["#fd-grade", "#fd-status", "#fd-overdue"].forEach((s) => $(s).addEventListener("change", () => loadBoard()));
  $("#fd-refresh").addEventListener("click", () => show());
  $("#fd-numbers-form").addEventListener("submit", importNumbers);
  $("#fd-feed-form").addEventListener("submit", importFeed);
  onLive((type) => { if (type === "fraud.warning" && !$("#view-dissuade").hidden) show(); });
}

export async function showDissuade() {
  init();
  const fillSel = (sel, codes, name) => {
    const keep = sel.value;
    sel.replaceChildren(el("option", { value: "" }, t("fd_all")), ...codes.map((c) => el("option", { value: c }, name(c))));
    sel.value = keep;
  };
  fillSel($("#fd-grade"), GRADES, grade);
  fillSel($("#fd-status"), STATUSES, status);
  const manager = may("fraud.warn_manage");
  const worker = may("fraud.warn") && !manager; // an officer: their own tasks
  $("#fd-board-card").hidden = worker;
  $("#fd-import-card").hidden = !manager;
  $("#fd-mine-card").hidden = !worker;
  await (worker ? loadMine() : loadBoard());
}
const show = () => showDissuade();

// -- the board ------------------------------------------------------------------------------------
async function loadBoard() {
  const err = $("#fd-warnings-error"); serverText(err, "");
  const q = new URLSearchParams({ limit: 200 });
  if ($("#fd-grade").value) q.set("grade", $("#fd-grade").value);
  if ($("#fd-status").value) q.set("status", $("#fd-status").value);
  if ($("#fd-overdue").checked) q.set("overdue", "true");
  let page;
  try { page = await api(`${API}/warnings?${q}`); } catch (e) { if (e.status !== 401) serverText(err, e.message); return; }
  const now = new Date(page.now);
  const rows = page.items.map((w) => el("tr", { "data-warning": w.id, "data-grade": w.grade, "data-status": w.status,
    class: w.overdue ? "overdue" : "" },
  el("td", { class: "nowrap" }, w.warning_no), el("td", {}, gradePill(w.grade)), el("td", { class: "nowrap" }, w.person_phone_masked),
  el("td", {}, ...reasons(w)), el("td", { class: "nowrap" }, status(w.status), w.outcome ? ` · ${outcomeName(w.outcome)}` : ""),
  el("td", { class: "nowrap" }, w.assigned_to || ""), el("td", { class: "nowrap fd-due" }, dueText(w, now)),
  el("td", {}, ...(may("fraud.warn_manage") && w.status !== "closed" ? assignControl(w) : []))));
  $("#fd-warnings tbody").replaceChildren(...(rows.length ? rows : [el("tr", {}, el("td", { colspan: 8, class: "hint" }, t("fd_no_warnings")))]));
}

function assignControl(w) {
  const err = el("small", { class: "error", role: "alert" });
  const input = el("input", { name: "officer", maxlength: 64, size: 10, placeholder: t("fd_officer"), "aria-label": t("fd_officer"), value: w.assigned_to || "" });
  const go = el("button", { type: "button", "data-step": "assign", onclick: async () => {
    serverText(err, "");
    const officer = input.value.trim();
    if (!officer) { err.textContent = t("fd_officer_needed"); input.focus(); return; }
    try { await post(`${API}/warnings/${w.id}/assign`, { officer }); } catch (e) { if (e.status !== 401) serverText(err, e.message); return; }
    await loadBoard();
  } }, t(w.assigned_to ? "fd_reassign" : "fd_assign"));
  return [input, go, err];
}

// -- the officer's tasks --------------------------------------------------------------------------
async function loadMine() {
  const err = $("#fd-mine-error"); serverText(err, "");
  let page;
  try { page = await api(`${API}/warnings/mine?limit=100`); } catch (e) { if (e.status !== 401) serverText(err, e.message); return; }
  const now = new Date(page.now);
  const items = page.items.map((w) => task(w, now));
  $("#fd-mine").replaceChildren(...(items.length ? items : [el("p", { class: "hint" }, t("fd_no_tasks"))]));
}

function task(w, now) {
  const box = el("div", { class: "fd-task" + (w.overdue ? " overdue" : ""), "data-warning": w.id, "data-status": w.status },
    el("h3", {}, gradePill(w.grade), " ", w.warning_no, " · ", w.person_phone_masked),
    el("p", {}, ...reasons(w)),
    el("p", { class: "hint" }, fill("fd_numbers_of", { n: w.numbers.join(t("list_sep")) }),
      w.fraud_type ? ` · ${fill("fd_type", { t: word("ft_", w.fraud_type) })}` : ""),
    el("p", { class: "fd-due" + (w.overdue ? " late" : "") }, `${t("fd_col_due")}: ${dueText(w, now)}`));
  if (w.attempts) box.append(el("p", { class: "hint fd-attempts" }, fill("fd_attempts", { n: w.attempts, t: when(w.contacted_at) })));
  if (w.status === "closed") {
    box.append(el("p", { class: "fd-result" }, fill("fd_result", { o: outcomeName(w.outcome), t: when(w.contacted_at) })),
      el("p", { class: "hint" }, w.outcome_note || ""));
    return box;
  }
  const phone = el("span", { class: "fd-phone" });
  const reveal = el("button", { type: "button", "data-step": "phone", onclick: async () => {
    try { const r = await api(`${API}/warnings/${w.id}/phone`); phone.textContent = fill("fd_phone", { p: r.phone }); reveal.hidden = true; }
    catch (e) { if (e.status !== 401) serverText(phone, e.message); }
  } }, t("fd_show_phone"));
  box.append(el("p", {}, reveal, " ", phone), outcomeForm(w));
  return box;
}

/** The datetime-local value for now, in the browser's zone. */
const localNow = () => { const d = new Date(); d.setSeconds(0, 0); return new Date(d - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16); };

function outcomeForm(w) {
  const note = el("p", { class: "form-note", role: "alert" });
  const form = el("form", { class: "fd-outcome", novalidate: true },
    el("label", {}, el("span", {}, t("fd_outcome")), " ",
      el("select", { name: "outcome" }, ...OUTCOMES.map((o) => el("option", { value: o }, outcomeName(o))))),
    el("label", {}, el("span", {}, t("fd_contacted_at")), " ", el("input", { type: "datetime-local", name: "contacted_at", value: localNow() })),
    el("label", { class: "fd-note" }, el("span", {}, t("fd_note")), " ", el("textarea", { name: "note", maxlength: 500, rows: 2 })),
    el("button", { type: "submit" }, t("fd_submit")), note);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    serverText(note, "");
    const text = form.elements.note.value.trim(), at = form.elements.contacted_at.value;
    if (!text) { note.textContent = t("fd_note_needed"); form.elements.note.focus(); return; }
    if (!at) { note.textContent = t("fd_time_needed"); return; }
    const body = { outcome: form.elements.outcome.value, note: text, contacted_at: new Date(at).toISOString() };
    try { await post(`${API}/warnings/${w.id}/outcome`, body); } catch (e) { if (e.status !== 401) serverText(note, e.message); return; }
    await loadMine();
  });
  return form;
}

// -- imports ----------------------------------------------------------------------------------------
async function readFile(form) {
  const file = form.elements.file.files[0];
  return file ? { name: file.name, text: await file.text() } : null;
}

async function importNumbers(ev) {
  ev.preventDefault();
  const form = ev.target, note = form.querySelector(".form-note");
  serverText(note, ""); note.classList.remove("ok");
  const file = await readFile(form);
  if (!file) { note.textContent = t("fd_file_needed"); return; }
  let got;
  try { got = await post(`${API}/numbers/import`, { csv: file.text }); } catch (e) { if (e.status !== 401) serverText(note, e.message); return; }
  form.reset();
  note.textContent = fill("fd_numbers_done", { added: got.added, known: got.known }); note.classList.add("ok");
}

async function importFeed(ev) {
  ev.preventDefault();
  const form = ev.target, note = form.querySelector(".form-note");
  serverText(note, ""); note.classList.remove("ok");
  const file = await readFile(form);
  if (!file) { note.textContent = t("fd_file_needed"); return; }
  let body = { csv: file.text };
  if (/\.json$/i.test(file.name)) {
    try { body = { items: JSON.parse(file.text) }; } catch { note.textContent = t("fd_bad_json"); return; }
    if (!Array.isArray(body.items)) { note.textContent = t("fd_bad_json"); return; }
  }
  let got;
  try { got = await post(`${API}/contacts/import`, body); } catch (e) { if (e.status !== 401) serverText(note, e.message); return; }
  form.reset();
  note.textContent = fill("fd_feed_done", { stored: got.stored, unknown: got.unknown_numbers, dup: got.duplicates,
    created: got.created.length, upgraded: got.upgraded.length });
  note.classList.add("ok");
  await loadBoard();
}
