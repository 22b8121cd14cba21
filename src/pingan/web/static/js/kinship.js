// 寻亲比对 (the family search desk, "the nation's children"): the cases of both sides with
// filters and a search; a new case; one case with its subject and the relatives who gave a
// sample (consent recorded or withdrawn, profile on file); a donor added; DNA profiles imported
// from a lab's CSV, all or nothing, a refusal shown line by line. The ranked candidates, their
// review, report and the power analysis are kinship-candidates.js. Each action is offered only
// to a role whose permission allows it (policy.yaml kinship.*); the API enforces the same.
// Names and ID numbers arrive masked; genotypes only after a reason (audited). A case's photos
// are kinship-photos.js.
import { api, post, el, $, t, may, session, fieldErrors, showFieldErrors } from "./core.js";
import { addTexts, fill, onLang, serverText } from "./i18n.js";
import { beijingText } from "./money.js";
import { API, RELATIONS, SIDES, CASE_STATUSES, SEXES, KITS, sideName, sideShort, caseStatus, sexName, relationName, kitName, scopeName,
  refusalName, paren, joined, yearRange, dateRange, th, empty, errorLine, q, field, askFor, serverTextOf } from "./kinship-words.js";
import { drawCandidates, drawSearchBar, drawPowerForm } from "./kinship-candidates.js";
import { drawPhotos } from "./kinship-photos.js";

addTexts({
  nav_kinship: "寻亲比对", kn_title: "寻亲比对（国家的孩子）", kn_side: "类别", kn_status: "状态", kn_all: "全部",
  kn_find_ph: "案件编号、姓名或地点", kn_find: "查找", kn_new: "新建档案", kn_cases: "寻亲档案", kn_no_cases: "没有符合条件的档案",
  kn_col_no: "档案编号", kn_col_side: "类别", kn_col_status: "状态", kn_col_subject: "当事人", kn_col_born: "出生年份",
  kn_col_place: "接收或走失地点", kn_col_donors: "采样亲属", kn_col_profiles: "已入库图谱", kn_col_open: "待复核候选",
  kn_pick: "请选择一份档案查看当事人、采样亲属和比对结果", kn_total: "共 {n} 份",
  kn_f_side: "类别", kn_f_name: "当事人姓名", kn_f_sex: "性别", kn_f_born_min: "出生年份（最早）", kn_f_born_max: "出生年份（最晚）",
  kn_f_place: "接收或走失地点", kn_f_date_min: "接收或走失日期（最早）", kn_f_date_max: "接收或走失日期（最晚）",
  kn_f_orphanage: "福利院", kn_f_transfer: "转送记录（每行一条）", kn_f_adoptive: "收养家庭", kn_f_story: "生平经历", kn_f_contact: "联系人及电话",
  kn_save_case: "建档", kn_case_saved: "已建档 {no}",
  kn_subject: "当事人", kn_born: "出生年份", kn_place: "接收或走失地点", kn_dates: "接收或走失日期", kn_orphanage: "福利院",
  kn_transfer: "转送记录", kn_adoptive: "收养家庭", kn_story: "生平经历", kn_contact: "联系人", kn_created: "建档时间",
  kn_donors: "采样亲属", kn_no_donors: "尚无采样亲属",
  kn_col_name: "姓名", kn_col_consent: "知情同意", kn_col_profile: "DNA图谱", kn_col_actions: "操作",
  kn_consent_on: "{date} 签署（{no}）", kn_consent_withdrawn: "已撤回", kn_consent_none: "未签署",
  kn_profile_on: "{kit} · {n} 个位点", kn_profile_none: "未入库", kn_has_y: "有Y染色体", kn_has_mt: "有线粒体",
  kn_consent: "登记知情同意", kn_signed_on: "签署日期", kn_document_no: "同意书编号", kn_consent_saved: "已登记知情同意（{no}）",
  kn_withdraw: "撤回同意", kn_withdraw_reason: "撤回原因", kn_withdraw_needed: "请写明撤回原因",
  kn_read_profile: "查阅图谱", kn_profile_title: "图谱（{sample}，{kit}）", kn_col_alleles: "等位基因",
  kn_add_donor: "添加采样亲属", kn_d_name: "姓名", kn_d_relation: "与当事人关系", kn_d_sex: "性别", kn_d_birth: "出生年份",
  kn_d_id: "身份证号（可选）", kn_donor_saved: "已添加，样本编号 {sample}",
  kn_import: "导入DNA图谱", kn_import_file: "图谱文件（CSV）", kn_import_kit: "试剂盒", kn_import_go: "导入",
  kn_import_need_file: "请选择图谱文件", kn_imported: "已导入 {n} 份图谱：{samples}", kn_import_refused: "文件未导入，以下各行有误（全部改正后重新导入）：",
  kn_line: "第 {line} 行", kn_choose: "请选择",
}, {
  nav_kinship: "Family search", kn_title: "Family search (the nation's children)", kn_side: "Side", kn_status: "Status", kn_all: "All",
  kn_find_ph: "Case number, name or place", kn_find: "Find", kn_new: "New case", kn_cases: "Cases", kn_no_cases: "No case matches",
  kn_col_no: "Case no.", kn_col_side: "Side", kn_col_status: "Status", kn_col_subject: "Subject", kn_col_born: "Born",
  kn_col_place: "Received or lost at", kn_col_donors: "Donors", kn_col_profiles: "Profiles", kn_col_open: "Candidates to review",
  kn_pick: "Choose a case to see its subject, the relatives who gave samples and the matches", kn_total: "{n} in all",
  kn_f_side: "Side", kn_f_name: "Subject's name", kn_f_sex: "Sex", kn_f_born_min: "Born, earliest year", kn_f_born_max: "Born, latest year",
  kn_f_place: "Received or lost at", kn_f_date_min: "Received or lost, earliest date", kn_f_date_max: "Received or lost, latest date",
  kn_f_orphanage: "Orphanage", kn_f_transfer: "Transfer records (one a line)", kn_f_adoptive: "Adoptive family", kn_f_story: "Life story", kn_f_contact: "Contact and phone",
  kn_save_case: "Open the case", kn_case_saved: "Case {no} opened",
  kn_subject: "Subject", kn_born: "Born", kn_place: "Received or lost at", kn_dates: "Received or lost", kn_orphanage: "Orphanage",
  kn_transfer: "Transfer records", kn_adoptive: "Adoptive family", kn_story: "Life story", kn_contact: "Contact", kn_created: "Opened",
  kn_donors: "Relatives who gave samples", kn_no_donors: "No donor yet",
  kn_col_name: "Name", kn_col_consent: "Consent", kn_col_profile: "DNA profile", kn_col_actions: "Actions",
  kn_consent_on: "signed {date} ({no})", kn_consent_withdrawn: "withdrawn", kn_consent_none: "none",
  kn_profile_on: "{kit} · {n} loci", kn_profile_none: "not imported", kn_has_y: "Y-STR", kn_has_mt: "mtDNA",
  kn_consent: "Record consent", kn_signed_on: "Signed on", kn_document_no: "Form number", kn_consent_saved: "Consent recorded ({no})",
  kn_withdraw: "Withdraw consent", kn_withdraw_reason: "Why withdrawn", kn_withdraw_needed: "Give the reason for the withdrawal",
  kn_read_profile: "Read the profile", kn_profile_title: "Profile ({sample}, {kit})", kn_col_alleles: "Alleles",
  kn_add_donor: "Add a donor", kn_d_name: "Name", kn_d_relation: "Relation to the subject", kn_d_sex: "Sex", kn_d_birth: "Year of birth",
  kn_d_id: "ID number (optional)", kn_donor_saved: "Added as sample {sample}",
  kn_import: "Import DNA profiles", kn_import_file: "Profile file (CSV)", kn_import_kit: "Kit", kn_import_go: "Import",
  kn_import_need_file: "Choose the profile file", kn_imported: "{n} profiles imported: {samples}", kn_import_refused: "Nothing imported; these lines are wrong (correct them all and import again):",
  kn_line: "Line {line}", kn_choose: "Choose",
});

const desk = { ready: false, caseId: null, detail: null, user: null };
export const kinshipState = desk; // read by the browser tests
export const mayUseKinship = () => may("kinship.read");

const card = (id, key, ...kids) => el("div", { class: "card", id }, el("h2", { "data-i18n": key }, t(key)), ...kids);
const options = (codes, name, { all = false, choose = false } = {}) => [
  ...(all ? [el("option", { value: "" }, t("kn_all"))] : []), ...(choose ? [el("option", { value: "" }, t("kn_choose"))] : []),
  ...codes.map((c) => el("option", { value: c }, name(c)))];
const line = (key, ...value) => el("p", { class: "kn-line" }, el("span", { class: "hint" }, t(key) + t("colon")), ...value);

function build() {
  const top = el("div", { class: "card", id: "kn-top" }, el("h2", { "data-i18n": "kn_title" }, t("kn_title")),
    el("div", { class: "board-bar" },
      el("label", {}, el("span", {}, t("kn_side")), " ", el("select", { id: "kn-side" }, ...options(SIDES, sideName, { all: true }))),
      el("label", {}, el("span", {}, t("kn_status")), " ", el("select", { id: "kn-status" }, ...options(CASE_STATUSES, caseStatus, { all: true }))),
      el("form", { id: "kn-find", class: "inline", novalidate: "" },
        el("input", { name: "q", maxlength: "60", placeholder: t("kn_find_ph"), "aria-label": t("kn_find_ph") }),
        el("button", { type: "submit" }, t("kn_find"))),
      may("kinship.case") ? el("button", { type: "button", id: "kn-new" }, t("kn_new")) : ""),
    el("div", { id: "kn-new-box" }), errorLine("kn-error"));
  $("#view-kinship").replaceChildren(top,
    el("div", { class: "split" },
      el("div", {},
        card("kn-cases-card", "kn_cases", el("p", { id: "kn-total", class: "hint" }), el("table", { id: "kn-cases" })),
        may("kinship.profile") ? importCard() : ""),
      el("div", {}, el("div", { class: "card", id: "kn-case" }, el("p", { class: "hint" }, t("kn_pick"))))),
    el("div", { class: "card", id: "kn-candidates-card", hidden: "" }),
    el("div", { class: "card", id: "kn-power-card", hidden: "" }));
  $("#kn-side").addEventListener("change", () => drawCases());
  $("#kn-status").addEventListener("change", () => drawCases());
  $("#kn-find").addEventListener("submit", (ev) => { ev.preventDefault(); drawCases(); });
  if ($("#kn-new")) $("#kn-new").addEventListener("click", () => newCaseForm());
}

/** The view, built once per language (its labels are drawn in it); a case stays open. */
export async function showKinship() {
  const user = session.user && session.user.username;
  if (desk.user !== user) { desk.user = user; desk.ready = false; desk.caseId = null; } // another account: its own permissions
  if (!desk.ready) { build(); desk.ready = true; }
  const arg = location.hash.replace(/^#/, "").split("/")[1];
  if (arg && Number(arg)) desk.caseId = Number(arg);
  await Promise.all([drawCases(), desk.caseId ? openCase(desk.caseId) : null]);
}
// A switch of language re-builds the labels; main.js then re-shows the view (showKinship).
onLang(() => { if (desk.ready) { const filters = readFilters(); build(); writeFilters(filters); } });

const readFilters = () => ({ side: $("#kn-side").value, status: $("#kn-status").value, q: $("#kn-find").elements.q.value });
function writeFilters(f) { $("#kn-side").value = f.side; $("#kn-status").value = f.status; $("#kn-find").elements.q.value = f.q; }

// -- the case list ---------------------------------------------------------------------------------
async function drawCases() {
  const table = $("#kn-cases");
  serverText($("#kn-error"), "");
  const f = readFilters();
  let page;
  try { page = await api(`${API}/cases?${q({ side: f.side, status: f.status, q: f.q.trim(), limit: 100 })}`); } catch (e) { serverTextOf($("#kn-error"), e); return; }
  const items = page.items || [];
  $("#kn-total").textContent = fill("kn_total", { n: page.total ?? items.length });
  const rows = items.map((c) => {
    const tr = el("tr", { "data-case": c.id, "data-side": c.side, class: c.id === desk.caseId ? "selected" : "" },
      el("td", { class: "nowrap kn-case-no" }, c.case_no), el("td", { class: "nowrap" }, sideShort(c.side)), el("td", { class: "nowrap" }, caseStatus(c.status)),
      el("td", { class: "nowrap" }, c.name_masked || "", paren(sexName(c.sex))), el("td", { class: "nowrap kn-opt" }, yearRange(c.birth_year_min, c.birth_year_max)),
      el("td", { class: "kn-opt" }, c.place || ""), el("td", { class: "num" }, c.persons ?? ""), el("td", { class: "num kn-opt" }, c.profiles ?? ""),
      el("td", { class: "num" }, c.open_candidates ?? ""));
    tr.addEventListener("click", () => openCase(c.id));
    return tr;
  });
  table.replaceChildren(th("kn_col_no", "kn_col_side", "kn_col_status", "kn_col_subject", "kn_col_born", "kn_col_place", "kn_col_donors", "kn_col_profiles", "kn_col_open"),
    el("tbody", {}, ...(rows.length ? rows : [empty(9, "kn_no_cases")])));
}

// -- a new case ------------------------------------------------------------------------------------
function newCaseForm() {
  const out = el("p", { class: "form-note", role: "status" });
  const form = el("form", { id: "kn-case-form", class: "kn-form", novalidate: "" },
    el("h3", {}, t("kn_new")),
    el("div", { class: "kn-grid" },
      field("side", "kn_f_side", el("select", { name: "side" }, ...options(SIDES, sideName))),
      field("name", "kn_f_name", el("input", { name: "name", maxlength: "50", autocomplete: "off" })),
      field("sex", "kn_f_sex", el("select", { name: "sex" }, ...options(SEXES, sexName))),
      field("birth_year_min", "kn_f_born_min", el("input", { name: "birth_year_min", type: "number", min: "1900", max: "2100" })),
      field("birth_year_max", "kn_f_born_max", el("input", { name: "birth_year_max", type: "number", min: "1900", max: "2100" })),
      field("place", "kn_f_place", el("input", { name: "place", maxlength: "200" })),
      field("date_min", "kn_f_date_min", el("input", { name: "date_min", type: "date" })),
      field("date_max", "kn_f_date_max", el("input", { name: "date_max", type: "date" })),
      field("orphanage", "kn_f_orphanage", el("input", { name: "orphanage", maxlength: "200" })),
      field("adoptive_family", "kn_f_adoptive", el("input", { name: "adoptive_family", maxlength: "200" })),
      field("contact", "kn_f_contact", el("input", { name: "contact", maxlength: "100", autocomplete: "off" }))),
    field("transfer_records", "kn_f_transfer", el("textarea", { name: "transfer_records", rows: "2" })),
    field("life_story", "kn_f_story", el("textarea", { name: "life_story", rows: "3" })),
    el("button", { type: "submit" }, t("kn_save_case")),
    el("button", { type: "button", onclick: () => form.remove() }, t("kn_back")), out);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const v = Object.fromEntries([...new FormData(form)].map(([k, x]) => [k, String(x).trim()]));
    const num = (x) => (x === "" ? null : Number(x));
    const details = { transfer_records: v.transfer_records ? v.transfer_records.split("\n").map((x) => x.trim()).filter(Boolean) : [],
      adoptive_family: v.adoptive_family, life_story: v.life_story };
    const body = { side: v.side, name: v.name || null, sex: v.sex, birth_year_min: num(v.birth_year_min), birth_year_max: num(v.birth_year_max),
      place: v.place, date_min: v.date_min || null, date_max: v.date_max || null, orphanage: v.orphanage, details, contact: v.contact || null };
    showFieldErrors(form, {});
    try {
      const c = await post(`${API}/cases`, body);
      out.textContent = fill("kn_case_saved", { no: c.case_no });
      out.dataset.saved = "yes";
      await Promise.all([drawCases(), openCase(c.id)]);
    } catch (e) {
      if (e.status === 401) return;
      const bad = fieldErrors(e.body);
      showFieldErrors(form, bad);
      if (!Object.keys(bad).length) serverTextOf(out, e);
    }
  });
  $("#kn-new-box").replaceChildren(form);
  form.elements.name.focus();
}

// -- one case: its subject and donors ----------------------------------------------------------------
export async function openCase(id) {
  desk.caseId = id;
  if (location.hash.startsWith("#kinship")) history.replaceState(null, "", `#kinship/${id}`); // a reload or switch keeps it open
  document.querySelectorAll("#kn-cases tr[data-case]").forEach((tr) => tr.classList.toggle("selected", Number(tr.dataset.case) === id));
  const box = $("#kn-case");
  let c;
  try { c = await api(`${API}/cases/${id}`); } catch (e) { serverTextOf(box, e); return; }
  if (desk.caseId !== id) return; // another case was opened meanwhile
  desk.detail = c;
  const d = c.details || {};
  box.replaceChildren(
    el("h2", { id: "kn-case-title", "data-case": c.id }, joined([c.case_no, sideName(c.side), caseStatus(c.status)])),
    line("kn_subject", joined([c.name_masked, sexName(c.sex)])),
    line("kn_born", yearRange(c.birth_year_min, c.birth_year_max)),
    line("kn_place", c.place || ""), line("kn_dates", dateRange(c.date_min, c.date_max)),
    c.orphanage ? line("kn_orphanage", c.orphanage) : "",
    (d.transfer_records || []).length ? line("kn_transfer", el("ul", { class: "kn-transfers" }, ...d.transfer_records.map((x) => el("li", {}, x)))) : "",
    d.adoptive_family ? line("kn_adoptive", d.adoptive_family) : "",
    d.life_story ? line("kn_story", d.life_story) : "",
    c.contact_masked ? line("kn_contact", c.contact_masked) : "",
    line("kn_created", beijingText(c.created_at)),
    el("div", { id: "kn-photos-box" }),
    el("h3", {}, t("kn_donors")), el("table", { id: "kn-persons" }), el("div", { id: "kn-person-box" }), errorLine("kn-case-error"),
    may("kinship.case") ? el("button", { type: "button", id: "kn-add-donor", onclick: () => donorForm(c) }, t("kn_add_donor")) : "",
    el("div", { id: "kn-donor-box" }));
  drawPersons(c);
  drawPhotos($("#kn-photos-box"), c, { onAdded: () => openCase(c.id) });
  drawSearchBar(c, { onSearched: () => Promise.all([drawCases(), openCase(c.id)]) });
  drawPowerForm(c);
  await drawCandidates(c, { onChanged: () => Promise.all([drawCases(), openCase(c.id)]) });
}

function consentCell(p) {
  const c = p.consent;
  if (!c) return el("span", { class: "kn-consent", "data-consent": "none" }, t("kn_consent_none"));
  if (c.withdrawn_at) return el("span", { class: "kn-consent late", "data-consent": "withdrawn" }, t("kn_consent_withdrawn"), " ", beijingText(c.withdrawn_at));
  return el("span", { class: "kn-consent", "data-consent": "active" }, fill("kn_consent_on", { date: c.signed_on, no: c.document_no }),
    c.scope && c.scope !== "family_search" ? paren(scopeName(c.scope)) : "");
}

function profileCell(p) {
  const f = p.profile;
  if (!f) return el("span", { class: "hint", "data-profile": "none" }, t("kn_profile_none"));
  return el("span", { "data-profile": f.id }, fill("kn_profile_on", { kit: kitName(f.kit), n: f.loci }),
    f.has_ystr ? el("span", { class: "pill sample kn-mark" }, t("kn_has_y")) : "", f.has_mtdna ? el("span", { class: "pill sample kn-mark" }, t("kn_has_mt")) : "");
}

function drawPersons(c) {
  const rows = (c.persons || []).map((p) => {
    const acts = el("td", { class: "kn-actions" });
    const active = p.consent && !p.consent.withdrawn_at;
    if (may("kinship.case") && !active) acts.append(el("button", { type: "button", class: "kn-consent-add", onclick: () => consentForm(p) }, t("kn_consent")));
    if (may("kinship.case") && active) {
      acts.append(el("button", { type: "button", class: "kn-withdraw", onclick: () => askFor(acts, { cls: "kn-withdraw-form", label: t("kn_withdraw"),
        placeholder: "kn_withdraw_reason", needed: "kn_withdraw_needed", act: (reason) => post(`${API}/persons/${p.id}/consent/withdraw`, { reason }).then(() => openCase(c.id)) }) }, t("kn_withdraw")));
    }
    if (may("kinship.profile_read") && p.profile) {
      acts.append(el("button", { type: "button", class: "kn-read-profile", onclick: () => askFor(acts, { cls: "kn-profile-reason", label: t("kn_read_profile"),
        placeholder: "kn_reason", needed: "kn_reason_needed", act: (reason) => readProfile(p, reason) }) }, t("kn_read_profile")));
    }
    return el("tr", { "data-person": p.id, "data-sample": p.sample_id },
      el("td", { class: "nowrap kn-sample" }, p.sample_id), el("td", {}, relationName(p.relation)),
      el("td", {}, p.name_masked || "", paren(joined([sexName(p.sex), p.birth_year ? fill("kn_year", { a: p.birth_year }) : ""])),
        p.id_masked ? el("div", { class: "hint nowrap" }, p.id_masked) : ""),
      el("td", {}, consentCell(p)), el("td", {}, profileCell(p)), acts);
  });
  $("#kn-persons").replaceChildren(th("kn_col_sample", "kn_col_relation", "kn_col_name", "kn_col_consent", "kn_col_profile", "kn_col_actions"),
    el("tbody", {}, ...(rows.length ? rows : [empty(6, "kn_no_donors")])));
}

/** One donor's genotypes, read with a reason (audited by the API); shown under the donors. */
async function readProfile(p, reason) {
  const f = await api(`${API}/persons/${p.id}/profile?${q({ reason })}`);
  const loci = Object.entries(f.genotypes || {});
  const rows = loci.map(([locus, pair]) => el("tr", {}, el("td", { class: "kn-locus" }, locus), el("td", {}, (pair || []).join(", "))));
  const y = Object.entries(f.ystr || {}).map(([locus, allele]) => el("tr", { class: "kn-ystr" }, el("td", { class: "kn-locus" }, locus), el("td", {}, String(allele))));
  const mt = f.mtdna ? el("p", { class: "kn-mtdna" }, t("kn_has_mt"), t("colon"), joined([f.mtdna.range, (f.mtdna.variants || []).join(" ")])) : "";
  $("#kn-person-box").replaceChildren(el("div", { class: "kn-profile", "data-sample": f.sample_id },
    el("h3", {}, fill("kn_profile_title", { sample: f.sample_id, kit: kitName(f.kit) })),
    el("button", { type: "button", class: "kn-back", onclick: () => $("#kn-person-box").replaceChildren() }, t("kn_back")),
    el("table", {}, th("kn_col_locus", "kn_col_alleles"), el("tbody", {}, ...rows, ...y)), mt));
}

function consentForm(p) {
  const out = el("p", { class: "form-note", role: "status" });
  const form = el("form", { id: "kn-consent-form", class: "kn-form", novalidate: "", "data-person": p.id },
    el("h3", {}, t("kn_consent"), t("kn_sep"), p.sample_id),
    field("signed_on", "kn_signed_on", el("input", { name: "signed_on", type: "date" })),
    field("document_no", "kn_document_no", el("input", { name: "document_no", maxlength: "60", autocomplete: "off" })),
    el("button", { type: "submit" }, t("kn_consent")),
    el("button", { type: "button", onclick: () => form.remove() }, t("kn_back")), out);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const v = { signed_on: form.elements.signed_on.value, document_no: form.elements.document_no.value.trim() };
    const bad = Object.fromEntries(Object.entries(v).filter(([, x]) => !x).map(([k]) => [k, t("kn_required")]));
    showFieldErrors(form, bad);
    if (Object.keys(bad).length) return;
    try {
      await post(`${API}/persons/${p.id}/consent`, { ...v, scope: "family_search" });
      await openCase(desk.caseId);
      const note = el("p", { class: "form-note", role: "status", "data-saved": "yes" }, fill("kn_consent_saved", { no: v.document_no }));
      $("#kn-person-box").replaceChildren(note);
    } catch (e) {
      if (e.status === 401) return;
      const fields = fieldErrors(e.body);
      showFieldErrors(form, fields);
      if (!Object.keys(fields).length) serverTextOf(out, e);
    }
  });
  $("#kn-person-box").replaceChildren(form);
  form.elements.signed_on.focus();
}

function donorForm(c) {
  const out = el("p", { class: "form-note", role: "status" });
  const form = el("form", { id: "kn-donor-form", class: "kn-form", novalidate: "" },
    el("h3", {}, t("kn_add_donor")),
    el("div", { class: "kn-grid" },
      field("name", "kn_d_name", el("input", { name: "name", maxlength: "50", autocomplete: "off" })),
      field("relation", "kn_d_relation", el("select", { name: "relation" }, ...options(RELATIONS, relationName, { choose: true }))),
      field("sex", "kn_d_sex", el("select", { name: "sex" }, ...options(SEXES, sexName, { choose: true }))),
      field("birth_year", "kn_d_birth", el("input", { name: "birth_year", type: "number", min: "1900", max: "2100" })),
      field("id_number", "kn_d_id", el("input", { name: "id_number", maxlength: "18", autocomplete: "off" }))),
    el("button", { type: "submit" }, t("kn_add_donor")),
    el("button", { type: "button", onclick: () => form.remove() }, t("kn_back")), out);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const v = Object.fromEntries([...new FormData(form)].map(([k, x]) => [k, String(x).trim()]));
    const bad = Object.fromEntries(["name", "relation", "sex"].filter((k) => !v[k]).map((k) => [k, t("kn_required")]));
    showFieldErrors(form, bad);
    if (Object.keys(bad).length) return;
    try {
      const p = await post(`${API}/cases/${c.id}/persons`, { name: v.name, relation: v.relation, sex: v.sex,
        birth_year: v.birth_year ? Number(v.birth_year) : null, id_number: v.id_number || null });
      await Promise.all([drawCases(), openCase(c.id)]);
      $("#kn-donor-box").replaceChildren(el("p", { class: "form-note", role: "status", "data-saved": "yes" }, fill("kn_donor_saved", { sample: p.sample_id })));
    } catch (e) {
      if (e.status === 401) return;
      const fields = fieldErrors(e.body);
      showFieldErrors(form, fields);
      if (!Object.keys(fields).length) serverTextOf(out, e);
    }
  });
  $("#kn-donor-box").replaceChildren(form);
  form.elements.name.focus();
}

// -- profile import (all or nothing) ------------------------------------------------------------------
function importCard() {
  const form = el("form", { id: "kn-import", class: "kn-form", novalidate: "" },
    field("file", "kn_import_file", el("input", { name: "file", type: "file", accept: ".csv,text/csv" })),
    field("kit", "kn_import_kit", el("select", { name: "kit" }, ...options(KITS, kitName))),
    el("button", { type: "submit" }, t("kn_import_go")));
  form.addEventListener("submit", (ev) => { ev.preventDefault(); importProfiles(form); });
  return el("div", { class: "card", id: "kn-import-card" }, el("h2", {}, t("kn_import")), form,
    el("p", { id: "kn-import-result", class: "form-note", role: "status" }), el("ul", { id: "kn-import-errors", class: "kn-refusals" }));
}

async function importProfiles(form) {
  const result = $("#kn-import-result"), list = $("#kn-import-errors");
  serverText(result, ""); delete result.dataset.outcome; list.replaceChildren();
  const file = form.elements.file.files[0];
  if (!file) { result.textContent = t("kn_import_need_file"); result.dataset.outcome = "missing"; return; }
  const data = new FormData();
  data.append("file", file); data.append("kit", form.elements.kit.value);
  try {
    const r = await api(`${API}/profiles/import`, { method: "POST", body: data });
    result.textContent = fill("kn_imported", { n: r.imported, samples: (r.sample_ids || []).join(t("kn_list")) });
    result.dataset.outcome = "imported";
    form.reset();
    await drawCases();
    if (desk.caseId) await openCase(desk.caseId);
  } catch (e) {
    if (e.status === 401) return;
    const errors = (e.body && e.body.errors) || [];
    result.dataset.outcome = "refused";
    if (!errors.length) { serverTextOf(result, e); return; }
    result.textContent = t("kn_import_refused");
    // each refused line: its number and the reason in words, then the server's own detail
    list.replaceChildren(...errors.map((x) => el("li", { "data-line": x.line ?? "", "data-code": x.code || "" },
      x.line != null ? fill("kn_line", { line: x.line }) + t("colon") : "", el("b", {}, refusalName(x.code)),
      x.message ? serverText(el("span", { class: "kn-detail" }), t("kn_sep") + x.message) : "")));
  }
}
