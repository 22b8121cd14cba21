// The matches of one family-search case (寻亲比对): a search of its donors against the other
// side; the candidates ranked by posterior, each with its relation in words, the DNA likelihood
// ratio as a power of ten, the non-genetic evidence's, the posterior, the lineage checks, strong
// or weak against the threshold, and the reviews so far; the per-locus evidence after a reason
// (audited); the dual review (confirm, or reject with a note); the family told; the signed PDF
// report; and the power analysis of the case's relatives with its advice. Each action only for
// a role whose permission allows it (kinship.search / profile_read / review / notify / report).
import { api, post, el, $, t, may, session, saveFile } from "./core.js";
import { addTexts, fill, serverText, word } from "./i18n.js";
import { beijingText } from "./money.js";
import { API, PANELS, hypothesisName, anyRelation, candidateStatus, decisionName, relationName, sideShort, adviceName, kitName,
  lineageBadge, tenTo, percent, paren, joined, th, empty, errorLine, q, field, askFor, actButton, serverTextOf } from "./kinship-words.js";

addTexts({
  kn_candidates: "比对候选（按后验概率排序）", kn_no_candidates: "尚无候选；比对检索后在此列出", kn_search: "比对检索",
  kn_searching: "比对中…", kn_searched: "已比对 {n} 份图谱，得到 {m} 个候选",
  kn_searched_by: "检索方", kn_found: "比中方", kn_rank: "第 {n} 位",
  kn_strong: "强支持", kn_weak: "弱支持", kn_lr: "遗传似然比", kn_lr_context: "非遗传证据似然比", kn_lr_total: "综合似然比",
  kn_prior: "先验概率", kn_posterior: "后验概率", kn_loci: "比较位点", kn_loci_n: "{n} 个", kn_alternatives: "其他关系假设的遗传似然比", kn_excluded: "排除",
  kn_reviews: "复核记录", kn_no_reviews: "尚无复核", kn_review_line: "{who}{role} {decision}", kn_you_reviewed: "您已复核此候选",
  kn_evidence: "查看逐位点证据", kn_evidence_title: "逐位点证据", kn_col_a: "检索方等位基因", kn_col_b: "比中方等位基因",
  kn_col_factor: "似然比", kn_total_dna: "合计（遗传）", kn_context: "非遗传证据",
  kn_ctx_sex: "性别", kn_ctx_birth_year: "出生年份", kn_ctx_place: "接收或走失地点", kn_ctx_date: "接收或走失日期", kn_ctx_age: "年龄",
  kn_confirm: "确认比中", kn_reject: "否定", kn_confirm_note: "复核意见（可不填）", kn_reject_note: "否定理由",
  kn_notify: "记录已告知家属", kn_notify_note: "告知情况（可不填）",
  kn_make_report: "生成鉴定报告", kn_download: "下载报告（PDF）", kn_report: "报告 {no}",
  kn_power: "检验效能分析", kn_panel: "位点组", kn_runs: "模拟次数", kn_power_go: "分析", kn_powering: "模拟中…",
  kn_threshold: "阈值：似然比不低于", kn_col_loci: "位点数",
  kn_col_detect: "检出率", kn_col_false: "误报率", kn_col_median: "真实亲属似然比中位数", kn_no_relatives: "本档案尚无可分析的采样亲属",
  kn_advice: "建议",
}, {
  kn_candidates: "Candidates (ranked by posterior)", kn_no_candidates: "No candidate yet; a search lists them here", kn_search: "Search",
  kn_searching: "Searching…", kn_searched: "{n} profiles compared, {m} candidates",
  kn_searched_by: "Searched", kn_found: "Found", kn_rank: "No. {n}",
  kn_strong: "Strong", kn_weak: "Weak", kn_lr: "DNA likelihood ratio", kn_lr_context: "Non-genetic likelihood ratio", kn_lr_total: "Combined likelihood ratio",
  kn_prior: "Prior", kn_posterior: "Posterior", kn_loci: "Loci compared", kn_loci_n: "{n}", kn_alternatives: "DNA likelihood ratio under the other relations tested", kn_excluded: "excluded",
  kn_reviews: "Reviews", kn_no_reviews: "Not reviewed yet", kn_review_line: "{who}{role} {decision}", kn_you_reviewed: "You have reviewed this candidate",
  kn_evidence: "Per-locus evidence", kn_evidence_title: "Per-locus evidence", kn_col_a: "Searched alleles", kn_col_b: "Found alleles",
  kn_col_factor: "Likelihood ratio", kn_total_dna: "Total (DNA)", kn_context: "Non-genetic evidence",
  kn_ctx_sex: "Sex", kn_ctx_birth_year: "Year of birth", kn_ctx_place: "Place received or lost", kn_ctx_date: "Date received or lost", kn_ctx_age: "Age",
  kn_confirm: "Confirm the match", kn_reject: "Reject", kn_confirm_note: "Review note (optional)", kn_reject_note: "Why rejected",
  kn_notify: "Record that the family was told", kn_notify_note: "How they were told (optional)",
  kn_make_report: "Make the report", kn_download: "Download the report (PDF)", kn_report: "Report {no}",
  kn_power: "Power analysis", kn_panel: "Panel", kn_runs: "Simulations", kn_power_go: "Analyse", kn_powering: "Simulating…",
  kn_threshold: "Threshold: likelihood ratio at least", kn_col_loci: "Loci",
  kn_col_detect: "Detection rate", kn_col_false: "False positive rate", kn_col_median: "Median LR of a true relative", kn_no_relatives: "No donor of this case to analyse",
  kn_advice: "Advice",
});

const h2 = (key) => el("h2", { "data-i18n": key }, t(key));
const num = (x) => (x == null ? "-" : Number(x) >= 1000 || Number(x) < 0.001 ? Number(x).toExponential(2) : String(Number(Number(x).toPrecision(3))));

// -- the search of a case ------------------------------------------------------------------------
/** The candidates card's head: its title and, for whoever may search, the search button. */
export function drawSearchBar(c, { onSearched }) {
  const card = $("#kn-candidates-card");
  card.hidden = false;
  const out = el("span", { id: "kn-search-result", class: "hint", role: "status" });
  const bar = el("div", { class: "board-bar" });
  if (may("kinship.search")) {
    const b = el("button", { type: "button", id: "kn-search" }, t("kn_search"));
    b.addEventListener("click", async () => {
      b.disabled = true; out.textContent = t("kn_searching"); delete out.dataset.done;
      try {
        const r = await post(`${API}/cases/${c.id}/search`, {});
        const n = (r.searches || []).reduce((s, x) => s + (x.compared || 0), 0);
        await onSearched();
        const now = $("#kn-search-result");
        now.textContent = fill("kn_searched", { n, m: (r.candidates || []).length });
        now.dataset.done = "yes";
      } catch (e) { if (e.status !== 401) serverTextOf(out, e); } finally { b.disabled = false; }
    });
    bar.append(b);
  }
  bar.append(out);
  card.replaceChildren(h2("kn_candidates"), bar, errorLine("kn-candidates-error"), el("div", { id: "kn-candidates" }));
}

// -- the ranked candidates ----------------------------------------------------------------------
export async function drawCandidates(c, { onChanged }) {
  const box = $("#kn-candidates");
  let page;
  try { page = await api(`${API}/candidates?${q({ case_id: c.id, limit: 50 })}`); } catch (e) { serverTextOf($("#kn-candidates-error"), e); return; }
  if (!box.isConnected) return;
  const items = page.items || [];
  box.replaceChildren(...(items.length ? items.map((x, i) => candidate(x, i + 1, onChanged)) : [el("p", { class: "hint" }, t("kn_no_candidates"))]));
}

const figure = (key, ...value) => el("div", { class: "kn-figure" }, el("span", { class: "hint" }, t(key)), el("b", {}, ...value));
const party = (key, x) => el("p", { class: "kn-party" }, el("span", { class: "hint" }, t(key), t("colon")),
  joined([x.case_no, sideShort(x.side), x.sample_id]), paren(relationName(x.relation_to_subject)));

function candidate(x, rank, onChanged) {
  const acts = el("div", { class: "kn-actions" });
  const evidence = el("div", { class: "kn-evidence-box" });
  const me = session.user && session.user.username;
  const reviewed = (x.reviews || []).some((r) => r.reviewer === me);
  const refresh = () => onChanged();
  if (may("kinship.profile_read")) {
    acts.append(el("button", { type: "button", class: "kn-evidence", onclick: () => askFor(acts, { cls: "kn-evidence-form", label: t("kn_evidence"),
      placeholder: "kn_reason", needed: "kn_reason_needed", act: (reason) => showEvidence(evidence, x, reason) }) }, t("kn_evidence")));
  }
  if (may("kinship.review") && x.status === "new" && !reviewed) {
    acts.append(
      el("button", { type: "button", class: "kn-confirm", onclick: () => askFor(acts, { cls: "kn-confirm-form", label: t("kn_confirm"), required: false,
        placeholder: "kn_confirm_note", act: (note) => post(`${API}/candidates/${x.id}/reviews`, { decision: "confirm", note }).then(refresh) }) }, t("kn_confirm")),
      el("button", { type: "button", class: "kn-reject", onclick: () => askFor(acts, { cls: "kn-reject-form", label: t("kn_reject"),
        placeholder: "kn_reject_note", needed: "kn_note_needed", act: (note) => post(`${API}/candidates/${x.id}/reviews`, { decision: "reject", note }).then(refresh) }) }, t("kn_reject")));
  }
  if (may("kinship.review") && x.status === "new" && reviewed) acts.append(el("span", { class: "hint kn-reviewed" }, t("kn_you_reviewed")));
  if (may("kinship.notify") && x.status === "confirmed") {
    acts.append(el("button", { type: "button", class: "kn-notify", onclick: () => askFor(acts, { cls: "kn-notify-form", label: t("kn_notify"), required: false,
      placeholder: "kn_notify_note", act: (note) => post(`${API}/candidates/${x.id}/notify`, { note }).then(refresh) }) }, t("kn_notify")));
  }
  if (may("kinship.report") && ["confirmed", "notified"].includes(x.status)) {
    if (x.report) acts.append(download(x.report.number));
    else acts.append(actButton(t("kn_make_report"), "kn-make-report", () => post(`${API}/candidates/${x.id}/report`, {}).then(refresh)));
  }
  const strong = Boolean(x.strong);
  return el("article", { class: `kn-candidate ${strong ? "strong" : "weak"}`, "data-candidate": x.id, "data-status": x.status,
    "data-strong": strong ? "yes" : "no", "data-relation": x.relation, "data-rank": rank },
    el("div", { class: "kn-head" },
      el("span", { class: "kn-rank" }, fill("kn_rank", { n: rank })), el("b", { class: "kn-relation" }, hypothesisName(x.relation)),
      el("span", { class: `pill ${strong ? "ok" : "warn"} kn-strength` }, t(strong ? "kn_strong" : "kn_weak")),
      el("span", { class: "pill sample kn-status" }, candidateStatus(x.status))),
    party("kn_searched_by", x.a || {}), party("kn_found", x.b || {}),
    el("div", { class: "kn-figures" },
      figure("kn_lr", tenTo(x.log10_lr)), figure("kn_lr_context", tenTo(x.log10_lr_context)),
      figure("kn_lr_total", tenTo(x.log10_lr_total ?? (x.log10_lr + (x.log10_lr_context || 0)))),
      figure("kn_prior", percent(x.prior)), el("div", { class: "kn-figure kn-posterior", "data-posterior": x.posterior }, el("span", { class: "hint" }, t("kn_posterior")), el("b", {}, percent(x.posterior))),
      figure("kn_loci", fill("kn_loci_n", { n: x.loci_compared }))),
    alternatives(x.alternatives || {}),
    el("div", { class: "kn-lineage" }, lineageBadge("y", (x.lineage || {}).y), lineageBadge("mt", (x.lineage || {}).mt)),
    reviews(x), x.report ? el("p", { class: "hint kn-report-no" }, fill("kn_report", { no: x.report.number })) : "",
    acts, evidence);
}

/** The pair's LR under each other relation tested (full against half siblings, say): the
 * candidate stands under its highest, and a reviewer sees by how much. */
function alternatives(alts) {
  const codes = Object.keys(alts);
  if (!codes.length) return "";
  return el("p", { class: "hint kn-alternatives" }, t("kn_alternatives"), t("colon"),
    ...codes.flatMap((c, i) => [i ? t("kn_sep") : "", el("span", { "data-relation": c }, hypothesisName(c), " ",
      alts[c] == null ? t("kn_excluded") : tenTo(alts[c]))]));
}

function reviews(x) {
  const list = x.reviews || [];
  if (!list.length) return el("p", { class: "hint kn-reviews" }, t("kn_reviews"), t("colon"), t("kn_no_reviews"));
  return el("div", { class: "kn-reviews" }, el("span", { class: "hint" }, t("kn_reviews"), t("colon")),
    el("ul", {}, ...list.map((r) => el("li", { "data-decision": r.decision, "data-reviewer": r.reviewer },
      fill("kn_review_line", { who: r.reviewer, role: paren(word("role_", r.role)), decision: decisionName(r.decision) }),
      r.note ? t("kn_sep") + r.note : "", " ", el("span", { class: "hint" }, beijingText(r.at))))));
}

function download(number) {
  const b = actButton(t("kn_download"), "kn-download", () => saveFile(`${API}/reports/${encodeURIComponent(number)}.pdf`, `${number}.pdf`));
  b.querySelector("button").dataset.report = number;
  return b;
}

/** The per-locus factors of a candidate, read with a reason (the API audits it). */
async function showEvidence(box, x, reason) {
  const e = await api(`${API}/candidates/${x.id}/evidence?${q({ reason })}`);
  const rows = (e.loci || []).map((l) => el("tr", { "data-locus": l.locus },
    el("td", { class: "kn-locus" }, l.locus), el("td", {}, (l.a || []).join(", ")), el("td", {}, (l.b || []).join(", ")), el("td", { class: "num" }, num(l.factor))));
  const ctx = Object.entries(e.context || {}).map(([part, f]) => el("tr", { "data-part": part }, el("td", {}, word("kn_ctx_", part)), el("td", { class: "num" }, num(f))));
  box.replaceChildren(el("div", { class: "kn-evidence-table" },
    el("h3", {}, t("kn_evidence_title")),
    el("table", { class: "kn-loci" }, th("kn_col_locus", "kn_col_a", "kn_col_b", "kn_col_factor"),
      el("tbody", {}, ...rows, el("tr", { class: "kn-total" }, el("td", { colspan: 3 }, t("kn_total_dna")), el("td", { class: "num" }, tenTo(x.log10_lr))))),
    ctx.length ? el("table", { class: "kn-context" }, el("caption", {}, t("kn_context")), el("tbody", {}, ...ctx)) : "",
    el("button", { type: "button", class: "kn-back", onclick: () => box.replaceChildren() }, t("kn_back"))));
  box.closest(".kn-candidate").querySelectorAll("form.kn-evidence-form").forEach((f) => f.remove());
}

// -- the power analysis of a case ----------------------------------------------------------------
export function drawPowerForm(c) {
  const card = $("#kn-power-card");
  card.hidden = !may("kinship.search");
  if (card.hidden) { card.replaceChildren(); return; }
  const form = el("form", { id: "kn-power", class: "inline", novalidate: "" },
    field("panel", "kn_panel", el("select", { name: "panel" }, ...PANELS.map((p) => el("option", { value: p }, kitName(p))))),
    field("n", "kn_runs", el("input", { name: "n", type: "number", min: "100", max: "5000", step: "100", value: "1000" })),
    el("button", { type: "submit" }, t("kn_power_go")));
  const out = el("div", { id: "kn-power-result" });
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const b = form.querySelector("button[type=submit]");
    b.disabled = true; out.replaceChildren(el("p", { class: "hint" }, t("kn_powering")));
    try {
      const r = await post(`${API}/cases/${c.id}/power`, { panel: form.elements.panel.value, n: Number(form.elements.n.value) || 1000 });
      out.replaceChildren(...powerResult(r));
    } catch (e) { if (e.status !== 401) out.replaceChildren(serverTextOf(el("p", { class: "error", role: "alert" }), e)); } finally { b.disabled = false; }
  });
  card.replaceChildren(h2("kn_power"), form, out);
}

function powerResult(r) {
  const rows = (r.relatives || []).map((x) => el("tr", { "data-sample": x.sample_id },
    el("td", { class: "nowrap" }, x.sample_id), el("td", {}, anyRelation(x.relation)), el("td", { class: "num" }, x.loci),
    el("td", { class: "num kn-detect" }, percent(x.detection_rate)), el("td", { class: "num" }, percent(x.false_positive_rate)),
    el("td", { class: "num" }, tenTo(x.median_log10_true))));
  const advice = r.advice || {};
  return [
    el("p", { class: "hint kn-threshold" }, t("kn_threshold"), " ", tenTo(r.threshold_log10), t("kn_sep"), kitName(r.panel)),
    el("table", { id: "kn-power-table" }, th("kn_col_sample", "kn_col_relation", "kn_col_loci", "kn_col_detect", "kn_col_false", "kn_col_median"),
      el("tbody", {}, ...(rows.length ? rows : [empty(6, "kn_no_relatives")]))),
    el("div", { class: "note kn-advice", "data-advice": advice.code || "" },
      el("b", {}, t("kn_advice"), t("colon"), adviceName(advice.code)),
      advice.text ? serverText(el("p", { class: "kn-advice-text" }), advice.text) : ""),
  ];
}
