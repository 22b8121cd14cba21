"""The signed PDF report of a confirmed candidate (亲缘比对报告).

The report names both sides by case number and sample id only, never by name. It gives the
relation tested, the DNA likelihood ratio, the non-genetic one, the prior and the posterior,
the per-locus table, the lineage checks, the thresholds with their sources and the reviews.
The PDF (reportlab, the CID font ``STSong-Light`` it ships, invariant mode: the same content
gives the same bytes) is kept under the data directory by its number; an SM2 signature
(pingan.trust.signing) covers a canonical statement (JCS, RFC 8785) naming the file's SHA-256,
so a copy can be checked against the published key list alone. The statement and signature
are also written beside the PDF (`<number>.sig.json`) for whoever receives the file.
"""

from __future__ import annotations

import hashlib
import io
import json
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import rfc8785
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pingan.audit import service as audit
from pingan.auth.actor import Actor
from pingan.auth.service import require
from pingan.db.tx import finish
from pingan.errors import Conflict, NotFound
from pingan.i18n import msg, text
from pingan.kinship import candidates
from pingan.kinship.models import KinshipReport
from pingan.pii.vault import Vault, write_private
from pingan.trust import signing
from pingan.trust.signing.algorithms import SM2
from pingan.trust.signing.jwk import b64u, unb64u
from pingan.trust.signing.service import KeySource

FOLDER = "kinship_reports"
STATEMENT_TYPE = "pingan.kinship_report.v1"
REPORTABLE = ("confirmed", "notified")
CJK_FONT = "STSong-Light"


def folder(data_dir: Path) -> Path:
    return data_dir / FOLDER


def _both(code: str, **values: Any) -> str:
    """A label in Chinese with its English after it, escaped for Paragraph markup."""
    return escape(f"{text(code, 'zh_CN', **values)} {text(code, 'en', **values)}")


def _lr(log10: float) -> str:
    return f"log10 = {log10:.2f} (LR ≈ {10**log10:.3g})"


def statement(row: KinshipReport, facts: dict[str, Any]) -> dict[str, Any]:
    """What the signature covers: the report's number, the pair and relation, the file hash."""
    return {
        "type": STATEMENT_TYPE,
        "number": row.number,
        "candidate_id": row.candidate_id,
        "a": facts["a"]["sample_id"],
        "b": facts["b"]["sample_id"],
        "relation": facts["relation"],
        "sha256": row.sha256,
        "made_at": row.made_at.isoformat(),
    }


def _story(
    number: str,
    facts: dict[str, Any],
    loci: list[dict[str, Any]],
    params: dict[str, Any],
    context: dict[str, Any],
    made_at: datetime,
) -> list[Flowable]:
    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
    h1 = ParagraphStyle("h1", fontName=CJK_FONT, fontSize=15, leading=21)
    h2 = ParagraphStyle(
        "h2", fontName=CJK_FONT, fontSize=11, leading=16, spaceBefore=6, keepWithNext=1
    )
    body = ParagraphStyle("b", fontName=CJK_FONT, fontSize=8.5, leading=12)
    grid = TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), CJK_FONT),
            ("FONTSIZE", (0, 0), (-1, -1), 8),
            ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
    )
    p = "kinship.match.pdf."

    def cell(value: object) -> Paragraph:
        return Paragraph(escape(str(value)), body)

    def table(rows: list[list[Any]], widths: list[float] | None = None) -> Table:
        return Table(
            [[c if isinstance(c, Paragraph) else cell(c) for c in r] for r in rows],
            colWidths=widths,
            style=grid,
            repeatRows=1,
        )

    sides = [[Paragraph(_both(p + h), body) for h in ("party", "case_no", "sample_id", "donor")]]
    for key in ("a", "b"):
        s = facts[key]
        sides.append(
            [
                _both(p + f"party_{key}"),
                s["case_no"],
                s["sample_id"],
                text(f"kinship.match.donor.{s['relation_to_subject']}", "zh_CN")
                + " "
                + s["relation_to_subject"],
            ]
        )
    relation = facts["relation"]
    figures = [
        [Paragraph(_both(p + "item"), body), Paragraph(_both(p + "value"), body)],
        [
            Paragraph(_both(p + "relation"), body),
            f"{text('kinship.match.relation.' + relation, 'zh_CN')} {relation}",
        ],
        [Paragraph(_both(p + "lr"), body), _lr(facts["log10_lr"])],
        [Paragraph(_both(p + "lr_context"), body), _lr(facts["log10_lr_context"])],
        [Paragraph(_both(p + "lr_total"), body), _lr(facts["log10_lr_total"])],
        [Paragraph(_both(p + "prior"), body), f"{facts['prior']:.6g}"],
        [Paragraph(_both(p + "posterior"), body), f"{facts['posterior']:.6g}"],
        [Paragraph(_both(p + "loci_compared"), body), facts["loci_compared"]],
    ]
    locus_table = [
        [Paragraph(_both(p + h), body) for h in ("locus", "genotype_a", "genotype_b", "factor")]
    ]
    locus_table += [
        [r["locus"], "/".join(r["a"]), "/".join(r["b"]), f"{r['factor']:.4g}"] for r in loci
    ]
    lineage = [[Paragraph(_both(p + h), body) for h in ("marker", "status", "detail")]]
    for marker in ("y", "mt"):
        check = (facts.get("lineage") or {}).get(marker) or {"status": "not_tested", "detail": {}}
        lineage.append(
            [
                _both(p + f"marker_{marker}"),
                _both(f"kinship.match.lineage.{check['status']}"),
                json.dumps(check.get("detail") or {}, ensure_ascii=False, sort_keys=True),
            ]
        )
    sources = params.get("sources") or {}
    thresholds = [[Paragraph(_both(p + h), body) for h in ("setting", "value", "source")]]
    thresholds += [
        [name, f"{value:.4g}" if isinstance(value, float) else value, sources.get(name, "")]
        for name, value in params.items()
        if name != "sources"
    ]
    reviews = [
        [Paragraph(_both(p + h), body) for h in ("reviewer", "role", "decision", "note", "at")]
    ]
    reviews += [
        [
            r["reviewer"],
            r["role"],
            _both(f"kinship.match.decision.{r['decision']}"),
            r["note"],
            r["at"].strftime("%Y-%m-%d %H:%M"),
        ]
        for r in facts["reviews"]
    ]
    story: list[Flowable] = [
        Paragraph(_both(p + "title"), h1),
        Paragraph(_both(p + "number", number=number, at=made_at.strftime("%Y-%m-%d %H:%M")), body),
        Spacer(1, 4 * mm),
        table(sides),
        Paragraph(_both(p + "figures"), h2),
        table(figures, [60 * mm, 100 * mm]),
        Paragraph(_both(p + "loci"), h2),
        table(locus_table),
    ]
    if context:
        story += [
            Paragraph(_both(p + "context"), h2),
            table(
                [[Paragraph(_both(p + "part"), body), Paragraph(_both(p + "value"), body)]]
                + [[k, f"{v:.4g}" if isinstance(v, float) else v] for k, v in context.items()]
            ),
        ]
    story += [
        Paragraph(_both(p + "lineage"), h2),
        table(lineage),
        Paragraph(_both(p + "thresholds"), h2),
        table(thresholds, [38 * mm, 26 * mm, 110 * mm]),
        Paragraph(_both(p + "reviews"), h2),
        table(reviews),
        Spacer(1, 6 * mm),
        Paragraph(_both(p + "signed"), body),
    ]
    return story


def render(
    number: str,
    facts: dict[str, Any],
    loci: list[dict[str, Any]],
    params: dict[str, Any],
    context: dict[str, Any],
    made_at: datetime,
) -> bytes:
    """The report's PDF; the same content gives the same bytes."""
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        title=number,
        invariant=1,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
    )
    doc.build(_story(number, facts, loci, params, context, made_at))
    return out.getvalue()


def _number(session: Session, now: datetime) -> str:
    prefix = f"XQBG-{now:%Y}-"
    n = session.scalar(
        select(func.count())
        .select_from(KinshipReport)
        .where(KinshipReport.number.like(prefix + "%"))
    )
    return f"{prefix}{int(n or 0) + 1:05d}"


def make(
    session: Session,
    actor: Actor,
    vault: Vault,
    candidate_id: int,
    *,
    data_dir: Path,
    now: datetime,
) -> KinshipReport:
    """Make, keep and sign the report of a confirmed (or notified) candidate."""
    require(actor, "kinship.report")
    row = candidates.get(session, candidate_id, lock=True)
    if row.status not in REPORTABLE:
        raise Conflict(msg("kinship.match.not_confirmed", status=row.status), code="not_confirmed")
    facts = candidates.view(session, row)
    params = candidates.search_params(session, row)
    loci = candidates.locus_rows(session, vault, row)
    number = _number(session, now)
    pdf = render(number, facts, loci, params, (row.evidence or {}).get("context", {}), now)
    target = folder(data_dir) / f"{number}.pdf"
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    write_private(target, pdf)
    report = KinshipReport(
        number=number,
        candidate_id=row.id,
        sha256=hashlib.sha256(pdf).hexdigest(),
        signature={},
        path=str(target.relative_to(data_dir)),
        made_by=actor.user_id,
        made_at=now,
    )
    stmt = statement(report, facts)
    sig = signing.sign(session, SM2, rfc8785.dumps(stmt))
    report.signature = {"key_id": sig.key_id, "alg": sig.alg, "value": b64u(sig.value)}
    write_private(
        target.with_suffix(".sig.json"),
        json.dumps(
            {"statement": stmt, "signature": report.signature}, ensure_ascii=False, indent=2
        ).encode(),
    )
    session.add(report)
    session.flush()
    audit.record(
        session,
        actor,
        "kinship.report_make",
        "kinship_report",
        report.number,
        {"candidate_id": row.id, "sha256": report.sha256, "key_id": sig.key_id},
    )
    finish(session)
    return report


def get(session: Session, number: str) -> KinshipReport:
    row = session.scalar(select(KinshipReport).where(KinshipReport.number == number))
    if row is None:
        raise NotFound(msg("kinship.match.no_report", number=number[:40]), code="report_not_found")
    return row


def read(session: Session, actor: Actor, number: str, *, data_dir: Path) -> bytes:
    """The kept PDF (the download is audited: it holds genotypes)."""
    require(actor, "kinship.report")
    row = get(session, number)
    path = data_dir / row.path
    if not path.is_file():
        raise NotFound(msg("kinship.match.report_file_missing"), code="report_file_missing")
    data = path.read_bytes()
    audit.record(
        session, actor, "kinship.report_read", "kinship_report", row.number, {"sha256": row.sha256}
    )
    finish(session)
    return data


def verify(keys: KeySource, pdf: bytes, signed: dict[str, Any]) -> signing.Verdict:
    """Check a report file against its `.sig.json` and a key list (the published one, or a
    store session): the file's hash must be the one signed, and the signature must hold."""
    stmt, sig = signed["statement"], signed["signature"]
    if hashlib.sha256(pdf).hexdigest() != stmt.get("sha256"):
        return signing.Verdict(False, "hash_mismatch")
    return signing.verify(
        keys,
        sig["key_id"],
        rfc8785.dumps(stmt),
        signing.Signature(sig["key_id"], sig["alg"], unb64u(sig["value"])),
    )
