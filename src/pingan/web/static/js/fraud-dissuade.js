// Early warnings and dissuasion (预警劝阻): the warnings board — graded high / medium / low,
// filtered by grade and state, overdue tasks marked — where dispatchers and commanders give a
// task to an officer and import the known fraud numbers and the operator's contact feed; and the
// officer's own tasks, each with the person's number (read on demand, audited) and the outcome
// form that closes the loop. Auditors read the board. The API enforces the same
// (fraud.warn_read, fraud.warn_manage, fraud.warn).
import { api, post, el, $, t, may } from "./core.js";
import { addTexts, fill, word, serverText, lang } from "./i18n.js";
import { onLive } from "./live.js";
import { fraudType } from "./fraud-words.js";

const API = "/api/v1/fraud";
const GRADES = ["high", "medium", "low"];
const STATUSES = ["new", "assigned", "closed"];
const OUTCOMES = ["dissuaded", "unreachable", "refused", "already_lost", "false_alarm"];

addTexts({
  nav_dissuade: "预警劝阻",
  dv_board: "预警看板", dv_grade: "等级", dv_status: "状态", dv_all: "全部", dv_refresh: "刷新", dv_overdue_only: "仅看超时",
  dv_col_no: "预警编号", dv_col_grade: "等级", dv_col_phone: "预警对象", dv_col_reasons: "预警原因", dv_col_status: "状态",
  dv_col_officer: "劝阻民警", dv_col_due: "办理时限", dv_col_action: "指派",
  dv_no_warnings: "暂无预警", dv_overdue: "已超时", dv_due_in: "剩余 {t}", dv_due_at: "{t} 前",
  dv_g_high: "高", dv_g_medium: "中", dv_g_low: "低",
  dv_s_new: "待指派", dv_s_assigned: "劝阻中", dv_s_closed: "已办结",
  dv_o_dissuaded: "劝阻成功", dv_o_unreachable: "联系不上", dv_o_refused: "拒不配合", dv_o_already_lost: "已被骗", dv_o_false_alarm: "误报",
  dv_officer: "民警账号", dv_assign: "指派", dv_reassign: "改派", dv_officer_needed: "请填写民警账号",
  dv_mine: "我的劝阻任务", dv_no_tasks: "暂无劝阻任务", dv_numbers_of: "涉诈号码：{n}", dv_type: "诈骗类型：{t}",
  dv_attempts: "已尝试联系 {n} 次（最近：{t}）", dv_show_phone: "查看号码", dv_phone: "联系电话：{p}",
  dv_outcome: "劝阻结果", dv_note: "情况说明", dv_contacted_at: "联系时间", dv_submit: "提交反馈", dv_note_needed: "请填写情况说明",
  dv_time_needed: "请填写联系时间", dv_result: "结果：{o} · {t}",
  dv_import: "数据导入", dv_numbers_file: "涉诈号码文件（CSV）", dv_import_numbers: "导入涉诈号码",
  dv_feed_file: "运营商通联数据文件（CSV 或 JSON）", dv_import_feed: "导入通联数据", dv_file_needed: "请选择文件",
  dv_numbers_done: "已导入：新增 {added} 个号码，{known} 个已在库中",
  dv_feed_done: "已导入 {stored} 条通联记录；非涉诈号码 {unknown} 条未保存，重复 {dup} 条；新预警 {created} 条，升级 {upgraded} 条",
  dv_bad_json: "文件不是有效的 JSON 记录列表",
}, {
  nav_dissuade: "Dissuasion",
  dv_board: "Warnings board", dv_grade: "Grade", dv_status: "State", dv_all: "All", dv_refresh: "Refresh", dv_overdue_only: "Overdue only",
  dv_col_no: "Warning", dv_col_grade: "Grade", dv_col_phone: "Person", dv_col_reasons: "Why", dv_col_status: "State",
  dv_col_officer: "Officer", dv_col_due: "Due", dv_col_action: "Assign",
  dv_no_warnings: "No warnings", dv_overdue: "Overdue", dv_due_in: "{t} left", dv_due_at: "by {t}",
  dv_g_high: "High", dv_g_medium: "Medium", dv_g_low: "Low",
  dv_s_new: "To assign", dv_s_assigned: "In hand", dv_s_closed: "Closed",
  dv_o_dissuaded: "Dissuaded", dv_o_unreachable: "Unreachable", dv_o_refused: "Refused", dv_o_already_lost: "Already lost money", dv_o_false_alarm: "False alarm",
  dv_officer: "Officer account", dv_assign: "Assign", dv_reassign: "Reassign", dv_officer_needed: "Type the officer's account",
  dv_mine: "My dissuasion tasks", dv_no_tasks: "No tasks", dv_numbers_of: "Fraud numbers: {n}", dv_type: "Fraud type: {t}",
  dv_attempts: "Tried {n} times (last: {t})", dv_show_phone: "Show number", dv_phone: "Phone: {p}",
  dv_outcome: "Outcome", dv_note: "Note", dv_contacted_at: "Contacted at", dv_submit: "Send", dv_note_needed: "Write a note",
  dv_time_needed: "Give the contact time", dv_result: "Result: {o} · {t}",
  dv_import: "Import", dv_numbers_file: "Fraud numbers file (CSV)", dv_import_numbers: "Import numbers",
  dv_feed_file: "Operator's contact feed file (CSV or JSON)", dv_import_feed: "Import feed", dv_file_needed: "Choose a file",
  dv_numbers_done: "Imported: {added} numbers added, {known} already known",
  dv_feed_done: "{stored} contacts stored; {unknown} from unknown numbers not kept, {dup} duplicates; {created} new warnings, {upgraded} raised",
  dv_bad_json: "The file is not a JSON list of items",
});

const desk = { ready: false, now: null };
const grade = (g) => word("dv_g_", g);
const status = (s) => word("dv_s_", s);
const outcomeName = (o) => word("dv_o_", o);
const when = (iso) => (iso ? new Date(iso).toLocaleString(lang === "zh" ? "zh-CN" : "en-GB", { hour12: false,
  month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" }) : "");
const span = (ms) => { const m = Math.max(0, Math.round(ms / 60000)); return `${Math.floor(m / 60)}:${String(m % 60).padStart(2, "0")}`; };

function dueText(w, now) {
  if (w.status === "closed" || !w.due_at) return fill("dv_due_at", { t: when(w.due_at) });
  if (w.overdue) return t("dv_overdue");
  return fill("dv_due_in", { t: span(new Date(w.due_at) - now) });
}

const gradePill = (g) => el("span", { class: "pill dv-grade dv-" + g, "data-grade": g }, grade(g));
const reasons = (w) => w.reasons.map((r) => el("span", { class: "chip", "data-reason": r.code }, r.text));

function init() {
  if (desk.ready) return;
  desk.ready = true;
  ["#dv-grade", "#dv-status", "#dv-overdue"].forEach((s) => $(s).addEventListener("change", () => loadBoard()));
  $("#dv-refresh").addEventListener("click", () => show());
  $("#dv-numbers-form").addEventListener("submit", importNumbers);
  $("#dv-feed-form").addEventListener("submit", importFeed);
  onLive((type) => { if (type === "fraud.warning" && !$("#view-dissuade").hidden) show(); });
}

export async function showDissuade() {
  init();
  const fillSel = (sel, codes, name) => {
    const keep = sel.value;
    sel.replaceChildren(el("option", { value: "" }, t("dv_all")), ...codes.map((c) => el("option", { value: c }, name(c))));
    sel.value = keep;
  };
  fillSel($("#dv-grade"), GRADES, grade);
  fillSel($("#dv-status"), STATUSES, status);
  const manager = may("fraud.warn_manage");
  const worker = may("fraud.warn") && !manager; // an officer: their own tasks
  $("#dv-board-card").hidden = worker;
  $("#dv-import-card").hidden = !manager;
  $("#dv-mine-card").hidden = !worker;
  await (worker ? loadMine() : loadBoard());
}
const show = () => showDissuade();

// -- the board ------------------------------------------------------------------------------------
async function loadBoard() {
  const err = $("#dv-warnings-error"); serverText(err, "");
  const q = new URLSearchParams({ limit: 200 });
  if ($("#dv-grade").value) q.set("grade", $("#dv-grade").value);
  if ($("#dv-status").value) q.set("status", $("#dv-status").value);
  if ($("#dv-overdue").checked) q.set("overdue", "true");
  let page;
  try { page = await api(`${API}/warnings?${q}`); } catch (e) { if (e.status !== 401) serverText(err, e.message); return; }
  const now = new Date(page.now);
  const rows = page.items.map((w) => el("tr", { "data-warning": w.id, "data-grade": w.grade, "data-status": w.status,
    class: w.overdue ? "overdue" : "" },
  el("td", { class: "nowrap" }, w.warning_no), el("td", {}, gradePill(w.grade)), el("td", { class: "nowrap" }, w.person_phone_masked),
  el("td", {}, ...reasons(w)), el("td", { class: "nowrap" }, status(w.status), w.outcome ? ` · ${outcomeName(w.outcome)}` : ""),
  el("td", { class: "nowrap" }, w.assigned_to || ""), el("td", { class: "nowrap dv-due" }, dueText(w, now)),
  el("td", {}, ...(may("fraud.warn_manage") && w.status !== "closed" ? assignControl(w) : []))));
  $("#dv-warnings tbody").replaceChildren(...(rows.length ? rows : [el("tr", {}, el("td", { colspan: 8, class: "hint" }, t("dv_no_warnings")))]));
}

function assignControl(w) {
  const err = el("small", { class: "error", role: "alert" });
  const input = el("input", { name: "officer", maxlength: 64, size: 10, placeholder: t("dv_officer"), "aria-label": t("dv_officer"), value: w.assigned_to || "" });
  const go = el("button", { type: "button", "data-step": "assign", onclick: async () => {
    serverText(err, "");
    const officer = input.value.trim();
    if (!officer) { err.textContent = t("dv_officer_needed"); input.focus(); return; }
    try { await post(`${API}/warnings/${w.id}/assign`, { officer }); } catch (e) { if (e.status !== 401) serverText(err, e.message); return; }
    await loadBoard();
  } }, t(w.assigned_to ? "dv_reassign" : "dv_assign"));
  return [input, go, err];
}

// -- the officer's tasks --------------------------------------------------------------------------
async function loadMine() {
  const err = $("#dv-mine-error"); serverText(err, "");
  let page;
  try { page = await api(`${API}/warnings/mine?limit=100`); } catch (e) { if (e.status !== 401) serverText(err, e.message); return; }
  const now = new Date(page.now);
  const items = page.items.map((w) => task(w, now));
  $("#dv-mine").replaceChildren(...(items.length ? items : [el("p", { class: "hint" }, t("dv_no_tasks"))]));
}

function task(w, now) {
  const box = el("div", { class: "dv-task" + (w.overdue ? " overdue" : ""), "data-warning": w.id, "data-status": w.status },
    el("h3", {}, gradePill(w.grade), " ", w.warning_no, " · ", w.person_phone_masked),
    el("p", {}, ...reasons(w)),
    el("p", { class: "hint" }, fill("dv_numbers_of", { n: w.numbers.join(t("list_sep")) }),
      w.fraud_type ? ` · ${fill("dv_type", { t: fraudType(w.fraud_type) })}` : ""),
    el("p", { class: "dv-due" + (w.overdue ? " late" : "") }, `${t("dv_col_due")}: ${dueText(w, now)}`));
  if (w.attempts) box.append(el("p", { class: "hint dv-attempts" }, fill("dv_attempts", { n: w.attempts, t: when(w.contacted_at) })));
  if (w.status === "closed") {
    box.append(el("p", { class: "dv-result" }, fill("dv_result", { o: outcomeName(w.outcome), t: when(w.contacted_at) })),
      el("p", { class: "hint" }, w.outcome_note || ""));
    return box;
  }
  const phone = el("span", { class: "dv-phone" });
  const reveal = el("button", { type: "button", "data-step": "phone", onclick: async () => {
    try { const r = await api(`${API}/warnings/${w.id}/phone`); phone.textContent = fill("dv_phone", { p: r.phone }); reveal.hidden = true; }
    catch (e) { if (e.status !== 401) serverText(phone, e.message); }
  } }, t("dv_show_phone"));
  box.append(el("p", {}, reveal, " ", phone), outcomeForm(w));
  return box;
}

/** The datetime-local value for now, in the browser's zone. */
const localNow = () => { const d = new Date(); d.setSeconds(0, 0); return new Date(d - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16); };

function outcomeForm(w) {
  const note = el("p", { class: "form-note", role: "alert" });
  const form = el("form", { class: "dv-outcome", novalidate: true },
    el("label", {}, el("span", {}, t("dv_outcome")), " ",
      el("select", { name: "outcome" }, ...OUTCOMES.map((o) => el("option", { value: o }, outcomeName(o))))),
    el("label", {}, el("span", {}, t("dv_contacted_at")), " ", el("input", { type: "datetime-local", name: "contacted_at", value: localNow() })),
    el("label", { class: "dv-note" }, el("span", {}, t("dv_note")), " ", el("textarea", { name: "note", maxlength: 500, rows: 2 })),
    el("button", { type: "submit" }, t("dv_submit")), note);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    serverText(note, "");
    const text = form.elements.note.value.trim(), at = form.elements.contacted_at.value;
    if (!text) { note.textContent = t("dv_note_needed"); form.elements.note.focus(); return; }
    if (!at) { note.textContent = t("dv_time_needed"); return; }
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
  if (!file) { note.textContent = t("dv_file_needed"); return; }
  let got;
  try { got = await post(`${API}/numbers/import`, { csv: file.text }); } catch (e) { if (e.status !== 401) serverText(note, e.message); return; }
  form.reset();
  note.textContent = fill("dv_numbers_done", { added: got.added, known: got.known }); note.classList.add("ok");
}

async function importFeed(ev) {
  ev.preventDefault();
  const form = ev.target, note = form.querySelector(".form-note");
  serverText(note, ""); note.classList.remove("ok");
  const file = await readFile(form);
  if (!file) { note.textContent = t("dv_file_needed"); return; }
  let body = { csv: file.text };
  if (/\.json$/i.test(file.name)) {
    try { body = { items: JSON.parse(file.text) }; } catch { note.textContent = t("dv_bad_json"); return; }
    if (!Array.isArray(body.items)) { note.textContent = t("dv_bad_json"); return; }
  }
  let got;
  try { got = await post(`${API}/contacts/import`, body); } catch (e) { if (e.status !== 401) serverText(note, e.message); return; }
  form.reset();
  note.textContent = fill("dv_feed_done", { stored: got.stored, unknown: got.unknown_numbers, dup: got.duplicates,
    created: got.created.length, upgraded: got.upgraded.length });
  note.classList.add("ok");
  await loadBoard();
}
