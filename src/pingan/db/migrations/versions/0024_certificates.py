"""e-certificate: criminal records, applications, documents, objections, status lists

Revision ID: 0024_certificates
Revises: 0023_identity
Create Date: 2026-12-10 09:00:00.000000

The bureau's criminal-record table (ID number as the platform's keyed hash only), the
no-criminal-record applications with the identity level reached, the signed documents
issued (VC JSON, QR payload), objections with their working-day due dates, and the
revocation Bitstring Status Lists (pingan.trust.certificates).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024_certificates"
down_revision: str | None = "0023_identity"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cert_criminal_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_key", sa.String(length=64), nullable=False),
        sa.Column("court", sa.String(length=100), nullable=False),
        sa.Column("judgement_date", sa.Date(), nullable=False),
        sa.Column("effective", sa.Boolean(), nullable=False),
        sa.Column("juvenile_sealed", sa.Boolean(), nullable=False),
        sa.Column("offence_code", sa.String(length=20), nullable=False),
        sa.Column("imported_by", sa.String(length=64), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cert_criminal_records")),
    )
    op.create_index(
        "ix_cert_criminal_records_subject", "cert_criminal_records", ["subject_key"], unique=False
    )
    op.create_table(
        "cert_status_lists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("bits", sa.LargeBinary(), nullable=False),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cert_status_lists")),
    )
    op.create_table(
        "cert_applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("subject_key", sa.String(length=64), nullable=False),
        sa.Column("id_masked", sa.String(length=20), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("purpose_statement", sa.String(length=500), nullable=True),
        sa.Column("period_from", sa.Date(), nullable=False),
        sa.Column("period_to", sa.Date(), nullable=False),
        sa.Column("station", sa.String(length=100), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("verification_id", sa.Integer(), nullable=True),
        sa.Column("method", sa.String(length=20), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("consent_hash", sa.String(length=64), nullable=True),
        sa.Column("consent_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_cert_applications_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cert_applications")),
    )
    op.create_index(
        "ix_cert_applications_subject_at",
        "cert_applications",
        ["subject_key", "submitted_at"],
        unique=False,
    )
    op.create_table(
        "cert_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("holder_id", sa.Integer(), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=True),
        sa.Column("name_masked", sa.String(length=20), nullable=False),
        sa.Column("id_masked", sa.String(length=20), nullable=False),
        sa.Column("credential", sa.Text(), nullable=False),
        sa.Column("qr_payload", sa.Text(), nullable=True),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status_list_id", sa.Integer(), nullable=True),
        sa.Column("status_index", sa.Integer(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoke_reason", sa.String(length=200), nullable=True),
        sa.Column("scans", sa.Integer(), nullable=False),
        sa.Column("max_scans", sa.Integer(), nullable=False),
        sa.Column("pin_hash", sa.String(length=64), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["cert_applications.id"],
            name=op.f("fk_cert_documents_application_id_cert_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["holder_id"], ["users.id"], name=op.f("fk_cert_documents_holder_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"], ["users.id"], name=op.f("fk_cert_documents_requested_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["status_list_id"],
            ["cert_status_lists.id"],
            name=op.f("fk_cert_documents_status_list_id_cert_status_lists"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cert_documents")),
        sa.UniqueConstraint("number", name=op.f("uq_cert_documents_number")),
        sa.UniqueConstraint("status_list_id", "status_index", name="uq_cert_documents_status"),
    )
    op.create_table(
        "cert_objections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("grounds", sa.String(length=1000), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("extended", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("answer", sa.String(length=1000), nullable=True),
        sa.Column("answered_by", sa.String(length=64), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["cert_applications.id"],
            name=op.f("fk_cert_objections_application_id_cert_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_cert_objections_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cert_objections")),
    )


def downgrade() -> None:
    op.drop_table("cert_objections")
    op.drop_table("cert_documents")
    op.drop_table("cert_applications")
    op.drop_table("cert_status_lists")
    op.drop_index("ix_cert_criminal_records_subject", table_name="cert_criminal_records")
    op.drop_table("cert_criminal_records")
