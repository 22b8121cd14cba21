// 开锁见证: a property manager or community worker (volunteer accounts) or an officer attends an
// unlock as witness and signs its record. The request is found by the witness code the resident
// hands over (its number, or the link #witness/<number>) or in the list of requests waiting for
// a witness, nearest the unit the account crews first. Words come from the requester's page.
import { api, post, el, $, t, session } from "./core.js";
import { addTexts, serverText, word } from "./i18n.js";
import { UNLOCK, day, progressLine, recordView } from "./unlock.js";

addTexts({
  nav_witness: "开锁见证", wt_title: "开锁见证", wt_intro: "物业管理人员、社区工作人员或民警到场见证开锁，并在开锁记录上签名。",
  wt_code: "见证码（申请编号）", wt_kind: "见证身份", wt_join: "到场见证", wt_joined: "您已作为见证人加入申请 ",
  wt_need_code: "请填写见证码", wt_waiting: "附近待见证的申请", wt_mine: "我见证的申请", wt_none: "暂无",
  wt_take: "见证此申请", wt_requester: "委托人", wt_away: "距您 {m} 米", wt_sign: "签署开锁记录（见证人）",
  wt_signed: "您已签名，等待其他各方签名。", wt_filed: "已归档至派出所，保存至 {date}",
}, {
  nav_witness: "Unlock witness", wt_title: "Unlock witness",
  wt_intro: "A property manager, community worker or police officer attends the unlock as witness and signs its record.",
  wt_code: "Witness code (request number)", wt_kind: "Attending as", wt_join: "Attend as witness", wt_joined: "You are the witness of request ",
  wt_need_code: "Enter the witness code", wt_waiting: "Requests waiting for a witness nearby", wt_mine: "Requests I witness", wt_none: "None",
  wt_take: "Witness this one", wt_requester: "Requester", wt_away: "{m} m from you", wt_sign: "Sign the record as witness",
  wt_signed: "You have signed; waiting for the others.", wt_filed: "Filed with the police station, kept until {date}",
});

// Who may attend as what (rules.yaml witness_kinds): the page offers only the caller's own kinds.
const KINDS = { volunteer: ["community_worker", "property_manager"], officer: ["officer"] };
let ready = false, poll = null;

function kinds() {
  const sel = $("#wt-form").elements.kind;
  const mine = KINDS[session.user && session.user.role] || [];
  const keep = sel.value;
  sel.replaceChildren(...mine.map((k) => el("option", { value: k }, word("ul_wk_", k))));
  if (mine.includes(keep)) sel.value = keep;
}

async function join(id) {
  const f = $("#wt-form"), out = $("#wt-result");
  serverText(out, "");
  try {
    const req = await post(`${UNLOCK}/requests/${id}/witness`, { kind: f.elements.kind.value });
    out.replaceChildren(t("wt_joined"), el("b", { class: "request-no" }, String(req.id)), " · ", word("ul_st_", req.status));
    f.elements.request_id.value = "";
    await drawLists();
  } catch (e) { if (e.status !== 401) serverText(out, e.message); }
}

function init() {
  const f = $("#wt-form");
  f.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const id = f.elements.request_id.value.trim();
    if (!/^\d+$/.test(id)) { $("#wt-result").textContent = t("wt_need_code"); return; }
    join(id);
  });
}

function head(req) {
  return [el("b", {}, `#${req.id}`), ` · ${word("ul_lt_", req.lock_type)} · ${req.target}${req.address ? " · " + req.address : ""} · `,
    el("span", { class: "state" }, word("ul_st_", req.status))];
}

function waitingItem(req) {
  return el("li", { "data-request": req.id }, ...head(req),
    el("div", { class: "hint" }, `${t("wt_requester")} ${req.id_masked}`,
      req.distance_m != null ? ` · ${t("wt_away").replace("{m}", req.distance_m)}` : "",
      req.flags.length ? ` · ${req.flags.map((x) => word("ul_f_", x)).join(t("list_sep"))}` : ""),
    el("button", { type: "button", class: "take", onclick: () => join(req.id) }, t("wt_take")));
}

function mineItem(req) {
  const li = el("li", { "data-request": req.id, "data-status": req.status }, ...head(req), progressLine({ ...req, witness_required: true }));
  if (req.record) li.append(recordView(req.record, req.signed));
  const signed = req.signed.includes("witness");
  if (req.status === "signing" && !signed) {
    const said = el("p", { class: "said", role: "status" });
    li.append(el("button", { type: "button", class: "sign", onclick: async () => {
      serverText(said, "");
      try { await post(`${UNLOCK}/requests/${req.id}/sign/witness`); await drawLists(); } catch (e) { if (e.status !== 401) serverText(said, e.message); }
    } }, t("wt_sign")), said);
  }
  if (req.status === "signing" && signed) li.append(el("p", { class: "hint" }, t("wt_signed")));
  if (req.status === "filed") li.append(el("p", { class: "filed" }, t("wt_filed").replace("{date}", req.retain_until ? day(req.retain_until) : "")));
  return li;
}

let drawn = "";
async function drawLists() {
  const lists = await api(`${UNLOCK}/witness/requests`);
  const key = JSON.stringify(lists);
  if (key === drawn) return lists; // a poll with nothing new leaves the page (and focus) alone
  drawn = key;
  const none = () => el("li", { class: "hint" }, t("wt_none"));
  $("#wt-waiting").replaceChildren(...(lists.waiting.length ? lists.waiting.map(waitingItem) : [none()]));
  $("#wt-mine").replaceChildren(...(lists.mine.length ? lists.mine.map(mineItem) : [none()]));
  return lists;
}

export async function showWitness() {
  if (!ready) { init(); ready = true; }
  kinds();
  const [, arg] = location.hash.replace(/^#/, "").split("/");
  if (arg && /^\d+$/.test(arg)) $("#wt-form").elements.request_id.value = arg; // the resident's witness link
  drawn = "";
  await drawLists();
  if (!poll) {
    poll = setInterval(() => {
      if ($("#view-witness").hidden || !session.token) { clearInterval(poll); poll = null; return; }
      drawLists().catch(() => {});
    }, 4000);
  }
}
