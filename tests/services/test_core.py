"""Pure cores of the help services: matcher, identifiers, plates, radius schedule, index."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pingan.services import identifiers, plates
from pingan.services.candidates import MatchIndex
from pingan.services.matcher import Item, prepare, rank, score
from pingan.services.radius import radius_km

T0 = datetime(2026, 7, 1, 12, tzinfo=UTC)
LON, LAT = 109.7835, 39.5993


def item(i: int, **kw) -> Item:
    base = {
        "id": i,
        "category": "phone",
        "description": "黑色华为手机，透明壳，屏幕有裂痕",
        "lon": LON,
        "lat": LAT,
        "at": T0,
        "colour": "黑色",
        "brand": "华为",
    }
    base.update(kw)
    return prepare(Item(**base), "bigram")


def test_identifier_first_category_clash_vetoes_and_reason_is_bilingual():
    q = item(0, identifier_keys=frozenset({"k1"}))
    same_id = item(
        1, description="手机一部", colour=None, brand=None, identifier_keys=frozenset({"k1"})
    )
    near = item(2, lon=LON + 0.0035, at=T0 + timedelta(hours=2))
    # a wallet described as one: a clash (a "wallet" whose words only name a phone would be
    # read as the phone its words say)
    wallet = item(3, category="wallet", description="黑色钱包，内有银行卡")
    ranked = rank(q, [near, wallet, same_id])
    assert [m.item_id for m in ranked] == [1, 2] and ranked[0].by_identifier
    assert score(q, wallet) is None
    m = ranked[1]
    assert m.reason_zh == "同为黑色华为手机, 相距 300 米, 相隔 2 小时"
    assert m.reason_en == "both 黑色 华为 phone, 300 m apart, 2 h apart"


def test_synonyms_fold_before_tokenising():
    a = item(0, description="丢失一个棕色皮夹", category="wallet", colour=None, brand=None)
    b = item(1, description="拾到咖啡色钱包", category="wallet", colour=None, brand=None)
    c = item(2, description="拾到黑色双肩包", category="wallet", colour=None, brand=None)
    assert score(a, b).score > score(a, c).score


def test_imei_luhn_and_masking():
    assert identifiers.normalise("imei", "49-015420-323751-8") == "490154203237518"
    with pytest.raises(identifiers.InvalidIdentifier):
        identifiers.normalise("imei", "490154203237519")
    assert identifiers.mask("imei", "490154203237518") == "***********7518"


def test_plates_fold_ocr_confusions_in_the_serial_only():
    assert plates.normalise("蒙k·b5i23") == "蒙KB5I23"
    assert plates.fold("蒙KB5I23") == plates.fold("蒙K85123")
    assert plates.fold("蒙D0Q2Z") == "蒙D0022"  # the letter after the province is kept
    with pytest.raises(plates.InvalidPlate):
        plates.normalise("12345")


def test_read_correction_maps_only_letters_no_plate_serial_uses():
    assert plates.correct_read("蒙K85I23") == "蒙K85123"
    assert plates.correct_read("蒙KB5123") == "蒙KB5123"  # B is a real serial letter
    assert plates.match("蒙K85O2I", "蒙K85021") == "corrected"
    assert plates.match("蒙KB5123", "蒙K85123") == "neighbour"
    assert plates.match("蒙K85123", "蒙K85123") == "exact"
    assert sorted(plates.reads_of("蒙K10")) == ["蒙K10", "蒙K1O", "蒙KI0", "蒙KIO"]


def test_radius_grows_on_the_schedule():
    assert [radius_km(T0, T0 + timedelta(hours=h)) for h in (0, 0.9, 1, 2.5)] == [1, 1, 3, 10]


def test_index_finds_by_identifier_beyond_the_window_and_by_grid_within_it():
    index = MatchIndex()
    index.add(item(1, at=T0 + timedelta(days=200), identifier_keys=frozenset({"k"})))
    index.add(item(2, at=T0 + timedelta(hours=5)))
    index.add(item(3, lon=LON + 1.0))  # ≈ 86 km away: outside the grid search
    index.add(item(4, category="wallet"))
    q = item(0, identifier_keys=frozenset({"k"}))
    assert index.candidates(q, "lost") == {1, 2}
    assert [m.item_id for m in index.match(q, "lost")] == [1, 2]
