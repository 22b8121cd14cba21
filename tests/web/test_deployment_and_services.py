"""The deployment view and the KPI board's help-service tiles, in real Chromium against a real
`pingan demo` server; every figure checked against the API it comes from."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest

from tests.helpers import FOUNTAIN
from tests.web.browser import login, new_page

pytestmark = pytest.mark.timeout(240)
GUARDIAN_ID = "11010519491231002X"  # a valid GB 11643 number (check character X)
IMEI = "490154203237518"  # passes the Luhn check
PHONE = "13800138000"
PLATE = "蒙K85123"


def _pct(share: float) -> str:
    return f"{round(share * 100)}%"  # as the page shows it (core.js pct)


def _number(text: str | None) -> float | None:
    """A tile's data-* value: a number, or "-" where the API gave none."""
    return None if text in (None, "-") else float(text)


def _now() -> str:
    return datetime.now(UTC).isoformat()


def test_deployment_view_draws_a_plan_and_a_replan(demo, browser, shots: Path) -> None:  # type: ignore[no-untyped-def]
    commander = demo.token("commander")
    page = new_page(browser)
    login(page, demo, "commander")
    listed = demo.call("GET", "/deployment/plans", commander).json()
    if listed["total"] == 0:  # no plan yet: the view says so and offers to make one
        page.goto(demo.url + "/#deploy")
        page.wait_for_selector("#deploy-none")
        assert page.locator("#make-plan button[type=submit]").count() == 1

    shifts = demo.call("GET", "/catalogue/shifts", commander).json()
    today = datetime.now(ZoneInfo(shifts["timezone"])).date().isoformat()
    r = demo.call("POST", "/deployment/plans", commander, json={"date": today, "shift": "day"})
    assert r.status_code == 201, r.text
    plan = r.json()
    geo = demo.call("GET", f"/deployment/plans/{plan['id']}/geojson", commander).json()
    posts = [f for f in geo["features"] if f["properties"]["kind"] == "post"]
    loops = [f for f in geo["features"] if f["properties"]["kind"] == "patrol_loop"]
    assert posts

    page.goto(demo.url + "/#map")
    page.goto(demo.url + "/#deploy")
    page.wait_for_selector("#deploy-plan")
    page.select_option("#deploy-plan", str(plan["id"]))
    page.wait_for_selector(f'#deploy-map[data-plan="{plan["id"]}"]')
    assert int(page.get_attribute("#deploy-map", "data-posts")) == len(posts)
    assert int(page.get_attribute("#deploy-map", "data-loops")) == len(loops)
    legend = {
        e.get_attribute("data-kind"): int(e.inner_text().split()[-1])
        for e in page.query_selector_all("#deploy-legend span[data-kind]")
    }
    by_kind: dict[str, int] = {}
    for p in plan["posts"]:
        by_kind[p["unit_kind"]] = by_kind.get(p["unit_kind"], 0) + 1
    assert legend == by_kind  # posts drawn by unit type
    for tier, share in plan["coverage"].items():
        assert page.inner_text(f'#deploy-coverage td[data-tier="{tier}"]') == _pct(share)
    for tier, share in plan["expected_coverage"].items():  # with busy units, labelled apart
        assert page.inner_text(f'#deploy-coverage td[data-expected="{tier}"]') == _pct(share)
    assert "期望覆盖" in page.inner_text("#deploy-coverage thead")
    assert page.inner_text("#plan-status") == "草案"
    assert page.locator("#deploy-chart canvas").count() == 1
    assert page.get_attribute('a[data-export="PDF"]', "href").endswith(
        f"/plans/{plan['id']}/export.pdf"
    )
    with page.expect_download() as dl:
        page.click('a[data-export="CSV"]')
    assert dl.value.suggested_filename == f"deployment-plan-{plan['id']}.csv"

    # crowds surge on the shopping street: re-plan from the page, moving at most two units
    page.select_option("#replan-form select[name=area]", "shopping_street")
    page.fill("#replan-form input[name=people]", "20000")
    page.fill("#replan-form input[name=max_moves]", "2")
    page.click("#replan-form button[type=submit]")
    page.wait_for_selector("#replan-moves", timeout=60_000)
    plans = demo.call("GET", "/deployment/plans", commander).json()["items"]
    new = next(p for p in plans if p["based_on_id"] == plan["id"])
    assert page.get_attribute("#deploy-map", "data-plan") == str(new["id"])
    before = new["detail"]["coverage_before"]
    for tier, share in new["coverage"].items():
        assert page.inner_text(f'#deploy-coverage td[data-before="{tier}"]') == _pct(before[tier])
        assert page.inner_text(f'#deploy-coverage td[data-after="{tier}"]').startswith(_pct(share))
    moves = new["detail"]["moves"]
    assert len(moves) <= 2
    assert page.locator("#replan-moves li").count() == len(moves)
    assert int(page.get_attribute("#deploy-map", "data-moved")) == len(moves)
    for m in moves:
        text = page.inner_text(f'#replan-moves li[data-unit="{m["unit_id"]}"]')
        assert m["call_sign"] in text
        # both ends named as people name them (gazetteer names), never a node number
        assert m["from_name_zh"] in text and m["to_name_zh"] in text and "路口 " not in text

    # the commander approves the new version; the page says who
    page.click("#approve-btn")
    page.wait_for_selector("#plan-approver")
    assert "commander" in page.inner_text("#plan-approver")
    assert page.inner_text("#plan-status") == "已批准"
    got = demo.call("GET", f"/deployment/plans/{new['id']}", commander).json()
    assert (got["status"], got["approved_by"]) == ("approved", "commander")
    page.evaluate(
        "window.scrollTo(0, 0); document.querySelector('#view-deploy .side').scrollTop = 0"
    )
    page.wait_for_timeout(500)
    page.screenshot(path=shots / "deploy.png")
    page.close()


def _help_records(demo) -> None:  # type: ignore[no-untyped-def]
    """One of each thing the article counts, made through the help-service APIs."""
    citizen, officer = demo.token("citizen"), demo.token("officer")
    dispatcher, commander = demo.token("dispatcher"), demo.token("commander")
    here = {"lon": FOUNTAIN[0], "lat": FOUNTAIN[1]}
    phone = {"category": "phone", "identifiers": {"imei": IMEI}, "at": _now(), **here}

    def ok(token: str, path: str, body: dict | None = None) -> dict:
        r = demo.call("POST", path, token, json=body or {})
        assert r.status_code in (200, 201), r.text
        return r.json()

    # a lost phone comes back to its owner
    lf = "/services/lost-found"
    lost = ok(citizen, f"{lf}/lost", {**phone, "description": "黑色手机", "contact_phone": PHONE})
    found = ok(
        officer,
        f"{lf}/found",
        {**phone, "description": "拾到黑色手机一部", "holder": "警务亭", "storage": "失物柜"},
    )
    claim = ok(
        citizen,
        f"{lf}/items/{found['item']['id']}/claims",
        {
            "claimant_name": "张先生",
            "identifiers": {"imei": IMEI},
            "lost_item_id": lost["item"]["id"],
        },
    )
    ok(officer, f"{lf}/claims/{claim['id']}/holder-confirm")
    ok(citizen, f"{lf}/claims/{claim['id']}/claimant-confirm")
    # a missing child is found and handed over
    child = {"kind": "child", "name": "小红", "age": 5, "description": "女孩，扎马尾"}
    guardian = {
        "guardian_name": "李女士",
        "guardian_phone": PHONE,
        "guardian_id_number": GUARDIAN_ID,
    }
    report = ok(
        commander, "/services/missing", {**child, **guardian, "last_seen_at": _now(), **here}
    )
    ok(commander, f"/services/missing/{report['id']}/close", {"guardian_id_number": GUARDIAN_ID})
    # a broken-down car is helped
    car = {"vehicle": "白色轿车", "problem": "爆胎", "phone": PHONE, **here}
    bd = ok(citizen, "/services/breakdowns", car)
    ok(dispatcher, f"/services/breakdowns/{bd['id']}/dispatch", {"to": "police"})
    ok(officer, f"/services/breakdowns/{bd['id']}/clear")
    # a parked car is found from the plate reads
    read = {"plate": PLATE, "camera_id": "anpr-fountain-1", "confidence": 0.9, "at": _now(), **here}
    ok(officer, "/services/parking/reads", {"reads": [read]})
    ok(
        officer,
        "/services/parking/find",
        {"plate": PLATE, "reason": "车主求助找车，已核实", **here},
    )


def test_kpi_help_service_tiles_equal_the_stats(demo, browser, shots: Path) -> None:  # type: ignore[no-untyped-def]
    _help_records(demo)
    auditor = demo.token("auditor")
    page = new_page(browser)
    login(page, demo, "commander")
    fields = ["cars_found", "items_returned", "missing_found", "breakdowns_helped"]
    for attempt in range(10):  # figures could move between the page's read and ours: read again
        page.goto(demo.url + "/#map")
        page.goto(demo.url + "/#kpi")
        page.wait_for_selector('[data-kpi="cars_found"]')
        box = "#kpi-tiles"
        periods = {
            "today": page.get_attribute(box, "data-stats-today"),
            "year": page.get_attribute(box, "data-stats-year"),
        }
        stats = {
            k: demo.call("GET", f"/services/stats?since={quote(v)}", auditor).json()
            for k, v in periods.items()
        }
        shown = {
            (f, k): _number(page.get_attribute(f'[data-kpi="{f}"]', f"data-{k}"))
            for f in [*fields, "return_rate", "time_to_return"]
            for k in periods
        }
        expected = {(f, k): stats[k][f] for f in fields for k in periods}
        expected |= {("return_rate", k): stats[k]["return_rate"] for k in periods}
        expected |= {("time_to_return", k): stats[k]["time_to_return_h_median"] for k in periods}
        if shown == expected or attempt == 9:
            break
        page.wait_for_timeout(500)
    assert shown == expected
    for f in fields:  # each figure is there because a record was made above
        assert shown[(f, "today")] >= 1 and shown[(f, "year")] >= shown[(f, "today")]
    assert shown[("return_rate", "today")] is not None
    today = stats["today"]["items_returned"]
    assert page.inner_text('[data-kpi="items_returned"] .v') == str(today)
    page.screenshot(path=shots / "kpi.png")
    page.close()
