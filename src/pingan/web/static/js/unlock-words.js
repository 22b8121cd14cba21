// The online unlock service's codes in words, shared by the locksmith's phone and the police
// station's desk: request states, lock types, risk flags, witness kinds, opening methods,
// filing states, signing parties, and a verification's reasons (docs/trust.md "Online unlock").
import { el, t } from "./core.js";
import { addTexts, lang, word } from "./i18n.js";

addTexts({
  ul_st_awaiting_witness: "等待见证人", ul_st_ready: "待派单", ul_st_dispatched: "已派单，待接单", ul_st_accepted: "已接单，前往中",
  ul_st_on_site: "已到场", ul_st_signing: "待签名", ul_st_filed: "已签名归档",
  ul_lock_home: "住宅门锁", ul_lock_office: "办公场所门锁", ul_lock_safe: "保险柜", ul_lock_vehicle: "机动车",
  ul_flag_not_entitled: "无权属登记", ul_flag_night: "夜间申请", ul_flag_repeat: "同一地址多次申请",
  ul_flag_recent_incident: "附近近期有警情", ul_flag_not_occupant: "申请人非居住人（仅产权）",
  ul_wk_property_manager: "物业人员", ul_wk_community_worker: "社区工作人员", ul_wk_officer: "民警",
  ul_method_technical: "技术开启", ul_method_destructive: "破坏性开启",
  ul_ls_active: "在册", ul_ls_suspended: "已停用",
  ul_party_requester: "申请人", ul_party_locksmith: "开锁人员", ul_party_witness: "见证人",
  ul_ent_household: "户籍", ul_ent_residence: "居住登记", ul_ent_property: "房产", ul_ent_lease: "租赁备案", ul_ent_vehicle: "机动车登记",
  ul_vr_malformed: "文件格式不正确", ul_vr_not_canonical: "不是规范化格式（可能被改动）", ul_vr_missing_party: "缺少一方签名",
  ul_vr_hash_mismatch: "签名与记录内容不符", ul_vr_role_mismatch: "签名身份与记录不符", ul_vr_unknown_key: "签名密钥未公布",
  ul_vr_key_revoked: "签名密钥已吊销", ul_vr_algorithm_mismatch: "签名算法不符", ul_vr_bad_signature: "签名无效",
  ul_level_1: "实名认证", ul_level_2: "实人认证", ul_level_3: "实证核验（民警现场）",
  ul_colon: "：", ul_metres: "{n} 米", ul_km: "{n} 公里", ul_yuan: "{n} 元", ul_none: "无",
  ul_witness_needed: "需要见证人", ul_witness_not_needed: "无需见证人", ul_witness_present: "{kind}（{who}）",
  ul_witness_missing: "尚无见证人到场",
  ul_checkin_position: "定位核验到场，距开锁点 {d}", ul_checkin_override: "民警确认到场（{by}：{reason}），距开锁点 {d}",
}, {
  ul_st_awaiting_witness: "Waiting for a witness", ul_st_ready: "Waiting for a locksmith", ul_st_dispatched: "Sent, not yet accepted",
  ul_st_accepted: "Accepted, on the way", ul_st_on_site: "On site", ul_st_signing: "Waiting for signatures", ul_st_filed: "Signed and filed",
  ul_lock_home: "Home door", ul_lock_office: "Office door", ul_lock_safe: "Safe", ul_lock_vehicle: "Vehicle",
  ul_flag_not_entitled: "No entitlement on record", ul_flag_night: "At night", ul_flag_repeat: "Repeated at this address",
  ul_flag_recent_incident: "Recent incident nearby", ul_flag_not_occupant: "Requester does not live there (owner only)",
  ul_wk_property_manager: "Property manager", ul_wk_community_worker: "Community worker", ul_wk_officer: "Police officer",
  ul_method_technical: "Opened without damage", ul_method_destructive: "Opened by force",
  ul_ls_active: "Active", ul_ls_suspended: "Suspended",
  ul_party_requester: "Requester", ul_party_locksmith: "Locksmith", ul_party_witness: "Witness",
  ul_ent_household: "Household", ul_ent_residence: "Residence", ul_ent_property: "Property", ul_ent_lease: "Lease", ul_ent_vehicle: "Vehicle registration",
  ul_vr_malformed: "Not a well-formed document", ul_vr_not_canonical: "Not in canonical form (may have been changed)",
  ul_vr_missing_party: "A party's signature is missing", ul_vr_hash_mismatch: "A signature does not match the record",
  ul_vr_role_mismatch: "A signature names the wrong party", ul_vr_unknown_key: "Signing key not published",
  ul_vr_key_revoked: "Signing key revoked", ul_vr_algorithm_mismatch: "Wrong signature algorithm", ul_vr_bad_signature: "Signature does not verify",
  ul_level_1: "real name (L1)", ul_level_2: "real person (L2)", ul_level_3: "checked in person (L3)",
  ul_colon: ": ", ul_metres: "{n} m", ul_km: "{n} km", ul_yuan: "¥{n}", ul_none: "none",
  ul_witness_needed: "Witness required", ul_witness_not_needed: "No witness needed", ul_witness_present: "{kind} ({who})",
  ul_witness_missing: "No witness has come yet",
  ul_checkin_position: "Checked in by position, {d} from the lock", ul_checkin_override: "Presence confirmed by an officer ({by}: {reason}), {d} from the lock",
});

/** A text with {name} places filled in. */
export const fill = (key, vars) => t(key).replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? ""));
export const ulState = (s) => word("ul_st_", s);
export const lockType = (c) => word("ul_lock_", c);
export const flagName = (c) => word("ul_flag_", c);
export const witnessKind = (c) => word("ul_wk_", c);
export const methodName = (c) => word("ul_method_", c);
export const smithStatus = (c) => word("ul_ls_", c);
export const partyName = (c) => word("ul_party_", c);
export const entitlementName = (c) => word("ul_ent_", c);
/** The identity level the requester held when asking (docs/trust.md "Levels"). */
export const levelName = (n) => word("ul_level_", n);
export const verifyReason = (c) => word("ul_vr_", c);
export const distance = (m) => (m == null ? "" : m < 1000 ? fill("ul_metres", { n: Math.round(m) }) : fill("ul_km", { n: (m / 1000).toFixed(1) }));
export const yuan = (fen) => fill("ul_yuan", { n: (fen / 100).toFixed(2) });
export const when = (iso) => (iso ? new Date(iso).toLocaleString(lang === "zh" ? "zh-CN" : "en-GB", { hour12: false,
  month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" }) : "");

/** "label：value" with the colon of the page's language. */
export const labelled = (key, ...value) => el("p", { class: "ul-line" }, el("span", { class: "hint" }, t(key) + t("ul_colon")), ...value);

/** Risk flags as highlighted chips (the station must see them at a glance). */
export const flagChips = (flags) => (flags || []).map((f) => el("span", { class: "chip ul-flag", "data-flag": f }, flagName(f)));

/** Whether a witness is needed, and who came. */
export function witnessLine(req) {
  if (req.witness_username) return fill("ul_witness_present", { kind: witnessKind(req.witness_kind), who: req.witness_username });
  return req.witness_required ? `${t("ul_witness_needed")} · ${t("ul_witness_missing")}` : t("ul_witness_not_needed");
}

/** How the arrival was confirmed: the platform's position check, or an officer (who and why). */
export function checkinLine(c) {
  if (!c) return "";
  const d = distance(c.distance_m);
  if (c.confirmed_by === "override") return fill("ul_checkin_override", { by: c.override.by, reason: c.override.reason, d });
  return fill("ul_checkin_position", { d });
}
