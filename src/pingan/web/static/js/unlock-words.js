// The online unlock service's codes in words, shared by the locksmith's phone and the police
// station's desk: request states, lock types, risk flags, witness kinds, opening methods,
// filing states, signing parties, and a verification's reasons (docs/trust.md "Online unlock").
import { el, t } from "./core.js";
import { addTexts, fill, lang, word } from "./i18n.js";

export { fill };

addTexts({
  uw_st_awaiting_witness: "等待见证人", uw_st_ready: "待派单", uw_st_dispatched: "已派单，待接单", uw_st_accepted: "已接单，前往中",
  uw_st_on_site: "已到场", uw_st_signing: "待签名", uw_st_filed: "已签名归档",
  uw_lock_home: "住宅门锁", uw_lock_office: "办公场所门锁", uw_lock_safe: "保险柜", uw_lock_vehicle: "机动车",
  uw_flag_not_entitled: "无权属登记", uw_flag_night: "夜间申请", uw_flag_repeat: "同一地址多次申请",
  uw_flag_recent_incident: "附近近期有警情", uw_flag_not_occupant: "申请人非居住人（仅产权）",
  uw_wk_property_manager: "物业人员", uw_wk_community_worker: "社区工作人员", uw_wk_officer: "民警",
  uw_method_technical: "技术开启", uw_method_destructive: "破坏性开启",
  uw_ls_active: "在册", uw_ls_suspended: "已停用",
  uw_party_requester: "申请人", uw_party_locksmith: "开锁人员", uw_party_witness: "见证人",
  uw_ent_household: "户籍", uw_ent_residence: "居住登记", uw_ent_property: "房产", uw_ent_lease: "租赁备案", uw_ent_vehicle: "机动车登记",
  uw_vr_malformed: "文件格式不正确", uw_vr_not_canonical: "不是规范化格式（可能被改动）", uw_vr_missing_party: "缺少一方签名",
  uw_vr_hash_mismatch: "签名与记录内容不符", uw_vr_role_mismatch: "签名身份与记录不符", uw_vr_unknown_key: "签名密钥未公布",
  uw_vr_key_revoked: "签名密钥已吊销", uw_vr_algorithm_mismatch: "签名算法不符", uw_vr_bad_signature: "签名无效",
  uw_level_1: "实名认证", uw_level_2: "实人认证", uw_level_3: "实证核验（民警现场）",
  uw_colon: "：", uw_metres: "{n} 米", uw_km: "{n} 公里", uw_yuan: "{n} 元", uw_none: "无",
  uw_witness_needed: "需要见证人", uw_witness_not_needed: "无需见证人", uw_witness_present: "{kind}（{who}）",
  uw_witness_missing: "尚无见证人到场",
  uw_checkin_position: "定位核验到场，距开锁点 {d}", uw_checkin_override: "民警确认到场（{by}：{reason}），距开锁点 {d}",
}, {
  uw_st_awaiting_witness: "Waiting for a witness", uw_st_ready: "Waiting for a locksmith", uw_st_dispatched: "Sent, not yet accepted",
  uw_st_accepted: "Accepted, on the way", uw_st_on_site: "On site", uw_st_signing: "Waiting for signatures", uw_st_filed: "Signed and filed",
  uw_lock_home: "Home door", uw_lock_office: "Office door", uw_lock_safe: "Safe", uw_lock_vehicle: "Vehicle",
  uw_flag_not_entitled: "No entitlement on record", uw_flag_night: "At night", uw_flag_repeat: "Repeated at this address",
  uw_flag_recent_incident: "Recent incident nearby", uw_flag_not_occupant: "Requester does not live there (owner only)",
  uw_wk_property_manager: "Property manager", uw_wk_community_worker: "Community worker", uw_wk_officer: "Police officer",
  uw_method_technical: "Opened without damage", uw_method_destructive: "Opened by force",
  uw_ls_active: "Active", uw_ls_suspended: "Suspended",
  uw_party_requester: "Requester", uw_party_locksmith: "Locksmith", uw_party_witness: "Witness",
  uw_ent_household: "Household", uw_ent_residence: "Residence", uw_ent_property: "Property", uw_ent_lease: "Lease", uw_ent_vehicle: "Vehicle registration",
  uw_vr_malformed: "Not a well-formed document", uw_vr_not_canonical: "Not in canonical form (may have been changed)",
  uw_vr_missing_party: "A party's signature is missing", uw_vr_hash_mismatch: "A signature does not match the record",
  uw_vr_role_mismatch: "A signature names the wrong party", uw_vr_unknown_key: "Signing key not published",
  uw_vr_key_revoked: "Signing key revoked", uw_vr_algorithm_mismatch: "Wrong signature algorithm", uw_vr_bad_signature: "Signature does not verify",
  uw_level_1: "real name (L1)", uw_level_2: "real person (L2)", uw_level_3: "checked in person (L3)",
  uw_colon: ": ", uw_metres: "{n} m", uw_km: "{n} km", uw_yuan: "¥{n}", uw_none: "none",
  uw_witness_needed: "Witness required", uw_witness_not_needed: "No witness needed", uw_witness_present: "{kind} ({who})",
  uw_witness_missing: "No witness has come yet",
  uw_checkin_position: "Checked in by position, {d} from the lock", uw_checkin_override: "Presence confirmed by an officer ({by}: {reason}), {d} from the lock",
});

export const ulState = (s) => word("uw_st_", s);
export const lockType = (c) => word("uw_lock_", c);
export const flagName = (c) => word("uw_flag_", c);
export const witnessKind = (c) => word("uw_wk_", c);
export const methodName = (c) => word("uw_method_", c);
export const smithStatus = (c) => word("uw_ls_", c);
export const partyName = (c) => word("uw_party_", c);
export const entitlementName = (c) => word("uw_ent_", c);
/** The identity level the requester held when asking (docs/trust.md "Levels"). */
export const levelName = (n) => word("uw_level_", n);
export const verifyReason = (c) => word("uw_vr_", c);
export const distance = (m) => (m == null ? "" : m < 1000 ? fill("uw_metres", { n: Math.round(m) }) : fill("uw_km", { n: (m / 1000).toFixed(1) }));
export const yuan = (fen) => fill("uw_yuan", { n: (fen / 100).toFixed(2) });
export const when = (iso) => (iso ? new Date(iso).toLocaleString(lang === "zh" ? "zh-CN" : "en-GB", { hour12: false,
  month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" }) : "");

/** "label：value" with the colon of the page's language. */
export const labelled = (key, ...value) => el("p", { class: "uw-line" }, el("span", { class: "hint" }, t(key) + t("uw_colon")), ...value);

/** Risk flags as highlighted chips (the station must see them at a glance). */
export const flagChips = (flags) => (flags || []).map((f) => el("span", { class: "chip uw-flag", "data-flag": f }, flagName(f)));

/** Whether a witness is needed, and who came. */
export function witnessLine(req) {
  if (req.witness_username) return fill("uw_witness_present", { kind: witnessKind(req.witness_kind), who: req.witness_username });
  return req.witness_required ? `${t("uw_witness_needed")} · ${t("uw_witness_missing")}` : t("uw_witness_not_needed");
}

/** How the arrival was confirmed: the platform's position check, or an officer (who and why). */
export function checkinLine(c) {
  if (!c) return "";
  const d = distance(c.distance_m);
  if (c.confirmed_by === "override") return fill("uw_checkin_override", { by: c.override.by, reason: c.override.reason, d });
  return fill("uw_checkin_position", { d });
}
