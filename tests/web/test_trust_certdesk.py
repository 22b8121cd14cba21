"""The officer's certificate desk (证明审核): applications prepared through the API by people of
the sample register — 王建国, whose effective conviction gives a notice (twice, each with an
objection), and 周丽, clean — are listed with masked ID numbers only; the detail shows the
timeline; the officer answers one objection, extends the other (a second extension is
refused in words), revokes the clean certificate with a reason after a confirmation naming it
(online verification then answers 410 revoked), and checks a person in person at the window;
the page switches to English; an auditor sees the lists without any action."""

from __future__ import annotations

import secrets
from datetime import date
from pathlib import Path

import httpx
import pytest

from tests.web.browser import login, new_page, wait_until

pytestmark = pytest.mark.timeout(240)
WANG = ("王建国", "15060219791102213X")  # effective conviction in the sample record table
ZHOU = ("周丽", "150602198304095462")  # a judgement not yet effective: clean
PASSWORD = "Cert-Desk-2026-pass"
CERT = "/trust/certificates"


def _person(demo, name: str, id_number: str) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """A fresh citizen account (made by the admin) at L2 for one register person: real name,
    then the face test double. Returns the username and its token."""
    username = f"cd-{secrets.token_hex(3)}"
    admin = demo.token("admin")
    r = demo.call(
        "POST",
        "/users",
        admin,
        json={"username": username, "password": PASSWORD, "role": "citizen"},
    )
    assert r.status_code == 201, r.text
    demo.passwords[username] = PASSWORD
    token = demo.token(username)
    r = demo.call(
        "POST", "/trust/identity/verify", token, json={"id_number": id_number, "name": name}
    )
    assert r.status_code == 200, r.text
    r = demo.call(
        "POST", "/trust/identity/verify", token, json={"method": "face", "image_ref": "sdk-cd"}
    )
    assert r.status_code == 200 and r.json()["level"] == 2, r.text
    return username, token


def _apply(demo, token: str) -> dict:  # type: ignore[no-untyped-def, type-arg]
    body = {"purpose": "employment", "purpose_statement": "入职审查", "period_from": "2000-01-01",
            "period_to": date.today().isoformat(), "station": "康巴什派出所"}  # fmt: skip
    r = demo.call("POST", f"{CERT}/applications", token, json=body)
    assert r.status_code == 201, r.text
    return r.json()


def _object(demo, token: str, app_id: int, grounds: str) -> dict:  # type: ignore[no-untyped-def, type-arg]
    r = demo.call(
        "POST", f"{CERT}/applications/{app_id}/objections", token, json={"grounds": grounds}
    )
    assert r.status_code == 201, r.text
    return r.json()


def _watch(page) -> list[str]:  # type: ignore[no-untyped-def]
    """Console and page errors, the two refusals the test asks for (409, 422) aside."""
    seen: list[str] = []
    asked = ("status of 409", "status of 422")

    def console(m) -> None:  # type: ignore[no-untyped-def]
        if m.type == "error" and not any(a in m.text for a in asked):
            seen.append(f"console {m.text}")

    page.on("console", console)
    page.on("pageerror", lambda e: seen.append(f"page {e}"))
    return seen


def _row(page, app_id: int) -> str:  # type: ignore[no-untyped-def]
    return f'#cd-apps tbody tr[data-app="{app_id}"]'


def test_the_officer_works_the_certificate_desk(demo, browser, shots: Path) -> None:  # type: ignore[no-untyped-def]
    wang_user, wang = _person(demo, *WANG)
    zhou_user, zhou = _person(demo, *ZHOU)
    notice_a, notice_b = _apply(demo, wang), _apply(demo, wang)
    clean = _apply(demo, zhou)
    assert notice_a["reason"] == "record_found" and clean["status"] == "issued"
    number = clean["documents"][0]["number"]
    qr = demo.call("GET", f"{CERT}/documents/{number}", zhou).json()["qr_payload"]
    to_answer = _object(demo, wang, notice_a["id"], "该判决已被撤销，请复核")
    to_extend = _object(demo, wang, notice_b["id"], "身份被冒用，请核查")

    page = new_page(browser)
    problems = _watch(page)
    login(page, demo, "officer")
    page.click('#nav a[data-view="certdesk"]')
    for app in (notice_a, notice_b, clean):
        page.wait_for_selector(_row(page, app["id"]))
    text = page.inner_text(_row(page, clean["id"]))
    assert (
        "1506**********5462" in text and "周*" in text and "无犯罪记录" in text and number in text
    )
    text = page.inner_text(_row(page, notice_a["id"]))
    assert (
        "王*" in text
        and "有犯罪记录" in text
        and "不予出具通知书" in text
        and "实人 · 人脸核验" in text
    )
    assert page.inner_text("#cd-records").startswith("犯罪记录表：")
    body = page.inner_text("body")
    assert WANG[1] not in body and ZHOU[1] not in body and "王建国" not in body

    # filter by kind: notices only
    page.select_option("#cd-kind", "notice")
    wait_until(page, f"!document.querySelector('{_row(page, clean['id'])}')")
    assert page.query_selector(_row(page, notice_a["id"]))
    page.select_option("#cd-kind", "")
    page.wait_for_selector(_row(page, clean["id"]))

    # the detail: identity held, result, documents, timeline
    page.click(f"{_row(page, notice_a['id'])} button.case")
    page.wait_for_selector("#cd-timeline li")
    detail = page.inner_text("#cd-detail")
    assert (
        f"申请 {notice_a['id']}" in detail
        and "提交申请并自动核查" in detail
        and "提出异议" in detail
    )
    assert wang_user in detail

    # answer one objection (dismissed, with text)
    page.click(f'#cd-objections tr[data-objection="{to_answer["id"]}"] button.cd-answer')
    page.click("#cd-answer-form button[type=submit]")  # no text: the form says so, nothing sent
    assert page.inner_text('#cd-answer-form [data-for="answer"]') == "此项必填"
    page.select_option("#cd-answer-form select[name=upheld]", "false")
    page.fill("#cd-answer-form textarea[name=answer]", "经复核，判决仍然有效")
    page.click("#cd-answer-form button[type=submit]")
    page.wait_for_selector("#cd-obj-panel .cd-ok")
    wait_until(
        page,
        f"document.querySelector('#cd-objections tr[data-objection=\"{to_answer['id']}\"]')"
        ".innerText.includes('异议不成立')",
    )
    state = demo.call("GET", f"{CERT}/objections?limit=500", demo.token("officer")).json()["items"]
    assert [o["status"] for o in state if o["id"] == to_answer["id"]] == ["dismissed"]

    # extend the other, after the confirmation; a second extension is refused in words
    extend = f'#cd-objections tr[data-objection="{to_extend["id"]}"] button.cd-extend'
    page.click(extend)
    assert str(notice_b["id"]) in page.inner_text("#cd-obj-panel .cd-confirm")
    page.click("#cd-obj-panel .cd-yes")
    page.wait_for_selector("#cd-obj-panel .cd-ok")
    wait_until(page, f"!document.querySelector('{extend}')")  # extended: no second button
    assert "已延期" in page.inner_text(f'#cd-objections tr[data-objection="{to_extend["id"]}"]')
    page.screenshot(path=str(shots / "certdesk-officer.png"))

    # revoke the clean certificate: reason required, a confirmation naming it, then 410
    page.click(f"{_row(page, clean['id'])} button.case")
    page.wait_for_selector("#cd-docs button.cd-revoke-this")
    page.click("#cd-docs button.cd-revoke-this")
    assert page.input_value("#cd-revoke-form input[name=number]") == number
    page.click("#cd-revoke-form button[type=submit]")
    assert page.inner_text('#cd-revoke-form [data-for="reason"]') == "此项必填"
    assert not page.query_selector("#cd-revoke-confirm .cd-confirm")
    page.fill("#cd-revoke-form input[name=reason]", "申请材料不实")
    page.click("#cd-revoke-form button[type=submit]")
    confirm = page.inner_text("#cd-revoke-confirm .cd-confirm")
    assert number in confirm
    page.click("#cd-revoke-confirm .cd-yes")
    wait_until(
        page, "document.querySelector('#cd-revoke-result').innerText.startsWith('已撤销证明')"
    )
    assert number in page.inner_text("#cd-revoke-result")
    page.wait_for_selector("#cd-docs .cd-revoked")
    wait_until(page, "document.querySelector('#cd-timeline').innerText.includes('申请材料不实')")
    r = httpx.get(f"{demo.url}/api/v1{CERT}/verify", params={"payload": qr})  # public
    assert r.status_code == 410 and r.json()["code"] == "revoked", r.text
    # the same again: the server's refusal, in words
    page.fill("#cd-revoke-form input[name=number]", number)
    page.fill("#cd-revoke-form input[name=reason]", "再次撤销")
    page.click("#cd-revoke-form button[type=submit]")
    page.click("#cd-revoke-confirm .cd-yes")
    wait_until(page, "document.querySelector('#cd-revoke-result').classList.contains('error')")
    assert page.inner_text("#cd-revoke-result") and "already_revoked" not in page.inner_text(
        "#cd-revoke-result"
    )

    # the window check: by username, after seeing the card; a wrong name refused in words
    form = "#cd-inperson-form"
    page.fill(f"{form} input[name=name]", "周莉")
    page.fill(f"{form} input[name=id_number]", ZHOU[1])
    page.fill(f"{form} input[name=account]", zhou_user)
    page.click(f"{form} button[type=submit]")
    wait_until(page, "document.querySelector('#cd-inperson-result').classList.contains('error')")
    refused = page.inner_text("#cd-inperson-result")
    assert refused and "name_mismatch" not in refused
    page.fill(f"{form} input[name=name]", ZHOU[0])
    page.click(f"{form} button[type=submit]")
    wait_until(page, "document.querySelector('#cd-inperson-result').classList.contains('cd-ok')")
    assert "实证" in page.inner_text(
        "#cd-inperson-result"
    ) and "1506**********5462" in page.inner_text("#cd-inperson-result")
    me = demo.call("GET", "/trust/identity/me", zhou).json()
    assert me["level"] == 3 and me["method"] == "in_person"
    assert (
        ZHOU[1] not in page.inner_text("body")
        and page.input_value(f"{form} input[name=id_number]") == ""
    )

    # English
    page.click("#lang")
    wait_until(page, "document.documentElement.lang === 'en'")
    wait_until(
        page,
        "document.querySelector('#view-certdesk h2').innerText"
        " === 'No-criminal-record certificates'",
    )
    page.wait_for_selector(_row(page, clean["id"]))
    wait_until(
        page, f"document.querySelector('{_row(page, clean['id'])}').innerText.includes('revoked')"
    )
    assert "no record" in page.inner_text(_row(page, clean["id"]))
    assert page.inner_text('#nav a[data-view="certdesk"]') == "Certificates"
    assert "Timeline" in page.inner_text("#cd-detail")
    page.screenshot(path=str(shots / "certdesk-officer-en.png"))
    page.click("#lang")
    wait_until(page, "document.documentElement.lang === 'zh-CN'")
    assert not problems, problems
    page.close()


def test_an_auditor_reads_the_desk_without_acting(demo, browser) -> None:  # type: ignore[no-untyped-def]
    _, wang = _person(demo, *WANG)
    app = _apply(demo, wang)
    _object(demo, wang, app["id"], "请复核")
    page = new_page(browser)
    login(page, demo, "auditor")
    page.click('#nav a[data-view="certdesk"]')
    page.wait_for_selector(_row(page, app["id"]))
    page.wait_for_selector(f'#cd-objections tr[data-app="{app["id"]}"]')
    page.click(f"{_row(page, app['id'])} button.case")
    page.wait_for_selector("#cd-timeline li")
    assert not page.is_visible("#cd-revoke-form") and not page.is_visible("#cd-inperson-form")
    assert not page.query_selector("#cd-objections button") and not page.query_selector(
        "#cd-detail button"
    )
    assert WANG[1] not in page.inner_text("body")
    page.close()
