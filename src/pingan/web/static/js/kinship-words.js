// Family search (寻亲比对): the codes the kinship API hands out, in words, and the small
// formatters its pages share — sides, statuses, relations of donors to a case's subject, the
// hypothesised relations of a candidate pair, lineage checks, the power analysis's advice,
// the refusals of a profile import — and a likelihood ratio written as a power of ten.
// Codes never reach the screen: word(prefix, code).
import { el, t } from "./core.js";
import { addTexts, fill, word, serverText } from "./i18n.js";

export const API = "/api/v1/kinship";

// Donor relations to the case's subject, as the add-donor form offers them.
export const RELATIONS = ["self", "parent", "child", "full_sibling", "half_sibling", "nephew_niece", "uncle_aunt", "cousin", "grandchild"];
export const SIDES = ["adoptee", "family"];
export const CASE_STATUSES = ["open", "matched", "closed"];
export const SEXES = ["M", "F", "U"];
export const KITS = ["auto", "globalfiler", "identifiler", "sureid", "expanded"];
export const PANELS = ["globalfiler", "expanded"];

addTexts({
  kn_side_adoptee: "被收养人（国家的孩子）", kn_side_family: "寻亲家庭", kn_side_short_adoptee: "被收养人", kn_side_short_family: "寻亲家庭",
  kn_cs_open: "寻亲中", kn_cs_matched: "已比中", kn_cs_closed: "已结案",
  kn_sex_M: "男", kn_sex_F: "女", kn_sex_U: "不详",
  kn_rel_self: "本人", kn_rel_parent: "父母", kn_rel_child: "子女", kn_rel_full_sibling: "同胞兄弟姐妹",
  kn_rel_half_sibling: "同父异母或同母异父的兄弟姐妹", kn_rel_nephew_niece: "侄子女、外甥子女",
  kn_rel_uncle_aunt: "伯叔姑舅姨", kn_rel_cousin: "堂表兄弟姐妹", kn_rel_grandchild: "孙子女、外孙子女",
  kn_hyp_parent_child: "亲子", kn_hyp_full_siblings: "全同胞", kn_hyp_half_siblings: "半同胞",
  kn_hyp_avuncular: "叔侄、舅甥（二级亲属）", kn_hyp_grandparent: "祖孙", kn_hyp_first_cousins: "堂表兄弟姐妹",
  kn_hyp_half_avuncular: "半同胞的叔侄、舅甥", kn_hyp_first_cousins_once_removed: "堂表亲隔一代", kn_hyp_unrelated: "无亲缘关系",
  kn_st_new: "待复核", kn_st_confirmed: "已确认", kn_st_rejected: "已否定", kn_st_notified: "已告知家属",
  kn_dec_confirm: "确认", kn_dec_reject: "否定",
  kn_lin_y: "Y染色体", kn_lin_mt: "线粒体",
  kn_ls_match: "一致", kn_ls_one_step: "相差一步（可能为突变）", kn_ls_excluded: "排除", kn_ls_not_tested: "未检测",
  kn_adv_enough: "现有亲属与位点足以识别真实亲属", kn_adv_add_markers: "建议增加检测位点",
  kn_adv_add_relatives: "建议增加参比亲属", kn_adv_add_markers_or_relatives: "建议增加检测位点或参比亲属",
  kn_err_unknown_sample: "样本编号不存在", kn_err_no_consent: "该样本未签署知情同意", kn_err_unknown_locus: "未知位点",
  kn_err_too_many_alleles: "等位基因多于两个", kn_err_bad_allele: "等位基因无效", kn_err_sex_mismatch: "性别位点与登记性别不符",
  kn_err_duplicate_sample: "样本重复", kn_err_empty_file: "文件为空", kn_err_bad_file: "文件无法读取",
  kn_kit_auto: "自动识别", kn_kit_globalfiler: "GlobalFiler", kn_kit_identifiler: "Identifiler", kn_kit_sureid: "SureID",
  kn_kit_expanded: "扩展位点组（全部位点）",
  kn_scope_family_search: "寻亲比对",
  kn_ten_pow: "10", kn_pct: "{x}%", kn_pct_above: "高于{x}%", kn_pct_below: "低于{x}%", kn_sep: " · ", kn_list: "、", kn_paren: "（{x}）", kn_years: "{a}–{b}年",
  kn_year: "{a}年", kn_date_range: "{a} 至 {b}",
}, {
  kn_side_adoptee: "Adoptee (the nation's children)", kn_side_family: "Searching family", kn_side_short_adoptee: "Adoptee", kn_side_short_family: "Family",
  kn_cs_open: "Searching", kn_cs_matched: "Matched", kn_cs_closed: "Closed",
  kn_sex_M: "Male", kn_sex_F: "Female", kn_sex_U: "Unknown",
  kn_rel_self: "Self", kn_rel_parent: "Parent", kn_rel_child: "Child", kn_rel_full_sibling: "Full sibling",
  kn_rel_half_sibling: "Half sibling", kn_rel_nephew_niece: "Nephew or niece",
  kn_rel_uncle_aunt: "Uncle or aunt", kn_rel_cousin: "First cousin", kn_rel_grandchild: "Grandchild",
  kn_hyp_parent_child: "Parent and child", kn_hyp_full_siblings: "Full siblings", kn_hyp_half_siblings: "Half siblings",
  kn_hyp_avuncular: "Uncle or aunt and nephew or niece", kn_hyp_grandparent: "Grandparent and grandchild", kn_hyp_first_cousins: "First cousins",
  kn_hyp_half_avuncular: "Half uncle or aunt and nephew or niece", kn_hyp_first_cousins_once_removed: "First cousins once removed", kn_hyp_unrelated: "Unrelated",
  kn_st_new: "Waiting for review", kn_st_confirmed: "Confirmed", kn_st_rejected: "Rejected", kn_st_notified: "Family told",
  kn_dec_confirm: "confirmed", kn_dec_reject: "rejected",
  kn_lin_y: "Y-STR", kn_lin_mt: "mtDNA",
  kn_ls_match: "consistent", kn_ls_one_step: "one step apart (possible mutation)", kn_ls_excluded: "excluded", kn_ls_not_tested: "not tested",
  kn_adv_enough: "The relatives and markers on file are enough to find a true relative", kn_adv_add_markers: "Type more markers",
  kn_adv_add_relatives: "Add reference relatives", kn_adv_add_markers_or_relatives: "Type more markers or add reference relatives",
  kn_err_unknown_sample: "Unknown sample id", kn_err_no_consent: "The sample has no consent on file", kn_err_unknown_locus: "Unknown locus",
  kn_err_too_many_alleles: "More than two alleles", kn_err_bad_allele: "Impossible allele", kn_err_sex_mismatch: "Amelogenin does not match the recorded sex",
  kn_err_duplicate_sample: "Sample given twice", kn_err_empty_file: "The file is empty", kn_err_bad_file: "The file cannot be read",
  kn_kit_auto: "Detect from the file", kn_kit_globalfiler: "GlobalFiler", kn_kit_identifiler: "Identifiler", kn_kit_sureid: "SureID",
  kn_kit_expanded: "Expanded panel (every locus)",
  kn_scope_family_search: "Family search",
  kn_ten_pow: "10", kn_pct: "{x}%", kn_pct_above: "over {x}%", kn_pct_below: "under {x}%", kn_sep: " · ", kn_list: ", ", kn_paren: " ({x})", kn_years: "{a}–{b}",
  kn_year: "{a}", kn_date_range: "{a} to {b}",
});

export const sideName = (c) => word("kn_side_", c);
export const sideShort = (c) => word("kn_side_short_", c); // in tables and a candidate's lines
export const caseStatus = (c) => word("kn_cs_", c);
export const sexName = (c) => word("kn_sex_", c);
export const relationName = (c) => word("kn_rel_", c);
export const hypothesisName = (c) => word("kn_hyp_", c);
export const candidateStatus = (c) => word("kn_st_", c);
export const decisionName = (c) => word("kn_dec_", c);
export const lineageStatus = (c) => word("kn_ls_", c);
export const adviceName = (c) => word("kn_adv_", c);
export const refusalName = (c) => word("kn_err_", c);
export const kitName = (c) => word("kn_kit_", c);
export const scopeName = (c) => word("kn_scope_", c);
/** A relation code of either kind (a donor's to its subject, or a hypothesis) in words. */
export const anyRelation = (c) => (RELATIONS.includes(c) ? relationName(c) : hypothesisName(c));

export const paren = (x) => (x === "" || x == null ? "" : fill("kn_paren", { x }));
export const joined = (parts) => parts.filter((x) => x !== "" && x != null).join(t("kn_sep"));

/** A likelihood ratio as a power of ten, "10" with the exponent raised; the figure itself in
 * data-log10 (and the title) for whoever reads it exactly. */
export function tenTo(log10) {
  if (log10 == null || Number.isNaN(Number(log10))) return el("span", { class: "kn-lr" }, "-");
  const x = Number(log10);
  return el("span", { class: "kn-lr", "data-log10": x.toFixed(2), title: x.toFixed(2) },
    t("kn_ten_pow"), el("sup", {}, x.toFixed(1)));
}

/** A probability as a percentage: two decimals near 0 or 1, where the difference matters. */
export function percent(p) {
  if (p == null) return "-";
  const x = Number(p) * 100;
  // never "100%" (nor "0%") for what is only nearly certain: the review weighs the difference
  if (x > 99.99 && x < 100) return fill("kn_pct_above", { x: "99.99" });
  if (x > 0 && x < 0.01) return fill("kn_pct_below", { x: "0.01" });
  const digits = x >= 99 || x <= 1 ? 2 : 1;
  return fill("kn_pct", { x: x.toFixed(digits) });
}

/** "1958–1960年" / "1958年" / "" from a range that may be open at either end. */
export function yearRange(a, b) {
  if (a == null && b == null) return "";
  if (a == null || b == null || a === b) return fill("kn_year", { a: a ?? b });
  return fill("kn_years", { a, b });
}

/** "1960-03-01 至 1960-06-30" / one date / "" from a range of ISO dates. */
export function dateRange(a, b) {
  if (!a && !b) return "";
  if (!a || !b || a === b) return a || b;
  return fill("kn_date_range", { a, b });
}

/** A lineage check as a badge (pill): ok where consistent, bad where excluded. */
export function lineageBadge(kind, check) {
  const status = (check && check.status) || "not_tested";
  const cls = { match: "ok", one_step: "warn", excluded: "bad" }[status] || "sample";
  return el("span", { class: `pill kn-lineage ${cls}`, "data-lineage": kind, "data-status": status },
    t("kn_lin_" + kind), t("colon"), lineageStatus(status));
}

// -- pieces of the desk shared by the case and candidate panels -------------------------------
addTexts({ kn_col_sample: "样本编号", kn_col_relation: "与当事人关系", kn_col_locus: "位点", kn_back: "返回", kn_reason: "查阅事由", kn_reason_needed: "请写明查阅事由", kn_note: "意见", kn_note_needed: "请写明意见", kn_required: "此项必填" },
  { kn_col_sample: "Sample id", kn_col_relation: "Relation to the subject", kn_col_locus: "Locus", kn_back: "Back", kn_reason: "Why you read it", kn_reason_needed: "Give the reason for reading it", kn_note: "Note", kn_note_needed: "Write a note", kn_required: "required" });

export const th = (...keys) => el("thead", {}, el("tr", {}, ...keys.map((k) => el("th", { "data-i18n": k }, t(k)))));
export const empty = (n, key) => el("tr", { class: "empty" }, el("td", { colspan: n, class: "hint" }, t(key)));
export const errorLine = (id) => el("p", { id, class: "error", role: "alert" });
export const q = (params) => new URLSearchParams(Object.entries(params).filter(([, v]) => v !== null && v !== undefined && v !== "")).toString();
/** A labelled field with its error line under it (showFieldErrors fills it). */
export const field = (name, key, input) => el("label", { class: "kn-field" }, el("span", { "data-i18n": key }, t(key)), " ", input,
  el("small", { class: "field-error", "data-for": name }));

/** One line of text asked for in place (a reason, a note), then `act(text)`; `required` says
 * whether it may be left empty. Refusals show in the form, in the server's words. */
export function askFor(box, { cls, label, placeholder, needed, required = true, act }) {
  box.querySelectorAll("form.kn-ask").forEach((x) => x.remove());
  const out = el("span", { class: "error", role: "alert" });
  const form = el("form", { class: `kn-ask inline ${cls}`, novalidate: "" },
    el("input", { name: "text", maxlength: "500", placeholder: t(placeholder), "aria-label": t(placeholder) }),
    el("button", { type: "submit" }, label), el("button", { type: "button", class: "kn-back", onclick: () => form.remove() }, t("kn_back")), out);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const text = form.elements.text.value.trim();
    if (required && !text) { out.textContent = t(needed); return; }
    const b = form.querySelector("button[type=submit]");
    b.disabled = true;
    try { await act(text); } catch (e) { if (e.status !== 401) serverTextOf(out, e); } finally { b.disabled = false; }
  });
  box.append(form);
  form.elements.text.focus();
  return form;
}

/** A button that runs `act`, its refusal shown beside it in the server's words. */
export function actButton(label, cls, act) {
  const out = el("span", { class: "error", role: "alert" });
  const b = el("button", { type: "button", class: cls }, label);
  b.addEventListener("click", async () => {
    b.disabled = true;
    try { await act(); } catch (e) { if (e.status !== 401) serverTextOf(out, e); } finally { b.disabled = false; }
  });
  return el("span", { class: "kn-act" }, b, out);
}

/** An API refusal in the server's words (its detail, in the page's language). */
export const serverTextOf = (node, e) => serverText(node, (e && e.message) || String(e));
