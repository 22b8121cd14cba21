// 反诈报案: a resident (or a volunteer) reports their own loss to fraud from the phone: who they
// are, what the fraudster claimed, each transfer they made; the police send the stop orders to
// the banks once an officer has checked the report (a resident's report sends none itself:
// stop orders carry the police seal). "My reports" shows each report's golden-time clock and
// what the banks did, in plain words. Advice first: call 96110 or 110, transfer nothing more.
// Citizens have no live feed: the list is read again every 5 s while the page is open.
import { api, post, el, $, t } from "./core.js";
import { addTexts, fill, serverText, word } from "./i18n.js";
import { beijingLocal, beijingText } from "./money.js";
import { API, FRAUD_TYPES, fraudType, bankList, loadBanks, yuanWords, orderState, goldenClock, tickClocks, serverNow,
  transferRow, numberRows, readTransfers, showRowErrors, showErrors, setReason, apiErrors } from "./fraud-words.js";
import { onTick } from "./clocks.js";

const POLL_MS = 5000;
// the simpler words of the resident's transfer rows (js/fraud-words.js transferRow)
const WORDS = { channel: "fr_channel", payer_account: "fr_payer_account", payer_bank: "fr_payer_bank", payee_account: "fr_payee_account",
  payee_name: "fr_payee_name", payee_bank: "fr_payee_bank", amount: "fr_amount", tx_time: "fr_tx_time", serial_no: "fr_serial_no" };

addTexts({
  nav_fraudreport: "反诈报案", fr_title: "反诈报案",
  fr_advice_call: "被骗了？请立即拨打 96110 或 110，并在这里填写转账信息，警方会马上通知银行止付。",
  fr_advice_stop: "不要再向对方转账，不要相信“解冻费”“保证金”“刷流水”等任何理由；保留聊天记录和转账凭证。",
  fr_name: "您的姓名", fr_id_number: "您的身份证号", fr_phone: "您的手机号码", fr_fraud_type: "对方用的是什么说法",
  fr_fraud_phone: "对方的电话或账号（如知道）", fr_description: "经过（可不填，简单说说发生了什么）", fr_transfers: "您转出的钱",
  fr_add: "还转过一笔", fr_submit: "报案并请求止付", fr_mine: "我的报案", fr_none: "暂无报案",
  fr_channel: "怎么转的", fr_payer_account: "您的卡号或账号", fr_payer_bank: "您的银行", fr_payee_account: "对方的卡号或账号",
  fr_payee_name: "对方户名（收款人姓名）", fr_payee_bank: "对方的银行或支付平台", fr_amount: "转了多少钱（元）",
  fr_tx_time: "转账时间（看银行短信或转账记录）", fr_serial_no: "交易单号（可不填）",
  fr_bad_id: "请填写18位身份证号", fr_bad_phone: "请填写11位手机号码", fr_fix: "请改正标红的项目",
  fr_sent: "已报案，案件编号 ", fr_sent_more: "。民警核实后会立即通知银行止付，请保持电话畅通。",
  fr_case: "案件编号", fr_clock: "从转账起已过", fr_loss: "被骗金额", fr_held: "已止付", fr_returned: "已退回",
  fr_st_open: "警方处理中", fr_st_closed: "已结案", fr_orders: "银行止付：", fr_no_orders: "民警核实后发送止付指令",
  fr_o_sending: "受理中", fr_o_unavailable: "受理中", fr_o_refused: "受理中", fr_o_answered: "银行已答复",
  fr_o_stopped: "已止付", fr_o_already_stopped: "已止付", fr_o_stop_limit_reached: "已止付", fr_o_frozen: "已冻结",
  fr_o_not_stopped: "未能止付", fr_o_unknown_account: "未能止付", fr_o_not_held: "未能止付",
  fr_o_revoked: "已撤回", fr_o_not_revoked: "未能撤回", fr_o_too_late: "未能撤回", fr_o_released: "已解除止付",
  fr_count: "{state} {n} 笔",
}, {
  nav_fraudreport: "Report fraud", fr_title: "Report fraud",
  fr_advice_call: "Tricked into paying? Call 96110 or 110 now, and enter your transfers here: the police tell the banks to stop the money at once.",
  fr_advice_stop: "Transfer nothing more, whatever the reason given (\"unfreezing fee\", \"deposit\", \"turnover\"); keep the chat messages and receipts.",
  fr_name: "Your name", fr_id_number: "Your ID number", fr_phone: "Your mobile number", fr_fraud_type: "What did they claim",
  fr_fraud_phone: "Their phone number or account (if you know it)", fr_description: "What happened (optional, in a few words)",
  fr_transfers: "The money you sent", fr_add: "I sent another payment", fr_submit: "Report and ask for a stop", fr_mine: "My reports",
  fr_none: "No reports yet",
  fr_channel: "How you paid", fr_payer_account: "Your card or account number", fr_payer_bank: "Your bank",
  fr_payee_account: "Their card or account number", fr_payee_name: "Their account name", fr_payee_bank: "Their bank or payment app",
  fr_amount: "How much (yuan)", fr_tx_time: "When (see the bank's text message or the receipt)", fr_serial_no: "Transaction number (optional)",
  fr_bad_id: "Enter your 18-character ID number", fr_bad_phone: "Enter your 11-digit mobile number", fr_fix: "Correct the fields marked in red",
  fr_sent: "Reported, case number ", fr_sent_more: ". Once an officer has checked it, the police tell the banks to stop the money; keep your phone on.",
  fr_case: "Case number", fr_clock: "Time since the transfer", fr_loss: "Lost", fr_held: "Stopped", fr_returned: "Returned",
  fr_st_open: "Police on it", fr_st_closed: "Closed", fr_orders: "Bank stops: ", fr_no_orders: "An officer checks the report, then sends the stop orders",
  fr_o_sending: "Being handled", fr_o_unavailable: "Being handled", fr_o_refused: "Being handled", fr_o_answered: "The bank has answered",
  fr_o_stopped: "Stopped", fr_o_already_stopped: "Stopped", fr_o_stop_limit_reached: "Stopped", fr_o_frozen: "Frozen",
  fr_o_not_stopped: "Could not be stopped", fr_o_unknown_account: "Could not be stopped", fr_o_not_held: "Could not be stopped",
  fr_o_revoked: "Taken back", fr_o_not_revoked: "Could not be taken back", fr_o_too_late: "Could not be taken back",
  fr_o_released: "Stop lifted", fr_count: "{state}: {n}",
});

let ready = false;
const plain = (state) => word("fr_o_", state);

function init() {
  if (ready) return;
  ready = true;
  $("#fr-add").addEventListener("click", () => addRow());
  $("#fr-form").addEventListener("submit", submit);
  onTick(() => { if (!$("#view-fraudreport").hidden) tickClocks($("#view-fraudreport")); });
  setInterval(() => { if (!$("#view-fraudreport").hidden) drawMine().catch(() => {}); }, POLL_MS);
}

export async function showFraudReport() {
  init();
  await loadBanks();
  const type = $("#fr-form").elements.fraud_type, keep = type.value;
  type.replaceChildren(el("option", { value: "" }, t("choose")), ...FRAUD_TYPES.map((c) => el("option", { value: c }, fraudType(c))));
  type.value = keep;
  $("#fr-banks").replaceWith(bankList("fr-banks"));
  if (!$("#fr-transfers fieldset")) addRow(false); else numberRows($("#fr-transfers"));
  await drawMine();
}

function addRow(focus = true) {
  const list = $("#fr-transfers");
  const box = transferRow({ words: WORDS, listId: "fr-banks", onRemove: () => numberRows(list) });
  box.elements.tx_time.value = beijingLocal();
  list.append(box);
  numberRows(list);
  if (focus) box.elements.channel.focus();
}

// what happened is optional here: a resident in a hurry reports the transfers first
const CHECKS = { name: [/\S/, "fw_required"], id_number: [/^\d{17}[\dXx]$/, "fr_bad_id"], phone: [/^1\d{10}$/, "fr_bad_phone"],
  fraud_type: [/\S/, "fw_required"] };

/** The reasons of the report's own fields (the transfer rows show theirs). */
const showTop = (form, bad) => showErrors(form, bad, form.querySelectorAll(":scope > label .field-error"));

async function submit(ev) {
  ev.preventDefault();
  const form = ev.target, out = $("#fr-result"), list = $("#fr-transfers");
  setReason(out, "");
  const v = Object.fromEntries([...new FormData(form)].map(([k, x]) => [k, String(x).trim()]));
  const bad = {};
  for (const [k, [re, why]] of Object.entries(CHECKS)) if (!re.test(v[k] || "")) bad[k] = why;
  const read = readTransfers(list);
  showTop(form, bad); showRowErrors(list, read.bad);
  if (Object.keys(bad).length || !read.ok) { setReason(out, "fr_fix"); return; }
  const body = { victim: { name: v.name, id_number: v.id_number.toUpperCase(), phone: v.phone }, fraud_type: v.fraud_type,
    fraud_phone: v.fraud_phone || null, description: v.description, area_code: null, transfers: read.transfers };
  let made;
  try { made = await post(`${API}/cases`, body); } catch (e) {
    if (e.status === 401) return;
    const why = apiErrors(e.body);
    showTop(form, why.top); showRowErrors(list, why.rows);
    serverText(out, e.message);
    return;
  }
  form.reset(); list.replaceChildren(); addRow(false);
  out.replaceChildren(t("fr_sent"), el("b", { class: "case-no" }, made.case_no), t("fr_sent_more"));
  await drawMine();
}

/** The orders of a report in plain words: one chip per order where its detail was read, else
 * how many orders are in each state (order_counts). */
function ordersLine(c, orders) {
  if (orders) {
    if (!orders.length) return t("fr_no_orders");
    return orders.map((o) => el("span", { class: "chip fr-order", "data-state": orderState(o), "data-order": o.id },
      `${yuanWords(o.amount_fen)} ${plain(orderState(o))}`));
  }
  const counts = new Map(); // plain words → [a state it stands for, how many]
  for (const [s, n] of Object.entries(c.order_counts || {})) {
    if (!n || s === "answered") continue; // answered orders are counted again by their result
    const cur = counts.get(plain(s)) || [s, 0];
    counts.set(plain(s), [cur[0], cur[1] + n]);
  }
  if (!counts.size) return t("fr_no_orders");
  return [...counts].map(([words, [s, n]]) => el("span", { class: "chip fr-order", "data-state": s }, fill("fr_count", { state: words, n })));
}

const MAX_DETAILS = 5; // open reports read in full (their orders one by one) on each refresh

async function drawMine() {
  let page;
  try { page = await api(`${API}/cases/mine`); } catch { return; }
  const items = page.items || [];
  const open = items.filter((c) => c.status !== "closed").slice(0, MAX_DETAILS);
  const details = new Map((await Promise.all(open.map((c) => api(`${API}/cases/mine/${c.id}`).catch(() => null)))).filter(Boolean).map((d) => [d.id, d]));
  for (const d of details.values()) serverNow(d.now);
  const list = items.map((c) => el("li", { "data-case": c.id, "data-status": c.status },
    el("div", {}, el("b", {}, word("fr_st_", c.status)), " · ", t("fr_case"), " ", el("span", { class: "case-no" }, c.case_no), " · ", beijingText(c.reported_at)),
    el("div", {}, t("fr_clock"), " ", goldenClock(c)),
    el("div", {}, `${t("fr_loss")} ${yuanWords(c.loss_fen)} · ${t("fr_held")} ${yuanWords(c.held_fen || 0)}`,
      c.returned_fen ? ` · ${t("fr_returned")} ${yuanWords(c.returned_fen)}` : ""),
    el("div", { class: "fr-orders" }, t("fr_orders"), ...[ordersLine(c, details.has(c.id) ? details.get(c.id).orders : null)].flat())));
  $("#fr-mine").replaceChildren(...(list.length ? list : [el("li", { class: "hint" }, t("fr_none"))]));
}
