"""Online unlock in the browser: the filed locksmith's phone (开锁接单) takes a job from the
demo resident's request, reports its position, is refused a check-in far from the lock, checks
in, sends photos, writes and signs the record; the station's desk (开锁管理) shows a request's
risk flags, accepts a check-in the platform could not confirm, verifies a filed record's three
signatures and seal and downloads it; an officer files a new locksmith and suspends them, whose
phone then says so and whose acts the API refuses. The demo locksmith is left free."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from tests.web.browser import login, new_page, wait_until

pytestmark = pytest.mark.timeout(300)
API = "/trust/unlock"
HOME = "150602001001"  # the demo resident's household (src/pingan/sim/data/trust/README.md)
ELSEWHERE = "150602009999"  # an address they hold no entitlement at: a witness is needed
RESIDENT = {"id_number": "150602198803151027", "name": "刘晓燕"}
PASSWORD = "Correct-horse-9"


def _png(shade: int) -> bytes:
    ok, png = cv2.imencode(".png", np.full((16, 16, 3), shade, dtype=np.uint8))
    assert ok
    return png.tobytes()


def _ok(r, status: int = 200):  # type: ignore[no-untyped-def]
    assert r.status_code == status, r.text
    return r.json()


class Unlock:
    """The API side of the test: the resident, the witness, the demo locksmith."""

    def __init__(self, demo) -> None:  # type: ignore[no-untyped-def]
        self.demo = demo
        self.citizen = demo.token("citizen")
        self.smith = demo.token("locksmith")
        self.volunteer = demo.token("volunteer")
        self.officer = demo.token("officer")

    def call(self, method: str, path: str, token: str, **kw):  # type: ignore[no-untyped-def]
        return self.demo.call(method, path, token, **kw)

    def verify_face(self) -> None:
        """L2 by the face double (docs/trust.md Identity); again after a check-in to sign."""
        _ok(self.call("POST", "/trust/identity/verify", self.citizen, json=RESIDENT))
        r = self.call(
            "POST",
            "/trust/identity/verify",
            self.citizen,
            json={"method": "face", "image_ref": "selfie"},
        )
        assert _ok(r)["level"] >= 2

    def post_point(self) -> tuple[float, float]:
        units = _ok(self.call("GET", "/units?limit=500", self.officer))["items"]
        van = next(u for u in units if u["call_sign"] == "开锁01")
        return van["post_lon"] + 0.0005, van["post_lat"] + 0.0003  # ~50 m from the van's post

    def request(self, target: str, point: tuple[float, float]) -> dict:
        """A request dispatched to the demo locksmith (a witness joins where one is needed)."""
        body = {
            "lock_type": "home",
            "target": target,
            "lon": point[0],
            "lat": point[1],
            "address": "康巴什区示例小区3号楼2单元501",
        }
        req = _ok(self.call("POST", f"{API}/requests", self.citizen, json=body), 201)
        if req["status"] == "awaiting_witness":
            r = self.call(
                "POST",
                f"{API}/requests/{req['id']}/witness",
                self.volunteer,
                json={"kind": "community_worker"},
            )
            req = _ok(r)
        if req["status"] != "dispatched":  # say what the locksmith units were doing
            units = _ok(self.call("GET", "/units?limit=500", self.officer))["items"]
            smiths = [u for u in units if u["kind"] == "locksmith"]
            raise AssertionError(f"not dispatched: {req['status']}; locksmith units: {smiths}")
        return req

    def finish(self, rid: int, point: tuple[float, float]) -> dict:
        """Photos, record and every signature through the API: the locksmith is free again."""
        req = next(
            j
            for j in _ok(self.call("GET", f"{API}/locksmith/me", self.smith))["jobs"]
            if j["id"] == rid
        )
        if req["status"] == "on_site":
            for stage, shade in (("before", 40), ("after", 200)):
                b64 = base64.b64encode(_png(shade)).decode()
                _ok(
                    self.call(
                        "POST",
                        f"{API}/jobs/{rid}/photos",
                        self.smith,
                        json={"stage": stage, "photo_b64": b64},
                    )
                )
            _ok(
                self.call(
                    "POST",
                    f"{API}/jobs/{rid}/record",
                    self.smith,
                    json={"method": "technical", "fee_fen": 6000},
                ),
                201,
            )
        self.verify_face()
        rec = _ok(self.call("POST", f"{API}/requests/{rid}/sign/requester", self.citizen))
        if "witness" in rec["parties"]:
            rec = _ok(self.call("POST", f"{API}/requests/{rid}/sign/witness", self.volunteer))
        if "locksmith" not in rec["signed"]:
            rec = _ok(self.call("POST", f"{API}/jobs/{rid}/sign", self.smith))
        assert rec["filed_at"], rec
        return rec


def _card(rid: int) -> str:
    return f'#ls-jobs [data-request="{rid}"]'


def _wait_status(page, rid: int, status: str) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_selector(f'{_card(rid)}[data-status="{status}"]', timeout=30_000)


def test_locksmith_phone_and_unlock_desk(demo, browser, shots: Path) -> None:  # type: ignore[no-untyped-def]
    ul = Unlock(demo)
    ul.verify_face()
    point = ul.post_point()
    far = (point[0] + 0.012, point[1])  # ~1 km east
    a = ul.request(HOME, point)

    # -- the locksmith's phone: the job, accept, a refused check-in far away, the real one ------
    phone = new_page(
        browser,
        420,
        900,
        geolocation={"longitude": far[0], "latitude": far[1]},
        permissions=["geolocation"],
    )
    errors: list[str] = []
    phone.on("pageerror", lambda e: errors.append(str(e)))
    login(phone, demo, "locksmith")
    phone.wait_for_selector(_card(a["id"]))
    assert phone.inner_text("#ls-filing").count("KS-150602-2026-0001") == 1
    assert "开锁01" in phone.inner_text("#ls-unit")
    # the locksmith's own title, not the control room's, and no store health pill
    assert phone.inner_text("#page-title") == "平安 · 备案开锁"
    assert not phone.is_visible("#health")
    text = phone.inner_text(_card(a["id"]))
    assert "住宅门锁" in text and "已派单" in text and HOME in text
    assert a["id_masked"] in text and "实人认证" in text
    phone.click(f"{_card(a['id'])} button[data-step=accept]")
    _wait_status(phone, a["id"], "accepted")
    phone.click(f"{_card(a['id'])} button[data-step=checkin]")
    wait_until(
        phone,
        "(s) => /距开锁地点 \\d+ 米，超出 [\\d.]+ 米电子围栏/"
        ".test(document.querySelector(s).innerText)",
        _card(a["id"]),
    )
    assert phone.query_selector(f'{_card(a["id"])}[data-status="accepted"]')  # nothing changed
    phone.context.set_geolocation({"longitude": point[0], "latitude": point[1]})
    phone.click("#ls-report")
    wait_until(phone, "document.querySelector('#ls-fix').innerText.includes('位置已上报')")
    assert "米" in phone.inner_text(f"{_card(a['id'])} .ls-distance")
    phone.click(f"{_card(a['id'])} button[data-step=checkin]")
    _wait_status(phone, a["id"], "on_site")
    # -- photos before and after, the record, the signature -------------------------------------
    for stage, shade in (("before", 60), ("after", 180)):
        phone.set_input_files(
            f"{_card(a['id'])} input[data-stage={stage}]",
            files=[{"name": f"{stage}.png", "mimeType": "image/png", "buffer": _png(shade)}],
        )
        phone.wait_for_selector(f"{_card(a['id'])} [data-done={stage}]")
    phone.select_option(f"{_card(a['id'])} select[name=method]", "destructive")
    phone.fill(f"{_card(a['id'])} input[name=fee]", "80.5")
    phone.screenshot(path=str(shots / "trust-locksmith-phone.png"))
    phone.click(f"{_card(a['id'])} .ls-record button[type=submit]")
    _wait_status(phone, a["id"], "signing")
    ul.verify_face()  # the resident verifies again on site, after the check-in, and signs first
    _ok(ul.call("POST", f"{API}/requests/{a['id']}/sign/requester", ul.citizen))
    if a["witness_username"]:  # a flag (a recent incident nearby) may have called a witness
        _ok(ul.call("POST", f"{API}/requests/{a['id']}/sign/witness", ul.volunteer))
    phone.click(f"{_card(a['id'])} button[data-step=sign]")
    phone.wait_for_selector('#ls-jobs [data-done="filed"]')
    record = _ok(ul.call("GET", f"{API}/requests/{a['id']}/record", ul.officer))
    assert record["document"]["record"]["method"] == "destructive"
    assert record["document"]["record"]["fee_fen"] == 8050  # yuan typed, fen sent

    # -- a job whose check-in the platform cannot confirm --------------------------------------
    b = ul.request(ELSEWHERE, point)  # not entitled there: a community worker witnesses
    phone.reload()
    phone.wait_for_selector(_card(b["id"]))
    assert "社区工作人员" in phone.inner_text(_card(b["id"]))
    phone.click(f"{_card(b['id'])} button[data-step=accept]")
    _wait_status(phone, b["id"], "accepted")
    phone.context.set_geolocation({"longitude": far[0], "latitude": far[1]})
    phone.click(f"{_card(b['id'])} button[data-step=checkin]")
    wait_until(phone, "(s) => /超出/.test(document.querySelector(s).innerText)", _card(b["id"]))

    # -- the station's desk: flags, the override, the record verified ---------------------------
    desk = new_page(browser)
    desk.on("pageerror", lambda e: errors.append(str(e)))
    login(desk, demo, "officer")
    desk.click('#nav a[data-view="unlockdesk"]')
    row = f'#ud-requests tr[data-request="{b["id"]}"]'
    desk.wait_for_selector(row)
    assert desk.inner_text(f'{row} [data-flag="not_entitled"]') == "无权属登记"
    assert "社区工作人员（volunteer）" in desk.inner_text(row)
    assert "KS-150602-2026-0001" in desk.inner_text(row)
    desk.click(f"{row} button.case")
    desk.wait_for_selector("#ud-override-form")
    desk.wait_for_selector("#ud-map .leaflet-pane", state="attached")
    desk.click("#ud-use-fix")  # the locksmith's last fix is the far one: refused, in words
    wait_until(desk, "document.querySelector('#ud-override-form input[name=lon]').value !== ''")
    desk.fill("#ud-override-form input[name=reason]", "手机定位漂移，民警现场核实开锁人员在场")
    desk.click("#ud-override-form button[type=submit]")
    wait_until(desk, "/超出/.test(document.querySelector('#ud-override-form .error').innerText)")
    desk.fill("#ud-override-form input[name=lon]", f"{point[0]:.6f}")
    desk.fill("#ud-override-form input[name=lat]", f"{point[1]:.6f}")
    desk.click("#ud-override-form button[type=submit]")
    desk.wait_for_selector('#ud-detail .ud-checkin[data-confirmed-by="override"]')
    assert "民警确认到场（officer：手机定位漂移" in desk.inner_text("#ud-detail .ud-checkin")
    ul.finish(b["id"], point)  # photos, record, three signatures: filed, the locksmith is free
    desk.click("#ud-refresh")
    desk.wait_for_selector("#ud-open-record")
    desk.click("#ud-open-record")
    desk.wait_for_selector("#ud-verdict.ok")
    assert desk.inner_text("#ud-verdict").startswith("验证通过")
    assert desk.eval_on_selector_all(
        "#ud-signatures li", "(l) => l.map((x) => x.dataset.party)"
    ) == ["requester", "locksmith", "witness"]
    assert "SM2" in desk.inner_text("#ud-seal")
    with desk.expect_download() as dl:
        desk.click("#ud-download")
    doc = json.loads(Path(dl.value.path()).read_text("utf-8"))
    assert _ok(ul.call("POST", f"{API}/verify", ul.officer, json={"document": doc}))["ok"] is True
    desk.screenshot(path=str(shots / "trust-unlock-desk.png"))

    # -- file a new locksmith, then suspend them ------------------------------------------------
    admin = demo.token("admin")
    tag = str(int(time.time() * 1000))[-6:]
    user = _ok(
        ul.call(
            "POST",
            "/users",
            admin,
            json={"username": f"smith{tag}", "password": PASSWORD, "role": "locksmith"},
        ),
        201,
    )
    van = _ok(
        ul.call(
            "POST",
            "/units",
            admin,
            json={"call_sign": f"开锁T{tag}", "kind": "locksmith", "on_duty": False},
        ),
        201,
    )
    _ok(ul.call("POST", f"/units/{van['id']}/bindings", admin, json={"user_id": user["id"]}), 201)
    desk.reload()
    desk.wait_for_selector("#ud-file-form select[name=user_id] option >> nth=1", state="attached")
    form = "#ud-file-form"
    desk.fill(f"{form} input[name=filing_number]", f"KS-150602-2026-{tag[-4:]}")
    desk.fill(f"{form} input[name=company]", "康巴什测试锁业")
    desk.fill(f"{form} input[name=certification]", "开锁技术职业技能等级证书（五级）")
    desk.fill(f"{form} input[name=name]", "赵六")
    desk.select_option(f"{form} select[name=user_id]", label=user["username"])
    desk.select_option(f"{form} select[name=unit_id]", label=van["call_sign"])
    desk.click(f"{form} button[type=submit]")  # the clean record not checked: refused here
    assert (
        desk.inner_text(f'{form} .field-error[data-for="clean_record_checked"]')
        == "须先核查本人无犯罪记录"
    )
    desk.check(f"{form} input[name=clean_record_checked]")
    desk.click(f"{form} button[type=submit]")
    new_row = f'#ud-locksmiths tr:has-text("KS-150602-2026-{tag[-4:]}")'
    desk.wait_for_selector(f'{new_row}[data-status="active"]')
    desk.click(f"{new_row} button[data-step=suspended]")
    desk.fill(f"{new_row} input[name=reason]", "群众投诉，核查期间停用")
    desk.click(f"{new_row} button[data-step=confirm]")
    desk.wait_for_selector(f'{new_row}[data-status="suspended"]')
    # English: the desk's words switch, the flags too
    desk.click("#lang")
    desk.wait_for_selector('#ud-requests th:has-text("Risk flags")')
    chip = f'{row} [data-flag="not_entitled"]'
    wait_until(
        desk, "(s) => document.querySelector(s)?.innerText === 'No entitlement on record'", chip
    )
    desk.click("#lang")

    suspended = new_page(browser, 420, 900)
    suspended.on("pageerror", lambda e: errors.append(str(e)))
    suspended.goto(demo.url + "/")
    suspended.fill("#login-form input[name=username]", user["username"])
    suspended.fill("#login-form input[name=password]", PASSWORD)
    suspended.click("#login-form button[type=submit]")
    suspended.wait_for_selector("#ls-filing .ls-suspended")
    assert "群众投诉，核查期间停用" in suspended.inner_text("#ls-filing .ls-suspended")
    assert not suspended.query_selector("#view-locksmith button")  # no actions
    suspended.click("#lang")
    wait_until(
        suspended,
        "document.querySelector('#ls-filing .ls-suspended').innerText"
        ".startsWith('Your filing is suspended')",
    )
    demo.passwords[user["username"]] = PASSWORD  # an account of this test's own
    token = demo.token(user["username"])
    r = ul.call("POST", f"{API}/jobs/{b['id']}/accept", token)
    assert r.status_code == 403 and r.json()["code"] == "locksmith_suspended"

    # the demo locksmith has no open job left
    assert _ok(ul.call("GET", f"{API}/locksmith/me", ul.smith))["jobs"] == []
    assert not errors, errors
    for p in (phone, desk, suspended):
        p.close()


def test_the_locksmith_page_asks_only_what_the_role_may_have(demo, browser) -> None:  # type: ignore[no-untyped-def]
    """No control-room snapshots, no live feed: nothing refused, nothing logged as an error."""
    page = new_page(browser, 420, 900)
    refused: list[str] = []
    page.on(
        "response", lambda r: refused.append(f"{r.status} {r.url}") if r.status >= 400 else None
    )
    page.on("console", lambda m: refused.append(m.text) if m.type == "error" else None)
    login(page, demo, "locksmith")
    page.wait_for_selector("#ls-filing .uw-line")
    page.wait_for_timeout(3000)
    assert refused == []
    assert page.is_hidden("#live")
    page.close()
