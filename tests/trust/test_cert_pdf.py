"""A document as PDF over HTTP: the certificate's page, rendered to an image, carries a QR
code that reads back as the document's signed payload and verifies with the published key
list; the same document gives the same bytes; the employer's letter prints for the employer
only; someone else's number is 404."""

from __future__ import annotations

import cv2
import pypdfium2 as pdfium
import pytest

from pingan.auth.roles import Role
from pingan.trust.certificates import scan, verify
from tests.trust.people import ZHANG
from tests.trust.test_certificates_api import URL, _apply, _document, _l2, records

pytestmark = pytest.mark.usefixtures("loaded")
__all__ = ["records"]  # the fixture, imported to be used here


def _page(data: bytes) -> tuple[str, bytes]:
    """The first page's text, and the page rendered at 144 dpi as PNG bytes."""
    document = pdfium.PdfDocument(data)
    try:
        page = document[0]
        words = page.get_textpage().get_text_range()
        pixels = page.render(scale=2).to_numpy()
    finally:
        document.close()
    ok, png = cv2.imencode(".png", pixels)
    assert ok
    return words, png.tobytes()


def _pdf(client, accounts, number, role=Role.CITIZEN):  # type: ignore[no-untyped-def]
    return client.get(f"{URL}/documents/{number}/pdf", headers=accounts.headers(role))


def test_certificate_pdf_has_a_qr_code_that_verifies(client, accounts, clock, records):
    _l2(client, accounts, Role.CITIZEN, ZHANG, "张三")
    number = _apply(client, accounts).json()["documents"][0]["number"]
    doc = _document(client, accounts, number)
    r = _pdf(client, accounts, number)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"] == f'attachment; filename="{number}.pdf"'
    assert r.content.startswith(b"%PDF-")
    assert _pdf(client, accounts, number).content == r.content  # deterministic

    words, png = _page(r.content)
    assert number in words and "无犯罪记录证明" in words and "No-criminal-record" in words
    assert "张*" in words and ZHANG not in words and "张三" not in words  # masked only
    decoded = scan.decode_qr(png)
    assert decoded == doc["qr_payload"]
    keys = client.get("/api/v1/trust/keys").json()
    assert verify.payload(decoded, keys, now=clock.now).valid

    # not the holder: as if the number did not exist
    r = _pdf(client, accounts, number, Role.VOLUNTEER)
    assert r.status_code == 404 and r.json()["code"] == "unknown_certificate"
    r = _pdf(client, accounts, "C20260101FFFFFFFFFF")
    assert r.status_code == 404


def test_letter_pdf_for_the_employer_only(client, accounts, records):
    _l2(client, accounts, Role.CITIZEN, ZHANG, "张三")
    app = _apply(client, accounts).json()
    code = client.post(
        f"{URL}/applications/{app['id']}/consent", headers=accounts.headers(Role.CITIZEN)
    ).json()["code"]
    body = {"id_number": ZHANG, "consent_code": code, "unit": "某保安服务公司"}
    r = client.post(f"{URL}/queries", json=body, headers=accounts.headers(Role.VOLUNTEER))
    assert r.status_code == 201, r.text
    number = r.json()["number"]
    r = _pdf(client, accounts, number, Role.VOLUNTEER)
    assert r.status_code == 200, r.text
    words, png = _page(r.content)
    assert "查询结果告知函" in words and number in words and "某保安服务公司" in words
    assert "已出具无犯罪记录证明" in words
    with pytest.raises(scan.ScanError):  # a letter has no QR payload, so no code
        scan.decode_qr(png)
    # the letter is the employer's: its holder is answered as for an unknown number
    assert _pdf(client, accounts, number, Role.CITIZEN).status_code == 404
