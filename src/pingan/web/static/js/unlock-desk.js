// The police station's unlock desk (开锁管理): the requests at the station with their risk
// flags, a check-in the platform could not confirm accepted by an officer (a point on the map or
// the locksmith's last fix, and why), the filed record with its signatures and seal verified
// and downloadable; the filed locksmiths: file a new one, suspend or reinstate one.
// Officers and commanders act (trust.unlock_file, trust.unlock_override); dispatchers and
// auditors read (trust.unlock_read). The API enforces the same.
import { api, post, el, $, t, may } from "./core.js";
import { addTexts, serverText } from "./i18n.js";
import { baseMap } from "./map.js";
import { fill, ulState, lockType, flagChips, witnessLine, checkinLine, smithStatus, partyName, entitlementName,
  verifyReason, when, yuan, methodName, levelName, labelled } from "./unlock-words.js";

const L = window.L;
const API = "/api/v1/trust/unlock";
const STATES = ["awaiting_witness", "ready", "dispatched", "accepted", "on_site", "signing", "filed"];
const GEOFENCE_M = 150; // rules.yaml geofence_m: drawn round the lock on the override map

addTexts({
  nav_unlockdesk: "开锁管理",
  ud_requests: "开锁申请", ud_all: "全部状态", ud_refresh: "刷新", ud_no_requests: "暂无开锁申请",
  ud_col_id: "编号", ud_col_state: "状态", ud_col_lock: "锁具", ud_col_target: "开锁对象", ud_col_flags: "风险提示",
  ud_col_witness: "见证人", ud_col_smith: "开锁人员", ud_col_time: "申请时间",
  ud_pick: "选择一条申请查看详情",
  ud_request: "开锁申请 {id}", ud_requester: "申请人", ud_entitled: "权属", ud_not_entitled: "无权属登记",
  ud_flags: "风险提示", ud_no_flags: "无", ud_witness: "见证人", ud_smith: "开锁人员", ud_times: "时间",
  ud_t_created: "申请 {t}", ud_t_dispatched: "派单 {t}", ud_t_accepted: "接单 {t}", ud_checkin: "到场",
  ud_photos: "照片", ud_photos_n: "{n} 张（{stages}）", ud_stage_before: "开锁前", ud_stage_after: "开锁后",
  ud_notified_110: "已同步通报110", ud_point: "开锁地点",
  ud_override: "民警确认到场", ud_override_hint: "开锁人员定位无法核验时，可在地图上点选开锁人员所在位置，或使用其最近上报的位置，并写明理由。",
  ud_lon: "经度", ud_lat: "纬度", ud_use_fix: "使用开锁人员最近定位", ud_no_fix: "该开锁单元尚无定位",
  ud_reason: "理由（必填）", ud_reason_needed: "请写明理由", ud_point_needed: "请在地图上点选位置或使用最近定位",
  ud_confirm_override: "确认到场",
  ud_record: "开锁记录", ud_open_record: "查看开锁记录", ud_signatures: "签名", ud_seal: "平台签章", ud_key: "密钥 {kid} · 算法 {alg}",
  ud_signed_at: "签署于 {t}", ud_not_signed: "未签名", ud_verify: "验证签名与签章", ud_valid: "验证通过：三方签名与平台签章均有效",
  ud_invalid: "验证未通过：{why}", ud_download: "下载记录（JSON）", ud_not_filed: "记录尚未归档（等待签名）",
  ud_record_no: "记录编号", ud_method: "开锁方式", ud_fee: "收费", ud_retain: "保存至",
  ud_locksmiths: "备案开锁人员", ud_col_filing: "备案编号", ud_col_company: "所属单位", ud_col_name: "姓名",
  ud_col_account: "账号", ud_col_unit: "开锁单元", ud_col_status: "状态", ud_col_filed: "备案时间", ud_col_actions: "操作",
  ud_no_locksmiths: "暂无备案开锁人员",
  ud_suspend: "停用", ud_reinstate: "恢复", ud_confirm_suspend: "确认停用", ud_confirm_reinstate: "确认恢复", ud_cancel: "取消",
  ud_file: "备案新开锁人员", ud_filing_number: "备案编号（公安机关核发）", ud_company: "所属单位", ud_certification: "职业资格证书",
  ud_name: "姓名", ud_account: "开锁人员账号", ud_unit: "开锁单元", ud_clean: "已核查本人无犯罪记录", ud_clean_needed: "须先核查本人无犯罪记录",
  ud_file_submit: "备案", ud_filed: "已备案：", ud_no_candidates: "暂无未备案的开锁账号或开锁单元：请先由系统管理员创建并绑定。",
}, {
  nav_unlockdesk: "Unlock desk",
  ud_requests: "Unlock requests", ud_all: "All states", ud_refresh: "Refresh", ud_no_requests: "No unlock requests",
  ud_col_id: "No.", ud_col_state: "State", ud_col_lock: "Lock", ud_col_target: "Target", ud_col_flags: "Risk flags",
  ud_col_witness: "Witness", ud_col_smith: "Locksmith", ud_col_time: "Asked at",
  ud_pick: "Pick a request to see it in full",
  ud_request: "Unlock request {id}", ud_requester: "Requester", ud_entitled: "Entitlement", ud_not_entitled: "none on record",
  ud_flags: "Risk flags", ud_no_flags: "none", ud_witness: "Witness", ud_smith: "Locksmith", ud_times: "Times",
  ud_t_created: "asked {t}", ud_t_dispatched: "sent {t}", ud_t_accepted: "accepted {t}", ud_checkin: "Arrival",
  ud_photos: "Photos", ud_photos_n: "{n} ({stages})", ud_stage_before: "before", ud_stage_after: "after",
  ud_notified_110: "110 has been told", ud_point: "Place",
  ud_override: "Confirm presence (officer)", ud_override_hint: "When the locksmith's position cannot be checked, click where the locksmith is on the map, or take the last position reported, and say why.",
  ud_lon: "Longitude", ud_lat: "Latitude", ud_use_fix: "Use the locksmith's last position", ud_no_fix: "This locksmith unit has no position yet",
  ud_reason: "Reason (required)", ud_reason_needed: "Say why", ud_point_needed: "Click the map or take the last position",
  ud_confirm_override: "Confirm presence",
  ud_record: "Unlock record", ud_open_record: "Open the record", ud_signatures: "Signatures", ud_seal: "Platform seal", ud_key: "key {kid} · algorithm {alg}",
  ud_signed_at: "signed {t}", ud_not_signed: "not signed", ud_verify: "Verify signatures and seal", ud_valid: "Valid: the three signatures and the platform seal verify",
  ud_invalid: "Not valid: {why}", ud_download: "Download the record (JSON)", ud_not_filed: "Not filed yet (waiting for signatures)",
  ud_record_no: "Record no.", ud_method: "Method", ud_fee: "Fee", ud_retain: "Kept until",
  ud_locksmiths: "Filed locksmiths", ud_col_filing: "Filing no.", ud_col_company: "Company", ud_col_name: "Name",
  ud_col_account: "Account", ud_col_unit: "Unit", ud_col_status: "Status", ud_col_filed: "Filed", ud_col_actions: "Actions",
  ud_no_locksmiths: "No filed locksmiths",
  ud_suspend: "Suspend", ud_reinstate: "Reinstate", ud_confirm_suspend: "Suspend for sure", ud_confirm_reinstate: "Reinstate for sure", ud_cancel: "Cancel",
  ud_file: "File a new locksmith", ud_filing_number: "Filing number (issued by the bureau)", ud_company: "Company", ud_certification: "Certification",
  ud_name: "Name", ud_account: "Locksmith account", ud_unit: "Locksmith unit", ud_clean: "I have checked this person has no criminal record",
  ud_clean_needed: "Check the criminal record first", ud_file_submit: "File", ud_filed: "Filed: ",
  ud_no_candidates: "No unfiled locksmith account or unit: an administrator creates and binds them first.",
});

/** What the desk holds: requests, filings by id, the request open on the right, its record. */
const desk = { requests: [], smiths: new Map(), selected: null, record: null, verdict: null, map: null, ready: false };
export const deskState = desk; // read by the browser tests

/** Whether the signed-in role reads the desk (the API enforces it). */
export const mayUseUnlockDesk = () => may("trust.unlock_read");

const smithName = (id) => { const s = desk.smiths.get(id); return s ? `${s.call_sign || ""} ${s.filing_number}`.trim() : id == null ? "" : String(id); };

function init() {
  if (desk.ready) return;
  desk.ready = true;
  $("#ud-status").addEventListener("change", () => loadRequests());
  $("#ud-refresh").addEventListener("click", () => refresh());
  $("#ud-file-form").addEventListener("submit", fileLocksmith);
}

async function refresh() { await Promise.all([loadRequests(), loadSmiths()]); if (desk.selected) await openRequest(desk.selected); }

export async function showUnlockDesk() {
  init();
  const sel = $("#ud-status"), keep = sel.value;
  sel.replaceChildren(el("option", { value: "" }, t("ud_all")), ...STATES.map((s) => el("option", { value: s }, ulState(s))));
  sel.value = keep;
  $("#ud-file-card").hidden = !may("trust.unlock_file");
  await loadSmiths(); // the requests name their locksmith
  await Promise.all([loadRequests(), may("trust.unlock_file") ? loadCandidates() : null]);
  if (desk.selected) await openRequest(desk.selected, { keepRecord: true });
}

// -- requests -----------------------------------------------------------------------------------
async function loadRequests() {
  const err = $("#ud-requests-error"); serverText(err, "");
  const q = new URLSearchParams({ limit: 100 });
  if ($("#ud-status").value) q.set("status", $("#ud-status").value);
  try { desk.requests = await api(`${API}/requests?${q}`); } catch (e) { if (e.status !== 401) serverText(err, e.message); return; }
  const rows = desk.requests.map((r) => el("tr", { "data-request": r.id, class: [r.id === desk.selected ? "selected" : "", r.flags.length ? "ud-risky" : ""].join(" ").trim(),
    onclick: () => openRequest(r.id) },
  el("td", {}, el("button", { type: "button", class: "case", onclick: (ev) => { ev.stopPropagation(); openRequest(r.id); } }, String(r.id))),
  el("td", { class: "nowrap" }, ulState(r.status)), el("td", { class: "nowrap" }, lockType(r.lock_type)),
  el("td", {}, [r.target, r.address].filter(Boolean).join(" · ")), el("td", {}, ...flagChips(r.flags)),
  el("td", {}, witnessLine(r)), el("td", { class: "nowrap" }, smithName(r.locksmith_id)), el("td", { class: "nowrap" }, when(r.created_at))));
  $("#ud-requests tbody").replaceChildren(...(rows.length ? rows : [el("tr", {}, el("td", { colspan: 8, class: "hint" }, t("ud_no_requests")))]));
}

const row = labelled;

async function openRequest(id, { keepRecord = false } = {}) {
  if (desk.selected !== id || !keepRecord) { desk.record = null; desk.verdict = null; }
  desk.selected = id;
  document.querySelectorAll("#ud-requests tbody tr").forEach((tr) => tr.classList.toggle("selected", Number(tr.dataset.request) === id));
  let r = desk.requests.find((x) => x.id === id);
  if (!r) { // not in the filtered page: read the station's list unfiltered
    try { r = (await api(`${API}/requests?limit=200`)).find((x) => x.id === id); } catch { r = null; }
  }
  if (desk.map) { desk.map.remove(); desk.map = null; }
  const box = $("#ud-detail");
  if (!r) { box.replaceChildren(el("p", { class: "hint" }, t("ud_pick"))); return; }
  const stages = r.photos.map((p) => t("ud_stage_" + p.stage)).join(t("list_sep"));
  box.replaceChildren(
    el("h3", {}, `${fill("ud_request", { id: r.id })} · ${ulState(r.status)}`),
    row("ud_point", `${lockType(r.lock_type)} · ${[r.target, r.address].filter(Boolean).join(" · ")}`),
    row("ud_requester", `${r.id_masked} · ${levelName(r.level)}`),
    row("ud_entitled", r.entitlement_kind ? entitlementName(r.entitlement_kind) : t("ud_not_entitled")),
    row("ud_flags", ...(r.flags.length ? flagChips(r.flags) : [t("ud_no_flags")])),
    row("ud_witness", witnessLine(r)),
    row("ud_smith", smithName(r.locksmith_id) || t("uw_none")),
    row("ud_times", [fill("ud_t_created", { t: when(r.created_at) }), r.dispatched_at ? fill("ud_t_dispatched", { t: when(r.dispatched_at) }) : "",
      r.accepted_at ? fill("ud_t_accepted", { t: when(r.accepted_at) }) : ""].filter(Boolean).join(" · ")),
    r.checkin ? row("ud_checkin", el("span", { class: "ud-checkin", "data-confirmed-by": r.checkin.confirmed_by }, checkinLine(r.checkin))) : "",
    r.photos.length ? row("ud_photos", fill("ud_photos_n", { n: r.photos.length, stages })) : "",
    r.notified_110 ? el("p", { class: "hint" }, t("ud_notified_110")) : "",
    el("div", { id: "ud-override-box" }), el("div", { id: "ud-record-box" }));
  if (r.status === "accepted" && may("trust.unlock_override")) overrideForm(r);
  if (["signing", "filed"].includes(r.status)) drawRecord(r);
}

// -- the officer's override ---------------------------------------------------------------------
function overrideForm(r) {
  const err = el("p", { class: "error", role: "alert" });
  const form = el("form", { id: "ud-override-form", novalidate: true },
    el("h4", {}, t("ud_override")), el("p", { class: "hint" }, t("ud_override_hint")),
    el("div", { id: "ud-map" }),
    el("label", {}, el("span", {}, t("ud_lon")), " ", el("input", { name: "lon", inputmode: "decimal", size: 12 })),
    el("label", {}, el("span", {}, t("ud_lat")), " ", el("input", { name: "lat", inputmode: "decimal", size: 12 })),
    el("button", { type: "button", id: "ud-use-fix" }, t("ud_use_fix")),
    el("label", { class: "ud-reason" }, el("span", {}, t("ud_reason")), " ", el("input", { name: "reason", maxlength: 200 })),
    el("button", { type: "submit" }, t("ud_confirm_override")), err);
  $("#ud-override-box").replaceChildren(form);
  let marker = null;
  const put = (lon, lat) => {
    form.elements.lon.value = lon.toFixed(6); form.elements.lat.value = lat.toFixed(6);
    if (desk.map) { marker = marker || L.circleMarker([lat, lon], { radius: 6, color: "#1c7ed6", weight: 3 }).addTo(desk.map); marker.setLatLng([lat, lon]); }
  };
  baseMap("ud-map", { weight: 0.6 }).then(({ map }) => {
    if (!form.isConnected) { map.remove(); return; }
    desk.map = map;
    L.circle([r.lat, r.lon], { radius: GEOFENCE_M, color: "#b3261e", weight: 1, fillOpacity: 0.08 }).addTo(map);
    L.circleMarker([r.lat, r.lon], { radius: 5, color: "#b3261e", weight: 3 }).addTo(map);
    map.setView([r.lat, r.lon], 16);
    map.on("click", (ev) => put(ev.latlng.lng, ev.latlng.lat));
  }).catch((e) => console.error(e));
  form.querySelector("#ud-use-fix").addEventListener("click", async () => {
    serverText(err, "");
    const smith = desk.smiths.get(r.locksmith_id);
    try {
      const unit = await api(`/api/v1/units/${smith.unit_id}`);
      if (unit.lon == null) { err.textContent = t("ud_no_fix"); return; }
      put(unit.lon, unit.lat);
    } catch (e) { if (e.status !== 401) serverText(err, e.message); }
  });
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    serverText(err, "");
    const lon = Number(form.elements.lon.value), lat = Number(form.elements.lat.value), reason = form.elements.reason.value.trim();
    if (!form.elements.lon.value || !form.elements.lat.value || !Number.isFinite(lon) || !Number.isFinite(lat)) { err.textContent = t("ud_point_needed"); return; }
    if (!reason) { err.textContent = t("ud_reason_needed"); form.elements.reason.focus(); return; }
    try { await post(`${API}/requests/${r.id}/checkin-override`, { lon, lat, reason }); }
    catch (e) { if (e.status !== 401) serverText(err, e.message); return; }
    await loadRequests(); await openRequest(r.id);
  });
}

// -- the record ---------------------------------------------------------------------------------
function drawRecord(r) {
  const box = $("#ud-record-box");
  if (!desk.record) {
    box.replaceChildren(el("button", { type: "button", id: "ud-open-record", onclick: () => loadRecord(r) }, t("ud_open_record")));
    return;
  }
  const rec = desk.record, doc = rec.document;
  const out = [el("h4", {}, t("ud_record"))];
  if (!doc) { out.push(el("p", { class: "hint" }, t("ud_not_filed")), el("p", {}, rec.signed.map(partyName).join(t("list_sep")))); box.replaceChildren(...out); return; }
  const body = doc.record;
  out.push(row("ud_record_no", body.record_no), row("ud_method", methodName(body.method)), row("ud_fee", yuan(body.fee_fen)),
    row("ud_retain", when(rec.retain_until)));
  out.push(el("h4", {}, t("ud_signatures")), el("ul", { id: "ud-signatures" }, ...rec.parties.map((p) => {
    const s = doc.signatures.find((x) => x.role === p);
    return el("li", { "data-party": p }, el("b", {}, partyName(p)), " · ",
      s ? `${fill("ud_signed_at", { t: when(s.statement.signed_at) })} · ${fill("ud_key", { kid: s.kid, alg: s.alg.toUpperCase() })}` : t("ud_not_signed"));
  })));
  out.push(el("h4", {}, t("ud_seal")), el("p", { id: "ud-seal" }, fill("ud_key", { kid: doc.seal.kid, alg: doc.seal.alg.toUpperCase() })));
  const verdict = el("p", { id: "ud-verdict", role: "status" });
  if (desk.verdict) {
    verdict.className = desk.verdict.ok ? "ok" : "error";
    verdict.textContent = desk.verdict.ok ? t("ud_valid") : fill("ud_invalid", { why: [verifyReason(desk.verdict.reason), desk.verdict.where].filter(Boolean).join(" · ") });
  }
  out.push(el("button", { type: "button", id: "ud-verify", onclick: () => verify(r) }, t("ud_verify")), verdict,
    el("button", { type: "button", id: "ud-download", onclick: () => download(body.record_no, doc) }, t("ud_download")));
  box.replaceChildren(...out);
}

async function loadRecord(r) {
  try { desk.record = await api(`${API}/requests/${r.id}/record`); }
  catch (e) { if (e.status !== 401) serverText($("#ud-record-box").appendChild(el("p", { class: "error", role: "alert" })), e.message); return; }
  drawRecord(r);
  if (desk.record.document) await verify(r); // opened to be checked: verify straight away
}

async function verify(r) {
  try { desk.verdict = await post(`${API}/verify`, { document: desk.record.document }); }
  catch (e) { if (e.status !== 401) desk.verdict = { ok: false, reason: null, where: e.message }; }
  drawRecord(r);
}

/** The filed document as a file: JSON.stringify of the server's (key-sorted) document is its
 * RFC 8785 form again, so the download verifies offline with the published key list. */
function download(name, doc) {
  const url = URL.createObjectURL(new Blob([JSON.stringify(doc)], { type: "application/json" }));
  const a = el("a", { href: url, download: `${name}.json` });
  document.body.append(a); a.click(); a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// -- filed locksmiths ---------------------------------------------------------------------------
async function loadSmiths() {
  const err = $("#ud-locksmiths-error"); serverText(err, "");
  let list;
  try { list = await api(`${API}/locksmiths`); } catch (e) { if (e.status !== 401) serverText(err, e.message); return; }
  desk.smiths = new Map(list.map((s) => [s.id, s]));
  const rows = list.map((s) => el("tr", { "data-locksmith": s.id, "data-status": s.status },
    el("td", { class: "nowrap" }, s.filing_number), el("td", {}, s.company), el("td", {}, s.name_masked),
    el("td", {}, s.username || ""), el("td", {}, s.call_sign || ""),
    el("td", {}, el("b", { class: s.status === "suspended" ? "error" : "" }, smithStatus(s.status)), s.status_reason ? ` · ${s.status_reason}` : ""),
    el("td", { class: "nowrap" }, when(s.filed_at)), el("td", {}, ...(may("trust.unlock_file") ? statusControl(s) : []))));
  $("#ud-locksmiths tbody").replaceChildren(...(rows.length ? rows : [el("tr", {}, el("td", { colspan: 8, class: "hint" }, t("ud_no_locksmiths")))]));
}

/** Suspend or reinstate: a reason, then a second click to confirm. */
function statusControl(s) {
  const to = s.status === "active" ? "suspended" : "active";
  const [ask, sure] = to === "suspended" ? ["ud_suspend", "ud_confirm_suspend"] : ["ud_reinstate", "ud_confirm_reinstate"];
  const err = el("small", { class: "error", role: "alert" });
  const reason = el("input", { name: "reason", maxlength: 200, placeholder: t("ud_reason"), "aria-label": t("ud_reason") });
  const confirm = el("span", { class: "ud-confirm", hidden: true }, reason,
    el("button", { type: "button", "data-step": "confirm", onclick: async () => {
      if (!reason.value.trim()) { err.textContent = t("ud_reason_needed"); reason.focus(); return; }
      try { await post(`${API}/locksmiths/${s.id}/status`, { status: to, reason: reason.value.trim() }); }
      catch (e) { if (e.status !== 401) serverText(err, e.message); return; }
      await loadSmiths();
    } }, t(sure)),
    el("button", { type: "button", onclick: () => { confirm.hidden = true; } }, t("ud_cancel")));
  return [el("button", { type: "button", "data-step": to, onclick: () => { confirm.hidden = false; reason.focus(); } }, t(ask)), confirm, err];
}

async function loadCandidates() {
  const form = $("#ud-file-form");
  let c;
  try { c = await api(`${API}/locksmiths/candidates`); } catch (e) { if (e.status !== 401) serverText(form.querySelector(".form-note"), e.message); return; }
  const fillSel = (sel, items, label) => {
    const keep = sel.value;
    sel.replaceChildren(el("option", { value: "" }, t("choose")), ...items.map((x) => el("option", { value: x.id }, label(x))));
    sel.value = items.some((x) => String(x.id) === keep) ? keep : "";
  };
  fillSel(form.elements.user_id, c.accounts, (a) => a.username);
  fillSel(form.elements.unit_id, c.units, (u) => u.call_sign);
  $("#ud-no-candidates").hidden = Boolean(c.accounts.length && c.units.length);
}

const FILE_CODES = { bad_filing_number: "filing_number", clean_record_unchecked: "clean_record_checked", bad_filing_field: "company",
  not_locksmith_account: "user_id", not_locksmith_unit: "unit_id", already_filed: "filing_number" };

async function fileLocksmith(ev) {
  ev.preventDefault();
  const form = ev.target, note = form.querySelector(".form-note");
  const errors = {};
  const v = Object.fromEntries([...new FormData(form)].map(([k, x]) => [k, String(x).trim()]));
  for (const k of ["filing_number", "company", "certification", "name", "user_id", "unit_id"]) if (!v[k]) errors[k] = t("required");
  if (!form.elements.clean_record_checked.checked) errors.clean_record_checked = t("ud_clean_needed");
  form.querySelectorAll(".field-error").forEach((s) => { s.textContent = errors[s.dataset.for] || ""; delete s.dataset.langOf; });
  serverText(note, ""); note.classList.remove("ok");
  if (Object.keys(errors).length) return;
  const body = { filing_number: v.filing_number, company: v.company, certification: v.certification, name: v.name,
    user_id: Number(v.user_id), unit_id: Number(v.unit_id), clean_record_checked: true };
  let made;
  try { made = await post(`${API}/locksmiths`, body); } catch (e) {
    if (e.status === 401) return;
    const field = e.body && FILE_CODES[e.body.code];
    const spot = field && form.querySelector(`.field-error[data-for="${field}"]`);
    serverText(spot || note, e.message);
    return;
  }
  form.reset();
  note.textContent = t("ud_filed") + made.filing_number; note.classList.add("ok");
  await Promise.all([loadSmiths(), loadCandidates()]);
}
