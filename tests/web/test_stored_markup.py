"""Stored text is shown as text: markup saved in every free-text field the command centre shows
runs nothing and appears literally, in real Chromium against a demo server of its own (the
markup stays out of the other browser tests). Once with the Content-Security-Policy bypassed,
so the pages themselves are what keeps it text; once enforced, which also shows the policy
refuses nothing the UI does in normal use."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from tests.helpers import FOUNTAIN
from tests.web.browser import login, new_page, wait_until
from tests.web.conftest import Demo, running_demo

pytestmark = pytest.mark.timeout(420)

IMG = "<img src=x onerror=alert(1)>"  # runs if parsed as HTML (and loads /x)
SCRIPT = "<script>alert(2)</script>"
SVG = "<svg onload=alert(3)>"
GUARDIAN_ID = "11010519491231002X"
IMEI = "490154203237518"
PHONE = "13800138000"
LON, LAT = FOUNTAIN

# Chrome reports a violation on the console; the listener makes sure each one is seen there.
REPORT_VIOLATIONS = """document.addEventListener("securitypolicyviolation", (e) =>
  console.error(`Content Security Policy violation: ${e.violatedDirective} ${e.blockedURI}`));"""


@dataclass
class Stored:
    """What the fixture saved through the API, by where the page shows it."""

    foot: dict
    car: dict
    camera: dict
    handled: dict  # a citizen's incident, dispatched to `foot` and resolved
    waiting: dict  # an incident dispatched to `car`
    handled_notes: list[str]  # the dispatcher's note and the outcome, as the timeline has them
    outcome: str
    lost: dict
    found: dict
    missing: dict
    plan: dict


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    with running_demo(tmp_path_factory.mktemp("markup-demo")) as d:
        yield d


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _ok(demo: Demo, token: str, path: str, body: dict | None = None) -> dict:
    r = demo.call("POST", path, token, json=body or {})
    assert r.status_code in (200, 201), f"{path}: {r.text}"
    return r.json()


NEXT = {"dispatched": "acknowledge", "acknowledged": "en-route", "en_route": "on-scene"}


def _on_scene(demo: Demo, token: str, incident_id: int, unit_id: int) -> None:
    """Step the unit to the scene; the simulated officers step it too, so a step already
    taken (409) is fine."""
    for _ in range(20):
        inc = demo.call("GET", f"/incidents/{incident_id}", token).json()
        a = next(x for x in inc["assignments"] if x["unit_id"] == unit_id)
        if a["state"] not in NEXT:
            return
        if NEXT[a["state"]] == "on-scene":  # an arrival is checked against the unit's fix
            fix = {"lon": inc["lon"], "lat": inc["lat"], "at": _now()}
            r = demo.call("PUT", f"/units/{unit_id}/position", token, json=fix)
            assert r.status_code == 200, r.text
        path = f"/incidents/{incident_id}/units/{unit_id}/{NEXT[a['state']]}"
        r = demo.call("POST", path, token, json={})
        assert r.status_code in (200, 409), r.text
    pytest.fail("the unit did not reach the scene")


@pytest.fixture(scope="module")
def stored(demo: Demo) -> Stored:
    citizen, officer = demo.token("citizen"), demo.token("officer")
    dispatcher, commander = demo.token("dispatcher"), demo.token("commander")
    unit = {"on_duty": True, "crew_size": 2}
    foot = _ok(demo, commander, "/units", {**unit, "call_sign": f"{IMG}步", "kind": "foot_patrol",
                                           "post_lon": LON + 0.001, "post_lat": LAT})  # fmt: skip
    car = _ok(demo, commander, "/units", {**unit, "call_sign": f"{SCRIPT}车", "kind": "patrol_car",
                                          "post_lon": LON - 0.001, "post_lat": LAT})  # fmt: skip
    camera = _ok(demo, commander, "/video/cameras", {
        "code": f"{SVG}C", "name": f"{IMG}摄像机", "lon": LON, "lat": LAT + 0.001,
        "source": "/nonexistent/frame.jpg", "frame_width": 640, "frame_height": 480,
        "roi": [[0, 0], [640, 0], [640, 480], [0, 480]], "floor_area_m2": 2.5})  # fmt: skip

    handled = _ok(demo, citizen, "/incidents", {
        "type": "disturbance", "summary": f"{SCRIPT}{IMG}喷泉旁争执",
        "address": f"{SVG}喷泉北侧", "lon": LON, "lat": LAT,
        "area_code": "music_fountain", "source": "citizen_app"})  # fmt: skip
    path = f"/incidents/{handled['id']}"
    _ok(demo, dispatcher, f"{path}/dispatch", {"unit_ids": [foot["id"]], "note": f"{IMG}速到"})
    _on_scene(demo, dispatcher, handled["id"], foot["id"])
    outcome = f"{SVG}{SCRIPT}已调解"
    _ok(demo, dispatcher, f"{path}/resolve", {"outcome": outcome})
    timeline = demo.call("GET", path, dispatcher).json()["timeline"]
    notes = [e["note"] for e in timeline if e["note"] and "<" in e["note"]]
    waiting = _ok(demo, commander, "/incidents", {
        "type": "fight", "summary": f"{IMG}两人冲突", "address": f"{SCRIPT}广场南口",
        "lon": LON + 0.0015, "lat": LAT + 0.0015, "source": "call_110"})  # fmt: skip
    _ok(demo, dispatcher, f"/incidents/{waiting['id']}/dispatch", {"unit_ids": [car["id"]]})
    me = demo.call("GET", "/auth/me", officer).json()  # the officer crews the car (its phone)
    _ok(demo, dispatcher, f"/units/{car['id']}/bindings", {"user_id": me["id"]})

    here = {"lon": LON, "lat": LAT, "at": _now(), "category": "phone", "colour": "<img src=x>黑"}
    lost = _ok(demo, citizen, "/services/lost-found/lost", {
        **here, "description": f"{IMG}黑色手机", "brand": f"{SVG}牌",
        "identifiers": {"imei": IMEI}, "place": f"{SCRIPT}长椅",
        "contact_phone": PHONE})["item"]  # fmt: skip
    found = _ok(demo, officer, "/services/lost-found/found", {
        **here, "description": f"{SCRIPT}拾到手机", "place": f"{SVG}喷泉东侧",
        "storage": f"{IMG}失物柜", "holder": f"{IMG}警务亭"})["item"]  # fmt: skip
    missing = _ok(demo, citizen, "/services/missing", {
        "kind": "child", "name": f"{IMG}小明", "age": 6,
        "description": f"{SCRIPT}男孩，蓝色上衣", "clothing": f"{SVG}蓝色上衣",
        "lon": LON, "lat": LAT, "last_seen_at": _now(), "guardian_name": f"{SCRIPT}王女士",
        "guardian_phone": PHONE, "guardian_id_number": GUARDIAN_ID})  # fmt: skip

    zone = demo.call("GET", "/catalogue/shifts", commander).json()["timezone"]
    today = datetime.now(ZoneInfo(zone)).date().isoformat()
    plan = _ok(demo, commander, "/deployment/plans",
               {"date": today, "shift": "day", "unit_ids": [foot["id"], car["id"]]})  # fmt: skip
    return Stored(foot, car, camera, handled, waiting, notes, outcome, lost, found, missing, plan)


@dataclass
class Watch:
    """Everything on a page that would mean stored markup ran or the policy got in the way."""

    dialogs: list[str] = field(default_factory=list)
    fetched_x: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)

    def attach(self, page) -> None:  # type: ignore[no-untyped-def]
        page.add_init_script(REPORT_VIOLATIONS)
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        page.on("request", lambda r: r.url.endswith("/x") and self.fetched_x.append(r.url))
        page.on(
            "console",
            lambda m: "Content Security Policy" in m.text and self.violations.append(m.text),
        )

    def assert_clean(self, page, where: str) -> None:  # type: ignore[no-untyped-def]
        page.wait_for_timeout(300)  # an onerror fires once the image load fails
        handlers = page.evaluate("document.querySelectorAll('[onerror],[onload]').length")
        assert (self.dialogs, self.fetched_x, handlers) == ([], [], 0), where
        assert self.violations == [], where


def _page(browser, demo: Demo, role: str, csp: str):  # type: ignore[no-untyped-def]
    page = new_page(browser, bypass_csp=csp == "bypassed")
    watch = Watch()
    watch.attach(page)
    login(page, demo, role)
    return page, watch


def _shows(page, selector: str, *texts: str) -> None:  # type: ignore[no-untyped-def]
    shown = page.inner_text(selector)
    for text in texts:
        assert text in shown, f"{text!r} not shown literally in {selector}"


AT = """([lon, lat]) => { const hit = [];
  window.pingan.maps.map.eachLayer((l) => {
    const at = l instanceof L.CircleMarker && l.getLatLng();
    if (at && at.lng === lon && at.lat === lat) hit.push(l);
  });
  return hit; }"""


def _click_on_map(page, lonlat: list[float]) -> None:  # type: ignore[no-untyped-def]
    """Click (in Leaflet) what the command map draws at this point, once it is drawn."""
    wait_until(page, f"(p) => ({AT})(p).length > 0", arg=lonlat)
    page.evaluate(f"(p) => ({AT})(p).forEach((l) => l.fire('click'))", lonlat)


def _dispatcher_views(page, demo: Demo, s: Stored, watch: Watch) -> None:  # type: ignore[no-untyped-def]
    page.goto(demo.url + "/#map")
    for kind, key, text in [("units", s.foot["id"], s.foot["call_sign"]),
                            ("incidents", s.waiting["id"], s.waiting["summary"])]:  # fmt: skip
        marker = f"window.pingan.markers.{kind}.get({key})"
        wait_until(page, f"Boolean({marker})")
        page.evaluate(f"{marker}.fire('click')")
        _shows(page, "#map-detail", text)
    _click_on_map(page, [s.camera["lon"], s.camera["lat"]])
    _shows(page, "#map-detail", s.camera["code"], s.camera["name"])
    watch.assert_clean(page, "command map")

    page.goto(demo.url + f"/#queue/{s.handled['id']}")
    page.wait_for_selector(f'#queue tr[data-id="{s.handled["id"]}"]')
    page.wait_for_selector("#timeline li")
    _shows(page, "#queue", s.handled["summary"], s.waiting["summary"])
    _shows(page, "#incident-detail", s.handled["summary"], s.handled["address"])
    _shows(page, "#incident-detail", s.foot["call_sign"], *s.handled_notes)
    watch.assert_clean(page, "incident queue")

    page.goto(demo.url + "/#board")
    page.wait_for_selector(f'#board tr[data-unit="{s.foot["id"]}"]')
    _shows(page, "#board", s.foot["call_sign"])
    watch.assert_clean(page, "unit status board")

    page.goto(demo.url + "/#deploy")
    page.wait_for_selector("#deploy-plan")
    page.select_option("#deploy-plan", str(s.plan["id"]))
    page.wait_for_selector(f'#deploy-map[data-plan="{s.plan["id"]}"]')
    opened = page.evaluate(
        """() => { let n = 0; window.pingan.maps["deploy-map"].eachLayer((l) => {
             if (l.getTooltip && l.getTooltip()) { l.openTooltip(); n++; } }); return n; }"""
    )
    posted = {p["call_sign"] for p in s.plan["posts"]}
    assert opened >= len(posted) >= 1
    _shows(page, "#deploy-map .leaflet-tooltip-pane", *posted)
    unplaced = [u["call_sign"] for u in s.plan["detail"].get("unplaced", [])]
    if unplaced:
        _shows(page, "#deploy-unplaced", *unplaced)
    watch.assert_clean(page, "deployment")


def _officer_view(page, demo: Demo, s: Stored, watch: Watch) -> None:  # type: ignore[no-untyped-def]
    page.goto(demo.url + "/#officer")
    page.wait_for_selector(f'#assignments .assignment[data-incident="{s.waiting["id"]}"]')
    _shows(page, "#assignments", s.waiting["summary"], s.waiting["address"], s.car["call_sign"])
    _shows(page, "#my-units", s.car["call_sign"])
    watch.assert_clean(page, "officer")


def _citizen_view(page, s: Stored, watch: Watch) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_selector(f'#my-cases li[data-case="{s.lost["case_number"]}"]')
    page.wait_for_selector(f'#found-listing li[data-case="{s.found["case_number"]}"]')
    _shows(page, "#my-cases", s.lost["description"], s.lost["colour"], s.missing["name"])
    _shows(page, f'#my-cases li[data-case="{s.handled["case_number"]}"]', s.outcome)
    _shows(page, "#found-listing", s.found["description"], s.found["colour"])
    _shows(page, "#found-listing", s.found["place"], s.found["storage"])
    watch.assert_clean(page, "citizen")


@pytest.mark.parametrize("csp", ["bypassed", "enforced"])
def test_stored_markup_shows_as_text_and_runs_nothing(
    demo, browser, stored: Stored, csp: str
) -> None:  # type: ignore[no-untyped-def]
    page, watch = _page(browser, demo, "dispatcher", csp)
    _dispatcher_views(page, demo, stored, watch)
    page.close()
    page, watch = _page(browser, demo, "officer", csp)
    _officer_view(page, demo, stored, watch)
    page.close()
    page, watch = _page(browser, demo, "citizen", csp)
    _citizen_view(page, stored, watch)
    page.close()


def test_the_policy_refuses_nothing_in_normal_use(demo, browser, stored: Stored) -> None:  # type: ignore[no-untyped-def]
    """Every commander view, the charts' tooltips, the other language and the API docs under
    the enforced policy: no violation reported, nothing run."""
    page, watch = _page(browser, demo, "commander", "enforced")
    for view, ready in [("map", "#legend span"), ("queue", "#queue tbody tr"),
                        ("board", "#board tbody tr"), ("crowd", "#crowd-chart canvas"),
                        ("kpi", "#kpi-chart canvas"),
                        ("deploy", "#deploy-chart canvas")]:  # fmt: skip
        page.goto(f"{demo.url}/#{view}")
        page.wait_for_selector(ready)
        if view in ("crowd", "kpi", "deploy"):
            chart = page.locator(ready)
            box = chart.bounding_box()
            assert box is not None
            for fx in (0.3, 0.5, 0.7):  # over the bars / lines: ECharts draws its tooltip
                page.mouse.move(box["x"] + box["width"] * fx, box["y"] + box["height"] * 0.6)
                page.wait_for_timeout(200)
        watch.assert_clean(page, view)
    page.click("#lang")
    wait_until(page, "document.documentElement.lang === 'en'")
    watch.assert_clean(page, "English")
    page.click("#lang")
    page.goto(demo.url + "/api/docs")
    page.wait_for_selector(".swagger-ui .info .title")
    page.click(".opblock-summary >> nth=0")  # one operation opened
    page.wait_for_timeout(300)
    watch.assert_clean(page, "api docs")
    page.close()
