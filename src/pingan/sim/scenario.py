"""The figures a simulated day is drawn from (SYNTHETIC, shaped after the bureau's accounts).

110 calls come from data/calls.yaml: visitors' calls per 1,000 visitors arriving in a key
area (a holiday's 50,000 bring two and a half times an ordinary day's), residents' calls by
hour of day whatever the day. Timings are the range a step takes, drawn uniformly.
"""

from __future__ import annotations

from datetime import date
from importlib import resources

import yaml

from pingan.i18n import msg

# Calendar days whose visitor profile stands for each kind of day (sim/visitors.py):
# a mid-September Wednesday (≈ 20,000) and National Day (≈ 50,000).
DAYS = {"normal": date(2026, 9, 16), "holiday": date(2026, 10, 2)}
DWELL_H = 1.5  # average stay in an area: people present ≈ arrivals over the last 1.5 h

# Calls to 110 that become incidents directly, from the assumptions stated in data/calls.yaml
# (people × calls per 1,000 a day, by type and hour). Lost items, missing people, car finding
# and breakdowns come through the help services instead (HELP_* below; a missing-person
# report and a breakdown sent to the traffic police open their incident there).
CALLS = yaml.safe_load(
    resources.files("pingan.sim").joinpath("data/calls.yaml").read_text(encoding="utf-8")
)
# per 1,000 visitors arriving in a key area, by type
RATES_PER_1000: dict[str, float] = {
    t: CALLS["per_1000_per_day"]["visitors"] * share for t, share in CALLS["visitor_types"].items()
}
# residents' calls a day by type, and the share of a day's calls in each local hour
RESIDENT_CALLS_PER_DAY: dict[str, float] = {
    t: CALLS["residents"] / 1000 * CALLS["per_1000_per_day"]["residents"] * share
    for t, share in CALLS["resident_types"].items()
}
RESIDENT_HOURLY: tuple[float, ...] = tuple(
    w / sum(CALLS["resident_hourly"]) for w in CALLS["resident_hourly"]
)

# Help services (便民服务), scaled on the article's year — 76 cars found, 400 lost items
# returned, 210 missing people found, 120 breakdowns helped — so that a holiday's 50,000
# visitors bring a handful of each in roughly those proportions (≈ 2.5 : 9 : 5 : 2.5).
HELP_PER_1000: dict[str, float] = {
    "lost_report": 0.23,  # 遗失报告 (whether found and returned: sim/help_data.py)
    "found_unreported": 0.04,  # 拾得物 whose owner never reports it (stays in the listing)
    "missing_report": 0.1,  # 走失人员 (children and elders; who finds them: help_data.py)
    "car_find": 0.05,  # 找车: an owner asks the kiosk where the car is
}
HELP_PER_DAY = {"normal": {"breakdown": 1.0}, "holiday": {"breakdown": 2.5}}
CARS_PER_VISITOR = 0.08  # cars passing the car parks' ANPR cameras per arriving visitor
PLATE_MISREAD_SHARE = 0.05  # reads with one OCR confusion (8/B, 0/D, …)
TOW_SHARE = 0.4  # breakdowns sent to the tow service rather than the traffic police
HELP_DELAY_S = {  # how long each step waits, drawn uniformly (finders: sim/help_data.py)
    "handover": (120, 900),  # claim → holder and owner confirm
    "guardian": (300, 1200),  # the desk calls the proposed report's guardian → they arrive
    "breakdown_dispatch": (60, 300),
    "breakdown_clear": (1200, 3600),
}

# Re-planning: the commander compares the crowd panel with the plan's figures this often and
# re-plans when an area differs by more than the share and the head count (once an hour).
REPLAN = {"check_every_s": 900, "min_gap_s": 3600, "change_share": 0.6, "min_people": 1500}
PATROL_REST_S = (120.0, 600.0)  # a foot patrol waits at its post between two loops
# The crowd build-up: after the fountain show people press onto the bridge (local hours).
SURGE = {
    "holiday": {"area": "bridge_3", "start_h": 21.3, "rise_h": 0.3, "hold_h": 0.25,
                "fall_h": 0.4, "capacity_share": 0.93},
    "normal": {"area": "bridge_3", "start_h": 21.3, "rise_h": 0.3, "hold_h": 0.1,
               "fall_h": 0.3, "capacity_share": 0.5},
}  # fmt: skip

DISPATCHER_DELAY_S = 45.0  # the duty dispatcher confirms a recommendation after this
# 现场求助: a visitor in trouble within sight of an officer on foot walks up rather than dials
# 110 — what a 1-minute post is for. Sight distance in metres, the share who do, and the
# seconds the officer takes to step over to the spot.
WALK_UP = {"within_m": 120.0, "share": 0.6, "kinds": ("foot_patrol", "k9"), "reach_s": (5, 40)}
CLOSE_DELAY_S = (60.0, 300.0)  # 结案 after the feedback
HANDLING_S = {  # on scene until the feedback (反馈)
    "lost_item": (300, 900),
    "missing_person": (420, 1500),
    "car_finding": (300, 900),
    "disturbance": (300, 1200),
    "theft": (600, 1800),
    "fight": (600, 1800),
    "breakdown": (600, 1800),
    "traffic_accident": (900, 2400),
    "crowding": (900, 1800),
    "fraud": (600, 1500),
    "suspicious": (300, 900),
    "fire_rescue": (900, 2400),
    "other": (300, 1200),
}
REPORTS = {
    "disturbance": ["{area}商户与游客发生纠纷", "{area}两名游客因排队发生口角"],
    "theft": ["{area}游客手机被扒窃", "{area}一名游客背包被盗"],
    "fight": ["{area}多人发生肢体冲突"],
    "traffic_accident": ["{area}附近两车轻微剐蹭", "{area}路口电动车与小客车碰撞"],
    "suspicious": ["{area}有无人看管的行李", "{area}有人反复尾随游客"],
    "fraud": ["{area}游客扫码购票被骗", "{area}附近居民接到冒充客服电话被骗"],
    "fire_rescue": ["{area}附近商铺冒烟", "{area}电动车起火"],
    "other": ["{area}群众求助", "{area}噪音扰民"],
}  # fmt: skip
OUTCOMES = {
    "missing_person": ["已找到走失人员并交还家属"],
    "disturbance": ["双方经调解达成一致"],
    "theft": ["已调取视频，受理为刑事案件"],
    "fight": ["已控制相关人员，带回调查"],
    "breakdown": ["已协助拖离，道路恢复通行"],
    "traffic_accident": ["双方已自行协商处理"],
    "fraud": ["已受理，移交反诈中心"],
    "suspicious": ["经核查无异常"],
    "fire_rescue": ["消防已处置，现场已恢复"],
    "crowding": ["已实施单向通行，人流疏散完毕"],
    "other": ["已处置完毕"],
}


SURNAMES = "王李张刘陈杨赵黄周吴"
GIVEN_NAMES = ["小雨", "子涵", "浩然", "欣怡", "宇轩", "桂兰", "秀英", "建国"]
BREAKDOWNS = [
    ("小客车", "发动机无法启动"), ("SUV", "爆胎"), ("小客车", "电瓶亏电"),
    ("面包车", "水温过高冒烟"),
]  # fmt: skip


def day_for(kind: str) -> date:
    """The calendar day standing for a kind of day ('normal' or 'holiday')."""
    if kind not in DAYS:
        raise ValueError(msg("sim.unknown_day", kind=kind, known=list(DAYS)))
    return DAYS[kind]
