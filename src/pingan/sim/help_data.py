"""What the simulated world does in the help services (SYNTHETIC, with the reasoning for each
figure): what visitors lose and who goes missing, whether and where someone comes across them,
and how those finders describe what they found — in their own words, never the owner's.

The platform sees only what people tell it; whether an item goes back to its owner or a child
to their guardian is decided by its matching and its checks (sim/helpdesk.py).
"""

from __future__ import annotations

from typing import NamedTuple


class LostItem(NamedTuple):
    """One kind of thing a visitor loses, as each side would put it."""

    category: str
    owner_text: str  # the owner's report
    colour: str | None  # the owner's colour word
    brand: str | None  # the owner knows it; a finder does not write one down
    finder_texts: tuple[str, ...]  # how finders describe it: other words, things left out
    finder_colours: tuple[str | None, ...]  # colour words finders use (None: none; some wrong)
    has_imei: bool = False


# Two or three of a kind on purpose: a black phone is not the only black phone handed in, so
# the owner's top matches hold someone else's, which the proof check must refuse.
LOST_ITEMS = (
    LostItem("phone", "黑色华为手机，蓝色手机壳", "黑", "华为",
             ("拾到手机一部，带蓝色保护壳", "长椅上捡到一部手机，深蓝外壳", "捡到手机一个"),
             ("黑", "黑", "深灰", None), has_imei=True),
    LostItem("phone", "白色苹果手机，屏幕有裂痕", "白", "苹果",
             ("捡到白色手机，屏幕碎了", "拾得手机一部，屏幕摔裂", "地上捡到一部碎屏手机"),
             ("白", "白", "银", None), has_imei=True),
    LostItem("phone", "黑色小米手机，没有手机壳", "黑", "小米",
             ("拾到黑色手机一部", "捡到手机，无外壳"), ("黑", None), has_imei=True),
    LostItem("wallet", "棕色皮夹，内有身份证和银行卡", "棕", None,
             ("拾得咖啡色钱包一个", "捡到钱包，里面有证件", "拾到皮夹一个"),
             ("棕", "棕", "黑", None)),
    LostItem("wallet", "黑色长款钱包，拉链坏了", "黑", None,
             ("拾到黑色钱包一个，拉链坏", "捡到长款钱包"), ("黑", None)),
    LostItem("bag", "黑色双肩包，里面有水杯和外套", "黑", None,
             ("拾到黑色背包一个，内有水杯", "捡到书包一个，装着外套", "拾得包一个"),
             ("黑", "黑", "深蓝", None)),
    LostItem("bag", "灰色手提包，里面有化妆品", "灰", None,
             ("捡到灰色挎包一个", "拾到女士包一个"), ("灰", "银", None)),
    LostItem("keys", "一串钥匙，挂着红色车钥匙", "红", None,
             ("拾到钥匙一串", "捡到车钥匙一把，带几把门钥匙", "地上捡到钥匙"), (None, "红", "黑")),
    LostItem("umbrella", "蓝色折叠伞", "蓝", None,
             ("拾得雨伞一把", "捡到折叠伞一把，深蓝色", "长椅边一把伞"), ("蓝", "蓝", "紫", None)),
    LostItem("documents", "驾驶证和行驶证", None, None,
             ("拾到证件夹一个，内有驾驶证", "捡到驾照一本", "拾得证件一套"), (None, "黑", None)),
)  # fmt: skip
# What marks one item apart from others like it, drawn for each lost item: (what the owner
# says only they know, when claiming; what the desk notes, held back, when it is handed in).
# Two people's words, so they share some words, not all; two marks of a kind share too few
# words to pass the claim check for each other (tests/sim/test_finders.py checks both).
MARKS = {
    "phone": (
        ("手机壳里夹着一张公交卡", "手机壳里夹公交卡一张"),
        ("锁屏是一只橘猫的照片", "锁屏照片是一只橘猫"),
        ("背面贴着一张卡通贴纸", "背面贴卡通贴纸"),
        ("屏幕左上角有一道裂纹", "屏幕左上角裂纹一道"),
        ("挂着一根红色挂绳", "挂红色挂绳"),
        ("充电口塞着防尘塞", "充电口有防尘塞"),
    ),
    "wallet": (
        ("钱包里夹着一张全家福照片", "夹着全家福照片"),
        ("钱包里有一张超市会员卡", "超市会员卡一张"),
        ("内侧用圆珠笔写着电话号码", "内侧有圆珠笔写的电话号码"),
        ("零钱袋里有一枚纪念币", "零钱袋里有纪念币一枚"),
        ("钱包角上磨破了一块", "角上磨破一块"),
    ),
    "bag": (
        ("包侧袋挂着一个熊猫挂件", "侧袋挂熊猫挂件"),
        ("包里有一把小镜子", "包里有小镜子一把"),
        ("拉链上系着一条黄丝带", "拉链系黄丝带"),
        ("内袋里有一本蓝色笔记本", "内袋有蓝色笔记本一本"),
        ("包带上用别针别过", "包带上有别针"),
    ),
    "keys": (
        ("钥匙圈上刻着一个王字", "钥匙圈上刻王字"),
        ("挂着一个小铃铛", "挂小铃铛一个"),
        ("带着一张门禁卡", "带门禁卡一张"),
        ("钥匙扣是一个篮球", "篮球钥匙扣"),
        ("有一把蓝色的小钥匙", "蓝色小钥匙一把"),
    ),
    "umbrella": (
        ("伞柄缠着白色胶布", "伞柄缠白胶布"),
        ("伞骨断了一根", "伞骨断一根"),
        ("伞套上写着一个李字", "伞套上写李字"),
        ("伞面印着小黄鸭", "伞面印小黄鸭"),
    ),
    "documents": (
        ("证件夹里有一张加油卡", "证件夹里有加油卡一张"),
        ("驾驶证里夹着一张停车票", "夹停车票一张"),
        ("证件夹上有一个卡通贴纸", "证件夹上贴卡通贴纸"),
        ("行驶证塑料皮裂开了", "行驶证塑料皮破裂"),
    ),
}
OWNER_KNOWS_IMEI = 0.6  # owners who can quote their phone's IMEI (from the box or the bill)
DESK_READS_IMEI = 0.5  # found phones whose IMEI the desk reads (SIM tray label, *#06#)

# Share of lost items that someone comes across and hands in, by kind: things of no use to a
# stranger (documents) or too big to pocket unseen (bags) come back most; a wallet's cash
# tempts; keys drop into grass and drains; few bother to hand in a cheap umbrella.
FOUND_CHANCE = {
    "phone": 0.75,
    "wallet": 0.6,
    "bag": 0.75,
    "keys": 0.55,
    "umbrella": 0.3,
    "documents": 0.8,
}
# … times this, by place: indoors the staff clear every seat; in the fountain-show crowd and on
# the bridge things are trodden on, kicked away or picked up and kept; the lakeside has grass
# and water. Capped at MAX_FOUND_CHANCE.
FOUND_PLACE_FACTOR = {
    "museum": 1.15,
    "theatre": 1.15,
    "central_square": 1.0,
    "shopping_street": 0.9,
    "lakeside": 0.9,
    "music_fountain": 0.85,
    "bridge_3": 0.8,
}
MAX_FOUND_CHANCE = 0.95
# Who comes across a lost item: share, and seconds from the loss until they register it or
# hand it in at a police kiosk (a cleaner's sweep comes round later; a visitor walks over).
ITEM_FINDERS = {
    "cleaner": (0.35, (1200, 10800)),  # 保洁员
    "visitor": (0.3, (600, 3600)),  # 游客, handed in at the kiosk
    "officer": (0.15, (600, 7200)),  # 民警 on patrol
    "volunteer": (0.2, (600, 7200)),  # 志愿者 (蓝朋友)
}
# The owner reports where they think they lost it; where it is found is off by this (m).
FOUND_OFF_M = (30.0, 400.0)
# The owner looks at the matches for their report a few times that day, then gives up:
# the first look this long after reporting, then again after each gap (s).
OWNER_LOOKS = {"first_s": (600, 1800), "again_s": (1800, 5400), "times": 4}
CLAIM_PICKS = 3  # the owner tries the top few matches; a wrong one is refused by the check


class MissingPerson(NamedTuple):
    """One kind of person who goes missing: the guardian's report, and the finder's view."""

    kind: str
    age: int
    description: str  # the guardian's words
    clothing: str
    finder_texts: tuple[str, ...]  # what a finder sees: no name, their own words
    finder_clothing: tuple[str, ...]


MISSING_PEOPLE = (
    MissingPerson("child", 5, "5岁女孩，扎两个小辫", "红色连衣裙，白色凉鞋",
                  ("小女孩，扎着辫子，在哭", "一个小女孩独自站在路边", "女童，梳小辫"),
                  ("穿红裙子，白凉鞋", "红色裙子", "粉红色连衣裙")),
    MissingPerson("child", 7, "7岁男孩，短发，戴眼镜", "蓝色上衣，黑色短裤",
                  ("戴眼镜的男孩，独自一人", "小男孩，短头发", "男童，戴黑框眼镜"),
                  ("蓝衣服，深色短裤", "穿蓝色T恤", "蓝上衣")),
    MissingPerson("child", 4, "4岁男孩，圆脸", "黄色T恤，背小恐龙书包",
                  ("小男孩，胖乎乎的，说不清家在哪", "幼童，圆脸，在哭"),
                  ("黄衣服，背着恐龙书包", "背一个绿色小书包", "黄色上衣")),
    MissingPerson("child", 9, "9岁女孩，长头发，扎马尾", "白色T恤，牛仔裤，粉色运动鞋",
                  ("女孩，马尾辫，能说出父亲姓名", "长发女孩，独自找家人"),
                  ("白上衣，牛仔裤", "白T恤，粉鞋子", "浅色上衣，蓝裤子")),
    MissingPerson("elder", 78, "78岁老人，白发，行动缓慢，有些健忘", "灰色夹克，黑色布鞋",
                  ("白发老大爷，走路慢，说不清住址", "老人，记不清怎么回家"),
                  ("灰夹克，布鞋", "深色外套", "灰色外衣")),
    MissingPerson("elder", 82, "82岁老太太，患阿尔茨海默病，拄拐杖", "紫色外套，灰色裤子",
                  ("老奶奶，拄着拐杖，问什么都答不上", "老年妇女，神情茫然"),
                  ("紫色上衣", "穿紫红外套，灰裤子", "深色衣服")),
)  # fmt: skip
# Share of missing people someone comes across that day: a child alone and crying is noticed
# within minutes by a shopkeeper or a volunteer (团圆 reports about 98 % of children found);
# an elder with dementia walks on quietly, further and unnoticed for longer.
PERSON_SEEN_CHANCE = {"child": 0.95, "elder": 0.85}
# Who comes across them: share, and seconds after the report until they register the person.
PERSON_FINDERS = {
    "searcher": (0.35, (600, 3600)),  # officers and family searching after the alert
    "volunteer": (0.3, (600, 2700)),  # 蓝朋友 on the alert's radius
    "officer": (0.2, (900, 3600)),  # a patrol that was not searching
    "shopkeeper": (0.15, (300, 2400)),  # a stranger brings them to a kiosk
}
PERSON_DRIFT_M = {"child": (100.0, 800.0), "elder": (200.0, 1500.0)}  # from where last seen
AGE_GUESS_ERROR = {"child": 2, "elder": 7}  # a finder's guess is off by up to this (years)
HANDOVER_TRIES = 3  # the desk calls the guardians of the top proposals, one after the other
