"""Seeded evaluation set for the lost-and-found matcher: lost reports and the found items
that answer them, written the way two different people would describe the same thing.

    .venv/bin/python bench/matching_data.py [--pairs 400] [--seed 7]   # prints a summary

Each pair differs by paraphrase (丢失/拾到 phrasing), synonyms (手机/电话, 钱包/皮夹),
typos (homophones), missing colour/brand, and place/time noise; every found item has
same-category distractors nearby; a share of lost reports have no true item at all.
"""

from __future__ import annotations

import argparse
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

CENTRE = (109.7835, 39.5993)
COLOURS = ["黑色", "白色", "红色", "蓝色", "灰色", "银色", "棕色", "粉色", "绿色", "金色"]
SYN_COLOUR = {"蓝色": "深蓝", "棕色": "咖啡色"}
CATEGORY = {
    "phone": (["手机", "电话"], ["华为", "苹果", "小米", "OPPO", "vivo", "荣耀"]),
    "wallet": (["钱包", "皮夹", "钱夹"], ["七匹狼", "古驰", "金利来", "蔻驰"]),
    "bag": (["双肩包", "背包", "挎包"], ["耐克", "阿迪达斯", "新秀丽", "李宁"]),
    "keys": (["钥匙", "钥匙串"], ["丰田", "大众", "比亚迪"]),
    "umbrella": (["雨伞", "伞"], ["天堂", "蕉下"]),
    "glasses": (["眼镜", "墨镜"], ["雷朋", "暴龙"]),
}
FEATURES = {
    "phone": [
        "透明手机壳",
        "卡通手机壳",
        "皮质手机壳",
        "屏幕右上角有裂痕",
        "背面贴着小熊贴纸",
        "锁屏是一只猫",
        "挂着红色挂绳",
        "屏幕贴了钢化膜",
        "手机壳里夹着公交卡",
        "摄像头边有磕碰",
    ],
    "wallet": [
        "内有身份证",
        "内有工商银行卡",
        "有一张全家福照片",
        "现金约500元",
        "拉链坏了",
        "边角磨损",
        "内有驾驶证",
        "夹着几张超市小票",
        "有一张会员卡",
        "内有港澳通行证",
    ],
    "bag": [
        "里面有笔记本电脑",
        "装着几本书",
        "挂着一个熊猫挂件",
        "侧袋有保温杯",
        "肩带断了一根",
        "里面有充电宝",
        "装着儿童衣服",
        "有一把雨伞",
        "里面有药盒",
        "拉链上系着丝带",
    ],
    "keys": [
        "三把钥匙",
        "带门禁卡",
        "挂着小铃铛",
        "有一个开瓶器",
        "挂着毛绒球",
        "两把铜钥匙",
        "带车钥匙",
        "挂着指甲刀",
        "有蓝色钥匙套",
        "挂着照片吊坠",
    ],
    "umbrella": [
        "长柄",
        "折叠",
        "伞面有碎花",
        "伞骨断了一根",
        "木质手柄",
        "格子图案",
        "带防晒涂层",
        "伞套丢了",
        "手柄缠着胶布",
        "伞面印着广告",
    ],
    "glasses": [
        "金属框",
        "黑框",
        "近视镜",
        "装在眼镜盒里",
        "镜腿有划痕",
        "圆形镜片",
        "偏光镜",
        "有一条挂绳",
        "镜片有点脏",
        "儿童款",
    ],
}
TYPOS = {"裂痕": "列痕", "钥匙": "钥是", "挂件": "挂见", "照片": "照骗", "驾驶证": "驾使证"}
PLACES = ["音乐喷泉", "乌兰木伦湖", "鄂尔多斯博物馆", "步行街", "成吉思汗广场", "公交站"]


def luhn_digit(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return str((10 - total % 10) % 10)


@dataclass
class Record:
    """One report or item as a desk would register it (before the vault hashes its IMEI)."""

    id: int
    category: str
    description: str
    colour: str | None
    brand: str | None
    lon: float
    lat: float
    at: datetime
    imei: str | None = None


@dataclass
class EvalSet:
    lost: list[Record]
    found: list[Record]
    truth: dict[int, int | None]  # lost id -> the found id that answers it (None: none stored)


def _jitter(rng: random.Random, sigma_m: float) -> tuple[float, float]:
    dx, dy = rng.gauss(0, sigma_m), rng.gauss(0, sigma_m)
    return CENTRE[0] + dx / 85_800, CENTRE[1] + dy / 111_320


def _typo(rng: random.Random, text: str) -> str:
    for a, b in TYPOS.items():
        if a in text and rng.random() < 0.5:
            return text.replace(a, b, 1)
    return text


def _texts(rng: random.Random, cat: str, colour: str, brand: str, feats: list[str]):
    nouns, _ = CATEGORY[cat]
    place = rng.choice(PLACES)
    lost = f"本人在{place}附近丢失{colour}{brand}{nouns[0]}一个，{'，'.join(feats)}"
    shown = rng.sample(feats, k=max(1, len(feats) - rng.choice([0, 0, 1])))
    c2 = SYN_COLOUR.get(colour, colour) if rng.random() < 0.5 else colour
    found = f"拾到{c2}{rng.choice([brand, brand, ''])}{rng.choice(nouns)}，{'、'.join(shown)}"
    return _typo(rng, lost), _typo(rng, found)


def generate(pairs: int = 400, seed: int = 7, distractors: int = 4) -> EvalSet:
    """`pairs` lost reports (15 % without a true found item) and their found items."""
    rng = random.Random(seed)
    start = datetime(2026, 5, 1, tzinfo=UTC)
    lost: list[Record] = []
    found: list[Record] = []
    truth: dict[int, int | None] = {}
    fid = 0
    for lid in range(1, pairs + 1):
        cat = rng.choice(list(CATEGORY))
        _, brands = CATEGORY[cat]
        colour, brand = rng.choice(COLOURS), rng.choice(brands)
        feats = rng.sample(FEATURES[cat], k=rng.choice([2, 3]))
        lost_at = start + timedelta(hours=rng.uniform(0, 24 * 120))
        ltext, ftext = _texts(rng, cat, colour, brand, feats)
        imei = None
        if cat == "phone" and rng.random() < 0.3:
            body = "".join(rng.choice("0123456789") for _ in range(14))
            imei = body + luhn_digit(body)
        lon, lat = _jitter(rng, 1500)
        lost.append(
            Record(
                lid,
                cat,
                ltext,
                None if rng.random() < 0.15 else colour,
                None if rng.random() < 0.25 else brand,
                lon,
                lat,
                lost_at,
                imei,
            )
        )
        has_true = rng.random() >= 0.15
        if has_true:
            fid += 1
            flon, flat = lon + rng.gauss(0, 400) / 85_800, lat + rng.gauss(0, 400) / 111_320
            found.append(
                Record(
                    fid,
                    cat,
                    ftext,
                    None if rng.random() < 0.15 else colour,
                    None if rng.random() < 0.3 else brand,
                    flon,
                    flat,
                    lost_at + timedelta(hours=rng.uniform(0.2, 48)),
                    imei if imei and rng.random() < 0.8 else None,
                )
            )
        truth[lid] = fid if has_true else None
        for _ in range(distractors):
            fid += 1
            dfeats = rng.sample(FEATURES[cat], k=rng.choice([2, 3]))
            dcol = colour if rng.random() < 0.4 else rng.choice(COLOURS)
            dbrand = brand if rng.random() < 0.4 else rng.choice(brands)
            _, dtext = _texts(rng, cat, dcol, dbrand, dfeats)
            dlon, dlat = lon + rng.gauss(0, 800) / 85_800, lat + rng.gauss(0, 800) / 111_320
            found.append(
                Record(
                    fid,
                    cat,
                    dtext,
                    dcol,
                    dbrand,
                    dlon,
                    dlat,
                    lost_at + timedelta(hours=rng.uniform(-24, 72)),
                )
            )
    return EvalSet(lost, found, truth)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--pairs", type=int, default=400)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    ev = generate(args.pairs, args.seed)
    matched = sum(v is not None for v in ev.truth.values())
    print(f"lost {len(ev.lost)}, found {len(ev.found)}, with a true item {matched}")
    for r in ev.lost[:3]:
        f = next((x for x in ev.found if x.id == ev.truth[r.id]), None)
        print(r.description, "→", f.description if f else "-")


if __name__ == "__main__":
    main()
