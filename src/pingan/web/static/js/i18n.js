// Texts of the command centre: Chinese first (zh-CN), English available, one at a time.
//
// How a view speaks one language (read before adding a view or a text):
// - Every visible string is t(key). A module registers its own texts at top level with
//   addTexts({key: "中文"}, {key: "English"}), keys prefixed by its area; not in the table below.
// - Static HTML carries data-i18n="key" (its text), data-i18n-title, data-i18n-placeholder,
//   data-i18n-aria-label; applyLang() relabels them, <option>s included.
// - Codes (states, levels, kinds, tiers, sources …) never reach the screen: word(prefix, code)
//   gives t(prefix + code), with texts added for each code; server catalogues through core.js
//   (typeName, kindName, stateName, statusName).
// - Switching language: setLang(l) relabels the chrome, clears what the server wrote in the old
//   language (texts shown with serverText(node, text): problem details, notes) and then calls
//   every function given to onLang(fn), in order. A view subscribes one function that re-draws
//   its content from state and refetches what came from the server (details, recommendations,
//   timelines, alerts); it may be async. onLang returns a function that unsubscribes.
//   main.js subscribes the one generic step: it re-shows the current view (each view's show
//   function) and fires state's change events, so every view drawn from state re-draws.
//   A view with more to re-draw, at its module's top level:
//     onLang(() => { drawQueue(); if (selected) return openIncident(selected); });
// - Shown server errors: serverText(errorNode, e.message), never textContent = e.message.
// - tests/web/test_languages.py walks every view in both languages: add a new view to its
//   ROLE_VIEWS (it fails on a view the navigation offers that it does not list).
export const T = {
  zh: {
    title: "平安 · 综合指挥室", checking: "检查中…", ok: "运行正常", bad: "存储异常", login: "登录",
    logout: "退出", username: "用户名", password: "密码", apidocs: "API 文档", lang: "English", lang_title: "切换到英文",
    live_on: "实时：已连接", live_off: "实时：未连接", live_retry: "实时：重连中", live_none: "实时：本进程无推送",
    nav_map: "指挥地图", nav_queue: "警情处置", nav_crowd: "客流", nav_kpi: "大屏", nav_deploy: "勤务部署",
    nav_officer: "我的任务", nav_citizen: "报失求助",
    isochrones: "1/3/5分钟可达圈", click_for_details: "点击地图上的对象查看详情", queue: "警情队列",
    case: "警情编号", type: "类别", priority: "等级", state: "状态", received: "接警时间", summary: "描述",
    pick_incident: "选择一条警情查看推荐与处置", crowd: "客流态势", area: "区域", level: "等级", count: "人数",
    capacity: "占容量", density: "密度 人/㎡", as_of: "读数时间", trend: "趋势与预测", alerts: "告警",
    by_type: "今日警情类别", deployment: "勤务部署", my_assignments: "我的任务", my_unit: "我的警力单元",
    report_help: "报失 / 求助", what: "类别", choose: "请选择", t_lost_item: "物品遗失",
    t_missing_person: "人员走失", t_car_finding: "找车求助", describe: "情况描述", phone: "联系电话",
    submit: "提交", my_cases: "我的报案", no_views: "此角色在指挥中心无可用页面，请使用 API 文档中的账号管理功能。",
    footer: "离线运行 · 不依赖互联网 · 个人信息脱敏显示", expired: "登录已过期，请重新登录；已填写的内容已保留。",
    recommendation: "推荐警力", dispatch: "派警", timeline: "处置过程", assignments: "出警单元",
    acknowledge: "签收", en_route: "出发", on_scene: "到场", resolve: "反馈", close: "结案",
    override_reason: "如确认已到场，请填写理由（审计，大屏单列）：",
    outcome: "处置结果", no_picks: "暂无可派警力", unit: "警力", status: "状态", kind: "类型",
    eta: "预计到达", none: "暂无", compliance: "到场达标率", p50: "到场用时中位数", p90: "到场用时P90",
    incidents_today: "今日警情", responded: "已到场", alerts_today: "今日客流告警",
    overridden: "调度确认到场（不计合格率）", sample: "样例（不计入考核）",
    forecast: "预测", actual: "实测", forecast_na: "预测暂不可用：", reported: "已提交，编号 ",
    calendar_missing: "节假日日历缺少这些年份，其节假日按普通日预测：",
    required: "此项必填", too_short: "至少填写5个字，说明物品或人员特征与位置", bad_phone: "请填写11位手机号码",
    crowd_level: "客流等级", camera: "摄像机", post: "岗点", position_age: "定位时间", received_ago: "接警于",
    open_incidents: "未结警情", units_available: "可用警力",
    moveups: "动中备勤补位建议", moveups_refresh: "刷新", moveups_none: "各重点区域1/3分钟圈均有覆盖，暂无补位建议",
    moveup_accept: "采纳补位", cover_standby: "补位备勤（临时替代岗点）", moveup_uncovered: "覆盖缺口", moveup_before_after: "覆盖 现在→补位后",
    // deployment
    minutes: "分钟", backup: "双重覆盖", plan: "方案", plan_draft: "草案", plan_approved: "已批准", plan_superseded: "已替代",
    date: "日期", shift: "班次", make_plan: "生成方案", making: "正在生成方案，约需数秒…", no_plan: "尚无勤务部署方案。",
    no_plan_ask: "请由调度员或指挥员生成方案。", approve: "批准方案", export: "导出", version: "版本", made_by: "制定",
    approved_by: "批准", based_on: "基于方案", posts: "岗位", solver: "求解器", gap: "证明间隙", crowd_source: "客流来源",
    loop: "巡逻线", tier: "到达圈", coverage: "需求覆盖率", expected: "期望覆盖（计忙碌）", expected_note: "期望覆盖：计入警力忙于其他警情、接警与签收用时、步巡在巡逻线上的位置；需求覆盖率按全员在岗计", before: "调整前", after: "调整后", other_area: "区域外",
    replan_result: "重新布警结果", before_note: "调整前 = 新客流下原岗位的覆盖率", no_moves: "无需调整岗位",
    replan: "重新布警", area_people: "预计人数", max_moves: "最多调整警力数", max_move_min: "最远调整（分钟）",
    replanning: "正在重新布警…", unplaced: "未布设警力", coverage_by_tier: "覆盖率（按到达时间圈）", coverage_by_area: "各区域覆盖率",
    // KPI help services
    planned_title: "今日计划与实际覆盖", planned_col: "计划（期望覆盖）", realized_col: "实际", diff_col: "差（百分点）", all_free_col: "全员空闲时覆盖", planned_calls: "警情", planned_with_plan: "有生效方案", planned_verified: "经核实到场", planned_none: "今日尚无有生效方案的警情",
    planned_note: "计划：当时生效方案的期望覆盖（计入警力忙碌、接警与签收耗时、步巡在巡线上）；实际：首个经核实到场在时限内的警情占比，从接警起计时。",
    tiers_title: "今日分级1-3-5到场", tiers_by: "分组", tiers_by_tier: "按级别", tiers_by_area_type: "按区域类型",
    tiers_by_shift: "按班次", tiers_by_hour: "按小时", tier_col: "级别", group_col: "分组", applies: "适用", measured: "核实",
    not_reached: "未到", by_override: "调度确认", pending_col: "未届时限", met: "达标率", clock_call: "从接警起", first_arrival: "首个到场", clock_dispatch: "从派警起", group_all: "全部",
    shift_day: "白班", shift_night: "夜班", hour_suffix: "时",
    tiers_note: "从接警起：自接警时刻计时；从派警起：自第一条派警指令计时。未到场或出警卡未到齐计为未达标，调度员确认的到场不计入；仍在处置且未到时限的暂不评判。",
    hours: "小时", minutes_unit: "分钟", help_services: "便民服务", this_year: "本年", svc_cars_found: "找到车辆", svc_items_returned: "归还物品",
    svc_missing_found: "找回人员", svc_breakdowns_helped: "救助车辆", return_rate: "招领归还率", time_to_return: "归还用时中位数",
    // citizen
    category: "物品类别", colour: "颜色", brand: "品牌", identifier: "串号 / 序列号 / 证件号（可选）", none_given: "无",
    serial: "序列号", id_number: "身份证号", person_kind: "走失人员", pk_child: "儿童", pk_elder: "老人", pk_visitor: "游客",
    person_name: "姓名", age: "年龄", clothing: "衣着", guardian_name: "监护人姓名", guardian_id: "监护人身份证号（领回时核验）",
    place: "具体位置", tap_map: "在地图上点选位置，或从上方列表选择区域", when: "时间", pick_place: "请在地图上点选位置、选择区域，或输入地名并从提示中选择",
    future: "时间不能晚于现在", identifier_kind: "请选择号码类型", bad_id: "请填写18位身份证号码",
    matches_found: "已找到 {n} 条可能匹配的拾得物，见下方“我的报案”", ls_open: "登记中", ls_announced: "已公告",
    ls_claimed: "认领中", ls_returned: "已归还", ls_disposed: "已处置", ms_open: "寻找中", ms_closed: "已找回",
    radius: "推送半径", fix_fields: "请按提示修改标红的项目", possible_match: "可能匹配", colon: "：", storage: "存放处：", found_listing: "招领公告",
    v_missing: "此项必填", v_string_too_long: "内容过长", v_string_too_short: "内容过短", v_int_parsing: "须为整数",
    v_float_parsing: "须为数字", v_greater_than_equal: "数值过小", v_less_than_equal: "数值过大", v_literal_error: "请从列表中选择",
    v_datetime_parsing: "时间格式无效", v_datetime_from_date_parsing: "时间格式无效", v_timezone_aware: "时间须带时区",
    v_extra_forbidden: "不支持的字段", v_too_long: "项目过多",
  },
  en: {
    title: "Pingan · Command Centre", checking: "checking…", ok: "healthy", bad: "store unhealthy", login: "Log in",
    logout: "Log out", username: "Username", password: "Password", apidocs: "API docs", lang: "中文", lang_title: "Switch to Chinese",
    live_on: "live: connected", live_off: "live: offline", live_retry: "live: reconnecting", live_none: "live: not in this process",
    nav_map: "Map", nav_queue: "Incidents", nav_crowd: "Crowd", nav_kpi: "KPI board", nav_deploy: "Deployment",
    nav_officer: "My tasks", nav_citizen: "Report",
    isochrones: "1/3/5-minute reach", click_for_details: "Click an object on the map for details", queue: "Incident queue",
    case: "Case", type: "Type", priority: "Priority", state: "State", received: "Received", summary: "Summary",
    pick_incident: "Pick an incident to see the recommendation and handle it", crowd: "Crowd", area: "Area",
    level: "Level", count: "People", capacity: "Of capacity", density: "Density /m²", as_of: "As of",
    trend: "Trend and forecast", alerts: "Alerts", by_type: "Today's incidents by type", deployment: "Deployment",
    my_assignments: "My assignments", my_unit: "My unit", report_help: "Report a loss / ask for help", what: "What",
    choose: "Choose", t_lost_item: "Lost item", t_missing_person: "Missing person", t_car_finding: "Can't find my car",
    describe: "Description", phone: "Phone", submit: "Submit", my_cases: "My reports",
    no_views: "This role has no command-centre page; manage accounts through the API docs.",
    footer: "Runs offline · no internet needed · personal data masked", expired: "Session expired: log in again; your form was kept.",
    recommendation: "Recommended units", dispatch: "Dispatch", timeline: "Timeline", assignments: "Units",
    acknowledge: "Acknowledge", en_route: "En route", on_scene: "On scene", resolve: "Resolve", close: "Close",
    override_reason: "To accept the arrival anyway, give a reason (audited, counted apart on the KPI board):",
    outcome: "Outcome", no_picks: "No unit available", unit: "Unit", status: "Status", kind: "Kind", eta: "ETA",
    none: "None", compliance: "On-scene compliance", p50: "Median response", p90: "P90 response",
    incidents_today: "Incidents today", responded: "Responded",
    overridden: "Arrivals by override (not measured)", sample: "sample (not in the KPIs)",
    alerts_today: "Crowd alerts today",
    forecast: "Forecast", actual: "Actual", forecast_na: "Forecast not available: ", reported: "Filed as case ",
    calendar_missing: "The holiday calendar lacks these years; their holidays are forecast as ordinary days: ",
    required: "required", too_short: "at least 5 characters: what or who, and where", bad_phone: "an 11-digit mobile number",
    crowd_level: "Crowd level", camera: "Camera", post: "Post", position_age: "Position at", received_ago: "Received",
    open_incidents: "Open incidents", units_available: "Units available",
    moveups: "Cover moves (move-ups)", moveups_refresh: "Refresh", moveups_none: "Every key area's 1/3-minute circle is covered: no cover move needed",
    moveup_accept: "Accept cover move", cover_standby: "Cover standby (overrides the post)", moveup_uncovered: "Uncovered", moveup_before_after: "Cover now → after the move",
    minutes: " min", backup: "backup", plan: "Plan", plan_draft: "draft", plan_approved: "approved", plan_superseded: "superseded",
    date: "Date", shift: "Shift", make_plan: "Make a plan", making: "Making the plan (a few seconds)…", no_plan: "No deployment plan yet.",
    no_plan_ask: "A dispatcher or commander can make one.", approve: "Approve", export: "Export", version: "version", made_by: "made by",
    approved_by: "approved by", based_on: "based on plan", posts: "Posts", solver: "solver", gap: "proven gap", crowd_source: "crowds from",
    loop: "patrol loop", tier: "Reach", coverage: "Demand covered", expected: "Expected (busy units)", expected_note: "Expected: units busy on other calls, call handling and acknowledgement time, foot units along their loops; demand covered assumes every unit free at its post", before: "Before", after: "After", other_area: "outside key areas",
    replan_result: "Re-plan", before_note: "before = the old posts under the new crowds", no_moves: "No post needed to move",
    replan: "Re-plan", area_people: "Expected people", max_moves: "Most units to move", max_move_min: "Furthest move (minutes)",
    replanning: "Re-planning…", unplaced: "Units not posted", coverage_by_tier: "Coverage by reach", coverage_by_area: "Coverage by area",
    planned_title: "Planned vs realized today", planned_col: "planned (expected coverage)", realized_col: "realized", diff_col: "difference (points)", all_free_col: "coverage with every unit free", planned_calls: "calls", planned_with_plan: "with a plan in force", planned_verified: "verified arrivals", planned_none: "no call today had a plan in force",
    planned_note: "Planned: the expected coverage of the plan in force (units busy, call handling and acknowledgement, foot units along their loops); realized: the share of calls whose first verified arrival came within the tier, from the call.",
    tiers_title: "Tiered 1-3-5 response today", tiers_by: "Group by", tiers_by_tier: "tier", tiers_by_area_type: "area type",
    tiers_by_shift: "shift", tiers_by_hour: "hour", tier_col: "Tier", group_col: "Group", applies: "applies", measured: "measured",
    not_reached: "not reached", by_override: "by override", pending_col: "pending", met: "met", clock_call: "from the call", first_arrival: "first arrival", clock_dispatch: "from the dispatch order", group_all: "all",
    shift_day: "day shift", shift_night: "night shift", hour_suffix: ":00",
    tiers_note: "From the call: timed from the moment the call was received; from the dispatch order: from the first dispatch. A tier never reached (no one came, the run card never filled) counts as missed; arrivals accepted by a dispatcher's override are left out; open incidents still within a target are not judged yet.",
    hours: "h", minutes_unit: "min", help_services: "Help services", this_year: "this year", svc_cars_found: "cars found", svc_items_returned: "items returned",
    svc_missing_found: "people found", svc_breakdowns_helped: "vehicles helped", return_rate: "return rate", time_to_return: "median time to return",
    category: "Category", colour: "Colour", brand: "Brand", identifier: "IMEI / serial / ID number (optional)", none_given: "none",
    serial: "serial", id_number: "ID number", person_kind: "Who is missing", pk_child: "child", pk_elder: "elder", pk_visitor: "visitor",
    person_name: "Name", age: "Age", clothing: "Clothing", guardian_name: "Guardian's name", guardian_id: "Guardian's ID number (checked at hand-over)",
    place: "Where exactly", tap_map: "Tap the map, or choose an area above", when: "When", pick_place: "tap the map, choose an area, or type a place name and pick it from the list",
    future: "cannot be in the future", identifier_kind: "choose what the number is", bad_id: "an 18-character ID number",
    matches_found: "{n} possible matches among found items: see My reports", ls_open: "registered", ls_announced: "announced",
    ls_claimed: "being claimed", ls_returned: "returned", ls_disposed: "disposed of", ms_open: "searching", ms_closed: "found",
    radius: "alert radius", fix_fields: "please correct the fields marked in red", possible_match: "Possible match", colon: ": ", storage: "Kept at: ", found_listing: "Found items",
    v_missing: "required", v_string_too_long: "too long", v_string_too_short: "too short", v_int_parsing: "a whole number",
    v_float_parsing: "a number", v_greater_than_equal: "too small", v_less_than_equal: "too large", v_literal_error: "choose from the list",
    v_datetime_parsing: "not a valid time", v_datetime_from_date_parsing: "not a valid time", v_timezone_aware: "needs a time zone",
    v_extra_forbidden: "not an accepted field", v_too_long: "too many entries",
  },
};
/** Each view module adds its own texts here at import time, so no one table is shared by all. */
export function addTexts(zh, en) { Object.assign(T.zh, zh); Object.assign(T.en, en); }
export let lang = localStorage.getItem("pingan.lang") || "zh";
/** The language the API is asked to answer in (problem details, notes): one at a time. */
export const acceptLanguage = () => (lang === "zh" ? "zh-CN" : "en");
export const t = (k) => (T[lang] && T[lang][k]) || T.zh[k] || k;
/** t(key) with each {name} filled from `vars` (a value not given leaves nothing). */
export const fill = (key, vars = {}) => t(key).replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? ""));
/** A code as words: t(prefix + code) where a text exists, else the code (a gap the language test finds). */
export const word = (prefix, code) => (code == null || code === "" ? "" : (prefix + code) in T.zh ? t(prefix + code) : String(code));

const listeners = [];
/** Call `fn` after every language switch (see the top of this file); returns the unsubscribe. */
export function onLang(fn) {
  listeners.push(fn);
  return () => { const k = listeners.indexOf(fn); if (k >= 0) listeners.splice(k, 1); };
}
/** Switch language: chrome relabelled, stale server texts cleared, every view re-drawn. */
export function setLang(l) {
  lang = l;
  localStorage.setItem("pingan.lang", l);
  applyLang();
  document.querySelectorAll("[data-lang-of]").forEach((n) => { if (n.dataset.langOf !== l) { n.textContent = ""; delete n.dataset.langOf; } });
  for (const fn of [...listeners]) {
    try { Promise.resolve(fn(l)).catch((e) => console.error(e)); } catch (e) { console.error(e); }
  }
}
/** Show a text the server wrote (a problem detail, a note): it is in the request's language,
 * so a language switch clears it rather than leave the old language on screen. */
export function serverText(node, text) {
  node.textContent = half(text);
  if (text) node.dataset.langOf = lang; else delete node.dataset.langOf;
  return node;
}
const ATTRS = ["title", "placeholder", "aria-label"]; // data-i18n-<attr>="key"
export function applyLang() {
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  document.title = t("title");
  document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
  for (const attr of ATTRS) {
    document.querySelectorAll(`[data-i18n-${attr}]`).forEach((el) => { el.setAttribute(attr, t(el.getAttribute(`data-i18n-${attr}`))); });
  }
  const button = document.querySelector("#lang");
  button.textContent = t("lang");
  button.setAttribute("lang", lang === "zh" ? "en" : "zh-CN"); // the button names the other language in that language
  button.title = t("lang_title");
}
/** Chinese-first server texts written "中文 / English" (older messages, data with both names):
 * show the half for the language. The slash may follow full-width punctuation without a space. */
export function half(text) {
  if (!text) return "";
  const m = /\s\/\s|(?<=[\u3000-\u303f\uff00-\uffef])\/\s/.exec(text);
  if (!m) return text;
  return lang === "zh" ? text.slice(0, m.index).trim() : text.slice(m.index + m[0].length).split(" / ")[0].trim();
}
