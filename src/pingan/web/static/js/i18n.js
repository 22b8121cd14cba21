// Texts of the command centre, Chinese first. Keys missing in English fall back to Chinese.
export const T = {
  zh: {
    title: "平安 · 综合指挥室", checking: "检查中…", ok: "运行正常", bad: "存储异常", login: "登录",
    logout: "退出", username: "用户名", password: "密码", apidocs: "API 文档", lang: "English",
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
    outcome: "处置结果", no_picks: "暂无可派警力", unit: "警力", status: "状态", kind: "类型",
    eta: "预计到达", none: "暂无", compliance: "到场达标率", p50: "到场用时中位数", p90: "到场用时P90",
    incidents_today: "今日警情", responded: "已到场", not_available: "暂未接入", alerts_today: "今日客流告警",
    service_na: "服务接口暂未接入，不显示数据", deployment_na: "勤务部署接口（/api/v1/deployment/plans）暂未接入，暂无部署方案可显示。",
    lostfound_na: "失物招领 / 走失人员登记服务暂未接入：此处提交的是一条求助警情，可在下方跟踪处理进度。",
    forecast: "预测", actual: "实测", forecast_na: "预测暂不可用：", reported: "已提交，警情编号 ",
    required: "此项必填", too_short: "至少填写5个字，说明物品或人员特征与位置", bad_phone: "请填写11位手机号码",
    crowd_level: "客流等级", camera: "摄像机", post: "岗点", position_age: "定位时间", received_ago: "接警于",
    open_incidents: "未结警情", units_available: "可用警力",
  },
  en: {
    title: "Pingan · Command Centre", checking: "checking…", ok: "healthy", bad: "store unhealthy", login: "Log in",
    logout: "Log out", username: "Username", password: "Password", apidocs: "API docs", lang: "中文",
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
    outcome: "Outcome", no_picks: "No unit available", unit: "Unit", status: "Status", kind: "Kind", eta: "ETA",
    none: "None", compliance: "On-scene compliance", p50: "Median response", p90: "P90 response",
    incidents_today: "Incidents today", responded: "Responded", not_available: "not available yet",
    alerts_today: "Crowd alerts today", service_na: "service API not available yet: no figure shown",
    deployment_na: "The deployment API (/api/v1/deployment/plans) is not available yet: no plan to show.",
    lostfound_na: "The lost-and-found / missing-person registry is not available yet: this files a request for help you can follow below.",
    forecast: "Forecast", actual: "Actual", forecast_na: "Forecast not available: ", reported: "Filed as case ",
    required: "required", too_short: "at least 5 characters: what or who, and where", bad_phone: "an 11-digit mobile number",
    crowd_level: "Crowd level", camera: "Camera", post: "Post", position_age: "Position at", received_ago: "Received",
    open_incidents: "Open incidents", units_available: "Units available",
  },
};
export let lang = localStorage.getItem("pingan.lang") || "zh";
export const t = (k) => (T[lang] && T[lang][k]) || T.zh[k] || k;
export function setLang(l) { lang = l; localStorage.setItem("pingan.lang", l); applyLang(); }
export function applyLang() {
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
  document.querySelector("#lang").textContent = t("lang");
}
/** Chinese-first server texts look like "中文 / English": show the half for the language. */
export function half(text) {
  if (!text || !text.includes(" / ")) return text || "";
  const [zh, en] = text.split(" / ", 2);
  return lang === "zh" ? zh : en;
}
