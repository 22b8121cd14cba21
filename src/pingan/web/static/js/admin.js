// Admin pages: accounts (create, disable / enable, reset a password, bind an officer or a
// volunteer to units) and units (list, register one of a catalogue kind). The API checks the
// admin role on every write and audits it; the pages only ask and show its answer per field.
import { api, post, el, $, t, half, kindName, statusName, catalogue, fieldErrors, showFieldErrors } from "./core.js";
import { addTexts } from "./i18n.js";

addTexts({
  nav_users: "账号管理", nav_units: "警力单元",
  admin_role_other: "其他角色", role_locksmith: "备案开锁人员", role_lawyer: "执业律师", role_analyst: "亲缘鉴定分析员", role_reviewer: "亲缘鉴定复核人",
  admin_users: "账号", admin_username: "用户名", admin_display_name: "姓名", admin_role: "角色", admin_active: "状态",
  admin_is_active: "在用", admin_is_inactive: "已停用", admin_actions: "操作", admin_disable: "停用", admin_enable: "启用",
  admin_manage: "管理", admin_new_user: "新建账号", admin_password: "初始密码", admin_phone: "手机号（可选）",
  admin_password_rule: "至少10位，含小写字母、大写字母、数字、符号中的两类", admin_create: "创建", admin_created: "已创建账号：",
  admin_reset_title: "重置密码", admin_new_password: "新的初始密码", admin_reset: "重置密码",
  admin_reset_done: "密码已重置，该账号已登录的设备全部退出。", admin_bindings: "绑定的警力", admin_unbind: "解除绑定",
  admin_bind: "绑定", admin_bind_unit: "警力单元", admin_no_bindings: "未绑定警力", admin_bound_since: "起",
  admin_bound_until: "至", admin_open_ended: "长期", admin_pick_user: "在左侧列表中选择一个账号进行管理",
  admin_cannot_crew: "此角色的账号不能绑定警力。", admin_total: "共 {n} 个",
  admin_units: "警力单元", admin_call_sign: "呼号", admin_kind: "类型", admin_unit_name: "名称（可选）",
  admin_crew: "人数（可选）", admin_on_duty: "创建后即上岗", admin_new_unit: "新建警力单元", admin_unit_created: "已创建警力单元：",
  admin_status: "状态", admin_col_name: "名称", admin_col_crew: "人数", admin_duty_note: "上岗、下岗由民警本人或调度员操作。", admin_saved: "已保存",
}, {
  nav_users: "Accounts", nav_units: "Units",
  admin_role_other: "Other role", role_locksmith: "Filed locksmith", role_lawyer: "Practising lawyer", role_analyst: "DNA analyst", role_reviewer: "DNA reviewer",
  admin_users: "Accounts", admin_username: "Username", admin_display_name: "Name", admin_role: "Role", admin_active: "State",
  admin_is_active: "active", admin_is_inactive: "disabled", admin_actions: "Actions", admin_disable: "Disable", admin_enable: "Enable",
  admin_manage: "Manage", admin_new_user: "New account", admin_password: "Initial password", admin_phone: "Mobile (optional)",
  admin_password_rule: "10 characters or more, two of lower case, upper case, digits, symbols", admin_create: "Create", admin_created: "Account created: ",
  admin_reset_title: "Reset the password", admin_new_password: "New initial password", admin_reset: "Reset password",
  admin_reset_done: "Password reset: every device signed in to this account is signed out.", admin_bindings: "Units crewed",
  admin_unbind: "Unbind", admin_bind: "Bind", admin_bind_unit: "Unit", admin_no_bindings: "Not bound to any unit",
  admin_bound_since: "from", admin_bound_until: "until", admin_open_ended: "open-ended",
  admin_pick_user: "Pick an account on the left to manage it", admin_cannot_crew: "Accounts of this role cannot crew a unit.",
  admin_total: "{n} in all",
  admin_units: "Units", admin_call_sign: "Call sign", admin_kind: "Kind", admin_unit_name: "Name (optional)",
  admin_crew: "Crew (optional)", admin_on_duty: "On duty once created", admin_new_unit: "New unit", admin_unit_created: "Unit created: ",
  admin_status: "Status", admin_col_name: "Name", admin_col_crew: "Crew", admin_duty_note: "Going on or off duty is done by the officer or a dispatcher.", admin_saved: "Saved",
});

const ROLES = ["citizen", "volunteer", "officer", "dispatcher", "commander", "admin", "auditor", "locksmith", "lawyer", "analyst", "reviewer"];
// Roles whose accounts may crew a unit (policy.yaml: unit.position); the API refuses others.
// A locksmith's account crews its own locksmith unit (the unit a filing binds it to).
const CREW_ROLES = new Set(["volunteer", "officer", "dispatcher", "commander", "locksmith"]);
// Refusals carry a code; the code says which field of the form it is about.
const USER_CODES = { username_taken: "username", bad_username: "username", weak_password: "password", bad_phone: "phone" };
const UNIT_CODES = { call_sign_taken: "call_sign", bad_unit_kind: "kind" };
const BIND_CODES = { cannot_bind: "unit_id", already_bound: "unit_id", bad_binding_window: "unit_id", unit_not_found: "unit_id" };

// role names are main.js's (role_…), one set for the header and this page
export const roleName = (r) => (ROLES.includes(r) ? t("role_" + r) : t("admin_role_other"));
const fmtDate = (iso) => (iso ? new Date(iso).toLocaleString(document.documentElement.lang, { hour12: false }) : "");

let users = [];
let units = [];
let chosen = null; // id of the account in the detail panel

/** A form's fields as an object, empty strings dropped (optional fields stay unset). */
function values(form) {
  return Object.fromEntries([...new FormData(form)].filter(([, v]) => String(v).trim() !== "").map(([k, v]) => [k, String(v).trim()]));
}

/** Send a form's request; the refusal goes under its fields, or in the form's note. */
async function submitForm(form, send, codes) {
  showFieldErrors(form, {});
  const note = form.querySelector(".form-note");
  note.textContent = ""; note.classList.remove("error");
  try { return await send(); } catch (e) {
    const bad = e.body ? fieldErrors(e.body, { codes }) : {};
    showFieldErrors(form, bad);
    const placed = Object.keys(bad).some((k) => form.querySelector(`.field-error[data-for="${k}"]`));
    if (!placed && e.status !== 401) { note.textContent = half(e.message); note.classList.add("error"); }
    return null;
  }
}

const field = (key, input) => el("label", {}, el("span", { "data-i18n": key }, t(key)), " ", input,
  el("small", { class: "field-error", "data-for": input.name }));

// -- accounts ----------------------------------------------------------------------------------
export function initAdmin() {
  const roles = $("#user-form").elements.role;
  roles.replaceChildren(...ROLES.map((r) => el("option", { value: r }, roleName(r))));
  roles.value = "officer";
  $("#user-form").addEventListener("submit", createUser);
  $("#unit-form").addEventListener("submit", createUnit);
}

async function loadUsers() {
  const page = await api("/api/v1/users?limit=500");
  users = page.items;
  $("#users-total").textContent = t("admin_total").replace("{n}", page.total);
}
async function loadUnits() { units = (await api("/api/v1/units?limit=500")).items; }

export async function showUsers() {
  // Option labels follow the language too.
  [...$("#user-form").elements.role.options].forEach((o) => { o.textContent = roleName(o.value); });
  await Promise.all([loadUsers(), loadUnits()]);
  drawUsers();
  await drawDetail(true);
}

function drawUsers() {
  $("#users-table tbody").replaceChildren(...users.map((u) => el("tr", { "data-user": u.username, class: u.id === chosen ? "chosen" : "" },
    el("td", {}, u.username), el("td", {}, u.display_name), el("td", {}, roleName(u.role)),
    el("td", { class: u.active ? "" : "muted" }, t(u.active ? "admin_is_active" : "admin_is_inactive")),
    el("td", {},
      el("button", { type: "button", class: "act-active", onclick: () => setActive(u, !u.active) }, t(u.active ? "admin_disable" : "admin_enable")), " ",
      el("button", { type: "button", class: "act-manage", onclick: () => { chosen = u.id; drawUsers(); drawDetail(); } }, t("admin_manage"))))));
}

async function setActive(user, active) {
  const note = $("#users-error");
  note.textContent = "";
  try { await api(`/api/v1/users/${user.id}/active`, { method: "PUT", body: JSON.stringify({ active }) }); }
  catch (e) { if (e.status !== 401) note.textContent = half(e.message); return; }
  await loadUsers(); drawUsers();
}

async function createUser(ev) {
  ev.preventDefault();
  const form = ev.target;
  const v = values(form);
  const missing = Object.fromEntries(["username", "password", "role"].filter((k) => !v[k]).map((k) => [k, t("required")]));
  if (Object.keys(missing).length) { showFieldErrors(form, missing); return; }
  const made = await submitForm(form, () => post("/api/v1/users", v), USER_CODES);
  if (!made) return;
  form.reset(); form.elements.role.value = "officer";
  const note = form.querySelector(".form-note");
  note.textContent = t("admin_created") + made.username;
  chosen = made.id;
  await loadUsers(); drawUsers(); drawDetail();
}

/** The chosen account: reset its password; bind it to units and unbind (crew roles).
 * The panel is built at once and kept while the same account stays chosen (a form being
 * filled in is never swapped under the user); only its bindings are fetched and redrawn.
 * `rebuild`: draw it anew (the language changed). */
async function drawDetail(rebuild = false) {
  const box = $("#user-detail");
  const u = users.find((x) => x.id === chosen);
  if (!u) { delete box.dataset.user; box.replaceChildren(el("p", { class: "hint" }, t("admin_pick_user"))); return; }
  if (rebuild || box.dataset.user !== String(u.id)) {
    box.dataset.user = String(u.id);
    const reset = el("form", { id: "reset-form", novalidate: true },
      field("admin_new_password", el("input", { name: "password", type: "password", autocomplete: "new-password" })),
      el("p", { class: "hint" }, t("admin_password_rule")),
      el("button", { type: "submit" }, t("admin_reset")), el("p", { class: "form-note", role: "status" }));
    reset.addEventListener("submit", (ev) => resetPassword(ev, u));
    box.replaceChildren(el("h3", {}, `${u.username} · ${roleName(u.role)}`), el("h4", {}, t("admin_reset_title")), reset,
      el("h4", {}, t("admin_bindings")), el("div", { id: "user-crew" }));
  }
  await drawBindings(u);
}

/** The units the account crews, each with "unbind", and a form to bind one more. */
async function drawBindings(u) {
  const crew = $("#user-crew");
  if (!CREW_ROLES.has(u.role)) { crew.replaceChildren(el("p", { class: "hint" }, t("admin_cannot_crew"))); return; }
  let bindings = [];
  const parts = [];
  try { bindings = await api(`/api/v1/users/${u.id}/bindings`); } catch (e) { parts.push(el("p", { class: "error" }, half(e.message))); }
  if (String(u.id) !== $("#user-detail").dataset.user) return; // another account was chosen meanwhile
  const callSign = (id) => (units.find((x) => x.id === id) || { call_sign: `#${id}` }).call_sign;
  parts.push(el("ul", { id: "user-bindings", class: "alerts" }, bindings.length ? bindings.map((b) => el("li", { "data-unit": callSign(b.unit_id) },
    `${callSign(b.unit_id)} · ${t("admin_bound_since")} ${fmtDate(b.valid_from)} ${t("admin_bound_until")} ${b.valid_until ? fmtDate(b.valid_until) : t("admin_open_ended")} `,
    el("button", { type: "button", class: "act-unbind", onclick: () => unbind(b) }, t("admin_unbind"))))
    : el("li", { class: "hint" }, t("admin_no_bindings"))));
  const pick = el("select", { name: "unit_id" }, el("option", { value: "", "data-i18n": "choose" }, t("choose")),
    units.map((x) => el("option", { value: x.id }, `${x.call_sign} · ${kindName(x.kind)}`)));
  const bind = el("form", { id: "bind-form", novalidate: true }, field("admin_bind_unit", pick),
    el("button", { type: "submit" }, t("admin_bind")), el("p", { class: "form-note", role: "status" }));
  bind.addEventListener("submit", (ev) => bindUnit(ev, u));
  parts.push(bind);
  crew.replaceChildren(...parts);
}

async function resetPassword(ev, user) {
  ev.preventDefault();
  const form = ev.target;
  const { password } = values(form);
  if (!password) { showFieldErrors(form, { password: t("required") }); return; }
  const done = await submitForm(form, () => api(`/api/v1/users/${user.id}/password`, { method: "PUT", body: JSON.stringify({ password }) }), USER_CODES);
  if (done) { form.reset(); form.querySelector(".form-note").textContent = t("admin_reset_done"); }
}

async function bindUnit(ev, user) {
  ev.preventDefault();
  const form = ev.target;
  const { unit_id: unitId } = values(form);
  if (!unitId) { showFieldErrors(form, { unit_id: t("required") }); return; }
  const made = await submitForm(form, () => post(`/api/v1/units/${unitId}/bindings`, { user_id: user.id }), BIND_CODES);
  if (made) await drawDetail();
}

async function unbind(binding) {
  try { await api(`/api/v1/units/${binding.unit_id}/bindings/${binding.id}`, { method: "DELETE" }); }
  catch (e) { if (e.status !== 401) $("#users-error").textContent = half(e.message); }
  await drawDetail();
}

// -- units -------------------------------------------------------------------------------------
export async function showUnits() {
  const kinds = $("#unit-form").elements.kind;
  const keep = kinds.value;
  kinds.replaceChildren(el("option", { value: "", "data-i18n": "choose" }, t("choose")),
    ...Object.keys(catalogue.kinds).map((k) => el("option", { value: k }, kindName(k))));
  kinds.value = keep;
  await loadUnits();
  drawUnits();
}

function drawUnits() {
  $("#units-table tbody").replaceChildren(...units.map((u) => el("tr", { "data-unit": u.call_sign },
    el("td", {}, u.call_sign), el("td", {}, kindName(u.kind)), el("td", {}, u.crew_size),
    el("td", {}, statusName(u.status)))));
}

async function createUnit(ev) {
  ev.preventDefault();
  const form = ev.target;
  const v = values(form);
  const missing = Object.fromEntries(["call_sign", "kind"].filter((k) => !v[k]).map((k) => [k, t("required")]));
  if (Object.keys(missing).length) { showFieldErrors(form, missing); return; }
  const body = { call_sign: v.call_sign, kind: v.kind, name: v.name || null, on_duty: form.elements.on_duty.checked,
    crew_size: v.crew_size === undefined ? null : Number(v.crew_size) };
  const made = await submitForm(form, () => post("/api/v1/units", body), UNIT_CODES);
  if (!made) return;
  form.reset(); form.elements.on_duty.checked = true;
  form.querySelector(".form-note").textContent = t("admin_unit_created") + made.call_sign;
  await loadUnits(); drawUnits();
}
