"""Cases of the family search (一人一档): an adoptee's or a family's record, numbered
XQ-YYYY-NNNN. Opening and editing a case needs kinship.case; the subject's name and the
contact are sealed with the vault and shown masked; reading one case in full is audited."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from pingan.audit import service as audit
from pingan.auth.actor import Actor
from pingan.auth.service import require
from pingan.db.case_numbers import next_case_number
from pingan.db.tx import finish
from pingan.errors import NotFound
from pingan.errors import ValidationFailed as Bad
from pingan.i18n import msg
from pingan.kinship.models import KinshipCandidate, KinshipCase, KinshipPerson, KinshipProfile
from pingan.kinship.sealed import seal, unseal
from pingan.pii.name import mask_name, seal_name
from pingan.pii.phone import InvalidPhone, mask_phone, normalise_phone
from pingan.pii.vault import Vault

CASE_PREFIX = "XQ-"
SIDES = ("adoptee", "family")
STATUSES = ("open", "matched", "closed")
SEXES = ("M", "F", "U")
EARLIEST_YEAR = 1900
DETAIL_KEYS = ("transfer_records", "adoptive_family", "life_story")
PHOTOS = "photos"  # also in the details, added one by one (kinship.photos), never by an edit
LIMITS = {"name": 50, "place": 200, "orphanage": 200, "contact": 100, "place_code": 12}


def bad(code: str, /, **params: Any) -> Bad:
    """A refusal with its catalogue message kinship.records.<code>."""
    return Bad(msg(f"kinship.records.{code}", **params), code=code)


def who(actor: Actor) -> int:
    """The account acting: every record of the search names a person (not the platform)."""
    if actor.user_id is None:
        raise bad("account_needed")
    return actor.user_id


def check_text(raw: str | None, what: str, *, required: bool = False) -> str:
    value = (raw or "").strip()
    if (required and not value) or len(value) > LIMITS[what]:
        raise bad("bad_text", what=msg(f"kinship.records.what.{what}"), limit=LIMITS[what])
    return value


def check_sex(raw: str) -> str:
    if raw not in SEXES:
        raise bad("bad_sex", sex=str(raw)[:4], choices=", ".join(SEXES))
    return raw


def check_year(value: int | None, today: date) -> int | None:
    if value is not None and not EARLIEST_YEAR <= value <= today.year:
        raise bad("bad_year", year=value, low=EARLIEST_YEAR, high=today.year)
    return value


@dataclass(frozen=True, slots=True)
class CaseSpec:
    side: str
    sex: str
    name: str | None = None
    birth_year_min: int | None = None
    birth_year_max: int | None = None
    place: str = ""
    place_code: str = ""
    date_min: date | None = None
    date_max: date | None = None
    orphanage: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)
    contact: str | None = None


def _details(raw: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in DETAIL_KEYS:
        value = raw.get(key)
        if value in (None, "", []):
            continue
        if key == "transfer_records":
            out[key] = [str(v).strip() for v in value if str(v).strip()]
        else:
            out[key] = str(value).strip()
    return out


def mask_contact(value: str) -> str:
    """A phone number masked as a phone, anything else as a name."""
    try:
        return mask_phone(normalise_phone(value))
    except InvalidPhone:
        return mask_name(value)[:40]


def _apply(row: KinshipCase, vault: Vault, values: Mapping[str, Any], today: date) -> None:
    """Check and write the given fields (a whole spec, or a PATCH's subset) into the row."""
    if "name" in values:
        sealed = seal_name(vault, check_text(values["name"], "name"))
        row.name_enc, row.name_masked = (sealed.enc, sealed.masked) if sealed else (None, "")
    if "sex" in values:
        row.sex = check_sex(values["sex"])
    for key in ("birth_year_min", "birth_year_max"):
        if key in values:
            setattr(row, key, check_year(values[key], today))
    for key in ("place", "place_code", "orphanage"):
        if key in values:
            setattr(row, key, check_text(values[key], key))
    for key in ("date_min", "date_max"):
        if key in values:
            if values[key] is not None and values[key] > today:
                raise bad("date_in_future")
            setattr(row, key, values[key])
    if "details" in values:
        details = _details(values["details"] or {})
        photos = details_of(vault, row).get(PHOTOS)
        row.details_enc = seal(vault, {**details, PHOTOS: photos} if photos else details)
    if "contact" in values:
        contact = check_text(values["contact"], "contact")
        row.contact_enc = vault.encrypt(contact) if contact else None
        row.contact_masked = mask_contact(contact) if contact else ""
    if "status" in values:
        if values["status"] not in STATUSES:
            raise bad("bad_status", status=str(values["status"])[:20])
        row.status = values["status"]
    low, high = row.birth_year_min, row.birth_year_max
    if low is not None and high is not None and low > high:
        raise bad("bad_range", what=msg("kinship.records.what.birth_year"))
    if row.date_min and row.date_max and row.date_min > row.date_max:
        raise bad("bad_range", what=msg("kinship.records.what.date"))


def create_case(
    session: Session, actor: Actor, vault: Vault, spec: CaseSpec, *, now: datetime
) -> KinshipCase:
    """Open a case; its number is the year's next XQ-YYYY-NNNN."""
    require(actor, "kinship.case")
    if spec.side not in SIDES:
        raise bad("bad_side", side=spec.side[:20], choices=", ".join(SIDES))
    row = KinshipCase(
        side=spec.side, status="open", created_by=who(actor), created_at=now, updated_at=now
    )
    values = {f.name: getattr(spec, f.name) for f in fields(spec) if f.name != "side"}
    _apply(row, vault, values, now.date())
    row.case_no = next_case_number(session, CASE_PREFIX, now, period="%Y")
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "kinship.case_created",
        "kinship_case",
        row.id,
        {"case_no": row.case_no, "side": row.side, "name": row.name_masked},
    )
    finish(session)
    return row


def get_case(session: Session, case_id: int) -> KinshipCase:
    row = session.get(KinshipCase, case_id)
    if row is None:
        raise NotFound(msg("kinship.records.no_case"), code="case_not_found")
    return row


def case_by_no(session: Session, case_no: str) -> KinshipCase:
    row = session.scalar(select(KinshipCase).where(KinshipCase.case_no == case_no.strip()))
    if row is None:
        raise NotFound(msg("kinship.records.no_case"), code="case_not_found")
    return row


def update_case(
    session: Session,
    actor: Actor,
    vault: Vault,
    case_id: int,
    changes: Mapping[str, Any],
    *,
    now: datetime,
) -> KinshipCase:
    """Change the given fields (and the status); the audit names the fields, not values."""
    require(actor, "kinship.case")
    row = get_case(session, case_id)
    _apply(row, vault, changes, now.date())
    row.updated_at = now
    audit.record(
        session,
        actor,
        "kinship.case_updated",
        "kinship_case",
        row.id,
        {"case_no": row.case_no, "fields": sorted(changes), "status": row.status},
    )
    finish(session)
    return row


def list_cases(
    session: Session,
    *,
    side: str | None = None,
    status: str | None = None,
    q: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[KinshipCase], int]:
    """Cases newest first, with the total; `q` matches the number, place or orphanage (names
    are sealed, so they are not searched)."""
    query = select(KinshipCase)
    if side:
        query = query.where(KinshipCase.side == side)
    if status:
        query = query.where(KinshipCase.status == status)
    if q and q.strip():
        like = f"%{q.strip()}%"
        query = query.where(
            or_(
                KinshipCase.case_no.ilike(like),
                KinshipCase.place.ilike(like),
                KinshipCase.orphanage.ilike(like),
            )
        )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(KinshipCase.created_at.desc(), KinshipCase.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(rows), total


@dataclass(frozen=True, slots=True)
class Counts:
    persons: int = 0
    profiles: int = 0
    open_candidates: int = 0


def counts(session: Session, case_ids: list[int]) -> dict[int, Counts]:
    """Donors, profiles and open (new) candidates of each case, in three queries."""
    if not case_ids:
        return {}
    persons = dict(
        session.execute(
            select(KinshipPerson.case_id, func.count())
            .where(KinshipPerson.case_id.in_(case_ids))
            .group_by(KinshipPerson.case_id)
        ).all()
    )
    profile_rows = session.execute(
        select(KinshipPerson.case_id, KinshipProfile.id)
        .join(KinshipProfile, KinshipProfile.person_id == KinshipPerson.id)
        .where(KinshipPerson.case_id.in_(case_ids))
    ).all()
    case_of = {pid: cid for cid, pid in profile_rows}
    profiles: dict[int, int] = {}
    for cid, _ in profile_rows:
        profiles[cid] = profiles.get(cid, 0) + 1
    candidates: dict[int, int] = {}
    if case_of:
        pairs = session.execute(
            select(KinshipCandidate.profile_a, KinshipCandidate.profile_b).where(
                KinshipCandidate.status == "new",
                or_(
                    KinshipCandidate.profile_a.in_(case_of),
                    KinshipCandidate.profile_b.in_(case_of),
                ),
            )
        ).all()
        for a, b in pairs:
            for cid in {case_of.get(a), case_of.get(b)} - {None}:
                candidates[cid] = candidates.get(cid, 0) + 1  # type: ignore[index]
    return {
        cid: Counts(persons.get(cid, 0), profiles.get(cid, 0), candidates.get(cid, 0))
        for cid in case_ids
    }


def details_of(vault: Vault, row: KinshipCase) -> dict[str, Any]:
    """A case's sealed details (transfer records, adoptive family, life story), opened."""
    return unseal(vault, row.details_enc) or {}


def read_case(session: Session, actor: Actor, vault: Vault, case_id: int) -> dict[str, Any]:
    """A case's details for its full view; the read is audited."""
    require(actor, "kinship.read")
    row = get_case(session, case_id)
    details = details_of(vault, row)
    audit.record(
        session, actor, "kinship.case_read", "kinship_case", row.id, {"case_no": row.case_no}
    )
    finish(session)
    return details
