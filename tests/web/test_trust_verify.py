"""The public e-certificate check (/verify) on a phone, without signing in: the login screen
links to it; a pasted QR payload is valid with the masked name, checked offline (signature
against the cached key list) and online; one changed character makes it not valid, the
offline check saying the signature fails; with the API cut off after the key list is cached
the offline check still holds; a photo of the QR code through the file input verifies; the
page speaks English after the switch."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.trust.test_cert_scan import qr_image
from tests.trust.test_verify_image import readable_qr
from tests.web.browser import new_page, wait_until

pytestmark = pytest.mark.timeout(180)
PERSON = ("150602198803151027", "刘晓燕")  # the demo citizen (sim/data/trust)
RESULT = "#verify-result"


@pytest.fixture(scope="module")
def payload(demo) -> str:  # type: ignore[no-untyped-def]
    """A certificate for the demo citizen: L1 by name, L2 by the face test double, applied."""
    token = demo.token("citizen")
    r = demo.call("POST", "/trust/identity/verify", token,
                  json={"id_number": PERSON[0], "name": PERSON[1]})  # fmt: skip
    assert r.status_code == 200, r.text
    r = demo.call("POST", "/trust/identity/verify", token,
                  json={"method": "face", "image_ref": "sdk-verify-page"})  # fmt: skip
    assert r.status_code == 200, r.text
    body = {"purpose": "employment", "period_from": "2008-01-01", "period_to": "2020-12-31",
            "station": "康巴什派出所", "purpose_statement": "入职审查"}  # fmt: skip
    r = demo.call("POST", "/trust/certificates/applications", token, json=body)
    assert r.status_code == 201, r.text
    (doc,) = [d for d in r.json()["documents"] if d["kind"] == "certificate"]
    r = demo.call("GET", f"/trust/certificates/documents/{doc['number']}", token)
    assert r.status_code == 200, r.text
    return r.json()["qr_payload"]


def _tampered(payload: str) -> str:
    """One character of the signature changed (a middle one: still canonical base64url)."""
    head, sig = payload.rsplit(".", 1)
    k = len(sig) // 2
    return f"{head}.{sig[:k]}{'B' if sig[k] == 'A' else 'A'}{sig[k + 1 :]}"


def _open(browser, demo):  # type: ignore[no-untyped-def]
    page = new_page(browser, width=390, height=844)
    page.goto(demo.url + "/verify")
    page.wait_for_selector("#verify-form")
    wait_until(page, "() => localStorage.getItem('pingan.trust.keys') !== null")
    return page


def _verify(page, text: str, verdict: str) -> None:  # type: ignore[no-untyped-def]
    """Paste, submit, and wait for the verdict and the online check's answer (the offline
    verdict of a tampered payload comes first)."""
    page.fill("#verify-text", text)
    page.click("#verify-submit")
    _settled(page, verdict)


def _settled(page, verdict: str) -> None:  # type: ignore[no-untyped-def]
    wait_until(
        page,
        """(v) => document.querySelector('#verify-result').dataset.verdict === v
          && !['', 'pending'].includes(document.querySelector('#verify-online').dataset.state)""",
        verdict,
    )


def _field(page, key: str) -> str:  # type: ignore[no-untyped-def]
    return page.text_content(f'#verify-summary dd[data-field="{key}"]') or ""


def test_paste_verifies_offline_and_online_tampering_fails_english(
    demo, browser, payload, shots: Path
) -> None:  # type: ignore[no-untyped-def]
    page = new_page(browser, width=390, height=844)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(demo.url + "/")
    page.wait_for_selector("#login-box:not([hidden])")
    assert page.text_content("#verify-link") == "核验电子证明"
    page.click("#verify-link")
    page.wait_for_selector("#verify-form")
    assert page.url.endswith("/verify") and page.text_content("h1") == "无犯罪记录电子证明核验"

    _verify(page, payload, "valid")
    assert page.text_content("#verify-verdict") == "有效"
    assert _field(page, "verify_name") == "刘**"
    assert _field(page, "verify_id") == PERSON[0][:4] + "*" * 10 + PERSON[0][-4:]
    assert _field(page, "verify_kind") == "无犯罪记录证明"
    assert _field(page, "verify_result") == "未发现犯罪记录"
    assert _field(page, "verify_scans_left") == "4"
    kid = payload.split(".")[1]
    assert page.text_content("#verify-offline") == f"离线核验：签名有效（密钥 {kid}）"
    assert "公钥列表取自" in (page.text_content("#verify-keys-age") or "")
    assert page.text_content("#verify-online").startswith("在线核验：有效")
    assert PERSON[0] not in page.content() and PERSON[1] not in page.content()
    page.screenshot(path=str(shots / "trust-verify-valid.png"))

    _verify(page, _tampered(payload), "invalid")
    assert page.text_content("#verify-verdict") == "无效"
    assert page.text_content("#verify-offline").startswith("离线核验：签名无效")
    assert page.text_content("#verify-online") == "在线核验：签名与内容不符，内容可能被篡改"
    assert page.text_content("#verify-summary") == ""
    page.screenshot(path=str(shots / "trust-verify-tampered.png"))

    page.click("#lang")
    assert page.text_content("#verify-verdict") == "Not valid"
    assert page.text_content("#verify-offline").startswith("Offline check: signature not valid")
    assert page.text_content("h1") == "No-criminal-record e-certificate check"
    assert page.text_content("#verify-submit") == "Verify"
    _verify(page, payload, "valid")
    assert page.text_content("#verify-verdict") == "Valid"
    assert page.text_content("#verify-offline") == f"Offline check: signature valid (key {kid})"
    assert _field(page, "verify_kind") == "No-criminal-record certificate"
    assert page.text_content("#verify-summary dt") == "Name"
    page.click("#lang")  # back to Chinese for the other tests (the choice is kept)
    assert page.text_content("#verify-verdict") == "有效"
    assert errors == []
    page.close()


def test_offline_check_holds_without_the_network(demo, browser, payload) -> None:  # type: ignore[no-untyped-def]
    page = _open(browser, demo)  # the key list is fetched and cached
    page.route("**/api/**", lambda route: route.abort())
    _verify(page, payload, "valid_offline")
    kid = payload.split(".")[1]
    assert page.text_content("#verify-offline") == f"离线核验：签名有效（密钥 {kid}）"
    assert page.text_content("#verify-online") == "在线核验：无法连接服务器，吊销状态未能确认"
    assert _field(page, "verify_name") == "刘**"  # from the signed claims
    _verify(page, _tampered(payload), "invalid")
    assert page.text_content("#verify-offline").startswith("离线核验：签名无效")
    page.close()


def test_a_photo_of_the_code_verifies(demo, browser, payload, shots: Path) -> None:  # type: ignore[no-untyped-def]
    page = _open(browser, demo)
    image = {"name": "qr.png", "mimeType": "image/png", "buffer": readable_qr(payload)}
    page.set_input_files("#verify-file", files=[image])
    _settled(page, "valid")
    assert page.text_content("#verify-verdict") == "有效"
    assert _field(page, "verify_name") == "刘**"
    assert page.input_value("#verify-text") == payload
    assert page.text_content("#verify-offline").startswith("离线核验：签名有效")
    page.screenshot(path=str(shots / "trust-verify-photo.png"))
    # a broken picture: the reason in words
    broken = {"name": "broken.png", "mimeType": "image/png", "buffer": qr_image("x")[:8] + b"x"}
    page.set_input_files("#verify-file", files=[broken])
    _settled(page, "invalid")
    assert page.text_content("#verify-reason") == "无法读取图片"
    page.close()
