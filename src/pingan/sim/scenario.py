"""The figures a simulated day is drawn from (SYNTHETIC, shaped after the bureau's accounts).

Rates are per 1,000 visitors arriving in a key area, so a holiday's 50,000 bring about two
and a half times an ordinary day's calls; road incidents (breakdowns) follow traffic, not
visitors. Timings are the range a step takes, drawn uniformly.
"""

from __future__ import annotations

from datetime import date

# Calendar days whose visitor profile stands for each kind of day (sim/visitors.py):
# a mid-September Wednesday (≈ 20,000) and National Day (≈ 50,000).
DAYS = {"normal": date(2026, 9, 16), "holiday": date(2026, 10, 2)}
DWELL_H = 1.5  # average stay in an area: people present ≈ arrivals over the last 1.5 h

RATES_PER_1000: dict[str, float] = {
    "lost_item": 0.9,  # 遗失物品: phones, wallets, bags
    "missing_person": 0.25,  # 走失人员: mostly children at the fountain and the lake
    "car_finding": 0.3,  # 找车: visitors who cannot find their parked car
    "disturbance": 0.15,  # 纠纷
    "theft": 0.1,  # 盗窃 (pickpockets in the crowd)
    "fight": 0.03,
}
ROAD_INCIDENTS_PER_DAY = {
    "normal": {"breakdown": 6.0, "traffic_accident": 2.0},
    "holiday": {"breakdown": 12.0, "traffic_accident": 4.0},
}
# The crowd build-up: after the fountain show people press onto the bridge (local hours).
SURGE = {
    "holiday": {"area": "bridge_3", "start_h": 21.3, "rise_h": 0.3, "hold_h": 0.25,
                "fall_h": 0.4, "capacity_share": 0.93},
    "normal": {"area": "bridge_3", "start_h": 21.3, "rise_h": 0.3, "hold_h": 0.1,
               "fall_h": 0.3, "capacity_share": 0.5},
}  # fmt: skip

DISPATCHER_DELAY_S = 45.0  # the duty dispatcher confirms a recommendation after this
ACK_DELAY_S = (8.0, 30.0)  # 签收
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
    "other": (300, 1200),
}
REPORTS = {
    "lost_item": ["游客在{area}丢失手机，黑色外壳", "{area}附近遗失钱包一个",
                  "游客在{area}丢失双肩包"],
    "missing_person": ["{area}一名5岁女孩与家人走散", "{area}一名7岁男孩走失，穿蓝色上衣",
                       "老人在{area}与家人失去联系"],
    "car_finding": ["游客在{area}附近找不到停放的车辆", "{area}停车场游客忘记停车位置"],
    "disturbance": ["{area}商户与游客发生纠纷", "{area}两名游客因排队发生口角"],
    "theft": ["{area}游客手机被扒窃", "{area}一名游客背包被盗"],
    "fight": ["{area}多人发生肢体冲突"],
    "breakdown": ["{area}附近道路一辆小客车抛锚", "{area}路口车辆故障占用车道"],
    "traffic_accident": ["{area}附近两车轻微剐蹭", "{area}路口电动车与小客车碰撞"],
}  # fmt: skip
OUTCOMES = {
    "lost_item": ["已帮助找回失物并交还失主", "已登记失物信息，转失物招领"],
    "missing_person": ["已找到走失人员并交还家属"],
    "car_finding": ["已通过视频帮助找到车辆"],
    "disturbance": ["双方经调解达成一致"],
    "theft": ["已调取视频，受理为刑事案件"],
    "fight": ["已控制相关人员，带回调查"],
    "breakdown": ["已协助拖离，道路恢复通行"],
    "traffic_accident": ["双方已自行协商处理"],
    "crowding": ["已实施单向通行，人流疏散完毕"],
    "other": ["已处置完毕"],
}


def day_for(kind: str) -> date:
    """The calendar day standing for a kind of day ('normal' or 'holiday')."""
    if kind not in DAYS:
        raise ValueError(f"未知日期类型 {kind}；可选 {', '.join(DAYS)} / unknown kind of day")
    return DAYS[kind]
