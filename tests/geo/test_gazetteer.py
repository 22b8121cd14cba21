"""The gazetteer: named places searched in Chinese, English and pinyin; points named back."""

from __future__ import annotations

import pytest
from shapely.geometry import box

from pingan.geo.city import load_city
from pingan.geo.gazetteer import Gazetteer, gazetteer_for, make_place


@pytest.fixture(scope="module")
def gaz(tmp_path_factory) -> Gazetteer:
    city = load_city(cache_dir=tmp_path_factory.mktemp("graphs"))
    return gazetteer_for(city)


def names(places) -> list[str]:  # type: ignore[no-untyped-def]
    return [p.name_zh for p in places]


def test_sources_key_areas_posts_roads_and_crossings(gaz):
    kinds = {p.kind for p in gaz.places}
    assert kinds == {"key_area", "post", "road", "crossing"}
    assert gaz.get("music_fountain").name_en == "Music Fountain"
    assert gaz.get("kiosk_fountain").name_zh == "音乐喷泉警务亭"
    crossing = next(p for p in gaz.places if p.kind == "crossing" and "经4路" in p.name_zh)
    assert crossing.name_zh.endswith("交叉口") and " & " in crossing.name_en


def test_search_chinese_substring_ranks_the_area_before_its_posts(gaz):
    found = names(gaz.search("音乐", 5))
    assert found[0] == "音乐喷泉"
    assert "音乐喷泉警务亭" in found
    assert all("音乐" in n for n in found)


def test_search_pinyin_initials(gaz):
    # 音乐喷泉: yin yue pen quan — 乐 read yue in 音乐 (a polyphone read by phrase)
    assert names(gaz.search("yypq", 3))[0] == "音乐喷泉"
    assert names(gaz.search("YYPQ", 3))[0] == "音乐喷泉"
    assert names(gaz.search("j4l", 1)) == ["经4路"]


def test_search_full_pinyin_with_or_without_spaces(gaz):
    assert names(gaz.search("yinyuepenquan", 1)) == ["音乐喷泉"]
    assert names(gaz.search("yin yue pen quan", 1)) == ["音乐喷泉"]
    assert names(gaz.search("jing4lu", 1)) == ["经4路"]


def test_search_english_and_crossings_of_a_road(gaz):
    assert names(gaz.search("warp road 4", 1)) == ["经4路"]
    found = gaz.search("经4路", 20)
    assert found[0].kind == "road"  # the road itself, then where it crosses others
    assert any(p.kind == "crossing" for p in found)


def test_search_limits_and_misses(gaz):
    assert len(gaz.search("路", 4)) == 4
    assert gaz.search("不存在的地方") == []
    assert gaz.search("   ") == []


def test_nearest_place_names_a_crossing_an_area_or_a_landmark(gaz):
    crossing = next(p for p in gaz.places if p.kind == "crossing")
    named = gaz.nearest_place(crossing.lon + 0.0002, crossing.lat)  # ~17 m off
    assert named.name_zh == crossing.name_zh and named.name_en == crossing.name_en
    square = make_place("sq", "key_area", "广场", "Square", 109.78, 39.61)
    inside = Gazetteer([square], {"sq": box(109.77, 39.60, 109.79, 39.62)})
    assert inside.nearest_place(109.789, 39.619).name_zh == "广场"  # 1 km from its centre
    kiosk = gaz.get("kiosk_fountain")
    near = Gazetteer([kiosk]).nearest_place(kiosk.lon + 0.001, kiosk.lat)  # ~86 m east
    assert (near.name_zh, near.name_en) == ("音乐喷泉警务亭附近", "near Music Fountain kiosk")


def test_a_place_spells_digits_and_latin_letters_as_they_are():
    p = make_place("r", "road", "经4路", "Warp Road 4", 0.0, 0.0)
    assert (p.pinyin, p.initials) == ("jing4lu", "j4l")


def test_a_point_along_a_road_is_named_from_its_nearest_crossing_on_that_road(gaz):
    crossing = next(p for p in gaz.places if p.name_zh == "湖滨北街与经1路交叉口")
    named = gaz.nearest_place(crossing.lon + 0.0036, crossing.lat)  # ~310 m east, on 湖滨北街
    assert named.name_zh == "湖滨北街与经1路交叉口东约310米"
    assert named.name_en == "310 m east of Weft Road 1 & Warp Road 1"


def test_lookup_takes_a_name_exactly_then_the_best_hit_then_a_name_inside_the_text(gaz):
    for given in ("音乐喷泉", "Music Fountain", "yinyuepenquan", "yypq", "音乐喷泉南侧台阶"):
        assert gaz.lookup(given).code == "music_fountain", given
    assert gaz.lookup("经4路").kind == "road"
    crossing = next(p for p in gaz.places if p.kind == "crossing")
    assert gaz.lookup(crossing.name_zh) == crossing
    assert gaz.lookup("火星广场") is None and gaz.lookup("  ") is None


def test_close_to_suggests_at_most_three_names_spelled_alike(gaz):
    assert names(gaz.close_to("音乐喷水"))[0] == "音乐喷泉"
    assert names(gaz.close_to("yinyuepenshui"))[0] == "音乐喷泉"  # pinyin a syllable off
    assert len(gaz.close_to("音乐喷水")) == 3
    assert gaz.close_to("qqqq") == []
