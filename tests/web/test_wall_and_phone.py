"""The KPI wall follows the live feed without a reload; the officer's phone shows only its own
units' jobs, confirms a resolved job, and follows the feed without re-reading every incident."""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.helpers import FOUNTAIN
from tests.web.browser import login, new_page, wait_until

pytestmark = pytest.mark.timeout(240)

TILE = "document.querySelector('#kpi-tiles [data-kpi=\"{}\"]')"


def _incident(demo, token: str, summary: str, type_: str = "disturbance") -> dict:  # type: ignore[no-untyped-def]
    r = demo.call(
        "POST",
        "/incidents",
        token,
        json={"type": type_, "summary": summary, "lon": FOUNTAIN[0], "lat": FOUNTAIN[1],
              "area_code": "music_fountain", "source": "call_110"},
    )  # fmt: skip
    assert r.status_code == 201, r.text
    return r.json()


def _by_type(page) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return page.evaluate("JSON.parse(document.querySelector('#kpi-chart').dataset.counts || '{}')")


def _watch(page) -> tuple[list[str], list[str]]:  # type: ignore[no-untyped-def]
    """Requests the page makes and main-frame navigations, from now on."""
    requests: list[str] = []
    navigations: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("framenavigated", lambda f: navigations.append(f.url) if f == page.main_frame else None)
    return requests, navigations


def test_the_wall_follows_the_live_feed_without_a_reload(demo, browser, shots: Path) -> None:  # type: ignore[no-untyped-def]
    page = new_page(browser, 1600, 900)
    login(page, demo, "commander")
    page.goto(demo.url + "/#kpi")
    page.wait_for_selector('#kpi-tiles [data-kpi="incidents"]')
    page.wait_for_selector("#live.ok")
    page.wait_for_selector('#kpi-tiles [data-kpi="breakdowns_helped"]')
    wait_until(page, "document.querySelector('#kpi-chart').dataset.counts !== undefined")
    page.evaluate("window.__same_page = true")
    requests, navigations = _watch(page)
    y_axis = page.evaluate(
        "echarts.getInstanceByDom(document.querySelector('#kpi-chart')).getOption().yAxis[0].minInterval"
    )
    assert y_axis == 1  # counts on whole-number steps

    # a call comes in: today's calls and its type's bar move within 2 s, without a reload
    dispatcher = demo.token("dispatcher")
    before_type = _by_type(page).get("disturbance", 0)
    started = time.monotonic()
    _incident(demo, dispatcher, "大屏测试：音乐喷泉北侧争吵")
    wait_until(page, f"(JSON.parse(document.querySelector('#kpi-chart').dataset.counts)"
                     f".disturbance || 0) > {before_type}", timeout=2000)  # fmt: skip
    assert time.monotonic() - started < 2.0

    # the aggregates read again agree with the reports API for the same day
    commander = demo.token("commander")

    def agreed() -> bool:
        since = page.get_attribute("#kpi-tiers", "data-period-start")
        report = demo.call("GET", f"/reports/response?by=all&since={quote(since)}", commander)
        return (
            int(page.inner_text('[data-kpi="incidents"] .v'))
            == report.json()["rows"][0]["incidents"]
        )

    deadline = time.monotonic() + 10
    while not agreed():
        assert time.monotonic() < deadline, "the wall never agreed with the reports API"
        page.wait_for_timeout(300)

    # a help service: a breakdown cleared shows on its tile within 2 s
    citizen, officer = demo.token("citizen"), demo.token("officer")
    body = {"vehicle": "白色轿车", "problem": "爆胎", "phone": "13800138000",
            "lon": FOUNTAIN[0], "lat": FOUNTAIN[1]}  # fmt: skip
    bd = demo.call("POST", "/services/breakdowns", citizen, json=body).json()
    sent = demo.call(
        "POST", f"/services/breakdowns/{bd['id']}/dispatch", dispatcher, json={"to": "police"}
    )
    assert sent.status_code == 200, sent.text
    helped = int(page.get_attribute('[data-kpi="breakdowns_helped"]', "data-today"))
    started = time.monotonic()
    assert demo.call("POST", f"/services/breakdowns/{bd['id']}/clear", officer).status_code == 200
    wait_until(
        page,
        f"Number({TILE.format('breakdowns_helped')}.dataset.today) > {helped}",
        timeout=2000,
    )
    assert time.monotonic() - started < 2.0

    # a burst of calls: the aggregates are read about once a second, not once per event
    requests.clear()
    started = time.monotonic()
    for n in range(8):
        _incident(demo, dispatcher, f"大屏测试：连续来电 {n}")
    page.wait_for_timeout(3000)
    seconds = time.monotonic() - started
    reads = [u for u in requests if "/reports/response?by=all" in u]
    assert 1 <= len(reads) <= seconds + 2, (len(reads), seconds)

    assert navigations == [] and page.evaluate("window.__same_page === true")  # never reloaded
    page.click("#lang")  # the service names in English too
    wait_until(page, f"{TILE.format('cars_found')}.textContent.startsWith('Car finding')")
    page.click("#lang")
    page.wait_for_selector('#kpi-tiles [data-kpi="cars_found"]:has-text("找车")')
    page.screenshot(path=shots / "kpi-wall.png")
    page.click("#kpi-wall-btn")
    page.wait_for_timeout(300)
    assert page.evaluate("document.body.classList.contains('wall-mode')")
    assert not page.is_visible("header")  # the board alone, in large type
    page.screenshot(path=shots / "kpi-wall-mode.png")
    page.click("#kpi-wall-btn")
    page.close()


def _own_unit(demo) -> tuple[dict, str]:  # type: ignore[no-untyped-def]
    """A fresh unit bound to the demo's officer, standing at the fountain."""
    commander, dispatcher, officer = (demo.token(u) for u in ("commander", "dispatcher", "officer"))
    call_sign = f"巡W{int(time.time() * 1000) % 100000:05d}"
    body = {"call_sign": call_sign, "kind": "patrol_car", "post_lon": FOUNTAIN[0],
            "post_lat": FOUNTAIN[1]}  # fmt: skip
    r = demo.call("POST", "/units", commander, json=body)
    assert r.status_code == 201, r.text
    unit = r.json()
    me = demo.call("GET", "/auth/me", officer).json()
    bound = demo.call(
        "POST", f"/units/{unit['id']}/bindings", dispatcher, json={"user_id": me["id"]}
    )
    assert bound.status_code == 201, bound.text
    here = {"lon": FOUNTAIN[0], "lat": FOUNTAIN[1]}
    assert demo.call("PUT", f"/units/{unit['id']}/position", officer, json=here).status_code == 200
    return unit, call_sign


def _to_the_scene(demo, incident_id: int, unit_id: int) -> None:  # type: ignore[no-untyped-def]
    """Dispatch the unit and bring it on scene through the API (the simulated crew may take a
    step first: either way the job ends on scene)."""
    dispatcher, officer = demo.token("dispatcher"), demo.token("officer")
    sent = demo.call(
        "POST", f"/incidents/{incident_id}/dispatch", dispatcher, json={"unit_ids": [unit_id]}
    )
    assert sent.status_code == 200, sent.text
    for step in ("acknowledge", "en-route", "on-scene"):
        r = demo.call("POST", f"/incidents/{incident_id}/units/{unit_id}/{step}", officer, json={})
        assert r.status_code in (200, 409), r.text
    got = demo.call("GET", f"/incidents/{incident_id}", officer).json()
    assert got["state"] == "on_scene", got["state"]


def test_the_officer_phone_shows_its_own_jobs_and_confirms_a_resolve(
    demo, browser, shots: Path
) -> None:  # type: ignore[no-untyped-def]
    unit, call_sign = _own_unit(demo)
    commander, officer = demo.token("commander"), demo.token("officer")
    phone = new_page(browser, 390, 844)
    login(phone, demo, "officer")
    phone.wait_for_selector("#view-officer:not([hidden])")
    wait_until(phone, f"document.querySelector('#my-units').textContent.includes('{call_sign}')")
    header = phone.evaluate("document.querySelector('header').getBoundingClientRect().height")
    assert header <= 80, header
    assert phone.locator("#view-officer select").count() == 0  # no free choice of a unit
    mine = {u["call_sign"] for u in demo.call("GET", "/units/mine", officer).json()}
    shown = phone.inner_text("#my-units")
    assert call_sign in shown and all(c in shown for c in mine)

    # a job for our unit arrives from the live feed; one for another unit does not
    job = _incident(demo, commander, "手机测试：本单元任务")
    other = _incident(demo, commander, "手机测试：他人任务")
    _to_the_scene(demo, job["id"], unit["id"])
    card = f'#assignments .assignment[data-incident="{job["id"]}"]'
    phone.wait_for_selector(f"{card} button.resolve", timeout=10_000)
    assert phone.locator(f'#assignments [data-incident="{other["id"]}"]').count() == 0
    jobs = {j["id"] for j in demo.call("GET", "/incidents/mine", officer).json()}
    cards = "#assignments .assignment:not(.done)"
    on_page = {int(x) for x in phone.evaluate(
        f"[...document.querySelectorAll('{cards}')].map((c) => c.dataset.incident)")}  # fmt: skip
    assert on_page <= jobs
    phone.screenshot(path=shots / "officer.png")

    # resolving needs an outcome, then stays on screen, marked, until the officer says OK
    phone.click(f"{card} button.resolve")
    assert "处置结果" in phone.inner_text(f"{card} .error")
    phone.fill(f"{card} input.outcome", "双方已调解，现场秩序恢复")
    phone.click(f"{card} button.resolve")
    done = f'#assignments .assignment.done[data-incident="{job["id"]}"]'
    phone.wait_for_selector(done, timeout=10_000)
    assert phone.get_attribute(done, "data-done") == "resolved"
    assert "已反馈" in phone.inner_text(done)
    phone.wait_for_timeout(3000)
    assert phone.locator(done).count() == 1  # still there: the officer saw it
    phone.screenshot(path=shots / "officer-resolved.png")
    phone.click(f"{done} button.dismiss")
    assert phone.locator(f'#assignments [data-incident="{job["id"]}"]').count() == 0
    phone.click("#lang")  # the page in English, redrawn from what it holds
    wait_until(phone, "document.querySelector('#my-units').textContent.startsWith('My units: ')")
    assert "本人警力" not in phone.inner_text("#view-officer")
    phone.click("#lang")
    phone.close()


def test_the_officer_phone_does_not_reread_every_incident_on_each_event(demo, browser) -> None:  # type: ignore[no-untyped-def]
    phone = new_page(browser, 390, 844)
    login(phone, demo, "officer")
    phone.wait_for_selector("#view-officer:not([hidden])")
    phone.wait_for_selector("#live.ok")
    phone.wait_for_timeout(1000)
    requests, _ = _watch(phone)
    events = phone.evaluate("window.pingan.live.stats.events")
    commander = demo.token("commander")
    for n in range(6):  # live events on top of the simulated day's
        _incident(demo, commander, f"手机测试：来电 {n}")
        phone.wait_for_timeout(1500)
    phone.wait_for_timeout(1000)
    assert phone.evaluate("window.pingan.live.stats.events") - events >= 6
    api = [u.split("/api/v1", 1)[1] for u in requests if "/api/v1/" in u]
    details = [u for u in api if u.startswith("/incidents/")]
    assert len(details) <= 2, details  # only a job new to this phone is read in full
    polled = [u for u in api if u.startswith("/units?")]  # unit positions for the map
    assert len(api) - len(polled) <= 4, api
    phone.close()
