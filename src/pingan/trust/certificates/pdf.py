"""An issued document as a printable A4 PDF: the Chinese wording with an English line under
each, and (certificate) its signed QR payload as a QR code that verifies offline.

reportlab (BSD) with the Adobe CID font ``STSong-Light`` it ships, so no font file is needed
or fetched; the QR code is drawn as vector squares (`reportlab.graphics.barcode.qr`, level M),
so it stays sharp at any print size. The canvas runs in reportlab's invariant mode (fixed
creation date and file id): the same document gives the same bytes. Every word comes from the
message catalogue (`trust.cert.pdf.*`), in both languages at once.

Only certificates carry a QR payload (`qr.py`); a notice or letter is printed without a code
and says how to verify its electronic file instead.
"""

from __future__ import annotations

import io
import json
from datetime import timedelta
from typing import Any

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from pingan.i18n import text
from pingan.trust.certificates.models import Document
from pingan.trust.certificates.policy import policy

CJK_FONT = "STSong-Light"
LATIN_FONT = "Helvetica"
QR_SIDE = 52 * mm  # ~0.7 mm a module at version 13 (77 with the border): easy for a phone
MARGIN = 22 * mm


def _both(code: str, **values: Any) -> tuple[str, str]:
    return text(code, "zh_CN", **values), text(code, "en", **values)


def key_ids(credential: dict[str, Any]) -> list[str]:
    """The signing key ids of a VC's proofs (the fragment of each verificationMethod)."""
    proofs = credential.get("proof") or []
    if isinstance(proofs, dict):
        proofs = [proofs]
    return [str(p.get("verificationMethod", "")).rsplit("#", 1)[-1] for p in proofs]


def _rows(row: Document, vc: dict[str, Any]) -> list[tuple[str, str]]:
    """(label code, value) in print order; values are data, not catalogue words, except the
    result and the period, which are put into words per language by the caller."""
    subject = vc.get("credentialSubject") or {}
    rows = [
        ("trust.cert.pdf.number", row.number),
        ("trust.cert.pdf.name", row.name_masked),
        ("trust.cert.pdf.id_number", row.id_masked),
    ]
    if "requestedBy" in subject:
        rows.append(("trust.cert.pdf.requested_by", str(subject["requestedBy"])))
    if isinstance(subject.get("period"), dict):
        rows.append(("trust.cert.pdf.period", ""))
    rows.append(("trust.cert.pdf.result", ""))
    rows.append(("trust.cert.pdf.valid_from", row.valid_from.date().isoformat()))
    if row.valid_until is not None:  # the last valid day, as the QR payload's `u`
        last = (row.valid_until - timedelta(seconds=1)).date().isoformat()
        rows.append(("trust.cert.pdf.valid_until", last))
    rows.append(("trust.cert.pdf.station", str((vc.get("issuer") or {}).get("name", ""))))
    rows.append(("trust.cert.pdf.key", ", ".join(key_ids(vc))))
    return rows


def _worded(code: str, subject: dict[str, Any], lang: str) -> str | None:
    """The two rows whose value is itself catalogue text."""
    if code == "trust.cert.pdf.result":
        return text(f"trust.cert.pdf.result.{subject.get('result')}", lang)
    if code == "trust.cert.pdf.period":
        period = subject["period"]
        return text("trust.cert.pdf.period_value", lang, start=period["from"], end=period["to"])
    return None


def _line(canvas: Canvas, font: str, size: float, x: float, y: float, words: str) -> None:
    """One line that keeps inside the right margin: a long value (an employer's name may be
    100 characters) is set smaller rather than run off the page."""
    room = A4[0] - MARGIN - x
    width = pdfmetrics.stringWidth(words, font, size)
    canvas.setFont(font, size if width <= room else max(4.0, size * room / width))
    canvas.drawString(x, y, words)


def _qr(canvas: Canvas, payload: str, x: float, y: float) -> None:
    widget = QrCodeWidget(payload, barLevel="M", barBorder=4)
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(QR_SIDE, QR_SIDE, transform=[QR_SIDE / (x1 - x0), 0, 0,
                                                   QR_SIDE / (y1 - y0), 0, 0])  # fmt: skip
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, x, y)


def render(row: Document) -> bytes:
    """The document's PDF; the same row gives the same bytes."""
    pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
    vc = json.loads(row.credential)
    subject = vc.get("credentialSubject") or {}
    out = io.BytesIO()
    width, height = A4
    c = Canvas(out, pagesize=A4, invariant=1)
    zh_title, en_title = _both(f"trust.cert.pdf.title.{row.kind}")
    c.setTitle(f"{zh_title} {row.number}")
    c.setSubject(en_title)
    y = height - MARGIN - 10 * mm
    c.setFont(CJK_FONT, 22)
    c.drawCentredString(width / 2, y, zh_title)
    y -= 8 * mm
    c.setFont(LATIN_FONT, 11)
    c.drawCentredString(width / 2, y, en_title)
    y -= 16 * mm
    for code, value in _rows(row, vc):
        zh_label, en_label = _both(code)
        zh_value = _worded(code, subject, "zh_CN") or value
        en_value = _worded(code, subject, "en") or value
        _line(c, CJK_FONT, 12, MARGIN, y, zh_label)
        _line(c, CJK_FONT, 12, MARGIN + 34 * mm, y, zh_value)
        y -= 5 * mm
        _line(c, LATIN_FONT, 8, MARGIN, y, en_label)
        if en_value != zh_value:
            _line(c, LATIN_FONT, 8, MARGIN + 34 * mm, y, en_value)
        y -= 7 * mm
    url = f"{policy().base_url}/verify"
    if row.qr_payload:
        _qr(c, row.qr_payload, (width - QR_SIDE) / 2, y - QR_SIDE - 4 * mm)
        y -= QR_SIDE + 12 * mm
    verify_code = "trust.cert.pdf.verify_qr" if row.qr_payload else "trust.cert.pdf.verify_file"
    for zh, en in (_both("trust.cert.pdf.signed"), _both(verify_code, url=url)):
        _line(c, CJK_FONT, 9, MARGIN, y, zh)
        y -= 4.5 * mm
        _line(c, LATIN_FONT, 7.5, MARGIN, y, en)
        y -= 7 * mm
    c.showPage()
    c.save()
    return out.getvalue()
