// 涉案账户网络: the mule-account networks across the stored cases (GET /fraud/networks), a card
// below the desk's cases list. Each network lists its cases (a click opens the case), the links
// that join them (an account paid in several cases, one fraud number), and its accounts with the
// rules that fired in words and the numbers behind them, the score, and whether an order already
// holds the account. Where none does and the user may send stop orders (fraud.stop), a button
// stops it from the case it appeared in: that case's transfer into it, or its money trail.
import { api, post, el, $, t, may } from "./core.js";
import { addTexts, fill, lang, serverText, word } from "./i18n.js";
import { API, yuanWords } from "./fraud-words.js";

addTexts({
  fn_title: "涉案账户网络", fn_none: "暂无跨案件的涉案账户网络", fn_cases: "涉及案件", fn_accounts: "账户",
  fn_links: "关联", fn_amount: "被骗资金流入", fn_score: "风险分 {n}", fn_victim: "受害人账户",
  fn_l_shared_account: "多案共用账户 {value}", fn_l_shared_fraud_phone: "共用诈骗号码 {value}",
  fn_r_fan_in: "多对一汇入", fn_r_fan_out: "一对多转出", fn_r_pass_through: "资金快进快出", fn_r_cash_out: "取现",
  fn_r_cycle: "循环转账", fn_r_shared_phone: "共用手机号", fn_r_shared_device: "共用设备", fn_r_network: "团伙网络",
  fn_r_shared_account: "多案共用账户",
  fn_h_stopped: "已止付", fn_h_frozen: "已冻结", fn_h_ordered: "已发指令", fn_stop: "止付此账户",
  fn_f_new_senders_72h: "72小时内新汇款人 {n}", fn_f_new_receivers_72h: "72小时内新收款人 {n}",
  fn_f_quick_out_fen: "60分钟内转出 {y}", fn_f_inflow_fen: "共流入 {y}", fn_f_atm_within_60min_fen: "60分钟内取现 {y}",
  fn_f_cycles: "所在循环 {n} 个", fn_f_other_owners: "他人 {n} 个", fn_f_flagged_in_component: "网络中可疑账户 {n} 个",
  fn_f_cases: "涉及 {n} 起案件",
}, {
  fn_title: "Mule-account networks", fn_none: "No network of accounts spans two cases yet", fn_cases: "Cases", fn_accounts: "Accounts",
  fn_links: "Links", fn_amount: "Victims' money in", fn_score: "score {n}", fn_victim: "victim's account",
  fn_l_shared_account: "account used in several cases {value}", fn_l_shared_fraud_phone: "same fraud number {value}",
  fn_r_fan_in: "many senders in", fn_r_fan_out: "many receivers out", fn_r_pass_through: "money in and straight out",
  fn_r_cash_out: "cash withdrawn", fn_r_cycle: "money going round", fn_r_shared_phone: "shared phone", fn_r_shared_device: "shared device",
  fn_r_network: "part of a ring", fn_r_shared_account: "account used in several cases",
  fn_h_stopped: "stopped", fn_h_frozen: "frozen", fn_h_ordered: "order sent", fn_stop: "Stop this account",
  fn_f_new_senders_72h: "{n} new senders in 72 h", fn_f_new_receivers_72h: "{n} new receivers in 72 h",
  fn_f_quick_out_fen: "{y} sent on within 60 min", fn_f_inflow_fen: "{y} in", fn_f_atm_within_60min_fen: "{y} cash within 60 min",
  fn_f_cycles: "on {n} cycles", fn_f_other_owners: "{n} other people", fn_f_flagged_in_component: "{n} suspect accounts in the ring",
  fn_f_cases: "in {n} cases",
});

const figure = ([name, value]) => fill("fn_f_" + name, { n: String(value), y: yuanWords(value) });

function ruleItem(r) {
  const figures = Object.entries(r.figures || {}).map(figure).join(lang === "zh" ? "，" : ", ");
  return el("li", { "data-rule": r.rule }, el("b", {}, word("fn_r_", r.rule)), figures ? ` · ${figures}` : "", ` (+${r.points})`);
}

/** The stop order for an account no order names yet: from the case's own transfer into it,
 * else from that case's money trail (the account was a proposal there). */
function stopButton(a, done) {
  const err = el("small", { class: "error", role: "alert" });
  const button = el("button", { type: "button", "data-act": "network-stop", onclick: async () => {
    serverText(err, ""); button.disabled = true;
    const { case_id: id, transfer_id: tid } = a.stop;
    try {
      await (tid ? post(`${API}/cases/${id}/stops`, { transfer_ids: [tid] }) : post(`${API}/cases/${id}/trail/stop`, { account: a.account }));
    } catch (e) { button.disabled = false; if (e.status !== 401) serverText(err, e.message); return; }
    done();
  } }, t("fn_stop"));
  return el("span", { class: "fd-act" }, button, err);
}

function accountItem(a, done) {
  if (a.victim) return el("li", { class: "fn-victim hint" }, `${a.account} · ${t("fn_victim")}`);
  const state = a.held ? el("span", { class: "badge", "data-held": a.held }, word("fn_h_", a.held)) : "";
  const stop = !a.held && a.stop && may("fraud.stop") ? stopButton(a, done) : "";
  return el("li", { "data-account": a.account },
    el("span", { class: "mono" }, a.account), ` · ${fill("fn_score", { n: String(a.score) })} · ${yuanWords(a.inflow_fen)} `, state, stop,
    a.rules.length ? el("ul", { class: "fn-rules" }, ...a.rules.map(ruleItem)) : "");
}

function networkBox(n, openCase, done) {
  const cases = n.cases.map((c) => el("button", { type: "button", class: "case", "data-case": c.id, onclick: () => openCase(c.id) }, c.case_no));
  const links = n.links.map((l) => el("li", { "data-link": l.kind }, fill("fn_l_" + l.kind, { value: l.value }), ` · ${l.cases.join(lang === "zh" ? "、" : ", ")}`));
  return el("div", { class: "fn-network card-inner", "data-score": n.score },
    el("p", { class: "uw-line" }, el("span", { class: "hint" }, t("fn_cases") + t("fw_colon")), ...cases,
      ` · ${t("fn_amount")} ${yuanWords(n.amount_in_fen)} · ${fill("fn_score", { n: String(n.score) })}`),
    links.length ? el("ul", { class: "fn-links" }, ...links) : "",
    el("ul", { class: "fn-accounts" }, ...n.accounts.map((a) => accountItem(a, done))));
}

/** Read the networks and draw them into #fd-networks; `openCase(id)` opens a case on the desk. */
export async function loadNetworks(openCase, after = () => {}) {
  const box = $("#fd-networks-list"), err = $("#fd-networks-error");
  serverText(err, "");
  let got;
  try { got = await api(`${API}/networks`); } catch (e) { if (e.status !== 401) serverText(err, e.message); return; }
  const done = () => { loadNetworks(openCase, after); after(); };
  const items = got.items || [];
  box.replaceChildren(...(items.length ? items.map((n) => networkBox(n, openCase, done)) : [el("p", { class: "hint" }, t("fn_none"))]));
}
