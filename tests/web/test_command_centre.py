"""The command centre in real headless Chromium against a real `pingan demo` server."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import FOUNTAIN

pytestmark = pytest.mark.timeout(180)
SCALE = 0.6  # screenshots at 60 %: small PNGs for the artifacts and docs/screenshots


def _page(browser, width: int = 1400, height: int = 860):  # type: ignore[no-untyped-def]
    return browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=SCALE)


def _login(page, demo, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(demo.url + "/")
    page.fill("#login-form input[name=username]", username)
    page.fill("#login-form input[name=password]", demo.passwords[username])
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#nav a")


def _report(demo, token: str, summary: str) -> dict:  # type: ignore[no-untyped-def]
    r = demo.call(
        "POST",
        "/incidents",
        token,
        json={"type": "disturbance", "summary": summary, "lon": FOUNTAIN[0],
              "lat": FOUNTAIN[1], "area_code": "music_fountain", "source": "call_110"},
    )  # fmt: skip
    assert r.status_code == 201, r.text
    return r.json()


def _responded(page, expect: int | None = None) -> int:  # type: ignore[no-untyped-def]
    """The KPI board's "responded today" tile, freshly loaded (waiting for `expect`)."""
    base = page.url.split("#")[0]
    tile = '[data-kpi="responded"] .v'
    for _ in range(20):
        loads = page.evaluate("Number(document.querySelector('#kpi-tiles').dataset.loads || 0)")
        page.goto(base + "#map")
        page.goto(base + "#kpi")
        page.wait_for_function(
            f"Number(document.querySelector('#kpi-tiles').dataset.loads || 0) > {loads}"
        )
        value = int(page.inner_text(tile))
        if expect is None or value == expect:
            return value
        page.wait_for_timeout(500)
    return value


def test_dispatch_an_incident_live(demo, browser, shots: Path) -> None:  # type: ignore[no-untyped-def]
    """Log in, watch an incident arrive live, dispatch it, see the unit move and the KPI change."""
    page = _page(browser)
    _login(page, demo, "dispatcher")
    page.wait_for_selector("#live.ok")  # the live feed is connected
    page.wait_for_timeout(1500)  # roads and units drawn
    page.screenshot(path=shots / "map.png")
    before = _responded(page)
    page.screenshot(path=shots / "kpi.png")

    page.goto(demo.url + "/#queue")
    commander = demo.token("commander")
    incident = _report(demo, commander, "音乐喷泉北侧游客与摊主发生争执")
    row = page.wait_for_selector(f'#queue tr:has-text("{incident["case_number"]}")', timeout=10_000)
    row.click()
    page.wait_for_selector("#dispatch-btn")
    reasons = page.inner_text("#recommendation")
    assert "预计到达" in reasons  # the recommendation shows its ETA and reasons
    page.screenshot(path=shots / "queue.png")
    page.click("#dispatch-btn")
    page.wait_for_selector("#timeline li:has-text('已派警')", timeout=10_000)
    detail = demo.call("GET", f"/incidents/{incident['id']}", commander).json()
    unit_id = detail["assignments"][0]["unit_id"]
    start = page.evaluate(f"(() => {{ const u = window.pingan.state.units.get({unit_id}); "
                          f"return [u.lon ?? u.post_lon, u.lat ?? u.post_lat]; }})()")  # fmt: skip

    # the crew acknowledges in the UI; the simulated crew sets off and drives along the road
    page.click("#incident-detail button:has-text('签收')")
    page.wait_for_function(
        f"""(() => {{ const u = window.pingan.state.units.get({unit_id});
            return u && u.lon != null && (u.lon !== {start[0]} || u.lat !== {start[1]}); }})()""",
        timeout=20_000,
    )
    page.goto(demo.url + "/#map")
    page.wait_for_timeout(500)
    page.screenshot(path=shots / "map-moving.png")

    officer = demo.token("officer")
    r = demo.call("POST", f"/incidents/{incident['id']}/units/{unit_id}/on-scene", officer, json={})
    now = demo.call("GET", f"/incidents/{incident['id']}", officer).json()
    assert r.status_code == 200 or now["on_scene_at"], r.text  # or the crew got there first
    assert _responded(page, expect=before + 1) == before + 1
    page.close()


def test_live_feed_resumes_without_gaps_or_duplicates(demo, browser) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    _login(page, demo, "commander")
    page.goto(demo.url + "/#queue")
    page.wait_for_selector("#live.ok")
    reconnects = page.evaluate("window.pingan.live.stats.reconnects")
    page.evaluate("window.pingan.dropLive()")
    incident = _report(demo, demo.token("dispatcher"), "断线期间的新警情")
    page.wait_for_selector(f'#queue tr:has-text("{incident["case_number"]}")', timeout=15_000)
    assert page.locator(f'#queue tr:has-text("{incident["case_number"]}")').count() == 1
    assert page.evaluate("window.pingan.live.stats.reconnects") > reconnects
    page.close()


def test_citizen_reports_and_follows_a_case(demo, browser, shots: Path) -> None:  # type: ignore[no-untyped-def]
    page = _page(browser, 400, 820)
    _login(page, demo, "citizen")
    form = page.wait_for_selector("#citizen-form")
    page.click("#citizen-form button[type=submit]")  # empty: every field says why, in Chinese
    assert page.inner_text('[data-for="type"]') == "此项必填"
    assert "至少填写5个字" in page.inner_text('[data-for="summary"]')
    page.select_option("#citizen-form select[name=type]", "lost_item")
    page.select_option("#citizen-form select[name=area_code]", "music_fountain")
    page.fill("#citizen-form textarea[name=summary]", "在音乐喷泉南侧丢失黑色双肩包一个")
    page.fill("#citizen-form input[name=reporter_phone]", "12345")
    page.click("#citizen-form button[type=submit]")
    assert page.inner_text('[data-for="reporter_phone"]') == "请填写11位手机号码"

    # the session expires with the form half-filled: back to login, nothing lost
    token = page.evaluate("sessionStorage.getItem('pingan.token')")
    assert demo.call("POST", "/auth/logout", token).status_code in (200, 204)
    page.fill("#citizen-form input[name=reporter_phone]", "13800138000")
    page.click("#citizen-form button[type=submit]")
    page.wait_for_selector("#login-note:not([hidden])")
    assert "登录已过期" in page.inner_text("#login-note")
    page.fill("#login-form input[name=username]", "citizen")
    page.fill("#login-form input[name=password]", demo.passwords["citizen"])
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#view-citizen:not([hidden])")
    kept = page.input_value("#citizen-form textarea[name=summary]")
    assert kept == "在音乐喷泉南侧丢失黑色双肩包一个"

    page.click("#citizen-form button[type=submit]")
    page.wait_for_selector("#citizen-result:has-text('已提交')")
    case = page.inner_text("#citizen-result").split()[-1]
    page.wait_for_selector(f'#my-cases li[data-case="{case}"]')
    assert form is not None
    page.screenshot(path=shots / "citizen.png")
    page.close()


def test_views_and_map_frame_time(demo, browser, shots: Path) -> None:  # type: ignore[no-untyped-def]
    """Screens of the other views, and the map's frame time with 500 units and 200 incidents."""
    page = _page(browser)
    _login(page, demo, "commander")
    for view, ready in (("crowd", "#crowd-table tbody tr"), ("deploy", "#deploy-body *")):
        page.goto(f"{demo.url}/#{view}")
        page.wait_for_selector(ready)
        page.wait_for_timeout(800)
        page.screenshot(path=shots / f"{view}.png")
    page.close()
    page = browser.new_page(viewport={"width": 1400, "height": 860})  # full scale for timing
    _login(page, demo, "commander")
    page.goto(demo.url + "/#map")
    page.wait_for_selector("#live.ok")
    page.wait_for_timeout(1000)
    result = page.evaluate("window.pingan.stress(500, 200, 5)")
    print(f"\nmap frame time, 500 units + 200 incidents updated every second: {result}")
    assert result["frames"] > 0
    page.close()

    phone = _page(browser, 390, 800)
    _login(phone, demo, "officer")
    phone.wait_for_selector("#view-officer:not([hidden])")
    phone.wait_for_timeout(800)
    phone.screenshot(path=shots / "officer.png")
    phone.close()
