"""The matcher reads kind, colour, brand and character with the lexicon, from fields or text
alike, and lets the one attribute that differs decide between near-identical found items."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pingan.services import candidates, lexicon, matcher
from pingan.services.matcher import Item, category_fit, prepare, rank, score

T0 = datetime(2026, 5, 3, 15, tzinfo=UTC)
LON, LAT = 109.7800, 39.5948


def item(i: int, category: str, description: str, **kw) -> Item:
    base = {"lon": LON, "lat": LAT, "at": T0, "colour": None, "brand": None}
    base.update(kw)
    return prepare(Item(i, category, description, **base), "bigram")


def found(i: int, category: str, description: str, **kw) -> Item:
    kw.setdefault("at", T0 + timedelta(hours=3))
    kw.setdefault("lon", LON + 0.002)
    return item(i, category, description, **kw)


def best(q: Item, *pool: Item) -> int:
    return rank(q, pool)[0].item_id


def test_the_brand_that_agrees_ranks_first_across_scripts():
    q = item(0, "phone", "在喷泉丢了苹果手机，透明壳，膜左上角裂了")
    apple = found(1, "phone", "拾得手机一部，透明保护壳，屏幕膜碎裂", brand="Apple")
    huawei = found(2, "phone", "拾得手机一部，透明保护壳，屏幕膜碎裂", brand="HUAWEI")
    assert best(q, huawei, apple) == 1
    # model names say the brand too
    iphone = found(3, "phone", "iPhone一部，透明保护壳，屏幕膜碎裂")
    assert best(q, huawei, iphone) == 3


def test_a_colour_in_the_text_counts_as_much_as_one_in_the_field():
    in_text = item(0, "luggage", "深蓝色的拉杆箱")
    in_field = item(1, "luggage", "拉杆箱", colour="藏青")
    navy = found(2, "luggage", "行李箱一个", colour="蓝")
    red = found(3, "luggage", "行李箱一个", colour="红色")
    assert score(in_text, navy).score == score(in_field, navy).score
    assert best(in_text, red, navy) == best(in_field, red, navy) == 2
    # a colour inside another word is not a colour: 蓝牙耳机 is not blue
    assert "c:blue" not in item(4, "electronics", "白色蓝牙耳机").features


def test_the_character_that_agrees_ranks_first_across_languages():
    q = item(0, "toy", "女儿的小猪佩奇毛绒玩具，粉色的")
    peppa = found(1, "toy", "粉色毛绒玩偶一个，Peppa Pig")
    kitty = found(2, "toy", "粉色毛绒玩偶一个，Hello Kitty")
    assert best(q, kitty, peppa) == 1


def test_the_same_thing_in_other_words_outranks_a_different_thing():
    q = item(0, "luggage", "银色拉杆箱，24寸")
    suitcase = found(1, "luggage", "银色行李箱一个，24寸")
    backpack = found(2, "bag", "银色双肩包一个")
    assert best(q, backpack, suitcase) == 1
    padded = item(3, "clothing", "黑色棉服，袖口有点脏")
    down = found(4, "clothing", "黑色羽绒服一件，袖口有污渍")
    trousers = found(5, "clothing", "黑色裤子一条")
    assert best(padded, trousers, down) == 4
    near = lexicon.kind_similarity(
        matcher.attrs(padded.features).kinds, matcher.attrs(down.features).kinds
    )
    assert near is not None and 0 < near < 1.0  # near, not the same


def test_near_categories_match_and_far_ones_veto():
    assert category_fit("id_card", "documents") == 0.5
    assert category_fit("ebike", "bicycle") == category_fit("bicycle", "ebike") == 0.5
    assert category_fit("wallet", "phone") is None
    q = item(0, "id_card", "身份证一张，名字叫王秀兰")
    filed_as_document = found(1, "documents", "拾得居民身份证一张，姓名王秀兰")
    assert score(q, filed_as_document) is not None
    phone = found(2, "phone", "黑色手机一部")
    assert score(q, phone) is None


def test_a_report_filed_broadly_is_searched_where_its_words_point():
    q = item(0, "toy", "小黄人墨镜丢了，黄色的")
    cats = candidates.categories_to_search(q)
    assert cats is not None and {"toy", "glasses", "other"} <= set(cats)
    listed = item(2, "bag", "黑色双肩包，里面有充电宝和雨伞")
    assert candidates.categories_to_search(listed) == candidates.categories_for("bag")
    # filed by what was in it, found as the container it was in
    laptop = item(3, "computer", "电脑包忘公交上了，戴尔笔记本，包是黑色双肩的")
    assert "bag" in (candidates.categories_to_search(laptop) or [])
    assert candidates.categories_to_search(item(1, "other", "不知道是什么")) is None


def test_a_shared_trim_colour_does_not_make_two_colours_agree():
    q = item(0, "phone", "华为手机丢了，白色的，壳是透明的已经发黄了", brand="华为")
    white = found(1, "phone", "拾得手机一部，珍珠白，透明壳已泛黄", brand="HUAWEI")
    black = found(2, "phone", "手机一部，曜石黑，透明壳已泛黄", brand="HUAWEI")

    def colour(c: Item) -> float | None:
        return matcher._overlap(
            matcher.attrs(q.features).colours, matcher.attrs(c.features).colours
        )

    assert colour(white) > colour(black) > 0
    assert best(q, black, white) == 1
