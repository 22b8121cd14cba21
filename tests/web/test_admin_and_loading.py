"""Admin pages, the citizen's wording, and what pages load: in headless Chromium against a
real `pingan demo` server."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.web.browser import login, new_page, wait_until

pytestmark = pytest.mark.timeout(180)

FIRST_PASSWORD = "Patrol-2026a"
NEW_PASSWORD = "Patrol-2026b"
# Words of the control room a resident should never meet on the citizen page.
CONTROL_ROOM_ZH = (
    "综合指挥室",
    "指挥",
    "推送半径",
    "警情",
    "警力",
    "派警",
    "接警",
    "出警",
    "签收",
    "结案",
    "勤务",
)
CONTROL_ROOM_EN = ("command centre", "alert radius", "dispatch", "incident", "unit", "live:")


def _login_status(demo, username: str, password: str) -> int:  # type: ignore[no-untyped-def]
    body = {"username": username, "password": password}
    return httpx.post(f"{demo.url}/api/v1/auth/login", json=body).status_code


def _row(username: str) -> str:
    return f'#users-table tr[data-user="{username}"]'


def test_admin_manages_an_account_and_its_units(demo, browser, shots: Path) -> None:  # type: ignore[no-untyped-def]
    """Create (a weak password refused under its field), disable (login refused), enable,
    reset the password (old refused, new works), bind to a unit and unbind."""
    page = new_page(browser)
    login(page, demo, "admin")
    page.wait_for_selector("#view-users:not([hidden]) #users-table tbody tr")
    assert page.locator("#nav a").evaluate_all("as => as.map(a => a.dataset.view)") == [
        "users",
        "units",
    ]
    form = "#user-form"
    page.fill(f"{form} input[name=username]", "patrol_zhang")
    page.fill(f"{form} input[name=display_name]", "张警官")
    page.select_option(f"{form} select[name=role]", "officer")
    page.fill(f"{form} input[name=password]", "short")
    page.click(f"{form} button[type=submit]")
    error = page.wait_for_selector(f'{form} .field-error[data-for="password"]:not(:empty)')
    assert "密码" in error.inner_text()
    page.fill(f"{form} input[name=password]", FIRST_PASSWORD)
    page.click(f"{form} button[type=submit]")
    page.wait_for_selector(_row("patrol_zhang"))
    assert "民警" in page.inner_text(_row("patrol_zhang"))  # the role in words, not "officer"
    assert _login_status(demo, "patrol_zhang", FIRST_PASSWORD) == 200

    page.click(f"{_row('patrol_zhang')} .act-active")
    wait_until(
        page, f"document.querySelector('{_row('patrol_zhang')}').innerText.includes('已停用')"
    )
    assert _login_status(demo, "patrol_zhang", FIRST_PASSWORD) == 401
    page.click(f"{_row('patrol_zhang')} .act-active")
    wait_until(page, f"document.querySelector('{_row('patrol_zhang')}').innerText.includes('在用')")

    page.click(f"{_row('patrol_zhang')} .act-manage")
    page.fill("#reset-form input[name=password]", NEW_PASSWORD)
    page.click("#reset-form button[type=submit]")
    page.wait_for_selector("#reset-form .form-note:not(:empty)")
    assert _login_status(demo, "patrol_zhang", FIRST_PASSWORD) == 401
    assert _login_status(demo, "patrol_zhang", NEW_PASSWORD) == 200

    page.select_option("#bind-form select[name=unit_id]", label="步01 · 步巡")
    page.click("#bind-form button[type=submit]")
    page.wait_for_selector('#user-bindings li[data-unit="步01"]')
    admin = demo.token("admin")
    user_id = next(
        u["id"]
        for u in demo.call("GET", "/users?limit=500", admin).json()["items"]
        if u["username"] == "patrol_zhang"
    )
    bound = demo.call("GET", f"/users/{user_id}/bindings", admin).json()
    assert [b["username"] for b in bound] == ["patrol_zhang"]
    page.screenshot(path=shots / "admin-users.png")
    page.click('#user-bindings li[data-unit="步01"] .act-unbind')
    page.wait_for_selector("#user-bindings li.hint")
    assert demo.call("GET", f"/users/{user_id}/bindings", admin).json() == []

    page.click('#nav a[data-view="units"]')
    page.wait_for_selector('#units-table tr[data-unit="步01"]')
    page.fill("#unit-form input[name=call_sign]", "步01")  # taken: said under the call sign
    page.select_option("#unit-form select[name=kind]", "foot_patrol")
    page.click("#unit-form button[type=submit]")
    page.wait_for_selector('#unit-form .field-error[data-for="call_sign"]:not(:empty)')
    page.fill("#unit-form input[name=call_sign]", "步99")
    page.click("#unit-form button[type=submit]")
    page.wait_for_selector('#units-table tr[data-unit="步99"]')
    page.click("#lang")
    wait_until(
        page, "document.querySelector('#unit-form .field-error[data-for=call_sign]') !== null"
    )
    assert page.inner_text('#nav a[data-view="units"]') == "Units"
    page.click('#nav a[data-view="users"]')
    wait_until(
        page, f"document.querySelector('{_row('patrol_zhang')}').innerText.includes('Officer')"
    )
    page.click("#lang")
    page.close()


def _visible_text(page) -> str:  # type: ignore[no-untyped-def]
    return page.evaluate("document.title + '\\n' + document.body.innerText")


def test_citizen_page_speaks_to_residents(demo, browser, shots: Path) -> None:  # type: ignore[no-untyped-def]
    """No control-room words on the login screen's title or the citizen's page, in either
    language, on a 390 x 844 phone."""
    page = new_page(browser, width=390, height=844)
    page.goto(demo.url + "/")
    page.wait_for_selector("#login-form")
    assert "指挥" not in page.title() and "指挥" not in page.inner_text("#page-title")
    login(page, demo, "citizen")
    page.wait_for_selector("#view-citizen:not([hidden]) #my-cases li")
    page.select_option("#citizen-form select[name=type]", "missing_person")
    text = _visible_text(page)
    assert "平安 · 群众求助" in text
    assert [w for w in CONTROL_ROOM_ZH if w in text] == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
    page.click("#lang")
    wait_until(page, "document.querySelector('#page-title').textContent.startsWith('Pingan')")
    text = _visible_text(page).lower()
    assert [w for w in CONTROL_ROOM_EN if w in text] == []
    page.screenshot(path=shots / "citizen-en.png", full_page=True)
    page.click("#lang")
    page.close()


def _watch(page) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    seen: dict[str, list[str]] = {"errors": [], "refused": [], "requests": []}
    page.on(
        "console",
        lambda m: seen["errors"].append(m.text) if m.type == "error" else None,
    )
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.on(
        "response",
        lambda r: seen["refused"].append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    page.on("request", lambda r: seen["requests"].append(r.url))
    return seen


@pytest.mark.parametrize("role", ["volunteer", "citizen"])
def test_pages_load_with_no_errors_and_no_refusals(demo, browser, role: str) -> None:  # type: ignore[no-untyped-def]
    """The volunteer's map and the citizen's page ask only what the role may have (no 403), find
    everything they ask for (no 404, a favicon), log no error, and load no chart library."""
    page = new_page(browser)
    seen = _watch(page)
    login(page, demo, role)
    if role == "volunteer":
        page.wait_for_selector("#view-map:not([hidden])")
        wait_until(page, "window.pingan.markers.units.size > 0")
        assert page.is_hidden("#show-iso")  # reach circles: an endpoint the volunteer lacks
    else:
        page.wait_for_selector("#view-citizen:not([hidden]) #my-cases li")
    page.wait_for_timeout(4500)  # a couple of unit polls and live events
    assert seen["refused"] == [] and seen["errors"] == []
    assert not [u for u in seen["requests"] if "echarts" in u]
    assert any(u.endswith("/static/favicon.svg") for u in seen["requests"])
    if role == "volunteer":  # the crowd view charts: the library comes then, from /static
        page.click('#nav a[data-view="crowd"]')
        page.wait_for_selector("#crowd-chart canvas")
        charts = [u for u in seen["requests"] if "echarts" in u]
        assert charts == [f"{demo.url}/static/vendor/echarts/echarts.min.js"]
        # a forecast not ready yet is a 409 the page explains; nothing refused, nothing missing
        assert not [r for r in seen["refused"] if r.startswith(("403", "404"))]
        assert not [e for e in seen["errors"] if "status of 409" not in e]
    page.close()
    favicon = httpx.get(f"{demo.url}/favicon.ico")
    assert favicon.status_code == 200 and favicon.headers["content-type"].startswith("image/svg")
