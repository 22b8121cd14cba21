// Detention video visits (公安监管场所视频会见): the codes the API hands out, in words, and the
// small pieces the three pages share — the resident's (js/visits.js), the lawyer's
// (js/lawyer-visits.js) and the facility desk's (js/visit-desk.js): facility kinds, visitor
// kinds, booking and tie states, relations, proofs, restrictions; Beijing times; the slot grid;
// reading a proof file; a booking as one line. Codes never reach the screen: word(prefix, code).
import { api, el, t } from "./core.js";
import { addTexts, fill, word } from "./i18n.js";
import { beijingText } from "./money.js";

export const API = "/api/v1/visits";
export const ZONE = "Asia/Shanghai"; // the facilities' clock: dates and slots are Beijing time

addTexts({
  vw_fk_detention_centre: "看守所", vw_fk_admin_detention_centre: "拘留所", vw_fk_rehab_centre: "强制隔离戒毒所",
  vw_vk_family: "家属会见", vw_vk_lawyer: "律师会见", vw_vk_consular: "领事探视",
  vw_role_family: "家属", vw_role_lawyer: "律师", vw_role_consular: "领事官员",
  vw_bs_pending_approval: "待审批", vw_bs_confirmed: "已确认", vw_bs_cancelled: "已取消", vw_bs_refused: "未获批准",
  vw_bs_no_show: "未到", vw_bs_in_call: "会见中", vw_bs_completed: "已完成",
  vw_rs_pending: "待审核", vw_rs_accepted: "已通过", vw_rs_refused: "未通过",
  vw_rel_spouse: "配偶", vw_rel_parent: "父母", vw_rel_child: "子女", vw_rel_sibling: "兄弟姐妹",
  vw_rel_grandparent: "祖父母、外祖父母", vw_rel_grandchild: "孙子女、外孙子女", vw_rel_counsel: "委托辩护律师",
  vw_rel_consular: "领事官员",
  vw_pk_household_register: "户口簿", vw_pk_marriage_certificate: "结婚证", vw_pk_birth_certificate: "出生医学证明",
  vw_pk_notarised_kinship: "亲属关系公证书", vw_pk_engagement_letter: "授权委托书及律师事务所证明",
  vw_pk_legal_aid_letter: "法律援助公函", vw_pk_consular_note: "领事照会",
  vw_vs_active: "正常", vw_vs_suspended: "暂停预约",
  vw_ds_held: "在押", vw_ds_released: "已释放", vw_ds_transferred: "已转押",
  vw_st_investigation: "侦查阶段", vw_st_prosecution: "审查起诉阶段", vw_st_trial: "审判阶段", vw_st_awaiting_transfer: "待移送执行",
  vw_st_administrative: "行政拘留", vw_st_rehabilitation: "强制隔离戒毒",
  vw_rx_no_family_visits: "不得会见家属", vw_rx_lawyer_needs_permission: "律师会见须经办案机关许可",
  vw_use_lawyer: "律师专用", vw_use_family: "家属专用", vw_use_any: "通用",
  vw_recorded: "全程录音录像", vw_monitored: "民警实时监看", vw_private: "不监听、不录音录像",
  vw_colon: "：", vw_sep: " · ", vw_paren: "（{x}）", vw_list: "、", vw_minutes: "{n} 分钟", vw_persons: "{n} 人",
  vw_slot_free: "{time} 余 {n}", vw_slot_full: "{time} 已满", vw_no_slots: "当天没有可预约的时段",
  vw_booking_no: "预约号", vw_facility: "场所", vw_terminal: "终端", vw_detainee: "被羁押人", vw_visitor: "会见人",
  vw_when: "时间", vw_status: "状态", vw_kind: "类别", vw_party: "参加人", vw_reason: "原因",
  vw_join: "进入视频会见", vw_ics: "加入日历", vw_cancel: "取消预约", vw_cancel_reason: "取消原因",
  vw_cancel_confirm: "确认取消", vw_keep: "不取消", vw_cancel_late: "距开始不足24小时，如需取消请联系场所",
  vw_cancelled_note: "已取消：{reason}", vw_refused_note: "未获批准：{reason}",
  vw_file_too_big: "文件不能超过 {mb} MB", vw_need_file: "请选择证明材料文件", vw_required: "此项必填",
  vw_id_bad: "请填写18位身份证号码", vw_none: "暂无", vw_refresh: "刷新",
  vw_level_needed: "预约会见须先完成实人认证（人脸或短信验证码）。", vw_go_identity: "去身份认证",
}, {
  vw_fk_detention_centre: "Detention centre", vw_fk_admin_detention_centre: "Administrative detention centre",
  vw_fk_rehab_centre: "Compulsory drug rehabilitation centre",
  vw_vk_family: "Family visit", vw_vk_lawyer: "Lawyer visit", vw_vk_consular: "Consular visit",
  vw_role_family: "Family", vw_role_lawyer: "Lawyer", vw_role_consular: "Consular officer",
  vw_bs_pending_approval: "Waiting for approval", vw_bs_confirmed: "Confirmed", vw_bs_cancelled: "Cancelled",
  vw_bs_refused: "Not approved", vw_bs_no_show: "Did not attend", vw_bs_in_call: "In the call", vw_bs_completed: "Completed",
  vw_rs_pending: "Being checked", vw_rs_accepted: "Accepted", vw_rs_refused: "Refused",
  vw_rel_spouse: "Spouse", vw_rel_parent: "Parent", vw_rel_child: "Child", vw_rel_sibling: "Brother or sister",
  vw_rel_grandparent: "Grandparent", vw_rel_grandchild: "Grandchild", vw_rel_counsel: "Defence lawyer (engaged)",
  vw_rel_consular: "Consular officer",
  vw_pk_household_register: "Household register", vw_pk_marriage_certificate: "Marriage certificate",
  vw_pk_birth_certificate: "Birth certificate", vw_pk_notarised_kinship: "Notarised kinship certificate",
  vw_pk_engagement_letter: "Engagement letter with the firm's letter", vw_pk_legal_aid_letter: "Legal aid letter", vw_pk_consular_note: "Consular note",
  vw_vs_active: "Active", vw_vs_suspended: "Booking suspended",
  vw_ds_held: "Held", vw_ds_released: "Released", vw_ds_transferred: "Transferred",
  vw_st_investigation: "Investigation", vw_st_prosecution: "Prosecution review", vw_st_trial: "Trial", vw_st_awaiting_transfer: "Awaiting transfer",
  vw_st_administrative: "Administrative detention", vw_st_rehabilitation: "Compulsory rehabilitation",
  vw_rx_no_family_visits: "No family visits", vw_rx_lawyer_needs_permission: "Lawyer visits need the case authority's permission",
  vw_use_lawyer: "Lawyers", vw_use_family: "Family", vw_use_any: "Any visit",
  vw_recorded: "Recorded in full", vw_monitored: "Watched live by an officer", vw_private: "Not watched, not recorded",
  vw_colon: ": ", vw_sep: " · ", vw_paren: " ({x})", vw_list: ", ", vw_minutes: "{n} min", vw_persons: "{n} people",
  vw_slot_free: "{time}, {n} free", vw_slot_full: "{time}, full", vw_no_slots: "No slots to book that day",
  vw_booking_no: "Booking no.", vw_facility: "Facility", vw_terminal: "Terminal", vw_detainee: "Detainee", vw_visitor: "Visitor",
  vw_when: "When", vw_status: "Status", vw_kind: "Kind", vw_party: "Taking part", vw_reason: "Reason",
  vw_join: "Join the video visit", vw_ics: "Add to calendar", vw_cancel: "Cancel the booking", vw_cancel_reason: "Why cancel",
  vw_cancel_confirm: "Cancel it", vw_keep: "Keep it", vw_cancel_late: "Less than 24 hours to go: ask the facility to cancel",
  vw_cancelled_note: "Cancelled: {reason}", vw_refused_note: "Not approved: {reason}",
  vw_file_too_big: "The file may not be larger than {mb} MB", vw_need_file: "Choose the proof document's file", vw_required: "required",
  vw_id_bad: "Enter the 18-character ID number", vw_none: "None", vw_refresh: "Refresh",
  vw_level_needed: "Booking a visit needs real-person verification (face or text-message code) first.", vw_go_identity: "Verify my identity",
});

export const facilityKind = (c) => word("vw_fk_", c);
export const visitKind = (c) => word("vw_vk_", c);
export const visitorRole = (c) => word("vw_role_", c);
export const bookingStatus = (c) => word("vw_bs_", c);
export const tieStatus = (c) => word("vw_rs_", c);
export const relationName = (c) => word("vw_rel_", c);
export const proofName = (c) => word("vw_pk_", c);
export const visitorStatus = (c) => word("vw_vs_", c);
export const detaineeStatus = (c) => word("vw_ds_", c);
export const stageName = (c) => word("vw_st_", c);
export const restrictionName = (c) => word("vw_rx_", c);
export const terminalUse = (c) => word("vw_use_", c);

/** A time as the facility reads it (Beijing): "12-07 09:30". */
export const at = (iso) => beijingText(iso);
/** A visit's span: "12-07 09:30–10:00". */
export const span = (b) => `${beijingText(b.starts_at)}–${beijingText(b.ends_at, { date: false })}`;
/** Today's date (YYYY-MM-DD) at the facilities, whatever the browser's zone. */
export const today = () => new Intl.DateTimeFormat("en-CA", { timeZone: ZONE }).format(new Date());
/** "label：value" with the colon of the page's language. */
export const line = (key, ...value) => el("p", { class: "vw-line" }, el("span", { class: "hint" }, t(key) + t("vw_colon")), ...value);

/** Whether a call's recording and watching are on, in words (a lawyer's never are). */
export const privacyWords = (b) => (b.recorded || b.monitored
  ? [b.recorded ? t("vw_recorded") : "", b.monitored ? t("vw_monitored") : ""].filter(Boolean).join(t("vw_sep"))
  : t("vw_private"));

/** Who takes part, as the booking keeps them (masked names). */
export const partyWords = (party) => (party || []).map((p) => `${p.name_masked || p.name || ""}${p.relation ? paren(relationName(p.relation)) : ""}`).join(t("vw_list"));
/** "name（note）" with the brackets of the page's language. */
export const paren = (x) => fill("vw_paren", { x });

/** The link to the visit call's own view (js/visit-call.js, the call piece). */
export const joinLink = (b, cls = "vw-join") => el("a", { href: `#visitcall/${b.id}`, class: cls, "data-booking": b.id }, t("vw_join"));

const PROOF_MAX_MB = 5; // rules.yaml proof_max_bytes
export const PROOF_TYPES = "application/pdf,image/jpeg,image/png"; // rules.yaml proof_media_types
/** A chosen proof file as base64 (what POST /visits/relations takes), or an error text key. */
export function readProof(input) {
  const file = input.files && input.files[0];
  if (!file) return Promise.resolve({ error: t("vw_need_file") });
  if (file.size > PROOF_MAX_MB * 1024 * 1024) return Promise.resolve({ error: fill("vw_file_too_big", { mb: PROOF_MAX_MB }) });
  return new Promise((resolve) => {
    const r = new FileReader();
    r.onload = () => resolve({ b64: String(r.result).replace(/^data:[^,]*,/, ""), name: file.name });
    r.onerror = () => resolve({ error: t("vw_need_file") });
    r.readAsDataURL(file);
  });
}

/** The free slots of one facility, kind and day as buttons; `onPick(slot)` when one is chosen.
 * Full slots show, disabled, so the visitor sees the day as it is. */
export async function slotGrid(box, { facilityId, kind, date, onPick }) {
  const slots = await api(`${API}/slots?facility_id=${encodeURIComponent(facilityId)}&kind=${encodeURIComponent(kind)}&date=${encodeURIComponent(date)}`);
  if (!slots.length) { box.replaceChildren(el("p", { class: "hint vw-no-slots" }, t("vw_no_slots"))); return slots; }
  const buttons = slots.map((s) => {
    const time = beijingText(s.starts_at, { date: false });
    const b = el("button", { type: "button", class: "vw-slot", "data-start": s.starts_at, "data-free": s.free, disabled: s.free > 0 ? null : "disabled" },
      s.free > 0 ? fill("vw_slot_free", { time, n: s.free }) : fill("vw_slot_full", { time }));
    b.addEventListener("click", () => {
      box.querySelectorAll(".vw-slot").forEach((x) => x.classList.toggle("chosen", x === b));
      onPick(s);
    });
    return b;
  });
  box.replaceChildren(...buttons);
  return slots;
}

/** Reason codes of the facility's refusals that the pages word themselves (the API's detail,
 * in the page's language, says the rest). */
export const codeOf = (e) => (e && e.body && e.body.code) || "";

/** The facility of a tie to a detainee, from the facilities already read (by id) or the tie. */
export const tieFacility = (tie, facilities) => {
  const d = tie.detainee || {};
  const id = d.facility_id ?? (d.facility && d.facility.id) ?? tie.facility_id ?? (tie.facility && tie.facility.id);
  return facilities.get(id) || d.facility || tie.facility || null;
};

/** What a visitor's page starts from: the caller's visitor record (null before registering),
 * their identity level, and the facilities by id. */
export async function readVisitor() {
  const [me, id, facilities] = await Promise.all([
    api(`${API}/visitors/me`).catch((e) => (e.status === 404 ? null : Promise.reject(e))),
    api("/api/v1/trust/identity/me").catch(() => ({ level: 0 })),
    api(`${API}/facilities`).catch(() => []),
  ]);
  return { me, level: id.level || 0, facilities: new Map(facilities.map((f) => [f.id, f])) };
}
