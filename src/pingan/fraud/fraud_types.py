"""The kinds of telecom fraud (诈骗类型) the platform names, as codes; the words for each are in
the pages' texts. One list for the case intake, the fraud numbers and the statistics."""

from __future__ import annotations

FRAUD_TYPES = (
    "rebate",  # 刷单返利
    "investment",  # 虚假投资理财
    "loan",  # 虚假网络贷款
    "customer_service",  # 冒充电商物流客服
    "authority",  # 冒充公检法
    "game",  # 网络游戏产品虚假交易
    "credit",  # 虚假征信
    "acquaintance",  # 冒充领导熟人
    "romance",  # 网络婚恋交友
    "other",  # 其他
)
