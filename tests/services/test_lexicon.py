"""The lexicon: item kinds, brands, characters, colours, materials and modifiers in free text."""

from __future__ import annotations

from importlib import resources

import pytest
import yaml

from pingan.services import lexicon
from pingan.services.lexicon import load
from pingan.services.text import bigrams, fold

ex = lexicon.extract


def kinds(text: str) -> set[str]:
    return set(ex(text).kinds)


def test_a_realistic_report_gives_kind_colour_brand_and_modifier():
    a = ex("昨天在公交上丢了一个黑色耐克双肩包，里面有小孩的水壶")
    assert a.kinds == {"backpack", "water_bottle"}
    assert a.categories == {"bag", "other"}
    assert a.colours == {"black"} and a.brands == {"nike"} and a.modifiers == {"child"}


@pytest.mark.parametrize(
    ("a", "b", "kind"),
    [
        ("拉杆箱", "行李箱", "luggage"),
        ("旅行箱", "suitcase", "luggage"),
        ("公交卡", "交通卡", "transit_card"),
        ("一卡通", "鄂尔多斯通卡", "transit_card"),
        ("鸭舌帽", "棒球帽", "cap"),
        ("电瓶车", "电动车", "ebike"),
        ("电驴", "电动自行车", "ebike"),
        ("皮夹", "钱包", "wallet"),
        ("驾照", "驾驶证", "driving_licence"),
        ("充电宝", "移动电源", "power_bank"),
        ("泰迪", "二哈", "dog"),
        ("保温杯", "水壶", "water_bottle"),
    ],
)
def test_item_synonyms_name_one_kind_and_fold_to_one_word(a, b, kind):
    assert kinds(a) == kinds(b) == {kind}
    assert fold(a) == fold(b)


def test_near_kinds_score_their_near_value_both_ways():
    down, padded = ex("羽绒服").kinds, ex("棉服").kinds
    assert lexicon.kind_similarity(down, padded) == lexicon.kind_similarity(padded, down) == 0.7
    assert lexicon.kind_similarity(ex("黑色背包").kinds, ex("书包").kinds) == 0.8
    assert lexicon.kind_similarity(down, ex("手机").kinds) == 0.0
    assert lexicon.kind_similarity(down, down | ex("围巾").kinds) == 1.0
    assert lexicon.kind_similarity(frozenset(), down) is None


@pytest.mark.parametrize(
    ("text", "expect"),
    [
        ("钱包", {"wallet"}),  # not 包
        ("电动自行车", {"ebike"}),  # not 自行车
        ("皮夹克", {"jacket"}),  # not 皮夹
        ("电话手表", {"smartwatch"}),  # not 电话
        ("手机壳", {"phone_case"}),
        ("丢了一个包", {"bag"}),
        ("包括身份证在内", {"id_card"}),  # 包括 is no bag
        ("在包头火车站", set()),
        ("这部手机很值钱", {"phone"}),  # 值钱 is no cash
    ],
)
def test_the_longest_word_wins(text, expect):
    assert kinds(text) == expect


@pytest.mark.parametrize(
    ("text", "brand"),
    [
        ("奔驰车钥匙", "mercedes"),
        ("Benz车钥匙", "mercedes"),
        ("mercedes-benz key", "mercedes"),
        ("苹果手机", "apple"),
        ("APPLE", "apple"),
        ("阿迪的运动鞋", "adidas"),
        ("Adidas 外套", "adidas"),
        ("LV包", "louis_vuitton"),
        ("路易威登的包", "louis_vuitton"),
        ("红米手机", "xiaomi"),
        ("新秀丽拉杆箱", "samsonite"),
        ("黑色北面羽绒服", "the_north_face"),
        ("品牌是北面", "the_north_face"),
    ],
)
def test_brands_across_scripts(text, brand):
    assert ex(text).brands == {brand}


def test_model_names_imply_brand_and_kind():
    a = ex("丢了一部iPhone 13，深空灰")
    assert a.brands == {"apple"} and a.kinds == {"phone"} and a.colours == {"grey"}
    assert ex("AirPods Pro").kinds == {"earphones"}
    assert ex("华为Mate60").brands == {"huawei"} and ex("华为Mate60").kinds == {"phone"}
    assert ex("ThinkPad笔记本").brands == {"lenovo"}
    assert fold("iPhone") == fold("苹果手机").replace("手机", " 手机")


@pytest.mark.parametrize(
    "text",
    [
        "pineapple",  # apple inside a word
        "在广场北面捡到一个包",  # north side, not The North Face
        "小米粥洒了",
        "大众点评上看到的",
        "slvr",  # LV inside a word
        "一个永久有效的证件",
    ],
)
def test_no_brand_inside_other_words(text):
    assert ex(text).brands == set()


@pytest.mark.parametrize(
    ("text", "character"),
    [
        ("小猪佩奇的书包", "peppa_pig"),
        ("佩琪水杯", "peppa_pig"),
        ("Peppa Pig backpack", "peppa_pig"),
        ("奥特曼玩具", "ultraman"),
        ("冰雪奇缘艾莎公主裙", "elsa"),
        ("Elsa doll", "elsa"),
        ("哆啦A梦", "doraemon"),
        ("机器猫", "doraemon"),
        ("KT猫发夹", "hello_kitty"),
        ("hello kitty", "hello_kitty"),
        ("蜘蛛侠", "spider_man"),
        ("Spider-Man", "spider_man"),
        ("spiderman", "spider_man"),
        ("草莓熊公仔", "lotso"),
        ("熊大熊二", "bears"),
    ],
)
def test_characters_in_chinese_and_english(text, character):
    assert ex(text).characters == {character}


def test_a_character_is_not_a_pet_and_folds_to_one_word():
    assert ex("机器猫").kinds == set() and ex("加菲猫").kinds == set()
    assert fold("Peppa") == fold("佩奇") == "小猪佩奇"


@pytest.mark.parametrize(
    ("text", "families"),
    [
        ("黑色钱包", {"black"}),
        ("一个黑钱包", {"black"}),
        ("手机是黑的", {"black"}),
        ("颜色：黑", {"black"}),
        ("深蓝色的书包", {"blue"}),
        ("藏青外套", {"blue"}),
        ("远峰蓝iPhone", {"blue"}),
        ("玫红色雨伞", {"pink", "red"}),
        ("玫瑰金手机", {"pink", "gold"}),
        ("银灰色电动车", {"silver", "grey"}),
        ("米白色围巾", {"white", "beige"}),
        ("卡其色风衣", {"beige", "brown"}),
        ("黑白相间的猫", {"black", "white"}),
        ("黑框眼镜", {"black"}),
        ("金项链", {"gold"}),
        ("navy blue jacket", {"blue"}),
        ("透明手机壳", {"transparent"}),
        ("橘猫", {"orange"}),
    ],
)
def test_colour_words_in_free_text(text, families):
    assert ex(text).colours == families


@pytest.mark.parametrize(
    "text",
    [
        "蓝牙耳机",
        "白天在黑龙江路红绿灯旁捡到",
        "银行卡",
        "一沓现金",
        "金属外壳",
        "落满灰尘",
        "小米粥",
        "红包",  # a red envelope is a kind (cash), not a colour mention
        "青年路",
        "明白了",
    ],
)
def test_no_colour_inside_other_words(text):
    assert ex(text).colours == set()


def test_materials_and_modifiers():
    assert ex("真皮钱包").materials == {"leather"} == ex("牛皮的皮带").materials
    assert ex("帆布包").materials == {"canvas"}
    assert ex("足金手镯").materials == {"gold"} and ex("18K金项链").materials == {"gold"}
    assert ex("不锈钢保温杯").materials == {"stainless_steel"}
    assert ex("钢琴旁边").materials == set()  # 钢琴 is no steel
    assert ex("毛绒玩具").kinds == {"plush_toy"}
    for word in ("儿童", "小孩", "小朋友", "宝宝", "孩子", "kids"):
        assert ex(f"{word}水壶").modifiers == {"child"}, word
    assert ex("男士手表").modifiers == {"men"} and ex("女款包").modifiers == {"women"}
    assert ex("老人机").modifiers == set() and ex("老人的拐杖").modifiers == {"elderly"}
    assert ex("women's watch").modifiers == {"women"}  # not men inside women


def test_field_helpers():
    assert lexicon.colour_families("深蓝") == {"blue"}
    assert lexicon.colour_families("黑") == {"black"}
    assert lexicon.colour_families("荧光") == {"荧光"}
    assert lexicon.colour_families(None) == lexicon.colour_families(" ") == frozenset()
    for value in ("Apple", "苹果", "iPhone 13", "apple "):
        assert lexicon.brand_ids(value) == {"apple"}, value
    assert lexicon.brand_ids("北面") == {"the_north_face"}  # a field needs no context
    assert lexicon.brand_ids("Acme") == {"acme"}
    assert lexicon.brand_ids("") == frozenset()


def test_canonical_text_gives_tokenisers_one_word():
    assert lexicon.canonical_text("拉杆箱") == lexicon.canonical_text("行李箱") == "行李箱"
    assert lexicon.canonical_text("Apple") == "苹果"
    assert lexicon.canonical_text("丢失一个棕色皮夹") == "丢失一个棕钱包"
    assert lexicon.canonical_text("白天") == "白天"
    assert bigrams("咖啡色钱夹") == bigrams("棕色皮夹")


def test_version_is_a_short_stable_hash():
    v = lexicon.version()
    assert v == lexicon.version() and len(v) == 10 and int(v, 16) >= 0


DIR = resources.files("pingan.services.lexicon")


def test_data_integrity():
    text = resources.files("pingan.services").joinpath("categories.yaml").read_text("utf-8")
    cats = yaml.safe_load(text)
    _, items = load.read("items")
    assert len(items) >= 120
    for kind, e in items.items():
        assert e["category"] in cats, kind
        assert e["zh"] and set(e) <= {"category", "zh", "en", "near"}, kind
        assert all(o in items and 0 < v < 1 for o, v in (e.get("near") or {}).items()), kind
    _, brands = load.read("brands")
    assert len(brands) >= 80
    for brand, e in brands.items():
        assert e.get("zh") or e.get("en"), brand
        assert set(e.get("weak") or []) <= set((e.get("zh") or []) + (e.get("en") or [])), brand
        assert set(e.get("kinds") or []) | set((e.get("models") or {}).values()) <= set(items)
    assert len(load.read("characters")[1]) >= 40
    _, colours = load.read("colours")
    assert len(colours["words"]) >= 80
    assert all(set(f) <= set(colours["families"]) for f in colours["words"].values())
    for name in load.FILES:
        assert (DIR / f"{name}.yaml").read_text("utf-8").startswith("# "), name
        header = (DIR / f"{name}.yaml").read_text("utf-8").split("\n\n")[0]
        assert "Sources:" in header and "Licence:" in header, name
        # no word stands for two entries of one file
        dupes = {
            w: ids for w, ids in load.surfaces(load.read(name)[1], name).items() if len(ids) > 1
        }
        assert dupes == {}, (name, dupes)
    ignored = load.surfaces(load.read("ignore")[1], "ignore")
    for name in load.FILES[:-1]:
        assert not set(ignored) & set(load.surfaces(load.read(name)[1], name)), name
