"""The resident's unlock page and the witness's page, on the phone layout: a home unlock
dispatched to the filed locksmith, re-verification and signing, the filed copy; a request that
needs a witness, joined and signed in the witness view; a vehicle that is not hers, refused in
the server's words, in Chinese and in English. The locksmith's steps go through the API."""

from __future__ import annotations

import base64
import json
import math
from datetime import UTC, datetime
from pathlib import Path

import cv2
import numpy as np
import pytest

from tests.web.browser import login, new_page, wait_until

pytestmark = pytest.mark.timeout(300)
UNLOCK = "/trust/unlock"
FORM = "#ul-form"
# crossings away from the key areas, where the simulated day's incidents happen
QUIET = ["北环路与经5路交叉口", "文化路与经2路交叉口", "北环路与经2路交叉口", "文化路与经5路交叉口"]
PHONE = {"width": 420, "height": 900}


def _photo() -> str:
    ok, png = cv2.imencode(".png", np.full((8, 8, 3), 128, dtype=np.uint8))
    assert ok
    return base64.b64encode(png.tobytes()).decode()


def _l2(demo, token: str) -> None:  # type: ignore[no-untyped-def]
    """The demo citizen reaches L2: real name, then the face check's test double."""
    who = {"id_number": "150602198803151027", "name": "刘晓燕"}
    assert demo.call("POST", "/trust/identity/verify", token, json=who).status_code == 200
    r = demo.call(
        "POST", "/trust/identity/verify", token, json={"method": "face", "image_ref": "t"}
    )
    assert r.json()["level"] == 2, r.text


def _quiet_place(demo) -> dict:  # type: ignore[no-untyped-def]
    """The candidate crossing farthest from any incident (a recent one within 300 m would call
    for a witness), as the gazetteer has it."""
    token = demo.token("dispatcher")
    incidents = demo.call("GET", "/incidents", token, params={"limit": 200}).json()["items"]

    def apart(p: dict) -> float:
        return min(
            (
                math.hypot((p["lon"] - i["lon"]) * 85_000, (p["lat"] - i["lat"]) * 111_000)
                for i in incidents
            ),
            default=1e9,
        )

    places = [
        demo.call("GET", "/geo/places", token, params={"q": q, "limit": 1}).json()[0] for q in QUIET
    ]
    return max(places, key=apart)


def _pick_place(page, place: dict) -> None:  # type: ignore[no-untyped-def]
    page.click(f"{FORM} input[name=place]")
    page.keyboard.type(place["name_zh"])
    page.wait_for_selector(f"#ul-places li[data-code={place['code']}]")
    page.click(f"#ul-places li[data-code={place['code']}]")
    wait_until(page, f"document.querySelector('{FORM} input[name=lon]').value !== ''")
    assert float(page.input_value(f"{FORM} input[name=lon]")) == pytest.approx(
        place["lon"], abs=1e-5
    )


def _ask(page, lock_type: str, target: str) -> None:  # type: ignore[no-untyped-def]
    page.select_option(f"{FORM} select[name=lock_type]", lock_type)
    page.fill(f"{FORM} input[name=target]", target)
    page.click(f"{FORM} button[type=submit]")


def _item(page, rid: int) -> str:  # type: ignore[no-untyped-def]
    return f'#ul-mine li[data-request="{rid}"]'


def _locksmith_visit(demo, rid: int, place: dict, override: bool = False) -> None:  # type: ignore[no-untyped-def]
    """The filed locksmith's phone, through the API: accept, report the van's position, check
    in at the door (or an officer confirms the arrival), two photos, the record, the
    locksmith's signature."""
    smith = demo.token("locksmith")
    unit = demo.call("GET", f"{UNLOCK}/locksmith/me", smith).json()["filing"]["unit_id"]
    assert demo.call("POST", f"{UNLOCK}/jobs/{rid}/accept", smith).status_code == 200
    here = {"lon": place["lon"] + 0.0003, "lat": place["lat"]}
    if override:
        body = {**here, "reason": "定位信号弱，民警在现场"}
        r = demo.call(
            "POST", f"{UNLOCK}/requests/{rid}/checkin-override", demo.token("officer"), json=body
        )
    else:
        at = datetime.now(UTC).isoformat()
        r = demo.call("PUT", f"/units/{unit}/position", smith, json={**here, "at": at})
        assert r.status_code == 200, r.text
        r = demo.call("POST", f"{UNLOCK}/jobs/{rid}/checkin", smith, json=here)
    assert r.status_code == 200, r.text
    for stage in ("before", "after"):
        body = {"stage": stage, "photo_b64": _photo()}
        assert demo.call("POST", f"{UNLOCK}/jobs/{rid}/photos", smith, json=body).status_code == 200
    body = {"method": "technical", "fee_fen": 15000}
    assert demo.call("POST", f"{UNLOCK}/jobs/{rid}/record", smith, json=body).status_code == 201
    assert demo.call("POST", f"{UNLOCK}/jobs/{rid}/sign", smith).status_code == 200


def _mine(demo, token: str, rid: int) -> dict:  # type: ignore[no-untyped-def]
    return next(
        r for r in demo.call("GET", f"{UNLOCK}/requests/mine", token).json() if r["id"] == rid
    )


def _reverify_and_sign(page, rid: int) -> None:  # type: ignore[no-untyped-def]
    item = _item(page, rid)
    page.wait_for_selector(f'{item}[data-status="signing"] .ul-record')
    # signing before verifying again on site: refused, in words
    page.click(f"{item} button.sign")
    wait_until(page, f"document.querySelector('{item} .ul-sign .said').textContent !== ''")
    assert "重新核验身份" in page.inner_text(f"{item} .ul-sign .said")
    page.click(f"{item} button.face")
    page.wait_for_selector(f"{item} .ul-reverify .said:has-text('已重新核验身份')")
    page.click(f"{item} button.sign")


def test_home_unlock_dispatched_reverified_signed_and_filed(demo, browser, shots: Path) -> None:  # type: ignore[no-untyped-def]
    citizen = demo.token("citizen")
    _l2(demo, citizen)
    place = _quiet_place(demo)
    page = new_page(browser, **PHONE)
    login(page, demo, "citizen")
    page.goto(demo.url + "/#unlock")
    page.wait_for_selector("#ul-level:has-text('已完成实人认证')")
    assert page.evaluate("document.body.classList.contains('phone-view')")
    _pick_place(page, place)
    page.fill(f"{FORM} input[name=address]", "3号楼2单元501")
    _ask(page, "home", "150602001001")
    rid = int(page.wait_for_selector("#ul-result .request-no").inner_text())
    req = _mine(demo, citizen, rid)
    if req["status"] == "awaiting_witness":  # earlier unlocks at this address in the shared demo
        assert "repeat" in req["flags"]
        volunteer = demo.token("volunteer")
        body = {"kind": "community_worker"}
        assert demo.call(
            "POST", f"{UNLOCK}/requests/{rid}/witness", volunteer, json=body
        ).is_success
    item = _item(page, rid)
    page.wait_for_selector(f'{item}[data-status="dispatched"]')
    smith = page.inner_text(f"{item} .ul-smith")
    assert "马**" in smith and "KS-150602-2026-0001" in smith and "康巴什安居开锁服务部" in smith
    assert "预计到达" in smith
    assert page.inner_text(f"{item} .ul-steps li.current") == "已派开锁师傅"
    page.screenshot(path=shots / "unlock-dispatched.png")

    _locksmith_visit(demo, rid, place)
    page.wait_for_selector(f'{item}[data-status="signing"] .ul-record')
    record = page.inner_text(f"{item} .ul-record")
    assert "技术开启" in record and "150 元" in record and "定位核验到场" in record
    assert "开锁前" in record and "开锁后" in record
    _reverify_and_sign(page, rid)
    page.wait_for_selector(f'{item}[data-status="filed"]')
    filed = _mine(demo, citizen, rid)
    kept = datetime.fromisoformat(filed["retain_until"]).astimezone(UTC)
    said = page.inner_text(f"{item} .filed")
    assert said.startswith("已归档至派出所，保存至 ") and said[-10:-6] == str(kept.year)
    page.screenshot(path=shots / "unlock-filed.png")

    with page.expect_download() as got:
        page.click(f"{item} button.download")
    copy = json.loads(Path(got.value.path()).read_text("utf-8"))
    assert copy["record"]["request_id"] == rid and copy["seal"]["sig"]
    assert [s["role"] for s in copy["signatures"]][:2] == ["requester", "locksmith"]

    # English: the same request in English words
    page.click("#lang")
    page.wait_for_selector(f"{item} .filed:has-text('Filed with the police station')")
    assert page.inner_text(f"{item} .ul-steps li.current") == "Filed"
    page.click("#lang")
    page.close()


def test_witness_joins_by_code_and_signs(demo, browser, shots: Path) -> None:  # type: ignore[no-untyped-def]
    citizen = demo.token("citizen")
    _l2(demo, citizen)
    place = _quiet_place(demo)
    page = new_page(browser, **PHONE)
    login(page, demo, "citizen")
    page.goto(demo.url + "/#unlock")
    _pick_place(page, place)
    _ask(page, "home", "150602001003")  # 陈思雨's address: no entitlement of hers
    rid = int(page.wait_for_selector("#ul-result .request-no").inner_text())
    item = _item(page, rid)
    page.wait_for_selector(f'{item}[data-status="awaiting_witness"] .witness-code')
    assert page.inner_text(f"{item} .witness-code") == f"见证码 {rid}"
    assert page.get_attribute(f"{item} a.witness-link", "href") == f"#witness/{rid}"
    assert "须见证人到场" in page.inner_text(f"{item} .flags")

    # the community worker opens the witness link, sees the request waiting, and joins
    witness = new_page(browser, **PHONE)
    login(witness, demo, "volunteer")
    witness.goto(demo.url + f"/#witness/{rid}")
    witness.wait_for_selector(f'#wt-waiting li[data-request="{rid}"]')
    assert witness.input_value("#wt-form input[name=request_id]") == str(rid)
    assert "1506**********1027" in witness.inner_text(f'#wt-waiting li[data-request="{rid}"]')
    witness.select_option("#wt-form select[name=kind]", "community_worker")
    witness.click("#wt-form button[type=submit]")
    witness.wait_for_selector(f'#wt-mine li[data-request="{rid}"]')
    assert witness.inner_text("#wt-result .request-no") == str(rid)
    page.wait_for_selector(f'{item}[data-status="dispatched"]')
    assert "社区工作人员" in page.inner_text(item)

    _locksmith_visit(demo, rid, place, override=True)
    page.wait_for_selector(f'{item}[data-status="signing"] .ul-record .override')
    assert page.inner_text(f"{item} .ul-record .override") == "民警确认到场（非定位核验）"
    _reverify_and_sign(page, rid)
    page.wait_for_selector(f"{item} p.hint:has-text('等待其他各方签名')")
    mine = f'#wt-mine li[data-request="{rid}"]'
    witness.wait_for_selector(f'{mine}[data-status="signing"] button.sign')
    assert "技术开启" in witness.inner_text(f"{mine} .ul-record")
    assert witness.inner_text(f"{mine} .ul-record .override") == "民警确认到场（非定位核验）"
    witness.screenshot(path=shots / "unlock-witness.png")
    witness.click(f"{mine} button.sign")
    witness.wait_for_selector(f'{mine}[data-status="filed"] .filed')
    assert witness.inner_text(f"{mine} .filed").startswith("已归档至派出所，保存至 ")
    page.wait_for_selector(f'{item}[data-status="filed"]')
    signed = _mine(demo, citizen, rid)["signed"]
    assert signed == ["requester", "locksmith", "witness"]
    witness.close()
    page.close()


def test_a_vehicle_not_hers_is_refused_in_words(demo, browser) -> None:  # type: ignore[no-untyped-def]
    citizen = demo.token("citizen")
    _l2(demo, citizen)
    before = len(demo.call("GET", f"{UNLOCK}/requests/mine", citizen).json())
    page = new_page(browser, **PHONE)
    login(page, demo, "citizen")
    page.goto(demo.url + "/#unlock")
    page.wait_for_selector("#ul-level:has-text('已完成实人认证')")
    page.select_option(f"{FORM} select[name=lock_type]", "vehicle")
    assert page.inner_text("#ul-target-label") == "车牌号"
    page.fill(f"{FORM} input[name=lon]", "109.78")
    page.fill(f"{FORM} input[name=lat]", "39.6")
    _ask(page, "vehicle", "蒙K00001")
    wait_until(page, "document.querySelector('#ul-result').textContent !== ''")
    assert "不是该车所有人" in page.inner_text("#ul-result")
    assert page.evaluate("document.querySelector('#ul-result').children.length") == 0  # text only

    page.click("#lang")
    assert page.inner_text("#ul-target-label") == "Number plate"
    page.click(f"{FORM} button[type=submit]")
    wait_until(
        page,
        "document.querySelector('#ul-result').textContent.includes('not the registered owner')",
    )
    page.click("#lang")
    assert (
        len(demo.call("GET", f"{UNLOCK}/requests/mine", citizen).json()) == before
    )  # nothing stored
    page.close()


def test_below_l2_the_page_points_to_identity(demo, browser) -> None:  # type: ignore[no-untyped-def]
    volunteer = demo.token("volunteer")
    if demo.call("GET", "/trust/identity/me", volunteer).json()["level"] >= 2:
        pytest.skip("the volunteer was verified by another test on this demo")
    page = new_page(browser, **PHONE)
    login(page, demo, "volunteer")
    page.goto(demo.url + "/#unlock")
    page.wait_for_selector("#ul-level a.identity-link[href='#identity']")
    page.fill(f"{FORM} input[name=lon]", "109.78")
    page.fill(f"{FORM} input[name=lat]", "39.6")
    _ask(page, "home", "150602001004")
    page.wait_for_selector("#ul-result a.identity-link[href='#identity']")
    page.close()
