"""The incident queue's live columns and dispatch alarm, the detail after dispatch (more units
only through a confirmed "send more"), and the unit status board, in headless Chromium."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.helpers import FOUNTAIN
from tests.web.browser import login, new_page, wait_until

pytestmark = pytest.mark.timeout(180)


def _report(demo, token: str, summary: str, **extra) -> dict:  # type: ignore[no-untyped-def]
    body = {"type": "disturbance", "summary": summary, "lon": FOUNTAIN[0], "lat": FOUNTAIN[1],
            "area_code": "music_fountain", "source": "call_110", **extra}  # fmt: skip
    r = demo.call("POST", "/incidents", token, json=body)
    assert r.status_code == 201, r.text
    return r.json()


def _held(demo, token: str, incident_id: int) -> list[int]:
    detail = demo.call("GET", f"/incidents/{incident_id}", token).json()
    return [a["unit_id"] for a in detail["assignments"] if not a["released_at"]]


def _free_unit(demo, token: str) -> dict:
    listed = demo.call("GET", "/units?status=available&limit=500", token).json()["items"]
    units = [u for u in listed if u["kind"] != "locksmith"]  # the filed locksmith is no police
    assert units, "the demo has no free unit left"
    return units[-1]


def test_queue_columns_wait_and_dispatch_alarm(demo, browser, shots: Path) -> None:  # type: ignore[no-untyped-def]
    """Waiting time ticks without refetching, the area is the key area's name or the street,
    the units column names call signs with their states, a call past its dispatch target is
    marked and counted, case numbers stay on one line at desktop width."""
    commander = demo.token("commander")
    targets = demo.call("GET", "/catalogue/dispatch-targets", commander).json()
    # received well before now: past its dispatch target however the day's clock reads
    late_at = datetime.now(UTC) - timedelta(seconds=targets["2"] + 120)
    late = _report(demo, commander, "队列测试：超时未派", priority=2,
                   received_at=late_at.isoformat())  # fmt: skip
    calm = _report(demo, commander, "队列测试：街面求助", priority=4, area_code=None,
                   address="康巴什大街与鄂尔多斯大街交叉口", type="car_finding")  # fmt: skip
    sent = _report(demo, commander, "队列测试：已派警")
    unit = _free_unit(demo, commander)
    r = demo.call("POST", f"/incidents/{sent['id']}/dispatch", commander,
                  json={"unit_ids": [unit["id"]]})  # fmt: skip
    assert r.status_code == 200, r.text
    fountain = next(
        a
        for a in demo.call("GET", "/crowd/areas", commander).json()
        if a["area_code"] == "music_fountain"
    )

    page = new_page(browser)  # 1400 px wide
    login(page, demo, "dispatcher")
    page.goto(demo.url + "/#queue")
    row = f'#queue tr[data-id="{late["id"]}"]'
    page.wait_for_selector(f"{row}.undispatched.overdue")
    wait_until(page, "!document.querySelector('#queue-alarm').hidden")
    count = int(page.get_attribute("#queue-alarm", "data-count"))
    assert count >= 1 and str(count) in page.inner_text("#queue-alarm")
    assert "超时未派" in page.inner_text("#queue-alarm")

    calm_row = f'#queue tr[data-id="{calm["id"]}"]'
    page.wait_for_selector(calm_row)
    assert "overdue" not in page.get_attribute(calm_row, "class")  # 15 minutes for service calls
    assert "undispatched" in page.get_attribute(calm_row, "class")
    assert page.inner_text(f"{calm_row} td.area") == "康巴什大街与鄂尔多斯大街交叉口"
    assert page.inner_text(f"{row} td.area") == fountain["name_zh"]
    assert page.inner_text(f"{row} td.state") == "待派警"

    # the wait ticks each second with no request for incidents
    fetched: list[str] = []
    page.on("request", lambda req: fetched.append(req.url) if "/incidents" in req.url else None)
    first = page.inner_text(f"{row} td.wait .since")
    page.wait_for_timeout(2200)
    assert page.inner_text(f"{row} td.wait .since") != first
    assert fetched == []
    minutes = int(first.split(":")[0])
    assert minutes >= (targets["2"] + 120) // 60  # counted from the call, not from page load

    # the dispatched call names its unit by call sign, with the assignment's state in words
    chip = page.wait_for_selector(
        f'#queue tr[data-id="{sent["id"]}"] .chip[data-unit="{unit["id"]}"]'
    )
    assert chip.inner_text().startswith(unit["call_sign"]) and "已派" in chip.inner_text()
    assert "undispatched" not in page.get_attribute(f'#queue tr[data-id="{sent["id"]}"]', "class")

    wrapped = page.evaluate("""[...document.querySelectorAll('#queue td.case')].filter((td) => {
        const r = document.createRange(); r.selectNodeContents(td);
        return r.getClientRects().length > 1; }).length""")
    assert wrapped == 0
    page.screenshot(path=shots / "queue-alarm.png")

    # a language switch re-labels the rows already shown
    page.click("#lang")
    wait_until(
        page, f"document.querySelector('{row} td.state').textContent === 'awaiting dispatch'"
    )
    assert "past the dispatch target" in page.inner_text("#queue-alarm")
    assert page.inner_text(f"{row} td.area") == fountain["name_en"]
    page.click("#lang")
    page.close()


def test_more_units_only_through_a_confirmed_send_more(demo, browser) -> None:  # type: ignore[no-untyped-def]
    """After the first dispatch the detail lists what is assigned and offers no ticked
    recommendation: more units take "send more", a tick, and a confirmation naming them."""
    commander = demo.token("commander")
    # two foot patrols of its own at the fountain: earlier tests leave the demo's units there
    # on their calls (nobody clears them), and this one needs a first pick and a second
    for call_sign in ("增派-甲", "增派-乙"):
        body = {"call_sign": call_sign, "kind": "foot_patrol", "on_duty": True, "crew_size": 2,
                "post_lon": FOUNTAIN[0], "post_lat": FOUNTAIN[1]}  # fmt: skip
        r = demo.call("POST", "/units", commander, json=body)
        assert r.status_code == 201, r.text
    # (a fight at priority 1 is sent by auto-dispatch: a dispute waits for the dispatcher)
    incident = _report(demo, commander, "增派测试：摊主与游客争执升级")
    page = new_page(browser)
    login(page, demo, "dispatcher")
    page.goto(f"{demo.url}/#queue/{incident['id']}")
    page.wait_for_selector("#dispatch-btn")
    boxes = page.locator("#recommendation input[type=checkbox]")
    assert boxes.count() >= 1
    assert boxes.count() == page.locator("#recommendation input:checked").count()  # first: ticked
    for i in range(1, boxes.count()):  # send only the first pick
        boxes.nth(i).uncheck()
    page.click("#dispatch-btn")
    page.wait_for_selector("#assigned tbody tr")
    first = _held(demo, commander, incident["id"])
    assert len(first) == 1
    call_sign = demo.call("GET", f"/units/{first[0]}", commander).json()["call_sign"]
    assert page.inner_text("#assigned tbody tr td:first-child") == call_sign
    assert "已派" in page.inner_text("#assigned tbody tr")

    # nothing ticked, no dispatch button: clicking where it was cannot send anyone
    assert page.locator("#dispatch-btn").count() == 0
    assert page.locator("#incident-detail input[type=checkbox]").count() == 0
    page.click("#reinforce-btn")
    page.wait_for_selector("#recommendation input[type=checkbox]")
    assert page.locator("#recommendation input[type=checkbox]:checked").count() == 0
    page.click("#reinforce-send")
    assert "请先勾选" in page.inner_text("#act-error")
    assert _held(demo, commander, incident["id"]) == first

    extra = page.locator("#recommendation input[type=checkbox]").first
    extra_id = int(extra.get_attribute("value"))
    extra_sign = demo.call("GET", f"/units/{extra_id}", commander).json()["call_sign"]
    extra.check()
    page.click("#reinforce-send")
    page.wait_for_selector("#reinforce-confirm:not([hidden])")
    assert extra_sign in page.inner_text("#reinforce-names")
    assert incident["case_number"] in page.inner_text("#reinforce-confirm")
    assert _held(demo, commander, incident["id"]) == first  # asking is not sending
    page.click("#reinforce-no")
    assert page.locator("#reinforce-confirm").is_hidden()
    page.click("#reinforce-send")
    page.click("#reinforce-yes")
    wait_until(page, "document.querySelectorAll('#assigned tbody tr').length === 2")
    assert sorted(_held(demo, commander, incident["id"])) == sorted([*first, extra_id])
    assert page.locator("#incident-detail input[type=checkbox]").count() == 0  # closed again
    assert page.locator("#reinforce-btn").count() == 1
    page.close()


def test_unit_status_board_filters_sorts_and_follows_a_change(demo, browser, shots: Path) -> None:  # type: ignore[no-untyped-def]
    commander = demo.token("commander")
    page = new_page(browser)
    login(page, demo, "auditor")
    assert page.locator('#nav a[data-view="board"]').inner_text() == "警力状态"
    page.click('#nav a[data-view="board"]')
    page.wait_for_selector("#board tbody tr")
    total = demo.call("GET", "/units?limit=500", commander).json()["total"]
    wait_until(page, f"document.querySelectorAll('#board tbody tr').length === {total}")
    headers = page.locator("#board thead th").all_inner_texts()
    assert [h.rstrip(" ▲▼") for h in headers] == [
        "类型",
        "呼号",
        "状态",
        "状态时长",
        "警情",
        "定位时长",
    ]

    # filters: kind, then status too
    kinds = page.eval_on_selector_all("#board-kind option", "os => os.map(o => o.value)")
    kind = next(k for k in kinds if k)
    page.select_option("#board-kind", kind)
    shown = page.eval_on_selector_all("#board tbody tr", "rs => rs.map(r => r.dataset.kind)")
    assert shown and set(shown) == {kind}
    assert "_" not in page.inner_text("#board-kind")  # kinds in words, not codes
    page.select_option("#board-kind", "")
    page.select_option("#board-status", "available")
    statuses = page.eval_on_selector_all("#board tbody tr", "rs => rs.map(r => r.dataset.status)")
    assert statuses and set(statuses) == {"available"}
    assert set(page.locator("#board tbody tr td:nth-child(3)").all_inner_texts()) == {"空闲"}
    page.select_option("#board-status", "")

    # sorting by call sign (the board opens sorted so), both ways, from the heading's button
    signs = page.locator("#board tbody tr td:nth-child(2)").all_inner_texts()
    order = page.evaluate("(s) => [...s].sort((a, b) => a.localeCompare(b))", signs)
    assert signs == order
    page.click('#board th[data-sort="call_sign"] button')
    assert page.get_attribute('#board th[data-sort="call_sign"]', "aria-sort") == "descending"
    assert page.locator("#board tbody tr td:nth-child(2)").all_inner_texts() == order[::-1]
    page.click('#board th[data-sort="status"] button')
    statuses = page.eval_on_selector_all("#board tbody tr", "rs => rs.map(r => r.dataset.status)")
    rank = ["available", "dispatched", "en_route", "on_scene", "off_duty"]
    assert statuses == sorted(statuses, key=rank.index)

    # a unit sent to an incident turns up dispatched, on that incident, its clock restarted
    unit = _free_unit(demo, commander)
    incident = _report(demo, commander, "状态板测试")
    r = demo.call("POST", f"/incidents/{incident['id']}/dispatch", commander,
                  json={"unit_ids": [unit["id"]]})  # fmt: skip
    assert r.status_code == 200, r.text
    row = f'#board tr[data-unit="{unit["id"]}"]'
    page.wait_for_selector(f'{row}:not([data-status="available"]) a.case', timeout=10_000)
    assert page.inner_text(f"{row} a.case") == incident["case_number"]
    assert page.inner_text(f"{row} td:nth-child(3)") in ("已派", "途中", "到场")
    in_status = page.inner_text(f"{row} td:nth-child(4)")
    assert in_status.startswith("0:"), in_status  # counted from the change, not from login
    page.screenshot(path=shots / "units-board.png")

    # its case number opens the incident in the queue
    page.click(f"{row} a.case")
    page.wait_for_selector(f"#incident-detail h2:has-text('{incident['case_number']}')")
    assert page.url.endswith(f"#queue/{incident['id']}")

    # the board in English: headers, statuses and the filter's words
    page.click('#nav a[data-view="board"]')
    page.click("#lang")
    wait_until(
        page,
        "document.querySelector('#board th[data-sort=call_sign]').textContent"
        ".startsWith('Call sign')",
    )
    assert page.inner_text("#board-status option[value=off_duty]") == "Off duty"
    assert page.inner_text("#board-status option[value='']") == "All statuses"
    page.click("#lang")
    page.close()
