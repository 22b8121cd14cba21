// 反诈止付: the police desk for a fraud victim's report. An officer takes the report (victim,
// fraud type, the number that called, the transfers) and the stop orders go to the banks at
// once; the cases list shows each case's golden-time clock; a case's detail shows its
// transfers and orders as the banks answered (stopped with the 48 h left, not stopped with the
// fields that differed, a bank that did not answer with its message and a resend), the next
// steps the API allows (second stop, freeze, renewal, release, resend), ATM revocation, the
// money trail's proposals, money returned, closing. Officers, dispatchers and commanders act
// (fraud.stop, fraud.report); auditors read (fraud.read). The API enforces the same.
import { api, post, el, $, t, may } from "./core.js";
import { addTexts, fill, serverText, word } from "./i18n.js";
import { onLive } from "./live.js";
import { onTick } from "./clocks.js";
import { parseYuan, beijingIso, beijingLocal, beijingText } from "./money.js";
import { API, FRAUD_TYPES, fraudType, channelName, bankName, bankList, loadBanks, yuanWords, mismatchWords, orderState,
  goldenClock, countdown, tickClocks, serverNow, transferRow, numberRows, readTransfers, showRowErrors, showErrors, setReason,
  apiErrors } from "./fraud-words.js";
import { loadNetworks } from "./fraud-networks.js";

const POLL_MS = 3000; // while an order of the open case is being sent
const STATUSES = ["open", "closed"];
const ACTIONS = { second_stop: "second-stop", freeze: "freeze", renew_freeze: "renew", release: "release", resend: "resend" };

addTexts({
  nav_fraud: "反诈止付", fd_title: "反诈止付", fd_new: "受理报案", fd_hide: "收起",
  fd_victim: "受害人", fd_name: "姓名", fd_id_number: "身份证号", fd_phone: "手机号码", fd_fraud_type: "诈骗类型",
  fd_fraud_phone: "诈骗电话或账号（可选）", fd_description: "简要案情", fd_transfers: "转账记录",
  fd_send: "立即向银行发送止付指令", fd_submit: "提交报案", fd_filed: "已受理，案件编号 ", fd_fix: "请改正标红的项目",
  fd_bad_id: "18位身份证号", fd_bad_phone: "11位手机号码",
  fd_cases: "案件", fd_all: "全部状态", fd_st_open: "办理中", fd_st_closed: "已结案", fd_refresh: "刷新", fd_none: "暂无案件",
  fd_col_no: "案件编号", fd_col_type: "诈骗类型", fd_col_victim: "受害人", fd_col_loss: "损失", fd_col_held: "已止付",
  fd_col_golden: "黄金止付时间", fd_col_orders: "止付指令", fd_col_reported: "报案时间",
  fd_pick: "选择一个案件查看止付情况",
  fd_case: "案件 {no}", fd_reported: "报案时间", fd_loss: "损失", fd_held: "已止付金额", fd_returned: "已返还",
  fd_golden_clock: "黄金止付计时", fd_source: "来源", fd_src_officer: "民警受理", fd_src_citizen: "群众自报", fd_src_sim: "模拟",
  fd_t_no: "序号", fd_t_channel: "方式", fd_t_payer: "付款", fd_t_payee: "收款", fd_t_amount: "金额", fd_t_time: "时间",
  fd_t_serial: "流水号", fd_atm_revoke: "撤销 ATM 转账",
  fd_orders: "止付指令", fd_no_orders: "尚未发送止付指令", fd_send_now: "向银行发送止付指令",
  fd_k_stop: "止付", fd_k_freeze: "冻结", fd_k_release: "解除", fd_k_atm_revoke: "ATM 转账撤销", fd_second: "（第二次）",
  fd_o_sending: "正在发送…", fd_o_answered: "银行已反馈", fd_o_unavailable: "银行未应答", fd_o_refused: "银行拒收指令",
  fd_o_stopped: "已止付", fd_o_not_stopped: "未止付", fd_o_already_stopped: "此前已止付", fd_o_stop_limit_reached: "止付次数已满，请冻结",
  fd_o_frozen: "已冻结", fd_o_unknown_account: "账户不存在", fd_o_revoked: "已撤销", fd_o_not_revoked: "未能撤销",
  fd_o_too_late: "已超过撤销时限", fd_o_released: "已解除", fd_o_not_held: "无可解除",
  fd_until: "止付至 {t}，剩余", fd_frozen_until: "冻结至 {t}", fd_mismatch: "信息不符：{fields}", fd_held_fen: "止付金额 {n}",
  fd_tries: "已尝试 {n} 次", fd_rs_not_atm: "不是 ATM 转账", fd_rs_already_revoked: "此前已撤销",
  fd_a_second_stop: "再次止付", fd_a_freeze: "冻结", fd_a_renew_freeze: "续冻", fd_a_release: "解除止付", fd_a_resend: "重新发送",
  fd_reason: "理由", fd_reason_needed: "请写明理由", fd_confirm: "确认", fd_cancel: "取消",
  fd_trail: "资金去向", fd_trail_refresh: "向银行查询资金去向", fd_trail_none: "暂无下一级账户", fd_trail_at: "查询时间 {t}",
  fd_p_account: "账户", fd_p_bank: "银行", fd_p_name: "户名", fd_p_amount: "金额", fd_p_last: "最近转入", fd_p_hop: "层级",
  fd_p_score: "资金占比", fd_stop_this: "止付此账户", fd_ordered: "已发止付指令",
  fd_p_name_needed: "户名（银行未提供，请填写）",
  fd_returns: "资金返还", fd_no_returns: "尚无返还记录", fd_r_amount: "返还金额（元）", fd_r_at: "返还时间（北京时间）",
  fd_r_reference: "文书或凭证号（可选）", fd_r_order: "对应指令（可选）", fd_r_none: "不指定", fd_r_record: "登记返还",
  fd_close: "结案", fd_close_reason: "结案理由", fd_closed: "已结案：{reason}",
  fd_alerts: "止付即将到期", fd_al_stop_expiring: "止付即将到期", fd_al_freeze_expiring: "冻结即将到期", fd_al_atm_window: "ATM 撤销时限将到",
  fd_al_line: "{kind} · {case} · 账户 {account} · 至 {t}",
}, {
  nav_fraud: "Fraud stops", fd_title: "Fraud stop payments", fd_new: "Take a report", fd_hide: "Hide",
  fd_victim: "Victim", fd_name: "Name", fd_id_number: "ID number", fd_phone: "Mobile number", fd_fraud_type: "Kind of fraud",
  fd_fraud_phone: "Number or account that made contact (optional)", fd_description: "What happened", fd_transfers: "Transfers",
  fd_send: "Send the stop orders to the banks now", fd_submit: "File the report", fd_filed: "Filed, case number ",
  fd_fix: "Correct the fields marked in red", fd_bad_id: "an 18-character ID number", fd_bad_phone: "an 11-digit mobile number",
  fd_cases: "Cases", fd_all: "All", fd_st_open: "Open", fd_st_closed: "Closed", fd_refresh: "Refresh", fd_none: "No cases",
  fd_col_no: "Case no.", fd_col_type: "Kind", fd_col_victim: "Victim", fd_col_loss: "Loss", fd_col_held: "Stopped",
  fd_col_golden: "Golden time", fd_col_orders: "Stop orders", fd_col_reported: "Reported",
  fd_pick: "Pick a case to see its stop orders",
  fd_case: "Case {no}", fd_reported: "Reported", fd_loss: "Loss", fd_held: "Held by stops", fd_returned: "Returned",
  fd_golden_clock: "Golden-time clock", fd_source: "Source", fd_src_officer: "taken by an officer", fd_src_citizen: "reported by the victim",
  fd_src_sim: "simulated",
  fd_t_no: "No.", fd_t_channel: "How", fd_t_payer: "From", fd_t_payee: "To", fd_t_amount: "Amount", fd_t_time: "Time",
  fd_t_serial: "Transaction no.", fd_atm_revoke: "Revoke the cash-machine transfer",
  fd_orders: "Stop orders", fd_no_orders: "No stop order sent yet", fd_send_now: "Send stop orders to the banks",
  fd_k_stop: "Stop", fd_k_freeze: "Freeze", fd_k_release: "Release", fd_k_atm_revoke: "Cash-machine revocation", fd_second: " (second)",
  fd_o_sending: "Sending…", fd_o_answered: "Answered", fd_o_unavailable: "The bank did not answer", fd_o_refused: "The bank refused the order",
  fd_o_stopped: "Stopped", fd_o_not_stopped: "Not stopped", fd_o_already_stopped: "Already stopped",
  fd_o_stop_limit_reached: "Stopped twice already: freeze it", fd_o_frozen: "Frozen", fd_o_unknown_account: "No such account",
  fd_o_revoked: "Revoked", fd_o_not_revoked: "Not revoked", fd_o_too_late: "Too late to revoke", fd_o_released: "Released",
  fd_o_not_held: "Nothing held to release",
  fd_until: "stopped until {t}, left", fd_frozen_until: "frozen until {t}", fd_mismatch: "Details differ: {fields}", fd_held_fen: "held {n}",
  fd_tries: "{n} tries", fd_rs_not_atm: "not a cash-machine transfer", fd_rs_already_revoked: "revoked already",
  fd_a_second_stop: "Stop again", fd_a_freeze: "Freeze", fd_a_renew_freeze: "Renew the freeze", fd_a_release: "Release", fd_a_resend: "Resend",
  fd_reason: "Reason", fd_reason_needed: "Say why", fd_confirm: "Confirm", fd_cancel: "Cancel",
  fd_trail: "Where the money went", fd_trail_refresh: "Ask the banks where the money went", fd_trail_none: "No onward account yet",
  fd_trail_at: "asked at {t}",
  fd_p_account: "Account", fd_p_bank: "Bank", fd_p_name: "Name", fd_p_amount: "Amount", fd_p_last: "Last in", fd_p_hop: "Hop",
  fd_p_score: "Share of the money", fd_stop_this: "Stop this account", fd_ordered: "Stop order sent",
  fd_p_name_needed: "Account holder (the bank gave none)",
  fd_returns: "Money returned", fd_no_returns: "Nothing returned yet", fd_r_amount: "Amount returned (yuan)",
  fd_r_at: "Returned at (Beijing time)", fd_r_reference: "Document or receipt no. (optional)", fd_r_order: "For the order (optional)",
  fd_r_none: "none", fd_r_record: "Record the return",
  fd_close: "Close the case", fd_close_reason: "Why it is closed", fd_closed: "Closed: {reason}",
  fd_alerts: "Stops about to end", fd_al_stop_expiring: "Stop ends soon", fd_al_freeze_expiring: "Freeze ends soon",
  fd_al_atm_window: "Cash-machine revocation window ends soon", fd_al_line: "{kind} · {case} · account {account} · until {t}",
});

/** What the desk holds: the cases listed, the case open on the right, its trail. */
const desk = { cases: [], selected: null, detail: null, trail: null, ready: false, poll: null };
/** Names the officer typed for proposed accounts, by case and account: the trail is drawn again
 * whenever the case changes (a bank answers), and what was typed must survive that. */
const typedNames = new Map();
const nameMissing = new Set(); // proposals whose stop was refused for want of a name, by the same key

/** Whether the signed-in role reads the desk (the API enforces it). */
export const mayUseFraudDesk = () => may("fraud.read");
const mayAct = () => may("fraud.stop");
const fail = (node) => (e) => { if (e.status !== 401) serverText(node, e.message); };
const row = (key, ...value) => el("p", { class: "uw-line" }, el("span", { class: "hint" }, t(key) + t("fw_colon")), ...value);
const orderWords = (o) => word("fd_o_", orderState(o));

function init() {
  if (desk.ready) return;
  desk.ready = true;
  $("#fd-new").addEventListener("click", () => toggleForm());
  $("#fd-add").addEventListener("click", () => addRow());
  $("#fd-form").addEventListener("submit", submit);
  $("#fd-status").addEventListener("change", () => loadCases());
  $("#fd-refresh").addEventListener("click", () => refresh());
  onTick(() => { if (!$("#view-fraud").hidden) tickClocks($("#view-fraud")); });
  // an order changed or a hold ends soon: re-read what shows it, once per burst of events
  const due = { alerts: false, open: false, timer: null };
  onLive((type, e) => {
    if (!String(type).startsWith("fraud.") || $("#view-fraud").hidden) return;
    due.alerts ||= type === "fraud.alert";
    due.open ||= Boolean(desk.selected && e && e.case_id === desk.selected);
    due.timer = due.timer || setTimeout(() => {
      const { alerts, open } = due;
      Object.assign(due, { alerts: false, open: false, timer: null });
      loadCases();
      if (alerts) loadAlerts();
      if (open && desk.selected) openCase(desk.selected);
    }, 300);
  });
}

export async function showFraudDesk() {
  init();
  const sel = $("#fd-status"), keep = sel.value;
  sel.replaceChildren(el("option", { value: "" }, t("fd_all")), ...STATUSES.map((s) => el("option", { value: s }, word("fd_st_", s))));
  sel.value = keep;
  $("#fd-new").hidden = !may("fraud.report");
  await loadBanks();
  redrawForm();
  await Promise.all([loadAlerts(), loadCases(), networks()]);
  if (desk.selected) await openCase(desk.selected);
}

/** The mule networks below the cases; a stop sent from them re-reads the cases and the open case. */
const networks = () => loadNetworks((id) => openCase(id), () => { loadCases(); if (desk.selected) openCase(desk.selected); });

async function refresh() { await Promise.all([loadAlerts(), loadCases(), networks()]); if (desk.selected) await openCase(desk.selected); }

// -- the intake form --------------------------------------------------------------------------------
function toggleForm(show) {
  const form = $("#fd-form");
  form.hidden = show === undefined ? !form.hidden : !show;
  $("#fd-new").textContent = t(form.hidden ? "fd_new" : "fd_hide");
  if (!form.hidden && !$("#fd-transfers fieldset")) addRow();
}

/** The selects and the bank list in the page's language, what was typed kept. */
function redrawForm() {
  const form = $("#fd-form"), type = form.elements.fraud_type, keep = type.value;
  type.replaceChildren(el("option", { value: "" }, t("choose")), ...FRAUD_TYPES.map((c) => el("option", { value: c }, fraudType(c))));
  type.value = keep;
  $("#fd-banks").replaceWith(bankList("fd-banks"));
  numberRows($("#fd-transfers"));
  $("#fd-new").textContent = t(form.hidden ? "fd_new" : "fd_hide");
}

function addRow() {
  const list = $("#fd-transfers");
  const box = transferRow({ listId: "fd-banks", onRemove: () => numberRows(list) });
  box.elements.tx_time.value = beijingLocal();
  list.append(box);
  numberRows(list);
  box.elements.payer_account.focus();
}

const VICTIM = { name: /\S/, id_number: /^\d{17}[\dXx]$/, phone: /^1\d{10}$/ };
const VICTIM_WHY = { name: "fw_required", id_number: "fd_bad_id", phone: "fd_bad_phone" };

async function submit(ev) {
  ev.preventDefault();
  const form = ev.target, note = $("#fd-form-note"), list = $("#fd-transfers");
  setReason(note, ""); note.classList.remove("ok");
  const v = Object.fromEntries([...new FormData(form)].map(([k, x]) => [k, String(x).trim()]));
  const top = {};
  for (const [k, re] of Object.entries(VICTIM)) if (!re.test(v[k] || "")) top[k] = VICTIM_WHY[k];
  if (!v.fraud_type) top.fraud_type = "fw_required";
  if (!v.description) top.description = "fw_required";
  const read = readTransfers(list);
  showTop(form, top); showRowErrors(list, read.bad);
  if (Object.keys(top).length || !read.ok) { setReason(note, "fd_fix"); return; }
  const body = { victim: { name: v.name, id_number: v.id_number.toUpperCase(), phone: v.phone }, fraud_type: v.fraud_type,
    fraud_phone: v.fraud_phone || null, description: v.description, area_code: null, transfers: read.transfers,
    send: form.elements.send.checked };
  let made;
  try { made = await post(`${API}/cases`, body); } catch (e) {
    if (e.status === 401) return;
    const bad = apiErrors(e.body);
    showTop(form, bad.top); showRowErrors(list, bad.rows);
    serverText(note, e.message);
    return;
  }
  form.reset(); list.replaceChildren(); addRow();
  setReason(note, "");
  note.replaceChildren(t("fd_filed"), el("b", { class: "case-no" }, made.case_no)); note.classList.add("ok");
  toggleForm(false);
  desk.selected = made.id;
  await loadCases();
  await openCase(made.id, made);
}

const showTop = (form, bad) => showErrors(form.querySelector(".fd-top"), bad);

// -- alerts -------------------------------------------------------------------------------------------
async function loadAlerts() {
  const box = $("#fd-alerts");
  let items = [];
  try { items = (await api(`${API}/alerts`)).items || []; } catch { items = []; }
  box.hidden = !items.length;
  box.replaceChildren(el("b", {}, t("fd_alerts")), el("ul", {}, ...items.map((a) => el("li", { "data-order": a.order_id, "data-kind": a.kind },
    el("a", { href: "#fraud", onclick: (ev) => { ev.preventDefault(); openCase(a.case_id); } },
      fill("fd_al_line", { kind: word("fd_al_", a.kind), case: a.case_no, account: a.payee_account, t: beijingText(a.until) })),
    " ", countdown(a.until)))));
}

// -- the cases list -------------------------------------------------------------------------------
function orderCounts(counts) {
  // answered orders are counted again by their result: the result says more
  return Object.entries(counts || {}).filter(([s, n]) => n && s !== "answered").map(([s, n]) => el("span", { class: "chip fd-st-" + s, "data-state": s }, `${word("fd_o_", s)} ${n}`));
}

async function loadCases() {
  const err = $("#fd-cases-error"); serverText(err, "");
  const q = new URLSearchParams({ limit: 100 });
  if ($("#fd-status").value) q.set("status", $("#fd-status").value);
  let page;
  try { page = await api(`${API}/cases?${q}`); } catch (e) { fail(err)(e); return; }
  desk.cases = page.items || [];
  const rows = desk.cases.map((c) => el("tr", { "data-case": c.id, class: c.id === desk.selected ? "selected" : "", onclick: () => openCase(c.id) },
    el("td", {}, el("button", { type: "button", class: "case", onclick: (ev) => { ev.stopPropagation(); openCase(c.id); } }, c.case_no)),
    el("td", {}, fraudType(c.fraud_type)), el("td", { class: "nowrap" }, c.victim_name_masked || ""),
    el("td", { class: "nowrap num" }, yuanWords(c.loss_fen)), el("td", { class: "nowrap num" }, yuanWords(c.held_fen || 0)),
    el("td", { class: "nowrap" }, goldenClock(c)), el("td", {}, ...orderCounts(c.order_counts)),
    el("td", { class: "nowrap" }, beijingText(c.reported_at))));
  $("#fd-cases tbody").replaceChildren(...(rows.length ? rows : [el("tr", {}, el("td", { colspan: 8, class: "hint" }, t("fd_none")))]));
}

// -- a case -------------------------------------------------------------------------------------------
async function openCase(id, known = null) {
  desk.selected = id;
  document.querySelectorAll("#fd-cases tbody tr").forEach((tr) => tr.classList.toggle("selected", Number(tr.dataset.case) === id));
  const box = $("#fd-detail");
  let c = known;
  if (!c) {
    try { c = await api(`${API}/cases/${id}`); } catch (e) {
      if (e.status === 401) return;
      box.replaceChildren(serverText(el("p", { class: "error", role: "alert" }), e.message)); return;
    }
  }
  if (desk.selected !== id) return; // another case was opened meanwhile
  desk.detail = c;
  serverNow(c.now);
  drawCase(c);
  schedulePoll(c);
  if (desk.trail && desk.trail.case_id === id) drawTrail(c); else loadTrail(c);
}

/** While an order is being sent, read the case again every 3 s (the live feed may be off). */
function schedulePoll(c) {
  clearTimeout(desk.poll); desk.poll = null;
  if (!(c.orders || []).some((o) => o.status === "sending")) return;
  desk.poll = setTimeout(() => {
    if ($("#view-fraud").hidden || desk.selected !== c.id) return;
    openCase(c.id); loadCases();
  }, POLL_MS);
}

function drawCase(c) {
  const act = mayAct() && c.status !== "closed";
  const box = $("#fd-detail");
  box.dataset.case = c.id;
  box.replaceChildren(
    el("h3", {}, `${fill("fd_case", { no: c.case_no })} · ${word("fd_st_", c.status)}`),
    row("fd_golden_clock", goldenClock(c)),
    row("fd_victim", [c.victim_name_masked, c.victim_id_masked, c.victim_phone_masked].filter(Boolean).join(" · ")),
    row("fd_fraud_type", fraudType(c.fraud_type), c.source ? ` · ${word("fd_src_", c.source)}` : ""),
    c.fraud_phone ? row("fd_fraud_phone", c.fraud_phone) : "",
    c.description ? row("fd_description", c.description) : "",
    row("fd_loss", yuanWords(c.loss_fen), " · ", t("fd_held"), t("fw_colon"), yuanWords(c.held_fen || 0), " · ",
      t("fd_returned"), t("fw_colon"), yuanWords(c.returned_fen || 0)),
    row("fd_reported", beijingText(c.reported_at)),
    c.status === "closed" && c.close_reason ? el("p", { class: "hint" }, fill("fd_closed", { reason: c.close_reason })) : "",
    transfersTable(c, act), ordersBox(c, act), el("div", { id: "fd-trail" }), returnsBox(c, act), act ? closeBox(c) : "");
}

function transfersTable(c, act) {
  const head = ["fd_t_no", "fd_t_channel", "fd_t_payer", "fd_t_payee", "fd_t_amount", "fd_t_time", "fd_t_serial", ""];
  return el("div", {}, el("h4", {}, t("fd_transfers")), el("table", { id: "fd-transfer-table" },
    el("thead", {}, el("tr", {}, ...head.map((k) => el("th", {}, k ? t(k) : "")))),
    el("tbody", {}, ...(c.transfers || []).map((x, i) => el("tr", { "data-transfer": x.id },
      el("td", {}, String(i + 1)), el("td", { class: "nowrap" }, channelName(x.channel)),
      el("td", {}, x.payer_account || "", el("br"), el("small", {}, bankName(x.payer_bank))),
      el("td", {}, x.payee_account, " · ", x.payee_name || "", el("br"), el("small", {}, bankName(x.payee_bank))),
      el("td", { class: "nowrap num" }, yuanWords(x.amount_fen)), el("td", { class: "nowrap" }, beijingText(x.tx_time, { seconds: true })),
      el("td", {}, x.serial_no || ""),
      el("td", {}, act && atmOpen(x) ? actButton("fd_atm_revoke", "atm-revoke", () => post(`${API}/transfers/${x.id}/atm-revoke`)) : ""))))));
}

/** An ATM transfer still inside its 24 h revocation window. */
const atmOpen = (x) => x.channel === "atm" && (!x.atm_revocable_until || Date.parse(x.atm_revocable_until) > Date.now());

/** A button that calls the API, then reads the case again (and its trail, after a stop from
 * it); a refusal shown beside it. */
function actButton(key, name, call) {
  const err = el("small", { class: "error", role: "alert" });
  const b = el("button", { type: "button", "data-act": name, onclick: async () => {
    serverText(err, ""); b.disabled = true;
    try { await call(); } catch (e) { b.disabled = false; fail(err)(e); return; }
    if (name === "trail-stop") desk.trail = null;
    await Promise.all([openCase(desk.selected), loadCases(), loadAlerts()]);
  } }, t(key));
  return el("span", { class: "fd-act" }, b, err);
}

function orderLine(o) {
  const s = orderState(o);
  const out = [];
  if (s === "sending") out.push(el("span", { class: "fd-spinner", "aria-hidden": "true" }));
  out.push(el("b", { class: "fd-state" }, orderWords(o)));
  if (o.stop_until && ["stopped", "already_stopped"].includes(s)) out.push(" · ", fill("fd_until", { t: beijingText(o.stop_until) }), " ", countdown(o.stop_until));
  if (o.frozen_until && s === "frozen") out.push(" · ", fill("fd_frozen_until", { t: beijingText(o.frozen_until) }));
  if (o.held_fen) out.push(" · ", fill("fd_held_fen", { n: yuanWords(o.held_fen) }));
  if (o.reason) out.push(" · ", word("fd_rs_", o.reason));
  if ((o.mismatched || []).length) out.push(" · ", el("span", { class: "fd-mismatch" }, fill("fd_mismatch", { fields: mismatchWords(o.mismatched) })));
  if (o.error && ["unavailable", "refused"].includes(s)) out.push(el("div", { class: "fd-error" }, serverText(el("span"), o.error)), o.tries ? el("small", { class: "hint" }, fill("fd_tries", { n: o.tries })) : "");
  return out;
}

function ordersBox(c, act) {
  const orders = c.orders || [];
  const list = el("ul", { id: "fd-orders", class: "cases" }, ...orders.map((o) => {
    const steps = act ? (o.next || []).filter((n) => ACTIONS[n]).map((n) => actionControl(o, n)) : [];
    return el("li", { class: "fd-order", "data-order": o.id, "data-state": orderState(o), "data-kind": o.kind },
      el("div", {}, el("b", {}, word("fd_k_", o.kind), o.stop_count === 2 ? t("fd_second") : ""), ` · ${bankName(o.bank)} · ${o.payee_account}`,
        o.payee_name ? ` · ${o.payee_name}` : "", ` · ${yuanWords(o.amount_fen)}`, el("small", { class: "hint" }, ` · ${o.order_no}`)),
      el("div", { class: "fd-order-state" }, ...orderLine(o)), steps.length ? el("div", { class: "fd-next" }, ...steps) : "");
  }));
  const sendNow = act && !orders.length && (c.transfers || []).length
    ? actButton("fd_send_now", "send", () => post(`${API}/cases/${c.id}/stops`, { transfer_ids: null })) : "";
  return el("div", {}, el("h4", {}, t("fd_orders")), orders.length ? list : el("p", { class: "hint" }, t("fd_no_orders")), sendNow);
}

/** One of order.next as a button; a release asks for its reason first. */
function actionControl(o, step) {
  const path = `${API}/orders/${o.id}/${ACTIONS[step]}`;
  if (step !== "release") return actButton("fd_a_" + step, step, () => post(path));
  const err = el("small", { class: "error", role: "alert" });
  const reason = el("input", { name: "reason", maxlength: 200, placeholder: t("fd_reason"), "aria-label": t("fd_reason") });
  const confirm = el("span", { class: "fd-confirm", hidden: true }, reason,
    el("button", { type: "button", "data-act": "release-confirm", onclick: async () => {
      if (!reason.value.trim()) { err.textContent = t("fd_reason_needed"); reason.focus(); return; }
      try { await post(path, { reason: reason.value.trim() }); } catch (e) { fail(err)(e); return; }
      await Promise.all([openCase(desk.selected), loadCases(), loadAlerts()]);
    } }, t("fd_confirm")),
    el("button", { type: "button", onclick: () => { confirm.hidden = true; } }, t("fd_cancel")));
  return el("span", { class: "fd-act fd-release" }, el("button", { type: "button", "data-act": "release", onclick: () => { confirm.hidden = false; reason.focus(); } }, t("fd_a_release")), confirm, err);
}

// -- the money trail ----------------------------------------------------------------------------------
async function loadTrail(c) {
  desk.trail = null;
  try { desk.trail = { ...(await api(`${API}/cases/${c.id}/trail`)), case_id: c.id }; } catch { desk.trail = null; }
  if (desk.selected === c.id) drawTrail(c);
}

function drawTrail(c) {
  const box = $("#fd-trail");
  if (!box) return;
  const tr = desk.trail, act = mayAct() && c.status !== "closed";
  const err = el("small", { class: "error", role: "alert" });
  const out = [el("h4", {}, t("fd_trail"))];
  if (act) {
    out.push(el("button", { type: "button", "data-act": "trail-refresh", onclick: async () => {
      serverText(err, "");
      try { await post(`${API}/cases/${c.id}/trail/refresh`); } catch (e) { fail(err)(e); return; }
      await loadTrail(c);
    } }, t("fd_trail_refresh")), err);
  }
  const props = (tr && tr.proposals) || [];
  if (tr && tr.fetched_at) out.push(el("p", { class: "hint" }, fill("fd_trail_at", { t: beijingText(tr.fetched_at) })));
  for (const why of (tr && tr.errors) || []) out.push(serverText(el("p", { class: "error" }), why));
  if (!props.length) out.push(el("p", { class: "hint" }, t("fd_trail_none")));
  else {
    const head = ["fd_p_account", "fd_p_bank", "fd_p_name", "fd_p_amount", "fd_p_last", "fd_p_hop", "fd_p_score", ""];
    out.push(el("table", { id: "fd-proposals" }, el("thead", {}, el("tr", {}, ...head.map((k) => el("th", {}, k ? t(k) : "")))),
      el("tbody", {}, ...props.map((p) => el("tr", { "data-account": p.account },
        el("td", {}, p.account), el("td", {}, bankName(p.bank)), el("td", {}, p.name || ""), el("td", { class: "nowrap num" }, yuanWords(p.amount_fen)),
        el("td", { class: "nowrap" }, beijingText(p.last_at)), el("td", {}, String(p.hop ?? "")),
        el("td", {}, p.score == null ? "" : `${Math.round(p.score * 100)}%`),
        el("td", {}, p.ordered ? t("fd_ordered") : act ? trailStop(c, p) : ""))))));
  }
  box.replaceChildren(...out);
}

/** Stop a proposed account; the bank's onward report names no account holder, so where the
 * proposal has no name the officer types it (the bank checks it). */
function trailStop(c, p) {
  const key = `${c.id}:${p.account}`;
  const name = p.name ? null : el("input", { name: "name", maxlength: 100, size: 10, value: typedNames.get(key) || "",
    placeholder: t("fd_p_name_needed"), "aria-label": t("fd_p_name_needed"),
    oninput: (ev) => { typedNames.set(key, ev.target.value); nameMissing.delete(key); } });
  const button = actButton("fd_stop_this", "trail-stop", () => {
    if (name && !name.value.trim()) { nameMissing.add(key); name.focus(); throw Object.assign(new Error(t("fd_p_name_needed")), { status: 0 }); }
    return post(`${API}/cases/${c.id}/trail/stop`, name ? { account: p.account, name: name.value.trim() } : { account: p.account });
  });
  if (nameMissing.has(key)) serverText(button.querySelector(".error"), t("fd_p_name_needed")); // survives a redraw
  return name ? el("span", { class: "fd-act" }, name, button) : button;
}

// -- returns and closing --------------------------------------------------------------------------------
function returnsBox(c, act) {
  const list = (c.returns || []).map((r) => el("li", { "data-return": r.id }, `${yuanWords(r.amount_fen)} · ${beijingText(r.returned_at)}`,
    r.reference ? ` · ${r.reference}` : ""));
  const out = [el("h4", {}, t("fd_returns")), list.length ? el("ul", { id: "fd-returns", class: "cases" }, ...list) : el("p", { class: "hint" }, t("fd_no_returns"))];
  if (!act) return el("div", {}, ...out);
  const err = el("small", { class: "error", role: "alert" });
  const stops = (c.orders || []).filter((o) => o.held_fen);
  const form = el("form", { id: "fd-return-form", class: "inline", novalidate: true },
    el("label", {}, el("span", {}, t("fd_r_amount")), el("input", { name: "amount", inputmode: "decimal", size: 12 })),
    el("label", {}, el("span", {}, t("fd_r_at")), el("input", { name: "returned_at", type: "datetime-local", value: beijingLocal() })),
    el("label", {}, el("span", {}, t("fd_r_reference")), el("input", { name: "reference", maxlength: 100, size: 14 })),
    el("label", {}, el("span", {}, t("fd_r_order")), el("select", { name: "order_id" }, el("option", { value: "" }, t("fd_r_none")),
      ...stops.map((o) => el("option", { value: o.id }, `${o.payee_account} · ${yuanWords(o.held_fen)}`)))),
    el("button", { type: "submit" }, t("fd_r_record")), err);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault(); serverText(err, "");
    const amount = parseYuan(form.elements.amount.value), at = beijingIso(form.elements.returned_at.value);
    if (amount.error) { err.textContent = t("fw_amount_" + amount.error); return; }
    if (!at) { err.textContent = t("fw_bad_time"); return; }
    const body = { amount_fen: amount.fen, returned_at: at, reference: form.elements.reference.value.trim() || null,
      order_id: form.elements.order_id.value ? Number(form.elements.order_id.value) : null };
    try { await post(`${API}/cases/${c.id}/returns`, body); } catch (e) { fail(err)(e); return; }
    await Promise.all([openCase(c.id), loadCases()]);
  });
  return el("div", {}, ...out, form);
}

function closeBox(c) {
  const err = el("small", { class: "error", role: "alert" });
  const reason = el("input", { name: "reason", maxlength: 200, "aria-label": t("fd_close_reason"), placeholder: t("fd_close_reason") });
  return el("div", { class: "fd-close" }, el("h4", {}, t("fd_close")), reason,
    el("button", { type: "button", "data-act": "close", onclick: async () => {
      serverText(err, "");
      if (!reason.value.trim()) { err.textContent = t("fd_reason_needed"); reason.focus(); return; }
      try { await post(`${API}/cases/${c.id}/close`, { reason: reason.value.trim() }); } catch (e) { fail(err)(e); return; }
      await Promise.all([openCase(c.id), loadCases(), loadAlerts()]);
    } }, t("fd_close")), err);
}
