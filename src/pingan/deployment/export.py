"""A plan as CSV, PDF and GeoJSON (for the map): plain data in, bytes or dicts out.

The PDF uses reportlab (BSD) with the Adobe CID font ``STSong-Light`` that reportlab ships
for Chinese text, so nothing is downloaded and no font file is needed. Paragraphs read their
text as markup, so every stored value (call signs, site names, names) goes in through
`_text`, escaped: `<img src=x>` or `a & b` is printed as written, never parsed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from pingan.deployment.models import DeploymentPlan, DeploymentPost

CJK_FONT = "STSong-Light"
CSV_HEADER = [
    "呼号 call_sign",
    "类型 kind",
    "岗点 site",
    "岗点类型 site_kind",
    "区域 area",
    "经度 lon",
    "纬度 lat",
    "巡线时长s loop_s",
    "巡线长度m loop_m",
]


def _pct(v: float) -> str:
    return f"{100 * v:.1f}%"


def _text(value: object) -> str:
    """A value as Paragraph markup that shows it literally (&, <, > escaped)."""
    return escape(str(value))


def to_csv(plan: DeploymentPlan, posts: Sequence[DeploymentPost]) -> bytes:
    """One row per posted unit, then the coverage per tier; UTF-8 with BOM for Excel."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(CSV_HEADER)
    for p in posts:
        loop = p.loop or {}
        w.writerow(
            [
                p.call_sign,
                p.unit_kind,
                p.site_name,
                p.site_kind,
                p.area_code or "",
                f"{p.lon:.6f}",
                f"{p.lat:.6f}",
                loop.get("duration_s", ""),
                loop.get("length_m", ""),
            ]
        )
    w.writerow([])
    w.writerow(["覆盖 coverage", *plan.coverage])
    w.writerow(["", *[_pct(v) for v in plan.coverage.values()]])
    for u in plan.detail.get("unplaced", []):
        w.writerow(["未布设 unplaced", u["call_sign"], f"{u['reason_zh']} / {u['reason_en']}"])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_pdf(plan: DeploymentPlan, posts: Sequence[DeploymentPost]) -> bytes:
    """A printable plan: heading, coverage per tier and area, the posts table."""
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, title=f"Deployment plan {plan.id}")
    doc.build(pdf_story(plan, posts))
    return out.getvalue()


def pdf_story(plan: DeploymentPlan, posts: Sequence[DeploymentPost]) -> list[Flowable]:
    """The PDF's flowables, every stored value escaped for Paragraph markup."""
    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
    h1 = ParagraphStyle("h1", fontName=CJK_FONT, fontSize=16, leading=22)
    body = ParagraphStyle("b", fontName=CJK_FONT, fontSize=9, leading=13)
    gap = f"{100 * plan.gap:.3f}%"
    heading = f"{plan.plan_date} {plan.shift_code} v{plan.version}"
    status = (
        f"{plan.status} · 求解 solver: {plan.solver} · 证明间隙 proven gap: {gap}"
        f" · mip_rel_gap: {plan.mip_rel_gap} · 批准 approved by: {plan.approved_by or '-'}"
    )
    story: list[Flowable] = [
        Paragraph(f"布警方案 Deployment plan · {_text(heading)}", h1),
        Paragraph(f"状态 status: {_text(status)}", body),
        Spacer(1, 8),
    ]
    tiers = list(plan.coverage)
    rows = [["区域 area", *tiers], ["全部 all", *[_pct(plan.coverage[t]) for t in tiers]]]
    for area, shares in plan.detail.get("coverage_by_area", {}).items():
        rows.append([area, *[_pct(shares.get(t, 0.0)) for t in tiers]])
    rows_posts = [["呼号 unit", "类型 kind", "岗点 post", "经纬度 lon/lat"]] + [
        [p.call_sign, p.unit_kind, Paragraph(_text(p.site_name), body), f"{p.lon:.5f}, {p.lat:.5f}"]
        for p in posts
    ]
    style = TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), CJK_FONT),
            ("FONTSIZE", (0, 0), (-1, -1), 8),
            ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
        ]
    )
    story += [Table(rows, style=style), Spacer(1, 10), Table(rows_posts, style=style)]
    for u in plan.detail.get("unplaced", []):
        line = f"{u['call_sign']}: {u['reason_zh']} / {u['reason_en']}"
        story.append(Paragraph(f"未布设 {_text(line)}", body))
    return story


def to_geojson(plan: DeploymentPlan, posts: Sequence[DeploymentPost]) -> dict[str, Any]:
    """Posts as points and patrol loops as lines, WGS-84, for the command map."""
    features: list[dict[str, Any]] = []
    for p in posts:
        props = {
            "kind": "post",
            "unit_id": p.unit_id,
            "call_sign": p.call_sign,
            "unit_kind": p.unit_kind,
            "site_code": p.site_code,
            "site_kind": p.site_kind,
            "site_name": p.site_name,
            "area_code": p.area_code,
        }
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [p.lon, p.lat]},
                "properties": props,
            }
        )
        if p.loop and len(p.loop.get("coords", [])) >= 2:
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "LineString", "coordinates": p.loop["coords"]},
                    "properties": {
                        "kind": "patrol_loop",
                        "unit_id": p.unit_id,
                        "call_sign": p.call_sign,
                        "duration_s": p.loop["duration_s"],
                        "length_m": p.loop["length_m"],
                    },
                }
            )
    return {
        "type": "FeatureCollection",
        "features": features,
        "properties": {"plan_id": plan.id, "coverage": plan.coverage, "status": plan.status},
    }
