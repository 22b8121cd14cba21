"""The PDF export prints stored text as written: markup characters in a call sign or a site
name are escaped, not parsed by ReportLab (which answered 500 before)."""

from __future__ import annotations

from reportlab.platypus import Paragraph
from sqlalchemy import select

from pingan.auth.roles import Role
from pingan.deployment import export
from pingan.deployment.models import DeploymentPlan, DeploymentPost
from tests.deployment.test_deployment_api import TOMORROW, _units
from tests.helpers import create_unit

CALL_SIGN = "<b>&<img src=x>"
SITE = "岗 <img src=x> & </para>"


def test_pdf_export_prints_markup_in_call_signs_and_site_names_literally(client, accounts, db):
    _units(client, accounts)
    create_unit(client, accounts.headers(Role.COMMANDER), CALL_SIGN, kind="drone")  # unplaced
    disp = accounts.headers(Role.DISPATCHER)
    plan = client.post("/api/v1/deployment/plans", json={"date": TOMORROW, "shift": "day"},
                       headers=disp).json()  # fmt: skip
    with db.session() as s:
        post = s.execute(select(DeploymentPost).where(DeploymentPost.plan_id == plan["id"]))
        post.scalars().first().site_name = SITE
        s.commit()

    pdf = client.get(f"/api/v1/deployment/plans/{plan['id']}/export.pdf", headers=disp)
    assert pdf.status_code == 200, pdf.text
    assert pdf.content.startswith(b"%PDF") and pdf.content.rstrip().endswith(b"%%EOF")

    with db.session() as s:
        row = s.get(DeploymentPlan, plan["id"])
        posts = s.execute(select(DeploymentPost).where(DeploymentPost.plan_id == row.id))
        story = export.pdf_story(row, list(posts.scalars()))
    flowables = story + [cell for t in story if hasattr(t, "_cellvalues")
                         for r in t._cellvalues for cell in r]  # fmt: skip
    printed = " ".join(f.getPlainText() for f in flowables if isinstance(f, Paragraph))
    assert CALL_SIGN in printed and SITE in printed
