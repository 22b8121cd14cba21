// The anti-fraud codes in words, and the parts of a report both fraud pages share: the desk's
// intake (js/fraud.js) and the resident's own report (js/fraudreport.js). Fraud types,
// channels, banks, an order's state, the fields a bank found different; the transfer rows
// (one fieldset each: channel, both accounts and banks, the amount in yuan, the time in
// Beijing time) read into the API's TransferIn, amounts as integer fen (js/money.js).
import { api, el, t } from "./core.js";
import { addTexts, lang, word, half, serverText } from "./i18n.js";
import { parseYuan, beijingIso, beijingLocal, clockText, fenToYuan } from "./money.js";

export const API = "/api/v1/fraud";
export const FRAUD_TYPES = ["rebate", "investment", "loan", "customer_service", "authority", "game", "credit", "acquaintance", "romance", "other"];
export const CHANNELS = ["bank", "online_banking", "alipay", "wechat_pay", "atm", "ecny"];
export const GOLDEN_S = 30 * 60; // 黄金止付时间 when the API names none

addTexts({
  fw_ft_rebate: "刷单返利", fw_ft_investment: "虚假投资理财", fw_ft_loan: "虚假网络贷款", fw_ft_customer_service: "冒充电商物流客服",
  fw_ft_authority: "冒充公检法", fw_ft_game: "网络游戏产品虚假交易", fw_ft_credit: "虚假征信", fw_ft_acquaintance: "冒充领导熟人",
  fw_ft_romance: "网络婚恋交友", fw_ft_other: "其他",
  fw_ch_bank: "银行柜面转账", fw_ch_online_banking: "网银或手机银行", fw_ch_alipay: "支付宝", fw_ch_wechat_pay: "微信支付",
  fw_ch_atm: "ATM 转账", fw_ch_ecny: "数字人民币",
  fw_transfer: "第 {n} 笔转账", fw_channel: "转账方式", fw_payer_account: "付款账号", fw_payer_bank: "付款银行",
  fw_payee_account: "收款账号", fw_payee_name: "收款户名", fw_payee_bank: "收款银行或支付机构", fw_amount: "金额（元）",
  fw_tx_time: "转账时间（北京时间）", fw_serial_no: "交易流水号（可选）", fw_remove: "删除此笔", fw_add: "增加一笔转账",
  fw_bank_hint: "银行代码，可从提示中选", fw_required: "此项必填",
  fw_amount_empty: "请填写金额", fw_amount_format: "请填写数字金额，如 50000 或 50000.50", fw_amount_decimals: "金额最多两位小数（分）",
  fw_amount_zero: "金额须大于零", fw_amount_too_large: "金额过大", fw_bad_time: "请填写转账时间", fw_future: "不能晚于现在",
  fw_one_transfer: "至少填写一笔转账", fw_yuan: "{n} 元", fw_colon: "：",
  fw_m_payee_name: "户名", fw_m_payee_account: "账号", fw_m_amount: "金额", fw_m_tx_time: "交易时间",
  fw_golden: "黄金止付时间内", fw_late: "已超过黄金止付时间",
}, {
  fw_ft_rebate: "Paid-task (order brushing) scam", fw_ft_investment: "Fake investment", fw_ft_loan: "Fake online loan",
  fw_ft_customer_service: "Fake shop or courier service", fw_ft_authority: "Fake police, prosecutor or court",
  fw_ft_game: "Fake game trading", fw_ft_credit: "Fake credit record repair", fw_ft_acquaintance: "Posing as a boss or acquaintance",
  fw_ft_romance: "Online romance", fw_ft_other: "Other",
  fw_ch_bank: "Bank counter", fw_ch_online_banking: "Online or mobile banking", fw_ch_alipay: "Alipay", fw_ch_wechat_pay: "WeChat Pay",
  fw_ch_atm: "Cash machine", fw_ch_ecny: "Digital yuan",
  fw_transfer: "Transfer {n}", fw_channel: "How it was paid", fw_payer_account: "Paid from (account)", fw_payer_bank: "Paying bank",
  fw_payee_account: "Paid to (account)", fw_payee_name: "Account holder's name", fw_payee_bank: "Receiving bank or payment firm",
  fw_amount: "Amount (yuan)", fw_tx_time: "Time of the transfer (Beijing time)", fw_serial_no: "Transaction number (optional)",
  fw_remove: "Remove this transfer", fw_add: "Add a transfer", fw_bank_hint: "bank code, pick from the list",
  fw_required: "required", fw_amount_empty: "Enter the amount", fw_amount_format: "Enter the amount in figures, e.g. 50000 or 50000.50",
  fw_amount_decimals: "At most two decimals (fen)", fw_amount_zero: "The amount must be more than zero", fw_amount_too_large: "Amount too large",
  fw_bad_time: "Enter the time of the transfer", fw_future: "cannot be in the future", fw_one_transfer: "Enter at least one transfer",
  fw_yuan: "¥{n}", fw_colon: ": ",
  fw_m_payee_name: "account name", fw_m_payee_account: "account number", fw_m_amount: "amount", fw_m_tx_time: "time of the transfer",
  fw_golden: "within the golden time", fw_late: "past the golden time",
});

export const fraudType = (c) => word("fw_ft_", c);
export const channelName = (c) => word("fw_ch_", c);
/** The fields the bank found different, in words: "户名、金额". */
/** An order's state as one code: the bank's result once answered, else sending / unavailable /
 * refused (the platform's side). */
export const orderState = (o) => (o.status === "answered" && o.result ? o.result : o.status);
export const mismatchWords = (fields) => (fields || []).map((f) => word("fw_m_", f)).join(lang === "zh" ? "、" : ", ");

// -- banks ----------------------------------------------------------------------------------------
const banks = { list: [], loaded: null };
/** The banks orders go to (GET /fraud/banks: code and names), asked once per page load; where
 * the API lists none the bank inputs take the code as typed and banks show as their codes. */
export function loadBanks() {
  banks.loaded = banks.loaded || api("/api/v1/catalogue/banks").then((b) => { banks.list = Array.isArray(b) ? b : b.items || []; }).catch(() => {});
  return banks.loaded;
}
const bankOf = (code) => banks.list.find((b) => b.code === code);
/** A bank by its name in the page's language; the code where the API gave no name. */
export function bankName(code) {
  const b = bankOf(code);
  if (!b) return code || "";
  return (lang === "zh" ? b.name_zh || b.zh : b.name_en || b.en) || half(b.name || "") || code;
}
/** The <datalist> the bank inputs offer (codes, each with its name). */
export function bankList(id) {
  return el("datalist", { id }, ...banks.list.map((b) => el("option", { value: b.code }, bankName(b.code))));
}

/** Amount in yuan as the page's language writes it, from integer fen. */
export const yuanWords = (fen) => (fen == null ? "" : t("fw_yuan").replace("{n}", fenToYuan(fen, { group: true })));

// -- clocks: golden time counting up, a stop's 48 h counting down ---------------------------------
let skew = 0; // the server's clock minus the browser's, from the last answer that said "now"
/** Keep the clocks on the server's time (CasePublic.now). */
export function serverNow(iso) { if (iso && !Number.isNaN(Date.parse(iso))) skew = Date.parse(iso) - Date.now(); }
const nowMs = () => Date.now() + skew;
/** The bureau's golden time in seconds: golden_deadline − golden_start (desk.yaml), 30 min if absent. */
export const goldenLimit = (c) => (c.golden_deadline ? (Date.parse(c.golden_deadline) - Date.parse(c.golden_start)) / 1000 : GOLDEN_S);

/** The golden-time clock: mm:ss (h:mm:ss) from golden_start, green under the threshold, red past
 * it; it stops at the first stop (or the close). data-golden-s holds the seconds shown. */
export function goldenClock(c) {
  const end = c.first_stop_at || c.closed_at || "";
  const span = el("span", { class: "fw-golden", "data-golden-start": c.golden_start, "data-golden-end": end, "data-limit-s": goldenLimit(c) });
  paintGolden(span);
  return span;
}
function paintGolden(span) {
  const { goldenStart, goldenEnd, limitS } = span.dataset;
  const s = Math.max(0, ((goldenEnd ? Date.parse(goldenEnd) : nowMs()) - Date.parse(goldenStart)) / 1000);
  const late = s >= Number(limitS);
  span.dataset.goldenS = String(Math.floor(s));
  span.classList.toggle("late", late); span.classList.toggle("golden", !late);
  span.textContent = clockText(s);
  span.title = t(late ? "fw_late" : "fw_golden");
}
/** Time left until `iso` (a stop's end), h:mm:ss, counting down; data-left-s the seconds. */
export function countdown(iso) {
  const span = el("span", { class: "fw-until", "data-until": iso });
  paintCountdown(span);
  return span;
}
function paintCountdown(span) {
  const left = Math.max(0, (Date.parse(span.dataset.until) - nowMs()) / 1000);
  span.dataset.leftS = String(Math.floor(left));
  span.textContent = clockText(left);
}
/** Re-draw every running clock under `root` (called each second by the page's tick). */
export function tickClocks(root) {
  root.querySelectorAll(".fw-golden[data-golden-end='']").forEach(paintGolden);
  root.querySelectorAll(".fw-until").forEach(paintCountdown);
}

// -- transfer rows --------------------------------------------------------------------------------
const FIELDS = ["channel", "payer_account", "payer_bank", "payee_account", "payee_name", "payee_bank", "amount", "tx_time", "serial_no"];
const OPTIONAL = ["serial_no"];
// labels carry data-i18n: a language switch relabels the rows without losing what was typed
const field = (key, name, control) => el("label", { class: "fw-f-" + name },
  el("span", { "data-i18n": key }, t(key)), " ", control, el("small", { class: "field-error", "data-for": name }));

/** One transfer's fieldset; `words` renames labels (the resident's page speaks more simply). */
export function transferRow({ words = {}, listId = "fw-banks", onRemove } = {}) {
  const label = (name) => words[name] || "fw_" + name;
  const bank = (name) => el("input", { name, list: listId, maxlength: 12, autocomplete: "off", autocapitalize: "characters",
    placeholder: t("fw_bank_hint"), "data-i18n-placeholder": "fw_bank_hint" });
  const box = el("fieldset", { class: "fw-transfer" }, el("legend", {}),
    field(label("channel"), "channel", el("select", { name: "channel" }, ...CHANNELS.map((c) => el("option", { value: c, "data-i18n": "fw_ch_" + c }, channelName(c))))),
    field(label("payer_account"), "payer_account", el("input", { name: "payer_account", maxlength: 40, inputmode: "numeric", autocomplete: "off" })),
    field(label("payer_bank"), "payer_bank", bank("payer_bank")),
    field(label("payee_account"), "payee_account", el("input", { name: "payee_account", maxlength: 40, autocomplete: "off" })),
    field(label("payee_name"), "payee_name", el("input", { name: "payee_name", maxlength: 100, autocomplete: "off" })),
    field(label("payee_bank"), "payee_bank", bank("payee_bank")),
    field(label("amount"), "amount", el("input", { name: "amount", inputmode: "decimal", maxlength: 20, autocomplete: "off" })),
    field(label("tx_time"), "tx_time", el("input", { name: "tx_time", type: "datetime-local", step: 60, max: beijingLocal() })),
    field(label("serial_no"), "serial_no", el("input", { name: "serial_no", maxlength: 64, autocomplete: "off" })),
    el("button", { type: "button", class: "fw-remove", "data-i18n": "fw_remove", onclick: () => { box.remove(); if (onRemove) onRemove(); } }, t("fw_remove")));
  return box;
}

/** Number the rows ("第 2 笔转账") and let the last one stay. */
export function numberRows(list) {
  const rows = [...list.querySelectorAll("fieldset.fw-transfer")];
  rows.forEach((f, i) => { f.querySelector("legend").textContent = t("fw_transfer").replace("{n}", i + 1); f.dataset.row = String(i); });
  rows.forEach((f) => { f.querySelector(".fw-remove").hidden = rows.length < 2; });
}

/** Every row read into TransferIn, or the reasons per row and field. */
export function readTransfers(list) {
  const transfers = [], bad = [];
  for (const f of list.querySelectorAll("fieldset.fw-transfer")) {
    const v = Object.fromEntries(FIELDS.map((n) => [n, String(f.elements[n].value).trim()]));
    const why = {};
    for (const n of FIELDS) if (!v[n] && !OPTIONAL.includes(n) && n !== "amount" && n !== "tx_time") why[n] = "fw_required";
    const amount = parseYuan(v.amount);
    if (amount.error) why.amount = "fw_amount_" + amount.error;
    const at = beijingIso(v.tx_time);
    if (!at) why.tx_time = "fw_bad_time";
    else if (Date.parse(at) > Date.now() + 60_000) why.tx_time = "fw_future";
    bad.push(why);
    transfers.push({ channel: v.channel, payer_account: v.payer_account, payer_bank: v.payer_bank.toUpperCase(),
      payee_account: v.payee_account, payee_name: v.payee_name, payee_bank: v.payee_bank.toUpperCase(),
      amount_fen: amount.fen ?? null, tx_time: at, serial_no: v.serial_no || null });
  }
  return { transfers, bad, ok: bad.every((x) => !Object.keys(x).length) };
}

/** Show a reason: the page's own (a text key, kept as data-i18n so a language switch re-words
 * it) or the server's ({text}, cleared by a switch); nothing clears the node. */
export function setReason(node, reason) {
  if (typeof reason === "string" && reason) { node.dataset.i18n = reason; node.textContent = t(reason); delete node.dataset.langOf; return; }
  delete node.dataset.i18n;
  serverText(node, reason ? reason.text : "");
}

/** Reasons under their fields (`bad`: field → reason), the fields marked. */
export function showErrors(box, bad, nodes = box.querySelectorAll(".field-error")) {
  nodes.forEach((s) => setReason(s, bad[s.dataset.for]));
  [...(box.elements || box.querySelectorAll("input, select, textarea"))].forEach((x) => x.name && x.classList.toggle("invalid", Boolean(bad[x.name])));
}

/** Reasons under their fields, row by row (`bad[i]`: field → reason). */
export function showRowErrors(list, bad) {
  [...list.querySelectorAll("fieldset.fw-transfer")].forEach((f, i) => showErrors(f, bad[i] || {}));
}

/** A 422's errors sorted to the form: "transfers.1.amount_fen" → row 1's amount, the rest by
 * their first name (victim.id_number → id_number). */
export function apiErrors(body) {
  const rows = [], top = {};
  const rename = { amount_fen: "amount" };
  for (const x of (body && body.errors) || []) {
    const parts = String(x.field).split(".");
    const key = "v_" + x.type, why = t(key) !== key ? key : { text: half(x.message) };
    if (parts[0] === "transfers" && /^\d+$/.test(parts[1] || "")) {
      const i = Number(parts[1]), name = rename[parts[2]] || parts[2] || "channel";
      (rows[i] = rows[i] || {})[name] = why;
    } else top[parts[parts.length - 1]] = why;
  }
  return { rows, top };
}
