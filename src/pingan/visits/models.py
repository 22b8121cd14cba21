"""Tables of detention video visits, 公安监管场所视频会见 (all named `visit_*`).

A facility (`VisitFacility`: 看守所, 拘留所, 戒毒所) has terminals (`VisitTerminal`) in rooms
and opening hours. A detainee (`VisitDetainee`) is held at one facility, with a procedural
stage, the case authority (办案机关) whose consent family visits may need, and restrictions.
A visitor (`VisitVisitor`) is an account with a verified identity and a role: family, lawyer
or consular officer. A visitor's tie to a detainee (`VisitRelation`: kinship with its proof,
or a lawyer's engagement) is checked by the facility. A case authority's consent to family
visits is a `VisitApproval`.

A booking (`VisitBooking`) takes one terminal for one slot; the slot is claimed through
`VisitSlotClaim` (unique per terminal and start), so two visitors never hold the same slot.
The call itself is a `VisitSession` with its events (`VisitSessionEvent`: joined, left,
monitor joined, warned, ended) and, where the rules record, a `VisitRecording` hashed and
signed.

Personal data is sealed (`*_enc`, the vault) with a masked copy for lists and a keyed hash
(`*_key`) where equality must be found (the same key as the rest of the platform, so one
person is one key).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from pingan.db.base import Base, UtcDateTime


class VisitFacility(Base):
    """A detention facility that offers video visits: its kind decides the rules."""

    __tablename__ = "visit_facilities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(30))  # detention_centre / admin_detention_centre / …
    address: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(30), default="")
    # opening hours by weekday (0 = Monday): {"0": [["09:00", "11:30"], ["14:00", "17:00"]], …}
    hours: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    slot_minutes: Mapped[int] = mapped_column(Integer, default=30)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class VisitTerminal(Base):
    """A video terminal in a visiting room; `use` says which visits it serves."""

    __tablename__ = "visit_terminals"
    __table_args__ = (
        Index("ix_visit_terminals_facility_code", "facility_id", "code", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("visit_facilities.id"), index=True)
    code: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(100))
    use: Mapped[str] = mapped_column(String(20))  # lawyer / family / any
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class VisitDetainee(Base):
    """A person held at a facility, as far as visits need to know."""

    __tablename__ = "visit_detainees"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    detainee_no: Mapped[str] = mapped_column(String(30), unique=True)  # the facility's number
    facility_id: Mapped[int] = mapped_column(ForeignKey("visit_facilities.id"), index=True)
    name_enc: Mapped[str] = mapped_column(String(700))
    name_masked: Mapped[str] = mapped_column(String(20))
    id_enc: Mapped[str] = mapped_column(String(700))
    id_key: Mapped[str] = mapped_column(String(64), index=True)
    id_masked: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), index=True)  # held / released / transferred
    stage: Mapped[str] = mapped_column(String(30))  # investigation / prosecution / trial / …
    case_authority: Mapped[str] = mapped_column(String(100))  # 办案机关
    case_no: Mapped[str] = mapped_column(String(40), default="")
    charge: Mapped[str] = mapped_column(String(100), default="")
    # codes from the rules, e.g. "no_family_visits", "lawyer_needs_permission" (危害国家安全…)
    restrictions: Mapped[list[str]] = mapped_column(JSON, default=list)
    held_since: Mapped[datetime] = mapped_column(UtcDateTime)
    held_until: Mapped[datetime | None] = mapped_column(UtcDateTime)  # a 拘留 ends on a date
    released_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class VisitVisitor(Base):
    """An account that visits: who it is (from the identity service) and in which role."""

    __tablename__ = "visit_visitors"
    __table_args__ = (Index("ix_visit_visitors_user_role", "user_id", "role", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))  # family / lawyer / consular
    name_enc: Mapped[str] = mapped_column(String(700))
    name_masked: Mapped[str] = mapped_column(String(20))
    id_key: Mapped[str] = mapped_column(String(64), index=True)
    id_masked: Mapped[str] = mapped_column(String(20))
    phone_enc: Mapped[str | None] = mapped_column(String(400))
    phone_masked: Mapped[str | None] = mapped_column(String(20))
    # lawyers: 执业证号 and firm; consular officers: the post and the document number
    licence_no: Mapped[str | None] = mapped_column(String(40))
    organisation: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), default="active")  # active / suspended
    suspended_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    suspended_reason: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class VisitRelation(Base):
    """A visitor's tie to a detainee with its proof, checked by the facility.

    Family: the kinship and its document (户口簿, 结婚证, 出生医学证明, a notarised
    relationship certificate). Lawyer: the engagement letter (委托书) and the law firm's letter
    (律师事务所证明); consular: the note. Documents are kept by hash (`proof_sha256`)."""

    __tablename__ = "visit_relations"
    __table_args__ = (
        Index("ix_visit_relations_visitor_detainee", "visitor_id", "detainee_id", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    visitor_id: Mapped[int] = mapped_column(ForeignKey("visit_visitors.id"), index=True)
    detainee_id: Mapped[int] = mapped_column(ForeignKey("visit_detainees.id"), index=True)
    relation: Mapped[str] = mapped_column(String(20))  # spouse / parent / child / … / counsel
    proof_kind: Mapped[str] = mapped_column(String(30))
    proof_sha256: Mapped[str] = mapped_column(String(64))
    proof_ref: Mapped[str] = mapped_column(String(200), default="")  # where the file is kept
    status: Mapped[str] = mapped_column(String(20), index=True)  # pending / accepted / refused
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    review_reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class VisitApproval(Base):
    """The case authority's consent to family visits with a detainee (办案机关同意), as the
    facility recorded it: by whom, its document number, how long it holds."""

    __tablename__ = "visit_approvals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    detainee_id: Mapped[int] = mapped_column(ForeignKey("visit_detainees.id"), index=True)
    visitor_id: Mapped[int | None] = mapped_column(ForeignKey("visit_visitors.id"), index=True)
    authority: Mapped[str] = mapped_column(String(100))
    document_no: Mapped[str] = mapped_column(String(60))
    valid_from: Mapped[datetime] = mapped_column(UtcDateTime)
    valid_until: Mapped[datetime] = mapped_column(UtcDateTime)
    recorded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class VisitBooking(Base):
    """One visit on one terminal in one slot, with who comes and what the rules decided.

    `recorded` and `monitored` are fixed when the booking is made, from the rules, and a
    lawyer's booking can never carry either."""

    __tablename__ = "visit_bookings"
    __table_args__ = (Index("ix_visit_bookings_facility_start", "facility_id", "starts_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    booking_no: Mapped[str] = mapped_column(String(20), unique=True)  # HJ20261207-0001
    facility_id: Mapped[int] = mapped_column(ForeignKey("visit_facilities.id"), index=True)
    terminal_id: Mapped[int] = mapped_column(ForeignKey("visit_terminals.id"), index=True)
    detainee_id: Mapped[int] = mapped_column(ForeignKey("visit_detainees.id"), index=True)
    visitor_id: Mapped[int] = mapped_column(ForeignKey("visit_visitors.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # family / lawyer / consular
    # pending_approval / confirmed / cancelled / refused / no_show / in_call / completed
    status: Mapped[str] = mapped_column(String(20), index=True)
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # everyone on screen on the visitor's side: [{"name_masked", "relation", "id_masked"}]
    party: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    recorded: Mapped[bool] = mapped_column(Boolean)
    monitored: Mapped[bool] = mapped_column(Boolean)
    approval_id: Mapped[int | None] = mapped_column(ForeignKey("visit_approvals.id"))
    # the identity level the visitor held when booking: {"level", "method", "verification_id"}
    assurance: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(String(200))
    reminded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class VisitSlotClaim(Base):
    """One terminal's slot held by one live booking: the unique index makes the claim atomic;
    the row goes when the booking is cancelled or refused."""

    __tablename__ = "visit_slot_claims"
    __table_args__ = (
        Index("ix_visit_slot_claims_terminal_start", "terminal_id", "starts_at", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    terminal_id: Mapped[int] = mapped_column(ForeignKey("visit_terminals.id"))
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    booking_id: Mapped[int] = mapped_column(ForeignKey("visit_bookings.id"), index=True)


class VisitSession(Base):
    """The call of a booking: when it ran, who watched, how it ended."""

    __tablename__ = "visit_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("visit_bookings.id"), index=True)
    room: Mapped[str] = mapped_column(String(40), unique=True)  # the signalling room's name
    status: Mapped[str] = mapped_column(String(20), index=True)  # open / live / ended
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # both sides connected
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # completed / time_up / officer_ended / violation / left / identity_failed / no_show
    end_reason: Mapped[str | None] = mapped_column(String(30))
    ended_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    terminal_officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    monitor_officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # the visitor's identity re-check when the call started: {"level", "method", …}
    identity_check: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class VisitSessionEvent(Base):
    """What happened during a call, in order (append-only)."""

    __tablename__ = "visit_session_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("visit_sessions.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    kind: Mapped[str] = mapped_column(String(30))  # joined / left / monitor_joined / warned / …
    side: Mapped[str | None] = mapped_column(String(20))  # visitor / terminal / monitor
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class VisitRecording(Base):
    """A call's recording (family and consular visits only), hashed and signed, kept until
    `retain_until` by the rules."""

    __tablename__ = "visit_recordings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("visit_sessions.id"), index=True)
    path: Mapped[str] = mapped_column(String(300))  # under the data directory
    media_type: Mapped[str] = mapped_column(String(60))
    size_bytes: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"))
    sha256: Mapped[str] = mapped_column(String(64))
    sm3: Mapped[str] = mapped_column(String(64))
    signature: Mapped[dict[str, Any]] = mapped_column(JSON)  # {"key_id", "alg", "value"}
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    retain_until: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    purged_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
